package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"lineportal/internal/linesim"
)

// Who adds or blocks the portal's Official Account on LINE reaches the
// portal through the account's webhook (handlePortalOAWebhook), between
// sign-ins: the profile follows at once, and says it will.
func TestPortalOAWebhook_FriendFlagFollowsLINE(t *testing.T) {
	ts := newTestServer(t)
	aoi, oa := ts.demo.Developer.ID, ts.demo.OfficialAccount.BotID // Aoi is not a friend of it
	v := ts.signedIn(t, aoi)
	if _, _, friend := ts.profile(v); friend != "false" {
		t.Fatalf("Aoi's friend flag after signing in: %s, want false", friend)
	}
	hint := v.get(ts.URL + "/profile").doc.Find("#add-friend-invitation .hint").Text()
	if !strings.Contains(hint, "as soon as you add") {
		t.Errorf("the add-friend invitation says %q, want that the status changes as soon as one adds the account", hint)
	}
	waitFriend := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, _, friend := ts.profile(v)
			if friend == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("waited 10 s for the profile's friend flag %s; it says %s", want, friend)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := ts.sim.SetFriendship(aoi, oa, linesim.FriendshipFriend); err != nil {
		t.Fatal(err)
	}
	waitFriend("true")
	if err := ts.sim.SetFriendship(aoi, oa, linesim.FriendshipBlocked); err != nil {
		t.Fatal(err)
	}
	waitFriend("false")
	// A block, as LINE calls it, with the add-friend button that unblocks.
	profile := v.get(ts.URL + "/profile").doc
	if profile.Find("#friend-blocked").Text() != "Blocked" || strings.TrimSpace(profile.Find("#add-friend").Text()) != "Add friend (unblock)" {
		t.Errorf("the profile after a block says %q, offers %q", profile.Find("#friend-flag").Text(), strings.TrimSpace(profile.Find("#add-friend").Text()))
	}
}

// The receiver takes only what the account's channel secret signed, as
// the channels' receiver does, and nothing at all when no secret is
// configured; what it refuses changes nothing.
func TestPortalOAWebhook_TakesOnlyWhatLINESigned(t *testing.T) {
	ts := newTestServer(t)
	ken := ts.demo.OrganizationAdministrator.ID // a friend of the account
	ts.signedIn(t, ken)
	w := &webhookTest{testServer: ts, client: &http.Client{}}
	unfollow := fmt.Appendf(nil, `{"destination":%q,"events":[{"type":"unfollow","mode":"active","timestamp":%d,"source":{"type":"user","userId":%q},`+
		`"webhookEventId":"01JEXAMPLEPORTALOA000000000","deliveryContext":{"isRedelivery":false}}]}`,
		ts.demo.OfficialAccount.BotID, ts.clock.now().Add(time.Minute).UnixMilli(), ken)
	secret := ts.srv.cfg.PortalOA.ChannelSecret
	friend := func() bool {
		t.Helper()
		a := ts.admin(t, ken)
		return a.FriendFlag != nil && *a.FriendFlag
	}
	refused := []struct {
		name   string
		body   []byte
		sig    *string
		status int
	}{
		{"no signature", unfollow, nil, http.StatusBadRequest},
		{"another secret's signature", unfollow, sign(hookSecret, unfollow), http.StatusBadRequest},
		{"a signed body that is not JSON", []byte(`{"events":[`), sign(secret, []byte(`{"events":[`)), http.StatusBadRequest},
	}
	for _, c := range refused {
		if status, _ := w.post(t, portalOAChannel, c.body, c.sig); status != c.status || !friend() {
			t.Errorf("%s: %d, Ken a friend: %v; want %d and still a friend", c.name, status, friend(), c.status)
		}
	}
	ts.srv.cfg.PortalOA.ChannelSecret = ""
	if status, _ := w.post(t, portalOAChannel, unfollow, sign(secret, unfollow)); status != http.StatusNotFound || !friend() {
		t.Errorf("without a secret configured: %d, Ken a friend: %v; want 404 and still a friend", status, friend())
	}
	ts.srv.cfg.PortalOA.ChannelSecret = secret
	if status, answer := w.post(t, portalOAChannel, unfollow, sign(secret, unfollow)); status != http.StatusOK || answer != "{}" || friend() {
		t.Errorf("the signed unfollow: %d %s, Ken a friend: %v; want 200 {} and no longer a friend", status, answer, friend())
	}
}
