package linesim_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func TestDiscovery(t *testing.T) {
	f := newFixture(t)
	resp := f.get("/.well-known/openid-configuration")
	if resp.status != http.StatusOK {
		t.Fatalf("status = %d", resp.status)
	}
	want := map[string]any{
		"issuer":                                f.base,
		"authorization_endpoint":                f.base + "/oauth2/v2.1/authorize",
		"token_endpoint":                        f.base + "/oauth2/v2.1/token",
		"revocation_endpoint":                   f.base + "/oauth2/v2.1/revoke",
		"userinfo_endpoint":                     f.base + "/oauth2/v2.1/userinfo",
		"jwks_uri":                              f.base + "/oauth2/v2.1/certs",
		"scopes_supported":                      []any{"openid", "profile", "email"},
		"response_types_supported":              []any{"code"},
		"subject_types_supported":               []any{"pairwise"},
		"id_token_signing_alg_values_supported": []any{"ES256"},
		"code_challenge_methods_supported":      []any{"S256"},
	}
	if got := resp.json(t); !reflect.DeepEqual(got, want) {
		t.Errorf("discovery document\n got %v\nwant %v", got, want)
	}
}

func TestTokenAuthorizationCode(t *testing.T) {
	verifier := strings.Repeat("v3rifier-._~", 5) // 60 characters
	tests := []struct {
		name      string
		authorize url.Values // added to a valid authorization request
		token     url.Values // added to a valid token request
		wait      time.Duration
		wantScope string
	}{
		{name: "profile openid", wantScope: "profile openid"},
		{name: "email is granted but never reported", authorize: url.Values{"scope": {"openid email profile"}}, wantScope: "openid profile"},
		{name: "PKCE verifier matches", authorize: url.Values{"code_challenge": {pkceChallenge(verifier)}, "code_challenge_method": {"S256"}}, token: url.Values{"code_verifier": {verifier}}, wantScope: "profile openid"},
		{name: "just before the code expires", wait: 10*time.Minute - time.Second, wantScope: "profile openid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			params := authorizeParams()
			for k, v := range tt.authorize {
				params[k] = v
			}
			code := f.login(params, f.demo.Developer.ID)
			f.clock.Advance(tt.wait)
			form := exchangeForm(code)
			for k, v := range tt.token {
				form[k] = v
			}
			resp := f.postForm("/oauth2/v2.1/token", form)
			if resp.status != http.StatusOK {
				t.Fatalf("status = %d, body %s", resp.status, resp.body)
			}
			if cc := resp.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			got := resp.json(t)
			if got["token_type"] != "Bearer" || got["expires_in"] != float64(2592000) || got["scope"] != tt.wantScope {
				t.Errorf("token_type, expires_in, scope = %v, %v, %v; want Bearer, 2592000, %q", got["token_type"], got["expires_in"], got["scope"], tt.wantScope)
			}
			for _, field := range []string{"access_token", "refresh_token", "id_token"} {
				if s, _ := got[field].(string); s == "" {
					t.Errorf("%s missing in %v", field, got)
				}
			}
			if len(got) != 6 {
				t.Errorf("response has %d fields, want 6: %v", len(got), got)
			}
		})
	}
}

func TestTokenWithoutOpenIDHasNoIDToken(t *testing.T) {
	f := newFixture(t)
	got := f.tokens("profile", f.demo.Developer.ID)
	if _, ok := got["id_token"]; ok {
		t.Errorf("id_token issued without the openid scope: %v", got)
	}
	if got["scope"] != "profile" {
		t.Errorf("scope = %v, want profile", got["scope"])
	}
}

// decodeSegment decodes one base64url part of a compact JWS.
func decodeSegment(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("decode part %d: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("part %d: %v", i, err)
	}
	return m
}

func TestIDTokenWebLoginIsHS256WithChannelSecret(t *testing.T) {
	tests := []struct {
		name         string
		authorize    url.Values
		wantNonce    bool
		wantAuthTime bool
		newUser      bool
		wantAMR      string
	}{
		{name: "existing user, no nonce", wantAMR: "linesso"},
		{name: "nonce and max_age", authorize: url.Values{"nonce": {"n0nce-123"}, "max_age": {"0"}}, wantNonce: true, wantAuthTime: true, wantAMR: "linesso"},
		{name: "new user", newUser: true, wantAMR: "pwd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			params := authorizeParams()
			for k, v := range tt.authorize {
				params[k] = v
			}
			id := f.startLogin(params)
			choice := url.Values{"user": {f.demo.Developer.ID}}
			if tt.newUser {
				choice = url.Values{"user": {"new"}, "new_user_name": {"Haru Ito"}}
			}
			f.pickUser(id, choice)
			consentTime := f.clock.Now()
			code := callback(t, f.allow(id, nil), portalCallback).Get("code")
			f.clock.Advance(time.Minute)
			issuedAt := f.clock.Now()

			resp := f.postForm("/oauth2/v2.1/token", exchangeForm(code))
			if resp.status != http.StatusOK {
				t.Fatalf("token: status %d, body %s", resp.status, resp.body)
			}
			idToken := resp.json(t)["id_token"].(string)

			if header := decodeSegment(t, idToken, 0); !reflect.DeepEqual(header, map[string]any{"alg": "HS256", "typ": "JWT"}) {
				t.Errorf("header = %v, want exactly alg HS256 and typ JWT", header)
			}
			jws, err := jose.ParseSignedCompact(idToken, []jose.SignatureAlgorithm{jose.HS256})
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if _, err := jws.Verify([]byte(otherSecret)); err == nil {
				t.Errorf("ID token verifies with another channel's secret")
			}
			payload, err := jws.Verify([]byte(portalSecret))
			if err != nil {
				t.Fatalf("verify with the channel secret: %v", err)
			}
			var claims map[string]any
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}

			user := f.demo.Developer
			if tt.newUser {
				users := f.sim.Users()
				user = users[len(users)-1]
				if user.Name != "Haru Ito" {
					t.Fatalf("newest user = %+v, want Haru Ito", user)
				}
			}
			want := map[string]any{
				"iss":     f.base,
				"sub":     user.ID,
				"aud":     portalChannelID,
				"iat":     float64(issuedAt.Unix()),
				"exp":     float64(issuedAt.Unix() + 3600),
				"amr":     []any{tt.wantAMR},
				"name":    user.Name,
				"picture": f.base + "/sim/avatar/" + user.ID,
			}
			if tt.wantNonce {
				want["nonce"] = "n0nce-123"
			}
			if tt.wantAuthTime {
				want["auth_time"] = float64(consentTime.Unix())
			}
			if !reflect.DeepEqual(claims, want) {
				t.Errorf("claims\n got %v\nwant %v", claims, want)
			}
		})
	}
}

func TestIDTokenJWKIsES256FromJWKS(t *testing.T) {
	f := newFixture(t)
	form := exchangeForm(f.login(authorizeParams(), f.demo.Operator.ID))
	form.Set("id_token_key_type", "JWK")
	resp := f.postForm("/oauth2/v2.1/token", form)
	if resp.status != http.StatusOK {
		t.Fatalf("token: status %d, body %s", resp.status, resp.body)
	}
	idToken := resp.json(t)["id_token"].(string)

	jws, err := jose.ParseSignedCompact(idToken, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("parse as ES256: %v", err)
	}
	kid := jws.Signatures[0].Header.KeyID
	if kid == "" {
		t.Fatalf("ES256 ID token has no kid")
	}

	certs := f.get("/oauth2/v2.1/certs")
	var jwks jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(certs.body), &jwks); err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	keys := jwks.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("JWKS has %d keys with kid %q, want 1", len(keys), kid)
	}
	key := keys[0]
	if key.Algorithm != "ES256" || key.Use != "sig" || !key.IsPublic() {
		t.Errorf("JWK alg, use, public = %q, %q, %v; want ES256, sig, true", key.Algorithm, key.Use, key.IsPublic())
	}
	payload, err := jws.Verify(key)
	if err != nil {
		t.Fatalf("verify with the JWKS key: %v", err)
	}
	var claims struct {
		Iss, Sub, Aud string
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.Iss != f.base || claims.Sub != f.demo.Operator.ID || claims.Aud != portalChannelID {
		t.Errorf("iss, sub, aud = %q, %q, %q", claims.Iss, claims.Sub, claims.Aud)
	}
}

func TestTokenRefusals(t *testing.T) {
	verifier := strings.Repeat("a", 43)
	tests := []struct {
		name            string
		authorize       url.Values // added to a valid authorization request
		token           url.Values // overrides of a valid token request
		wait            time.Duration
		wantStatus      int
		wantError       string
		wantDescription string
		codeStillUsable bool // a refused request does not consume the code
	}{
		{name: "wrong client_secret", token: url.Values{"client_secret": {otherSecret}}, wantStatus: 400, wantError: "invalid_client", wantDescription: "client authentication failed", codeStillUsable: true},
		{name: "no client_secret", token: url.Values{"client_secret": {""}}, wantStatus: 400, wantError: "invalid_client", wantDescription: "client authentication failed", codeStillUsable: true},
		{name: "unknown client_id", token: url.Values{"client_id": {"1999999999"}}, wantStatus: 400, wantError: "invalid_client", wantDescription: "client authentication failed", codeStillUsable: true},
		{name: "code of another channel", token: url.Values{"client_id": {otherChannelID}, "client_secret": {otherSecret}, "redirect_uri": {otherCallback}}, wantStatus: 400, wantError: "invalid_grant", wantDescription: "invalid authorization code", codeStillUsable: true},
		{name: "unknown code", token: url.Values{"code": {"NOTACODE"}}, wantStatus: 400, wantError: "invalid_grant", wantDescription: "invalid authorization code", codeStillUsable: true},
		{name: "no code", token: url.Values{"code": {""}}, wantStatus: 400, wantError: "invalid_request", wantDescription: "some parameters missed or invalid", codeStillUsable: true},
		{name: "other registered redirect_uri", token: url.Values{"redirect_uri": {portalCallbackWithQuery}}, wantStatus: 400, wantError: "invalid_grant", wantDescription: "redirect_uri does not match", codeStillUsable: true},
		{name: "no redirect_uri", token: url.Values{"redirect_uri": {""}}, wantStatus: 400, wantError: "invalid_request", wantDescription: "some parameters missed or invalid", codeStillUsable: true},
		{name: "expired code", wait: 10 * time.Minute, wantStatus: 400, wantError: "invalid_grant", wantDescription: "authorization code expired"},
		{name: "PKCE verifier mismatch", authorize: url.Values{"code_challenge": {pkceChallenge(verifier)}, "code_challenge_method": {"S256"}}, token: url.Values{"code_verifier": {strings.Repeat("b", 43)}}, wantStatus: 400, wantError: "invalid_grant", wantDescription: "invalid code_verifier"},
		{name: "PKCE verifier missing", authorize: url.Values{"code_challenge": {pkceChallenge(verifier)}, "code_challenge_method": {"S256"}}, wantStatus: 400, wantError: "invalid_grant", wantDescription: "invalid code_verifier"},
		{name: "PKCE verifier too short although it matches", authorize: url.Values{"code_challenge": {pkceChallenge(verifier[:42])}, "code_challenge_method": {"S256"}}, token: url.Values{"code_verifier": {verifier[:42]}}, wantStatus: 400, wantError: "invalid_grant", wantDescription: "invalid code_verifier"},
		{name: "PKCE verifier with a character outside the alphabet", authorize: url.Values{"code_challenge": {pkceChallenge(verifier + "+")}, "code_challenge_method": {"S256"}}, token: url.Values{"code_verifier": {verifier + "+"}}, wantStatus: 400, wantError: "invalid_grant", wantDescription: "invalid code_verifier"},
		{name: "grant_type password", token: url.Values{"grant_type": {"password"}}, wantStatus: 400, wantError: "unsupported_grant_type", wantDescription: "unsupported grant_type: password", codeStillUsable: true},
		// The path is shared with channel access token v2.1, which needs a JWT assertion.
		{name: "grant_type client_credentials without an assertion", token: url.Values{"grant_type": {"client_credentials"}}, wantStatus: 400, wantError: "invalid_request", wantDescription: "some parameters missed or invalid", codeStillUsable: true},
		{name: "no grant_type", token: url.Values{"grant_type": {""}}, wantStatus: 400, wantError: "invalid_request", wantDescription: "some parameters missed or invalid", codeStillUsable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			params := authorizeParams()
			for k, v := range tt.authorize {
				params[k] = v
			}
			code := f.login(params, f.demo.Developer.ID)
			f.clock.Advance(tt.wait)
			form := exchangeForm(code)
			for k, v := range tt.token {
				form[k] = v
			}
			assertOAuthError(t, f.postForm("/oauth2/v2.1/token", form), tt.wantStatus, tt.wantError, tt.wantDescription)

			retry := exchangeForm(code)
			if tt.authorize.Has("code_challenge") {
				retry.Set("code_verifier", "x") // still wrong: the code must stay refused
			}
			if got := f.postForm("/oauth2/v2.1/token", retry); (got.status == http.StatusOK) != tt.codeStillUsable {
				t.Errorf("correct retry: status %d, want usable=%v; body %s", got.status, tt.codeStillUsable, got.body)
			}
		})
	}
}

func TestTokenCodeReuseRevokesItsTokens(t *testing.T) {
	f := newFixture(t)
	code := f.login(authorizeParams(), f.demo.Developer.ID)
	first := f.postForm("/oauth2/v2.1/token", exchangeForm(code))
	if first.status != http.StatusOK {
		t.Fatalf("first exchange: status %d, body %s", first.status, first.body)
	}
	tokens := first.json(t)
	accessToken, refreshToken := tokens["access_token"].(string), tokens["refresh_token"].(string)
	if resp := f.getBearer("/v2/profile", accessToken); resp.status != http.StatusOK {
		t.Fatalf("profile before reuse: status %d", resp.status)
	}

	assertOAuthError(t, f.postForm("/oauth2/v2.1/token", exchangeForm(code)), 400, "invalid_grant", "authorization code already used")

	assertOAuthError(t, f.get("/oauth2/v2.1/verify?access_token="+url.QueryEscape(accessToken)), 400, "invalid_request", "The access token revoked")
	assertOAuthError(t, f.postForm("/oauth2/v2.1/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {portalChannelID}, "client_secret": {portalSecret},
	}), 400, "invalid_grant", "invalid refresh token")
}

func TestTokenRefresh(t *testing.T) {
	refreshForm := func(refreshToken string) url.Values {
		return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {portalChannelID}, "client_secret": {portalSecret}}
	}

	t.Run("OK", func(t *testing.T) {
		f := newFixture(t)
		first := f.tokens("profile openid", f.demo.Developer.ID)
		resp := f.postForm("/oauth2/v2.1/token", refreshForm(first["refresh_token"].(string)))
		if resp.status != http.StatusOK {
			t.Fatalf("status %d, body %s", resp.status, resp.body)
		}
		got := resp.json(t)
		access, _ := got["access_token"].(string)
		if access == "" || access == first["access_token"] {
			t.Errorf("access_token = %q, want a new one", access)
		}
		want := map[string]any{"access_token": access, "expires_in": float64(2592000), "refresh_token": first["refresh_token"], "scope": "profile openid", "token_type": "Bearer"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("refresh response\n got %v\nwant %v", got, want)
		}
		if resp := f.getBearer("/v2/profile", access); resp.status != http.StatusOK {
			t.Errorf("profile with the refreshed token: status %d", resp.status)
		}
	})

	tests := []struct {
		name            string
		change          func(f *fixture, form url.Values)
		wantError       string
		wantDescription string
	}{
		{"wrong client_secret", func(_ *fixture, form url.Values) { form.Set("client_secret", otherSecret) }, "invalid_client", "client authentication failed"},
		{"unknown refresh token", func(_ *fixture, form url.Values) { form.Set("refresh_token", "NOPE") }, "invalid_grant", "invalid refresh token"},
		{"another channel's credentials", func(_ *fixture, form url.Values) {
			form.Set("client_id", otherChannelID)
			form.Set("client_secret", otherSecret)
		}, "invalid_grant", "invalid refresh token"},
		{"after 90 days", func(f *fixture, _ url.Values) { f.clock.Advance(90 * 24 * time.Hour) }, "invalid_grant", "invalid refresh token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			form := refreshForm(f.tokens("profile", f.demo.Developer.ID)["refresh_token"].(string))
			tt.change(f, form)
			assertOAuthError(t, f.postForm("/oauth2/v2.1/token", form), 400, tt.wantError, tt.wantDescription)
		})
	}
}

func TestTokenBodyTooLarge(t *testing.T) {
	f := newFixture(t)
	form := exchangeForm("x")
	form.Set("padding", strings.Repeat("p", 3<<20))
	assertOAuthError(t, f.postForm("/oauth2/v2.1/token", form), http.StatusRequestEntityTooLarge, "invalid_request", "some parameters missed or invalid")
}

func TestVerifyAccessToken(t *testing.T) {
	tests := []struct {
		name            string
		prepare         func(f *fixture, token string) string // returns the token to verify
		wantDescription string                                // "" = valid
	}{
		{"valid", func(f *fixture, token string) string { f.clock.Advance(time.Minute); return token }, ""},
		{"unknown", func(*fixture, string) string { return "not-a-token" }, "The access token not JWS"},
		{"expired", func(f *fixture, token string) string { f.clock.Advance(30 * 24 * time.Hour); return token }, "The access token expired"},
		{"revoked", func(f *fixture, token string) string {
			if resp := f.postForm("/oauth2/v2.1/revoke", url.Values{"access_token": {token}, "client_id": {portalChannelID}, "client_secret": {portalSecret}}); resp.status != http.StatusOK {
				f.t.Fatalf("revoke: status %d", resp.status)
			}
			return token
		}, "The access token revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			token := tt.prepare(f, f.tokens("openid email profile", f.demo.Developer.ID)["access_token"].(string))
			resp := f.get("/oauth2/v2.1/verify?access_token=" + url.QueryEscape(token))
			if tt.wantDescription != "" {
				assertOAuthError(t, resp, 400, "invalid_request", tt.wantDescription)
				return
			}
			want := map[string]any{"scope": "openid profile", "client_id": portalChannelID, "expires_in": float64(2592000 - 60)}
			if got := resp.json(t); resp.status != http.StatusOK || !reflect.DeepEqual(got, want) {
				t.Errorf("status %d, body %v; want 200 %v", resp.status, got, want)
			}
		})
	}
}

func TestVerifyIDToken(t *testing.T) {
	signed := func(t *testing.T, secret string, claims map[string]any) string {
		t.Helper()
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, (&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(claims)
		jws, err := signer.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		token, _ := jws.CompactSerialize()
		return token
	}
	forgedClaims := func(f *fixture) map[string]any {
		now := f.clock.Now().Unix()
		return map[string]any{"iss": f.base, "sub": f.demo.Developer.ID, "aud": portalChannelID, "iat": now, "exp": now + 3600}
	}

	tests := []struct {
		name            string
		jwk             bool
		form            func(f *fixture, idToken string) url.Values
		wantDescription string // "" = valid
	}{
		{name: "HS256 with every check", form: func(f *fixture, idToken string) url.Values {
			return url.Values{"id_token": {idToken}, "client_id": {portalChannelID}, "nonce": {"n-1"}, "user_id": {f.demo.Developer.ID}}
		}},
		{name: "ES256", jwk: true, form: func(_ *fixture, idToken string) url.Values {
			return url.Values{"id_token": {idToken}, "client_id": {portalChannelID}}
		}},
		{name: "tampered signature", form: func(_ *fixture, idToken string) url.Values {
			// The signature's first character, changed: its last ones
			// may carry unused bits, or be "AA" already.
			i := strings.LastIndexByte(idToken, '.') + 1
			c := byte('A')
			if idToken[i] == c {
				c = 'B'
			}
			return url.Values{"id_token": {idToken[:i] + string(c) + idToken[i+1:]}, "client_id": {portalChannelID}}
		}, wantDescription: "Invalid IdToken."},
		{name: "not a JWT", form: func(*fixture, string) url.Values {
			return url.Values{"id_token": {"abc"}, "client_id": {portalChannelID}}
		}, wantDescription: "Invalid IdToken."},
		{name: "signed with another secret", form: func(f *fixture, _ string) url.Values {
			return url.Values{"id_token": {signed(t, otherSecret, forgedClaims(f))}, "client_id": {portalChannelID}}
		}, wantDescription: "Invalid IdToken."},
		{name: "issuer of the real LINE", form: func(f *fixture, _ string) url.Values {
			claims := forgedClaims(f)
			claims["iss"] = "https://access.line.me"
			return url.Values{"id_token": {signed(t, portalSecret, claims)}, "client_id": {portalChannelID}}
		}, wantDescription: "Invalid IdToken Issuer."},
		{name: "expired", form: func(f *fixture, idToken string) url.Values {
			f.clock.Advance(time.Hour)
			return url.Values{"id_token": {idToken}, "client_id": {portalChannelID}}
		}, wantDescription: "IdToken expired."},
		{name: "other audience", form: func(_ *fixture, idToken string) url.Values {
			return url.Values{"id_token": {idToken}, "client_id": {otherChannelID}}
		}, wantDescription: "Invalid IdToken Audience."},
		{name: "other nonce", form: func(_ *fixture, idToken string) url.Values {
			return url.Values{"id_token": {idToken}, "client_id": {portalChannelID}, "nonce": {"n-2"}}
		}, wantDescription: "Invalid IdToken Nonce."},
		{name: "other user", form: func(f *fixture, idToken string) url.Values {
			return url.Values{"id_token": {idToken}, "client_id": {portalChannelID}, "user_id": {f.demo.Operator.ID}}
		}, wantDescription: "Invalid IdToken Subject Identifier."},
		{name: "no client_id", form: func(_ *fixture, idToken string) url.Values {
			return url.Values{"id_token": {idToken}}
		}, wantDescription: "some parameters missed or invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			params := authorizeParams()
			params.Set("nonce", "n-1")
			form := exchangeForm(f.login(params, f.demo.Developer.ID))
			if tt.jwk {
				form.Set("id_token_key_type", "JWK")
			}
			idToken := f.postForm("/oauth2/v2.1/token", form).json(t)["id_token"].(string)

			resp := f.postForm("/oauth2/v2.1/verify", tt.form(f, idToken))
			if tt.wantDescription != "" {
				assertOAuthError(t, resp, 400, "invalid_request", tt.wantDescription)
				return
			}
			if resp.status != http.StatusOK {
				t.Fatalf("status %d, body %s", resp.status, resp.body)
			}
			got := resp.json(t)
			if got["sub"] != f.demo.Developer.ID || got["aud"] != portalChannelID || got["iss"] != f.base || got["nonce"] != "n-1" || got["name"] != "Aoi Tanaka" {
				t.Errorf("payload = %v", got)
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	tests := []struct {
		name      string
		form      func(token string) url.Values
		wantError string // "" = 200
		revoked   bool
	}{
		{"own token", func(token string) url.Values {
			return url.Values{"access_token": {token}, "client_id": {portalChannelID}, "client_secret": {portalSecret}}
		}, "", true},
		{"unknown token is not an error", func(string) url.Values {
			return url.Values{"access_token": {"unknown"}, "client_id": {portalChannelID}, "client_secret": {portalSecret}}
		}, "", false},
		{"wrong secret", func(token string) url.Values {
			return url.Values{"access_token": {token}, "client_id": {portalChannelID}, "client_secret": {otherSecret}}
		}, "invalid_client", false},
		{"another channel's token", func(token string) url.Values {
			return url.Values{"access_token": {token}, "client_id": {otherChannelID}, "client_secret": {otherSecret}}
		}, "invalid_request", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			token := f.tokens("profile", f.demo.Developer.ID)["access_token"].(string)
			resp := f.postForm("/oauth2/v2.1/revoke", tt.form(token))
			if tt.wantError == "" && (resp.status != http.StatusOK || resp.body != "") {
				t.Errorf("status %d, body %q; want 200 and an empty body", resp.status, resp.body)
			}
			if tt.wantError != "" && (resp.status != http.StatusBadRequest || resp.json(t)["error"] != tt.wantError) {
				t.Errorf("status %d, body %s; want 400 %s", resp.status, resp.body, tt.wantError)
			}
			if profile := f.getBearer("/v2/profile", token); (profile.status == http.StatusUnauthorized) != tt.revoked {
				t.Errorf("profile afterwards: status %d, want revoked=%v", profile.status, tt.revoked)
			}
		})
	}
}

func TestBearerAPIs(t *testing.T) {
	const authFailed = "Authentication failed due to the following reason: %s. Confirm that the access token in the authorization header is valid."
	tests := []struct {
		name       string
		method     string
		path       string
		scope      string // scope of the token used; "" = no Authorization header
		token      string // used instead of a real token when set
		wait       time.Duration
		wantStatus int
		want       func(f *fixture) map[string]any
	}{
		{name: "profile", method: "GET", path: "/v2/profile", scope: "profile", wantStatus: 200, want: func(f *fixture) map[string]any {
			u := f.demo.Developer
			return map[string]any{"userId": u.ID, "displayName": "Aoi Tanaka", "pictureUrl": f.base + "/sim/avatar/" + u.ID, "statusMessage": u.StatusMessage}
		}},
		{name: "userinfo GET with profile", method: "GET", path: "/oauth2/v2.1/userinfo", scope: "openid profile", wantStatus: 200, want: func(f *fixture) map[string]any {
			u := f.demo.Developer
			return map[string]any{"sub": u.ID, "name": "Aoi Tanaka", "picture": f.base + "/sim/avatar/" + u.ID}
		}},
		{name: "userinfo POST without profile", method: "POST", path: "/oauth2/v2.1/userinfo", scope: "openid", wantStatus: 200, want: func(f *fixture) map[string]any {
			return map[string]any{"sub": f.demo.Developer.ID}
		}},
		{name: "profile needs the profile scope", method: "GET", path: "/v2/profile", scope: "openid", wantStatus: 403, want: message("The access token does not have the required scope: profile")},
		{name: "userinfo needs the openid scope", method: "GET", path: "/oauth2/v2.1/userinfo", scope: "profile", wantStatus: 403, want: message("The access token does not have the required scope: openid")},
		{name: "friendship needs the profile scope", method: "GET", path: "/friendship/v1/status", scope: "openid", wantStatus: 403, want: message("The access token does not have the required scope: profile")},
		{name: "no Authorization header", method: "GET", path: "/v2/profile", wantStatus: 401, want: message("Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'")},
		{name: "unknown token", method: "GET", path: "/v2/profile", scope: "profile", token: "bogus", wantStatus: 401, want: message(strings.Replace(authFailed, "%s", "The access token not JWS", 1))},
		{name: "expired token", method: "GET", path: "/friendship/v1/status", scope: "profile", wait: 30 * 24 * time.Hour, wantStatus: 401, want: message(strings.Replace(authFailed, "%s", "The access token expired", 1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			header := http.Header{}
			if tt.scope != "" {
				token := f.tokens(tt.scope, f.demo.Developer.ID)["access_token"].(string)
				if tt.token != "" {
					token = tt.token
				}
				header.Set("Authorization", "Bearer "+token)
			}
			f.clock.Advance(tt.wait)
			resp := f.request(tt.method, tt.path, nil, header)
			if resp.status != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.status, tt.wantStatus)
			}
			if got, want := resp.json(t), tt.want(f); !reflect.DeepEqual(got, want) {
				t.Errorf("body\n got %v\nwant %v", got, want)
			}
		})
	}
}

func message(text string) func(*fixture) map[string]any {
	return func(*fixture) map[string]any { return map[string]any{"message": text} }
}

func TestFriendshipStatus(t *testing.T) {
	tests := []struct {
		name       string
		channelID  string
		friendship string
		want       bool
	}{
		{"friend of the linked account", portalChannelID, "friend", true},
		{"blocked the linked account", portalChannelID, "blocked", false},
		{"not a friend", portalChannelID, "none", false},
		{"channel without a linked account", otherChannelID, "friend", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			user := f.demo.Developer.ID
			params := authorizeParams()
			form := exchangeForm("")
			if tt.channelID == otherChannelID {
				params.Set("client_id", otherChannelID)
				params.Set("redirect_uri", otherCallback)
				form = url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {otherCallback}, "client_id": {otherChannelID}, "client_secret": {otherSecret}}
			}
			form.Set("code", f.login(params, user))
			token := f.postForm("/oauth2/v2.1/token", form).json(t)["access_token"].(string)

			// The status is read when asked, not when the token was issued.
			if resp := f.sendJSON("PUT", "/sim/api/friendships", `{"userId":"`+user+`","botId":"`+f.demo.OfficialAccount.BotID+`","status":"`+tt.friendship+`"}`); resp.status != http.StatusNoContent {
				t.Fatalf("set friendship: status %d, body %s", resp.status, resp.body)
			}
			resp := f.getBearer("/friendship/v1/status", token)
			if got := resp.json(t); resp.status != http.StatusOK || !reflect.DeepEqual(got, map[string]any{"friendFlag": tt.want}) {
				t.Errorf("status %d, body %v; want 200 {friendFlag: %v}", resp.status, got, tt.want)
			}
		})
	}
}
