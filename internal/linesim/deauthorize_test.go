package linesim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// loginChannelToken issues a stateless channel access token of a LINE
// Login channel, the kind /user/v1/deauthorize takes.
func (f *fixture) loginChannelToken(channelID, secret string) string {
	f.t.Helper()
	resp := f.postForm("/oauth2/v3/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {channelID}, "client_secret": {secret}})
	if resp.status != http.StatusOK {
		f.t.Fatalf("stateless token: %d %s", resp.status, resp.body)
	}
	return resp.json(f.t)["access_token"].(string)
}

func (f *fixture) deauthorize(channelToken, userAccessToken string) response {
	f.t.Helper()
	return f.request(http.MethodPost, "/user/v1/deauthorize", strings.NewReader(`{"userAccessToken":"`+userAccessToken+`"}`),
		http.Header{"Authorization": {"Bearer " + channelToken}, "Content-Type": {"application/json"}})
}

// revocationTest signs Aoi in through the screens in a browser, then lets
// revoke end what she granted, and checks LINE's documented consequences:
// tokens stop working, and the next login asks for consent again.
func revocationTest(t *testing.T, revoke func(f *fixture, accessToken string)) {
	f := newFixture(t).withBrowser()
	aoi := f.demo.Developer.ID
	resp := f.postForm("/oauth2/v2.1/token", exchangeForm(f.login(authorizeParams(), aoi)))
	tokens := resp.json(t)
	access, refresh := tokens["access_token"].(string), tokens["refresh_token"].(string)
	// A second login of the same user and channel: its tokens go too.
	secondAccess := f.postForm("/oauth2/v2.1/token", exchangeForm(f.login(authorizeParams(), aoi))).json(t)["access_token"].(string)
	// Ken's tokens for the same channel stay.
	kenAccess := newFixtureTokens(t, f, f.demo.OrganizationAdministrator.ID)

	revoke(f, access)

	for _, token := range []string{access, secondAccess} {
		assertOAuthError(t, f.get("/oauth2/v2.1/verify?access_token="+token), http.StatusBadRequest, "invalid_request", "The access token revoked")
	}
	assertOAuthError(t, f.postForm("/oauth2/v2.1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {portalChannelID}, "client_secret": {portalSecret}}),
		http.StatusBadRequest, "invalid_grant", "invalid refresh token")
	if resp := f.get("/oauth2/v2.1/verify?access_token=" + kenAccess); resp.status != http.StatusOK {
		t.Errorf("another user's token: %d %s", resp.status, resp.body)
	}
	params := authorizeParams()
	params.Set("prompt", "none")
	if q := callback(t, f.get("/oauth2/v2.1/authorize?"+params.Encode()), portalCallback); q.Get("error") != "INTERACTION_REQUIRED" {
		t.Errorf("prompt=none after the revocation: %v, want INTERACTION_REQUIRED (consent is asked again)", q)
	}
}

// newFixtureTokens signs userID in on a browser of its own and returns an
// access token for the portal channel.
func newFixtureTokens(t *testing.T, f *fixture, userID string) string {
	t.Helper()
	other := f.withBrowser()
	return other.postForm("/oauth2/v2.1/token", exchangeForm(other.login(authorizeParams(), userID))).json(t)["access_token"].(string)
}

func TestDeauthorize(t *testing.T) {
	revocationTest(t, func(f *fixture, access string) {
		channelToken := f.loginChannelToken(portalChannelID, portalSecret)
		if resp := f.deauthorize(f.loginChannelToken(otherChannelID, otherSecret), access); resp.status != http.StatusBadRequest {
			t.Errorf("another channel's token: %d %s", resp.status, resp.body)
		}
		if resp := f.deauthorize(channelToken, access); resp.status != http.StatusNoContent || resp.body != "" {
			t.Fatalf("deauthorize: status %d, body %q; want 204 and no body", resp.status, resp.body)
		}
		// LINE: 400 "invalid token" once the app is deauthorized.
		assertMessage(t, f.deauthorize(channelToken, access), http.StatusBadRequest, "invalid token")
		assertMessage(t, f.deauthorize(channelToken, "not-a-token"), http.StatusBadRequest, "invalid token")
		if resp := f.deauthorize("", access); resp.status != http.StatusUnauthorized {
			t.Errorf("no channel token: status %d", resp.status)
		}
	})
}

func TestUserUnlinksApp(t *testing.T) {
	revocationTest(t, func(f *fixture, _ string) {
		resp := f.sendJSON(http.MethodPost, "/sim/api/consents/revoke", `{"userId":"`+f.demo.Developer.ID+`","channelId":"`+portalChannelID+`"}`)
		if resp.status != http.StatusNoContent {
			t.Fatalf("unlink: %d %s", resp.status, resp.body)
		}
	})
}

func TestRevokeAccessTokenKeepsConsent(t *testing.T) {
	f := newFixture(t).withBrowser()
	access := f.tokens("profile openid", f.demo.Developer.ID)["access_token"].(string)
	form := url.Values{"access_token": {access}, "client_id": {portalChannelID}, "client_secret": {portalSecret}}
	if resp := f.postForm("/oauth2/v2.1/revoke", form); resp.status != http.StatusOK || resp.body != "" {
		t.Fatalf("revoke: %d %q", resp.status, resp.body)
	}
	assertOAuthError(t, f.get("/oauth2/v2.1/verify?access_token="+access), http.StatusBadRequest, "invalid_request", "The access token revoked")
	// Revoking a token is not unlinking the app: prompt=none still signs in.
	params := authorizeParams()
	params.Set("prompt", "none")
	if q := callback(t, f.get("/oauth2/v2.1/authorize?"+params.Encode()), portalCallback); q.Get("code") == "" {
		t.Errorf("prompt=none after revoking a token: %v, want a code", q)
	}
}
