package portal_test

import (
	"reflect"
	"testing"
	"time"

	"lineportal/internal/portal"
)

// at is the issued time plus n seconds: LINE's event times in these tests.
func at(n int) time.Time { return issued.Add(time.Duration(n) * time.Second) }

func moduleEvent(moduleType string, n int) portal.WebhookEvent {
	return portal.WebhookEvent{Type: portal.EventModule, ModuleType: moduleType, BotID: botA, Destination: botA, Timestamp: at(n)}
}

func attachedEvent(n int, scopes ...string) portal.WebhookEvent {
	ev := moduleEvent(portal.ModuleAttached, n)
	ev.Scopes = scopes
	return ev
}

func detachedEvent(n int, reason string) portal.WebhookEvent {
	ev := moduleEvent(portal.ModuleDetached, n)
	ev.DetachReason = reason
	return ev
}

func botEvent(typ string, n int) portal.WebhookEvent {
	return portal.WebhookEvent{Type: typ, BotID: botA, Destination: botA, Timestamp: at(n)}
}

func chatEvent(typ string, n int, expireAt time.Time) portal.WebhookEvent {
	return portal.WebhookEvent{Type: typ, BotID: botA, Destination: botA, Timestamp: at(n), ExpireAt: expireAt,
		Source: portal.EventSource{Type: "user", UserID: userOfA}}
}

func TestWebhookEventEffect(t *testing.T) {
	user := portal.EventSource{Type: "user", UserID: userOfA}
	tests := []struct {
		name string
		ev   portal.WebhookEvent
		want portal.EventEffect
	}{
		{"attached", attachedEvent(0), portal.EffectAttachment},
		{"detached", detachedEvent(0, ""), portal.EffectAttachment},
		{"botSuspended", botEvent(portal.EventBotSuspended, 0), portal.EffectAttachment},
		{"botResumed", botEvent(portal.EventBotResumed, 0), portal.EffectAttachment},
		{"activated", chatEvent(portal.EventActivated, 0, time.Time{}), portal.EffectChatControl},
		{"deactivated", chatEvent(portal.EventDeactivated, 0, time.Time{}), portal.EffectChatControl},
		{"follow", portal.WebhookEvent{Type: portal.EventFollow, BotID: botA, Source: user}, portal.EffectFollow},
		{"unfollow", portal.WebhookEvent{Type: portal.EventUnfollow, BotID: botA, Source: user}, portal.EffectForgetUser},
		{"message: kept only", portal.WebhookEvent{Type: "message", BotID: botA, Source: user}, portal.EffectNone},
		{"unknown module type", moduleEvent("transferred", 0), portal.EffectNone},
		{"module event with a bad bot ID", portal.WebhookEvent{Type: portal.EventModule, ModuleType: portal.ModuleAttached, BotID: "U1"}, portal.EffectNone},
		{"activated without a chat", portal.WebhookEvent{Type: portal.EventActivated, BotID: botA}, portal.EffectNone},
		{"follow without a user", portal.WebhookEvent{Type: portal.EventFollow, BotID: botA}, portal.EffectNone},
		{"unfollow without a user", portal.WebhookEvent{Type: portal.EventUnfollow, BotID: botA, Source: portal.EventSource{Type: "group", GroupID: "C1"}}, portal.EffectNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ev.Effect(); got != tt.want {
				t.Errorf("Effect() = %v, want %v", got, tt.want)
			}
		})
	}
}

// An event about a bot's users or chats takes effect only on a channel
// attached to that bot; the sender names the bot, so nothing else binds
// the event to it. Attachment events concern the receiving channel's own
// attachment and always apply; events the portal does not act on never do.
// An unfollow on a channel not attached to the bot still deletes the
// user's events that channel holds.
func TestEventEffectOn(t *testing.T) {
	tests := []struct {
		effect                portal.EventEffect
		attached, notAttached portal.EventEffect
	}{
		{portal.EffectNone, portal.EffectNone, portal.EffectNone},
		{portal.EffectAttachment, portal.EffectAttachment, portal.EffectAttachment},
		{portal.EffectChatControl, portal.EffectChatControl, portal.EffectNone},
		{portal.EffectFollow, portal.EffectFollow, portal.EffectNone},
		{portal.EffectForgetUser, portal.EffectForgetUser, portal.EffectForgetUserHere},
	}
	for _, tt := range tests {
		if got := tt.effect.On(true); got != tt.attached {
			t.Errorf("effect %d: On(attached) = %d, want %d", tt.effect, got, tt.attached)
		}
		if got := tt.effect.On(false); got != tt.notAttached {
			t.Errorf("effect %d: On(not attached) = %d, want %d", tt.effect, got, tt.notAttached)
		}
	}
}

func TestWebhookEventKindAndChat(t *testing.T) {
	if k := attachedEvent(0).Kind(); k != "attached" {
		t.Errorf("Kind = %q", k)
	}
	if k := botEvent("botSuspended", 0).Kind(); k != "botSuspended" {
		t.Errorf("Kind = %q", k)
	}
	for _, tt := range []struct {
		src  portal.EventSource
		want string
	}{
		{portal.EventSource{Type: "user", UserID: "U1"}, "U1"},
		{portal.EventSource{Type: "group", GroupID: "C1", UserID: "U1"}, "C1"},
		{portal.EventSource{Type: "room", RoomID: "R1", UserID: "U1"}, "R1"},
		{portal.EventSource{}, ""},
	} {
		if got := tt.src.ChatID(); got != tt.want {
			t.Errorf("%+v ChatID = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestCheckWebhookEvent(t *testing.T) {
	check(t, portal.CheckWebhookEvent(portal.WebhookEvent{WebhookEventID: "01G3GCEEXNWREGSSFVTPYH8465", Type: "message"}), "", "")
	check(t, portal.CheckWebhookEvent(portal.WebhookEvent{Type: "message"}), portal.EINVALID, "A webhook event has no valid webhookEventId.")
	check(t, portal.CheckWebhookEvent(portal.WebhookEvent{WebhookEventID: string(make([]byte, 129)), Type: "message"}), portal.EINVALID,
		"A webhook event has no valid webhookEventId.")
	check(t, portal.CheckWebhookEvent(portal.WebhookEvent{WebhookEventID: "01G3"}), portal.EINVALID, "A webhook event has no type.")
}

func TestNextAttachment(t *testing.T) {
	base := func() *portal.ModuleAttachment {
		a := attached("message:send")
		a.AttachedAt = at(10)
		return &a
	}
	suspended := func() *portal.ModuleAttachment {
		a := base()
		a.Suspended, a.SuspensionChangedAt = true, at(20)
		return a
	}
	detached := func(reason portal.DetachReason) *portal.ModuleAttachment {
		a := portal.DetachBot(*base(), reason, at(30))
		return &a
	}
	tests := []struct {
		name    string
		cur     *portal.ModuleAttachment
		ev      portal.WebhookEvent
		changed bool
		want    func(a *portal.ModuleAttachment) // how the wanted attachment differs from cur (nil cur: from zero)
	}{
		// A webhook alone never attaches: anyone with the channel's secret
		// could sign one naming any bot.
		{"attached: no attachment from a webhook alone", nil, attachedEvent(5, "message:send", "message:receive"), false, nil},
		{"attached again: new scopes", base(), attachedEvent(40, "message:receive"), true, func(a *portal.ModuleAttachment) {
			a.Scopes = []string{"message:receive"}
		}},
		{"attached again: same scopes", base(), attachedEvent(40, "message:send"), false, nil},
		{"attached, older than the attachment", base(), attachedEvent(9, "message:receive"), false, nil},
		{"attached after a detach: not revived by a webhook alone", detached(portal.DetachEndedUse), attachedEvent(40, "message:receive"), false, nil},
		{"attached older than the detach (late redelivery)", detached(portal.DetachOther), attachedEvent(25), false, nil},
		{"detached: bot_deleted", base(), detachedEvent(40, "bot_deleted"), true, func(a *portal.ModuleAttachment) {
			a.State, a.DetachedAt, a.DetachReason = portal.Detached, at(40), portal.DetachBotDeleted
		}},
		{"detached with no reason", base(), detachedEvent(40, ""), true, func(a *portal.ModuleAttachment) {
			a.State, a.DetachedAt, a.DetachReason = portal.Detached, at(40), portal.DetachOther
		}},
		{"detached with an undocumented reason", base(), detachedEvent(40, "contract_ended"), true, func(a *portal.ModuleAttachment) {
			a.State, a.DetachedAt, a.DetachReason = portal.Detached, at(40), portal.DetachOther
		}},
		{"detached after botSuspended: the account ended its use", suspended(), detachedEvent(40, ""), true, func(a *portal.ModuleAttachment) {
			a.State, a.DetachedAt, a.DetachReason, a.Suspended = portal.Detached, at(40), portal.DetachEndedUse, false
		}},
		{"detached after botSuspended, bot_deleted", suspended(), detachedEvent(40, "bot_deleted"), true, func(a *portal.ModuleAttachment) {
			a.State, a.DetachedAt, a.DetachReason, a.Suspended = portal.Detached, at(40), portal.DetachBotDeleted, false
		}},
		{"detached twice", detached(portal.DetachByAdmin), detachedEvent(40, ""), false, nil},
		{"detached, older than the attachment", base(), detachedEvent(9, ""), false, nil},
		{"detached for an unknown bot", nil, detachedEvent(40, ""), false, nil},
		{"botSuspended", base(), botEvent(portal.EventBotSuspended, 40), true, func(a *portal.ModuleAttachment) {
			a.Suspended, a.SuspensionChangedAt = true, at(40)
		}},
		{"botSuspended twice", suspended(), botEvent(portal.EventBotSuspended, 40), false, nil},
		{"botSuspended before the attachment", base(), botEvent(portal.EventBotSuspended, 9), false, nil},
		{"botSuspended on a detached bot", detached(portal.DetachOther), botEvent(portal.EventBotSuspended, 40), false, nil},
		{"botSuspended for an unknown bot", nil, botEvent(portal.EventBotSuspended, 40), false, nil},
		{"botResumed", suspended(), botEvent(portal.EventBotResumed, 40), true, func(a *portal.ModuleAttachment) {
			a.Suspended, a.SuspensionChangedAt = false, at(40)
		}},
		{"botResumed when not suspended", base(), botEvent(portal.EventBotResumed, 40), false, nil},
		{"late botSuspended after botResumed (redelivery)", func() *portal.ModuleAttachment {
			a := base()
			a.SuspensionChangedAt = at(30) // resumed at 30
			return a
		}(), botEvent(portal.EventBotSuspended, 20), false, nil},
		{"late botResumed before the suspension", suspended(), botEvent(portal.EventBotResumed, 15), false, nil},
		{"activated is not an attachment event", base(), chatEvent(portal.EventActivated, 40, time.Time{}), false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want portal.ModuleAttachment
			if tt.cur != nil {
				want = *tt.cur
			}
			if tt.want != nil {
				tt.want(&want)
			}
			got, changed := portal.NextAttachment(tt.cur, tt.ev)
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestAttachBotKeepsTheProfile(t *testing.T) {
	cur := portal.DetachBot(attached("message:send"), portal.DetachOther, at(30))
	cur.Bot.BasicID = "@sakuracafe"
	next := portal.AttachBot(&cur, portal.AttachedBot{BotID: botA, Scopes: []string{"message:receive"}}, at(40))
	if next.Bot.BasicID != "@sakuracafe" || next.Bot.DisplayName != "Sakura Cafe" || next.ID != cur.ID {
		t.Fatalf("the attachment lost its identity: %+v", next)
	}
}

func TestNextChatControl(t *testing.T) {
	a := attached(portal.ScopeMessageReceive)
	a.AttachedAt = at(10)
	detached := portal.DetachBot(a, portal.DetachOther, at(20))
	active := &portal.ChatControl{ChatID: userOfA, Active: true, ExpireAt: at(3600), ChangedAt: at(30)}
	inactive := &portal.ChatControl{ChatID: userOfA, ChangedAt: at(30)}
	tests := []struct {
		name    string
		a       *portal.ModuleAttachment
		cur     *portal.ChatControl
		ev      portal.WebhookEvent
		changed bool
		want    portal.ChatControl
	}{
		{"activated with a limit", &a, nil, chatEvent(portal.EventActivated, 40, at(7200)), true,
			portal.ChatControl{ChatID: userOfA, Active: true, ExpireAt: at(7200), ChangedAt: at(40)}},
		{"activated with no limit", &a, nil, chatEvent(portal.EventActivated, 40, time.Time{}), true,
			portal.ChatControl{ChatID: userOfA, Active: true, ChangedAt: at(40)}},
		{"activated again, new limit", &a, active, chatEvent(portal.EventActivated, 40, at(9000)), true,
			portal.ChatControl{ChatID: userOfA, Active: true, ExpireAt: at(9000), ChangedAt: at(40)}},
		{"activated again, same limit", &a, active, chatEvent(portal.EventActivated, 40, at(3600)), false, *active},
		{"activated after deactivated", &a, inactive, chatEvent(portal.EventActivated, 40, time.Time{}), true,
			portal.ChatControl{ChatID: userOfA, Active: true, ChangedAt: at(40)}},
		{"late activated after deactivated (redelivery)", &a, inactive, chatEvent(portal.EventActivated, 25, time.Time{}), false, *inactive},
		{"deactivated", &a, active, chatEvent(portal.EventDeactivated, 40, time.Time{}), true,
			portal.ChatControl{ChatID: userOfA, ChangedAt: at(40)}},
		{"deactivated, never active", &a, nil, chatEvent(portal.EventDeactivated, 40, time.Time{}), false, portal.ChatControl{ChatID: userOfA}},
		{"deactivated twice", &a, inactive, chatEvent(portal.EventDeactivated, 40, time.Time{}), false, *inactive},
		{"late deactivated before the activation", &a, active, chatEvent(portal.EventDeactivated, 29, time.Time{}), false, *active},
		{"no attachment", nil, nil, chatEvent(portal.EventActivated, 40, time.Time{}), false, portal.ChatControl{}},
		{"detached attachment", &detached, nil, chatEvent(portal.EventActivated, 40, time.Time{}), false, portal.ChatControl{}},
		{"activated before the attachment", &a, nil, chatEvent(portal.EventActivated, 5, time.Time{}), false, portal.ChatControl{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := portal.NextChatControl(tt.a, tt.cur, tt.ev)
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	t.Run("a group chat", func(t *testing.T) {
		ev := chatEvent(portal.EventActivated, 40, time.Time{})
		ev.Source = portal.EventSource{Type: "group", GroupID: "Ca56f94637cc4347f90a25382909b24b9", UserID: userOfA}
		got, changed := portal.NextChatControl(&a, nil, ev)
		if !changed || got.ChatID != "Ca56f94637cc4347f90a25382909b24b9" {
			t.Fatalf("got %+v, %v", got, changed)
		}
	})
}

func TestFollowRecordAndForgetUser(t *testing.T) {
	ev := portal.WebhookEvent{Type: portal.EventFollow, BotID: botA, Timestamp: at(5), IsUnblocked: true, Source: portal.EventSource{Type: "user", UserID: userOfA}}
	want := portal.OAUser{BotID: botA, UserID: userOfA, FirstSeenAt: at(5), FollowedAt: at(5), Unblocked: true}
	if got := portal.FollowRecord(ev); got != want {
		t.Errorf("FollowRecord = %+v", got)
	}
	ev.Type = portal.EventUnfollow
	f := portal.ForgetUser(ev)
	if f != (portal.Forgetting{BotID: botA, UserID: userOfA, Until: at(5)}) {
		t.Errorf("ForgetUser = %+v", f)
	}
	// It covers the user's events for the account until then, the
	// unfollow itself included, and no one else's.
	for _, tt := range []struct {
		ev   portal.WebhookEvent
		want bool
	}{
		{ev, true},
		{portal.WebhookEvent{Type: "message", BotID: botA, Timestamp: at(4), Source: ev.Source}, true},
		{portal.WebhookEvent{Type: "message", BotID: botA, Timestamp: at(6), Source: ev.Source}, false},
		{portal.WebhookEvent{Type: "message", BotID: botB, Timestamp: at(4), Source: ev.Source}, false},
		{portal.WebhookEvent{Type: "message", BotID: botA, Timestamp: at(4), Source: portal.EventSource{Type: "user", UserID: "U" + botB[1:]}}, false},
	} {
		if got := f.Covers(tt.ev); got != tt.want {
			t.Errorf("Covers(%s of %s for %s at %v) = %v, want %v", tt.ev.Type, tt.ev.Source.UserID, tt.ev.BotID, tt.ev.Timestamp, got, tt.want)
		}
	}
}

// A user's event from before their latest block, or from its very
// millisecond, arriving after it, is forgotten; within the unfollow's own
// batch, one at that millisecond comes after it and is not. None is when
// the user never blocked the account.
func TestForgottenOnArrival(t *testing.T) {
	blocked := at(10)
	for _, tt := range []struct {
		at    time.Time
		block portal.Block
		want  bool
	}{
		{at(9), portal.Block{At: blocked}, true},
		{blocked, portal.Block{At: blocked}, true},
		{blocked.Add(time.Millisecond), portal.Block{At: blocked}, false},
		{at(9), portal.Block{At: blocked, ThisBatch: true}, true},
		{blocked, portal.Block{At: blocked, ThisBatch: true}, false},
		{at(9), portal.Block{}, false},
	} {
		ev := portal.WebhookEvent{Type: "message", BotID: botA, Timestamp: tt.at, Source: portal.EventSource{Type: "user", UserID: userOfA}}
		if got := portal.ForgottenOnArrival(ev, tt.block); got != tt.want {
			t.Errorf("event at %v, block %+v: forgotten %v, want %v", tt.at, tt.block, got, tt.want)
		}
	}
}

// A forgotten event changes nothing of its user's; a group's or room's
// chat control is the group's, and stays.
func TestEventEffectWhenForgotten(t *testing.T) {
	user := portal.EventSource{Type: "user", UserID: userOfA}
	group := portal.EventSource{Type: "group", GroupID: "Ca56f94637cc4347f90a25382909b24b9", UserID: userOfA}
	room := portal.EventSource{Type: "room", RoomID: "Ra8dc2b8bd1e33ec64d5d4d9a0ab1ff10", UserID: userOfA}
	for _, tt := range []struct {
		effect portal.EventEffect
		source portal.EventSource
		want   portal.EventEffect
	}{
		{portal.EffectChatControl, user, portal.EffectNone},
		{portal.EffectChatControl, group, portal.EffectChatControl},
		{portal.EffectChatControl, room, portal.EffectChatControl},
		{portal.EffectFollow, user, portal.EffectNone},
		{portal.EffectForgetUser, user, portal.EffectNone},
		{portal.EffectAttachment, group, portal.EffectNone},
	} {
		if got := tt.effect.WhenForgotten(portal.WebhookEvent{Source: tt.source}); got != tt.want {
			t.Errorf("effect %d from %+v: %d when forgotten, want %d", tt.effect, tt.source, got, tt.want)
		}
	}
}
