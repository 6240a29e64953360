package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/dbtest"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/views"
)

// registerChannelForm opens "Register a channel" from the channel list.
func (ts *testServer) registerChannelForm(t *testing.T, v *visitor) page {
	t.Helper()
	list := v.get(ts.URL + "/channels")
	href, ok := list.doc.Find("#register-channel").Attr("href")
	if !ok {
		t.Fatalf("the channel list has no link to register a channel: %.300s", list.doc.Find("main").Text())
	}
	form := v.get(ts.URL + href)
	if form.res.StatusCode != http.StatusOK || form.doc.Find("#channel-register-form").Length() != 1 {
		t.Fatalf("%s answered %d without the form", href, form.res.StatusCode)
	}
	return form
}

// listedRole finds the channel in the actor's list (by name) and returns
// its row's kind and the actor's role from its Members tab.
func (ts *testServer) listedRole(t *testing.T, v *visitor, name, lineUserID string) (kind, role string) {
	t.Helper()
	list := v.get(ts.URL + "/channels?name=" + url.QueryEscape(name))
	row := list.doc.Find("#channel-list tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find("td a").First().Text() == name
	})
	if row.Length() != 1 {
		t.Fatalf("channel %q is not in the list: %.400s", name, list.doc.Find("main").Text())
	}
	href := row.Find("td a").AttrOr("href", "")
	members := v.get(ts.URL + href + "/members")
	if members.res.StatusCode != http.StatusOK {
		t.Fatalf("the Members tab of %q answered %d", name, members.res.StatusCode)
	}
	return row.Find("td").Eq(1).Text(), members.doc.Find(`#member-list tr[data-line-user-id="`+lineUserID+`"]`).AttrOr("data-role", "")
}

func TestChannelRegister_EachKind(t *testing.T) {
	ts := newTestServer(t)
	raw := rawDB(t)
	dev := ts.demo.Developer
	v := ts.signedIn(t, dev.ID)
	draft := url.Values{"company_name": {"Aoi Labs K.K."}, "address": {"1-1 Shibuya, Tokyo"}, "developer_is_service_company": {"on"}, "company_country_warranty": {"on"}}

	// A MINI App under a new provider, created with it.
	before := registrationRows(t, raw)
	set := url.Values{"kind": {"mini_app"}, "name": {"Aoi Shop"}, "line_channel_id": {" 2100000001 "}, "region": {"JP"},
		"provider_id": {"new"}, "new_provider": {"Aoi Labs"}}
	for k, vs := range draft {
		set[k] = vs
	}
	done := v.submit(ts.registerChannelForm(t, v), "#channel-register-form", set, "", "")
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register a MINI App answered %d: %.400s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	if after := registrationRows(t, raw); after == before {
		t.Fatal("nothing was stored")
	}
	shown := v.follow(done)
	if shown.res.StatusCode != http.StatusOK || shown.doc.Find("#channel-name").Text() != "Aoi Shop" {
		t.Fatalf("after registering: %d %q", shown.res.StatusCode, shown.doc.Find("#channel-name").Text())
	}
	if flash := shown.doc.Find("#flash").Text(); !strings.Contains(flash, "not verified yet") || !strings.Contains(flash, "You are its Admin") {
		t.Errorf("flash: %q", flash)
	}
	if !strings.Contains(shown.doc.Find(".page-head").Text(), "Not verified") || !strings.Contains(shown.doc.Find(".page-head").Text(), "Your role: Admin") {
		t.Errorf("header: %q", shown.doc.Find(".page-head").Text())
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(done.location(t), ts.URL+"/channels/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := ts.db.FindChannelByID(t.Context(), id)
	// The warranty makes the service region the company or owner's country
	// or region, published at once (LINE copies it to every internal
	// channel); the rest waits for the MINI App review.
	wantDraft := portal.MiniAppInfo{ServiceCompany: portal.BusinessInfo{CompanyName: "Aoi Labs K.K.", Address: "1-1 Shibuya, Tokyo"}, DeveloperIsServiceCompany: true,
		CompanyCountry: portal.RegionJapan}
	if err != nil || ch.Kind != portal.KindMiniApp || ch.LINEChannelID != "2100000001" || ch.Provider.Name != "Aoi Labs" ||
		ch.Verified || ch.Draft != wantDraft || ch.Published != (portal.MiniAppInfo{CompanyCountry: portal.RegionJapan}) || ch.Region != portal.RegionJapan {
		t.Fatalf("stored: %+v, %v", ch, err)
	}
	if kind, role := ts.listedRole(t, v, "Aoi Shop", dev.ID); kind != "LINE MINI App" || role != "admin" {
		t.Errorf("listed as %q with role %q", kind, role)
	}

	// A LINE Login channel under that provider, now one the developer
	// works in; the draft typed for it is ignored, as the form says.
	form := ts.registerChannelForm(t, v)
	own := form.doc.Find(`#provider_id option`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "Aoi Labs" }).AttrOr("value", "")
	if own != strconv.FormatInt(ch.Provider.ID, 10) {
		t.Fatalf("the form does not offer the new provider: %q", own)
	}
	// Typed with a Japanese input method, full-width: the same channel ID,
	// which the browser's own check of the field lets through.
	pattern := form.doc.Find("#line_channel_id").AttrOr("pattern", "")
	if re, err := regexp.Compile("^(?:" + pattern + ")$"); err != nil || !re.MatchString("２１０００００００２") || !re.MatchString("2100000002") || re.MatchString("210000000") {
		t.Errorf("the channel ID field's pattern %q refuses a full-width ID, or takes 9 digits (%v)", pattern, err)
	}
	set = url.Values{"kind": {"login"}, "name": {"Aoi Login"}, "line_channel_id": {"２１０００００００２"}, "region": {"TW"}, "provider_id": {own}}
	for k, vs := range draft {
		set[k] = vs
	}
	if done := v.submit(form, "#channel-register-form", set, "", ""); done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register a LINE Login channel answered %d: %.400s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	if kind, role := ts.listedRole(t, v, "Aoi Login", dev.ID); kind != "LINE Login" || role != "admin" {
		t.Errorf("listed as %q with role %q", kind, role)
	}
	login := ts.channelID(t, "Aoi Login")
	if ch, _ := ts.db.FindChannelByID(t.Context(), login); ch.Provider.Name != "Aoi Labs" || ch.Draft != (portal.MiniAppInfo{}) || ch.Region != portal.RegionTaiwan || ch.LINEChannelID != "2100000002" {
		t.Errorf("stored: %+v", ch)
	}

	// A Messaging API channel under the demo provider the developer works in.
	demoProvider, _ := ts.db.FindChannelByID(t.Context(), ts.channelID(t, "Sakura Order"))
	set = url.Values{"kind": {"messaging_api"}, "name": {"Aoi Bot"}, "line_channel_id": {"2100000003"}, "region": {"TH"},
		"provider_id": {strconv.FormatInt(demoProvider.Provider.ID, 10)}}
	if done := v.submit(ts.registerChannelForm(t, v), "#channel-register-form", set, "", ""); done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register a Messaging API channel answered %d: %.400s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	if kind, role := ts.listedRole(t, v, "Aoi Bot", dev.ID); kind != "Messaging API" || role != "admin" {
		t.Errorf("listed as %q with role %q", kind, role)
	}
	// Module channels are not offered: they have their own registration.
	if form := ts.registerChannelForm(t, v); form.doc.Find(`input[name=kind][value=module]`).Length() != 0 ||
		form.doc.Find(`#register-module-instead`).AttrOr("href", "") != "/modules/new" {
		t.Error("the form offers module channels or does not point to their registration")
	}
}

func TestChannelRegister_RefusalsKeepInputAndStoreNothing(t *testing.T) {
	ts := newTestServer(t)
	raw := rawDB(t)
	ctx := t.Context()
	theirs := ts.strangersProvider(t)
	taken, _ := ts.db.FindChannelByID(ctx, ts.channelID(t, "Sakura Order"))
	v := ts.signedIn(t, ts.demo.Developer.ID)
	good := func() url.Values {
		return url.Values{"kind": {"mini_app"}, "name": {"Kept Name"}, "line_channel_id": {"2100000011"}, "region": {"TW"},
			"provider_id": {"new"}, "new_provider": {"Kept Provider"}, "company_name": {"Kept Co."}, "address": {"Kept Street"},
			"company_country_warranty": {"on"}}
	}
	cases := []struct {
		name   string
		change func(url.Values)
		status int
		field  string
		says   string
	}{
		{"bad channel ID", func(f url.Values) { f.Set("line_channel_id", "21000x") }, 422, "line_channel_id", "10 digits"},
		{"duplicate channel ID", func(f url.Values) { f.Set("line_channel_id", taken.LINEChannelID) }, 422, "line_channel_id", "already registered"},
		{"someone else's provider", func(f url.Values) { f.Set("provider_id", strconv.FormatInt(theirs.ID, 10)) }, 403, "provider_id", "only under a provider you work in"},
		{"no provider name", func(f url.Values) { f.Set("new_provider", " ") }, 422, "new_provider", "provider's name"},
		{"a module channel", func(f url.Values) { f.Set("kind", "module") }, 422, "kind", "Register a module channel"},
		{"no country warranty", func(f url.Values) { f.Del("company_country_warranty") }, 422, "company_country",
			"Confirm that the service company's country or region is the region where the LINE MINI App is provided"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := good()
			c.change(form)
			before := registrationRows(t, raw)
			p := v.submit(ts.registerChannelForm(t, v), "#channel-register-form", form, "", "")
			if p.res.StatusCode != c.status {
				t.Fatalf("answered %d, want %d: %.400s", p.res.StatusCode, c.status, p.doc.Find("main").Text())
			}
			if msg := p.doc.Find("#" + c.field + "-error").Text(); !strings.Contains(msg, c.says) {
				t.Errorf("#%s-error = %q, want it to say %q", c.field, msg, c.says)
			}
			if after := registrationRows(t, raw); after != before {
				t.Errorf("a refused registration stored something: %s → %s", before, after)
			}
			for _, field := range []string{"name", "line_channel_id", "new_provider", "company_name", "address"} {
				// What people type comes back trimmed, as the portal reads it.
				if got := p.doc.Find("#"+field).AttrOr("value", "?"); got != strings.TrimSpace(form.Get(field)) {
					t.Errorf("%s: the page shows %q, the person typed %q", field, got, form.Get(field))
				}
			}
			if got := p.doc.Find(`#region option[selected]`).AttrOr("value", ""); got != "TW" {
				t.Errorf("region: %q", got)
			}
			// Someone else's provider is not one to offer, or to name.
			if got := p.doc.Find(`#provider_id option[selected]`).AttrOr("value", ""); form.Get("provider_id") == "new" && got != "new" {
				t.Errorf("provider: %q, chosen %q", got, form.Get("provider_id"))
			}
			if strings.Contains(p.body, theirs.Name) {
				t.Error("the page names someone else's provider")
			}
			if got := p.doc.Find(`input[name=kind][checked]`).AttrOr("value", ""); form.Get("kind") != "module" && got != form.Get("kind") {
				t.Errorf("kind: %q", got)
			}
		})
	}

	// Several fields wrong are each told at once, next to their field,
	// rather than one per attempt.
	t.Run("several fields wrong", func(t *testing.T) {
		form := good()
		form.Set("name", " ")
		form.Set("line_channel_id", "21000x")
		form.Set("new_provider", "")
		form.Set("address", strings.Repeat("丁", portal.MaxAddress+1))
		before := registrationRows(t, raw)
		p := v.submit(ts.registerChannelForm(t, v), "#channel-register-form", form, "", "")
		if p.res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("answered %d: %.400s", p.res.StatusCode, p.doc.Find("main").Text())
		}
		for field, says := range map[string]string{"name": "channel's name", "line_channel_id": "10 digits", "new_provider": "provider's name", "address": "address"} {
			if msg := p.doc.Find("#" + field + "-error").Text(); !strings.Contains(msg, says) {
				t.Errorf("#%s-error = %q, want it to say %q", field, msg, says)
			}
		}
		if n := p.doc.Find(".field-error").Length(); n != 4 {
			t.Errorf("%d field errors shown, want 4: %q", n, p.doc.Find(".field-error").Text())
		}
		if p.doc.Find(".alert").Length() != 0 {
			t.Errorf("an alert above the form repeats a field's refusal: %q", p.doc.Find(".alert").Text())
		}
		if after := registrationRows(t, raw); after != before {
			t.Errorf("a refused registration stored something: %s → %s", before, after)
		}
	})
}

func TestChannelMembers_GrantThenSignInAsMember(t *testing.T) {
	ts := newTestServer(t)
	raw := rawDB(t)
	order := ts.channelID(t, "Sakura Order")
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	nao, err := ts.sim.AddUser(linesim.User{ID: "U4af4980629f1c0b1d6d2e1c7b0e3f5a2", Name: "Nao Kimura"})
	if err != nil {
		t.Fatal(err)
	}

	// The Members tab lists the roles the store holds.
	tab := dev.get(ts.URL + views.ChannelPath(order) + "/members")
	if tab.res.StatusCode != http.StatusOK || tab.doc.Find("#tab-members[aria-current=page]").Length() != 1 {
		t.Fatalf("Members tab: %d", tab.res.StatusCode)
	}
	roles, err := ts.db.FindChannelRoles(t.Context(), order)
	if err != nil || len(roles) == 0 {
		t.Fatalf("roles: %v, %v", roles, err)
	}
	if rows := tab.doc.Find("#member-list tr.member"); rows.Length() != len(roles) {
		t.Errorf("the tab lists %d people, the channel has %d roles", rows.Length(), len(roles))
	}
	me := tab.doc.Find(`#member-list tr[data-line-user-id="` + ts.demo.Developer.ID + `"]`)
	if me.AttrOr("data-role", "") != "admin" || me.Find(".member-name").Text() != ts.demo.Developer.Name || !strings.Contains(me.Text(), "Admin") {
		t.Errorf("the developer's row: %q", me.Text())
	}

	// Before the grant, Nao may not see the channel.
	outsider := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	if p := outsider.get(ts.URL + views.ChannelPath(order) + "/members"); p.res.StatusCode != http.StatusForbidden {
		t.Errorf("someone without a role opened the Members tab: %d", p.res.StatusCode)
	}
	before := dbtest.Tables(t, raw, "admins", "channel_roles")
	if p := outsider.post(ts.URL+views.ChannelPath(order)+"/members", url.Values{"line_user_id": {nao.ID}, "role": {"admin"}}); p.res.StatusCode != http.StatusForbidden {
		t.Errorf("someone without a role gave a role: %d", p.res.StatusCode)
	}
	if dbtest.Tables(t, raw, "admins", "channel_roles") != before {
		t.Error("a refused grant changed the database")
	}

	// The Admin gives Nao, who has never signed in, the role Member.
	done := dev.submit(tab, "#grant-role-form", url.Values{"line_user_id": {" " + nao.ID + " "}, "role": {"member"}}, "", "")
	if done.res.StatusCode != http.StatusSeeOther || done.location(t) != ts.URL+views.ChannelPath(order)+"/members" {
		t.Fatalf("grant answered %d: %.400s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	tab = dev.follow(done)
	if flash := tab.doc.Find("#flash").Text(); !strings.Contains(flash, nao.ID+" (not signed in yet) is now a Member") {
		t.Errorf("flash: %q", flash)
	}
	row := tab.doc.Find(`#member-list tr[data-line-user-id="` + nao.ID + `"]`)
	if row.AttrOr("data-role", "") != "member" || row.Find(".member-name").Text() != nao.ID || !strings.Contains(row.Text(), "Not signed in yet") {
		t.Errorf("Nao's row before sign-in: %q", row.Text())
	}

	// Nao signs in: the channel is in their list, with the role Member.
	v := ts.signedIn(t, nao.ID)
	if kind, role := ts.listedRole(t, v, "Sakura Order", nao.ID); kind != "LINE MINI App" || role != "member" {
		t.Errorf("Nao's list: %q, role %q", kind, role)
	}
	shown := v.get(ts.URL + views.ChannelPath(order))
	if shown.res.StatusCode != http.StatusOK || !strings.Contains(shown.doc.Find(".page-head").Text(), "Your role: Member") {
		t.Fatalf("Nao opens the channel: %d %q", shown.res.StatusCode, shown.doc.Find(".page-head").Text())
	}
	if shown.doc.Find("#send-link-request").Length() != 0 || !strings.Contains(shown.doc.Find("#cannot-send").Text(), "Only an Admin") {
		t.Errorf("a Member is offered the link request form: %q", shown.doc.Find("#link-request").Text())
	}
	before = dbtest.Tables(t, raw, "link_requests", "admins", "channel_roles", "audit_log")
	if p := v.post(ts.URL+views.ChannelPath(order)+"/link-requests", url.Values{"org_id": {"BM00000000001"}}); p.res.StatusCode != http.StatusForbidden {
		t.Errorf("a Member sent a link request: %d", p.res.StatusCode)
	}
	// A Member sees the roles but may not give any.
	members := v.get(ts.URL + views.ChannelPath(order) + "/members")
	if members.doc.Find("#grant-role-form").Length() != 0 || !strings.Contains(members.doc.Find("#cannot-grant").Text(), "Only an Admin of this channel can change its roles.") {
		t.Errorf("a Member's Members tab: %q", members.doc.Find("#grant-role").Text())
	}
	if row := members.doc.Find(`#member-list tr[data-line-user-id="` + nao.ID + `"]`); row.Find(".member-name").Text() != "Nao Kimura" {
		t.Errorf("after sign-in Nao is shown as %q", row.Find(".member-name").Text())
	}
	refused := v.post(ts.URL+views.ChannelPath(order)+"/members", url.Values{"line_user_id": {nao.ID}, "role": {"admin"}})
	if refused.res.StatusCode != http.StatusForbidden || !strings.Contains(refused.doc.Find("#grant-role .alert-error").Text(), "Only an Admin of this channel can change its roles.") {
		t.Errorf("a Member gave a role: %d %q", refused.res.StatusCode, refused.doc.Find("#grant-role").Text())
	}
	if after := dbtest.Tables(t, raw, "link_requests", "admins", "channel_roles", "audit_log"); after != before {
		t.Error("a Member's refused requests changed the database")
	}
	if access, _ := ts.db.FindChannelAccess(t.Context(), portal.Admin{ID: mustAdminID(t, ts, nao.ID)}, order); access.Role != portal.RoleMember {
		t.Errorf("Nao's role: %s", access.Role)
	}
}

func TestChannelMembers_RefusalsKeepInput(t *testing.T) {
	ts := newTestServer(t)
	raw := rawDB(t)
	order := ts.channelID(t, "Sakura Order")
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	tab := dev.get(ts.URL + views.ChannelPath(order) + "/members")
	cases := []struct {
		name, id, role string
		status         int
		field, says    string
	}{
		{"a display name, not an ID", "Nao Kimura", "admin", 422, "line_user_id", "U followed by 32 hexadecimal digits"},
		{"too short", "U4af4980629f1c0b1d6d2e1c7b0e3f5a", "member", 422, "line_user_id", "U followed by 32 hexadecimal digits"},
		{"no such role", "U4af4980629f1c0b1d6d2e1c7b0e3f5a2", "owner", 422, "role", "Admin or Member"},
		{"the only Admin steps down", ts.demo.Developer.ID, "member", 422, "role", "only Admin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := dbtest.Tables(t, raw, "admins", "channel_roles", "audit_log")
			p := dev.submit(tab, "#grant-role-form", url.Values{"line_user_id": {c.id}, "role": {c.role}}, "", "")
			if p.res.StatusCode != c.status {
				t.Fatalf("answered %d, want %d: %.300s", p.res.StatusCode, c.status, p.doc.Find("#grant-role").Text())
			}
			if msg := p.doc.Find("#" + c.field + "-error").Text(); !strings.Contains(msg, c.says) {
				t.Errorf("#%s-error = %q, want it to say %q", c.field, msg, c.says)
			}
			if got := p.doc.Find("#line_user_id").AttrOr("value", ""); got != c.id {
				t.Errorf("the ID typed was lost: %q", got)
			}
			if c.role == "admin" && p.doc.Find(`#role option[selected]`).AttrOr("value", "") != "admin" {
				t.Error("the role chosen was lost")
			}
			if after := dbtest.Tables(t, raw, "admins", "channel_roles", "audit_log"); after != before {
				t.Error("a refused grant changed the database")
			}
		})
	}
}

func mustAdminID(t *testing.T, ts *testServer, lineUserID string) int64 {
	t.Helper()
	a, err := ts.db.EnsureAdmin(t.Context(), lineUserID, "")
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// A MINI App that never passed a review is submitted for its first review,
// not a re-review.
func TestFirstMiniAppReviewIsNotCalledAReReview(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	for name, want := range map[string]string{"Sakura Beta": "Submit the draft for MINI App review", "Sakura Points": "Submit the draft for MINI App re-review"} {
		id := ts.channelID(t, name)
		page := views.ChannelPath(id) + "/business-info"
		saved := dev.post(ts.URL+page, url.Values{"company_name": {"Sakura Foods K.K."}, "address": {"1-2-3 Marunouchi, Chiyoda-ku, Tokyo"}, "developer_is_service_company": {"on"},
			"company_country": {"JP"}})
		tab := dev.follow(saved)
		if got := strings.TrimSpace(tab.doc.Find("#submit-review").Text()); got != want {
			t.Errorf("%s: the button says %q, want %q", name, got, want)
		}
		again := strings.Contains(want, "re-review")
		if got := tab.doc.Find("#flash").Text(); strings.Contains(got, "re-review") != again {
			t.Errorf("%s: after saving the draft: %q", name, got)
		}
	}
}
