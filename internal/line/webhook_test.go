package line_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/line/linetest"
	"lineportal/internal/portal"
)

// TestWebhookParseMatchesTheSDK decodes every event shape LINE documents
// (line-platform.md C4, C5), and other types, with DecodeWebhook
// and with linetest.ParseWebhook (the official SDK), and compares.
func TestWebhookParseMatchesTheSDK(t *testing.T) {
	const hookSecret = "8c570fa6dd201bb328f1c1eac23a96d8" // line-platform.md C1's test vector secret
	const dest = "U5fac33f633e72c192759f09afc41fa28"
	events := []string{
		`{"type":"module","module":{"type":"attached","botId":"U53387d548170020e6cedef5f41d1e01d","scopes":["message:send","message:receive"]},"webhookEventId":"01G3GCEEXNWREGSSFVTPYH8465","deliveryContext":{"isRedelivery":false},"timestamp":1653038594997,"mode":"active"}`,
		`{"type":"module","module":{"type":"detached","botId":"U5fac33f633e72c192759f09afc41fa28","reason":"bot_deleted"},"webhookEventId":"01G4CPSV08QGNT1DWFC4DSWDNP","deliveryContext":{"isRedelivery":true},"timestamp":1653988977672,"mode":"active"}`,
		`{"type":"module","module":{"type":"detached","botId":"U5fac33f633e72c192759f09afc41fa28"},"webhookEventId":"01G4CPSV08QGNT1DWFC4DSWDNQ","deliveryContext":{"isRedelivery":false},"timestamp":1653988977672,"mode":"active"}`,
		`{"type":"activated","chatControl":{"expireAt":1653994422933},"webhookEventId":"01G4CRJ54J7TT4WN190KKHBXXT","deliveryContext":{"isRedelivery":false},"timestamp":1653990823058,"source":{"type":"user","userId":"LUb577ef3cbe786a8da85ff8e902a03fc6-U5fac33f633e72c192759f09afc41fa28"},"mode":"active"}`,
		`{"type":"activated","chatControl":{},"webhookEventId":"01G4CRJ54J7TT4WN190KKHBXXU","deliveryContext":{"isRedelivery":false},"timestamp":1653990823058,"source":{"type":"group","groupId":"Ca56f94637cc4347f90a25382909b24b9","userId":"U4af4980629e2f7a6c5d2a3b1c0d9e8f7"},"mode":"active"}`,
		`{"type":"deactivated","webhookEventId":"01G4CRJ51100K1D1791KC9J4G4","deliveryContext":{"isRedelivery":false},"timestamp":1653990822945,"source":{"type":"room","roomId":"Ra8dbf4673c4c812cd491258042226c99","userId":"U4af4980629e2f7a6c5d2a3b1c0d9e8f7"},"mode":"active"}`,
		`{"type":"botSuspended","webhookEventId":"01G4CRJ54J7TT4WN190KKHBXXV","deliveryContext":{"isRedelivery":false},"timestamp":1616390574119,"mode":"active"}`,
		`{"type":"botResumed","webhookEventId":"01G4CS8T91R1V1JCE0G43DQND8","deliveryContext":{"isRedelivery":false},"timestamp":1653991565601,"mode":"active"}`,
		`{"replyToken":"85cbe770fa8b4f45bbe077b1d4be4a36","type":"follow","mode":"active","timestamp":1705891467176,"source":{"type":"user","userId":"U3d3edab4f36c6292e6d8a8131f141b8b"},"webhookEventId":"01HMQGW40RZJPJM3RAJP7BHC2Q","deliveryContext":{"isRedelivery":false},"follow":{"isUnblocked":true}}`,
		`{"type":"follow","mode":"standby","timestamp":1705891467176,"source":{"type":"user","userId":"U3d3edab4f36c6292e6d8a8131f141b8b"},"webhookEventId":"01HMQGW40RZJPJM3RAJP7BHC2R","deliveryContext":{"isRedelivery":false}}`,
		`{"type":"unfollow","mode":"active","timestamp":1462629479859,"source":{"type":"user","userId":"U4af4980629e2f7a6c5d2a3b1c0d9e8f7"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZR","deliveryContext":{"isRedelivery":false}}`,
		`{"replyToken":"nHuyWiB7yP5Zw52FIkcQobQuGDXCTA","type":"message","mode":"active","timestamp":1462629479859,"source":{"type":"group","groupId":"Ca56f94637cc4347f90a25382909b24b9","userId":"U4af4980629e2f7a6c5d2a3b1c0d9e8f7"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZS","deliveryContext":{"isRedelivery":false},"message":{"id":"444573844083572737","type":"text","quoteToken":"q3Plxr4AgKd","text":"Hello"}}`,
		`{"type":"somethingNew","mode":"active","timestamp":1462629479859,"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZT","deliveryContext":{"isRedelivery":false},"whatever":{"x":[1,2,3]}}`,
		`{"type":"module","module":{"type":"transferred","botId":"U53387d548170020e6cedef5f41d1e01d"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZU","deliveryContext":{"isRedelivery":false},"timestamp":1462629479859,"mode":"active"}`,
	}
	body := []byte(`{"destination":"` + dest + `","events":[` + strings.Join(events, ",") + `]}`)
	sdk, err := linetest.ParseWebhook(hookSecret, body, linetest.Sign(hookSecret, body))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := line.DecodeWebhook(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(ours) != len(events) || len(sdk) != len(events) {
		t.Fatalf("%d and %d events, want %d", len(ours), len(sdk), len(events))
	}
	for i, e := range sdk {
		want := portal.WebhookEvent{
			WebhookEventID: e.WebhookEventID, Type: e.Type, ModuleType: e.ModuleType, Mode: e.Mode, Destination: e.Destination, BotID: e.BotID,
			Source:    portal.EventSource{Type: e.Source.Type, UserID: e.Source.UserID, GroupID: e.Source.GroupID, RoomID: e.Source.RoomID},
			Timestamp: e.Timestamp, IsRedelivery: e.IsRedelivery, Scopes: e.Scopes, DetachReason: e.DetachReason, ExpireAt: e.ExpireAt,
			IsUnblocked: e.IsUnblocked, Payload: string(e.Raw),
		}
		if !reflect.DeepEqual(ours[i], want) {
			t.Errorf("event %d (%s):\n ours %+v\n  sdk %+v", i, e.Type, ours[i], want)
		}
		if ours[i].Payload != events[i] {
			t.Errorf("event %d: payload is not the event's own bytes", i)
		}
	}
}

// benchSecret is the channel secret the benchmark's batches are signed
// with.
const benchSecret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"

// benchBatch is a webhook body of 100 text message events as LINE sends
// them.
func benchBatch() []byte {
	const bot = "U5fac33f633e72c192759f09afc41fa28"
	var b bytes.Buffer
	b.WriteString(`{"destination":"` + bot + `","events":[`)
	now := time.Now().UnixMilli()
	for n := range 100 {
		if n > 0 {
			b.WriteByte(',')
		}
		id := fmt.Sprintf("01BENCH%019d", n)
		user := fmt.Sprintf("LU%032x-%s", n, bot)
		fmt.Fprintf(&b, `{"replyToken":"%032x","type":"message","mode":"active","timestamp":%d,"source":{"type":"user","userId":"%s"},"webhookEventId":"%s","deliveryContext":{"isRedelivery":false},"message":{"id":"%d","type":"text","quoteToken":"q%d","text":"Hello, a table for two at seven, please"}}`,
			n, now, user, id, n, n)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// BenchmarkWebhookParse compares DecodeWebhook with the SDK's
// (linetest.ParseWebhook) on one signed 100-event batch: the reason the
// portal decodes events itself. The end-to-end ingestion rate is make
// bench's webhook scenario.
func BenchmarkWebhookParse(b *testing.B) {
	body := benchBatch()
	sig := linetest.Sign(benchSecret, body)
	b.Run("portal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if !line.ValidSignature(benchSecret, body, sig) {
				b.Fatal("signature refused")
			}
			if _, err := line.DecodeWebhook(body); err != nil {
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

// Each event's Payload is its bytes exactly as the body has them, which
// DecodeWebhook cuts from the body itself: here against encoding/json's
// json.RawMessage on bodies written every way JSON allows, and in
// FuzzDecodeWebhookPayloads on any other.
func TestDecodeWebhookKeepsEachEventsOwnBytes(t *testing.T) {
	for _, body := range webhookBodies {
		checkPayloads(t, []byte(body))
	}
}

func FuzzDecodeWebhookPayloads(f *testing.F) {
	for _, body := range webhookBodies {
		f.Add([]byte(body))
	}
	f.Fuzz(checkPayloads)
}

// webhookBodies are valid bodies that make cutting events out hard:
// strings holding quotes, escapes, brackets and braces, nesting, spaces
// everywhere, the member named in other cases or with escapes, twice, or
// after others, and no events at all.
var webhookBodies = []string{
	`{"destination":"Uab","events":[{"type":"message","webhookEventId":"01A","message":{"text":"a \"quoted\" ] } [ { \\ text","emojis":[{"index":0},{"index":[1,[2]]}]}},{"type":"follow","webhookEventId":"01B","n":-1.5e3}]}`,
	" \n{ \"events\" :\t[ {\"type\":\"unfollow\" , \"x\":[ ] , \"y\":{ } } ,\r\n{\"type\":\"follow\",\"n\":null,\"t\":true,\"f\":false} ] , \"destination\" : \"U1\" } \n",
	`{"Events":[{"type":"a"}],"destination":"U"}`,
	`{"ev\u0065nts":[{"type":"\u0022}\u005d"}]}`,
	`{"events":[{"type":"first"}],"EVENTS":[{"type":"second"},{"type":"third"}]}`,
	`{"events":[{"type":"a"}],"events":null}`,
	`{"eventsX":[{"type":"a"}],"destination":"U","events":[]}`,
	`{"destination":"U"}`,
	`{}`,
	`null`,
}

// checkPayloads holds DecodeWebhook to encoding/json: on a body
// json.Unmarshal accepts it fails only where a property the portal reads
// has another type, and each Payload is the event's json.RawMessage.
func checkPayloads(t *testing.T, body []byte) {
	var want struct {
		Events []json.RawMessage `json:"events"`
	}
	events, err := line.DecodeWebhook(body)
	if json.Unmarshal(body, &want) != nil {
		return // not a body LINE could send, whatever DecodeWebhook says of it
	}
	if _, typeMismatch := errors.AsType[*json.UnmarshalTypeError](err); typeMismatch {
		return
	}
	if err != nil {
		t.Fatalf("DecodeWebhook(%q): %v, but encoding/json accepts it", body, err)
	}
	if len(events) != len(want.Events) {
		t.Fatalf("DecodeWebhook(%q): %d events, encoding/json %d", body, len(events), len(want.Events))
	}
	for i, e := range events {
		if e.Payload != string(want.Events[i]) {
			t.Errorf("DecodeWebhook(%q): event %d is %q, encoding/json has %q", body, i, e.Payload, want.Events[i])
		}
	}
}
