package linesim_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/go-jose/go-jose/v4"
)

// formPost checks a form_post answer: a page whose only form posts hidden
// fields to action, submitted by the one script the page's CSP allows.
func formPost(t *testing.T, resp response, action string) url.Values {
	t.Helper()
	if resp.status != http.StatusOK || resp.location() != "" {
		t.Fatalf("status %d, Location %q; want the form_post page", resp.status, resp.location())
	}
	doc := resp.doc(t)
	form := doc.Find("form")
	if form.Length() != 1 || form.AttrOr("method", "") != "post" || form.AttrOr("action", "") != action {
		t.Fatalf("form method %q action %q (%d forms), want one POST to %s", form.AttrOr("method", ""), form.AttrOr("action", ""), form.Length(), action)
	}
	fields := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		if in.AttrOr("type", "") != "hidden" {
			t.Errorf("visible input %q", in.AttrOr("name", ""))
		}
		fields.Add(in.AttrOr("name", ""), in.AttrOr("value", ""))
	})
	script := doc.Find("script")
	sum := sha256.Sum256([]byte(script.Text()))
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if csp := resp.header.Get("Content-Security-Policy"); script.Length() != 1 || !strings.Contains(csp, "script-src "+hash+";") {
		t.Errorf("%d scripts; CSP %q does not allow the script by its hash %s", script.Length(), csp, hash)
	}
	// The HTML parser, like a browser with scripting on, reads noscript as text.
	if !strings.Contains(form.Find("noscript").Text(), `<button type="submit"`) {
		t.Errorf("no Continue button for browsers without JavaScript")
	}
	return fields
}

// responseJWT verifies a JARM response with the portal channel's secret and
// returns its claims.
func responseJWT(t *testing.T, raw string) map[string]any {
	t.Helper()
	if header := decodeSegment(t, raw, 0); !reflect.DeepEqual(header, map[string]any{"alg": "HS256", "typ": "JWT"}) {
		t.Errorf("header = %v, want LINE's example header alg HS256, typ JWT", header)
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatalf("parse response JWT: %v", err)
	}
	payload, err := jws.Verify([]byte(portalSecret))
	if err != nil {
		t.Fatalf("verify response JWT with the channel secret: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestResponseModes(t *testing.T) {
	tests := []struct {
		mode     string
		wantForm bool
		wantJWT  bool
	}{
		{mode: ""},
		{mode: "query"},
		{mode: "form_post", wantForm: true},
		{mode: "query.jwt", wantJWT: true},
		{mode: "jwt", wantJWT: true},
		{mode: "form_post.jwt", wantForm: true, wantJWT: true},
	}
	for _, tt := range tests {
		t.Run("mode "+tt.mode, func(t *testing.T) {
			f := newFixture(t)
			params := authorizeParams()
			params.Set("bot_prompt", "normal")
			if tt.mode != "" {
				params.Set("response_mode", tt.mode)
			}
			id := f.startLogin(params)
			f.pickUser(id, url.Values{"user": {f.demo.Developer.ID}})
			resp := f.allow(id, url.Values{"add_friend": {"yes"}})

			var got url.Values
			if tt.wantForm {
				got = formPost(t, resp, portalCallback)
			} else {
				got = callback(t, resp, portalCallback)
			}
			want := url.Values{"state": {testState}, "friendship_status_changed": {"true"}}
			if tt.wantJWT {
				if len(got) != 1 || got.Get("response") == "" {
					t.Fatalf("parameters %v, want only response", got)
				}
				claims := responseJWT(t, got.Get("response"))
				if claims["iss"] != f.base || claims["aud"] != portalChannelID || claims["exp"] != float64(f.clock.Now().Add(10*time.Minute).Unix()) {
					t.Errorf("iss, aud, exp = %v, %v, %v; want %s, %s and 10 minutes from now", claims["iss"], claims["aud"], claims["exp"], f.base, portalChannelID)
				}
				got = url.Values{}
				for k, v := range claims {
					if k != "iss" && k != "aud" && k != "exp" {
						s, ok := v.(string)
						if !ok {
							t.Errorf("claim %s = %v, want a string like the query parameter", k, v)
						}
						got.Set(k, s)
					}
				}
			}
			code := got.Get("code")
			got.Del("code")
			if code == "" || !reflect.DeepEqual(got, want) {
				t.Errorf("parameters %v (code %q), want a code and %v", got, code, want)
			}
			if resp := f.postForm("/oauth2/v2.1/token", exchangeForm(code)); resp.status != http.StatusOK {
				t.Errorf("the code does not exchange: %d %s", resp.status, resp.body)
			}
		})
	}
}

func TestResponseModeErrors(t *testing.T) {
	t.Run("cancel, query.jwt", func(t *testing.T) {
		f := newFixture(t)
		params := authorizeParams()
		params.Set("response_mode", "query.jwt")
		id := f.startLogin(params)
		q := callback(t, f.postForm("/oauth2/v2.1/authorize/user", url.Values{"request": {id}, "action": {"cancel"}}), portalCallback)
		claims := responseJWT(t, q.Get("response"))
		if claims["error"] != "ACCESS_DENIED" || claims["error_description"] != "The resource owner denied the request." || claims["state"] != testState {
			t.Errorf("claims %v, want ACCESS_DENIED with LINE's description and the state", claims)
		}
	})
	t.Run("prompt=none, form_post", func(t *testing.T) {
		f := newFixture(t)
		params := authorizeParams()
		params.Set("response_mode", "form_post")
		params.Set("prompt", "none")
		fields := formPost(t, f.get("/oauth2/v2.1/authorize?"+params.Encode()), portalCallback)
		if fields.Get("error") != "LOGIN_REQUIRED" || fields.Get("state") != testState {
			t.Errorf("fields %v, want LOGIN_REQUIRED and the state", fields)
		}
	})
	t.Run("invalid request, form_post.jwt", func(t *testing.T) {
		f := newFixture(t)
		params := authorizeParams()
		params.Set("response_mode", "form_post.jwt")
		params.Set("scope", "email")
		claims := responseJWT(t, formPost(t, f.get("/oauth2/v2.1/authorize?"+params.Encode()), portalCallback).Get("response"))
		if claims["error"] != "INVALID_SCOPE" {
			t.Errorf("claims %v, want INVALID_SCOPE", claims)
		}
	})
	t.Run("unknown response_mode is refused in the query", func(t *testing.T) {
		f := newFixture(t)
		params := authorizeParams()
		params.Set("response_mode", "fragment")
		q := callback(t, f.get("/oauth2/v2.1/authorize?"+params.Encode()), portalCallback)
		if q.Get("error") != "INVALID_REQUEST" || q.Get("state") != testState {
			t.Errorf("callback %v, want INVALID_REQUEST", q)
		}
	})
}
