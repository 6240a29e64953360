package line_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"lineportal/internal/line"
)

func TestExchangeAccepts(t *testing.T) {
	f := newFakeLINE(t, "")
	l := newLogin(t, f, "")
	tests := []struct {
		name string
		sign signer
		edit func(map[string]any)
	}{
		{"HS256 without kid (web login)", hs256(), nil},
		{"ES256 with a JWKS kid", f.es256Signer(), nil},
		{"iat within the clock skew", hs256(), func(c map[string]any) { c["iat"] = now.Add(30 * time.Second).Unix() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := line.NewAuthRequest()
			claims := f.claims(req.Nonce)
			if tt.edit != nil {
				tt.edit(claims)
			}
			a := f.attempt(t, l, req, mint(tt.sign, claims))
			if a.err != nil {
				t.Fatalf("refused: %v", a.err)
			}
			want := line.Identity{UserID: userID, Name: "Sally", PictureURL: "https://profile.line-scdn.net/0h", AccessToken: accessTokenFor(a.code)}
			if a.id != want {
				t.Errorf("identity = %+v, want %+v", a.id, want)
			}

			got := f.request(a.code)
			wantForm := url.Values{
				"grant_type":    {"authorization_code"},
				"code":          {a.code},
				"redirect_uri":  {"https://portal.example/auth/callback"},
				"client_id":     {channelID},
				"client_secret": {channelSecret},
				"code_verifier": {req.CodeVerifier},
			}
			if !reflect.DeepEqual(got.form, wantForm) {
				t.Errorf("token request form = %v, want %v", got.form, wantForm)
			}
			if got.authorization != "" {
				t.Errorf("token request sent Authorization %q; LINE expects the secret in the body", got.authorization)
			}
		})
	}
}

func TestExchangeRefuses(t *testing.T) {
	f := newFakeLINE(t, "")
	l := newLogin(t, f, "")
	pkix := must(x509.MarshalPKIXPublicKey(f.es256.Public()))
	jwk := must(json.Marshal(f.publicJWK()))
	outsider := newP256Key()
	const badSig = "failed to verify signature"
	// go-oidc's own allow-list must refuse these, before the key set is asked.
	const badAlg = "oidc: malformed jwt: unexpected signature algorithm"

	tests := []struct {
		name   string
		sign   signer
		edit   func(map[string]any)
		reason string
	}{
		{"HS256 with another secret", signer{alg: jose.HS256, key: []byte("fedcba9876543210fedcba9876543210")}, nil, badSig},
		{"alg none", signer{alg: "none"}, nil, badAlg},
		{"HS256 keyed with the JWKS public key (JWK)", signer{alg: jose.HS256, key: jwk}, nil, badSig},
		{"HS256 keyed with the JWKS public key (PKIX)", signer{alg: jose.HS256, key: pkix}, nil, badSig},
		{"HS256 keyed with the JWKS public key and its kid", signer{alg: jose.HS256, key: jwk, kid: esKID}, nil, "not accepted"},
		{"HS256 with a kid", signer{alg: jose.HS256, key: []byte(channelSecret), kid: esKID}, nil, "not accepted"},
		{"RS256 by a JWKS key", signer{alg: jose.RS256, key: f.rs256, kid: "rs-1"}, nil, badAlg},
		{"HS384", signer{alg: jose.HS384, key: []byte(channelSecret + channelSecret)}, nil, badAlg},
		{"ES512 by a JWKS key", signer{alg: jose.ES512, key: f.es512, kid: "es512-1"}, nil, badAlg},
		{"ES256 without kid", signer{alg: jose.ES256, key: f.es256}, nil, "not accepted"},
		{"ES256 with an unknown kid", signer{alg: jose.ES256, key: f.es256, kid: "es-2"}, nil, badSig},
		{"ES256 by a key not in the JWKS", signer{alg: jose.ES256, key: outsider, kid: esKID}, nil, badSig},
		{"wrong iss", hs256(), func(c map[string]any) { c["iss"] = "https://access.line.me" }, "different provider"},
		{"wrong aud", hs256(), func(c map[string]any) { c["aud"] = "1657999999" }, "expected audience"},
		{"extra untrusted aud", hs256(), func(c map[string]any) { c["aud"] = []string{channelID, "1657999999"} }, "2 audiences"},
		{"expired", hs256(), func(c map[string]any) { c["exp"] = now.Add(-time.Second).Unix() }, "expired"},
		{"exp missing", hs256(), func(c map[string]any) { delete(c, "exp") }, "expired"},
		{"iat missing", hs256(), func(c map[string]any) { delete(c, "iat") }, "no iat"},
		{"iat in the future", hs256(), func(c map[string]any) { c["iat"] = now.Add(2 * time.Minute).Unix() }, "iat is in the future"},
		{"sub missing", hs256(), func(c map[string]any) { delete(c, "sub") }, "no sub"},
		{"sub empty", hs256(), func(c map[string]any) { c["sub"] = "" }, "no sub"},
		{"nonce wrong", hs256(), func(c map[string]any) { c["nonce"] = line.NewAuthRequest().Nonce }, "nonce does not match"},
		{"nonce missing", hs256(), func(c map[string]any) { delete(c, "nonce") }, "nonce does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := line.NewAuthRequest()
			claims := f.claims(req.Nonce)
			if tt.edit != nil {
				tt.edit(claims)
			}
			f.attempt(t, l, req, mint(tt.sign, claims)).assertRefused(t, tt.reason)
		})
	}
}

// go-jose decodes base64url leniently, so a valid token with its signature's
// unused trailing bits changed carries the same signature bytes.
func TestExchangeRefusesNonCanonicalEncoding(t *testing.T) {
	f := newFakeLINE(t, "")
	l := newLogin(t, f, "")
	req := line.NewAuthRequest()
	valid := mint(hs256(), f.claims(req.Nonce))

	// An HS256 signature is 32 bytes: its last base64url character carries
	// 4 bits of it and 2 unused bits.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, valid[len(valid)-1])
	tampered := valid[:len(valid)-1] + string(alphabet[last^1])

	sig := func(tok string) []byte {
		return must(base64.RawURLEncoding.DecodeString(tok[strings.LastIndexByte(tok, '.')+1:]))
	}
	if tampered == valid || !reflect.DeepEqual(sig(tampered), sig(valid)) {
		t.Fatal("tampering did not produce a different spelling of the same signature")
	}
	f.attempt(t, l, req, tampered).assertRefused(t, "not canonical")
}

func TestExchangeRefusesMutations(t *testing.T) {
	const want = 1000
	f := newFakeLINE(t, "")
	l := newLogin(t, f, "")
	for _, s := range []signer{hs256(), f.es256Signer()} {
		t.Run(string(s.alg), func(t *testing.T) {
			req := line.NewAuthRequest()
			valid := mint(s, f.claims(req.Nonce))
			if a := f.attempt(t, l, req, valid); a.err != nil {
				t.Fatalf("unmutated token refused: %v", a.err)
			}
			r := rand.New(rand.NewPCG(1, 2))
			tested := 0
			for tested < want && !t.Failed() {
				b := []byte(valid)
				i, v := r.IntN(len(b)), byte(r.IntN(256))
				if b[i] == v {
					continue
				}
				b[i] = v
				tested++
				f.attempt(t, l, req, string(b)).assertRefused(t, "")
			}
			t.Logf("%d single-byte mutations tested, none accepted", tested)
		})
	}
}

func TestNewLoginRefusesIssuerMismatch(t *testing.T) {
	tests := []struct {
		name     string
		issuer   string // advertised by discovery; "" = the server's URL
		authBase func(serverURL string) string
	}{
		{"simulator advertising LINE's issuer", "https://access.line.me", func(u string) string { return u }},
		{"trailing slash in AuthBaseURL", "", func(u string) string { return u + "/" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLINE(t, tt.issuer)
			cfg := loginConfig(f, "")
			cfg.AuthBaseURL = tt.authBase(f.srv.URL)
			l, err := line.NewLogin(t.Context(), cfg)
			if mismatch, ok := errors.AsType[*oidc.IssuerMismatchError](err); !ok {
				t.Fatalf("NewLogin = %v, %v; want an issuer mismatch", l, err)
			} else if mismatch.Provided != cfg.AuthBaseURL {
				t.Errorf("mismatch names %q, want %q", mismatch.Provided, cfg.AuthBaseURL)
			}
			if l != nil {
				t.Error("a Login was returned along with the error")
			}
		})
	}
}

func TestNewLoginRefusesBadConfig(t *testing.T) {
	f := newFakeLINE(t, "")
	tests := []struct {
		name string
		edit func(*line.LoginConfig)
	}{
		{"short channel secret", func(c *line.LoginConfig) { c.ChannelSecret = "too-short" }},
		{"unknown bot prompt", func(c *line.LoginConfig) { c.BotPrompt = "off" }},
		{"no redirect URL", func(c *line.LoginConfig) { c.RedirectURL = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loginConfig(f, "")
			tt.edit(&cfg)
			if _, err := line.NewLogin(t.Context(), cfg); err == nil {
				t.Error("NewLogin accepted the config")
			}
		})
	}
}

func TestAuthCodeURL(t *testing.T) {
	f := newFakeLINE(t, "")
	for _, botPrompt := range []string{"", "normal", "aggressive"} {
		t.Run("bot_prompt="+botPrompt, func(t *testing.T) {
			req := line.NewAuthRequest()
			u := must(url.Parse(newLogin(t, f, botPrompt).AuthCodeURL(req, "th")))
			if got, want := u.Scheme+"://"+u.Host+u.Path, f.srv.URL+"/oauth2/v2.1/authorize"; got != want {
				t.Errorf("endpoint = %s, want %s", got, want)
			}
			challenge := sha256.Sum256([]byte(req.CodeVerifier))
			want := url.Values{
				"response_type":         {"code"},
				"client_id":             {channelID},
				"redirect_uri":          {"https://portal.example/auth/callback"},
				"scope":                 {"profile openid"},
				"state":                 {req.State},
				"nonce":                 {req.Nonce},
				"code_challenge":        {base64.RawURLEncoding.EncodeToString(challenge[:])},
				"code_challenge_method": {"S256"},
				"ui_locales":            {"th"},
			}
			if botPrompt != "" {
				want.Set("bot_prompt", botPrompt)
			}
			if got := u.Query(); !reflect.DeepEqual(got, want) {
				t.Errorf("query = %v, want %v", got, want)
			}
		})
	}
}

func TestNewAuthRequest(t *testing.T) {
	a, b := line.NewAuthRequest(), line.NewAuthRequest()
	// rand.Text gives 26 base32 characters (130 bits); a PKCE verifier of 32
	// random bytes is 43 characters.
	if len(a.State) < 26 || len(a.Nonce) < 26 || len(a.CodeVerifier) != 43 {
		t.Errorf("weak auth request: %+v", a)
	}
	if a.State == b.State || a.Nonce == b.Nonce || a.CodeVerifier == b.CodeVerifier || a.State == a.Nonce {
		t.Errorf("auth requests share values: %+v, %+v", a, b)
	}
}

func TestFriendFlag(t *testing.T) {
	f := newFakeLINE(t, "")
	l := newLogin(t, f, "")
	for token, want := range map[string]bool{"friend": true, "stranger": false} {
		got, err := l.FriendFlag(t.Context(), token)
		if err != nil || got != want {
			t.Errorf("FriendFlag(%s) = %v, %v; want %v", token, got, err, want)
		}
	}
	_, err := l.FriendFlag(t.Context(), "revoked-token")
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("FriendFlag with a refused token: err = %v, want HTTP 401", err)
	}
	if err != nil && strings.Contains(err.Error(), "revoked-token") {
		t.Errorf("error %q leaks the access token", err)
	}
}
