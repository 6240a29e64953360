package linetest_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"lineportal/internal/line/linetest"
)

const webhookSecret = "8c570fa6dd201bb328f1c1eac23a96d8"

func signBody(secret, body string) string { return linetest.Sign(secret, []byte(body)) }

func TestVerifyAndParse(t *testing.T) {
	// line-platform.md C1: LINE's documented test vector.
	const (
		vectorBody = `{"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]}`
		vectorSig  = "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs="
	)
	cb, err := linetest.VerifyAndParse(webhookSecret, []byte(vectorBody), vectorSig)
	if err != nil || cb.Destination != "U8e742f61d673b39c7fff3cecb7536ef0" || len(cb.Events) != 0 {
		t.Fatalf("test vector: %+v, %v", cb, err)
	}

	tests := []struct {
		name, secret, body, signature string
		wantInvalid                   bool // ErrInvalidSignature; otherwise a parse error
	}{
		{"another secret", "0123456789abcdef0123456789abcdef", vectorBody, vectorSig, true},
		{"altered body", webhookSecret, vectorBody + " ", vectorSig, true},
		{"no signature", webhookSecret, vectorBody, "", true},
		{"signature not base64", webhookSecret, vectorBody, "%%%", true},
		{"no secret", "", vectorBody, signBody("", vectorBody), true},
		// The signature is checked before the body is read as JSON.
		{"bad JSON, bad signature", webhookSecret, `{`, vectorSig, true},
		{"bad JSON, good signature", webhookSecret, `{`, signBody(webhookSecret, `{`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb, err := linetest.VerifyAndParse(tt.secret, []byte(tt.body), tt.signature)
			if cb != nil || err == nil {
				t.Fatalf("accepted: %+v", cb)
			}
			if got := errors.Is(err, linetest.ErrInvalidSignature); got != tt.wantInvalid {
				t.Errorf("err = %v; invalid signature %t, want %t", err, got, tt.wantInvalid)
			}
		})
	}
}

// docEvents are the examples of line-platform.md C4 and C5 (LINE's
// documentation), the detached one with its documented reason, plus a
// type the portal does not map and one the SDK does not know.
var docEvents = []string{
	`{"type":"module","module":{"type":"attached","botId":"U53387d54817","scopes":["message:send","message:receive"]},"webhookEventId":"01G3GCEEXNWREGSSFVTPYH8465","deliveryContext":{"isRedelivery":false},"timestamp":1653038594997,"mode":"active"}`,
	`{"type":"module","module":{"type":"detached","botId":"U5fac33f633e72c192759f09afc41fa28","reason":"bot_deleted"},"webhookEventId":"01G4CPSV08QGNT1DWFC4DSWDNP","deliveryContext":{"isRedelivery":false},"timestamp":1653988977672,"mode":"active"}`,
	`{"type":"activated","chatControl":{"expireAt":1653994422933},"webhookEventId":"01G4CRJ54J7TT4WN190KKHBXXT","deliveryContext":{"isRedelivery":false},"timestamp":1653990823058,"source":{"type":"user","userId":"LUb577ef3cbe..."},"mode":"active"}`,
	`{"type":"deactivated","webhookEventId":"01G4CRJ51100K1D1791KC9J4G4","deliveryContext":{"isRedelivery":true},"timestamp":1653990822945,"source":{"type":"user","userId":"LUb577ef3cbe..."},"mode":"active"}`,
	`{"type":"botSuspended","webhookEventId":"01G4CRJ54J7TT4WN190KKHBXXT","deliveryContext":{"isRedelivery":false},"timestamp":1616390574119,"mode":"active"}`,
	`{"type":"botResumed","webhookEventId":"01G4CS8T91R1V1JCE0G43DQND8","deliveryContext":{"isRedelivery":false},"timestamp":1653991565601,"mode":"active"}`,
	`{"replyToken":"85cbe770fa8b4f45bbe077b1d4be4a36","type":"follow","mode":"active","timestamp":1705891467176,"source":{"type":"user","userId":"U3d3edab4f36c6292e6d8a8131f141b8b"},"webhookEventId":"01HMQGW40RZJPJM3RAJP7BHC2Q","deliveryContext":{"isRedelivery":false},"follow":{"isUnblocked":false}}`,
	`{"type":"unfollow","mode":"active","timestamp":1462629479859,"source":{"type":"user","userId":"U4af4980629..."},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZR","deliveryContext":{"isRedelivery":false}}`,
	`{"type":"join","mode":"active","timestamp":1462629479859,"source":{"type":"group","groupId":"C4af4980629"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZS","deliveryContext":{"isRedelivery":false},"replyToken":"r"}`,
	`{"type":"somethingNew","mode":"standby","timestamp":1462629479860,"source":{"type":"room","roomId":"R1","userId":"U2"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZT","deliveryContext":{"isRedelivery":false},"extra":{"a":1}}`,
}

func TestParseWebhookDocumentedEvents(t *testing.T) {
	const destination = "U5fac33f633e72c192759f09afc41fa28"
	body := `{"destination":"` + destination + `","events":[`
	for i, e := range docEvents {
		if i > 0 {
			body += ","
		}
		body += e
	}
	body += "]}"
	sig := signBody(webhookSecret, body)

	// The SDK gives value types for every documented event.
	cb, err := linetest.VerifyAndParse(webhookSecret, []byte(body), sig)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []any{webhook.ModuleEvent{}, webhook.ModuleEvent{}, webhook.ActivatedEvent{}, webhook.DeactivatedEvent{}, webhook.BotSuspendedEvent{},
		webhook.BotResumedEvent{}, webhook.FollowEvent{}, webhook.UnfollowEvent{}, webhook.JoinEvent{}, webhook.UnknownEvent{}}
	for i, ev := range cb.Events {
		if reflect.TypeOf(ev) != reflect.TypeOf(wantTypes[i]) {
			t.Errorf("event %d decodes to %T, want %T", i, ev, wantTypes[i])
		}
	}

	events, err := linetest.ParseWebhook(webhookSecret, []byte(body), sig)
	if err != nil {
		t.Fatal(err)
	}
	ms := func(n int64) time.Time { return time.UnixMilli(n) }
	want := []linetest.Event{
		{Type: "module", WebhookEventID: "01G3GCEEXNWREGSSFVTPYH8465", Timestamp: ms(1653038594997), Mode: "active", BotID: "U53387d54817",
			ModuleType: "attached", Scopes: []string{"message:send", "message:receive"}},
		{Type: "module", WebhookEventID: "01G4CPSV08QGNT1DWFC4DSWDNP", Timestamp: ms(1653988977672), Mode: "active", BotID: destination,
			ModuleType: "detached", DetachReason: "bot_deleted"},
		{Type: "activated", WebhookEventID: "01G4CRJ54J7TT4WN190KKHBXXT", Timestamp: ms(1653990823058), Mode: "active", BotID: destination,
			Source: linetest.Source{Type: "user", UserID: "LUb577ef3cbe..."}, ExpireAt: ms(1653994422933)},
		{Type: "deactivated", WebhookEventID: "01G4CRJ51100K1D1791KC9J4G4", IsRedelivery: true, Timestamp: ms(1653990822945), Mode: "active", BotID: destination,
			Source: linetest.Source{Type: "user", UserID: "LUb577ef3cbe..."}},
		{Type: "botSuspended", WebhookEventID: "01G4CRJ54J7TT4WN190KKHBXXT", Timestamp: ms(1616390574119), Mode: "active", BotID: destination},
		{Type: "botResumed", WebhookEventID: "01G4CS8T91R1V1JCE0G43DQND8", Timestamp: ms(1653991565601), Mode: "active", BotID: destination},
		{Type: "follow", WebhookEventID: "01HMQGW40RZJPJM3RAJP7BHC2Q", Timestamp: ms(1705891467176), Mode: "active", BotID: destination,
			Source: linetest.Source{Type: "user", UserID: "U3d3edab4f36c6292e6d8a8131f141b8b"}},
		{Type: "unfollow", WebhookEventID: "01FZ74A0TDDPYRVKNK77XKC3ZR", Timestamp: ms(1462629479859), Mode: "active", BotID: destination,
			Source: linetest.Source{Type: "user", UserID: "U4af4980629..."}},
		{Type: "join", WebhookEventID: "01FZ74A0TDDPYRVKNK77XKC3ZS", Timestamp: ms(1462629479859), Mode: "active", BotID: destination,
			Source: linetest.Source{Type: "group", GroupID: "C4af4980629"}},
		{Type: "somethingNew", WebhookEventID: "01FZ74A0TDDPYRVKNK77XKC3ZT", Timestamp: ms(1462629479860), Mode: "standby", BotID: destination,
			Source: linetest.Source{Type: "room", RoomID: "R1", UserID: "U2"}},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d", len(events), len(want))
	}
	for i := range want {
		want[i].Destination = destination
		want[i].Raw = json.RawMessage(docEvents[i])
		if !reflect.DeepEqual(events[i], want[i]) {
			t.Errorf("event %d = %+v\n want %+v", i, events[i], want[i])
		}
	}

	if _, err := linetest.ParseWebhook(webhookSecret, []byte(body), signBody("other", body)); !errors.Is(err, linetest.ErrInvalidSignature) {
		t.Errorf("bad signature: err = %v", err)
	}
}

func TestParseWebhookFollowUnblocked(t *testing.T) {
	body := `{"destination":"U5fac33f633e72c192759f09afc41fa28","events":[{"type":"follow","mode":"standby","timestamp":1,"source":{"type":"user","userId":"U1"},"webhookEventId":"01HMQGW40RZJPJM3RAJP7BHC2Q","deliveryContext":{"isRedelivery":false},"follow":{"isUnblocked":true}}]}`
	events, err := linetest.ParseWebhook(webhookSecret, []byte(body), signBody(webhookSecret, body))
	if err != nil || len(events) != 1 || !events[0].IsUnblocked || events[0].Mode != "standby" {
		t.Errorf("events = %+v, %v", events, err)
	}
}
