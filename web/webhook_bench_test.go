package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/line/linetest"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/internal/secret"
	"lineportal/store"
)

// benchSecret is the channel secret of the benchmark's module channel.
const benchSecret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"

// newWebhookBenchServer runs the real server over loopback on a fresh
// database, with one module channel (LINE ID 2000000401) holding
// benchSecret. It is newTestServer's wiring, without the demo data.
func newWebhookBenchServer(b *testing.B) (baseURL string, db *store.DB) {
	b.Helper()
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "portal.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	simMux := http.NewServeMux()
	simTS := httptest.NewServer(simMux)
	b.Cleanup(simTS.Close)
	sim, err := linesim.New(linesim.Config{BaseURL: simTS.URL})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sim.Close() })
	simMux.Handle("/", sim.Handler())
	portalMux := http.NewServeMux()
	ts := httptest.NewServer(portalMux)
	b.Cleanup(ts.Close)
	if _, err := sim.SeedDemo(linesim.LoginChannel{ID: "2000000001", Secret: testChannelSecret, RedirectURIs: []string{ts.URL + "/auth/callback"}}); err != nil {
		b.Fatal(err)
	}
	login, err := line.NewLogin(context.Background(), line.LoginConfig{
		ChannelID: "2000000001", ChannelSecret: testChannelSecret, AuthBaseURL: simTS.URL, APIBaseURL: simTS.URL,
		RedirectURL: ts.URL + "/auth/callback", BotPrompt: "normal",
	})
	if err != nil {
		b.Fatal(err)
	}
	box, err := secret.New([32]byte{9})
	if err != nil {
		b.Fatal(err)
	}
	base, _ := url.Parse(ts.URL)
	srv, err := New(Config{
		BaseURL: base, SessionKeys: [][]byte{testKey}, SessionLimits: store.SessionLimits{Idle: time.Hour, Absolute: time.Hour},
		Login: login, Secrets: box,
	}, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	portalMux.Handle("/", srv)
	ctx := context.Background()
	admin, err := db.EnsureAdmin(ctx, "Ubench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.RegisterModuleChannel(ctx, box, admin, portal.Channel{Provider: portal.Provider{Name: "Bench provider"}, Kind: portal.KindModule, LINEChannelID: "2000000401",
		Name: "Bench module", Region: portal.RegionJapan}, benchSecret, "bench-token"); err != nil {
		b.Fatal(err)
	}
	return ts.URL, db
}

// benchBatch is a webhook body of 100 events as LINE sends them, with
// event IDs unique across the run; kind picks the events.
func benchBatch(seq *atomic.Int64, kind string) []byte {
	const bot = "U5fac33f633e72c192759f09afc41fa28"
	var b bytes.Buffer
	b.WriteString(`{"destination":"` + bot + `","events":[`)
	now := time.Now().UnixMilli()
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		n := seq.Add(1)
		id := fmt.Sprintf("01BENCH%019d", n)
		user := fmt.Sprintf("LU%032x-%s", n%5000, bot)
		switch kind {
		case "follows":
			fmt.Fprintf(&b, `{"replyToken":"%032x","type":"follow","mode":"active","timestamp":%d,"source":{"type":"user","userId":"%s"},"webhookEventId":"%s","deliveryContext":{"isRedelivery":false},"follow":{"isUnblocked":false}}`,
				n, now, user, id)
		default:
			fmt.Fprintf(&b, `{"replyToken":"%032x","type":"message","mode":"active","timestamp":%d,"source":{"type":"user","userId":"%s"},"webhookEventId":"%s","deliveryContext":{"isRedelivery":false},"message":{"id":"%d","type":"text","quoteToken":"q%d","text":"Hello, a table for two at seven, please"}}`,
				n, now, user, id, n, n)
		}
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func benchSign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(benchSecret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// BenchmarkWebhookIngest posts signed 100-event batches to the real
// server over loopback, from several clients at once as LINE does, and
// reports events stored per second. Each batch is signature-checked,
// parsed, stored and applied in one committed transaction before its 200.
func BenchmarkWebhookIngest(b *testing.B) {
	for _, kind := range []string{"messages", "follows"} {
		b.Run(kind, func(b *testing.B) {
			base, _ := newWebhookBenchServer(b)
			target := base + "/webhooks/line/2000000401"
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var seq atomic.Int64
			var failed atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body := benchBatch(&seq, kind)
					req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Line-Signature", benchSign(body))
					res, err := client.Do(req)
					if err != nil {
						failed.Add(1)
						continue
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						failed.Add(1)
					}
				}
			})
			b.StopTimer()
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d of %d batches failed", n, b.N)
			}
			b.ReportMetric(float64(b.N)*100/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkWebhookParse compares the receiver's decoder with the SDK's
// (linetest.ParseWebhook) on one signed 100-event batch: the reason the
// receiver decodes events itself.
func BenchmarkWebhookParse(b *testing.B) {
	var seq atomic.Int64
	body := benchBatch(&seq, "messages")
	sig := benchSign(body)
	b.Run("receiver", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if !validSignature(benchSecret, body, sig) {
				b.Fatal("signature refused")
			}
			if _, err := parseWebhook(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := linetest.ParseWebhook(benchSecret, body, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}
