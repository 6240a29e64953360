package line_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"lineportal/internal/line/linetest"

	"lineportal/internal/linesim"
	"lineportal/internal/portal"
)

// The demo account's Messaging API channel reads, sets and verifies its
// webhook URL through the SDK; the simulator's verification is a real
// signed delivery, so a receiver checking another secret fails it with
// LINE's reason.
func TestWebhookEndpoint(t *testing.T) {
	f := newPlatformFixture(t)
	token, bot := f.demo.OAChannelToken, f.demo.OfficialAccount.BotID
	const secret = "0123456789abcdef0123456789abcdef"
	if err := f.sim.SetPrimaryWebhook(bot, linesim.PrimaryWebhook{Secret: secret}); err != nil {
		t.Fatal(err)
	}
	if got, err := f.p.WebhookEndpoint(ctx, token); err != nil || got != (portal.WebhookEndpoint{}) {
		t.Fatalf("no webhook yet: %+v %v", got, err)
	}
	good := verifyingReceiver(t, secret)
	if err := f.p.SetWebhookEndpoint(ctx, token, good); err != nil {
		t.Fatal(err)
	}
	if last := f.rec.last(t); last.method != "PUT" || last.path != "/v2/bot/channel/webhook/endpoint" || last.body != `{"endpoint":"`+good+`"}`+"\n" {
		t.Errorf("sent %+v", last)
	}
	if got, err := f.p.WebhookEndpoint(ctx, token); err != nil || got != (portal.WebhookEndpoint{URL: good, Active: true}) {
		t.Fatalf("after setting: %+v %v", got, err)
	}

	verify := func(endpoint string) portal.WebhookTest {
		t.Helper()
		res, err := f.p.TestWebhookEndpoint(ctx, token, endpoint)
		if err != nil {
			t.Fatal(err)
		}
		if res.At.IsZero() {
			t.Errorf("no timestamp: %+v", res)
		}
		res.At = res.At.UTC().Truncate(0)
		return res
	}
	check := func(name string, got portal.WebhookTest, success bool, status int, reason, detail string) {
		t.Helper()
		if got.Success != success || got.StatusCode != status || got.Reason != reason || got.Detail != detail {
			t.Errorf("%s: %+v, want %t %d %s %q", name, got, success, status, reason, detail)
		}
	}
	check("the URL set", verify(""), true, 200, "OK", "200")
	wrongSecret := verifyingReceiver(t, "ffffffffffffffffffffffffffffffff")
	check("a receiver checking another secret", verify(wrongSecret), false, 400, "ERROR_STATUS_CODE", "400 Bad Request")
	check("nobody listening", verify("http://127.0.0.1:1/webhook"), false, 0, "COULD_NOT_CONNECT", "Connection failed")
	if got, _ := f.p.WebhookEndpoint(ctx, token); got.URL != good {
		t.Errorf("verifying another URL changed the one set: %q", got.URL)
	}

	explained(t, f.p.SetWebhookEndpoint(ctx, token, "not a URL"), http.StatusBadRequest, "LINE did not accept the webhook URL: Invalid webhook endpoint URL")
	_, err := f.p.WebhookEndpoint(ctx, f.mod.Token)
	explained(t, err, http.StatusForbidden, `LINE refused: the channel may not do this for this LINE Official Account, lacks the permission for it, or the account is unavailable. LINE said: "This API is only for Messaging API channels".`)
}

// verifyingReceiver is a bot server that checks the signature with secret,
// as the official SDK does, and answers 400 when it doesn't match.
func verifyingReceiver(t *testing.T, secret string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := linetest.VerifyAndParse(secret, body, r.Header.Get("X-Line-Signature")); err != nil {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/callback"
}
