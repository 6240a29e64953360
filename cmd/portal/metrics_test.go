package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The metrics listen apart from the portal, on loopback, and name route
// patterns, never paths: a link request token in a URL stays out.
func TestMetrics(t *testing.T) {
	m := startPortal(t, map[string]string{"PORTAL_METRICS_ADDR": ":0"})
	if !strings.HasPrefix(m.MetricsURL, "http://127.0.0.1:") {
		t.Fatalf("metrics at %q, want loopback", m.MetricsURL)
	}
	if res, err := http.Get(m.URL + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("the portal's own listener serves /metrics: %v %v", res, err)
	}
	fetchBody(t, m.URL+"/healthz")
	fetchBody(t, m.URL+"/link/secrettokenTHATMUSTNOTLEAK")

	// A webhook batch of one new event, then the same again.
	_, secret, err := m.DB.FindWebhookSecret(context.Background(), m.secrets, "2000000101")
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Appendf(nil, `{"destination":"U0123456789abcdef0123456789abcdef","events":[{"type":"message","mode":"active","timestamp":%d,`+
		`"source":{"type":"user","userId":"U00000000000000000000000000000001"},"webhookEventId":"01METRICSTEST","deliveryContext":{"isRedelivery":false},`+
		`"message":{"type":"text","id":"1","text":"hi"}}]}`, time.Now().UnixMilli())
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	for range 2 {
		req, _ := http.NewRequest("POST", m.URL+"/webhooks/line/2000000101", bytes.NewReader(body))
		req.Header.Set("X-Line-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("webhook: %v %v", res, err)
		}
		res.Body.Close()
	}

	metrics := fetchBody(t, m.MetricsURL+"/metrics")
	for _, want := range []string{
		`portal_http_requests_total{code="200",route="GET /healthz"} 1`,
		`portal_http_request_duration_seconds_count{route="GET /link/{token}"} 1`,
		`portal_http_requests_total{code="200",route="POST /webhooks/line/{channelID}"} 2`,
		`portal_webhook_events_total{result="stored"} 1`,
		`portal_webhook_events_total{result="duplicate"} 1`,
		`portal_db_transaction_retries_total 0`,
		`portal_db_connections_max{pool="sqlite_writer"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(metrics, "secrettoken") || strings.Contains(metrics, "01METRICSTEST") {
		t.Error("a path or an event ID reached the metrics")
	}
}

func fetchBody(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func TestMetricsListenAddr(t *testing.T) {
	for in, want := range map[string]string{":9464": "127.0.0.1:9464", "10.0.0.5:9464": "10.0.0.5:9464", "[::1]:9464": "[::1]:9464"} {
		if got := metricsListenAddr(in); got != want {
			t.Errorf("metricsListenAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
