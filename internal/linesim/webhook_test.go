package linesim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"lineportal/internal/linesim"
)

var ulidPattern = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

func TestWebhookSignatureTestVector(t *testing.T) {
	// line-platform.md C1, from LINE's documentation.
	const (
		body      = `{"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]}`
		secret    = "8c570fa6dd201bb328f1c1eac23a96d8"
		signature = "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs="
	)
	if got := linesim.Sign(secret, []byte(body)); got != signature {
		t.Errorf("Sign = %q, want %q", got, signature)
	}
	if !webhook.ValidateSignature(secret, signature, []byte(body)) {
		t.Errorf("the SDK does not validate the documented vector")
	}
	if webhook.ValidateSignature(secret+"x", signature, []byte(body)) {
		t.Errorf("the SDK validates the vector with another secret")
	}
}

func TestWebhookRequest(t *testing.T) {
	f := newModuleFixture(t)
	f.clock.Advance(1234 * time.Millisecond)
	if err := f.sim.AttachModule(f.mod.Channel.ID, f.botID(), []string{"message:receive"}); err != nil {
		t.Fatal(err)
	}
	req := f.hook.next(t)
	checks := map[string]bool{
		"signature verifies with the channel secret": webhook.ValidateSignature(f.mod.Channel.Secret, req.header.Get("X-Line-Signature"), req.body),
		"signature does not verify with another":     !webhook.ValidateSignature(secondModuleSecret, req.header.Get("X-Line-Signature"), req.body),
		"JSON content type":                          req.header.Get("Content-Type") == "application/json; charset=utf-8",
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("%s: headers %v", name, req.header)
		}
	}
	ev := req.decode(t).Events[0]
	if id, _ := ev["webhookEventId"].(string); !ulidPattern.MatchString(id) {
		t.Errorf("webhookEventId %q is not a ULID", id)
	}
	if want := float64(f.clock.Now().UnixMilli()); ev["timestamp"] != want || ev["mode"] != "active" ||
		!reflect.DeepEqual(ev["deliveryContext"], map[string]any{"isRedelivery": false}) {
		t.Errorf("event = %v; want timestamp %v, mode active, isRedelivery false", ev, want)
	}
}

// TestWebhookEventShapes drives every module event and follow/unfollow
// through the simulator and parses each request with the SDK, which must
// give the documented value types.
func TestWebhookEventShapes(t *testing.T) {
	f := newModuleFixture(t)
	bot := f.botID()
	hana, riku := f.mod.Friends[0].ID, f.mod.Friends[1].ID
	f.attach("message:send", "message:receive") // the attached event's shape is checked in TestModuleAttachTokenExchange
	var requests []*http.Request
	collect := func(n int) {
		for got := 0; got < n; {
			r := f.hook.next(t)
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(r.body))
			req.Header = r.header
			requests = append(requests, req)
			got += len(r.decode(t).Events)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.sim.SetFriendship(hana, bot, linesim.FriendshipBlocked)) // unfollow
	must(f.sim.SetFriendship(hana, bot, linesim.FriendshipFriend))  // follow, unblocked
	collect(2)
	if resp := f.call("POST", "/v2/bot/chat/"+f.chatID(1)+"/control/acquire", `{"expired":true,"ttl":60}`); resp.status != http.StatusOK {
		t.Fatalf("acquire: %d %s", resp.status, resp.body)
	}
	if resp := f.call("POST", "/v2/bot/chat/"+f.chatID(1)+"/control/release", ""); resp.status != http.StatusOK {
		t.Fatalf("release: %d %s", resp.status, resp.body)
	}
	collect(2)
	must(f.sim.SuspendBot(bot))
	must(f.sim.ResumeBot(bot))
	must(f.sim.DeleteBot(bot))
	collect(3)

	var got []webhook.EventInterface
	for _, req := range requests {
		cb, err := webhook.ParseRequest(f.mod.Channel.Secret, req)
		if err != nil {
			t.Fatalf("ParseRequest: %v", err)
		}
		if cb.Destination != bot {
			t.Errorf("destination = %q, want %q", cb.Destination, bot)
		}
		got = append(got, cb.Events...)
	}
	if len(got) != 7 {
		t.Fatalf("%d events, want 7", len(got))
	}
	rikuChat := linesim.ModuleUserID(bot, riku)
	hanaChat := linesim.ModuleUserID(bot, hana)
	expireAt := f.clock.Now().Add(60 * time.Second).UnixMilli()
	checks := []struct {
		name string
		ok   func(webhook.EventInterface) bool
	}{
		{"unfollow from Hana in standby", func(e webhook.EventInterface) bool {
			u, ok := e.(webhook.UnfollowEvent)
			return ok && u.Mode == webhook.EventMode_STANDBY && u.Source == webhook.SourceInterface(webhook.UserSource{Source: webhook.Source{Type: "user"}, UserId: hanaChat})
		}},
		{"follow from Hana, unblocked, without reply token", func(e webhook.EventInterface) bool {
			fe, ok := e.(webhook.FollowEvent)
			return ok && fe.Follow != nil && fe.Follow.IsUnblocked && fe.ReplyToken == "" && fe.Mode == webhook.EventMode_STANDBY
		}},
		{"activated for Riku until expireAt", func(e webhook.EventInterface) bool {
			a, ok := e.(webhook.ActivatedEvent)
			src, _ := a.Source.(webhook.UserSource)
			return ok && a.ChatControl != nil && a.ChatControl.ExpireAt == expireAt && src.UserId == rikuChat && a.Mode == webhook.EventMode_ACTIVE
		}},
		{"deactivated for Riku", func(e webhook.EventInterface) bool {
			d, ok := e.(webhook.DeactivatedEvent)
			src, _ := d.Source.(webhook.UserSource)
			return ok && src.UserId == rikuChat
		}},
		{"botSuspended", func(e webhook.EventInterface) bool {
			s, ok := e.(webhook.BotSuspendedEvent)
			return ok && s.Source == nil && s.Mode == webhook.EventMode_ACTIVE
		}},
		{"botResumed", func(e webhook.EventInterface) bool { _, ok := e.(webhook.BotResumedEvent); return ok }},
		{"detached with reason bot_deleted", func(e webhook.EventInterface) bool {
			m, ok := e.(webhook.ModuleEvent)
			d, _ := m.Module.(webhook.DetachedModuleContent)
			return ok && d.BotId == bot && d.Reason == webhook.DetachedModuleContentREASON_BOT_DELETED
		}},
	}
	for i, c := range checks {
		if !c.ok(got[i]) {
			t.Errorf("event %d: want %s, got %#v", i, c.name, got[i])
		}
	}
	for i, e := range got {
		if id := reflect.ValueOf(e).FieldByName("WebhookEventId").String(); !ulidPattern.MatchString(id) {
			t.Errorf("event %d: webhookEventId %q", i, id)
		}
	}
}

func TestWebhookFollowGoesOnlyToModulesThatReceive(t *testing.T) {
	f := newModuleFixture(t)
	f.attach("message:send") // no message:receive
	_, second := f.addSecondModule()
	if err := f.sim.SetFriendship(f.mod.Friends[0].ID, f.botID(), linesim.FriendshipBlocked); err != nil {
		t.Fatal(err)
	}
	if ev := second.events(t, 1)[0]; ev["type"] != "unfollow" {
		t.Errorf("second module got %v, want unfollow", ev)
	}
	f.hook.quiet(t)
}

func TestWebhookBatching(t *testing.T) {
	release := make(chan struct{})
	f := newModuleFixtureWith(t, linesim.Config{}, func(n int) int {
		if n == 1 {
			<-release // hold the worker while events pile up
		}
		return http.StatusOK
	})
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	if err := f.sim.AttachModule(f.mod.Channel.ID, f.botID(), []string{"message:receive"}); err != nil {
		t.Fatal(err)
	}
	first := f.hook.next(t) // the worker now waits for its answer
	const n = 250
	for i := range n {
		u, err := f.sim.AddUser(linesim.User{Name: fmt.Sprintf("Guest %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.sim.SetFriendship(u.ID, f.botID(), linesim.FriendshipFriend); err != nil {
			t.Fatal(err)
		}
	}
	close(release)

	var sizes []int
	var ids []string
	for len(ids) < n {
		body := f.hook.next(t).decode(t)
		sizes = append(sizes, len(body.Events))
		for _, ev := range body.Events {
			ids = append(ids, ev["webhookEventId"].(string))
		}
	}
	if len(first.decode(t).Events) != 1 || !reflect.DeepEqual(sizes, []int{100, 100, 50}) {
		t.Errorf("batch sizes %v after the first request, want [100 100 50]", sizes)
	}
	if unique := slices.Compact(slices.Sorted(slices.Values(ids))); len(unique) != n {
		t.Errorf("%d distinct webhookEventIds, want %d", len(unique), n)
	}
}

// waitDelivery waits until a delivery is no longer pending.
func waitDelivery(t *testing.T, sim *linesim.Server, id string) linesim.Delivery {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range sim.Deliveries() {
			if d.ID == id && d.State != linesim.DeliveryPending {
				return d
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("delivery %s still pending after 5 s", id)
	return linesim.Delivery{}
}

func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		name         string
		status       func(int) int
		wantState    linesim.DeliveryState
		wantAttempts int
		wantStatus   int
		wantError    string
	}{
		{"succeeds at once", always(200), linesim.DeliveryDelivered, 1, 200, ""},
		{"fails once", func(n int) int {
			if n == 1 {
				return 500
			}
			return 200
		}, linesim.DeliveryDelivered, 2, 200, ""},
		{"fails every time", always(503), linesim.DeliveryFailed, 3, 503, "the receiver answered 503 Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModuleFixtureWith(t, linesim.Config{}, tt.status)
			if err := f.sim.AttachModule(f.mod.Channel.ID, f.botID(), nil); err != nil {
				t.Fatal(err)
			}
			d := waitDelivery(t, f.sim, "1")
			if d.State != tt.wantState || d.Attempts != tt.wantAttempts || d.StatusCode != tt.wantStatus || d.Error != tt.wantError {
				t.Errorf("delivery = %+v", d)
			}
			var redelivery []bool
			var eventIDs []string
			for range tt.wantAttempts {
				ev := f.hook.next(t).decode(t).Events[0]
				redelivery = append(redelivery, ev["deliveryContext"].(map[string]any)["isRedelivery"].(bool))
				eventIDs = append(eventIDs, ev["webhookEventId"].(string))
			}
			if redelivery[0] || slices.Contains(redelivery[1:], false) {
				t.Errorf("isRedelivery per attempt = %v, want false then true", redelivery)
			}
			if len(slices.Compact(eventIDs)) != 1 || eventIDs[0] != d.WebhookEventIDs[0] {
				t.Errorf("webhookEventIds per attempt = %v, record %v", eventIDs, d.WebhookEventIDs)
			}
		})
	}

	t.Run("no webhook URL", func(t *testing.T) {
		f := newModuleFixture(t)
		if err := f.sim.AddModuleChannel(linesim.ModuleChannel{ID: "2000000199", Secret: "s", RedirectURIs: []string{moduleCallback}}); err != nil {
			t.Fatal(err)
		}
		if err := f.sim.AttachModule("2000000199", f.botID(), nil); err != nil {
			t.Fatal(err)
		}
		d := waitDelivery(t, f.sim, "1")
		if d.State != linesim.DeliveryFailed || d.Attempts != 0 || d.Error != "the channel has no webhook URL" {
			t.Errorf("delivery = %+v", d)
		}
	})
}

func TestWebhookRedelivery(t *testing.T) {
	f := newModuleFixture(t)
	f.attach("message:receive")
	first := waitDelivery(t, f.sim, "1")

	resp := f.request(http.MethodPost, "/sim/api/deliveries/1/redeliver", nil, nil)
	if resp.status != http.StatusAccepted || !reflect.DeepEqual(resp.json(t), map[string]any{"id": "2"}) {
		t.Fatalf("redeliver: status %d, body %s", resp.status, resp.body)
	}
	req := f.hook.next(t)
	if !webhook.ValidateSignature(f.mod.Channel.Secret, req.header.Get("X-Line-Signature"), req.body) {
		t.Errorf("the redelivery's signature does not verify")
	}
	ev := req.decode(t).Events[0]
	if ev["webhookEventId"] != first.WebhookEventIDs[0] || !reflect.DeepEqual(ev["deliveryContext"], map[string]any{"isRedelivery": true}) {
		t.Errorf("redelivered event = %v; want webhookEventId %s and isRedelivery true", ev, first.WebhookEventIDs[0])
	}
	if d := waitDelivery(t, f.sim, "2"); !d.IsRedelivery || d.State != linesim.DeliveryDelivered {
		t.Errorf("redelivery record = %+v", d)
	}

	assertMessage(t, f.request(http.MethodPost, "/sim/api/deliveries/99/redeliver", nil, nil), http.StatusBadRequest, `unknown delivery "99"`)
	var list []map[string]any
	if err := json.Unmarshal([]byte(f.get("/sim/api/deliveries").body), &list); err != nil || len(list) != 2 || list[1]["isRedelivery"] != true {
		t.Errorf("GET /sim/api/deliveries = %v (%v)", list, err)
	}
}

func TestCloseStopsDeliveries(t *testing.T) {
	f := newModuleFixture(t)
	if err := f.sim.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := f.sim.AttachModule(f.mod.Channel.ID, f.botID(), nil); err != nil {
		t.Fatal(err)
	}
	f.hook.quiet(t)
	if d := f.sim.Deliveries(); len(d) != 0 {
		t.Errorf("deliveries after Close = %+v", d)
	}
}
