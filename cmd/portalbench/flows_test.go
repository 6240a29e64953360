package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"lineportal/internal/dataset"
	"lineportal/internal/secret"
	"lineportal/internal/simulated"
	"lineportal/store"
	"lineportal/web"
)

// testPortal is a portal served in-process: its base URL, and its
// database and secret box, for tests to look behind the pages.
type testPortal struct {
	url string
	db  *store.DB
	box *secret.Box
}

// startTestPortal serves the portal in-process on the database at dbPath,
// with LINE Login on a simulator seeded with the demo users, as `portal
// serve` does.
func startTestPortal(t *testing.T, dbPath string) testPortal {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
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
	box, err := secret.New([32]byte{7})
	if err != nil {
		t.Fatal(err)
	}
	// With the module demo, as `portal serve` seeds it: it brings the
	// Official Account the webhook scenario's bot is.
	onSim, err := simulated.Start(ctx, db, box, simulated.Options{
		SimulatorURL: simTS.URL, Serve: func(h http.Handler) { simMux.Handle("/", h) },
		PortalURL: ts.URL, BotPrompt: "normal", Module: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { onSim.Simulator.Close() })
	base, _ := url.Parse(ts.URL)
	srv, err := web.New(web.Config{
		BaseURL:       base,
		SessionKeys:   [][]byte{bytes.Repeat([]byte("k"), 32)},
		SessionLimits: store.SessionLimits{Idle: time.Hour, Absolute: time.Hour},
		Login:         onSim.Login,
		LINE:          onSim.LINE,
		Secrets:       box,
		SimulatorURL:  simTS.URL + "/sim/",
	}, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	portalMux.Handle("/", srv)
	return testPortal{url: ts.URL, db: db, box: box}
}

// The data scenarios, on a small data set of the same shape, must get the
// status they expect from the real handlers, and the pages must show what
// the scenario names promise: the generated rows pass the domain's rules.
func TestDataScenariosAgainstThePortal(t *testing.T) {
	ctx := context.Background()
	l := dataset.Layout{Linked: 30, Send: 10, Approve: 10, RequestsEach: 3, DeepExtra: 25, RejectEvery: 7}
	path := filepath.Join(t.TempDir(), "portal.db")
	if err := generate(ctx, path, l, time.Now()); err != nil {
		t.Fatal(err)
	}
	baseURL := startTestPortal(t, path).url
	fx, err := newFixture(ctx, http.DefaultTransport, baseURL, l, 2, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	bodies := map[string]*goquery.Document{}
	for _, sc := range dataScenarios(fx) {
		if sc.Setup != nil {
			if err := sc.Setup(ctx, client, baseURL); err != nil {
				t.Fatalf("%s: setup: %v", sc.Name, err)
			}
		}
		next, err := sc.requester(ctx, baseURL, 1)
		if err != nil {
			t.Fatal(err)
		}
		for seq := range 3 {
			req, err := next(seq)
			if err != nil {
				t.Fatalf("%s: %v", sc.Name, err)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Name == "send-link-request" {
				page, err := followSend(ctx, client, req.Header, res)
				if err != nil {
					t.Fatalf("%s: %v", sc.Name, err)
				}
				if _, err := issuedToken(page); err != nil {
					t.Fatalf("%s: %v", sc.Name, err)
				}
				continue
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != sc.Want {
				t.Fatalf("%s: %s %s answered %d, want %d: %.500s", sc.Name, req.Method, req.URL, res.StatusCode, sc.Want, body)
			}
			bodies[sc.Name], _ = goquery.NewDocumentFromReader(bytes.NewReader(body))
		}
	}

	if got := bodies["channel-page"].Find("#link-request-history tbody tr").Length(); got == 0 {
		t.Error("channel-page shows no link requests")
	}
	if got := bodies["channel-page"].Find("#linked-org-id").Text(); got != dataset.BigOrgID {
		t.Errorf("channel-page: linked to %q, want %s", got, dataset.BigOrgID)
	}
	mid, _ := strconv.ParseInt(l.MidLinkCursor(), 10, 64)
	rows := func(name string) (ids []int64, statuses []string) {
		bodies[name].Find("#accounts tbody tr").Each(func(_ int, tr *goquery.Selection) {
			id, _ := strconv.ParseInt(tr.AttrOr("data-channel-id", ""), 10, 64)
			ids = append(ids, id)
			statuses = append(statuses, tr.Find(".review-cell").Text())
		})
		return ids, statuses
	}
	if ids, _ := rows("accounts-page"); len(ids) != min(l.Linked, web.AccountsPageRows) {
		t.Errorf("accounts-page lists %d channels, want a full page of the %d linked", len(ids), l.Linked)
	}
	if ids, _ := rows("accounts-page-deep"); len(ids) == 0 || ids[0] >= mid {
		t.Errorf("accounts-page-deep lists channels %v, want some, all below %d", ids, mid)
	}
	ids, statuses := rows("accounts-rejected-deep")
	if len(ids) == 0 {
		t.Error("accounts-rejected-deep lists nothing")
	}
	for i, s := range statuses {
		if s != "Rejected" || ids[i] >= mid {
			t.Errorf("accounts-rejected-deep lists channel %d with %q", ids[i], s)
		}
	}
}

func TestFormPost(t *testing.T) {
	page, _ := url.Parse("http://sim.example/oauth2/v2.1/authorize?x=1")
	html := `<form method="post" action="/authorize/pick">
		<input type="hidden" name="request" value="r1">
		<input type="radio" name="user" value="U1" checked>
		<input type="radio" name="user" value="U2">
		<input type="checkbox" name="add_friend" value="yes">
		<input type="text" name="new_user_name" value="">
		<button name="action" value="next">Next</button>
	</form><form action="/other"><input name="x" value="y"></form>`
	action, values, err := formPost(page, []byte(html), url.Values{"user": {"U2"}, "action": {"next"}})
	if err != nil {
		t.Fatal(err)
	}
	if action != "http://sim.example/authorize/pick" {
		t.Errorf("action = %q", action)
	}
	want := url.Values{"request": {"r1"}, "user": {"U2"}, "new_user_name": {""}, "action": {"next"}}
	if values.Encode() != want.Encode() {
		t.Errorf("values = %v, want %v", values, want)
	}
	if _, _, err := formPost(page, []byte("<p>no form</p>"), nil); err == nil {
		t.Error("a page without a form gave no error")
	}
}

func TestIssuedToken(t *testing.T) {
	field := func(v string) []byte {
		return []byte(`<div class="copy-field"><input type="text" id="link-request-url" value="` + v + `" readonly></div>`)
	}
	if got, err := issuedToken(field("http://127.0.0.1:8080/link/ABCDEF234567")); err != nil || got != "ABCDEF234567" {
		t.Errorf("issuedToken = %q, %v", got, err)
	}
	for _, bad := range [][]byte{[]byte("<p>refused</p>"), field("http://127.0.0.1/channels/1"), field("http://127.0.0.1/link/"), field("http://127.0.0.1/link/a/b")} {
		if got, err := issuedToken(bad); err == nil {
			t.Errorf("issuedToken(%s) = %q, want an error", bad, got)
		}
	}
}

func TestTokenPoolHandsOutEachTokenOnce(t *testing.T) {
	p := &tokenPool{tokens: []string{"a", "b"}}
	for _, want := range []string{"a", "b"} {
		if got, err := p.take(); err != nil || got != want {
			t.Fatalf("take = %q, %v; want %q", got, err, want)
		}
	}
	if got, err := p.take(); err == nil {
		t.Fatalf("take after the last token = %q, want an error", got)
	}
}
