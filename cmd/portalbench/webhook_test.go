package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lineportal/internal/demo"
	"lineportal/internal/line"
	"lineportal/internal/portal"
	"lineportal/internal/simulated"
	"lineportal/store"
)

// The platform spec's test vector (section C1).
func TestSignatureMatchesLINE(t *testing.T) {
	const secret = "8c570fa6dd201bb328f1c1eac23a96d8"
	body := []byte(`{"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]}`)
	const want = "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs="
	if got := signature(secret, body); got != want {
		t.Errorf("signature = %s, want %s", got, want)
	}
	if !line.ValidSignature(secret, body, want) {
		t.Error("validSignature refused LINE's signature")
	}
	for name, c := range map[string]struct {
		secret, sig string
		body        []byte
	}{
		"other body":   {secret, want, append([]byte(" "), body...)},
		"other secret": {strings.Repeat("0", 32), want, body},
		"no secret":    {"", want, body},
		"no signature": {secret, "", body},
		"not base64":   {secret, "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs", body},
		"short":        {secret, "GhRKmvmHys4Pi8DxkF4+EayaH0Oq", body},
	} {
		if line.ValidSignature(c.secret, c.body, c.sig) {
			t.Errorf("%s: validSignature accepted it", name)
		}
	}
}

func TestPutEventID(t *testing.T) {
	id := make([]byte, ulidLen)
	putEventID(id, 1, 2, 33)
	if got, want := string(id), "0000000001"+"0002"+"000000000011"; got != want {
		t.Errorf("putEventID = %s, want %s", got, want)
	}
	// A ULID's time is 48 bits: its first character is at most 7.
	putEventID(id, 1<<48-1, setupWorker, 1<<60-1)
	if got, want := string(id), "7ZZZZZZZZZ"+"ZZZZ"+"ZZZZZZZZZZZZ"; got != want {
		t.Errorf("putEventID at the maxima = %s, want %s", got, want)
	}
}

// batchIDs decodes a batch and returns its event IDs by type.
func batchIDs(t *testing.T, body []byte) (ids []string, types map[string]int) {
	t.Helper()
	var b struct {
		Destination string `json:"destination"`
		Events      []struct {
			Type           string `json:"type"`
			WebhookEventID string `json:"webhookEventId"`
		} `json:"events"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("batch is not JSON: %v", err)
	}
	if !portal.IsBotID(b.Destination) {
		t.Errorf("destination %q is not a bot ID", b.Destination)
	}
	types = map[string]int{}
	for _, e := range b.Events {
		ids = append(ids, e.WebhookEventID)
		types[e.Type]++
	}
	return ids, types
}

// Every event a run sends has an ID no other has: across workers, across
// batches of one worker, and across runs, where seq starts again at 0.
func TestWebhookBatchIDsAreUnique(t *testing.T) {
	const workers = 3
	sc := webhookScenario(fixture{workers: workers, webhook: webhookChannel{lineChannelID: benchLINEChannelID, secret: strings.Repeat("a", 32)}})
	batch := newWebhookBatch(time.Now(), workers)
	seen := map[string]bool{}
	add := func(ids ...string) {
		for _, id := range ids {
			if len(id) != ulidLen || strings.Trim(id, crockford) != "" {
				t.Fatalf("event ID %q is not a ULID", id)
			}
			if seen[id] {
				t.Fatalf("event ID %s sent twice", id)
			}
			seen[id] = true
		}
	}
	ids, _ := batchIDs(t, batch.attachedBody())
	add(ids...)
	for run := range 2 { // warm-up, then measured
		for seq := range 4 {
			for w := range workers {
				req, err := sc.Build(context.Background(), "http://127.0.0.1:1", w, seq)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(req.Body)
				if !line.ValidSignature(strings.Repeat("a", 32), body, req.Header.Get("X-Line-Signature")) {
					t.Fatalf("run %d, worker %d: batch not signed with the channel secret", run, w)
				}
				ids, types := batchIDs(t, body)
				if len(ids) != eventsPerBatch {
					t.Fatalf("batch has %d events, want %d", len(ids), eventsPerBatch)
				}
				for _, typ := range []string{"message", "postback", "follow", "unfollow", "activated", "deactivated"} {
					if types[typ] == 0 {
						t.Errorf("batch has no %s event: %v", typ, types)
					}
				}
				add(ids...)
			}
		}
	}
	if _, err := sc.Build(context.Background(), "http://127.0.0.1:1", workers, 0); err == nil {
		t.Error("a worker beyond the fixture's count got a batch")
	}
}

// A worker's batches come one after the other in LINE's time, a
// millisecond an event, from users no other worker's batches have: no
// event is older than what the worker's earlier batches did (a user's
// block, say), whatever order the workers' batches reach the portal in.
func TestWebhookBatchTimesAndUsers(t *testing.T) {
	batch := newWebhookBatch(time.Now(), 2)
	type event struct {
		Timestamp int64 `json:"timestamp"`
		Source    struct {
			UserID string `json:"userId"`
		} `json:"source"`
	}
	events := func(worker int) []event {
		t.Helper()
		body, err := batch.body(worker)
		if err != nil {
			t.Fatal(err)
		}
		var b struct{ Events []event }
		if err := json.Unmarshal(body, &b); err != nil {
			t.Fatalf("batch is not JSON: %v", err)
		}
		return b.Events
	}
	first, second, other := events(0), events(0), events(1)
	last := int64(0)
	for i, e := range append(first, second...) {
		if e.Timestamp <= last {
			t.Fatalf("worker 0's event %d at %d, not after %d", i, e.Timestamp, last)
		}
		last = e.Timestamp
	}
	users := map[string]bool{}
	for _, e := range first {
		users[e.Source.UserID] = true
	}
	if len(users) != benchUsers {
		t.Errorf("worker 0's batch has %d users, want %d", len(users), benchUsers)
	}
	for _, e := range other {
		if users[e.Source.UserID] || !strings.HasPrefix(e.Source.UserID, "U") || len(e.Source.UserID) != 33 {
			t.Fatalf("worker 1's user %q: worker 0's too, or not a user ID", e.Source.UserID)
		}
	}
}

func TestBareWebhook(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	srv := httptest.NewServer(bareWebhook(secret))
	defer srv.Close()
	body := newWebhookBatch(time.Now(), 1).attachedBody()
	for _, c := range []struct {
		name, sig string
		want      int
	}{
		{"signed", signature(secret, body), http.StatusOK},
		{"signed with another secret", signature(strings.Repeat("f", 32), body), http.StatusUnauthorized},
		{"unsigned", "", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/line/"+benchLINEChannelID, strings.NewReader(string(body)))
		req.Header.Set("X-Line-Signature", c.sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, res.StatusCode, c.want)
		}
	}
}

func TestIsModulePath(t *testing.T) {
	for loc, want := range map[string]bool{"/modules/12": true, "http://127.0.0.1:8080/modules/3?x=1": true,
		"/modules/": false, "/modules/new": false, "/channels/12": false, "/modules/1/attach": false} {
		if got := isModulePath(loc); got != want {
			t.Errorf("isModulePath(%q) = %v", loc, got)
		}
	}
}

// The webhook row against the real handlers: the setup registers the
// channel and attaches the bot, and every event of every batch, across
// two runs, is stored (none counted as a duplicate) and the state events
// apply.
func TestWebhookScenarioAgainstThePortal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "portal.db")
	people, err := simulated.DemoPeople()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, people); err != nil {
		t.Fatal(err)
	}
	db.Close()
	p := startTestPortal(t, path)

	const workers = 2
	fx := fixture{workers: workers, webhook: newWebhookChannel()}
	sc := webhookScenario(fx)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if err := sc.Setup(ctx, client, p.url); err != nil {
		t.Fatal(err)
	}

	const batches = 3
	for range 2 { // warm-up, then measured: seq starts again
		for seq := range batches {
			for w := range workers {
				req, err := sc.Build(ctx, p.url, w, seq)
				if err != nil {
					t.Fatal(err)
				}
				status, _, body, err := roundTrip(client, req)
				if err != nil {
					t.Fatal(err)
				}
				if status != sc.Want {
					t.Fatalf("worker %d batch %d: status %d, want %d: %s", w, seq, status, sc.Want, body)
				}
			}
		}
	}

	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	id := fx.webhook.lineChannelID
	count := func(query string, args ...any) int {
		var n int
		if err := raw.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const channel = `(SELECT id FROM channels WHERE line_channel_id = ?)`
	// The attached events: the simulator's (its delivery may still be on
	// its way) and the setup's own.
	if got, want := count(`SELECT count(*) FROM webhook_events WHERE channel_id = `+channel+` AND type <> 'module'`, id), 2*batches*workers*eventsPerBatch; got != want {
		t.Errorf("%d webhook events stored, want %d (every batch's events)", got, want)
	}
	if got := count(`SELECT count(*) FROM module_attachments WHERE state = 'attached' AND channel_id = `+channel, id); got != 1 {
		t.Errorf("%d attachments, want the bot attached", got)
	}
	if got := count(`SELECT count(*) FROM module_chat_controls WHERE attachment_id IN (SELECT id FROM module_attachments WHERE channel_id = `+channel+`)`, id); got == 0 {
		t.Error("no chat control: the activated events did not apply")
	}
	if got := count(`SELECT count(*) FROM oa_users WHERE bot_id = ?`, benchBotID); got == 0 {
		t.Error("no follower: the follow events did not apply")
	}
	// Every follow, unfollow, activated and deactivated applied: none came
	// from before what it would change.
	if got, want := count(`SELECT count(*) FROM webhook_events WHERE channel_id = `+channel+` AND type IN ('follow', 'unfollow', 'activated', 'deactivated')
		AND processed_at IS NOT NULL`, id), 2*batches*workers*eventsPerBatch*4/10; got != want {
		t.Errorf("%d of the follow, unfollow and chat control events applied, want %d", got, want)
	}
}
