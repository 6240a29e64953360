package linesim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"lineportal/internal/linesim"
)

const invalidToken = "Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid."

// botEndpoint is a bot API call a module channel makes for Sakura Cafe.
type botEndpoint struct {
	name, path, body string
	scope            string // what the call needs; "" = none
}

func botEndpoints(f *moduleFixture) []botEndpoint {
	return []botEndpoint{
		{"acquire", "/v2/bot/chat/" + f.chatID(0) + "/control/acquire", `{"expired":true,"ttl":60}`, "message:receive"},
		{"release", "/v2/bot/chat/" + f.chatID(0) + "/control/release", "", "message:receive"},
		{"mark as read", "/v2/bot/message/markAsRead", `{"chat":{"userId":"` + f.chatID(0) + `"}}`, "message:mark_as_read"},
		{"push", "/v2/bot/message/push", `{"to":"` + f.chatID(0) + `","messages":[{"type":"text","text":"hi"}]}`, "message:send"},
		{"mission sticker", "/shop/v3/mission", `{"to":"` + f.chatID(0) + `","productId":"10001","productType":"STICKER","sendPresentMessage":false}`, ""},
	}
}

func TestBotAPIRefusals(t *testing.T) {
	all := []string{"message:send", "message:receive", "message:mark_as_read"}
	cases := []struct {
		name       string
		setup      func(f *moduleFixture) (token string, header http.Header)
		wantStatus int
		wantMsg    func(ep botEndpoint) string // "" = the call succeeds
	}{
		{"with every scope", func(f *moduleFixture) (string, http.Header) {
			f.attach(all...)
			return f.mod.Token, http.Header{linesim.DefaultBotIDHeader: {f.botID()}}
		}, http.StatusOK, nil},
		{"no Authorization", func(f *moduleFixture) (string, http.Header) {
			return "", http.Header{linesim.DefaultBotIDHeader: {f.botID()}}
		}, 401, func(botEndpoint) string {
			return "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'"
		}},
		{"unknown token", func(f *moduleFixture) (string, http.Header) {
			f.attach(all...)
			return "not-a-token", http.Header{linesim.DefaultBotIDHeader: {f.botID()}}
		}, 401, func(botEndpoint) string { return invalidToken }},
		{"a LINE Login access token", func(f *moduleFixture) (string, http.Header) {
			f.attach(all...)
			return f.tokens("profile", f.demo.Operator.ID)["access_token"].(string), http.Header{linesim.DefaultBotIDHeader: {f.botID()}}
		}, 401, func(botEndpoint) string { return invalidToken }},
		{"expired stateless token", func(f *moduleFixture) (string, http.Header) {
			f.attach(all...)
			token := f.statelessToken()
			f.clock.Advance(15 * time.Minute)
			return token, http.Header{linesim.DefaultBotIDHeader: {f.botID()}}
		}, 401, func(botEndpoint) string { return invalidToken }},
		{"no bot header", func(f *moduleFixture) (string, http.Header) {
			f.attach(all...)
			return f.mod.Token, nil
		}, 400, func(botEndpoint) string { return "The request header 'X-Line-Bot-Id' is required" }},
		{"unknown bot", func(f *moduleFixture) (string, http.Header) {
			f.attach(all...)
			return f.mod.Token, http.Header{linesim.DefaultBotIDHeader: {"Uffffffffffffffffffffffffffffffff"}}
		}, 400, func(botEndpoint) string { return "The value for the 'X-Line-Bot-Id' header is invalid" }},
		{"a bot the module is not attached to", func(f *moduleFixture) (string, http.Header) {
			f.attach(all...)
			return f.mod.Token, http.Header{linesim.DefaultBotIDHeader: {f.demo.OfficialAccount.BotID}}
		}, 403, func(botEndpoint) string { return "The channel is not attached to the bot" }},
		{"suspended bot", func(f *moduleFixture) (string, http.Header) {
			f.attach(all...)
			if err := f.sim.SuspendBot(f.botID()); err != nil {
				f.t.Fatal(err)
			}
			return f.mod.Token, http.Header{linesim.DefaultBotIDHeader: {f.botID()}}
		}, 403, func(botEndpoint) string { return "The LINE Official Account is suspended" }},
		{"no scopes", func(f *moduleFixture) (string, http.Header) {
			f.attach()
			return f.mod.Token, http.Header{linesim.DefaultBotIDHeader: {f.botID()}}
		}, 403, func(ep botEndpoint) string {
			if ep.scope == "" {
				return ""
			}
			return "The access token does not have the required scope: " + ep.scope
		}},
	}
	for _, c := range cases {
		for i, name := range []string{"acquire", "release", "mark as read", "push", "mission sticker"} {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				f := newModuleFixture(t)
				ep := botEndpoints(f)[i]
				token, header := c.setup(f)
				resp := f.callAs(token, "POST", ep.path, ep.body, header)
				want := ""
				if c.wantMsg != nil {
					want = c.wantMsg(ep)
				}
				if want == "" {
					if resp.status != http.StatusOK {
						t.Errorf("status %d, body %s; want 200", resp.status, resp.body)
					}
					return
				}
				assertMessage(t, resp, c.wantStatus, want)
			})
		}
	}
}

func TestBotIDHeaderIsConfigurable(t *testing.T) {
	f := newModuleFixtureWith(t, linesim.Config{BotIDHeader: "X-Secret-Bot"}, always(http.StatusOK))
	f.attach("message:receive")
	path := "/v2/bot/chat/" + f.chatID(0) + "/control/release"
	assertMessage(t, f.call("POST", path, ""), http.StatusBadRequest, "The request header 'X-Secret-Bot' is required")
	if resp := f.callAs(f.mod.Token, "POST", path, "", http.Header{"X-Secret-Bot": {f.botID()}}); resp.status != http.StatusOK {
		t.Errorf("with the configured header: status %d, body %s", resp.status, resp.body)
	}
}

// statelessToken issues a stateless token for the demo module.
func (f *moduleFixture) statelessToken() string {
	f.t.Helper()
	resp := f.postForm("/oauth2/v3/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {f.mod.Channel.ID}, "client_secret": {f.mod.Channel.Secret}})
	body := resp.json(f.t)
	if resp.status != http.StatusOK || body["token_type"] != "Bearer" || body["expires_in"] != 900.0 || len(body) != 3 {
		f.t.Fatalf("stateless token: status %d, body %s", resp.status, resp.body)
	}
	return body["access_token"].(string)
}

func TestChannelAccessTokens(t *testing.T) {
	t.Run("stateless token works for 15 minutes", func(t *testing.T) {
		f := newModuleFixture(t)
		token := f.statelessToken()
		f.clock.Advance(15*time.Minute - time.Second)
		if resp := f.getBearer("/v2/bot/list", token); resp.status != http.StatusOK {
			t.Errorf("before expiry: status %d", resp.status)
		}
		f.clock.Advance(time.Second)
		assertMessage(t, f.getBearer("/v2/bot/list", token), http.StatusUnauthorized, invalidToken)
	})

	refusals := []struct {
		name, path      string
		form            url.Values
		wantStatus      int
		wantOAuth       [2]string // error, error_description; or
		wantMessageBody string
	}{
		{"wrong secret", "/oauth2/v3/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {linesim.DemoModuleChannelID}, "client_secret": {"wrong"}}, 400, [2]string{"invalid_request", "Invalid 'client_credentials'."}, ""},
		{"an unknown channel", "/oauth2/v3/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"1999999999"}, "client_secret": {portalSecret}}, 400, [2]string{"invalid_request", "Invalid 'client_credentials'."}, ""},
		{"a LINE Login channel's wrong secret", "/oauth2/v3/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {portalChannelID}, "client_secret": {otherSecret}}, 400, [2]string{"invalid_request", "Invalid 'client_credentials'."}, ""},
		{"grant_type", "/oauth2/v3/token", url.Values{"grant_type": {"password"}}, 400, [2]string{"unsupported_grant_type", "unsupported grant_type: password"}, ""},
		{"JWT assertion without a key", "/oauth2/v3/token", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {"a.b.c"}}, 404, [2]string{}, "Cannot find channel key that satisfies the conditions"},
		{"v2.1 JWT assertion without a key", "/oauth2/v2.1/token", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {"a.b.c"}}, 404, [2]string{}, "Cannot find channel key that satisfies the conditions"},
		{"v2.1 wrong assertion type", "/oauth2/v2.1/token", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"password"}, "client_assertion": {"a.b.c"}}, 400, [2]string{"invalid_request", "some parameters missed or invalid"}, ""},
	}
	for _, tt := range refusals {
		t.Run("refuse "+tt.name, func(t *testing.T) {
			f := newModuleFixture(t)
			resp := f.postForm(tt.path, tt.form)
			if tt.wantMessageBody != "" {
				assertMessage(t, resp, tt.wantStatus, tt.wantMessageBody)
				return
			}
			assertOAuthError(t, resp, tt.wantStatus, tt.wantOAuth[0], tt.wantOAuth[1])
		})
	}

	t.Run("IssueChannelToken refuses a Login channel", func(t *testing.T) {
		f := newModuleFixture(t)
		if _, err := f.sim.IssueChannelToken(portalChannelID); err == nil || err.Error() != `unknown module or Messaging API channel "`+portalChannelID+`"` {
			t.Errorf("err = %v", err)
		}
	})
}

func TestChatControlRequestBody(t *testing.T) {
	tests := []struct {
		name, body   string
		wantStatus   int
		wantMessage  string
		wantExpireIn time.Duration // of the activated event; 0 = no time limit
	}{
		{"no body: expires after an hour", "", 200, "", time.Hour},
		{"null: the defaults", "null", 200, "", time.Hour},
		{"empty object: the defaults", "{}", 200, "", time.Hour},
		{"ttl only", `{"ttl":10}`, 200, "", 10 * time.Second},
		{"a year", `{"expired":true,"ttl":31536000}`, 200, "", 365 * 24 * time.Hour},
		{"no time limit", `{"expired":false}`, 200, "", 0},
		{"ttl ignored without a time limit", `{"expired":false,"ttl":0}`, 200, "", 0},
		{"ttl 0", `{"expired":true,"ttl":0}`, 400, "The value for the 'ttl' parameter is invalid", 0},
		{"ttl over a year", `{"ttl":31536001}`, 400, "The value for the 'ttl' parameter is invalid", 0},
		{"ttl negative", `{"ttl":-1}`, 400, "The value for the 'ttl' parameter is invalid", 0},
		{"ttl a string", `{"ttl":"60"}`, 400, "The request body could not be parsed as JSON", 0},
		{"not JSON", `{`, 400, "The request body could not be parsed as JSON", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModuleFixture(t)
			f.attach("message:receive")
			resp := f.call("POST", "/v2/bot/chat/"+f.chatID(0)+"/control/acquire", tt.body)
			if tt.wantStatus != http.StatusOK {
				assertMessage(t, resp, tt.wantStatus, tt.wantMessage)
				f.hook.quiet(t)
				return
			}
			if resp.status != http.StatusOK || resp.body != "" {
				t.Fatalf("status %d, body %q; want 200 and no body", resp.status, resp.body)
			}
			ev := f.hook.events(t, 1)[0]
			// expireAt is always there: 0 means no time limit.
			want := map[string]any{"expireAt": float64(0)}
			if tt.wantExpireIn != 0 {
				want["expireAt"] = float64(f.clock.Now().Add(tt.wantExpireIn).UnixMilli())
			}
			if ev["type"] != "activated" || !reflect.DeepEqual(ev["chatControl"], want) {
				t.Errorf("event = %v, want activated with chatControl %v", ev, want)
			}
		})
	}
}

func TestChatControlBetweenModules(t *testing.T) {
	f := newModuleFixture(t)
	f.attach("message:receive")
	secondToken, second := f.addSecondModule()
	acquire := func(token, body string) response {
		return f.callAs(token, "POST", "/v2/bot/chat/"+f.chatID(0)+"/control/acquire", body, http.Header{linesim.DefaultBotIDHeader: {f.botID()}})
	}
	release := func(token string) response {
		return f.callAs(token, "POST", "/v2/bot/chat/"+f.chatID(0)+"/control/release", "", http.Header{linesim.DefaultBotIDHeader: {f.botID()}})
	}
	source := map[string]any{"type": "user", "userId": f.chatID(0)}
	expectOne := func(rc *receiver, typ string) {
		t.Helper()
		ev := rc.events(t, 1)[0]
		if ev["type"] != typ || !reflect.DeepEqual(ev["source"], source) || ev["mode"] != "active" {
			t.Errorf("event = %v, want %s from %v", ev, typ, source)
		}
	}

	if resp := acquire(f.mod.Token, `{"ttl":60}`); resp.status != 200 {
		t.Fatalf("first acquire: %d %s", resp.status, resp.body)
	}
	expectOne(f.hook, "activated")
	f.clock.Advance(4 * time.Second)
	assertMessage(t, acquire(secondToken, ""), http.StatusLocked, "Another channel acquired chat control a moment ago. Try again in a few seconds.")
	if resp := acquire(f.mod.Token, `{"ttl":60}`); resp.status != 200 {
		t.Errorf("the holder acquiring again: %d %s", resp.status, resp.body)
	}
	expectOne(f.hook, "activated")

	f.clock.Advance(5 * time.Second)
	if resp := acquire(secondToken, `{"expired":false}`); resp.status != 200 {
		t.Fatalf("second acquire after the lock: %d %s", resp.status, resp.body)
	}
	expectOne(f.hook, "deactivated")
	expectOne(second, "activated")

	if resp := release(f.mod.Token); resp.status != 200 {
		t.Errorf("release by a module that is not active: %d", resp.status)
	}
	f.hook.quiet(t)
	if resp := release(secondToken); resp.status != 200 {
		t.Errorf("release: %d", resp.status)
	}
	expectOne(second, "deactivated")

	// Control that ran out ends without events; a later acquire by another
	// module tells nobody the first lost it.
	if resp := acquire(f.mod.Token, `{"ttl":1}`); resp.status != 200 {
		t.Fatal(resp.body)
	}
	expectOne(f.hook, "activated")
	f.clock.Advance(6 * time.Second)
	if resp := acquire(secondToken, ""); resp.status != 200 {
		t.Fatal(resp.body)
	}
	expectOne(second, "activated")
	f.hook.quiet(t)
}

func TestChatIDs(t *testing.T) {
	tests := []struct {
		name       string
		chatID     func(f *moduleFixture) string
		wantStatus int
	}{
		{"a friend's module ID", func(f *moduleFixture) string { return f.chatID(0) }, 200},
		{"a friend's own user ID", func(f *moduleFixture) string { return f.mod.Friends[0].ID }, 200},
		{"a user who blocked the account", func(f *moduleFixture) string {
			if err := f.sim.SetFriendship(f.mod.Friends[0].ID, f.botID(), linesim.FriendshipBlocked); err != nil {
				f.t.Fatal(err)
			}
			f.hook.events(f.t, 1) // unfollow
			return f.chatID(0)
		}, 404},
		{"a user who is not a friend", func(f *moduleFixture) string { return linesim.ModuleUserID(f.botID(), f.demo.Developer.ID) }, 404},
		{"an unknown user", func(f *moduleFixture) string { return "U0123456789abcdef0123456789abcdef" }, 404},
		{"a group", func(f *moduleFixture) string { return "C0123456789abcdef0123456789abcdef" }, 404},
		{"a room", func(f *moduleFixture) string { return "R0123456789abcdef0123456789abcdef" }, 404},
		{"another bot's module ID", func(f *moduleFixture) string {
			return linesim.ModuleUserID(f.demo.OfficialAccount.BotID, f.mod.Friends[0].ID)
		}, 400},
		{"upper-case hex", func(f *moduleFixture) string { return "U0123456789ABCDEF0123456789abcdef" }, 400},
		{"garbage", func(f *moduleFixture) string { return "hello" }, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModuleFixture(t)
			f.attach("message:receive", "message:mark_as_read")
			chatID := tt.chatID(f)
			resp := f.call("POST", "/v2/bot/chat/"+chatID+"/control/acquire", "")
			switch tt.wantStatus {
			case 200:
				if resp.status != 200 {
					t.Errorf("acquire: status %d, body %s", resp.status, resp.body)
				}
			case 404:
				assertMessage(t, resp, 404, "Not found")
			case 400:
				assertMessage(t, resp, 400, "The value for the 'chatId' parameter is invalid")
				assertMessage(t, f.call("POST", "/v2/bot/chat/"+chatID+"/control/release", ""), 400, "The value for the 'chatId' parameter is invalid")
			}
			mark := f.call("POST", "/v2/bot/message/markAsRead", `{"chat":{"userId":"`+chatID+`"}}`)
			if tt.wantStatus == 200 {
				if mark.status != 200 || mark.body != "{}" {
					t.Errorf("mark as read: status %d, body %q; want 200 {}", mark.status, mark.body)
				}
				return
			}
			assertMessage(t, mark, 400, "The property, 'chat.chatId', in the request body is invalid (line: -, column: -)")
		})
	}
}

func TestBotListAndDetach(t *testing.T) {
	f := newModuleFixture(t)
	f.attach("message:send")
	// A second bot with every optional field, attached after Sakura Cafe.
	shop := linesim.OfficialAccount{BotID: "U00000000000000000000000000000b0b", BasicID: "@bubbletea", Name: "Bubble Tea Lab",
		PremiumID: "@bubble", PictureURL: "https://cdn.example/bubble.png"}
	if err := f.sim.AddOfficialAccount(shop); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.AttachModule(f.mod.Channel.ID, shop.BotID, nil); err != nil {
		t.Fatal(err)
	}
	f.hook.events(t, 1)

	page1 := f.getBearer("/v2/bot/list?limit=1", f.mod.Token)
	var body struct {
		Bots []map[string]any `json:"bots"`
		Next string           `json:"next"`
	}
	if err := json.Unmarshal([]byte(page1.body), &body); err != nil || page1.status != 200 || body.Next == "" ||
		!reflect.DeepEqual(body.Bots, []map[string]any{{"userId": f.botID(), "basicId": "@sakuracafe", "displayName": "Sakura Cafe"}}) {
		t.Fatalf("page 1: status %d, body %s", page1.status, page1.body)
	}
	page2 := f.getBearer("/v2/bot/list?limit=1&start="+url.QueryEscape(body.Next), f.mod.Token)
	want := `{"bots":[{"userId":"U00000000000000000000000000000b0b","basicId":"@bubbletea","premiumId":"@bubble","displayName":"Bubble Tea Lab","pictureUrl":"https://cdn.example/bubble.png"}]}`
	if page2.status != 200 || page2.body != want {
		t.Errorf("page 2: status %d, body %s; want %s (no next)", page2.status, page2.body, want)
	}
	secondToken, _ := f.addSecondModule()
	assertMessage(t, f.getBearer("/v2/bot/list?start="+url.QueryEscape(body.Next), secondToken), 400, "Invalid start param")
	for _, limit := range []string{"0", "101", "-1", "ten"} {
		assertMessage(t, f.getBearer("/v2/bot/list?limit="+limit, f.mod.Token), 400, "The value for the 'limit' parameter is invalid")
	}

	detach := func(body string) response {
		return f.callAs(f.mod.Token, "POST", "/v2/bot/channel/detach", body, nil)
	}
	assertMessage(t, detach(`{"botId":"Uffffffffffffffffffffffffffffffff"}`), 400, "user/group/room Id is not available.")
	assertMessage(t, detach(`{}`), 400, "user/group/room Id is not available.")
	assertMessage(t, detach(`{"botId":"`+f.demo.OfficialAccount.BotID+`"}`), 400, "Specified channel is not detachable")
	if resp := detach(`{"botId":"` + shop.BotID + `"}`); resp.status != 200 || resp.body != "" {
		t.Fatalf("detach: status %d, body %q", resp.status, resp.body)
	}
	ev := f.hook.events(t, 1)[0]
	// LINE's types require a reason; it documents only bot_deleted.
	if !reflect.DeepEqual(ev["module"], map[string]any{"type": "detached", "botId": shop.BotID, "reason": "module_detached"}) {
		t.Errorf("detached event module = %v, want reason module_detached", ev["module"])
	}
	assertMessage(t, detach(`{"botId":"`+shop.BotID+`"}`), 400, "Specified channel is not detachable")
	if resp := f.getBearer("/v2/bot/list", f.mod.Token); !strings.Contains(resp.body, f.botID()) || strings.Contains(resp.body, shop.BotID) {
		t.Errorf("list after detach: %s", resp.body)
	}
}

func TestBotListContinuationExpires(t *testing.T) {
	f := newModuleFixture(t)
	f.attach()
	if err := f.sim.AddOfficialAccount(linesim.OfficialAccount{BotID: "U00000000000000000000000000000b0b", BasicID: "@b", Name: "B"}); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.AttachModule(f.mod.Channel.ID, "U00000000000000000000000000000b0b", nil); err != nil {
		t.Fatal(err)
	}
	next := f.getBearer("/v2/bot/list?limit=1", f.mod.Token).json(t)["next"].(string)
	f.clock.Advance(24*time.Hour - time.Second)
	if resp := f.getBearer("/v2/bot/list?start="+url.QueryEscape(next), f.mod.Token); resp.status != 200 {
		t.Errorf("before 24 h: status %d", resp.status)
	}
	f.clock.Advance(time.Second)
	assertMessage(t, f.getBearer("/v2/bot/list?start="+url.QueryEscape(next), f.mod.Token), 400, "Invalid start param")
}

func TestPush(t *testing.T) {
	const key = "123e4567-e89b-12d3-a456-426614174000"
	f := newModuleFixture(t)
	f.attach("message:send")
	push := func(key, body string) response {
		return f.callAs(f.mod.Token, "POST", "/v2/bot/message/push", body, http.Header{linesim.DefaultBotIDHeader: {f.botID()}, "X-Line-Retry-Key": {key}})
	}
	hello := `{"to":"` + f.chatID(0) + `","messages":[{"type":"text","text":"Hello"}]}`

	first := push(key, hello)
	sent, _ := first.json(t)["sentMessages"].([]any)
	if first.status != 200 || len(sent) != 1 {
		t.Fatalf("push: status %d, body %s", first.status, first.body)
	}
	again := push(key, hello)
	if again.status != http.StatusConflict || again.header.Get("X-Line-Accepted-Request-Id") != first.header.Get("x-line-request-id") {
		t.Errorf("retry: status %d, accepted request ID %q; want 409 and %q", again.status, again.header.Get("X-Line-Accepted-Request-Id"), first.header.Get("x-line-request-id"))
	}
	if got := again.json(t); got["message"] != "The retry key is already accepted" || !reflect.DeepEqual(got["sentMessages"], first.json(t)["sentMessages"]) {
		t.Errorf("retry body = %s", again.body)
	}
	if resp := push("", hello); resp.status != 200 {
		t.Errorf("push without a retry key: %d", resp.status)
	}

	if err := f.sim.SetFriendship(f.mod.Friends[1].ID, f.botID(), linesim.FriendshipBlocked); err != nil {
		t.Fatal(err)
	}
	if resp := push("", `{"to":"`+f.chatID(1)+`","messages":[{"type":"text","text":"Anyone?"}]}`); resp.status != 200 {
		t.Errorf("push to a user who blocked the account: %d (LINE accepts it and sends nothing)", resp.status)
	}
	pushes := f.sim.Pushes()
	if len(pushes) != 3 || pushes[0].RequestID != first.header.Get("x-line-request-id") || pushes[0].To != f.chatID(0) ||
		!reflect.DeepEqual(pushes[0].Texts, []string{"Hello"}) || !pushes[0].Delivered || pushes[2].Delivered {
		t.Errorf("Pushes() = %+v", pushes)
	}

	refusals := []struct {
		name, key, body, want string
	}{
		{"a retry key that is not a UUID", "retry-1", hello, `{"message":"The value for the 'X-Line-Retry-Key' header is invalid"}`},
		{"no messages", "", `{"to":"` + f.chatID(0) + `","messages":[]}`, `{"message":"The request body has 1 error(s)","details":[{"message":"Size must be between 1 and 5","property":"messages"}]}`},
		{"empty text and an image", "", `{"to":"` + f.chatID(0) + `","messages":[{"type":"text","text":""},{"type":"image"}]}`,
			`{"message":"The request body has 2 error(s)","details":[{"message":"May not be empty","property":"messages[0].text"},{"message":"The simulator sends text messages only","property":"messages[1].type"}]}`},
		{"an unknown user", "", `{"to":"U0123456789abcdef0123456789abcdef","messages":[{"type":"text","text":"x"}]}`, `{"message":"The property, 'to', in the request body is invalid (line: -, column: -)"}`},
	}
	for _, tt := range refusals {
		t.Run("refuse "+tt.name, func(t *testing.T) {
			resp := push(tt.key, tt.body)
			if resp.status != 400 || resp.body != tt.want {
				t.Errorf("status %d, body %s; want 400 %s", resp.status, resp.body, tt.want)
			}
		})
	}
	if n := len(f.sim.Pushes()); n != 3 {
		t.Errorf("refused pushes were recorded: %d", n)
	}
}

func TestMissionStickers(t *testing.T) {
	f := newModuleFixture(t)
	f.attach()
	var packages []struct {
		PackageID string `json:"packageId"`
		Status    int    `json:"status"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal([]byte(f.get("/sim/api/mission-stickers").body), &packages); err != nil || len(packages) != 11 {
		t.Fatalf("catalogue: %v (%v)", packages, err)
	}
	mission := func(to, product, productType string) response {
		return f.call("POST", "/shop/v3/mission", `{"to":"`+to+`","productId":"`+product+`","productType":"`+productType+`","sendPresentMessage":false}`)
	}
	for _, p := range packages {
		t.Run(p.PackageID, func(t *testing.T) {
			resp := mission(f.chatID(0), p.PackageID, "STICKER")
			if p.Status == 200 {
				if resp.status != 200 || resp.body != "" {
					t.Errorf("status %d, body %q; want 200 and no body", resp.status, resp.body)
				}
				return
			}
			assertMessage(t, resp, p.Status, p.Message)
		})
	}
	wantMessages := []string{"illegal argument", "not_sales_period", "not sale for country", "not sale for device", "not sale for version",
		"not allowed to use the API", "sticker set not available for channel", "internal error", "upstream error"}
	var gotMessages []string
	for _, p := range packages[2:] {
		gotMessages = append(gotMessages, p.Message)
	}
	if !reflect.DeepEqual(gotMessages, wantMessages) {
		t.Errorf("catalogue errors = %q, want %q", gotMessages, wantMessages)
	}
	t.Run("unknown package", func(t *testing.T) { assertMessage(t, mission(f.chatID(0), "99999", "STICKER"), 404, "not found") })
	t.Run("unknown user", func(t *testing.T) {
		assertMessage(t, mission("U0123456789abcdef0123456789abcdef", "10001", "STICKER"), 400, "invalid request")
	})
	t.Run("malformed user", func(t *testing.T) { assertMessage(t, mission("nobody", "10001", "STICKER"), 400, "invalid request") })
	t.Run("product type", func(t *testing.T) { assertMessage(t, mission(f.chatID(0), "10001", "THEME"), 400, "invalid request") })
	t.Run("a user who is not a friend", func(t *testing.T) {
		if resp := mission(f.demo.Developer.ID, "10001", "STICKER"); resp.status != 200 {
			t.Errorf("status %d: a mission sticker needs no friendship", resp.status)
		}
	})
}
