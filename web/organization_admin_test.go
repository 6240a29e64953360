package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

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

func TestRegisterOfficialAccount(t *testing.T) {
	ts := newTestServer(t)
	ctx := t.Context()
	devAdmin := ts.admin(t, ts.demo.Developer.ID)
	bossAdmin := ts.admin(t, ts.demo.OrganizationAdministrator.ID)
	existing, err := ts.db.FindChannelByID(ctx, ts.channelID(t, "Momiji Cafe Messaging API"))
	if err != nil {
		t.Fatal(err)
	}
	newChannel := func(actor portal.Admin, lineID, name string) portal.Channel {
		ch, err := ts.db.CreateChannel(ctx, actor, portal.Channel{Provider: existing.Provider, Kind: portal.KindMessagingAPI,
			LINEChannelID: lineID, Name: name, Region: portal.RegionJapan})
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	fresh := newChannel(devAdmin, "2099000001", "Fresh Messaging API")
	member := newChannel(bossAdmin, "2099000002", "Shared Messaging API")
	if err := ts.db.SetChannelRole(ctx, bossAdmin, member.ID, devAdmin.ID, portal.RoleMember); err != nil {
		t.Fatal(err)
	}
	others := newChannel(bossAdmin, "2099000003", "Boss Messaging API")

	dev := ts.signedIn(t, ts.demo.Developer.ID)
	href := dev.get(ts.URL+"/official-accounts").doc.Find("#register-official-account").AttrOr("href", "")
	if href != "/official-accounts/new" {
		t.Fatalf("the account list links to %q", href)
	}
	form := dev.get(ts.URL + href)
	var offered []string
	form.doc.Find("#channel_id option").Each(func(_ int, o *goquery.Selection) { offered = append(offered, o.Text()) })
	joined := strings.Join(offered, "|")
	if !strings.Contains(joined, "Fresh Messaging API") || !strings.Contains(joined, "Momiji Cafe Messaging API") ||
		strings.Contains(joined, "Shared Messaging API") || strings.Contains(joined, "Boss Messaging API") || strings.Contains(joined, "Login") {
		t.Fatalf("offered %q; want only Messaging API channels the developer is an Admin of", offered)
	}
	oaCount := func() int {
		oas, _, err := ts.db.FindOfficialAccounts(ctx, store.OfficialAccountFilter{Actor: portal.Admin{Operator: true}, All: true, Page: store.Page{Limit: store.MaxPageSize}})
		if err != nil {
			t.Fatal(err)
		}
		return len(oas)
	}
	count := oaCount()
	values := func(channel portal.Channel, basicID string) url.Values {
		return url.Values{"basic_id": {basicID}, "name": {"Fresh Cafe"}, "package": {"basic"}, "channel_id": {strconv.FormatInt(channel.ID, 10)},
			"company_name": {"Momiji Foods K.K."}, "address": {"2-4-1 Shibakoen, Minato-ku, Tokyo"}}
	}

	t.Run("refusals", func(t *testing.T) {
		for _, c := range []struct {
			name    string
			channel portal.Channel
			basicID string
			status  int
			want    string
		}{
			{"someone else's channel", others, "@freshcafe", http.StatusForbidden, "Admin"},
			{"a channel where the developer is a Member", member, "@freshcafe", http.StatusForbidden, "Admin"},
			{"a channel that has an account", existing, "@freshcafe", http.StatusUnprocessableEntity, "@momijicafe"},
			{"a malformed basic ID", fresh, "fresh cafe", http.StatusUnprocessableEntity, "basic ID"},
			{"a basic ID taken", fresh, "@momijicafe", http.StatusUnprocessableEntity, "already registered"},
		} {
			p := dev.post(ts.URL+"/official-accounts", values(c.channel, c.basicID))
			msg := p.doc.Find("#oa-register-form").Text()
			if p.res.StatusCode != c.status || !strings.Contains(msg, c.want) {
				t.Errorf("%s: %d %q; want %d with %q", c.name, p.res.StatusCode, msg, c.status, c.want)
			}
			if p.doc.Find("#basic_id").AttrOr("value", "") != c.basicID || p.doc.Find("#company_name").AttrOr("value", "") != "Momiji Foods K.K." {
				t.Errorf("%s: the input was lost", c.name)
			}
		}
		if got := oaCount(); got != count {
			t.Fatalf("refused registrations stored accounts: %d → %d", count, got)
		}
	})

	t.Run("registered on the developer's channel", func(t *testing.T) {
		done := dev.submit(form, "#oa-register-form", values(fresh, "@FreshCafe"), "", "")
		if done.res.StatusCode != http.StatusSeeOther {
			t.Fatalf("register answered %d: %q", done.res.StatusCode, done.doc.Find("#oa-register-form").Text())
		}
		p := dev.follow(done)
		if p.doc.Find("#oa-basic-id").Text() != "@freshcafe" || !strings.Contains(p.doc.Find("#oa-edit").Text(), "Admin") ||
			!strings.Contains(p.doc.Find("#flash").Text(), "registered") {
			t.Fatalf("account page: %q %q", p.doc.Find("#oa-basic-id").Text(), p.doc.Find("#flash").Text())
		}
		oa, err := ts.db.FindOfficialAccountByID(ctx, ts.oaID(t, "@freshcafe"))
		if err != nil || oa.ChannelID != fresh.ID || oa.Package != portal.PackageBasic || oa.Name != "Fresh Cafe" || oa.Info.CompanyName != "Momiji Foods K.K." {
			t.Fatalf("stored: %+v %v", oa, err)
		}
	})
}

func TestOfficialAccountTransfer(t *testing.T) {
	ts := newTestServer(t)
	cafe := ts.oaID(t, "@momijicafe")
	page := ts.URL + views.OfficialAccountPath(cafe)
	linkedTo := func() string {
		oa, err := ts.db.FindOfficialAccountByID(t.Context(), cafe)
		if err != nil || oa.Link == nil {
			t.Fatalf("account: %+v %v", oa, err)
		}
		return oa.Link.OrgID
	}

	// The account's Admin who administers no organization sees no form.
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	if p := dev.get(page); p.doc.Find("#oa-transfer-form").Length() != 0 {
		t.Fatal("the transfer form is offered to someone who administers no organization")
	}
	if p := dev.post(page+"/transfer", url.Values{"dest_org_id": {demo.MomijiHoldingID}}); p.res.StatusCode != http.StatusForbidden {
		t.Fatalf("the developer's transfer answered %d", p.res.StatusCode)
	}

	// An administrator of Momiji Foods only can't move it to an
	// organization they don't administer.
	both := ts.signedIn(t, ts.demo.DeveloperAndAdministrator.ID)
	form := both.get(page)
	if form.doc.Find("#oa-transfer-form").Length() != 1 {
		t.Fatal("an administrator of the account's organization has no transfer form")
	}
	refused := both.submit(form, "#oa-transfer-form", url.Values{"dest_org_id": {demo.MomijiHoldingID}}, "", "")
	if refused.res.StatusCode != http.StatusForbidden || !strings.Contains(refused.doc.Find("#oa-transfer").Text(), "not an administrator of "+demo.MomijiHoldingID) ||
		refused.doc.Find("#dest_org_id").AttrOr("value", "") != demo.MomijiHoldingID {
		t.Fatalf("transfer to an organization not administered: %d %q", refused.res.StatusCode, refused.doc.Find("#oa-transfer").Text())
	}
	if got := linkedTo(); got != demo.MomijiFoodsID {
		t.Fatalf("a refused transfer moved the account to %s", got)
	}

	// The administrator of both moves it; malformed input first.
	boss := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	form = boss.get(page)
	if p := boss.submit(form, "#oa-transfer-form", url.Values{"dest_org_id": {"BM1"}}, "", ""); p.res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(p.doc.Find("#oa-transfer").Text(), "BM followed by 11 digits") {
		t.Fatalf("malformed destination: %d %q", p.res.StatusCode, p.doc.Find("#oa-transfer").Text())
	}
	done := boss.submit(form, "#oa-transfer-form", url.Values{"dest_org_id": {demo.MomijiHoldingID}}, "", "")
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("transfer answered %d: %q", done.res.StatusCode, done.doc.Find("#oa-transfer").Text())
	}
	after := boss.follow(done)
	if after.doc.Find("#oa-org-id").Text() != demo.MomijiHoldingID || !strings.Contains(after.doc.Find("#flash").Text(), "Transferred to organization "+demo.MomijiHoldingID) {
		t.Fatalf("after transfer: org %q flash %q", after.doc.Find("#oa-org-id").Text(), after.doc.Find("#flash").Text())
	}
	if got := linkedTo(); got != demo.MomijiHoldingID {
		t.Fatalf("stored link: %s", got)
	}
}
