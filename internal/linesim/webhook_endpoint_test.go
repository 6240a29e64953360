package linesim_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"lineportal/internal/linesim"
)

// The webhook endpoint answers carry what messaging-api.yml requires at
// line/line-openapi commit 6e4c2a2: GetWebhookEndpointResponse (endpoint, a
// string, and active, a boolean, both required) and
// TestWebhookEndpointResponse (statusCode, timestamp as a date-time,
// reason and detail required; success a boolean). The test delivery is
// {"destination", "events": []} signed with the channel secret, as LINE's
// "Verify webhook URL" describes.
func TestWebhookEndpointMatchesOpenAPI(t *testing.T) {
	f := newFixture(t)
	token, bot := f.demo.OAChannelToken, f.demo.OfficialAccount.BotID
	const secret = "0123456789abcdef0123456789abcdef"
	if err := f.sim.SetPrimaryWebhook(bot, linesim.PrimaryWebhook{Secret: secret}); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !webhook.ValidateSignature(secret, r.Header.Get("X-Line-Signature"), body) {
			w.WriteHeader(http.StatusBadRequest)
		}
		got <- string(body)
	}))
	defer receiver.Close()

	ep := f.getBearer("/v2/bot/channel/webhook/endpoint", token).json(t)
	if ep["endpoint"] != "" || ep["active"] != false {
		t.Errorf("no webhook: %v", ep)
	}
	put := f.request(http.MethodPut, "/v2/bot/channel/webhook/endpoint", strings.NewReader(`{"endpoint":"`+receiver.URL+`"}`),
		http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}})
	if put.status != http.StatusOK || put.body != "{}" {
		t.Fatalf("set: %d %s", put.status, put.body)
	}
	if ep := f.getBearer("/v2/bot/channel/webhook/endpoint", token).json(t); ep["endpoint"] != receiver.URL || ep["active"] != true {
		t.Errorf("set: %v", ep)
	}
	test := f.request(http.MethodPost, "/v2/bot/channel/webhook/test", strings.NewReader(`{}`),
		http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}).json(t)
	if body := <-got; body != `{"destination":"`+bot+`","events":[]}` {
		t.Errorf("test delivery body %s", body)
	}
	for key, want := range map[string]string{"success": "bool", "statusCode": "number", "timestamp": "string", "reason": "string", "detail": "string"} {
		if v, ok := test[key]; !ok || jsonType(v) != want {
			t.Errorf("test response %s = %v, want %s", key, v, want)
		}
	}
	if ts, _ := test["timestamp"].(string); func() error { _, err := time.Parse(time.RFC3339, ts); return err }() != nil {
		t.Errorf("timestamp %q is not a date-time", ts)
	}
	if test["success"] != true || test["reason"] != "OK" || test["statusCode"] != float64(200) {
		t.Errorf("test = %v", test)
	}
	for _, body := range []string{`{"endpoint":"ftp://example.com/x"}`, `{"endpoint":"/relative"}`} {
		resp := f.request(http.MethodPut, "/v2/bot/channel/webhook/endpoint", strings.NewReader(body),
			http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}})
		assertMessage(t, resp, http.StatusBadRequest, "Invalid webhook endpoint URL")
	}
}
