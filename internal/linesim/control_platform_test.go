package linesim_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/line/line-bot-sdk-go/v8/linebot/module"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
)

// advance moves the simulator's clock through the control API.
func (f *fixture) advance(step string) {
	f.t.Helper()
	resp := f.sendJSON(http.MethodPost, "/sim/api/clock", `{"advance":"`+step+`"}`)
	if resp.status != http.StatusOK {
		f.t.Fatalf("advance %s: status %d, body %s", step, resp.status, resp.body)
	}
}

func TestClockControl(t *testing.T) {
	f := newFixture(t)
	start := f.clock.Now()
	f.advance("90m")
	f.advance("2d")
	got := f.get("/sim/api/clock").json(t)
	if want := start.Add(49*time.Hour + 30*time.Minute).Format(time.RFC3339Nano); got["now"] != want || got["advanced"] != "49h30m0s" {
		t.Errorf("clock = %v, want now %s, advanced 49h30m0s", got, want)
	}
	if !f.sim.Now().Equal(start.Add(49*time.Hour + 30*time.Minute)) {
		t.Errorf("Server.Now = %v", f.sim.Now())
	}
	for _, bad := range []string{"-1h", "0s", "soon", "3651d", ""} {
		resp := f.sendJSON(http.MethodPost, "/sim/api/clock", `{"advance":"`+bad+`"}`)
		if resp.status != http.StatusBadRequest || resp.json(t)["message"] == "" {
			t.Errorf("advance %q: status %d, body %s; want 400 with a message", bad, resp.status, resp.body)
		}
	}
	if !f.sim.Now().Equal(start.Add(49*time.Hour + 30*time.Minute)) {
		t.Errorf("a refused step moved the clock to %v", f.sim.Now())
	}
}

// Every lifetime LINE documents runs on the simulator's clock, so the
// control surface can let each one run out.
func TestClockExpiresWhatLINEIssued(t *testing.T) {
	t.Run("authorization code after 10 minutes", func(t *testing.T) {
		f := newFixture(t)
		code := f.login(authorizeParams(), f.demo.Developer.ID)
		f.advance("10m")
		assertOAuthError(t, f.postForm("/oauth2/v2.1/token", exchangeForm(code)), http.StatusBadRequest, "invalid_grant", "authorization code expired")
	})
	t.Run("access token at expires_in, refresh token after 90 days", func(t *testing.T) {
		f := newFixture(t)
		tokens := f.tokens("profile openid", f.demo.Developer.ID)
		access, refresh := tokens["access_token"].(string), tokens["refresh_token"].(string)
		f.advance("2591999s")
		if resp := f.get("/oauth2/v2.1/verify?access_token=" + access); resp.status != http.StatusOK || resp.json(t)["expires_in"] != float64(1) {
			t.Errorf("a second before expires_in: %d %s", resp.status, resp.body)
		}
		f.advance("1s")
		assertOAuthError(t, f.get("/oauth2/v2.1/verify?access_token="+access), http.StatusBadRequest, "invalid_request", "The access token expired")
		refreshForm := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {portalChannelID}, "client_secret": {portalSecret}}
		if resp := f.postForm("/oauth2/v2.1/token", refreshForm); resp.status != http.StatusOK {
			t.Errorf("refresh after 30 days: %d %s", resp.status, resp.body)
		}
		f.advance("60d")
		assertOAuthError(t, f.postForm("/oauth2/v2.1/token", refreshForm), http.StatusBadRequest, "invalid_grant", "invalid refresh token")
	})
	t.Run("bot list continuation token after 24 hours", func(t *testing.T) {
		f := newModuleFixture(t)
		resp := f.sendJSON(http.MethodPost, "/sim/api/modules/"+f.mod.Channel.ID+"/bots", `{"count":2,"scopes":["message:send"]}`)
		if resp.status != http.StatusCreated {
			t.Fatalf("attach new bots: %d %s", resp.status, resp.body)
		}
		next := f.getBearer("/v2/bot/list?limit=1", f.mod.Token).json(t)["next"].(string)
		f.advance("24h")
		assertMessage(t, f.getBearer("/v2/bot/list?limit=1&start="+url.QueryEscape(next), f.mod.Token), http.StatusBadRequest, "Invalid start param")
	})
}

// A module attached to more bots than one page holds is listed, through
// the official SDK's client, page by page.
func TestAttachNewBotsPagesTheBotList(t *testing.T) {
	f := newModuleFixture(t)
	resp := f.sendJSON(http.MethodPost, "/sim/api/modules/"+f.mod.Channel.ID+"/bots", `{"count":250,"scopes":["message:send","message:receive"]}`)
	if resp.status != http.StatusCreated {
		t.Fatalf("attach new bots: %d %s", resp.status, resp.body)
	}
	created := resp.json(t)["botIds"].([]any)
	if len(created) != 250 {
		t.Fatalf("%d bots created, want 250", len(created))
	}
	client, err := module.NewLineModuleAPI(f.mod.Token, module.WithEndpoint(f.base))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	var pages []int
	start := ""
	for {
		page, err := client.GetModules(start, 100)
		if err != nil {
			t.Fatalf("GetModules(%q): %v", start, err)
		}
		pages = append(pages, len(page.Bots))
		for _, b := range page.Bots {
			listed = append(listed, b.UserId)
		}
		if page.Next == "" {
			break
		}
		start = page.Next
	}
	if len(pages) != 3 || pages[0] != 100 || pages[1] != 100 || pages[2] != 50 {
		t.Errorf("pages of %v, want 100, 100, 50", pages)
	}
	for i, id := range created {
		if i >= len(listed) || listed[i] != id {
			t.Fatalf("bot %d listed as %v, want %v (attach order)", i, listed[min(i, len(listed)-1)], id)
		}
	}
	if events := f.hook.events(t, 250); events[249]["module"].(map[string]any)["type"] != "attached" {
		t.Errorf("last event %v, want attached", events[249])
	}
	for _, body := range []string{`{"count":0}`, `{"count":1001}`, `{"count":1,"scopes":["message:everything"]}`} {
		if resp := f.sendJSON(http.MethodPost, "/sim/api/modules/"+f.mod.Channel.ID+"/bots", body); resp.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", body, resp.status)
		}
	}
	if resp := f.sendJSON(http.MethodPost, "/sim/api/modules/1999999999/bots", `{"count":1}`); resp.status != http.StatusBadRequest {
		t.Errorf("unknown module: status %d, want 400", resp.status)
	}
}

func TestCreateOfficialAccount(t *testing.T) {
	f := newFixture(t)
	resp := f.sendJSON(http.MethodPost, "/sim/api/bots", `{"name":"Taipei Tea","basicId":"@taipeitea","brandType":"premium","region":"TW"}`)
	if resp.status != http.StatusCreated {
		t.Fatalf("status %d, body %s", resp.status, resp.body)
	}
	got := resp.json(t)
	if id, _ := got["botId"].(string); !userIDPattern.MatchString(id) || got["name"] != "Taipei Tea" || got["brandType"] != "premium" || got["region"] != "TW" || got["suspended"] != false {
		t.Errorf("created %v", got)
	}
	for _, body := range []string{`{"name":"Twin","basicId":"@taipeitea"}`, `{"name":"","basicId":"@noname"}`, `{"name":"X","basicId":"no-at"}`, `{"name":"X","basicId":"@x","region":"KR"}`} {
		if resp := f.sendJSON(http.MethodPost, "/sim/api/bots", body); resp.status != http.StatusBadRequest || resp.json(t)["message"] == "" {
			t.Errorf("%s: status %d, body %s; want 400 with a message", body, resp.status, resp.body)
		}
	}
}

// primaryFixture gives Sakura Cafe a Primary channel whose webhooks go to
// primary, and attaches the demo module with message:receive.
func primaryFixture(t *testing.T) (*moduleFixture, *receiver) {
	f := newModuleFixture(t)
	f.attach("message:receive")
	primary := newReceiver(t, always(http.StatusOK))
	resp := f.sendJSON(http.MethodPut, "/sim/api/bots/"+f.botID()+"/webhook",
		`{"channelId":"2000000301","secret":"primary-secret-0123456789abcdef","url":"`+primary.url+`"}`)
	if resp.status != http.StatusNoContent {
		t.Fatalf("set the Primary channel's webhook: %d %s", resp.status, resp.body)
	}
	return f, primary
}

// parse reads a webhook request with the official SDK, which checks the
// signature against secret.
func parse(t *testing.T, req webhookRequest, secret string) *webhook.CallbackRequest {
	t.Helper()
	r, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(req.body))
	r.Header = req.header
	cb, err := webhook.ParseRequest(secret, r)
	if err != nil {
		t.Fatalf("the SDK refuses the webhook: %v (%s)", err, req.body)
	}
	return cb
}

func TestPrimaryChannelWebhook(t *testing.T) {
	f, primary := primaryFixture(t)
	const primarySecret = "primary-secret-0123456789abcdef"
	hana := f.mod.Friends[0].ID

	// A follow after a block resets chat control to the Primary channel.
	if err := f.sim.SetFriendship(hana, f.botID(), "blocked"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.SetFriendship(hana, f.botID(), "friend"); err != nil {
		t.Fatal(err)
	}
	var events []webhook.EventInterface
	for len(events) < 2 {
		events = append(events, parse(t, primary.next(t), primarySecret).Events...)
	}
	unfollow, _ := events[0].(webhook.UnfollowEvent)
	if unfollow.Mode != webhook.EventMode_ACTIVE || unfollow.Source.(webhook.UserSource).UserId != hana {
		t.Errorf("Primary channel's unfollow: %+v, want active with the user's own ID", events[0])
	}
	follow, _ := events[1].(webhook.FollowEvent)
	if follow.Mode != webhook.EventMode_ACTIVE || follow.ReplyToken == "" || follow.Source.(webhook.UserSource).UserId != hana {
		t.Errorf("Primary channel's follow: %+v, want active with a reply token and the user's own ID", follow)
	}
	for _, ev := range f.hook.events(t, 2) {
		if ev["mode"] != "standby" || ev["replyToken"] != nil {
			t.Errorf("module's %v: want standby without a reply token", ev)
		}
	}

	message := func(text string) (toPrimary, toModule webhook.MessageEvent) {
		t.Helper()
		resp := f.sendJSON(http.MethodPost, "/sim/api/messages", `{"userId":"`+hana+`","botId":"`+f.botID()+`","text":"`+text+`"}`)
		if resp.status != http.StatusNoContent {
			t.Fatalf("send text: %d %s", resp.status, resp.body)
		}
		toPrimary = parse(t, primary.next(t), primarySecret).Events[0].(webhook.MessageEvent)
		toModule = parse(t, f.hook.next(t), f.mod.Channel.Secret).Events[0].(webhook.MessageEvent)
		return toPrimary, toModule
	}
	p, m := message("hello")
	if p.Mode != webhook.EventMode_ACTIVE || p.ReplyToken == "" || m.Mode != webhook.EventMode_STANDBY || m.ReplyToken != "" {
		t.Errorf("Primary holds the chat: primary %s %q, module %s %q", p.Mode, p.ReplyToken, m.Mode, m.ReplyToken)
	}
	if m.Source.(webhook.UserSource).UserId != f.chatID(0) || m.Message.(webhook.TextMessageContent).Text != "hello" {
		t.Errorf("module's message: %+v", m)
	}

	if resp := f.call("POST", "/v2/bot/chat/"+f.chatID(0)+"/control/acquire", `{"expired":false}`); resp.status != http.StatusOK {
		t.Fatalf("acquire: %d %s", resp.status, resp.body)
	}
	f.hook.events(t, 1) // activated
	p, m = message("now the module")
	if p.Mode != webhook.EventMode_STANDBY || p.ReplyToken != "" || m.Mode != webhook.EventMode_ACTIVE || m.ReplyToken == "" {
		t.Errorf("the module holds the chat: primary %s %q, module %s %q", p.Mode, p.ReplyToken, m.Mode, m.ReplyToken)
	}

	// botSuspended and botResumed go to the modules only.
	if err := f.sim.SuspendBot(f.botID()); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.ResumeBot(f.botID()); err != nil {
		t.Fatal(err)
	}
	f.hook.events(t, 2)
	primary.quiet(t)
	for _, d := range f.sim.Deliveries() {
		if d.ChannelID == "2000000301" && strings.Contains(strings.Join(d.EventTypes, " "), "bot") {
			t.Errorf("the Primary channel got %v", d.EventTypes)
		}
	}
}

func TestPrimaryWebhookRefusals(t *testing.T) {
	f := newModuleFixture(t)
	for _, tt := range []struct{ path, body string }{
		{"/sim/api/bots/Uffffffffffffffffffffffffffffffff/webhook", `{"channelId":"2000000301","secret":"s","url":"https://x.example/"}`},
		{"/sim/api/bots/" + f.botID() + "/webhook", `{"channelId":"` + f.mod.Channel.ID + `","secret":"s","url":"https://x.example/"}`}, // a taken channel ID
		{"/sim/api/bots/" + f.botID() + "/webhook", `{"channelId":"2000000301","url":"https://x.example/"}`},                            // no secret
		{"/sim/api/bots/" + f.botID() + "/webhook", `{"channelId":"2000000301","secret":"s","url":"ftp://x.example/"}`},
		{"/sim/api/messages", `{"userId":"` + f.demo.Developer.ID + `","botId":"` + f.botID() + `","text":"not a friend"}`},
		{"/sim/api/messages", `{"userId":"` + f.mod.Friends[0].ID + `","botId":"` + f.botID() + `","text":""}`},
	} {
		method := http.MethodPut
		if strings.HasSuffix(tt.path, "messages") {
			method = http.MethodPost
		}
		if resp := f.sendJSON(method, tt.path, tt.body); resp.status != http.StatusBadRequest || resp.json(t)["message"] == "" {
			t.Errorf("%s %s: status %d, body %s; want 400 with a message", tt.path, tt.body, resp.status, resp.body)
		}
	}
}

// The email claim needs the email scope, the channel's email permission and
// a user with an address; go-oidc reads it like any OpenID claim.
func TestEmailClaim(t *testing.T) {
	f := newFixture(t)
	resp := f.sendJSON(http.MethodPost, "/sim/api/users", `{"name":"Mei Ito","email":"mei@example.com"}`)
	if resp.status != http.StatusCreated || resp.json(t)["email"] != "mei@example.com" {
		t.Fatalf("create user: %d %s", resp.status, resp.body)
	}
	mei := resp.json(t)["id"].(string)
	if resp := f.sendJSON(http.MethodPost, "/sim/api/users", `{"name":"Bad","email":"not an address"}`); resp.status != http.StatusBadRequest {
		t.Errorf("a bad address: status %d", resp.status)
	}

	email := func(scope string) string {
		t.Helper()
		raw := f.tokens(scope, mei)["id_token"].(string)
		verifier := oidc.NewVerifier(f.base, channelSecretKeySet(portalSecret), &oidc.Config{ClientID: portalChannelID, SupportedSigningAlgs: []string{"HS256"}, Now: f.sim.Now})
		tok, err := verifier.Verify(context.Background(), raw)
		if err != nil {
			t.Fatalf("go-oidc: %v", err)
		}
		var claims struct {
			Email string `json:"email"`
		}
		if err := tok.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		return claims.Email
	}
	if got := email("profile openid email"); got != "" {
		t.Errorf("without the permission: email %q", got)
	}
	if resp := f.sendJSON(http.MethodPut, "/sim/api/login-channels/"+portalChannelID+"/email-permission", `{"granted":true}`); resp.status != http.StatusNoContent {
		t.Fatalf("grant: %d %s", resp.status, resp.body)
	}
	if got := email("profile openid"); got != "" {
		t.Errorf("without the email scope: email %q", got)
	}
	if got := email("profile openid email"); got != "mei@example.com" {
		t.Errorf("with scope and permission: email %q, want mei@example.com", got)
	}
	if resp := f.sendJSON(http.MethodPut, "/sim/api/login-channels/1999999999/email-permission", `{"granted":true}`); resp.status != http.StatusBadRequest {
		t.Errorf("unknown channel: status %d", resp.status)
	}
}

// channelSecretKeySet verifies web-login ID tokens (HS256, the channel
// secret as key) for go-oidc, which has no key set for HMAC.
type channelSecretKeySet string

func (secret channelSecretKeySet) VerifySignature(_ context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return nil, err
	}
	return jws.Verify([]byte(secret))
}
