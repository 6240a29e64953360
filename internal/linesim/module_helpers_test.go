package linesim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"lineportal/internal/linesim"
)

const (
	moduleCallback = "https://portal.example/modules/callback"

	// secondModuleID is a second module channel, attached in some tests to
	// compete for chat control.
	secondModuleID     = "2000000102"
	secondModuleSecret = "second-module-secret-0123456789ab"
)

// webhookRequest is one request a receiver got.
type webhookRequest struct {
	header http.Header
	body   []byte
}

// webhookBody is a request body as a test reads it.
type webhookBody struct {
	Destination string           `json:"destination"`
	Events      []map[string]any `json:"events"`
}

func (r webhookRequest) decode(t *testing.T) webhookBody {
	t.Helper()
	var b webhookBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("webhook body %s: %v", r.body, err)
	}
	return b
}

// receiver is a webhook endpoint over loopback that records each request,
// then answers the nth (from 1) with status(n). status may block to hold the
// simulator's delivery worker.
type receiver struct {
	url string
	got chan webhookRequest
	mu  sync.Mutex
	n   int
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	t.Helper()
	rc := &receiver{got: make(chan webhookRequest, 1000)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.n++
		n := rc.n
		rc.mu.Unlock()
		rc.got <- webhookRequest{header: r.Header.Clone(), body: body}
		w.WriteHeader(status(n))
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/webhooks/line/" + linesim.DemoModuleChannelID
	return rc
}

func always(status int) func(int) int { return func(int) int { return status } }

// next waits for the next request.
func (rc *receiver) next(t *testing.T) webhookRequest {
	t.Helper()
	select {
	case r := <-rc.got:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook request within 5 s")
		return webhookRequest{}
	}
}

// events waits until n events arrived and returns them in order.
func (rc *receiver) events(t *testing.T, n int) []map[string]any {
	t.Helper()
	var events []map[string]any
	for len(events) < n {
		events = append(events, rc.next(t).decode(t).Events...)
	}
	if len(events) != n {
		t.Fatalf("got %d events, want %d: %v", len(events), n, events)
	}
	return events
}

// quiet checks that no request arrives for a moment.
func (rc *receiver) quiet(t *testing.T) {
	t.Helper()
	select {
	case r := <-rc.got:
		t.Errorf("unexpected webhook: %s", r.body)
	case <-time.After(100 * time.Millisecond):
	}
}

// moduleFixture is a fixture with the module demo seeded; the demo module
// channel's webhooks go to hook.
type moduleFixture struct {
	*fixture
	mod  linesim.ModuleDemoData
	hook *receiver
}

func newModuleFixture(t *testing.T) *moduleFixture {
	t.Helper()
	return newModuleFixtureWith(t, linesim.Config{}, always(http.StatusOK))
}

func newModuleFixtureWith(t *testing.T, cfg linesim.Config, status func(int) int) *moduleFixture {
	t.Helper()
	f := newFixtureWith(t, cfg)
	hook := newReceiver(t, status)
	mod, err := f.sim.SeedModuleDemo(linesim.ModuleDemoCredentials{}, moduleCallback, hook.url)
	if err != nil {
		t.Fatalf("SeedModuleDemo: %v", err)
	}
	return &moduleFixture{fixture: f, mod: mod, hook: hook}
}

func (f *moduleFixture) botID() string { return f.mod.OfficialAccount.BotID }

// attach attaches the demo module to Sakura Cafe and consumes the attached
// event.
func (f *moduleFixture) attach(scopes ...string) {
	f.t.Helper()
	if err := f.sim.AttachModule(f.mod.Channel.ID, f.botID(), scopes); err != nil {
		f.t.Fatalf("AttachModule: %v", err)
	}
	f.hook.events(f.t, 1)
}

// chatID is the ID the demo module sees for a friend of Sakura Cafe.
func (f *moduleFixture) chatID(i int) string {
	return linesim.ModuleUserID(f.botID(), f.mod.Friends[i].ID)
}

// call sends a bot API request as the demo module for Sakura Cafe.
func (f *moduleFixture) call(method, path, body string) response {
	f.t.Helper()
	return f.callAs(f.mod.Token, method, path, body, http.Header{linesim.DefaultBotIDHeader: {f.botID()}})
}

func (f *moduleFixture) callAs(token, method, path, body string, header http.Header) response {
	f.t.Helper()
	h := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
	for k, v := range header {
		h[k] = v
	}
	return f.request(method, path, strings.NewReader(body), h)
}

// addSecondModule registers a second module channel, attached to Sakura
// Cafe with message:receive, whose webhooks go to its own receiver. It
// returns its token and receiver; the receiver has consumed the attached
// event.
func (f *moduleFixture) addSecondModule() (string, *receiver) {
	f.t.Helper()
	hook := newReceiver(f.t, always(http.StatusOK))
	if err := f.sim.AddModuleChannel(linesim.ModuleChannel{ID: secondModuleID, Secret: secondModuleSecret, RedirectURIs: []string{moduleCallback}, WebhookURL: hook.url}); err != nil {
		f.t.Fatalf("AddModuleChannel: %v", err)
	}
	if err := f.sim.AttachModule(secondModuleID, f.botID(), []string{"message:receive"}); err != nil {
		f.t.Fatalf("AttachModule: %v", err)
	}
	hook.events(f.t, 1)
	token, err := f.sim.IssueChannelToken(secondModuleID)
	if err != nil {
		f.t.Fatalf("IssueChannelToken: %v", err)
	}
	return token, hook
}
