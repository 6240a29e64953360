package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"lineportal/internal/dbtest"
	"lineportal/internal/demo"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// invite creates an invitation on the team's People page as v and returns
// the URL the page shows.
func (ts *testServer) invite(t *testing.T, v *visitor, team portal.Team, role string) string {
	t.Helper()
	people := v.get(ts.URL + views.PeoplePath(team))
	if people.res.StatusCode != http.StatusOK {
		t.Fatalf("People page: %d", people.res.StatusCode)
	}
	created := v.submit(people, "#invite-form", url.Values{"role": {role}, "note": {"Welcome aboard"}}, "", "")
	if created.res.StatusCode != http.StatusSeeOther || created.location(t) != ts.URL+views.PeoplePath(team) {
		t.Fatalf("creating an invitation answered %d: %.300s", created.res.StatusCode, created.doc.Find("main").Text())
	}
	done := v.follow(created)
	u := done.doc.Find("#invitation-url").AttrOr("value", "")
	if !strings.HasPrefix(u, ts.URL+"/invitations/") || done.doc.Find("#issued-invitation svg.qr").Length() != 1 {
		t.Fatalf("issued invitation: url %q, QR codes %d", u, done.doc.Find("#issued-invitation svg.qr").Length())
	}
	return u
}

func TestInvitation_NewPersonJoinsThroughSignIn(t *testing.T) {
	ts := newTestServer(t)
	raw := rawDB(t)
	order := ts.channelID(t, "Sakura Order")
	team := portal.Team{ChannelID: order}
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	nao, err := ts.sim.AddUser(linesim.User{ID: "U4af4980629f1c0b1d6d2e1c7b0e3f5a2", Name: "Nao Kimura"})
	if err != nil {
		t.Fatal(err)
	}
	link := ts.invite(t, dev, team, "member")
	// The URL was shown once: reloading the page shows it no more.
	if again := dev.get(ts.URL + views.PeoplePath(team)); again.doc.Find("#invitation-url").Length() != 0 || strings.Contains(again.doc.Text(), link) {
		t.Error("reloading the People page shows the invitation URL again")
	}

	// Opened signed out, the URL says who invites to what, and offers the
	// sign-in that comes back to it; nothing can be answered yet.
	v := newVisitor(t)
	path := strings.TrimPrefix(link, ts.URL)
	before := dbtest.Tables(t, raw, "channel_roles", "invitations", "audit_log")
	first := v.get(link)
	if first.res.StatusCode != http.StatusOK || first.doc.Find("#invitation-summary").Text() != "Aoi Tanaka invited you to be Member of channel Sakura Order." ||
		first.doc.Find("#invitation-sign-in").Text() != "Sign in with LINE to accept or decline this invitation." {
		t.Fatalf("signed out: %d %q", first.res.StatusCode, first.doc.Find("#invitation").Text())
	}
	for _, signIn := range []string{"#sign-in-to-answer", "header a.btn-primary"} {
		if href := first.doc.Find(signIn).AttrOr("href", ""); href != "/login?next="+url.QueryEscape(path) {
			t.Errorf("signed out, the sign-in %s leads to %q", signIn, href)
		}
	}
	if n := first.doc.Find(`#invitation form`).Length(); n != 0 {
		t.Errorf("signed out, the invitation offers %d forms", n)
	}
	if strings.Contains(first.doc.Text(), "Welcome aboard") {
		t.Error("signed out, the invitation shows its note, which a link preview would keep")
	}
	if p := v.post(link+"/accept", nil); p.res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.res.Header.Get("Location"), "/login") {
		t.Errorf("accepting signed out: %d → %q", p.res.StatusCode, p.res.Header.Get("Location"))
	}
	if dbtest.Tables(t, raw, "channel_roles", "invitations", "audit_log") != before {
		t.Error("opening the invitation signed out changed the database")
	}
	done, _ := ts.signIn(v, path, nao.ID, false)
	if done.location(t) != link {
		t.Fatalf("sign-in came back to %q, want the invitation", done.location(t))
	}
	shown := v.follow(done)
	summary := shown.doc.Find("#invitation-summary").Text()
	if shown.res.StatusCode != http.StatusOK || summary != "Aoi Tanaka invited you to be Member of channel Sakura Order." {
		t.Fatalf("invitation page: %d %q", shown.res.StatusCode, summary)
	}
	if !strings.Contains(shown.doc.Find(".note").Text(), "Welcome aboard") {
		t.Errorf("the note is missing: %q", shown.doc.Find("#invitation").Text())
	}
	accepted := v.submit(shown, `form[action$="/accept"]`, nil, "", "")
	if accepted.res.StatusCode != http.StatusSeeOther || accepted.location(t) != ts.URL+views.ChannelPath(order) {
		t.Fatalf("accept: %d → %q", accepted.res.StatusCode, accepted.res.Header.Get("Location"))
	}
	if p := v.follow(accepted); p.res.StatusCode != http.StatusOK || !strings.Contains(p.doc.Find(".page-head").Text(), "Your role: Member") {
		t.Fatalf("the channel after accepting: %d %q", p.res.StatusCode, p.doc.Find(".page-head").Text())
	}

	// The URL works once: opening or accepting it again says so, and
	// changes nothing.
	before = dbtest.Tables(t, raw, "channel_roles", "invitations", "audit_log")
	again := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	if p := again.get(link); p.res.StatusCode != http.StatusGone || !strings.Contains(p.doc.Find(".error-message").Text(), "already been used") {
		t.Errorf("a used invitation: %d %q", p.res.StatusCode, p.doc.Find(".error-message").Text())
	}
	if p := again.post(link+"/accept", nil); p.res.StatusCode != http.StatusGone {
		t.Errorf("accepting a used invitation: %d", p.res.StatusCode)
	}
	if dbtest.Tables(t, raw, "channel_roles", "invitations", "audit_log") != before {
		t.Error("a used invitation changed the database")
	}
}

func TestInvitation_RevokedExpiredAndAlreadyHeld(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	team := portal.Team{ChannelID: order}
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ken := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)

	revoked := ts.invite(t, dev, team, "member")
	people := dev.get(ts.URL + views.PeoplePath(team))
	if n := people.doc.Find("tr.pending-invitation").Length(); n != 1 {
		t.Fatalf("%d pending invitations listed, want 1", n)
	}
	done := dev.submit(people, `#pending-invitations form`, nil, "", "")
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", done.res.StatusCode)
	}
	if p := dev.follow(done); p.doc.Find("tr.pending-invitation").Length() != 0 || !strings.Contains(p.doc.Find("#flash").Text(), "Invitation revoked") {
		t.Errorf("after revoking: %q", p.doc.Find("#flash").Text())
	}
	if p := ken.get(revoked); p.res.StatusCode != http.StatusGone || !strings.Contains(p.doc.Find(".error-message").Text(), "was revoked") {
		t.Errorf("a revoked invitation: %d %q", p.res.StatusCode, p.doc.Find(".error-message").Text())
	}
	// Signed out, a newcomer learns it at once, before signing in for nothing.
	if p := newVisitor(t).get(revoked); p.res.StatusCode != http.StatusGone || !strings.Contains(p.doc.Find(".error-message").Text(), "was revoked") {
		t.Errorf("a revoked invitation, signed out: %d %q", p.res.StatusCode, p.doc.Find(".error-message").Text())
	}
	if p := newVisitor(t).get(ts.URL + "/invitations/NOSUCHTOKEN234567ABCDEFGHIJ"); p.res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown invitation, signed out: %d", p.res.StatusCode)
	}

	// An invitation its opener does not need (they are in the team) leads
	// on to the team, saying why, rather than to an error page advising to
	// reload or to ask for a new URL.
	notNeeded := func(who *visitor, url, to, says string) {
		t.Helper()
		p := who.get(url)
		if p.res.StatusCode != http.StatusSeeOther || p.location(t) != ts.URL+to {
			t.Errorf("%s: %d → %q, want %s", says, p.res.StatusCode, p.res.Header.Get("Location"), to)
			return
		}
		if flash := who.follow(p).doc.Find("#flash").Text(); !strings.Contains(flash, says) {
			t.Errorf("flash %q, want %q", flash, says)
		}
	}
	held := ts.invite(t, dev, team, "member")
	notNeeded(dev, held, views.PeoplePath(team), "This is your own invitation to channel Sakura Order: send its URL")
	// Someone who holds the role already leaves it unused; opening the
	// one they accepted again says they did.
	joined := ts.invite(t, dev, team, "member")
	ken.follow(ken.submit(ken.get(joined), `form[action$="/accept"]`, nil, "", ""))
	notNeeded(ken, held, views.TeamPath(team), "You already have this role: you are a Member of channel Sakura Order.")
	notNeeded(ken, joined, views.TeamPath(team), "You have already accepted this invitation to channel Sakura Order.")

	ts.clock.advance(7 * 24 * time.Hour)
	ken = ts.signedIn(t, ts.demo.OrganizationAdministrator.ID) // the earlier session ended meanwhile
	if p := ken.get(held); p.res.StatusCode != http.StatusGone || !strings.Contains(p.doc.Find(".error-message").Text(), "has expired") {
		t.Errorf("an expired invitation: %d %q", p.res.StatusCode, p.doc.Find(".error-message").Text())
	} else if advice := p.doc.Find("#error-page").Text(); strings.Contains(advice, "Ask the person who sent it to send a new one") {
		t.Errorf("the expired invitation's page adds the general advice to its own: %q", advice)
	}
	// The People page lists only invitations that still work: not the
	// expired one, which no one can answer or needs to revoke.
	dev = ts.signedIn(t, ts.demo.Developer.ID)
	ts.invite(t, dev, team, "admin")
	if n := dev.get(ts.URL + views.PeoplePath(team)).doc.Find("tr.pending-invitation").Length(); n != 1 {
		t.Errorf("%d pending invitations listed, want only the one that still works", n)
	}
}

func TestInvitation_MemberCannotInviteOrRemove(t *testing.T) {
	ts := newTestServer(t)
	raw := rawDB(t)
	order := ts.channelID(t, "Sakura Order")
	team := portal.Team{ChannelID: order}
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ken := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	if p := ken.get(ts.URL + views.PeoplePath(team)); p.res.StatusCode != http.StatusForbidden || strings.Contains(p.body, "Sakura Order") {
		t.Errorf("someone outside the channel opened its People page, or learnt its name: %d %q", p.res.StatusCode, p.doc.Find("main").Text())
	}
	ken.follow(ken.submit(ken.get(ts.invite(t, dev, team, "member")), `form[action$="/accept"]`, nil, "", ""))

	people := ken.get(ts.URL + views.PeoplePath(team))
	if people.res.StatusCode != http.StatusOK || people.doc.Find("#invite-form").Length() != 0 {
		t.Fatalf("a Member's People page: %d, invite forms %d", people.res.StatusCode, people.doc.Find("#invite-form").Length())
	}
	before := dbtest.Tables(t, raw, "channel_roles", "invitations", "audit_log")
	if p := ken.post(ts.URL+views.PeoplePath(team)+"/invitations", url.Values{"role": {"admin"}}); p.res.StatusCode != http.StatusForbidden ||
		!strings.Contains(p.doc.Find(".alert-error").Text(), "Admin") {
		t.Errorf("a Member created an invitation, or was not told why not: %d %q", p.res.StatusCode, p.doc.Find(".alert-error").Text())
	}
	devID := mustAdminID(t, ts, ts.demo.Developer.ID)
	if p := ken.post(ts.URL+views.PeoplePath(team)+"/"+itoa(devID)+"/remove", nil); p.res.StatusCode != http.StatusForbidden {
		t.Errorf("a Member removed an Admin: %d", p.res.StatusCode)
	}
	if dbtest.Tables(t, raw, "channel_roles", "invitations", "audit_log") != before {
		t.Error("a Member's refused requests changed the database")
	}

	// The only Admin can't leave, and is told so instead of being offered
	// to; the Member can, after a confirmation.
	leave := `a[href$="/` + itoa(devID) + `/remove"]`
	if p := dev.get(ts.URL + views.PeoplePath(team)); p.doc.Find(leave).Length() != 0 || !strings.Contains(p.doc.Find("#cannot-leave").Text(), "only Admin") {
		t.Errorf("the only Admin's People page: a Leave link %d, says %q", p.doc.Find(leave).Length(), p.doc.Find("#cannot-leave").Text())
	}
	if p := dev.post(ts.URL+views.PeoplePath(team)+"/"+itoa(devID)+"/remove", nil); p.res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(p.doc.Find(".alert-error").Text(), "only Admin") {
		t.Errorf("the only Admin left: %d %q", p.res.StatusCode, p.doc.Find(".alert-error").Text())
	}
	kenID := mustAdminID(t, ts, ts.demo.OrganizationAdministrator.ID)
	if p := ken.get(ts.URL + views.PeoplePath(team)); p.doc.Find(`a[href$="/`+itoa(kenID)+`/remove"]`).Length() != 1 || p.doc.Find("#cannot-leave").Length() != 0 {
		t.Errorf("the Member's People page offers no Leave")
	}
	confirm := ken.get(ts.URL + views.PeoplePath(team) + "/" + itoa(kenID) + "/remove")
	if !strings.Contains(confirm.doc.Find("#remove-confirm").Text(), "You will no longer be Member of channel Sakura Order") {
		t.Fatalf("leave confirmation: %d %q", confirm.res.StatusCode, confirm.doc.Find("#remove-confirm").Text())
	}
	if left := ken.submit(confirm, "#remove-confirm form", nil, "", ""); left.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("leaving: %d", left.res.StatusCode)
	}
	if a, _ := ts.db.FindChannelAccess(t.Context(), portal.Admin{ID: kenID}, order); a.Role != portal.RoleNone {
		t.Errorf("role after leaving: %q", a.Role)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// peopleCatalogue is the route catalogue's fixtures of the People pages
// and invitation URLs: dev is an Admin of the channel and the Official
// Account, boss an administrator of the organization; op and both hold
// no role on the channel.
func peopleCatalogue(t *testing.T, ts *testServer, dev, boss, op, both portal.Admin, channel, account, org portal.Team) []routeCase {
	t.Helper()
	ctx := t.Context()
	member, err := ts.db.EnsureAdmin(ctx, "U"+strings.Repeat("d", 32), "Catalogue Member")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(ts.db.SetChannelRole(ctx, dev, channel.ChannelID, member.ID, portal.RoleMember))
	must(ts.db.SetOfficialAccountRole(ctx, dev, account.OfficialAccountID, member.ID, portal.RoleMember))
	must(ts.db.AddOrganizationAdmin(ctx, boss, org.OrgID, member.ID))
	invite := func(by portal.Admin, team portal.Team, role portal.ChannelRole) (string, int64) {
		t.Helper()
		inv, token, err := ts.db.CreateInvitation(ctx, by, team, role, "")
		must(err)
		return token, inv.ID
	}
	accept, _ := invite(dev, channel, portal.RoleMember)
	decline, _ := invite(dev, channel, portal.RoleMember)
	long := url.Values{"role": {string(portal.RoleAdmin)}, "note": {strings.Repeat("x", portal.MaxInvitationNote+1)}}
	noInput := "it sends no input a person types; a refusal is the error page"

	var routes []routeCase
	for _, c := range []struct {
		prefix string
		team   portal.Team
		as     portal.Admin
		role   portal.ChannelRole
	}{
		{"/channels/{id}", channel, dev, portal.RoleMember},
		{"/official-accounts/{id}", account, dev, portal.RoleMember},
		{"/organizations/{org}", org, boss, portal.RoleAdmin},
	} {
		people := views.PeoplePath(c.team)
		_, revoke := invite(c.as, c.team, c.role)
		target := people + "/" + itoa(member.ID)
		routes = append(routes,
			routeCase{Pattern: "GET " + c.prefix + "/people", Path: people, As: c.as.LINEUserID},
			routeCase{Pattern: "POST " + c.prefix + "/people/invitations", Path: people + "/invitations", As: c.as.LINEUserID,
				Form: url.Values{"role": {string(c.role)}, "note": {"Welcome"}}, Refused: long, RefusedCode: portal.EINVALID, Kept: []string{"role"}},
			routeCase{Pattern: "POST " + c.prefix + "/people/invitations/{inv}/revoke", Path: people + "/invitations/" + itoa(revoke) + "/revoke",
				As: c.as.LINEUserID, Form: url.Values{}, NoRefusal: noInput},
			routeCase{Pattern: "GET " + c.prefix + "/people/{admin}/remove", Path: target + "/remove", As: c.as.LINEUserID})
		if c.team.Kind() != "organization" { // before the removal below
			routes = append(routes, routeCase{Pattern: "POST " + c.prefix + "/people/{admin}/role", Path: target + "/role", As: c.as.LINEUserID,
				Form: url.Values{"role": {string(portal.RoleAdmin)}}, Refused: url.Values{"role": {"owner"}}, RefusedCode: portal.EINVALID})
		}
		routes = append(routes, routeCase{Pattern: "POST " + c.prefix + "/people/{admin}/remove", Path: target + "/remove", As: c.as.LINEUserID,
			Form: url.Values{}, NoRefusal: noInput})
	}
	return append(routes,
		routeCase{Pattern: "GET /invitations/{token}", Path: views.InvitationPath(accept), As: op.LINEUserID},
		routeCase{Pattern: "GET /invitations/{token}", Path: views.InvitationPath(accept), Variant: "signed out: sign in to answer"},
		routeCase{Pattern: "POST /invitations/{token}/accept", Path: views.InvitationPath(accept) + "/accept", As: op.LINEUserID, Form: url.Values{}, NoRefusal: noInput},
		routeCase{Pattern: "POST /invitations/{token}/decline", Path: views.InvitationPath(decline) + "/decline", As: both.LINEUserID, Form: url.Values{}, NoRefusal: noInput},
	)
}

// A team's Admin is offered invitations first on its Members tab; adding
// by LINE user ID waits behind a summary (open once its form was refused).
// A Member is only offered the People page.
// Declining asks first, as its URL then stops working; the inviter is
// told of the answer.
func TestInvitation_DeclineAsksFirstAndTellsTheInviter(t *testing.T) {
	ts := newTestServer(t)
	team := portal.Team{ChannelID: ts.channelID(t, "Sakura Order")}
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ken := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	invitation := ken.get(ts.invite(t, dev, team, "member"))

	ask := ken.submit(invitation, `form[action$="/decline"]`, nil, "", "")
	if ask.res.StatusCode != http.StatusOK || !strings.Contains(ask.doc.Find("#decline-confirm").Text(), "Its URL then stops working") {
		t.Fatalf("declining: %d %q", ask.res.StatusCode, ask.doc.Find("main").Text())
	}
	if again := ken.get(invitation.res.Request.URL.String()); again.doc.Find("#accept-invitation").Length() != 1 {
		t.Fatal("the invitation was declined before the confirmation")
	}
	done := ken.submit(ask, "#decline-confirm form", nil, "", "")
	if done.res.StatusCode != http.StatusSeeOther || !strings.Contains(ken.follow(done).doc.Find("#flash").Text(), "Invitation declined") {
		t.Fatalf("confirmed: %d", done.res.StatusCode)
	}
	notices, _, err := ts.db.FindNotices(t.Context(), mustAdminID(t, ts, ts.demo.Developer.ID), store.Page{})
	if err != nil || len(notices) == 0 || notices[0].Kind != portal.NoticeInvitationDeclined {
		t.Fatalf("the inviter's notices: %+v %v", notices, err)
	}
}

// Taking an Admin's role away asks first, naming what it takes: it can be
// undone only by another Admin. Making someone an Admin does not ask.
func TestRoleChange_DemotionAsksFirst(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	team := portal.Team{ChannelID: order}
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ken := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	ken.follow(ken.submit(ken.get(ts.invite(t, dev, team, "member")), `form[action$="/accept"]`, nil, "", ""))
	kenID := mustAdminID(t, ts, ts.demo.OrganizationAdministrator.ID)
	role := func() portal.ChannelRole {
		t.Helper()
		a, err := ts.db.FindChannelAccess(t.Context(), portal.Admin{ID: kenID}, order)
		if err != nil {
			t.Fatal(err)
		}
		return a.Role
	}
	rolePath := ts.URL + views.PeoplePath(team) + "/" + itoa(kenID) + "/role"

	if p := dev.post(rolePath, url.Values{"role": {"admin"}}); p.res.StatusCode != http.StatusSeeOther || role() != portal.RoleAdmin {
		t.Fatalf("making Ken Admin: %d, role %q", p.res.StatusCode, role())
	}
	ask := dev.post(rolePath, url.Values{"role": {"member"}})
	if ask.res.StatusCode != http.StatusOK || !strings.Contains(ask.doc.Find("#role-change-confirm").Text(), "Ken Sato will be Member of channel Sakura Order") {
		t.Fatalf("demoting Ken: %d %q", ask.res.StatusCode, ask.doc.Find("main").Text())
	}
	if role() != portal.RoleAdmin {
		t.Fatal("the role changed before the confirmation")
	}
	if p := dev.submit(ask, "#role-change-confirm form", nil, "", ""); p.res.StatusCode != http.StatusSeeOther || role() != portal.RoleMember {
		t.Fatalf("confirmed: %d, role %q", p.res.StatusCode, role())
	}
	// The team's only Admin is refused at once, not asked.
	devID0 := mustAdminID(t, ts, ts.demo.Developer.ID)
	if only := dev.post(ts.URL+views.PeoplePath(team)+"/"+itoa(devID0)+"/role", url.Values{"role": {"member"}}); only.doc.Find("#role-change-confirm").Length() != 0 ||
		only.res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("the only Admin demoting themself: %d, asked %d", only.res.StatusCode, only.doc.Find("#role-change-confirm").Length())
	}
	// Their own role too, with what only another Admin can undo.
	dev.post(rolePath, url.Values{"role": {"admin"}})
	devID := mustAdminID(t, ts, ts.demo.Developer.ID)
	self := dev.post(ts.URL+views.PeoplePath(team)+"/"+itoa(devID)+"/role", url.Values{"role": {"member"}})
	if !strings.Contains(self.doc.Find("#role-change-confirm").Text(), "Only another Admin can make you Admin again") {
		t.Errorf("demoting oneself: %d %q", self.res.StatusCode, self.doc.Find("main").Text())
	}
}

func TestMembersTabs_InvitationsFirst(t *testing.T) {
	ts := newTestServer(t)
	order := ts.channelID(t, "Sakura Order")
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ken := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	tabs := []struct {
		name     string
		as       *visitor
		path     string
		team     portal.Team
		advanced string // the LINE user ID form's <details>
		invite   string // the invite button: an organization has no roles to change
	}{
		{"channel", dev, views.ChannelPath(order) + "/members", portal.Team{ChannelID: order}, "details#grant-role", "Invite people and change roles"},
		{"organization", ken, views.OrganizationPath(demo.SakuraFoodsID) + "/members", portal.Team{OrgID: demo.SakuraFoodsID}, "details#add-administrator", "Invite administrators"},
	}
	for _, tab := range tabs {
		p := tab.as.get(ts.URL + tab.path)
		invite := p.doc.Find(".people-link a.btn-primary")
		if invite.AttrOr("href", "") != views.PeoplePath(tab.team) || invite.Text() != tab.invite {
			t.Errorf("%s Members tab: invite button %q → %q", tab.name, invite.Text(), invite.AttrOr("href", ""))
		}
		advanced := p.doc.Find(tab.advanced)
		if advanced.Length() != 1 || advanced.Is("[open]") || !strings.Contains(advanced.Find("summary").Text(), "by LINE user ID") {
			t.Errorf("%s Members tab: the LINE user ID form is not tucked away: %d, %q", tab.name, advanced.Length(), advanced.Find("summary").Text())
		}
		refused := tab.as.submit(p, tab.advanced+" form", url.Values{"line_user_id": {"Nao Kimura"}}, "", "")
		if refused.res.StatusCode != http.StatusUnprocessableEntity || !refused.doc.Find(tab.advanced).Is("[open]") {
			t.Errorf("%s Members tab refused: %d, the form is closed", tab.name, refused.res.StatusCode)
		}
	}

	// An administrator of the organization a channel is linked to sees its
	// Members tab, but holds no role on it: no link to a People page they
	// may not open.
	cafe := ts.channelID(t, "Momiji Cafe Order")
	if p := ken.get(ts.URL + views.ChannelPath(cafe) + "/members"); p.res.StatusCode != http.StatusOK || p.doc.Find(".people-link").Length() != 0 {
		t.Errorf("the organization administrator's Members tab: %d, People links %d", p.res.StatusCode, p.doc.Find(".people-link").Length())
	}

	// A Member of the channel: the People page, no invitation offered.
	ken.follow(ken.submit(ken.get(ts.invite(t, dev, portal.Team{ChannelID: order}, "member")), `form[action$="/accept"]`, nil, "", ""))
	p := ken.get(ts.URL + views.ChannelPath(order) + "/members")
	if p.doc.Find(".people-link a.btn-primary").Length() != 0 || p.doc.Find(".people-link a").Text() != "People and invitations" ||
		p.doc.Find("details#grant-role").Length() != 0 || p.doc.Find("#cannot-grant").Length() != 1 {
		t.Errorf("a Member's Members tab: %q", p.doc.Find("main").Text())
	}
}

// An invitation URL waits, shown once, for its own People page: another
// page opened meanwhile (another team's, in another tab) doesn't use it
// up unseen.
func TestInvitation_URLWaitsForItsOwnPage(t *testing.T) {
	ts := newTestServer(t)
	order, points := portal.Team{ChannelID: ts.channelID(t, "Sakura Order")}, portal.Team{ChannelID: ts.channelID(t, "Sakura Points")}
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	created := dev.submit(dev.get(ts.URL+views.PeoplePath(order)), "#invite-form", url.Values{"role": {"member"}}, "", "")
	if created.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("creating an invitation answered %d", created.res.StatusCode)
	}
	if other := dev.get(ts.URL + views.PeoplePath(points)); other.doc.Find("#invitation-url").Length() != 0 {
		t.Fatal("another channel's People page shows the invitation URL")
	}
	shown := dev.follow(created)
	if u := shown.doc.Find("#invitation-url").AttrOr("value", ""); !strings.HasPrefix(u, ts.URL+"/invitations/") {
		t.Fatalf("its own People page, after another: URL %q", u)
	}
	if again := dev.get(ts.URL + views.PeoplePath(order)); again.doc.Find("#invitation-url").Length() != 0 {
		t.Error("the URL is shown a second time")
	}
}
