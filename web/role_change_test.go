package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"lineportal/internal/dbtest"
	"lineportal/internal/portal"
	"lineportal/views"
)

// An Admin of a channel or an Official Account changes the roles people
// hold there; posting a role for someone who holds none (any admin ID of
// the portal) is refused and gives nothing, so they don't appear among the
// team's people.
func TestPeopleRoleChange_RefusesSomeoneWithoutARole(t *testing.T) {
	ts := newTestServer(t)
	raw := rawDB(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	opID := mustAdminID(t, ts, ts.demo.Operator.ID)
	for _, team := range []portal.Team{
		{ChannelID: ts.channelID(t, "Sakura Order")},
		{OfficialAccountID: ts.oaID(t, "@momijicafe")},
	} {
		before := dbtest.Tables(t, raw, "channel_roles", "official_account_roles", "audit_log")
		p := dev.post(ts.URL+views.PeoplePath(team)+"/"+itoa(opID)+"/role", url.Values{"role": {string(portal.RoleMember)}})
		if p.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find(".alert-error").Text(), "This person holds no role here.") {
			t.Errorf("%s: giving a role to someone outside answered %d %q", team.Kind(), p.res.StatusCode, p.doc.Find(".alert-error").Text())
		}
		if dbtest.Tables(t, raw, "channel_roles", "official_account_roles", "audit_log") != before {
			t.Errorf("%s: the refused role change changed the database", team.Kind())
		}
		if people := dev.get(ts.URL + views.PeoplePath(team)); strings.Contains(people.doc.Find("main").Text(), "Mika Operator") {
			t.Errorf("%s: the People page lists the operator", team.Kind())
		}
	}
}

// When the action is committed but its message can't be kept (its
// parameters don't encode), the person is still sent on (303), not shown
// an error that invites them to repeat the action; the failure is logged.
func TestCommittedActionRedirectsWhenItsMessageCannotBeKept(t *testing.T) {
	ts := newTestServer(t)
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/channels/1/people/2/role", nil)
	ts.srv.redirectWithFlash(w, r, "/channels/1/people", "success", "people.role_changed", "Name", func() {})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/channels/1/people" {
		t.Errorf("answered %d to %q", w.Code, w.Header().Get("Location"))
	}
	if !strings.Contains(ts.logs.String(), "saving a flash message") {
		t.Error("the lost message was not logged")
	}
}
