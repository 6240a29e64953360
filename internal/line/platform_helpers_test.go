package line_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"lineportal/internal/locale"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/line"
	"lineportal/internal/line/linetest"
	"lineportal/internal/linesim"
)

const (
	botHeader      = "X-Test-Bot-Id" // the simulator and the platform agree on it, as LINE and a partner do
	attachCallback = "https://portal.example/modules/callback"
	secondModule   = "2000000102"
	secondSecret   = "second-module-secret-0123456789ab"
)

var lineRequestID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// simClock is the simulator's and the platform's clock.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sent is a request the platform sent, as the simulator received it.
type sent struct {
	method, path, query, authorization, botHeader, contentType string
	body                                                       string
	status                                                     int
}

// recorder is the platform's transport: it records every request.
type recorder struct {
	mu   sync.Mutex
	sent []sent
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	s := sent{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Get("Authorization"), req.Header.Get(botHeader), req.Header.Get("Content-Type"), string(body), 0}
	if err == nil {
		s.status = resp.StatusCode
	}
	r.mu.Lock()
	r.sent = append(r.sent, s)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) all() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent{}, r.sent...)
}

func (r *recorder) last(t *testing.T) sent {
	t.Helper()
	all := r.all()
	if len(all) == 0 {
		t.Fatal("no request was sent")
	}
	return all[len(all)-1]
}

// platformFixture is the simulator over loopback, seeded with both demos,
// a Platform pointed at it and the demo module's webhook receiver, which
// parses every request with ParseWebhook.
type platformFixture struct {
	t      *testing.T
	sim    *linesim.Server
	base   string
	clock  *simClock
	p      *line.Platform
	rec    *recorder
	demo   linesim.DemoData
	mod    linesim.ModuleDemoData
	events chan linetest.Event
}

func newPlatformFixture(t *testing.T) *platformFixture {
	t.Helper()
	clock := &simClock{t: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	sim, err := linesim.New(linesim.Config{BaseURL: base, Now: clock.Now, BotIDHeader: botHeader})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = sim.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = sim.Close() })

	f := &platformFixture{t: t, sim: sim, base: base, clock: clock, rec: &recorder{}, events: make(chan linetest.Event, 100)}
	f.demo, err = sim.SeedDemo(linesim.LoginChannel{ID: "2000000001", Secret: channelSecret, RedirectURIs: []string{"https://portal.example/auth/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	hook := f.receiver(func() string { return f.mod.Channel.Secret })
	f.mod, err = sim.SeedModuleDemo(linesim.ModuleDemoCredentials{}, attachCallback, hook)
	if err != nil {
		t.Fatal(err)
	}
	f.p, err = line.NewPlatform(line.PlatformConfig{
		APIBaseURL: base, ManagerBaseURL: base, BotIDHeader: botHeader,
		HTTPClient: &http.Client{Transport: f.rec}, Now: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// receiver serves a webhook endpoint that verifies and parses with
// ParseWebhook and passes the events on; it answers 400 to a bad
// signature, as the portal's receiver does.
func (f *platformFixture) receiver(secret func() string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		events, err := linetest.ParseWebhook(secret(), body, r.Header.Get("X-Line-Signature"))
		if err != nil {
			f.t.Errorf("webhook: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, e := range events {
			f.events <- e
		}
	}))
	f.t.Cleanup(srv.Close)
	return srv.URL + "/webhooks/line/" + linesim.DemoModuleChannelID
}

// event waits for the next webhook event of the demo module.
func (f *platformFixture) event() linetest.Event {
	f.t.Helper()
	select {
	case e := <-f.events:
		return e
	case <-time.After(5 * time.Second):
		f.t.Fatal("no webhook event within 5 s")
		return linetest.Event{}
	}
}

func (f *platformFixture) botID() string { return f.mod.OfficialAccount.BotID }

func (f *platformFixture) chatID(i int) string {
	return linesim.ModuleUserID(f.botID(), f.mod.Friends[i].ID)
}

// attach attaches the demo module to Sakura Cafe and consumes the event.
func (f *platformFixture) attach(scopes ...string) {
	f.t.Helper()
	if err := f.sim.AttachModule(f.mod.Channel.ID, f.botID(), scopes); err != nil {
		f.t.Fatal(err)
	}
	if e := f.event(); e.ModuleType != "attached" {
		f.t.Fatalf("event %+v, want attached", e)
	}
}

// approve opens an attach URL as a browser would, approves the attachment
// to Sakura Cafe on the simulator's screen and returns the callback query.
func (f *platformFixture) approve(attachURL string) url.Values {
	f.t.Helper()
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(attachURL)
	if err != nil {
		f.t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		f.t.Fatalf("authorization screen: %d %v", resp.StatusCode, err)
	}
	form := url.Values{"request": {doc.Find(`input[name="request"]`).AttrOr("value", "")}, "action": {"approve"}, "bot": {f.botID()}}
	resp, err = browser.PostForm(f.base+doc.Find("form").AttrOr("action", ""), form)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		f.t.Fatalf("approve: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

// secondModuleToken registers a second module attached to Sakura Cafe with
// message:receive and returns its token.
func (f *platformFixture) secondModuleToken() string {
	f.t.Helper()
	if err := f.sim.AddModuleChannel(linesim.ModuleChannel{ID: secondModule, Secret: secondSecret, RedirectURIs: []string{attachCallback}}); err != nil {
		f.t.Fatal(err)
	}
	if err := f.sim.AttachModule(secondModule, f.botID(), []string{"message:receive"}); err != nil {
		f.t.Fatal(err)
	}
	token, err := f.sim.IssueChannelToken(secondModule)
	if err != nil {
		f.t.Fatal(err)
	}
	return token
}

// explained checks that err is an *APIError with status, explained with
// want and LINE's request ID.
func explained(t *testing.T, err error, status int, want string) {
	t.Helper()
	apiErr, ok := err.(*line.APIError)
	if !ok {
		t.Fatalf("err = %v (%T), want *line.APIError", err, err)
	}
	if apiErr.Status != status {
		t.Errorf("status = %d, want %d (%v)", apiErr.Status, status, err)
	}
	e := line.Explain(err)
	if got := english(line.Refusal(err, "")); got != want+" (LINE request ID: "+e.RequestID+")" {
		t.Errorf("explanation = %q\n want %q with LINE's request ID", got, want)
	}
	if !lineRequestID.MatchString(e.RequestID) || e.RequestID != apiErr.RequestID {
		t.Errorf("request ID = %q, LINE's %q", e.RequestID, apiErr.RequestID)
	}
}

// refusedLocally checks that err is an *InputError explained with want and
// that nothing was sent.
func (f *platformFixture) refusedLocally(err error, before int, want string) {
	f.t.Helper()
	if _, ok := err.(*line.InputError); !ok {
		f.t.Errorf("err = %v (%T), want *line.InputError", err, err)
	}
	if got := english(line.Refusal(err, "")); got != want || line.Explain(err).RequestID != "" {
		f.t.Errorf("explanation = %q, want %q", got, want)
	}
	if n := len(f.rec.all()); n != before {
		f.t.Errorf("%d requests sent for a refused call", n-before)
	}
}

func pkceS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// english is the sentence an English reader sees for err.
func english(err error) string { return locale.New("en", "UTC").Refusal(err) }
