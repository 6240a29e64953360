package line_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"lineportal/internal/line"
)

const (
	channelID     = "1657000000"
	channelSecret = "0123456789abcdef0123456789abcdef" // 32 characters, like LINE's
	userID        = "U4af4980629e2f7a6c5d2a3b1c0d9e8f7"
	esKID         = "es-1"
)

// now is the clock of every Login under test; tokens are minted around it.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeLINE is a tampering LINE Login provider. Its token endpoint answers each
// authorization code with an ID token the test crafted, and records the token
// request. It serves TLS so that only the Login's injected HTTP client, which
// trusts its certificate, can reach it.
type fakeLINE struct {
	srv    *httptest.Server
	issuer string // advertised by discovery; "" = the server's own URL

	// All three are published in the JWKS, so only the algorithm rules can
	// refuse a token signed by the RSA or P-521 key.
	es256 *ecdsa.PrivateKey
	rs256 *rsa.PrivateKey
	es512 *ecdsa.PrivateKey

	mu       sync.Mutex
	idTokens map[string]string       // code → ID token to return
	requests map[string]tokenRequest // code → what the client sent
}

type tokenRequest struct {
	form          url.Values
	authorization string
}

func newFakeLINE(t *testing.T, issuer string) *fakeLINE {
	f := &fakeLINE{
		issuer:   issuer,
		es256:    newP256Key(),
		rs256:    must(rsa.GenerateKey(rand.Reader, 2048)),
		es512:    must(ecdsa.GenerateKey(elliptic.P521(), rand.Reader)),
		idTokens: map[string]string{},
		requests: map[string]tokenRequest{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", f.discovery)
	mux.HandleFunc("GET /oauth2/v2.1/certs", f.certs)
	mux.HandleFunc("POST /oauth2/v2.1/token", f.token)
	mux.HandleFunc("GET /friendship/v1/status", f.friendship)
	f.srv = httptest.NewUnstartedServer(mux)
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

func newP256Key() *ecdsa.PrivateKey { return must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) }

// must is for test setup steps that only fail when the test itself is broken.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func (f *fakeLINE) discovery(w http.ResponseWriter, _ *http.Request) {
	issuer := f.issuer
	if issuer == "" {
		issuer = f.srv.URL
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                f.srv.URL + "/oauth2/v2.1/authorize",
		"token_endpoint":                        f.srv.URL + "/oauth2/v2.1/token",
		"jwks_uri":                              f.srv.URL + "/oauth2/v2.1/certs",
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (f *fakeLINE) certs(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		f.publicJWK(),
		{Key: f.rs256.Public(), KeyID: "rs-1", Algorithm: string(jose.RS256), Use: "sig"},
		{Key: f.es512.Public(), KeyID: "es512-1", Algorithm: string(jose.ES512), Use: "sig"},
	}})
}

func (f *fakeLINE) publicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: f.es256.Public(), KeyID: esKID, Algorithm: string(jose.ES256), Use: "sig"}
}

func (f *fakeLINE) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	code := r.PostForm.Get("code")
	f.mu.Lock()
	idToken, ok := f.idTokens[code]
	f.requests[code] = tokenRequest{form: r.PostForm, authorization: r.Header.Get("Authorization")}
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": accessTokenFor(code),
		"token_type":   "Bearer",
		"expires_in":   2592000,
		"scope":        "profile openid",
		"id_token":     idToken,
	})
}

func accessTokenFor(code string) string { return "at-" + code }

// friendship knows two users by access token; any other token is refused as LINE does.
func (f *fakeLINE) friendship(w http.ResponseWriter, r *http.Request) {
	switch r.Header.Get("Authorization") {
	case "Bearer friend":
		writeJSON(w, http.StatusOK, map[string]bool{"friendFlag": true})
	case "Bearer stranger":
		writeJSON(w, http.StatusOK, map[string]bool{"friendFlag": false})
	default:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "invalid token"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// issue registers idToken and returns the authorization code that redeems it.
func (f *fakeLINE) issue(idToken string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	code := fmt.Sprintf("code-%d", len(f.idTokens))
	f.idTokens[code] = idToken
	return code
}

func (f *fakeLINE) request(code string) tokenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[code]
}

// claims are those of a valid web-login ID token for nonce.
func (f *fakeLINE) claims(nonce string) map[string]any {
	return map[string]any{
		"iss":     f.srv.URL,
		"sub":     userID,
		"aud":     channelID,
		"exp":     now.Add(time.Hour).Unix(),
		"iat":     now.Unix(),
		"nonce":   nonce,
		"amr":     []string{"linesso"},
		"name":    "Sally",
		"picture": "https://profile.line-scdn.net/0h",
	}
}

// signer says how a test token is signed. Algorithm "none" yields an
// unsigned token, which go-jose cannot produce.
type signer struct {
	alg jose.SignatureAlgorithm
	key any
	kid string
}

func hs256() signer { return signer{alg: jose.HS256, key: []byte(channelSecret)} }

func (f *fakeLINE) es256Signer() signer { return signer{alg: jose.ES256, key: f.es256, kid: esKID} }

func mint(s signer, claims map[string]any) string {
	payload := must(json.Marshal(claims))
	if s.alg == "none" {
		enc := base64.RawURLEncoding.EncodeToString
		return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if s.kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), s.kid)
	}
	sig := must(jose.NewSigner(jose.SigningKey{Algorithm: s.alg, Key: s.key}, opts))
	return must(must(sig.Sign(payload)).CompactSerialize())
}

func newLogin(t *testing.T, f *fakeLINE, botPrompt string) *line.Login {
	t.Helper()
	l, err := line.NewLogin(t.Context(), loginConfig(f, botPrompt))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func loginConfig(f *fakeLINE, botPrompt string) line.LoginConfig {
	return line.LoginConfig{
		ChannelID:     channelID,
		ChannelSecret: channelSecret,
		AuthBaseURL:   f.srv.URL,
		APIBaseURL:    f.srv.URL,
		RedirectURL:   "https://portal.example/auth/callback",
		BotPrompt:     botPrompt,
		HTTPClient:    f.srv.Client(),
		Now:           func() time.Time { return now },
	}
}

// attempt is one Exchange of an ID token served by the fake provider.
type attempt struct {
	token, code string
	id          line.Identity
	err         error
}

func (f *fakeLINE) attempt(t *testing.T, l *line.Login, req line.AuthRequest, token string) attempt {
	code := f.issue(token)
	id, err := l.Exchange(t.Context(), code, req)
	return attempt{token: token, code: code, id: id, err: err}
}

// assertRefused checks that the exchange failed for reason, returned no
// identity and kept the token, code, access token and secret out of the error.
func (a attempt) assertRefused(t *testing.T, reason string) {
	t.Helper()
	if a.err == nil {
		t.Errorf("token accepted: %+v", a.id)
		return
	}
	if a.id != (line.Identity{}) {
		t.Errorf("identity %+v returned along with error %v", a.id, a.err)
	}
	msg := a.err.Error()
	if !strings.Contains(msg, reason) {
		t.Errorf("error %q does not give the reason %q", msg, reason)
	}
	for _, secret := range []string{a.token, a.code, accessTokenFor(a.code), channelSecret} {
		if strings.Contains(msg, secret) {
			t.Errorf("error %q leaks %q", msg, secret)
		}
	}
}
