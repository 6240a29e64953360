package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gorilla/securecookie"

	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/internal/secret"
	"lineportal/internal/simulated"
	"lineportal/static"
	"lineportal/store"
)

var testKey = bytes.Repeat([]byte("k"), 32)

type testServer struct {
	*httptest.Server
	srv *Server
	db  *store.DB
	// onSim is the simulated LINE platform the portal runs on; sim is its
	// simulator.
	onSim *simulated.Platform
	sim   *linesim.Server
	demo  linesim.DemoData
	// SimURL is the simulator's base URL (LINE's hosts).
	SimURL string
	logs   *syncBuffer
	clock  *testClock
}

// testClock is a settable clock for the web layer.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// syncBuffer collects logs written from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const testChannelSecret = "0123456789abcdef0123456789abcdef"

// newTestServer runs the real handler over loopback on a fresh database,
// signing in through the LINE simulator (bot_prompt normal unless
// botPrompt says otherwise).
func newTestServer(t *testing.T, botPrompt ...string) *testServer {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	simMux := http.NewServeMux()
	simTS := httptest.NewServer(simMux)
	t.Cleanup(simTS.Close)
	portalMux := http.NewServeMux()
	ts := httptest.NewServer(portalMux)
	t.Cleanup(ts.Close)
	prompt := "normal"
	if len(botPrompt) > 0 {
		prompt = botPrompt[0]
	}
	box, err := secret.New([32]byte{7})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	clock := &testClock{}
	db.Now = clock.now
	onSim, err := simulated.Start(context.Background(), db, box, simulated.Options{
		SimulatorURL: simTS.URL, Serve: func(h http.Handler) { simMux.Handle("/", h) },
		PortalURL: ts.URL, LoginChannelSecret: testChannelSecret, BotPrompt: prompt,
	})
	if err != nil || !onSim.Seeded {
		t.Fatalf("simulated.Start = %v (demo data added: %v)", err, onSim != nil && onSim.Seeded)
	}
	t.Cleanup(func() { onSim.Simulator.Close() })
	sim, demoUsers := onSim.Simulator, onSim.Users
	base, _ := url.Parse(ts.URL)
	srv, err := New(Config{
		BaseURL:             base,
		SessionKeys:         [][]byte{testKey},
		SessionLimits:       store.SessionLimits{Idle: 30 * time.Minute, Absolute: 12 * time.Hour},
		SimulatorURL:        simTS.URL + "/sim/",
		Login:               onSim.Login,
		LINE:                onSim.LINE,
		Secrets:             box,
		FormRedirectOrigins: []string{simTS.URL},
		Operators:           []string{demoUsers.Operator.ID},
		BotPrompt:           prompt,
		PortalOA:            OfficialAccountLink{Name: demoUsers.OfficialAccount.Name, AddFriendURL: simTS.URL + "/sim/", ChannelToken: demoUsers.OAChannelToken, ChannelSecret: onSim.OAChannelSecret},
		Now:                 clock.now,
	}, db, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	portalMux.Handle("/", srv)
	return &testServer{Server: ts, srv: srv, db: db, onSim: onSim, sim: sim, demo: demoUsers, SimURL: simTS.URL, logs: logs, clock: clock}
}

// do sends a request without following redirects.
func (ts *testServer) do(t *testing.T, method, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// mustSession stores a session holding values and returns its cookie.
func (ts *testServer) mustSession(t *testing.T, values map[any]any) *http.Cookie {
	t.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	sess, err := ts.srv.sessions.Get(r, ts.srv.sessions.name)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range values {
		sess.Values[k] = v
	}
	if err := sess.Save(r, w); err != nil {
		t.Fatal(err)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Save set %d cookies", len(cookies))
	}
	return cookies[0]
}

func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	ts := newTestServer(t)
	paths := []struct {
		method, path string
		wantStatus   int
		page         bool
	}{
		{"GET", "/", 200, true},
		{"GET", "/healthz", 200, false},
		{"GET", static.Path("htmx.min.js"), 200, false},
		{"GET", "/static/0000000000000000/app.css", 404, false},
		{"GET", "/no/such/page", 404, true},
		{"POST", "/healthz", 405, true},
	}
	for _, p := range paths {
		t.Run(p.method+" "+p.path, func(t *testing.T) {
			res, _ := ts.do(t, p.method, p.path, nil)
			if res.StatusCode != p.wantStatus {
				t.Fatalf("status %d, want %d", res.StatusCode, p.wantStatus)
			}
			csp := res.Header.Get("Content-Security-Policy")
			for _, want := range []string{"script-src 'self' 'nonce-", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP allows unsafe scripts: %q", csp)
			}
			for h, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
				"Referrer-Policy":        "no-referrer",
			} {
				if got := res.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if res.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
			if p.page && res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("page Cache-Control = %q, want no-store", res.Header.Get("Cache-Control"))
			}
			if res.Header.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS sent over plain http")
			}
		})
	}
}

func TestCSPNonceIsFreshAndUsed(t *testing.T) {
	ts := newTestServer(t)
	nonces := map[string]bool{}
	// Home from memory (visitorHomes), and a page rendered for the request.
	for _, path := range []string{"/", "/", "/", "/no/such/page", "/no/such/page"} {
		res, body := ts.do(t, "GET", path, nil)
		csp := res.Header.Get("Content-Security-Policy")
		_, after, _ := strings.Cut(csp, "'nonce-")
		nonce, _, _ := strings.Cut(after, "'")
		if len(nonce) < 16 {
			t.Fatalf("nonce %q too short", nonce)
		}
		nonces[nonce] = true
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		scripts := doc.Find("script")
		if scripts.Length() == 0 {
			t.Fatalf("%s has no script", path)
		}
		scripts.Each(func(_ int, s *goquery.Selection) {
			if got, _ := s.Attr("nonce"); got != nonce {
				t.Errorf("%s: script %v has nonce %q, want %q", path, s.AttrOr("src", "?"), got, nonce)
			}
		})
	}
	if len(nonces) != 5 {
		t.Fatalf("nonces repeat across requests: %v", nonces)
	}
}

func TestHSTSAndHostCookieOverHTTPS(t *testing.T) {
	ts := newTestServer(t)
	base, _ := url.Parse("https://portal.example.com")
	cfg := ts.srv.cfg
	cfg.BaseURL = base
	srv, err := New(cfg, ts.db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if got := w.Header().Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Fatalf("HSTS = %q", got)
	}
	if srv.sessions.name != "__Host-portal_session" || !srv.sessions.options.Secure {
		t.Fatalf("https session cookie: name %q secure %v", srv.sessions.name, srv.sessions.options.Secure)
	}
}

func TestStaticAssetsAreImmutable(t *testing.T) {
	ts := newTestServer(t)
	res, body := ts.do(t, "GET", static.Path("app.css"), nil)
	if res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("Cache-Control = %q", res.Header.Get("Cache-Control"))
	}
	if !strings.Contains(body, "--green") {
		t.Fatal("stylesheet body not served")
	}
	res, _ = ts.do(t, "GET", static.Path("app.css"), http.Header{"If-None-Match": {res.Header.Get("ETag")}})
	if res.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET = %d, want 304", res.StatusCode)
	}
}

func TestCrossOriginPostIsRefusedAndChangesNothing(t *testing.T) {
	ts := newTestServer(t)
	cookie := ts.mustSession(t, map[any]any{"probe": "kept"})
	cases := map[string]http.Header{
		"Origin of another site":    {"Origin": {"https://evil.example"}},
		"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": {"cross-site"}},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			h.Set("Cookie", cookie.Name+"="+cookie.Value)
			res, body := ts.do(t, "POST", "/logout", h)
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", res.StatusCode)
			}
			if !strings.Contains(body, "came from another website") {
				t.Fatal("403 page does not explain the refusal")
			}
			if sess := ts.loadSession(t, cookie); sess["probe"] != "kept" {
				t.Fatalf("session changed by a refused request: %v", sess)
			}
		})
	}
	t.Run("same origin is allowed", func(t *testing.T) {
		res, _ := ts.do(t, "POST", "/logout", http.Header{"Sec-Fetch-Site": {"same-origin"}, "Cookie": {cookie.Name + "=" + cookie.Value}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d, want 303", res.StatusCode)
		}
		if sess := ts.loadSession(t, cookie); len(sess) != 0 {
			t.Fatalf("session survived sign-out: %v", sess)
		}
	})
}

// loadSession returns the values the server holds for cookie.
func (ts *testServer) loadSession(t *testing.T, cookie *http.Cookie) map[any]any {
	t.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(cookie)
	sess, err := ts.srv.sessions.New(r, cookie.Name)
	if err != nil {
		t.Fatal(err)
	}
	return sess.Values
}

func TestSessionCookieCarriesOnlyAnID(t *testing.T) {
	ts := newTestServer(t)
	cookie := ts.mustSession(t, map[any]any{"admin": "a-value-that-must-stay-on-the-server"})
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
		t.Fatalf("cookie attributes: HttpOnly=%v SameSite=%v Path=%q", cookie.HttpOnly, cookie.SameSite, cookie.Path)
	}
	var id string
	if err := securecookie.New(testKey, nil).Decode(cookie.Name, cookie.Value, &id); err != nil {
		t.Fatalf("cookie does not decode to an ID: %v", err)
	}
	if len(id) < 26 || strings.Contains(id, "a-value") {
		t.Fatalf("cookie value %q is not a bare random ID", id)
	}
	rec, err := ts.db.FindSession(context.Background(), id, store.SessionLimits{Idle: time.Hour, Absolute: time.Hour})
	if err != nil {
		t.Fatalf("no row for the cookie's ID: %v", err)
	}
	if !bytes.Contains(rec.Data, []byte("a-value-that-must-stay-on-the-server")) {
		t.Fatal("the row does not hold the session data")
	}
	t.Run("a deleted row signs the browser out", func(t *testing.T) {
		if err := ts.db.DeleteSession(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		if sess := ts.loadSession(t, cookie); len(sess) != 0 {
			t.Fatalf("session data survived the deleted row: %v", sess)
		}
	})
	t.Run("a forged cookie is a fresh session", func(t *testing.T) {
		forged, _ := securecookie.New(bytes.Repeat([]byte("x"), 32), nil).Encode(cookie.Name, id)
		if sess := ts.loadSession(t, &http.Cookie{Name: cookie.Name, Value: forged}); len(sess) != 0 {
			t.Fatalf("forged cookie accepted: %v", sess)
		}
	})
}

func TestEverySetCookieIsHttpOnlyAndSameSite(t *testing.T) {
	ts := newTestServer(t)
	cookie := ts.mustSession(t, map[any]any{"x": "y"})
	// Sign-out clears the cookie; the clearing cookie must carry the same
	// attributes.
	res, _ := ts.do(t, "POST", "/logout", http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}})
	set := res.Header.Values("Set-Cookie")
	if len(set) == 0 {
		t.Fatal("sign-out set no cookie")
	}
	for _, c := range set {
		if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
			t.Errorf("Set-Cookie %q lacks HttpOnly or SameSite", c)
		}
	}
}

func TestPanicGivesThe500PageAndServingGoesOn(t *testing.T) {
	ts := newTestServer(t)
	ts.srv.mux.HandleFunc("GET /test/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })

	res, body := ts.do(t, "GET", "/test/panic", nil)
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", res.StatusCode)
	}
	id := res.Header.Get("X-Request-Id")
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	if got := doc.Find("#error-page .ref code").Text(); got != id || id == "" {
		t.Fatalf("500 page shows reference %q, want the request ID %q", got, id)
	}
	if strings.Contains(body, "boom") {
		t.Fatal("panic value leaked to the page")
	}
	if !strings.Contains(ts.logs.String(), "boom") || !strings.Contains(ts.logs.String(), id) {
		t.Fatal("panic not logged with its request ID")
	}
	if res, _ := ts.do(t, "GET", "/healthz", nil); res.StatusCode != 200 {
		t.Fatalf("next request: %d", res.StatusCode)
	}
}

func TestErrorPagesTellWhatToDo(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct {
		code      string
		status    int
		wantTitle string
	}{
		{portal.EFORBIDDEN, 403, "You don't have access to this"},
		{portal.ENOTFOUND, 404, "Page not found"},
		{portal.EGONE, 410, "This link no longer works"},
		{portal.EINTERNAL, 500, "Something went wrong on our side"},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/x", nil)
			ts.srv.fail(w, r, portal.Refuse(c.code, portal.RChangedMeanwhile))
			if w.Code != c.status {
				t.Fatalf("status %d, want %d", w.Code, c.status)
			}
			doc, _ := goquery.NewDocumentFromReader(w.Body)
			if got := doc.Find("#error-page h1").Text(); got != c.wantTitle {
				t.Errorf("title %q, want %q", got, c.wantTitle)
			}
			if got := doc.Find("#error-page .error-message").Text(); got != "This changed while you were working on it. Reload the page and try again." {
				t.Errorf("message %q", got)
			}
			if doc.Find(`#error-page a[href="/"]`).Length() != 1 {
				t.Error("no way back to the home page")
			}
		})
	}
	t.Run("htmx requests get an alert in the message area", func(t *testing.T) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/x", nil)
		r.Header.Set("HX-Request", "true")
		ts.srv.fail(w, r, portal.Refuse(portal.ECONFLICT, portal.RChangedMeanwhile))
		if w.Code != 409 || w.Header().Get("HX-Retarget") != "#flash" || w.Header().Get("HX-Reselect") != ".alert" {
			t.Fatalf("status %d retarget %q", w.Code, w.Header().Get("HX-Retarget"))
		}
		if !strings.Contains(w.Body.String(), "This changed while you were working on it.") || strings.Contains(w.Body.String(), "<html") {
			t.Fatalf("fragment = %q", w.Body.String())
		}
	})
	t.Run("internal errors hide their text", func(t *testing.T) {
		w := httptest.NewRecorder()
		ts.srv.fail(w, httptest.NewRequest("GET", "/x", nil), io.ErrUnexpectedEOF)
		if strings.Contains(w.Body.String(), "unexpected EOF") || !strings.Contains(w.Body.String(), "Internal error.") {
			t.Fatal("internal error text leaked or generic message missing")
		}
	})
	t.Run("an htmx alert without a sentence names the status in the reader's words", func(t *testing.T) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/x", nil)
		r.Header.Set("HX-Request", "true")
		ts.srv.renderError(w, r, http.StatusNotFound, "")
		if !strings.Contains(w.Body.String(), "Page not found") {
			t.Fatalf("fragment = %q, want the error page's title rather than net/http's status text", w.Body.String())
		}
	})
}

func TestHealthz(t *testing.T) {
	ts := newTestServer(t)
	res, body := ts.do(t, "GET", "/healthz", nil)
	if res.StatusCode != 200 || body != "ok" {
		t.Fatalf("healthz = %d %q", res.StatusCode, body)
	}
	const plain = "text/plain; charset=utf-8"
	if got := res.Header.Get("Content-Type"); got != plain {
		t.Errorf("healthz Content-Type = %q, want %q", got, plain)
	}
	ts.db.Close()
	res, body = ts.do(t, "GET", "/healthz", nil)
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with a closed database = %d, want 503", res.StatusCode)
	}
	if got := res.Header.Get("Content-Type"); got != plain || body != "database unavailable\n" {
		t.Errorf("healthz with a closed database: Content-Type %q, body %q", got, body)
	}
}

// A signed-in person whose database is unreachable is told the portal is
// unavailable, not that they are signed out.
func TestDatabaseOutageIsNotASignOut(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	ts.db.Close()
	for _, path := range []string{"/", "/channels"} {
		p := dev.get(ts.URL + path)
		if p.res.StatusCode != http.StatusServiceUnavailable || p.doc.Find("#error-page").Length() != 1 {
			t.Errorf("%s with the database closed: %d %q; want the 503 page", path, p.res.StatusCode, p.doc.Find("main").Text())
		}
	}
}

func TestReadyz(t *testing.T) {
	ts := newTestServer(t)
	if res, body := ts.do(t, "GET", "/readyz", nil); res.StatusCode != 200 || body != "ready" {
		t.Fatalf("readyz = %d %q", res.StatusCode, body)
	}
	ts.srv.Drain()
	if res, body := ts.do(t, "GET", "/readyz", nil); res.StatusCode != http.StatusServiceUnavailable || body != "draining\n" {
		t.Fatalf("readyz while draining = %d %q, want 503", res.StatusCode, body)
	}
	// Draining is for the load balancer: requests that still arrive are served.
	if res, _ := ts.do(t, "GET", "/healthz", nil); res.StatusCode != 200 {
		t.Fatalf("healthz while draining = %d", res.StatusCode)
	}
}

func TestAccessLogHasNoPathsOrQueries(t *testing.T) {
	ts := newTestServer(t)
	ts.do(t, "GET", "/link/SECRET-TOKEN-123?code=SECRET-CODE", nil)
	logs := ts.logs.String()
	if !strings.Contains(logs, "msg=request") {
		t.Fatal("no access log line")
	}
	if strings.Contains(logs, "SECRET") {
		t.Fatalf("a path or query reached the log:\n%s", logs)
	}
	// It says who sent the request (here over loopback, with no proxy).
	if !strings.Contains(logs, "client=127.0.0.1 ") {
		t.Errorf("the access log does not name the client:\n%s", logs)
	}
}

// Messages a client never reads (it doesn't follow redirects) must not
// pile up: the latest replaces one not shown. And a message costs no
// write transaction.
func TestFlashReplacesOneNotShown(t *testing.T) {
	ts := newTestServer(t)
	before := ts.db.Stats()
	var cookie *http.Cookie
	for i := range 20 {
		r := httptest.NewRequest("POST", "/", nil)
		if cookie != nil {
			r.AddCookie(cookie)
		}
		w := httptest.NewRecorder()
		ts.srv.redirectWithFlash(w, r, "/", "success", "message", "N", i, "Status", msgID("review.verified"))
		cookie = flashCookieOf(t, w.Result())
	}
	if after := ts.db.Stats(); after.Transactions != before.Transactions {
		t.Errorf("20 messages cost %d write transactions", after.Transactions-before.Transactions)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(cookie)
	f, ok := ts.srv.takeFlash(httptest.NewRecorder(), r)
	if !ok || f.ID != "message" || len(f.Args) != 4 || f.Args[1] != 19 || f.Args[3] != msgID("review.verified") {
		t.Fatalf("the cookie holds %+v (%v), want the last message with its integer and message parameters", f, ok)
	}
}

// flashCookieOf returns the flash cookie res sets.
func flashCookieOf(t *testing.T, res *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == "portal_flash" {
			return c
		}
	}
	t.Fatalf("no flash cookie set: %v", res.Header["Set-Cookie"])
	return nil
}

// A message travels sealed: the browser can neither read it nor make one
// up, and a page shows it once and drops it.
func TestFlashIsSealedAndShownOnce(t *testing.T) {
	ts := newTestServer(t)
	w := httptest.NewRecorder()
	ts.srv.redirectWithFlash(w, httptest.NewRequest("POST", "/", nil), "/", "success", "Saved the Sakura draft.")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("status %d", w.Code)
	}
	cookie := flashCookieOf(t, w.Result())
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.MaxAge <= 0 {
		t.Errorf("flash cookie attributes: %+v", cookie)
	}
	if strings.Contains(cookie.Value, "Sakura") || strings.Contains(cookie.Value, "success") {
		t.Fatalf("the message is readable in the cookie: %s", cookie.Value)
	}
	home := func(c *http.Cookie) (*http.Response, string) {
		return ts.do(t, "GET", "/", http.Header{"Cookie": {c.String()}})
	}
	res, body := home(cookie)
	if n := strings.Count(body, "Saved the Sakura draft."); n != 1 {
		t.Fatalf("the page shows the message %d times", n)
	}
	if dropped := flashCookieOf(t, res); dropped.MaxAge >= 0 {
		t.Fatalf("the page did not drop the shown message: %+v", dropped)
	}

	// Tampered with, or sealed with a key the portal does not have: not
	// shown.
	forged := *cookie
	forged.Value = cookie.Value[:len(cookie.Value)-4] + "AAAA"
	otherBox, err := secret.New([32]byte{8})
	if err != nil {
		t.Fatal(err)
	}
	ownBox := ts.srv.cfg.Secrets
	ts.srv.cfg.Secrets = otherBox // another portal's key, for this one cookie
	w = httptest.NewRecorder()
	err = ts.srv.setFlash(w, flash{Kind: "success", ID: "Forged message."})
	ts.srv.cfg.Secrets = ownBox
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*http.Cookie{&forged, flashCookieOf(t, w.Result())} {
		if _, body := home(c); strings.Contains(body, "Sakura") || strings.Contains(body, "Forged") {
			t.Errorf("a forged cookie's message is shown")
		}
	}
}

// A request that loaded the session before it was ended elsewhere, and
// saves it afterwards, must not bring it back.
func TestEndedSessionStaysEnded(t *testing.T) {
	ts := newTestServer(t)
	cookie := ts.mustSession(t, map[any]any{keyAdminID: int64(1)})
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(cookie)
	sess, err := ts.srv.sessions.Get(r, cookie.Name)
	if err != nil || sess.IsNew {
		t.Fatalf("loading the session: new=%v %v", sess.IsNew, err)
	}
	var id string
	if err := securecookie.New(testKey, nil).Decode(cookie.Name, cookie.Value, &id); err != nil {
		t.Fatal(err)
	}
	if err := ts.db.DeleteSession(t.Context(), id); err != nil { // signed out in another tab
		t.Fatal(err)
	}
	sess.Values["late"] = true
	if err := sess.Save(r, httptest.NewRecorder()); err != nil {
		t.Fatal(err)
	}
	if values := ts.loadSession(t, cookie); len(values) != 0 {
		t.Fatalf("the ended session came back: %v", values)
	}
}
