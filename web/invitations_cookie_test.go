package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lineportal/internal/portal"
)

// The browser keeps the tokens of the invitations its person opened in a
// sealed cookie (rememberInvitation). The cookie is the portal's to read:
// one sealed for someone else, changed by a byte, or not the portal's at
// all lists nothing and breaks no Home; and it keeps the five most recent.
func TestHome_OpenedInvitationsCookieHoldsOnlyItsPerson(t *testing.T) {
	ts := newTestServer(t)
	team := portal.Team{ChannelID: ts.channelID(t, "Sakura Order")}
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ken := ts.signedIn(t, ts.demo.OrganizationAdministrator.ID)
	mika := ts.signedIn(t, ts.demo.Operator.ID)
	base, _ := url.Parse(ts.URL)
	listed := func(v *visitor) []string {
		t.Helper()
		home := v.get(ts.URL + "/")
		if home.res.StatusCode != http.StatusOK {
			t.Fatalf("Home: %d", home.res.StatusCode)
		}
		var hrefs []string
		for _, a := range home.doc.Find("#waiting-invitations a").EachIter() {
			hrefs = append(hrefs, a.AttrOr("href", ""))
		}
		return hrefs
	}
	cookie := func(v *visitor) string {
		t.Helper()
		for _, c := range v.client.Jar.Cookies(base) {
			if c.Name == "portal_invitations" {
				return c.Value
			}
		}
		t.Fatal("no portal_invitations cookie")
		return ""
	}
	plant := func(v *visitor, value string) {
		v.client.Jar.SetCookies(base, []*http.Cookie{{Name: "portal_invitations", Value: value, Path: "/"}})
	}

	// Ken opens six invitations: Home lists the five he opened last,
	// the most recent first.
	var paths []string
	for range 6 {
		u := ts.invite(t, dev, team, "member")
		if p := ken.get(u); p.res.StatusCode != http.StatusOK {
			t.Fatalf("opening an invitation: %d", p.res.StatusCode)
		}
		paths = append(paths, strings.TrimPrefix(u, ts.URL))
	}
	want := []string{paths[5], paths[4], paths[3], paths[2], paths[1]}
	if got := listed(ken); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("Ken's Home lists %q, want %q", got, want)
	}
	kens := cookie(ken)

	// The same browser, signed in as Mika: Ken's cookie opens for Ken only,
	// and what Mika opens next does not carry Ken's tokens along.
	plant(mika, kens)
	if got := listed(mika); len(got) != 0 {
		t.Errorf("Ken's cookie lists for Mika: %q", got)
	}
	mine := ts.invite(t, dev, team, "member")
	mika.get(mine)
	if got := listed(mika); len(got) != 1 || got[0] != strings.TrimPrefix(mine, ts.URL) {
		t.Errorf("Mika's Home after opening one invitation with Ken's cookie: %q", got)
	}

	// Changed by one character, or not sealed at all: nothing listed.
	last := kens[len(kens)-1:]
	flipped := "A"
	if last == "A" {
		flipped = "B"
	}
	for name, value := range map[string]string{
		"changed":    kens[:len(kens)-1] + flipped,
		"not base64": "%%%not-sealed%%%",
		"large":      strings.Repeat("A", 3000),
	} {
		plant(ken, value)
		if got := listed(ken); len(got) != 0 {
			t.Errorf("a %s cookie lists %q", name, got)
		}
	}
}
