package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/portal"
	"lineportal/views"
)

// An invitation is addressed to whoever opens its URL, so Home lists the
// invitations its browser opened, signed in, and that its person may still
// answer: until they accept it, or it is revoked. Nobody else sees it.
func TestHome_InvitationsYouOpened(t *testing.T) {
	ts := newTestServer(t)
	team := portal.Team{ChannelID: ts.channelID(t, "Sakura Order")}
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ken := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	mika := ts.signedIn(t, ts.demo.Operator.ID)
	waiting := func(v *visitor) []string {
		t.Helper()
		home := v.get(ts.URL + "/")
		var items []string
		home.doc.Find("#waiting-invitations li").Each(func(_ int, li *goquery.Selection) {
			items = append(items, strings.Join(strings.Fields(li.Text()), " ")+" → "+li.Find("a").AttrOr("href", ""))
		})
		return items
	}

	first := ts.invite(t, dev, team, "member")
	if got := waiting(ken); len(got) != 0 {
		t.Errorf("Home lists an invitation Ken never opened: %q", got)
	}
	if p := ken.get(first); p.res.StatusCode != http.StatusOK {
		t.Fatalf("opening the invitation: %d", p.res.StatusCode)
	}
	path := strings.TrimPrefix(first, ts.URL)
	got := waiting(ken)
	if len(got) != 1 || !strings.HasPrefix(got[0], "Aoi Tanaka invited you to be Member of channel Sakura Order.") || !strings.HasSuffix(got[0], " → "+path) {
		t.Fatalf("Ken's Home after opening the invitation: %q", got)
	}
	if ken.get(ts.URL+"/").doc.Find("#nothing-waiting").Length() != 0 {
		t.Error("Home says nothing waits")
	}
	if got := waiting(mika); len(got) != 0 {
		t.Errorf("Mika's Home lists Ken's invitation: %q", got)
	}

	// Answered: no longer listed.
	shown := ken.get(first)
	if accepted := ken.submit(shown, `form[action$="/accept"]`, nil, "", ""); accepted.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", accepted.res.StatusCode)
	}
	if got := waiting(ken); len(got) != 0 {
		t.Errorf("Home lists an accepted invitation: %q", got)
	}

	// Revoked after Mika opened it: no longer listed.
	second := ts.invite(t, dev, team, "member")
	mika.get(second)
	if got := waiting(mika); len(got) != 1 {
		t.Fatalf("Mika's Home after opening: %q", got)
	}
	people := dev.get(ts.URL + views.PeoplePath(team))
	if done := dev.submit(people, `#pending-invitations form`, nil, "", ""); done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", done.res.StatusCode)
	}
	if got := waiting(mika); len(got) != 0 {
		t.Errorf("Home lists a revoked invitation: %q", got)
	}
}
