package linesim_test

import (
	"net/http"
	"strings"
	"testing"
)

// What LINE's OpenAPI description requires of the webhook events the
// simulator sends: line/line-openapi, webhook.yml at commit 6e4c2a2
// (Event, MessageEvent, TextMessageContent, FollowEvent, FollowDetail,
// UnfollowEvent, ModuleEvent, AttachedModuleContent, DetachedModuleContent,
// ActivatedEvent, ChatControl, DeactivatedEvent, BotSuspendedEvent,
// BotResumedEvent, DeliveryContext, EventMode). A property is named by its
// path and its JSON type.
var webhookRequired = map[string]map[string]string{
	"": {"type": "string", "timestamp": "number", "mode": "string", "webhookEventId": "string",
		"deliveryContext": "object", "deliveryContext.isRedelivery": "bool"},
	"message":         {"message": "object", "message.type": "string", "message.id": "string", "message.text": "string", "message.quoteToken": "string"},
	"follow":          {"follow": "object", "follow.isUnblocked": "bool"}, // and replyToken, in active mode (below)
	"unfollow":        {},
	"module/attached": {"module": "object", "module.type": "string", "module.botId": "string", "module.scopes": "array"},
	"module/detached": {"module": "object", "module.type": "string", "module.botId": "string", "module.reason": "string"},
	"activated":       {"chatControl": "object", "chatControl.expireAt": "number"},
	"deactivated":     {},
	"botSuspended":    {},
	"botResumed":      {},
}

func lookup(ev map[string]any, path string) (any, bool) {
	var cur any = ev
	for _, key := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[key]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// checkOpenAPI checks one event against webhookRequired.
func checkOpenAPI(t *testing.T, ev map[string]any) {
	t.Helper()
	kind, _ := ev["type"].(string)
	if kind == "module" {
		m, _ := ev["module"].(map[string]any)
		kind += "/" + m["type"].(string)
	}
	required, known := webhookRequired[kind]
	if !known {
		t.Errorf("event type %q is not in the table: %v", kind, ev)
		return
	}
	for _, props := range []map[string]string{webhookRequired[""], required} {
		for path, want := range props {
			v, ok := lookup(ev, path)
			if !ok || jsonType(v) != want {
				t.Errorf("%s event: %s is %s (present %v), webhook.yml requires %s: %v", kind, path, jsonType(v), ok, want, ev)
			}
		}
	}
	if ts, _ := ev["timestamp"].(float64); ts != float64(int64(ts)) {
		t.Errorf("%s event: timestamp %v is not an integer", kind, ev["timestamp"])
	}
	if at, ok := lookup(ev, "chatControl.expireAt"); ok && at.(float64) != float64(int64(at.(float64))) {
		t.Errorf("activated event: expireAt %v is not an int64", at)
	}
	if mode := ev["mode"]; mode != "active" && mode != "standby" {
		t.Errorf("%s event: mode %v is not in EventMode [active, standby]", kind, mode)
	}
	// FollowEvent requires replyToken; LINE's docs add that a standby
	// channel gets none, and so does the simulator.
	if _, has := ev["replyToken"]; kind == "follow" && has != (ev["mode"] == "active") {
		t.Errorf("follow event in %v mode: replyToken present %v", ev["mode"], has)
	}
}

// Every kind of event the simulator sends, to a module and to a Primary
// channel, carries what webhook.yml requires.
func TestWebhookEventsMatchOpenAPI(t *testing.T) {
	f, primary := primaryFixture(t)
	hana := f.mod.Friends[0].ID
	var toModule, toPrimary []map[string]any
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.sim.AttachModule(f.mod.Channel.ID, f.botID(), []string{"message:receive", "message:send"}))
	must(f.sim.SetFriendship(hana, f.botID(), "blocked"))
	must(f.sim.SetFriendship(hana, f.botID(), "friend"))
	must(f.sim.SendText(hana, f.botID(), "hello"))
	toModule = append(toModule, f.hook.events(t, 4)...)
	toPrimary = append(toPrimary, primary.events(t, 3)...)

	if resp := f.call("POST", "/v2/bot/chat/"+f.chatID(0)+"/control/acquire", `{"expired":false}`); resp.status != http.StatusOK {
		t.Fatalf("acquire: %d %s", resp.status, resp.body)
	}
	if resp := f.call("POST", "/v2/bot/chat/"+f.chatID(0)+"/control/release", ""); resp.status != http.StatusOK {
		t.Fatalf("release: %d %s", resp.status, resp.body)
	}
	must(f.sim.SuspendBot(f.botID()))
	must(f.sim.ResumeBot(f.botID()))
	ids, err := f.sim.AttachNewBots(f.mod.Channel.ID, 1, nil)
	must(err)
	must(f.sim.DeleteBot(ids[0]))
	if resp := f.callAs(f.mod.Token, "POST", "/v2/bot/channel/detach", `{"botId":"`+f.botID()+`"}`, nil); resp.status != http.StatusOK {
		t.Fatalf("detach: %d %s", resp.status, resp.body)
	}
	toModule = append(toModule, f.hook.events(t, 7)...)

	seen := map[string]bool{}
	for _, ev := range append(toModule, toPrimary...) {
		checkOpenAPI(t, ev)
		kind, _ := ev["type"].(string)
		if m, ok := ev["module"].(map[string]any); ok {
			kind += "/" + m["type"].(string)
		}
		seen[kind] = true
	}
	for kind := range webhookRequired {
		if kind != "" && !seen[kind] {
			t.Errorf("no %s event was checked", kind)
		}
	}
}

// GET /v2/bot/list and POST /oauth2/v3/token answer with what module.yml
// (GetModulesResponse, ModuleBot) and channel-access-token.yml
// (IssueStatelessChannelAccessTokenResponse) require, at commit 6e4c2a2.
func TestAPIResponsesMatchOpenAPI(t *testing.T) {
	f := newModuleFixture(t)
	f.attach("message:send")
	list := f.getBearer("/v2/bot/list", f.mod.Token).json(t)
	bots, ok := list["bots"].([]any)
	if !ok || len(bots) != 1 {
		t.Fatalf("bots = %v, want an array of one", list["bots"])
	}
	for _, path := range []string{"userId", "basicId", "displayName"} {
		if v, ok := lookup(bots[0].(map[string]any), path); !ok || jsonType(v) != "string" {
			t.Errorf("ModuleBot.%s = %v, module.yml requires a string", path, v)
		}
	}
	token := f.postForm("/oauth2/v3/token", map[string][]string{"grant_type": {"client_credentials"}, "client_id": {f.mod.Channel.ID}, "client_secret": {f.mod.Channel.Secret}}).json(t)
	for path, want := range map[string]string{"access_token": "string", "expires_in": "number", "token_type": "string"} {
		if v, ok := lookup(token, path); !ok || jsonType(v) != want {
			t.Errorf("stateless token %s = %v, channel-access-token.yml requires %s", path, v, want)
		}
	}
}
