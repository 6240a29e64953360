package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"lineportal/internal/dbtest"
)

// limitClients gives the test server a client limit, as `portal serve`
// does from PORTAL_CLIENT_LIMIT and PORTAL_TRUSTED_PROXIES.
func (ts *testServer) limitClients(limit ClientLimit, trusted ...string) *clientLimiter {
	var prefixes []netip.Prefix
	for _, p := range trusted {
		prefixes = append(prefixes, netip.MustParsePrefix(p))
	}
	ts.srv.clients = newClientLimiter(limit, prefixes)
	return ts.srv.clients
}

// newVisitorFrom is a visitor whose connections come from localIP, one of
// the loopback addresses (Linux routes all of 127.0.0.0/8 to loopback):
// another client, as the portal sees it.
func newVisitorFrom(t *testing.T, localIP string) *visitor {
	v := newVisitor(t)
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}}
	v.client.Transport = &http.Transport{DialContext: dialer.DialContext}
	return v
}

// getWith GETs path with extra headers.
func (v *visitor) getWith(rawURL string, header map[string]string) page {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	for k, val := range header {
		req.Header.Set(k, val)
	}
	res, err := v.client.Do(req)
	if err != nil {
		v.t.Fatalf("GET %s: %v", rawURL, err)
	}
	return v.read(res)
}

func TestClientLimit_RefusesTheRequestOverTheLimitAndRunsNothing(t *testing.T) {
	ts := newTestServer(t)
	ts.limitClients(ClientLimit{Burst: 3, Per: time.Minute})
	raw := rawDB(t)

	// Signing in takes two counted requests: GET /login and the callback.
	done, _ := ts.signIn(newVisitor(t), "/", ts.demo.Developer.ID, false)
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in within the limit answered %d", done.res.StatusCode)
	}
	before := dbtest.Tables(t, raw, "sessions", "admins", "audit_log")

	// The third counted request starts another sign-in; the fourth, its
	// callback, is over the limit.
	v := newVisitor(t)
	start := v.get(ts.URL + "/login")
	if start.res.StatusCode != http.StatusFound {
		t.Fatalf("third request answered %d, want 302", start.res.StatusCode)
	}
	authorize := v.follow(start)
	consent := v.follow(v.submit(authorize, "form", map[string][]string{"user": {ts.demo.Developer.ID}}, "action", "next"))
	callback := v.submit(consent, "form", nil, "action", "allow").location(t)
	refused := v.get(callback)
	if refused.res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth request answered %d, want 429", refused.res.StatusCode)
	}
	if ra := refused.res.Header.Get("Retry-After"); ra != "20" {
		t.Fatalf("Retry-After = %q, want 20 (a minute's 3 requests come back one every 20 s)", ra)
	}
	if c := refused.res.Header.Values("Set-Cookie"); len(c) != 0 {
		t.Fatalf("the refused callback set cookies: %v", c)
	}
	if refused.doc.Find(`#error-page[data-status="429"]`).Length() != 1 ||
		!strings.Contains(refused.body, "Try again in 20 seconds") {
		t.Fatalf("429 without the error page saying when to try again: %.600s", refused.body)
	}
	if after := dbtest.Tables(t, raw, "sessions", "admins", "audit_log"); after != before {
		t.Fatalf("the refused callback wrote to the database:\n%s", after)
	}

	// Refused in the reader's language, and refused again, not counted
	// twice into a longer wait.
	ja := newVisitor(t).getWith(ts.URL+"/login", map[string]string{"Accept-Language": "ja"})
	if ja.res.StatusCode != http.StatusTooManyRequests || !strings.Contains(ja.body, "20秒後にもう一度お試しください") {
		t.Fatalf("Japanese reader got %d: %.600s", ja.res.StatusCode, ja.body)
	}
	if loc := ja.res.Header.Get("Location"); loc != "" {
		t.Fatalf("the refused sign-in start still sent the browser to LINE: %s", loc)
	}

	// The budget comes back with time.
	ts.clock.advance(20 * time.Second)
	if p := newVisitor(t).get(ts.URL + "/login"); p.res.StatusCode != http.StatusFound {
		t.Fatalf("after the wait, sign-in start answered %d", p.res.StatusCode)
	}
}

func TestClientLimit_OtherClientsAndSignedInPagesAreNotLimited(t *testing.T) {
	ts := newTestServer(t)
	ts.limitClients(ClientLimit{Burst: 2, Per: time.Minute})

	signedIn := newVisitor(t)
	ts.signIn(signedIn, "/", ts.demo.Developer.ID, false) // both requests of 127.0.0.1's budget
	if p := newVisitor(t).get(ts.URL + "/channels"); p.res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("signed-out request over the limit answered %d, want 429", p.res.StatusCode)
	}
	for i := range 20 {
		for _, path := range []string{"/channels", "/", "/login", "/profile"} {
			p := signedIn.get(ts.URL + path)
			if p.res.StatusCode == http.StatusTooManyRequests {
				t.Fatalf("signed-in request %d to %s was limited", i, path)
			}
		}
	}

	other := newVisitorFrom(t, "127.0.0.2")
	for i := range 2 {
		if p := other.get(ts.URL + "/"); p.res.StatusCode != http.StatusOK {
			t.Fatalf("another client's request %d answered %d", i, p.res.StatusCode)
		}
	}
	if p := other.get(ts.URL + "/"); p.res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("another client over its own limit answered %d", p.res.StatusCode)
	}

	// LINE's webhooks, health checks and assets are not counted.
	for range 5 {
		if p := newVisitor(t).get(ts.URL + "/healthz"); p.res.StatusCode != http.StatusOK {
			t.Fatalf("/healthz answered %d", p.res.StatusCode)
		}
		res, _ := ts.do(t, http.MethodPost, "/webhooks/line/1234567890", nil)
		if res.StatusCode == http.StatusTooManyRequests {
			t.Fatal("a webhook delivery was limited")
		}
	}
}

func TestClientLimit_ForwardedForCountsOnlyFromTrustedProxies(t *testing.T) {
	ts := newTestServer(t)
	// 127.0.0.2 is the load balancer; 127.0.0.1 is a client reaching the
	// portal directly.
	ts.limitClients(ClientLimit{Burst: 2, Per: time.Minute}, "127.0.0.2/32", "10.0.0.0/8")

	direct := newVisitor(t)
	for i := range 6 {
		p := direct.getWith(ts.URL+"/", map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i)})
		if want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i < 2]; p.res.StatusCode != want {
			t.Fatalf("untrusted peer, request %d with a made-up X-Forwarded-For answered %d, want %d", i, p.res.StatusCode, want)
		}
	}

	proxy := newVisitorFrom(t, "127.0.0.2")
	get := func(xff string) int {
		return proxy.getWith(ts.URL+"/", map[string]string{"X-Forwarded-For": xff}).res.StatusCode
	}
	// The client 203.0.113.7, behind the load balancer and an inner
	// proxy (10.1.2.3), uses its budget; what it writes to the left of
	// its own address changes nothing.
	for i, xff := range []string{"203.0.113.7, 10.1.2.3", "203.0.113.7", "192.0.2.99, 203.0.113.7, 10.1.2.3"} {
		want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i < 2]
		if got := get(xff); got != want {
			t.Fatalf("via the trusted proxy, %q answered %d, want %d", xff, got, want)
		}
	}
	if got := get("203.0.113.8"); got != http.StatusOK {
		t.Fatalf("another client behind the trusted proxy answered %d", got)
	}
	// IPv6 clients count by their /64.
	if got := get("2001:db8:1:2::1"); got != http.StatusOK {
		t.Fatalf("first IPv6 request answered %d", got)
	}
	if got := get("2001:db8:1:2::2"); got != http.StatusOK {
		t.Fatalf("second IPv6 request answered %d", got)
	}
	if got := get("2001:db8:1:2:ffff::3"); got != http.StatusTooManyRequests {
		t.Fatalf("a third address of the same /64 answered %d, want 429", got)
	}
}

func TestClientLimit_MemoryStaysBounded(t *testing.T) {
	ts := newTestServer(t)
	l := ts.limitClients(ClientLimit{Burst: 1, Per: time.Minute}, "127.0.0.1/32")
	l.max = 100
	v := newVisitor(t)
	for i := range 1000 {
		xff := fmt.Sprintf("198.51.%d.%d", i/256, i%256)
		if p := v.getWith(ts.URL+"/", map[string]string{"X-Forwarded-For": xff}); p.res.StatusCode != http.StatusOK {
			t.Fatalf("client %d answered %d", i, p.res.StatusCode)
		}
		if n := l.tracked(); n > l.max {
			t.Fatalf("after %d clients the limiter holds %d, over its bound of %d", i+1, n, l.max)
		}
	}
	// Clients idle for a whole period are forgotten.
	ts.clock.advance(time.Minute)
	v.getWith(ts.URL+"/", map[string]string{"X-Forwarded-For": "192.0.2.1"})
	if n := l.tracked(); n != 1 {
		t.Fatalf("after a minute idle the limiter still holds %d clients, want 1", n)
	}
}
