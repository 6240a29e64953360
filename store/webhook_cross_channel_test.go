package store_test

import (
	"strings"
	"testing"
	"time"

	"lineportal/internal/dbtest"
	"lineportal/internal/portal"
	"lineportal/store"
)

// userZofA is a user of botA whom channel A has never seen.
const userZofA = "LU0123456789abcdef0123456789abcdef-" + botA

// crossChannelFixture is channel A (dev's, m.ch), attached to botA with
// two followers, X's 1:1 chat under control and X's message; and channel B,
// registered by another admin (boss) under their own provider with their
// own channel secret, attached to its own bot, botB. Everything B sends is
// signed with B's secret, as the receiver checks it; what B chooses is the
// bot its events name.
type crossChannelFixture struct {
	*moduleFixture
	b portal.Channel
}

func newCrossChannelFixture(t *testing.T) *crossChannelFixture {
	t.Helper()
	m := newModuleFixture(t)
	m.attach(t)
	if res := m.record(t,
		m.userEv(portal.EventFollow, 1, botA, userXofA),
		m.userEv(portal.EventFollow, 1, botA, userYofA),
		m.userEv("message", 2, botA, userXofA),
		m.userEv(portal.EventActivated, 3, botA, userXofA),
	); res.Applied != 3 {
		t.Fatalf("channel A's setup: %+v", res)
	}
	b, err := m.db.RegisterModuleChannel(ctx, m.box, m.boss, portal.Channel{
		Provider: portal.Provider{Name: "Other Provider"}, Kind: portal.KindModule, LINEChannelID: "2000000999", Name: "Other module", Region: portal.RegionJapan,
	}, "0123456789abcdef0123456789abcdef", "other-module-channel-access-token", time.Time{})

	mustNil(t, err)
	for _, c := range []struct {
		admin   portal.Admin
		channel int64
	}{{m.boss, m.ch.ID}, {m.dev, b.ID}} {
		access, err := m.db.FindChannelAccess(ctx, c.admin, c.channel)
		mustNil(t, err)
		if access.Role != portal.RoleNone || access.OrgAdmin {
			t.Fatalf("%s has access to channel %d: the fixture does not separate the admins", c.admin.Name, c.channel)
		}
	}
	f := &crossChannelFixture{moduleFixture: m, b: b}
	// B's attachment to botB, from its own code exchange (by boss, B's
	// Admin).
	if a := m.recordAttachment(t, m.boss, b.ID, botB, portal.ScopeMessageReceive); a.State != portal.Attached {
		t.Fatalf("channel B's attachment: %+v", a)
	}
	return f
}

func (f *crossChannelFixture) recordB(t *testing.T, events ...portal.WebhookEvent) portal.WebhookResult {
	t.Helper()
	res, err := f.db.RecordWebhookEvents(ctx, f.b.ID, events)
	mustNil(t, err)
	return res
}

func (f *crossChannelFixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	mustNil(t, f.raw.QueryRow(query, args...).Scan(&n))
	return n
}

// dump is query's rows, one a line.
func (f *crossChannelFixture) dump(t *testing.T, query string, args ...any) string {
	t.Helper()
	return dbtest.Rows(t, f.raw, query, args...)
}

// stateOfA is all that channel A keeps about botA: the account's users,
// the chat controls, A's attachments and A's events.
func (f *crossChannelFixture) stateOfA(t *testing.T) string {
	t.Helper()
	return "oa_users\n" + f.dump(t, `SELECT * FROM oa_users WHERE bot_id = ? ORDER BY user_id`, botA) +
		"module_chat_controls\n" + f.dump(t, `SELECT c.* FROM module_chat_controls c JOIN module_attachments a ON a.id = c.attachment_id
			WHERE a.channel_id = ? ORDER BY 1, 2`, f.ch.ID) +
		"module_attachments\n" + f.dump(t, `SELECT * FROM module_attachments WHERE channel_id = ? ORDER BY id`, f.ch.ID) +
		"webhook_events\n" + f.dump(t, `SELECT * FROM webhook_events WHERE channel_id = ? ORDER BY id`, f.ch.ID)
}

// The reproduction: channel B sends signed events naming channel A's bot
// (destination and module.botId are the sender's to choose). None of them
// may change A's data; they are stored for B, once, and change nothing but
// B's own events: the unfollow deletes those B holds from its user.
func TestStore_WebhookEventsNamingAnotherChannelsBotChangeNothing(t *testing.T) {
	f := newCrossChannelFixture(t)
	before := f.stateOfA(t)
	attachmentA := f.attachment(t, botA)

	forged := []portal.WebhookEvent{
		f.userEv(portal.EventUnfollow, 10, botA, userXofA),
		f.userEv(portal.EventFollow, 11, botA, userZofA),
		f.userEv(portal.EventActivated, 12, botA, userYofA),
		f.userEv(portal.EventDeactivated, 13, botA, userXofA),
		f.ev(portal.EventBotSuspended, 14),
		f.detachedEv(15, "bot_deleted"),
		f.ev(portal.EventBotResumed, 16),
	}
	if res := f.recordB(t, forged...); res != (portal.WebhookResult{Received: len(forged), Stored: len(forged), Applied: 1}) {
		t.Errorf("B's events about botA: %+v, want all stored and only the unfollow applied (to B's events)", res)
	}

	t.Run("A's users, chat controls, attachment and events are untouched", func(t *testing.T) {
		if n := f.count(t, `SELECT count(*) FROM oa_users WHERE bot_id = ? AND user_id = ?`, botA, userXofA); n != 1 {
			t.Errorf("X's record for botA: %d rows, want 1 (B's unfollow deleted it)", n)
		}
		if n := f.count(t, `SELECT count(*) FROM oa_users WHERE bot_id = ? AND user_id = ?`, botA, userZofA); n != 0 {
			t.Errorf("Z's record for botA: %d rows, want 0 (B's follow created it)", n)
		}
		controls, _, err := f.db.FindChatControls(ctx, f.ch.ID, botA, store.Page{})
		mustNil(t, err)
		if len(controls) != 1 || controls[0].ChatID != userXofA || !controls[0].Active {
			t.Errorf("A's chat controls %+v, want X's 1:1 chat, active", controls)
		}
		if n := f.count(t, `SELECT count(*) FROM webhook_events WHERE channel_id = ? AND (payload IS NULL OR source_user_id IS NULL)
			AND type <> 'module'`, f.ch.ID); n != 0 {
			t.Errorf("%d of A's events were scrubbed", n)
		}
		if a := f.attachment(t, botA); a.State != portal.Attached || a.Suspended || a.ChatsUnderControl != 1 || !a.UpdatedAt.Equal(attachmentA.UpdatedAt) {
			t.Errorf("A's attachment %+v, was %+v", a, attachmentA)
		}
		if after := f.stateOfA(t); after != before {
			t.Errorf("A's state changed:\n%s", lineDiff(before, after))
		}
	})
	t.Run("the events are stored for B, as sent, unprocessed, but the unfollow", func(t *testing.T) {
		events, _, err := f.db.FindWebhookEvents(ctx, f.b.ID, botA, store.Page{Limit: 50})
		mustNil(t, err)
		if len(events) != len(forged) {
			t.Fatalf("B has %d events about botA, want %d", len(events), len(forged))
		}
		for i, e := range events {
			want := forged[len(forged)-1-i] // newest first
			if e.Type == portal.EventUnfollow {
				// B's own events from X until then go: the unfollow itself.
				if e.WebhookEventID != want.WebhookEventID || e.Payload != "" || e.Source.UserID != "" || e.ProcessedAt.IsZero() {
					t.Errorf("unfollow %+v, want %s blanked and processed", e, want.WebhookEventID)
				}
				continue
			}
			if e.WebhookEventID != want.WebhookEventID || e.Payload != want.Payload || e.Source.UserID != want.Source.UserID {
				t.Errorf("event %d: %+v, want %s as sent", i, e, want.WebhookEventID)
			}
			// An event about the bot's users or chats did not apply. A
			// module event did, to B's own attachment to botA (none: it
			// changed nothing).
			if userEvent := e.Type != portal.EventModule && e.Type != portal.EventBotSuspended && e.Type != portal.EventBotResumed; userEvent != e.ProcessedAt.IsZero() {
				t.Errorf("%s event: processed at %v", e.Kind(), e.ProcessedAt)
			}
		}
	})
	t.Run("B gets no attachment to botA", func(t *testing.T) {
		if _, err := f.db.FindAttachment(ctx, f.b.ID, botA); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Errorf("FindAttachment(B, botA): %v, want not found", err)
		}
		if n := f.count(t, `SELECT count(*) FROM module_attachments WHERE bot_id = ?`, botA); n != 1 {
			t.Errorf("%d attachments to botA, want A's only", n)
		}
	})
	t.Run("a redelivery is a duplicate and changes nothing", func(t *testing.T) {
		again := forged[0]
		again.IsRedelivery = true
		if res := f.recordB(t, again); res != (portal.WebhookResult{Received: 1, Duplicates: 1}) {
			t.Errorf("redelivery %+v", res)
		}
		if after := f.stateOfA(t); after != before {
			t.Errorf("A's state changed:\n%s", lineDiff(before, after))
		}
	})
	t.Run("B's events about its own bot still apply", func(t *testing.T) {
		follow, activated := f.userEv(portal.EventFollow, 20, botB, userXofB), f.userEv(portal.EventActivated, 20, botB, userXofB)
		if res := f.recordB(t, follow, activated); res.Applied != 2 {
			t.Fatalf("B's follow and activated on botB: %+v", res)
		}
		users, _, err := f.db.FindOAUsers(ctx, f.b.ID, botB, store.Page{})
		mustNil(t, err)
		if len(users) != 1 || users[0].UserID != userXofB {
			t.Errorf("botB's users %+v", users)
		}
		if res := f.recordB(t, f.userEv(portal.EventUnfollow, 21, botB, userXofB)); res.Applied != 1 {
			t.Fatalf("B's unfollow on botB: %+v", res)
		}
		if n := f.count(t, `SELECT count(*) FROM oa_users WHERE bot_id = ?`, botB); n != 0 {
			t.Errorf("%d users of botB after the unfollow", n)
		}
		if n := f.count(t, `SELECT count(*) FROM webhook_events WHERE channel_id = ? AND source_user_id = ?`, f.b.ID, userXofB); n != 0 {
			t.Errorf("%d of B's events still hold X of botB", n)
		}
		if after := f.stateOfA(t); after != before {
			t.Errorf("A's state changed:\n%s", lineDiff(before, after))
		}
	})
}

// The legitimate path: A, attached to botA, receives X's unfollow, and
// X's data for botA goes everywhere: their record, their chat controls on
// every channel attached to botA, and every event from them about botA,
// B's stored copies included. Nothing else goes.
func TestStore_UnfollowOnAnAttachedChannelForgetsTheUserEverywhere(t *testing.T) {
	f := newCrossChannelFixture(t)
	// C: another channel of dev's, attached to botA too, with X's chat.
	c := f.register(t)
	f.recordAttachment(t, f.dev, c.ID, botA, portal.ScopeMessageReceive)
	if res, err := f.db.RecordWebhookEvents(ctx, c.ID, []portal.WebhookEvent{f.userEv(portal.EventActivated, 3, botA, userXofA)}); err != nil || res.Applied != 1 {
		t.Fatalf("C's activated: %+v, %v", res, err)
	}
	// B's stored (not applied) events from X about botA.
	f.recordB(t, f.userEv(portal.EventFollow, 4, botA, userXofA), f.userEv("message", 4, botA, userXofA))
	if n := f.count(t, `SELECT count(*) FROM module_chat_controls WHERE chat_id = ?`, userXofA); n != 2 {
		t.Fatalf("%d chat controls of X before, want A's and C's", n)
	}

	if res := f.record(t, f.userEv(portal.EventUnfollow, 5, botA, userXofA)); res != (portal.WebhookResult{Received: 1, Stored: 1, Applied: 1}) {
		t.Fatalf("A's unfollow %+v", res)
	}
	if n := f.count(t, `SELECT count(*) FROM oa_users WHERE bot_id = ? AND user_id = ?`, botA, userXofA); n != 0 {
		t.Errorf("X's record for botA survived")
	}
	if n := f.count(t, `SELECT count(*) FROM module_chat_controls WHERE chat_id = ?`, userXofA); n != 0 {
		t.Errorf("%d chat controls of X survived", n)
	}
	if n := f.count(t, `SELECT count(*) FROM webhook_events WHERE source_user_id = ? OR payload LIKE '%' || ? || '%'`, userXofA, userXofA); n != 0 {
		t.Errorf("%d events still hold X", n)
	}
	// Scrubbed rows: A's follow, message, activated, unfollow; C's
	// activated; B's follow and message.
	if n := f.count(t, `SELECT count(*) FROM webhook_events WHERE bot_id = ? AND payload IS NULL AND source_user_id IS NULL`, botA); n != 7 {
		t.Errorf("%d scrubbed rows, want 7", n)
	}
	if n := f.count(t, `SELECT count(*) FROM oa_users WHERE bot_id = ? AND user_id = ?`, botA, userYofA); n != 1 {
		t.Errorf("Y's record for botA went too")
	}
	if n := f.count(t, `SELECT count(*) FROM module_attachments WHERE state = 'attached'`); n != 3 {
		t.Errorf("%d attachments, want A's, B's and C's, attached", n)
	}
}

// A channel that was attached to the bot but no longer is has no say over
// its users: its follow and unfollow are stored and change nothing, but
// the unfollow deletes the user's events the channel holds itself.
func TestStore_UserEventsOnADetachedChannelChangeNothing(t *testing.T) {
	f := newCrossChannelFixture(t)
	if res := f.record(t, f.detachedEv(5, "")); res.Applied != 1 {
		t.Fatalf("detached %+v", res)
	}
	before := f.stateOfA(t)
	events := []portal.WebhookEvent{f.userEv(portal.EventUnfollow, 6, botA, userYofA), f.userEv(portal.EventFollow, 7, botA, userZofA), f.userEv(portal.EventActivated, 8, botA, userYofA)}
	if res := f.record(t, events...); res != (portal.WebhookResult{Received: 3, Stored: 3, Applied: 1}) {
		t.Errorf("events after the detach %+v, want stored, only the unfollow applied (to A's own events)", res)
	}
	if n := f.count(t, `SELECT count(*) FROM oa_users WHERE bot_id = ?`, botA); n != 2 {
		t.Errorf("%d users of botA, want X and Y still", n)
	}
	if n := f.count(t, `SELECT count(*) FROM webhook_events WHERE channel_id = ? AND processed_at IS NULL AND type IN ('follow', 'activated')
		AND webhook_event_id IN (?, ?)`, f.ch.ID, events[1].WebhookEventID, events[2].WebhookEventID); n != 2 {
		t.Errorf("%d unprocessed of the follow and activated, want 2", n)
	}
	if n := f.count(t, `SELECT count(*) FROM webhook_events WHERE channel_id = ? AND (source_user_id = ? OR payload LIKE '%' || ? || '%')
		AND occurred_at <= ?`, f.ch.ID, userYofA, userYofA, start.Add(6*time.Second).UnixMilli()); n != 0 {
		t.Errorf("%d of A's events from Y until the unfollow still hold Y", n)
	}
	// Only A's events differ: the three new rows, and Y's until the
	// unfollow, blanked; the users, chat controls and attachment stay.
	diff := lineDiff(before, f.stateOfA(t))
	if !strings.Contains(diff, events[0].WebhookEventID) {
		t.Errorf("changed:\n%s", diff)
	}
	for _, l := range strings.Split(diff, "\n") {
		if !strings.Contains(l, " active "+botA+" "+botA+" user ") {
			t.Errorf("not an event row: %s", l)
		}
	}
}

// Only LINE, asked with the channel's own credentials (the attach code
// exchange, the bot list), tells the portal that a channel is attached to
// a bot. B, holding only its own secret, signs an attached event naming
// botA, which B was never attached to, then X's unfollow of botA: the
// attached event creates no attachment, so the unfollow deletes nothing
// but B's own events from X.
func TestStore_AttachedEventForABotNeverAttachedCreatesNothing(t *testing.T) {
	f := newCrossChannelFixture(t)
	before := f.stateOfA(t)
	attachments := f.dump(t, `SELECT * FROM module_attachments ORDER BY id`)
	attached := func(n int) portal.WebhookEvent {
		e := f.attachedEv(n, "message:send", portal.ScopeMessageReceive)
		e.Destination = botB // B's own bot; module.botId names botA
		return e
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if _, err := f.db.FindAttachment(ctx, f.b.ID, botA); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Errorf("FindAttachment(B, botA): %v, want not found", err)
		}
		if after := f.dump(t, `SELECT * FROM module_attachments ORDER BY id`); after != attachments {
			t.Errorf("attachments changed:\n%s", lineDiff(attachments, after))
		}
		if n := f.count(t, `SELECT count(*) FROM oa_users WHERE bot_id = ? AND user_id IN (?, ?)`, botA, userXofA, userYofA); n != 2 {
			t.Errorf("%d of X's and Y's records for botA, want 2", n)
		}
		if n := f.count(t, `SELECT count(*) FROM module_chat_controls WHERE chat_id = ? AND active = 1`, userXofA); n != 1 {
			t.Errorf("%d active chat controls of X, want A's", n)
		}
		if after := f.stateOfA(t); after != before {
			t.Errorf("A's state changed:\n%s", lineDiff(before, after))
		}
	}

	first := attached(10)
	t.Run("the attached event is stored and creates nothing", func(t *testing.T) {
		if res := f.recordB(t, first); res != (portal.WebhookResult{Received: 1, Stored: 1}) {
			t.Errorf("B's attached event naming botA: %+v, want stored, none applied", res)
		}
		unchanged(t)
	})
	t.Run("a following unfollow naming that bot deletes nothing of A's", func(t *testing.T) {
		unfollow := f.userEv(portal.EventUnfollow, 11, botA, userXofA)
		if res := f.recordB(t, unfollow); res != (portal.WebhookResult{Received: 1, Stored: 1, Applied: 1}) {
			t.Errorf("B's unfollow of botA: %+v, want stored and applied to B's own events", res)
		}
		unchanged(t)
		// B's own events from X until then (the unfollow) are blanked;
		// no other channel's events were.
		if n := f.count(t, `SELECT count(*) FROM webhook_events WHERE channel_id = ? AND webhook_event_id = ? AND processed_at IS NOT NULL
			AND source_user_id IS NULL AND payload IS NULL`, f.b.ID, unfollow.WebhookEventID); n != 1 {
			t.Errorf("B's unfollow: %d rows blanked and processed, want 1", n)
		}
		if n := f.count(t, `SELECT count(*) FROM webhook_events WHERE source_user_id IS NULL AND type IN ('follow', 'unfollow', 'message', 'activated')
			AND channel_id <> ?`, f.b.ID); n != 0 {
			t.Errorf("%d user events of other channels were scrubbed", n)
		}
	})
	t.Run("nor in the attached event's own batch", func(t *testing.T) {
		res := f.recordB(t, attached(12), f.userEv(portal.EventUnfollow, 13, botA, userYofA), f.userEv(portal.EventActivated, 13, botA, userYofA))
		if res != (portal.WebhookResult{Received: 3, Stored: 3, Applied: 1}) {
			t.Errorf("B's batch: %+v, want stored, only the unfollow applied (to B's own events)", res)
		}
		unchanged(t)
	})
	t.Run("its redelivery is a duplicate and creates nothing", func(t *testing.T) {
		again := first
		again.IsRedelivery = true
		if res := f.recordB(t, again); res != (portal.WebhookResult{Received: 1, Duplicates: 1}) {
			t.Errorf("redelivery %+v", res)
		}
		unchanged(t)
	})
}
