package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lineportal/internal/line/linetest"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/internal/secret"
	"lineportal/store"
)

const (
	// hookSecret is the channel secret of the test's module channel,
	// registered with LINE channel ID hookChannel.
	hookSecret  = "8c570fa6dd201bb328f1c1eac23a96d8" // line-platform.md C1's test vector secret
	hookChannel = "2000000301"
	hookBot     = "U5fac33f633e72c192759f09afc41fa28"
)

// webhookTest is a test server whose store holds a module channel
// (hookChannel, hookSecret) and which has a key for credentials.
type webhookTest struct {
	*testServer
	box    *secret.Box
	admin  portal.Admin
	ch     portal.Channel
	client *http.Client
	seq    int
}

func newWebhookTest(t *testing.T) *webhookTest {
	t.Helper()
	ts := newTestServer(t)
	w := &webhookTest{testServer: ts, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}
	w.box = webhookBox(t, ts)
	var err error
	w.admin, err = ts.db.EnsureAdmin(context.Background(), ts.demo.Developer.ID, ts.demo.Developer.Name)
	if err != nil {
		t.Fatal(err)
	}
	w.ch = w.register(t, hookChannel, hookSecret)
	t.Cleanup(w.client.CloseIdleConnections)
	return w
}

// webhookBox gives the server a key for channel credentials.
func webhookBox(t *testing.T, ts *testServer) *secret.Box {
	t.Helper()
	box, err := secret.New([32]byte{4, 2})
	if err != nil {
		t.Fatal(err)
	}
	ts.srv.cfg.Secrets = box
	return box
}

func (w *webhookTest) register(t *testing.T, lineChannelID, channelSecret string) portal.Channel {
	t.Helper()
	ctx := context.Background()
	ch, err := w.db.RegisterModuleChannel(ctx, w.box, w.admin, portal.Channel{Provider: portal.Provider{Name: "Module provider " + lineChannelID}, Kind: portal.KindModule, LINEChannelID: lineChannelID,
		Name: "Webhook module", Region: portal.RegionJapan}, channelSecret, "test-token", time.Time{})

	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// post sends a webhook request. sig nil sends no X-Line-Signature header.
func (w *webhookTest) post(t *testing.T, lineChannelID string, body []byte, sig *string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.URL+"/webhooks/line/"+lineChannelID, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "LineBotWebhook/2.0")
	if sig != nil {
		req.Header.Set("X-Line-Signature", *sig)
	}
	res, err := w.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(res.Body)
	if res.Header.Get("Set-Cookie") != "" {
		t.Errorf("a webhook answer set a cookie: %q", res.Header.Get("Set-Cookie"))
	}
	return res.StatusCode, string(answer)
}

func sign(channelSecret string, body []byte) *string {
	s := linetest.Sign(channelSecret, body)
	return &s
}

func ptr(s string) *string { return &s }

// body is a webhook body as LINE formats it, with events that would each
// change state if stored: an attachment, a follow, a chat under control
// for the next hour.
func (w *webhookTest) body() []byte {
	w.seq++
	id := func(k int) string { return fmt.Sprintf("01HOOK%012d%08d", w.seq, k) }
	user := fmt.Sprintf("LU%032x-%s", w.seq, hookBot)
	now := time.Now().UnixMilli()
	return fmt.Appendf(nil, `{"destination":"%[1]s","events":[`+
		`{"type":"module","module":{"type":"attached","botId":"%[1]s","scopes":["message:send","message:receive"]},"webhookEventId":"%[2]s","deliveryContext":{"isRedelivery":false},"timestamp":%[6]d,"mode":"active"},`+
		`{"replyToken":"85cbe770fa8b4f45bbe077b1d4be4a36","type":"follow","mode":"active","timestamp":%[6]d,"source":{"type":"user","userId":"%[4]s"},"webhookEventId":"%[3]s","deliveryContext":{"isRedelivery":false},"follow":{"isUnblocked":false}},`+
		`{"type":"activated","chatControl":{"expireAt":%[7]d},"webhookEventId":"%[5]s","deliveryContext":{"isRedelivery":false},"timestamp":%[6]d,"source":{"type":"user","userId":"%[4]s"},"mode":"active"}`+
		`]}`, hookBot, id(1), id(2), user, id(3), now, now+3_600_000)
}

// assertNothingStored checks that no event, attachment or user record
// reached the database for the test's channel.
func (w *webhookTest) assertNothingStored(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	events, _, err := w.db.FindWebhookEvents(ctx, w.ch.ID, hookBot, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	atts, _, err := w.db.FindAttachments(ctx, w.ch.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 || len(atts) != 0 {
		t.Fatalf("a refused request stored %d events and %d attachments", len(events), len(atts))
	}
}

func TestWebhookTampering(t *testing.T) {
	w := newWebhookTest(t)
	const variants = 100
	rng := rand.New(rand.NewPCG(1, 2))
	type request struct {
		body []byte
		sig  *string
	}
	categories := map[string]func(i int) request{
		"missing header": func(int) request { return request{w.body(), nil} },
		"empty header":   func(int) request { return request{w.body(), ptr("")} },
		"not base64": func(i int) request {
			body := w.body()
			good := []byte(*sign(hookSecret, body))
			bad := "!*-_%.~:@"
			good[i%len(good)] = bad[i%len(bad)]
			return request{body, ptr(string(good))}
		},
		"wrong secret": func(int) request {
			body := w.body()
			other := fmt.Sprintf("%032x", rng.Uint64())
			return request{body, sign(other, body)}
		},
		"one body byte flipped": func(i int) request {
			body := w.body()
			sig := sign(hookSecret, body)
			flipped := bytes.Clone(body)
			flipped[(i*37)%len(flipped)] ^= 1 << (i % 8)
			return request{flipped, sig}
		},
		"signature over re-marshalled JSON": func(i int) request {
			body := w.body()
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			remarshalled, _ := json.Marshal(v) // sorted keys
			if i%2 == 1 {
				remarshalled, _ = json.MarshalIndent(v, "", " ")
			}
			if bytes.Equal(remarshalled, body) {
				t.Fatal("re-marshalling did not change the body")
			}
			return request{body, sign(hookSecret, remarshalled)}
		},
		"signature of another body": func(int) request {
			other := w.body()
			return request{w.body(), sign(hookSecret, other)}
		},
		"trailing whitespace": func(i int) request {
			body := w.body()
			sig := sign(hookSecret, body)
			ws := []string{" ", "\n", "\t", "\r\n", "\r"}
			var suffix strings.Builder
			for k := 0; k <= i%7; k++ {
				suffix.WriteString(ws[(i+k)%len(ws)])
			}
			return request{append(body, suffix.String()...), sig}
		},
	}
	for name, variant := range categories {
		t.Run(name, func(t *testing.T) {
			seen := map[string]bool{}
			for i := range variants {
				r := variant(i)
				key := string(r.body) + "|"
				if r.sig != nil {
					key += *r.sig
				}
				if seen[key] {
					t.Fatalf("variant %d repeats an earlier one", i)
				}
				seen[key] = true
				status, answer := w.post(t, hookChannel, r.body, r.sig)
				// Refused at the signature, before the body is parsed: a
				// flipped byte that breaks the JSON still reads "invalid
				// signature".
				if status != http.StatusBadRequest || answer != `{"message":"invalid signature"}` {
					t.Fatalf("variant %d: %d %s", i, status, answer)
				}
			}
			w.assertNothingStored(t)
		})
	}
	t.Run("the same requests, correctly signed, are taken", func(t *testing.T) {
		body := w.body()
		if status, answer := w.post(t, hookChannel, body, sign(hookSecret, body)); status != http.StatusOK || answer != "{}" {
			t.Fatalf("%d %s", status, answer)
		}
		events, _, err := w.db.FindWebhookEvents(context.Background(), w.ch.ID, hookBot, store.Page{})
		if err != nil || len(events) != 3 {
			t.Fatalf("%d events stored, %v", len(events), err)
		}
	})
	t.Run("nothing of a request reaches the log", func(t *testing.T) {
		logs := w.logs.String()
		for _, secretish := range []string{hookSecret, "85cbe770fa8b4f45bbe077b1d4be4a36", "LU0000", "01HOOK", "message:send"} {
			if strings.Contains(logs, secretish) {
				t.Errorf("the log holds %q", secretish)
			}
		}
		if got := strings.Count(logs, `msg="webhook refused"`); got != variants*len(categories) {
			t.Errorf("%d refusals logged, want %d", got, variants*len(categories))
		}
		if !strings.Contains(logs, "reason=\"invalid signature\"") || !strings.Contains(logs, "line_channel_id="+hookChannel) {
			t.Error("refusals are not logged with their reason and channel")
		}
	})
}

func TestWebhookSignatureTestVector(t *testing.T) {
	w := newWebhookTest(t)
	// line-platform.md C1: LINE's documented body, secret and signature.
	const (
		body = `{"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]}`
		sig  = "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs="
	)
	if status, answer := w.post(t, hookChannel, []byte(body), ptr(sig)); status != http.StatusOK || answer != "{}" {
		t.Fatalf("the documented test vector: %d %s", status, answer)
	}
	if status, _ := w.post(t, hookChannel, []byte(strings.Replace(body, "U8e", "U9e", 1)), ptr(sig)); status != http.StatusBadRequest {
		t.Fatalf("the vector's signature over another body: %d", status)
	}
	// The connectivity check stores nothing and is logged as 0 events.
	w.assertNothingStored(t)
	if !strings.Contains(w.logs.String(), "msg=webhook request_id=") || !strings.Contains(w.logs.String(), "events=0 stored=0") {
		t.Errorf("no log line for the connectivity check:\n%s", w.logs.String())
	}
}

func TestWebhookRefusals(t *testing.T) {
	w := newWebhookTest(t)
	w.register(t, "2000000302", "0123456789abcdef0123456789abcdef")
	noCreds, err := w.db.CreateChannelUnderAnyProvider(context.Background(), w.admin, portal.Channel{Provider: w.ch.Provider, Kind: portal.KindModule,
		LINEChannelID: "2000000303", Name: "No credentials", Region: portal.RegionJapan})
	if err != nil {
		t.Fatal(err)
	}
	valid := w.body()
	tests := []struct {
		name    string
		channel string
		body    []byte
		sig     *string
		status  int
		answer  string
	}{
		{"unknown channel", "2999999999", valid, sign(hookSecret, valid), 404, `{"message":"unknown channel"}`},
		{"a channel without credentials", noCreds.LINEChannelID, valid, sign(hookSecret, valid), 404, `{"message":"unknown channel"}`},
		{"not a channel ID", "..%2F..%2Fhealthz", valid, sign(hookSecret, valid), 404, `{"message":"unknown channel"}`},
		{"another channel's secret", "2000000302", valid, sign(hookSecret, valid), 400, `{"message":"invalid signature"}`},
		{"signed, not JSON", hookChannel, []byte(`{"destination":`), sign(hookSecret, []byte(`{"destination":`)), 400, `{"message":"invalid webhook body"}`},
		{"signed, events not a list", hookChannel, []byte(`{"events":{}}`), sign(hookSecret, []byte(`{"events":{}}`)), 400, `{"message":"invalid webhook body"}`},
		{"signed, an event without an ID", hookChannel, []byte(`{"destination":"` + hookBot + `","events":[{"type":"follow","mode":"active","timestamp":1}]}`),
			sign(hookSecret, []byte(`{"destination":"`+hookBot+`","events":[{"type":"follow","mode":"active","timestamp":1}]}`)), 400, `{"message":"invalid webhook event"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, answer := w.post(t, tt.channel, tt.body, tt.sig)
			if status != tt.status || answer != tt.answer {
				t.Fatalf("%d %s, want %d %s", status, answer, tt.status, tt.answer)
			}
			w.assertNothingStored(t)
		})
	}
	t.Run("a path that is no channel ID stays out of the log", func(t *testing.T) {
		junk := "SECRET-LOOKING-" + strings.Repeat("x", 200)
		if status, _ := w.post(t, junk, valid, sign(hookSecret, valid)); status != http.StatusNotFound {
			t.Fatalf("status %d", status)
		}
		if strings.Contains(w.logs.String(), "SECRET-LOOKING") {
			t.Fatal("the path reached the log")
		}
	})
}

func TestWebhookBodyLimit(t *testing.T) {
	w := newWebhookTest(t)
	// A signed message event padded to exactly MaxWebhookBody bytes.
	padded := func(size int) []byte {
		head := `{"destination":"` + hookBot + `","events":[{"type":"message","mode":"active","timestamp":1,"webhookEventId":"01PAD` +
			fmt.Sprint(size) + `","deliveryContext":{"isRedelivery":false},"message":{"type":"text","text":"`
		tail := `"}}]}`
		return []byte(head + strings.Repeat("a", size-len(head)-len(tail)) + tail)
	}
	t.Run("exactly the limit is taken", func(t *testing.T) {
		body := padded(MaxWebhookBody)
		if len(body) != MaxWebhookBody {
			t.Fatalf("body of %d bytes", len(body))
		}
		if status, answer := w.post(t, hookChannel, body, sign(hookSecret, body)); status != http.StatusOK {
			t.Fatalf("%d %s", status, answer)
		}
	})
	t.Run("one byte more is 413", func(t *testing.T) {
		body := padded(MaxWebhookBody + 1)
		if status, answer := w.post(t, hookChannel, body, sign(hookSecret, body)); status != http.StatusRequestEntityTooLarge || answer != `{"message":"request body too large"}` {
			t.Fatalf("%d %s", status, answer)
		}
	})
	t.Run("twice the limit is 413", func(t *testing.T) {
		body := padded(2 * MaxWebhookBody)
		if status, _ := w.post(t, hookChannel, body, sign(hookSecret, body)); status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d", status)
		}
	})
	t.Run("twice the limit without a Content-Length is 413", func(t *testing.T) {
		body := padded(2 * MaxWebhookBody)
		req, _ := http.NewRequest(http.MethodPost, w.URL+"/webhooks/line/"+hookChannel, io.MultiReader(bytes.NewReader(body)))
		req.Header.Set("X-Line-Signature", *sign(hookSecret, body))
		res, err := w.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if req.ContentLength != 0 || res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("chunked request: content length %d, status %d", req.ContentLength, res.StatusCode)
		}
	})
	events, _, err := w.db.FindWebhookEvents(context.Background(), w.ch.ID, hookBot, store.Page{})
	if err != nil || len(events) != 1 {
		t.Fatalf("%d events stored, want only the one within the limit (%v)", len(events), err)
	}
}

// Bodies larger than almost any batch are read a few at a time: slow
// senders of large bodies wait for a place, while ordinary batches pass,
// and a batch that waits too long is answered 503, which LINE redelivers.
func TestWebhookReadsLargeBodiesAFewAtATime(t *testing.T) {
	w := newWebhookTest(t)
	large := bytes.Repeat([]byte("a"), smallWebhookBody+1)
	// send posts a large body; done gets the answer's status. Its first
	// part is written at once, and the rest when finish is closed (nil: at
	// once, as LINE sends a batch).
	send := func(finish <-chan struct{}, done chan<- int) {
		pr, pw := io.Pipe()
		go func() {
			pw.Write(large[:smallWebhookBody])
			if finish != nil {
				<-finish
			}
			pw.Write(large[smallWebhookBody:])
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, w.URL+"/webhooks/line/"+hookChannel, pr)
		req.Header.Set("X-Line-Signature", "not checked before the body is read")
		res, err := w.client.Do(req)
		if err != nil {
			done <- 0
			return
		}
		res.Body.Close()
		done <- res.StatusCode
	}
	// Slow senders take every place.
	finish := make([]chan struct{}, maxLargeWebhookBodies)
	held := make(chan int, len(finish))
	for i := range finish {
		finish[i] = make(chan struct{})
		go send(finish[i], held)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(w.srv.largeWebhookBodies) < maxLargeWebhookBodies && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(w.srv.largeWebhookBodies); n != maxLargeWebhookBodies {
		t.Fatalf("%d large bodies being read, want %d", n, maxLargeWebhookBodies)
	}
	// An ordinary batch does not wait for them.
	body := w.body()
	if status, answer := w.post(t, hookChannel, body, sign(hookSecret, body)); status != http.StatusOK {
		t.Fatalf("an ordinary batch while large bodies are read: %d %s", status, answer)
	}
	// A large batch sent whole waits a little for a place, then is
	// answered 503.
	beyond := make(chan int, 1)
	go send(nil, beyond)
	select {
	case status := <-beyond:
		if status != http.StatusServiceUnavailable {
			t.Fatalf("a large body beyond the places was answered %d, want 503", status)
		}
	case <-time.After(largeWebhookBodyWait + 5*time.Second):
		t.Fatal("a large body beyond the places waited on")
	}
	select {
	case status := <-held:
		t.Fatalf("a slow sender was answered (%d) before it finished", status)
	default:
	}
	for _, f := range finish {
		close(f)
	}
	for range finish {
		if status := <-held; status != http.StatusBadRequest { // not signed: refused once read
			t.Errorf("a large body was answered %d, want 400 once read", status)
		}
	}
	if n := len(w.srv.largeWebhookBodies); n != 0 {
		t.Errorf("%d places still taken", n)
	}
}

// TestWebhookTakesLINEsLargestBatch: LINE sends up to 100 events a
// request, and a text message may be 10,000 characters; in Japanese that
// is 30,000 bytes each.
func TestWebhookTakesLINEsLargestBatch(t *testing.T) {
	w := newWebhookTest(t)
	text := strings.Repeat("あ", 10_000)
	var events []string
	for i := range 100 {
		events = append(events, fmt.Sprintf(`{"type":"message","mode":"active","timestamp":%d,"webhookEventId":"01BIG%021d","deliveryContext":{"isRedelivery":false},`+
			`"source":{"type":"user","userId":"U%032d"},"replyToken":"r%d","message":{"id":"%d","type":"text","text":"%s"}}`, time.Now().UnixMilli(), i, i, i, i, text))
	}
	body := []byte(`{"destination":"` + hookBot + `","events":[` + strings.Join(events, ",") + `]}`)
	if len(body) < 3_000_000 {
		t.Fatalf("the batch is %d bytes, want the size LINE can send", len(body))
	}
	if status, answer := w.post(t, hookChannel, body, sign(hookSecret, body)); status != http.StatusOK {
		t.Fatalf("%d %s", status, answer)
	}
	stored, _, err := w.db.FindWebhookEvents(context.Background(), w.ch.ID, hookBot, store.Page{Limit: store.MaxPageSize})
	if err != nil || len(stored) != 100 {
		t.Fatalf("%d events stored, want the batch's 100 (%v)", len(stored), err)
	}
}

func TestWebhookRouteMethodsAndOrigins(t *testing.T) {
	w := newWebhookTest(t)
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		t.Run(method+" is 405", func(t *testing.T) {
			res, _ := w.do(t, method, "/webhooks/line/"+hookChannel, nil)
			if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" {
				t.Fatalf("status %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
			}
		})
	}
	t.Run("server to server passes cross-origin protection", func(t *testing.T) {
		body := w.body()
		// No Origin, no Sec-Fetch-Site, no cookie: what LINE sends.
		if status, _ := w.post(t, hookChannel, body, sign(hookSecret, body)); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
	})
	t.Run("a browser on another site is refused", func(t *testing.T) {
		body := w.body()
		req, _ := http.NewRequest(http.MethodPost, w.URL+"/webhooks/line/"+hookChannel, bytes.NewReader(body))
		req.Header.Set("X-Line-Signature", *sign(hookSecret, body))
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := w.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}

// TestWebhookDeliveredTenTimesAtOnce: LINE retrying while a delivery is
// still in flight, and a later redelivery, all answered 200; the events
// are stored and applied once.
func TestWebhookDeliveredTenTimesAtOnce(t *testing.T) {
	w := newWebhookTest(t)
	// The portal learned the attachment from LINE's code exchange (a
	// webhook alone never attaches); LINE's attached event adds a scope.
	if _, err := w.db.RecordAttachment(context.Background(), w.admin, w.ch.ID, portal.AttachedBot{BotID: hookBot, Scopes: []string{"message:send"}}); err != nil {
		t.Fatal(err)
	}
	body := w.body()
	sig := sign(hookSecret, body)
	statuses := make([]int, 10)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() { statuses[i], _ = w.post(t, hookChannel, body, sig) })
	}
	wg.Wait()
	redelivery := bytes.ReplaceAll(body, []byte(`"isRedelivery":false`), []byte(`"isRedelivery":true`))
	if status, _ := w.post(t, hookChannel, redelivery, sign(hookSecret, redelivery)); status != http.StatusOK {
		t.Fatalf("redelivery: %d", status)
	}
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("delivery %d: %d", i, s)
		}
	}
	ctx := context.Background()
	events, _, err := w.db.FindWebhookEvents(ctx, w.ch.ID, hookBot, store.Page{})
	if err != nil || len(events) != 3 {
		t.Fatalf("%d events, %v", len(events), err)
	}
	for _, e := range events {
		if e.IsRedelivery {
			t.Errorf("event %s took the redelivery's flag", e.Kind())
		}
	}
	// Processed once: across the eleven requests, three events stored and
	// applied, thirty duplicates.
	stored, applied, duplicates := 0, 0, 0
	for _, m := range regexp.MustCompile(`msg=webhook .* stored=(\d+) duplicates=(\d+) applied=(\d+)`).FindAllStringSubmatch(w.logs.String(), -1) {
		var s, d, a int
		fmt.Sscan(m[1], &s)
		fmt.Sscan(m[2], &d)
		fmt.Sscan(m[3], &a)
		stored, duplicates, applied = stored+s, duplicates+d, applied+a
	}
	if stored != 3 || applied != 3 || duplicates != 30 {
		t.Fatalf("stored %d, applied %d, duplicates %d", stored, applied, duplicates)
	}
	a, err := w.db.FindAttachment(ctx, w.ch.ID, hookBot)
	if err != nil || a.State != portal.Attached || a.ChatsUnderControl != 1 {
		t.Fatalf("attachment %+v, %v", a, err)
	}
}

// TestWebhookFromTheSimulator is the whole path: the simulated LINE
// platform attaches the module, suspends and resumes the bot, hands over
// chat control, sees a user block the bot and deletes the bot, and its
// signed webhook deliveries reach the real server, which keeps the state.
func TestWebhookFromTheSimulator(t *testing.T) {
	ts := newTestServer(t)
	box := webhookBox(t, ts)
	ctx := context.Background()
	demo, err := ts.sim.SeedModuleDemo(linesim.ModuleDemoCredentials{}, ts.URL+"/modules/callback", ts.URL+"/webhooks/line/"+linesim.DemoModuleChannelID)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := ts.db.EnsureAdmin(ctx, ts.demo.Developer.ID, ts.demo.Developer.Name)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := ts.db.RegisterModuleChannel(ctx, box, admin, portal.Channel{Provider: portal.Provider{Name: "Demo module provider"}, Kind: portal.KindModule,
		LINEChannelID: demo.Channel.ID, Name: demo.Channel.Name, Region: portal.RegionJapan}, demo.Channel.Secret, demo.Token, time.Time{})

	if err != nil {
		t.Fatal(err)
	}
	bot := demo.OfficialAccount.BotID
	attachment := func() portal.ModuleAttachment {
		a, err := ts.db.FindAttachment(ctx, ch.ID, bot)
		if err != nil && portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatal(err)
		}
		return a
	}
	await := func(what string, cond func(a portal.ModuleAttachment) bool) portal.ModuleAttachment {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			a := attachment()
			if cond(a) {
				return a
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; attachment %+v; deliveries %+v", what, a, ts.sim.Deliveries())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	// Attach through the portal, as an Admin does: LINE's authorization
	// screen, then the code exchange, which is how the portal learns of it
	// (a webhook alone never attaches).
	mt := &moduleTest{testServer: ts, mod: demo, channelID: ch.ID}
	mt.attach(t, ts.signedIn(t, ts.demo.Developer.ID))
	a := await("the attachment", func(a portal.ModuleAttachment) bool { return a.State == portal.Attached })
	if strings.Join(a.Scopes, " ") != "message:send message:receive message:mark_as_read" {
		t.Errorf("scopes %v", a.Scopes)
	}

	friend := linesim.ModuleUserID(bot, demo.Friends[0].ID)
	if err := ts.srv.cfg.LINE.AcquireChatControl(ctx, demo.Token, bot, friend, time.Hour); err != nil {
		t.Fatal(err)
	}
	await("the activated event", func(a portal.ModuleAttachment) bool { return a.ChatsUnderControl == 1 })

	if err := ts.sim.SuspendBot(bot); err != nil {
		t.Fatal(err)
	}
	await("botSuspended", func(a portal.ModuleAttachment) bool { return a.Suspended })
	err = ts.db.MarkDetached(ctx, admin, ch.ID, bot)
	if portal.ErrorCode(err) != portal.EUNAVAILABLE || english(err) != "This admin screen can't be used because the LINE Official Account is unavailable" {
		t.Fatalf("detach while suspended: %v", err)
	}
	if err := ts.sim.ResumeBot(bot); err != nil {
		t.Fatal(err)
	}
	await("botResumed", func(a portal.ModuleAttachment) bool { return !a.Suspended })

	// The friend blocks the account: the unfollow event deletes what the
	// portal holds about them for it (their chat control included).
	if err := ts.sim.SetFriendship(demo.Friends[0].ID, bot, linesim.FriendshipBlocked); err != nil {
		t.Fatal(err)
	}
	await("the unfollow event", func(a portal.ModuleAttachment) bool { return a.ChatsUnderControl == 0 })
	events, _, err := ts.db.FindWebhookEvents(ctx, ch.ID, bot, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Source.UserID == friend || strings.Contains(e.Payload, friend) {
			t.Errorf("the %s event still holds the user who blocked the account", e.Kind())
		}
	}

	// A redelivery of the first delivery changes nothing.
	deliveries := ts.sim.Deliveries()
	before := len(events)
	if _, err := ts.sim.Redeliver(deliveries[0].ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for ts.sim.Deliveries()[len(ts.sim.Deliveries())-1].State == linesim.DeliveryPending {
		if time.Now().After(deadline) {
			t.Fatal("redelivery never finished")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if events, _, _ := ts.db.FindWebhookEvents(ctx, ch.ID, bot, store.Page{}); len(events) != before {
		t.Errorf("a redelivery added events: %d, was %d", len(events), before)
	}

	if err := ts.sim.DeleteBot(bot); err != nil {
		t.Fatal(err)
	}
	a = await("the detached event", func(a portal.ModuleAttachment) bool { return a.State == portal.Detached })
	if a.DetachReason != portal.DetachBotDeleted {
		t.Errorf("detach reason %q", a.DetachReason)
	}
	// The simulator records a delivery's outcome once the portal's answer
	// is back, a moment after the portal committed the event.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if !slices.ContainsFunc(ts.sim.Deliveries(), func(d linesim.Delivery) bool { return d.State == linesim.DeliveryPending }) {
			break
		}
	}
	for _, d := range ts.sim.Deliveries() {
		if d.State != linesim.DeliveryDelivered || d.StatusCode != http.StatusOK || d.Attempts != 1 {
			t.Errorf("delivery %s (%v): %s, HTTP %d, %d attempts", d.ID, d.EventTypes, d.State, d.StatusCode, d.Attempts)
		}
	}
}
