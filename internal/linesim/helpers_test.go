package linesim_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/linesim"
)

const (
	portalChannelID = "1660000001"
	portalSecret    = "0123456789abcdef0123456789abcdef"
	portalCallback  = "https://portal.example/auth/callback"
	// portalCallbackWithQuery is registered too: LINE allows query parameters
	// in redirect URIs and keeps them.
	portalCallbackWithQuery = "https://portal.example/auth/callback?tenant=acme"

	// otherChannelID has no linked official account.
	otherChannelID = "1660000002"
	otherSecret    = "fedcba9876543210fedcba9876543210"
	otherCallback  = "https://other.example/cb"

	testState = "st4te-0987poi"
)

var (
	requestIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	userIDPattern    = regexp.MustCompile(`^U[0-9a-f]{32}$`)
)

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is a simulator seeded with the demo data and a second channel,
// served over loopback.
type fixture struct {
	t      *testing.T
	sim    *linesim.Server
	base   string
	client *http.Client
	clock  *testClock
	demo   linesim.DemoData
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, linesim.Config{})
}

// newFixtureWith is newFixture with a configuration whose BaseURL and Now
// it sets.
func newFixtureWith(t *testing.T, cfg linesim.Config) *fixture {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	clock := &testClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	cfg.BaseURL, cfg.Now = base, clock.Now
	sim, err := linesim.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv.Config.Handler = sim.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = sim.Close() }) // runs first: no delivery outlives the test

	demo, err := sim.SeedDemo(linesim.LoginChannel{
		ID:           portalChannelID,
		Secret:       portalSecret,
		RedirectURIs: []string{portalCallback, portalCallbackWithQuery},
	})
	if err != nil {
		t.Fatalf("SeedDemo: %v", err)
	}
	if err := sim.AddLoginChannel(linesim.LoginChannel{ID: otherChannelID, Secret: otherSecret, RedirectURIs: []string{otherCallback}}); err != nil {
		t.Fatalf("AddLoginChannel: %v", err)
	}
	return &fixture{
		t:    t,
		sim:  sim,
		base: base,
		client: &http.Client{
			Transport:     requestIDCheck{t: t, next: http.DefaultTransport},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		clock: clock,
		demo:  demo,
	}
}

// requestIDCheck fails the test for any response without an
// x-line-request-id, so every request a test makes checks it.
type requestIDCheck struct {
	t    *testing.T
	next http.RoundTripper
}

func (c requestIDCheck) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err == nil && !requestIDPattern.MatchString(resp.Header.Get("x-line-request-id")) {
		c.t.Errorf("%s %s: x-line-request-id = %q, want 32 hex digits", r.Method, r.URL.Path, resp.Header.Get("x-line-request-id"))
	}
	return resp, err
}

// response is a fully read HTTP response.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) location() string { return r.header.Get("Location") }

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("decode JSON %q: %v", r.body, err)
	}
	return m
}

func (r response) doc(t *testing.T) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

func (f *fixture) do(req *http.Request) response {
	f.t.Helper()
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatalf("read %s %s: %v", req.Method, req.URL, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (f *fixture) request(method, path string, body io.Reader, header http.Header) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.base+path, body)
	if err != nil {
		f.t.Fatalf("new request: %v", err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return f.do(req)
}

func (f *fixture) get(path string) response {
	f.t.Helper()
	return f.request(http.MethodGet, path, nil, nil)
}

func (f *fixture) postForm(path string, form url.Values) response {
	f.t.Helper()
	return f.request(http.MethodPost, path, strings.NewReader(form.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

func (f *fixture) sendJSON(method, path, body string) response {
	f.t.Helper()
	return f.request(method, path, strings.NewReader(body), http.Header{"Content-Type": {"application/json"}})
}

func (f *fixture) getBearer(path, token string) response {
	f.t.Helper()
	return f.request(http.MethodGet, path, nil, http.Header{"Authorization": {"Bearer " + token}})
}

// authorizeParams are a valid authorization request for the portal channel.
func authorizeParams() url.Values {
	return url.Values{
		"response_type": {"code"},
		"client_id":     {portalChannelID},
		"redirect_uri":  {portalCallback},
		"state":         {testState},
		"scope":         {"profile openid"},
	}
}

// startLogin opens the authorize URL and returns the pending request's ID
// from step 1.
func (f *fixture) startLogin(params url.Values) string {
	f.t.Helper()
	resp := f.get("/oauth2/v2.1/authorize?" + params.Encode())
	if resp.status != http.StatusOK {
		f.t.Fatalf("authorize: status %d, body %s", resp.status, resp.body)
	}
	id, ok := resp.doc(f.t).Find(`form input[name="request"]`).Attr("value")
	if !ok || id == "" {
		f.t.Fatalf("authorize: no pending request ID in step 1")
	}
	return id
}

// pickUser answers step 1 and returns the consent page (step 2).
func (f *fixture) pickUser(requestID string, choice url.Values) response {
	f.t.Helper()
	choice.Set("request", requestID)
	choice.Set("action", "next")
	resp := f.postForm("/oauth2/v2.1/authorize/user", choice)
	if resp.status != http.StatusSeeOther {
		f.t.Fatalf("pick user: status %d, body %s", resp.status, resp.body)
	}
	consent := f.get(resp.location())
	if consent.status != http.StatusOK {
		f.t.Fatalf("consent page: status %d, body %s", consent.status, consent.body)
	}
	return consent
}

func (f *fixture) allow(requestID string, extra url.Values) response {
	f.t.Helper()
	form := url.Values{"request": {requestID}, "action": {"allow"}}
	for k, v := range extra {
		form[k] = v
	}
	return f.postForm("/oauth2/v2.1/authorize/consent", form)
}

// callback checks that resp redirects to redirectURI and returns the
// parameters the simulator added.
func callback(t *testing.T, resp response, redirectURI string) url.Values {
	t.Helper()
	if resp.status != http.StatusFound {
		t.Fatalf("status %d, want 302; body %s", resp.status, resp.body)
	}
	loc := resp.location()
	sep := "?"
	if strings.Contains(redirectURI, "?") {
		sep = "&"
	}
	rest, ok := strings.CutPrefix(loc, redirectURI+sep)
	if !ok {
		t.Fatalf("Location %q does not extend %q", loc, redirectURI)
	}
	q, err := url.ParseQuery(rest)
	if err != nil {
		t.Fatalf("Location query %q: %v", rest, err)
	}
	return q
}

// login signs userID in through both consent steps and returns the code.
func (f *fixture) login(params url.Values, userID string) string {
	f.t.Helper()
	id := f.startLogin(params)
	f.pickUser(id, url.Values{"user": {userID}})
	q := callback(f.t, f.allow(id, nil), params.Get("redirect_uri"))
	if q.Get("code") == "" {
		f.t.Fatalf("callback without code: %v", q)
	}
	return q.Get("code")
}

// exchangeForm is a valid authorization_code token request for the portal
// channel.
func exchangeForm(code string) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {portalCallback},
		"client_id":     {portalChannelID},
		"client_secret": {portalSecret},
	}
}

// tokens signs userID in with scope and exchanges the code.
func (f *fixture) tokens(scope, userID string) map[string]any {
	f.t.Helper()
	params := authorizeParams()
	params.Set("scope", scope)
	resp := f.postForm("/oauth2/v2.1/token", exchangeForm(f.login(params, userID)))
	if resp.status != http.StatusOK {
		f.t.Fatalf("token: status %d, body %s", resp.status, resp.body)
	}
	return resp.json(f.t)
}

func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func assertOAuthError(t *testing.T, resp response, status int, code, description string) {
	t.Helper()
	if resp.status != status {
		t.Errorf("status = %d, want %d; body %s", resp.status, status, resp.body)
	}
	got := resp.json(t)
	want := map[string]any{"error": code, "error_description": description}
	if len(got) != 2 || got["error"] != want["error"] || got["error_description"] != want["error_description"] {
		t.Errorf("body = %v, want %v", got, want)
	}
}

func assertMessage(t *testing.T, resp response, status int, message string) {
	t.Helper()
	if resp.status != status {
		t.Errorf("status = %d, want %d; body %s", resp.status, status, resp.body)
	}
	got := resp.json(t)
	if len(got) != 1 || got["message"] != message {
		t.Errorf("body = %v, want {\"message\": %q}", got, message)
	}
}
