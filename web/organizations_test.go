package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lineportal/internal/demo"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// allOrganizations lists every organization's ID, as an operator sees them.
func (ts *testServer) allOrganizations(t *testing.T) []string {
	t.Helper()
	orgs, _, err := ts.db.FindOrganizations(t.Context(), store.OrganizationFilter{Actor: portal.Admin{Operator: true}, All: true, Page: store.Page{Limit: store.MaxPageSize}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	return ids
}

// admin returns the stored admin with this LINE user ID (who has signed
// in: EnsureAdmin changes nothing for them).
func (ts *testServer) admin(t *testing.T, lineUserID string) portal.Admin {
	t.Helper()
	a, err := ts.db.EnsureAdmin(t.Context(), lineUserID, "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func adminNames(t *testing.T, ts *testServer, orgID string) []string {
	t.Helper()
	admins, err := ts.db.FindOrganizationAdmins(t.Context(), orgID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range admins {
		names = append(names, a.Name)
	}
	return names
}

func TestRegisterOrganization(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)

	list := dev.get(ts.URL + "/organizations")
	href := list.doc.Find("#register-organization").AttrOr("href", "")
	if href != "/organizations/new" {
		t.Fatalf("the organization list links to %q", href)
	}
	form := dev.get(ts.URL + href)
	if form.res.StatusCode != 200 || !strings.Contains(form.doc.Find("#verification-note").Text(), "operators run") {
		t.Fatalf("register page: %d, note %q", form.res.StatusCode, form.doc.Find("#verification-note").Text())
	}
	before := ts.allOrganizations(t)

	t.Run("refusals store nothing and keep the input", func(t *testing.T) {
		cases := []struct{ id, want string }{
			{"", "BM followed by 11 digits"},
			{"BM123", "BM followed by 11 digits"},
			{"XX12345678901", "BM followed by 11 digits"},
			{demo.SakuraFoodsID, "already registered"},
		}
		for _, c := range cases {
			p := dev.submit(form, "#organization-register-form", url.Values{"org_id": {c.id}, "name": {"Kaede Trading"},
				"company_name": {"Kaede K.K."}, "address": {"1-1 Umeda, Osaka"}}, "", "")
			msg := p.doc.Find("#organization-register-form").Text()
			if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, c.want) {
				t.Errorf("%q: %d %q; want 422 with %q", c.id, p.res.StatusCode, msg, c.want)
			}
			if got := p.doc.Find("#org_id").AttrOr("value", "?"); got != c.id {
				t.Errorf("%q: the ID became %q", c.id, got)
			}
			if got := p.doc.Find("#name").AttrOr("value", ""); got != "Kaede Trading" {
				t.Errorf("%q: the name was lost: %q", c.id, got)
			}
		}
		// A malformed ID is told with the other fields' problems.
		p := dev.submit(form, "#organization-register-form", url.Values{"org_id": {"BM123"}, "name": {" "},
			"company_name": {"Kaede K.K."}, "address": {"1-1 Umeda, Osaka"}}, "", "")
		if !strings.Contains(p.doc.Find("#org_id-error").Text(), "BM followed by 11 digits") || !strings.Contains(p.doc.Find("#name-error").Text(), "name") {
			t.Errorf("a malformed ID and no name: #org_id-error %q, #name-error %q; want both told", p.doc.Find("#org_id-error").Text(), p.doc.Find("#name-error").Text())
		}
		if after := ts.allOrganizations(t); strings.Join(after, ",") != strings.Join(before, ",") {
			t.Fatalf("refused registrations stored organizations: %v → %v", before, after)
		}
		sakura, err := ts.db.FindOrganizationByID(t.Context(), demo.SakuraFoodsID)
		if err != nil || sakura.Name == "Kaede Trading" {
			t.Fatalf("the duplicate changed the existing organization: %+v %v", sakura, err)
		}
		if names := adminNames(t, ts, demo.SakuraFoodsID); strings.Contains(strings.Join(names, ","), "Aoi") {
			t.Fatalf("the duplicate made the developer an administrator: %v", names)
		}
	})

	t.Run("registered unverified with the creator as administrator", func(t *testing.T) {
		done := dev.submit(form, "#organization-register-form", url.Values{"org_id": {" bm12345678901 "}, "name": {"Kaede Trading"},
			"region": {"JP"}, "company_name": {"Kaede K.K."}, "address": {"1-1 Umeda, Osaka"}}, "", "")
		if done.res.StatusCode != http.StatusSeeOther || done.location(t) != ts.URL+"/organizations/BM12345678901/business-info" {
			t.Fatalf("register answered %d → %q: %.400s", done.res.StatusCode, done.res.Header.Get("Location"), done.doc.Find("main").Text())
		}
		info := dev.follow(done)
		if info.doc.Find("#org-id").Text() != "BM12345678901" || info.doc.Find("#org-name").Text() != "Kaede Trading" ||
			!strings.Contains(info.doc.Find(".org-header .status-badge").Text(), "Unverified") {
			t.Fatalf("organization page: %q %q %q", info.doc.Find("#org-id").Text(), info.doc.Find("#org-name").Text(), info.doc.Find(".org-header").Text())
		}
		if !strings.Contains(info.doc.Find("#flash").Text(), "verification review") || info.doc.Find("#submit-verification").Length() != 1 {
			t.Errorf("no way on to the verification review: flash %q", info.doc.Find("#flash").Text())
		}
		org, err := ts.db.FindOrganizationByID(t.Context(), "BM12345678901")
		if err != nil || org.Region != portal.RegionJapan || org.Verification != portal.OrgUnverified || org.Info.CompanyName != "Kaede K.K." {
			t.Fatalf("stored: %+v %v", org, err)
		}
		if names := adminNames(t, ts, org.ID); len(names) != 1 || names[0] != ts.demo.Developer.Name {
			t.Fatalf("administrators %v; want the creator only", names)
		}
		if !strings.Contains(dev.get(ts.URL+"/organizations").doc.Find("#organization-list").Text(), "Kaede Trading") {
			t.Error("the new organization is not in the creator's list")
		}
	})
}

func TestAddAdministratorByLINEUserID(t *testing.T) {
	ts := newTestServer(t)
	// Someone with a LINE account who has never opened the portal.
	nao, err := ts.sim.AddUser(linesim.User{Name: "Nao Kimura"})
	if err != nil {
		t.Fatal(err)
	}
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	members := ts.URL + views.OrganizationPath(demo.SakuraFoodsID) + "/members"
	page := boss.get(members)
	if page.doc.Find("#add-administrator-form").Length() != 1 {
		t.Fatal("an administrator has no form to add one")
	}
	before := adminNames(t, ts, demo.SakuraFoodsID)

	// A malformed ID: 422, the input kept, nobody added.
	bad := boss.submit(page, "#add-administrator-form", url.Values{"line_user_id": {"nao.kimura"}, "name": {"Nao"}}, "", "")
	if bad.res.StatusCode != http.StatusUnprocessableEntity || bad.doc.Find("#line_user_id-error").Length() != 1 ||
		bad.doc.Find("#line_user_id").AttrOr("value", "") != "nao.kimura" || bad.doc.Find("#admin_name").AttrOr("value", "") != "Nao" {
		t.Fatalf("malformed ID: %d %q", bad.res.StatusCode, bad.doc.Find("#add-administrator").Text())
	}

	// Someone who is no administrator can't add anyone: 403, nobody added.
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	if p := dev.post(members, url.Values{"line_user_id": {nao.ID}}); p.res.StatusCode != http.StatusForbidden {
		t.Fatalf("a non-administrator's addition answered %d", p.res.StatusCode)
	}
	// Nor can an operator, who sees the members but no form.
	op := ts.signedIn(t, ts.demo.Operator.ID)
	if p := op.get(members); p.res.StatusCode != 200 || p.doc.Find("#add-administrator-form").Length() != 0 {
		t.Fatalf("operator's members page: %d, form %d", p.res.StatusCode, p.doc.Find("#add-administrator-form").Length())
	}
	if p := op.post(members, url.Values{"line_user_id": {nao.ID}}); p.res.StatusCode != http.StatusForbidden ||
		!strings.Contains(p.doc.Find("#flash").Text(), "Only an administrator") {
		t.Fatalf("an operator's addition answered %d %q", p.res.StatusCode, p.doc.Find("#flash").Text())
	}
	if after := adminNames(t, ts, demo.SakuraFoodsID); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Fatalf("refused additions changed the administrators: %v → %v", before, after)
	}

	// The administrator adds Nao, who has never signed in.
	done := boss.submit(page, "#add-administrator-form", url.Values{"line_user_id": {nao.ID}, "name": {"Nao (sales)"}}, "", "")
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding answered %d: %q", done.res.StatusCode, done.doc.Find("#add-administrator").Text())
	}
	after := boss.follow(done)
	if !strings.Contains(after.doc.Find("#members").Text(), "Nao (sales)") || !strings.Contains(after.doc.Find("#flash").Text(), "not signed in yet") {
		t.Fatalf("members after adding: %q flash %q", after.doc.Find("#members").Text(), after.doc.Find("#flash").Text())
	}
	// Adding them again is refused and keeps the input.
	again := boss.submit(page, "#add-administrator-form", url.Values{"line_user_id": {nao.ID}}, "", "")
	if again.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(again.doc.Find("#add-administrator").Text(), "already an administrator") ||
		again.doc.Find("#line_user_id").AttrOr("value", "") != nao.ID {
		t.Fatalf("adding twice: %d %q", again.res.StatusCode, again.doc.Find("#add-administrator").Text())
	}

	// Nao signs in for the first time and can open the organization.
	nv := ts.signedIn(t, nao.ID)
	org := nv.get(ts.URL + views.OrganizationPath(demo.SakuraFoodsID))
	if org.res.StatusCode != 200 || org.doc.Find("#org-id").Text() != demo.SakuraFoodsID {
		t.Fatalf("the new administrator opened the organization: %d", org.res.StatusCode)
	}
	if !strings.Contains(nv.get(ts.URL+"/organizations").doc.Find("#organization-list").Text(), demo.SakuraFoodsID) {
		t.Error("the organization is not in the new administrator's list")
	}
	if got := nv.get(members).doc.Find("#members").Text(); !strings.Contains(got, "Nao Kimura") || strings.Contains(got, "Nao (sales)") {
		t.Errorf("after sign-in the member list shows %q; want the LINE name", got)
	}
}

// Verifying an organization asks the operator first, showing the business
// info that can't change afterwards; the queue shows all of it, and
// leads to the organization.
func TestOperator_VerifyAsksFirst(t *testing.T) {
	ts := newTestServer(t)
	ctx := t.Context()
	boss := ts.admin(t, ts.demo.OrganizationAdministrator.ID)
	org, err := ts.db.CreateOrganization(ctx, boss, portal.Organization{ID: "BM77700000001", Name: "Kaede Kitchen", Region: portal.RegionJapan,
		Info: portal.BusinessInfo{CompanyName: "Kaede K.K.", Address: "1-1 Umeda, Osaka"}, CompanyCountry: portal.RegionJapan})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.db.SubmitOrganizationForVerification(ctx, boss, org.ID); err != nil {
		t.Fatal(err)
	}
	op := ts.signedIn(t, ts.demo.Operator.ID)
	item := op.get(ts.URL + "/operator").doc.Find(`.queue-item[data-org-id="BM77700000001"]`)
	if !strings.Contains(item.Text(), "Company/business owner's country or region: Japan") || item.Find(`a[href="/organizations/BM77700000001/business-info"]`).Length() != 1 {
		t.Errorf("the queue's item: %q", item.Text())
	}
	ask := op.submit(op.get(ts.URL+"/operator"), `.queue-item[data-org-id="BM77700000001"] form[action$="/verify"]`, nil, "", "")
	if ask.res.StatusCode != http.StatusOK || !strings.Contains(ask.doc.Find("#verify-confirm").Text(), "Kaede K.K.") ||
		!strings.Contains(ask.doc.Find("#verify-precaution").Text(), "can't change") {
		t.Fatalf("verifying: %d %q", ask.res.StatusCode, ask.doc.Find("main").Text())
	}
	if got, _ := ts.db.FindOrganizationByID(ctx, org.ID); got.Verification != portal.OrgInReview {
		t.Fatalf("verified before the confirmation: %s", got.Verification)
	}
	if done := op.submit(ask, "#verify-confirm form", nil, "", ""); done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed: %d", done.res.StatusCode)
	}
	if got, _ := ts.db.FindOrganizationByID(ctx, org.ID); got.Verification != portal.OrgVerified {
		t.Fatalf("after the confirmation: %s", got.Verification)
	}
}
