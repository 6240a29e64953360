package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The demo data's developer and the portal's own Official Account, as the
// simulator seeds them.
const (
	demoDeveloperID = "Udc3a0a12e4fd77b99956a97f9e727a12"
	demoPortalBotID = "U3337e2df2032a5cc8bb777f1ae05bd25"
)

// setFriendship sets, through the simulator's control API, how a LINE user
// stands with the portal's Official Account.
func setFriendship(t *testing.T, simURL, userID, status string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"userId": userID, "botId": demoPortalBotID, "status": status})
	req, _ := http.NewRequest(http.MethodPut, simURL+"/sim/api/friendships", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("setting friendship: %d", res.StatusCode)
	}
}

// signInInBrowser clicks through LINE Login on the simulator's screens as
// userID, ending on the portal's profile page. addFriend answers the
// add-friend option wherever LINE shows it.
func signInInBrowser(t *testing.T, b *browser, portalURL, userID string, addFriend bool) {
	t.Helper()
	b.do(t, chromedp.Navigate(portalURL+"/login?next=/profile"))
	answerLINELogin(t, b, userID, addFriend)
	b.waitUntil(t, `document.getElementById("profile") !== null`)
}

// answerLINELogin goes through the simulator's LINE Login screens, which
// the browser is on, as userID.
func answerLINELogin(t *testing.T, b *browser, userID string, addFriend bool) {
	t.Helper()
	b.click(t, `input[name=user][value="`+userID+`"]`)
	b.click(t, `button[name=action][value=next]`)
	b.waitUntil(t, `document.querySelector("button[name=action][value=allow]") !== null`)
	if addFriend && get(t, b, chromedp.Evaluate[bool](`document.querySelector("input[name=add_friend]") !== null`)) {
		b.click(t, `input[name=add_friend]`)
	}
	b.click(t, `button[name=action][value=allow]`)
	// Aggressive mode may show its own add-friend screen before returning.
	const addFriendScreen = `document.querySelector("button[name=action][value=skip]") !== null`
	b.waitUntil(t, addFriendScreen+` || (!location.pathname.startsWith("/oauth2/") && document.readyState === "complete")`)
	if get(t, b, chromedp.Evaluate[bool](addFriendScreen)) {
		button := `button[name=action][value=skip]`
		if addFriend {
			button = `button[name=action][value=add]`
		}
		b.click(t, button)
	}
	b.waitUntil(t, `!location.pathname.startsWith("/oauth2/")`)
}

func TestBrowser_SignInRecordsFriendship(t *testing.T) {
	cases := []struct {
		friendship  string
		addFriend   bool
		wantChanged string
		wantFriend  string
	}{
		// Per mode: one case per friendship state before sign-in.
		{"none", true, "true", "true"},
		{"blocked", false, "false", "false"},
		{"friend", false, "", "true"}, // wantChanged depends on the mode
	}
	for _, mode := range []string{"normal", "aggressive"} {
		t.Run(mode, func(t *testing.T) {
			m := startPortal(t, map[string]string{"LINE_BOT_PROMPT": mode})
			b := newBrowser(t)
			for _, c := range cases {
				want := c.wantChanged
				if c.friendship == "friend" {
					// Already friends: normal shows "you are friends" on the
					// consent screen (false); aggressive skips its screen, so
					// LINE sends nothing.
					want = map[string]string{"normal": "false", "aggressive": "absent"}[mode]
				}
				t.Run(c.friendship, func(t *testing.T) {
					setFriendship(t, m.SimulatorURL, demoDeveloperID, c.friendship)
					signInInBrowser(t, b, m.URL, demoDeveloperID, c.addFriend)
					changed := get(t, b, chromedp.Evaluate[string](`document.getElementById("friendship-changed").dataset.value`))
					friend := get(t, b, chromedp.Evaluate[string](`document.getElementById("friend-flag").dataset.value`))
					if changed != want || friend != c.wantFriend {
						t.Fatalf("friendship_status_changed %q friendFlag %q, want %q %q", changed, friend, want, c.wantFriend)
					}
					invitation := get(t, b, chromedp.Evaluate[bool](`document.getElementById("add-friend-invitation") !== null`))
					if invitation != (c.wantFriend != "true") {
						t.Fatalf("add-friend invitation shown=%v with friendFlag %s", invitation, friend)
					}
					signOutAndCheckOldCookie(t, b, m.URL)
				})
			}
			if errs := b.consoleErrors(); len(errs) > 0 {
				t.Errorf("browser console errors: %v", errs)
			}
		})
	}
}

// signOutAndCheckOldCookie signs out with the page's button, then puts the
// old session cookie back and shows that it no longer signs anyone in.
func signOutAndCheckOldCookie(t *testing.T, b *browser, portalURL string) {
	t.Helper()
	cookies, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{portalURL}})
	if err != nil {
		t.Fatal(err)
	}
	var old *network.Cookie
	for _, c := range cookies.Cookies {
		if c.Name == "portal_session" {
			old = c
		}
	}
	if old == nil || !old.HTTPOnly {
		t.Fatalf("no HttpOnly session cookie while signed in: %+v", cookies.Cookies)
	}
	b.click(t, `form[action="/logout"] button`)
	b.waitUntil(t, `document.getElementById("home") !== null && !document.getElementById("account-name")`)
	if _, err := chromedp.Call(b.ctx, network.SetCookie, network.SetCookieParams{Name: old.Name, Value: old.Value, URL: portalURL, HTTPOnly: &old.HTTPOnly}); err != nil {
		t.Fatal(err)
	}
	b.do(t, chromedp.Navigate(portalURL+"/profile"))
	// Without a live session /profile sends the browser to sign in, which
	// lands on LINE's (the simulator's) screen.
	b.waitUntil(t, `location.pathname === "/oauth2/v2.1/authorize"`)
	if url := get(t, b, chromedp.Location()); strings.HasPrefix(url, portalURL) {
		t.Fatalf("old cookie still signed in: at %s", url)
	}
}
