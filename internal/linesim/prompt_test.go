package linesim_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"
)

// withBrowser gives the fixture a cookie jar, as a browser has: the
// simulator keeps its LINE session in a cookie.
func (f *fixture) withBrowser() *fixture {
	f.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	client := *f.client
	client.Jar = jar
	browser := *f
	browser.client = &client
	return &browser
}

// idTokenClaims exchanges a code of the portal channel and returns the ID
// token's claims.
func (f *fixture) idTokenClaims(code string) map[string]any {
	f.t.Helper()
	resp := f.postForm("/oauth2/v2.1/token", exchangeForm(code))
	if resp.status != http.StatusOK {
		f.t.Fatalf("token: status %d, body %s", resp.status, resp.body)
	}
	return decodeSegment(f.t, resp.json(f.t)["id_token"].(string), 1)
}

func TestPromptNone(t *testing.T) {
	const loginRequired = "LOGIN_REQUIRED"
	tests := []struct {
		name string
		// signIn signs the browser in beforehand, through the screens, with
		// these authorization parameters; nil = never signed in.
		signIn    url.Values
		wait      time.Duration
		request   url.Values // added to a prompt=none request
		wantError string     // "" = a code without any screen
	}{
		{name: "never signed in", wantError: loginRequired},
		{name: "signed in and consented", signIn: url.Values{}},
		{name: "signed in, consented, within max_age", signIn: url.Values{}, wait: time.Minute, request: url.Values{"max_age": {"60"}}},
		{name: "signed in longer ago than max_age", signIn: url.Values{}, wait: 61 * time.Second, request: url.Values{"max_age": {"60"}}, wantError: loginRequired},
		{name: "signed in, consented to fewer scopes", signIn: url.Values{"scope": {"profile"}}, wantError: "INTERACTION_REQUIRED"},
		{name: "signed in, email not yet granted", signIn: url.Values{}, request: url.Values{"scope": {"profile openid email"}}, wantError: "INTERACTION_REQUIRED"},
		{name: "signed in, auto login disabled", signIn: url.Values{}, request: url.Values{"disable_auto_login": {"true"}}, wantError: "INTERACTION_REQUIRED"},
		{name: "signed in, another channel", signIn: url.Values{"client_id": {otherChannelID}, "redirect_uri": {otherCallback}}, wantError: "INTERACTION_REQUIRED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t).withBrowser()
			user := f.demo.Developer.ID
			var signedInAt time.Time
			if tt.signIn != nil {
				params := authorizeParams()
				for k, v := range tt.signIn {
					params[k] = v
				}
				signedInAt = f.clock.Now()
				f.login(params, user)
			}
			f.clock.Advance(tt.wait)

			params := authorizeParams()
			params.Set("prompt", "none")
			params.Set("bot_prompt", "normal")
			for k, v := range tt.request {
				params[k] = v
			}
			q := callback(t, f.get("/oauth2/v2.1/authorize?"+params.Encode()), portalCallback)
			if tt.wantError != "" {
				if q.Get("error") != tt.wantError || q.Get("error_description") == "" || q.Get("state") != testState || q.Has("code") {
					t.Errorf("callback %v, want error %s with a description and the state", q, tt.wantError)
				}
				return
			}
			// No screen means no add-friend option, so no
			// friendship_status_changed.
			if q.Get("state") != testState || q.Get("code") == "" || len(q) != 2 {
				t.Fatalf("callback %v, want exactly code and state", q)
			}
			claims := f.idTokenClaims(q.Get("code"))
			if claims["sub"] != user || claims["amr"].([]any)[0] != "lineautologin" {
				t.Errorf("sub, amr = %v, %v; want %s, [lineautologin]", claims["sub"], claims["amr"], user)
			}
			if params.Has("max_age") && claims["auth_time"] != float64(signedInAt.Unix()) {
				t.Errorf("auth_time = %v, want the earlier sign-in %d", claims["auth_time"], signedInAt.Unix())
			}
		})
	}
}

func TestPromptNoneSessionIsPerBrowser(t *testing.T) {
	f := newFixture(t)
	signedIn := f.withBrowser()
	signedIn.login(authorizeParams(), f.demo.Developer.ID)
	params := authorizeParams()
	params.Set("prompt", "none")
	if q := callback(t, f.withBrowser().get("/oauth2/v2.1/authorize?"+params.Encode()), portalCallback); q.Get("error") != "LOGIN_REQUIRED" {
		t.Errorf("another browser: callback %v, want LOGIN_REQUIRED", q)
	}
	if q := callback(t, signedIn.get("/oauth2/v2.1/authorize?"+params.Encode()), portalCallback); q.Get("code") == "" {
		t.Errorf("the signed-in browser: callback %v, want a code", q)
	}
}

func TestPromptLoginAndConsent(t *testing.T) {
	f := newFixture(t).withBrowser()
	aoi, ken := f.demo.Developer.ID, f.demo.OrganizationAdministrator.ID
	f.login(authorizeParams(), ken)

	// Without prompt, step 1 offers the signed-in user ("Continue as").
	id := f.startLoginChecked(authorizeParams(), ken)
	f.pickUser(id, url.Values{"user": {ken}})
	claims := f.idTokenClaims(callback(t, f.allow(id, nil), portalCallback).Get("code"))
	if claims["amr"].([]any)[0] != "linesso" {
		t.Errorf("continuing as the signed-in user: amr = %v, want [linesso]", claims["amr"])
	}

	// prompt=login asks who signs in, offering nobody in particular, and
	// picking a user is a fresh authentication.
	params := authorizeParams()
	params.Set("prompt", "login")
	id = f.startLoginChecked(params, f.sim.Users()[0].ID)
	f.pickUser(id, url.Values{"user": {aoi}})
	claims = f.idTokenClaims(callback(t, f.allow(id, nil), portalCallback).Get("code"))
	if claims["sub"] != aoi || claims["amr"].([]any)[0] != "pwd" {
		t.Errorf("prompt=login: sub, amr = %v, %v; want %s, [pwd]", claims["sub"], claims["amr"], aoi)
	}

	// The browser is now signed in as Aoi, who has consented: prompt=consent
	// still shows the consent screen.
	params.Set("prompt", "consent")
	id = f.startLoginChecked(params, aoi)
	consent := f.pickUser(id, url.Values{"user": {aoi}})
	if consent.doc(t).Find(`button[name=action][value=allow]`).Length() != 1 {
		t.Errorf("prompt=consent: no consent screen")
	}
}

// startLoginChecked is startLogin that also checks which user step 1 has
// selected.
func (f *fixture) startLoginChecked(params url.Values, wantSelected string) string {
	f.t.Helper()
	resp := f.get("/oauth2/v2.1/authorize?" + params.Encode())
	doc := resp.doc(f.t)
	if got, _ := doc.Find(`input[name=user]:checked`).Attr("value"); got != wantSelected {
		f.t.Errorf("step 1 selects %q, want %q", got, wantSelected)
	}
	id, _ := doc.Find(`form input[name="request"]`).Attr("value")
	return id
}

func TestPromptRefusesUnknownValue(t *testing.T) {
	f := newFixture(t)
	params := authorizeParams()
	params.Set("prompt", "select_account")
	q := callback(t, f.get("/oauth2/v2.1/authorize?"+params.Encode()), portalCallback)
	if q.Get("error") != "INVALID_REQUEST" || q.Get("state") != testState {
		t.Errorf("callback %v, want INVALID_REQUEST with the state", q)
	}
}
