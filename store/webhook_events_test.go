package store_test

import (
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lineportal/internal/dbtest"
	"lineportal/internal/portal"
	"lineportal/internal/secret"
	"lineportal/store"
)

func TestStore_RecordWebhookEvents_EveryType(t *testing.T) {
	m := newModuleFixture(t)
	// An attached event never creates an attachment: it is stored, once,
	// and the channel stays unattached.
	t.Run("attached to a bot never attached creates nothing", func(t *testing.T) {
		res := m.record(t, m.attachedEv(0, "message:send", "message:receive"))
		if res != (portal.WebhookResult{Received: 1, Stored: 1}) {
			t.Errorf("result %+v, want stored, none applied", res)
		}
		if _, err := m.db.FindAttachment(ctx, m.ch.ID, botA); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("FindAttachment: %v, want not found", err)
		}
	})
	const unattached = 1 // events stored before the steps

	var res portal.WebhookResult // the step's
	var detached portal.ModuleAttachment
	steps := []struct {
		name  string
		setup func(t *testing.T) // what the portal learns from LINE itself, before the event; nil: nothing
		ev    func() portal.WebhookEvent
		check func(t *testing.T, a portal.ModuleAttachment)
	}{
		// The code exchange attaches (its scopes not yet all known); LINE's
		// attached event then updates the current attachment's scopes.
		{"attached", func(t *testing.T) { m.recordAttachment(t, m.dev, m.ch.ID, botA, "message:send") },
			func() portal.WebhookEvent { return m.attachedEv(0, "message:send", "message:receive") }, func(t *testing.T, a portal.ModuleAttachment) {
				if a.State != portal.Attached || !a.AttachedAt.Equal(start) || strings.Join(a.Scopes, " ") != "message:send message:receive" || res.Applied != 1 {
					t.Errorf("attachment %+v, result %+v", a, res)
				}
			}},
		{"activated with a limit", nil, func() portal.WebhookEvent {
			e := m.userEv(portal.EventActivated, 1, botA, userXofA)
			e.ExpireAt = start.Add(time.Hour)
			return e
		}, func(t *testing.T, a portal.ModuleAttachment) {
			controls, _, err := m.db.FindChatControls(ctx, m.ch.ID, botA, store.Page{})
			mustNil(t, err)
			if a.ChatsUnderControl != 1 || len(controls) != 1 || !controls[0].ExpireAt.Equal(start.Add(time.Hour)) || !controls[0].ChangedAt.Equal(start.Add(time.Second)) {
				t.Errorf("controls %+v, count %d", controls, a.ChatsUnderControl)
			}
		}},
		{"activated with no limit, in a group", nil, func() portal.WebhookEvent {
			e := m.userEv(portal.EventActivated, 2, botA, userYofA)
			e.Source.Type, e.Source.GroupID = "group", groupC
			return e
		}, func(t *testing.T, a portal.ModuleAttachment) {
			if a.ChatsUnderControl != 2 {
				t.Errorf("count %d", a.ChatsUnderControl)
			}
		}},
		{"deactivated", nil, func() portal.WebhookEvent { return m.userEv(portal.EventDeactivated, 3, botA, userXofA) }, func(t *testing.T, a portal.ModuleAttachment) {
			controls, _, err := m.db.FindChatControls(ctx, m.ch.ID, botA, store.Page{})
			mustNil(t, err)
			if a.ChatsUnderControl != 1 || len(controls) != 1 || controls[0].ChatID != groupC {
				t.Errorf("controls %+v", controls)
			}
		}},
		{"follow", nil, func() portal.WebhookEvent { return m.userEv(portal.EventFollow, 4, botA, userXofA) }, func(t *testing.T, a portal.ModuleAttachment) {
			users, _, err := m.db.FindOAUsers(ctx, m.ch.ID, botA, store.Page{})
			mustNil(t, err)
			want := portal.OAUser{BotID: botA, UserID: userXofA, FirstSeenAt: start.Add(4 * time.Second), FollowedAt: start.Add(4 * time.Second)}
			if len(users) != 1 || users[0] != want {
				t.Errorf("users %+v", users)
			}
		}},
		{"follow again (unblock)", nil, func() portal.WebhookEvent {
			e := m.userEv(portal.EventFollow, 5, botA, userXofA)
			e.IsUnblocked = true
			return e
		}, func(t *testing.T, a portal.ModuleAttachment) {
			users, _, err := m.db.FindOAUsers(ctx, m.ch.ID, botA, store.Page{})
			mustNil(t, err)
			want := portal.OAUser{BotID: botA, UserID: userXofA, FirstSeenAt: start.Add(4 * time.Second), FollowedAt: start.Add(5 * time.Second), Unblocked: true}
			if len(users) != 1 || users[0] != want {
				t.Errorf("users %+v", users)
			}
		}},
		{"unknown type: kept, nothing changes", nil, func() portal.WebhookEvent { return m.userEv("message", 6, botA, userXofA) }, func(t *testing.T, a portal.ModuleAttachment) {
			var processed sql.NullInt64
			mustNil(t, m.raw.QueryRow(`SELECT processed_at FROM webhook_events WHERE type = 'message'`).Scan(&processed))
			if processed.Valid {
				t.Error("an unknown type counts as processed")
			}
		}},
		{"botSuspended", nil, func() portal.WebhookEvent { return m.ev(portal.EventBotSuspended, 7) }, func(t *testing.T, a portal.ModuleAttachment) {
			if !a.Suspended || !a.SuspensionChangedAt.Equal(start.Add(7*time.Second)) || a.ChatsUnderControl != 1 {
				t.Errorf("attachment %+v", a)
			}
		}},
		{"botResumed", nil, func() portal.WebhookEvent { return m.ev(portal.EventBotResumed, 8) }, func(t *testing.T, a portal.ModuleAttachment) {
			if a.Suspended || a.State != portal.Attached {
				t.Errorf("attachment %+v", a)
			}
		}},
		{"late botSuspended (redelivered after botResumed)", nil, func() portal.WebhookEvent {
			e := m.ev(portal.EventBotSuspended, 7)
			e.IsRedelivery = true
			return e
		}, func(t *testing.T, a portal.ModuleAttachment) {
			if a.Suspended {
				t.Error("a late botSuspended undid botResumed")
			}
		}},
		{"botSuspended again", nil, func() portal.WebhookEvent { return m.ev(portal.EventBotSuspended, 9) }, func(t *testing.T, a portal.ModuleAttachment) {
			if !a.Suspended {
				t.Error("not suspended")
			}
		}},
		{"detached after botSuspended", nil, func() portal.WebhookEvent { return m.detachedEv(10, "") }, func(t *testing.T, a portal.ModuleAttachment) {
			if a.State != portal.Detached || a.DetachReason != portal.DetachEndedUse || a.Suspended || a.ChatsUnderControl != 0 ||
				a.DetachReason.String() != "The Official Account ended its use of the module." {
				t.Errorf("attachment %+v", a)
			}
			var controls int
			mustNil(t, m.raw.QueryRow(`SELECT count(*) FROM module_chat_controls`).Scan(&controls))
			if controls != 0 {
				t.Errorf("%d chat controls survived", controls)
			}
		}},
		{"activated on a detached bot changes nothing", nil, func() portal.WebhookEvent { return m.userEv(portal.EventActivated, 11, botA, userXofA) }, func(t *testing.T, a portal.ModuleAttachment) {
			if a.ChatsUnderControl != 0 {
				t.Error("a detached bot's chat came under control")
			}
		}},
		// An attached event never revives a detached attachment.
		{"attached again, by a webhook alone, changes nothing", func(t *testing.T) { detached = m.attachment(t, botA) },
			func() portal.WebhookEvent { return m.attachedEv(12, "message:receive") }, func(t *testing.T, a portal.ModuleAttachment) {
				if a.State != portal.Detached || a.DetachReason != portal.DetachEndedUse || !a.DetachedAt.Equal(start.Add(10*time.Second)) ||
					!reflect.DeepEqual(a, detached) || res.Applied != 0 {
					t.Errorf("attachment %+v, was %+v; result %+v", a, detached, res)
				}
			}},
		// The code exchange attaches again, afresh; LINE's attached event
		// then brings the scopes.
		{"attached again", func(t *testing.T) {
			m.clock.Set(start.Add(12 * time.Second))
			defer m.clock.Set(start)
			m.recordAttachment(t, m.dev, m.ch.ID, botA)
		}, func() portal.WebhookEvent { return m.attachedEv(12, "message:receive") }, func(t *testing.T, a portal.ModuleAttachment) {
			if a.State != portal.Attached || a.DetachReason != portal.DetachNone || !a.DetachedAt.IsZero() || !a.AttachedAt.Equal(start.Add(12*time.Second)) ||
				strings.Join(a.Scopes, " ") != "message:receive" || res.Applied != 1 {
				t.Errorf("attachment %+v, result %+v", a, res)
			}
		}},
		{"detached, bot_deleted", nil, func() portal.WebhookEvent { return m.detachedEv(13, "bot_deleted") }, func(t *testing.T, a portal.ModuleAttachment) {
			if a.State != portal.Detached || a.DetachReason != portal.DetachBotDeleted {
				t.Errorf("attachment %+v", a)
			}
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.setup != nil {
				s.setup(t)
			}
			ev := s.ev()
			res = m.record(t, ev)
			if res.Received != 1 || res.Stored != 1 || res.Duplicates != 0 {
				t.Errorf("result %+v", res)
			}
			s.check(t, m.attachment(t, botA))
		})
	}
	t.Run("the bot's history, newest first, with payloads", func(t *testing.T) {
		events, next, err := m.db.FindWebhookEvents(ctx, m.ch.ID, botA, store.Page{Limit: 5})
		mustNil(t, err)
		if len(events) != 5 || next == "" || events[0].Kind() != "detached" || events[0].ID <= events[1].ID {
			t.Fatalf("page 1: %d events, next %q", len(events), next)
		}
		if !strings.Contains(events[0].Payload, events[0].WebhookEventID) || events[0].ProcessedAt.IsZero() || !events[0].ReceivedAt.Equal(start) {
			t.Errorf("event %+v", events[0])
		}
		rest, _, err := m.db.FindWebhookEvents(ctx, m.ch.ID, botA, store.Page{Limit: 50, After: next})
		mustNil(t, err)
		if len(events)+len(rest) != unattached+len(steps) {
			t.Errorf("%d events in all, want %d", len(events)+len(rest), unattached+len(steps))
		}
	})
}

func TestStore_RecordWebhookEvents_Idempotent(t *testing.T) {
	m := newModuleFixture(t)
	// Attached through the code exchange; LINE's attached event then
	// brings the scopes.
	m.recordAttachment(t, m.dev, m.ch.ID, botA)
	first := m.attachedEv(0, "message:send")
	res := m.record(t, first, m.userEv(portal.EventFollow, 1, botA, userXofA))
	if res != (portal.WebhookResult{Received: 2, Stored: 2, Applied: 2}) {
		t.Fatalf("first delivery %+v", res)
	}
	t.Run("the same batch again", func(t *testing.T) {
		before := m.moduleSnapshot(t)
		m.clock.Set(start.Add(time.Minute))
		res, err := m.db.RecordWebhookEvents(ctx, m.ch.ID, []portal.WebhookEvent{first})
		mustNil(t, err)
		if res != (portal.WebhookResult{Received: 1, Duplicates: 1}) {
			t.Fatalf("second delivery %+v", res)
		}
		if after := m.moduleSnapshot(t); after != before {
			t.Errorf("a duplicate changed:\n%s", lineDiff(before, after))
		}
	})
	t.Run("a redelivery with other contents changes nothing", func(t *testing.T) {
		before := m.moduleSnapshot(t)
		redelivery := first
		redelivery.IsRedelivery, redelivery.Scopes, redelivery.Payload = true, []string{"message:receive"}, `{"changed":true}`
		res := m.record(t, redelivery)
		if res.Duplicates != 1 || res.Stored != 0 {
			t.Fatalf("redelivery %+v", res)
		}
		if after := m.moduleSnapshot(t); after != before {
			t.Errorf("a redelivery changed:\n%s", lineDiff(before, after))
		}
		var redelivered bool
		mustNil(t, m.raw.QueryRow(`SELECT is_redelivery FROM webhook_events WHERE webhook_event_id = ?`, first.WebhookEventID).Scan(&redelivered))
		if redelivered {
			t.Error("the stored copy took the redelivery's flag")
		}
	})
	t.Run("an event first seen as a redelivery is stored and applied", func(t *testing.T) {
		e := m.ev(portal.EventBotSuspended, 5)
		e.IsRedelivery = true
		if res := m.record(t, e); res != (portal.WebhookResult{Received: 1, Stored: 1, Applied: 1}) {
			t.Fatalf("result %+v", res)
		}
		var redelivered bool
		mustNil(t, m.raw.QueryRow(`SELECT is_redelivery FROM webhook_events WHERE webhook_event_id = ?`, e.WebhookEventID).Scan(&redelivered))
		if !redelivered || !m.attachment(t, botA).Suspended {
			t.Errorf("redelivered %v", redelivered)
		}
	})
	t.Run("a batch holding one event twice stores it once", func(t *testing.T) {
		e := m.ev(portal.EventBotResumed, 6)
		if res := m.record(t, e, e); res != (portal.WebhookResult{Received: 2, Stored: 1, Duplicates: 1, Applied: 1}) {
			t.Fatalf("result %+v", res)
		}
	})
	t.Run("the same event ID on another channel is another event", func(t *testing.T) {
		other := m.register(t)
		res, err := m.db.RecordWebhookEvents(ctx, other.ID, []portal.WebhookEvent{first})
		mustNil(t, err)
		if res != (portal.WebhookResult{Received: 1, Stored: 1}) {
			t.Fatalf("result %+v, want stored, none applied", res)
		}
		// Stored, but it attaches nothing: the other channel was never
		// attached to botA.
		if _, err := m.db.FindAttachment(ctx, other.ID, botA); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("the other channel's attachment: %v, want not found", err)
		}
	})
	t.Run("ErrNoEventID: nothing of the batch is stored", func(t *testing.T) {
		bad := m.ev("message", 7)
		bad.WebhookEventID = ""
		m.refusesModule(t, portal.EINVALID, "A webhook event has no valid webhookEventId.", func() error {
			_, err := m.db.RecordWebhookEvents(ctx, m.ch.ID, []portal.WebhookEvent{m.ev("message", 7), bad})
			return err
		})
	})
	t.Run("an empty batch writes nothing", func(t *testing.T) {
		before := m.moduleSnapshot(t)
		res, err := m.db.RecordWebhookEvents(ctx, m.ch.ID, nil)
		if err != nil || res != (portal.WebhookResult{}) {
			t.Fatalf("RecordWebhookEvents(nil) = %+v, %v", res, err)
		}
		if after := m.moduleSnapshot(t); after != before {
			t.Errorf("changed:\n%s", lineDiff(before, after))
		}
	})
}

func TestStore_RecordWebhookEvents_Concurrent(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	// The same follow and activated events, delivered ten times at once
	// (LINE retrying while the first delivery is still in flight).
	follow := m.userEv(portal.EventFollow, 1, botA, userXofA)
	activated := m.userEv(portal.EventActivated, 1, botA, userXofA)
	results := make([]portal.WebhookResult, 10)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			e1, e2 := follow, activated
			e1.IsRedelivery, e2.IsRedelivery = i > 0, i > 0
			res, err := m.db.RecordWebhookEvents(ctx, m.ch.ID, []portal.WebhookEvent{e1, e2})
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	var stored, applied, duplicates int
	for _, r := range results {
		stored, applied, duplicates = stored+r.Stored, applied+r.Applied, duplicates+r.Duplicates
	}
	if stored != 2 || applied != 2 || duplicates != 18 {
		t.Fatalf("stored %d, applied %d, duplicates %d over ten deliveries", stored, applied, duplicates)
	}
	var rows int
	mustNil(t, m.raw.QueryRow(`SELECT count(*) FROM webhook_events WHERE webhook_event_id IN (?, ?)`, follow.WebhookEventID, activated.WebhookEventID).Scan(&rows))
	if rows != 2 {
		t.Fatalf("%d rows for two events", rows)
	}
	if a := m.attachment(t, botA); a.ChatsUnderControl != 1 {
		t.Errorf("chats under control %d", a.ChatsUnderControl)
	}
}

// A batch keeps the chat controls it read and wrote (eventProcessor):
// recorded as one batch, a run of chat-control events with unfollows and a
// detach among them leaves what the same events leave one batch each.
func TestStore_OneBatchLeavesWhatItsEventsLeaveOneByOne(t *testing.T) {
	events := func(m *moduleFixture) []portal.WebhookEvent {
		return []portal.WebhookEvent{
			m.userEv(portal.EventFollow, 1, botA, userXofA),
			m.userEv(portal.EventActivated, 2, botA, userXofA),
			m.userEv(portal.EventActivated, 2, botA, userYofA),
			m.userEv(portal.EventDeactivated, 3, botA, userXofA),
			m.userEv(portal.EventActivated, 4, botA, userXofA),
			m.userEv(portal.EventUnfollow, 5, botA, userXofA), // X's control goes
			m.userEv(portal.EventDeactivated, 6, botA, userXofA),
			m.userEv(portal.EventActivated, 7, botA, userXofA), // a new one
			m.userEv(portal.EventActivated, 7, botA, userYofA), // no change
			m.userEv(portal.EventDeactivated, 8, botA, userYofA),
			m.userEv(portal.EventUnfollow, 9, botA, userXofA),
			m.userEv(portal.EventActivated, 10, botA, userYofA),
			m.detachedEv(11, "bot_deleted"), // every control goes
			m.userEv(portal.EventActivated, 12, botA, userYofA),
		}
	}
	oneByOne := newModuleFixture(t)
	oneByOne.attach(t)
	want := 0
	for _, ev := range events(oneByOne) {
		want += oneByOne.record(t, ev).Applied
	}
	together := newModuleFixture(t)
	together.attach(t)
	if got := together.record(t, events(together)...).Applied; got != want {
		t.Errorf("one batch applied %d events, one by one %d", got, want)
	}
	// Channel credentials are left out: each is sealed with a nonce of its own.
	snapshot := func(m *moduleFixture) string {
		return dbtest.Tables(t, m.raw, "module_attachments", "module_chat_controls", "webhook_events", "oa_users", "audit_log", "notifications")
	}
	if a, b := snapshot(oneByOne), snapshot(together); a != b {
		t.Errorf("one batch left another state:\n%s", lineDiff(a, b))
	}
	// Before the detach, the batch had left Y's control active.
	partial := newModuleFixture(t)
	partial.attach(t)
	partial.record(t, events(partial)[:12]...)
	controls, _, err := partial.db.FindChatControls(ctx, partial.ch.ID, botA, store.Page{})
	mustNil(t, err)
	if len(controls) != 1 || controls[0].ChatID != userYofA || !controls[0].Active {
		t.Errorf("controls %+v, want Y's, active", controls)
	}
}

func TestStore_UnfollowForgetsTheUserForThatAccountOnly(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	m.recordAttachment(t, m.dev, m.ch.ID, botB, portal.ScopeMessageReceive)
	// A second module channel attached to botA sees the same per-account
	// user ID.
	other := m.register(t)
	m.recordAttachment(t, m.dev, other.ID, botA, portal.ScopeMessageReceive)

	xMessage := m.userEv("message", 2, botA, userXofA)
	m.record(t,
		m.userEv(portal.EventFollow, 1, botA, userXofA),
		m.userEv(portal.EventFollow, 1, botA, userYofA),
		m.userEv(portal.EventFollow, 1, botB, userXofB),
		xMessage,
		m.userEv("message", 2, botB, userXofB),
		m.userEv(portal.EventActivated, 3, botA, userXofA),
		m.userEv(portal.EventActivated, 3, botA, userYofA),
		m.userEv(portal.EventActivated, 3, botB, userXofB),
	)
	otherMessage := m.userEv("message", 2, botA, userXofA)
	_, err := m.db.RecordWebhookEvents(ctx, other.ID, []portal.WebhookEvent{otherMessage, m.userEv(portal.EventActivated, 3, botA, userXofA)})
	mustNil(t, err)

	unfollow := m.userEv(portal.EventUnfollow, 4, botA, userXofA)
	if res := m.record(t, unfollow); res.Applied != 1 {
		t.Fatalf("unfollow %+v", res)
	}

	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		mustNil(t, m.raw.QueryRow(query, args...).Scan(&n))
		return n
	}
	t.Run("X's data for botA is gone, on every channel", func(t *testing.T) {
		if n := count(`SELECT count(*) FROM oa_users WHERE bot_id = ? AND user_id = ?`, botA, userXofA); n != 0 {
			t.Errorf("%d user records", n)
		}
		if n := count(`SELECT count(*) FROM module_chat_controls WHERE chat_id = ?`, userXofA); n != 0 {
			t.Errorf("%d chat controls", n)
		}
		if n := count(`SELECT count(*) FROM webhook_events WHERE source_user_id = ? OR payload LIKE '%' || ? || '%'`, userXofA, userXofA); n != 0 {
			t.Errorf("%d events still hold the user", n)
		}
		// The rows stay, scrubbed: 4 on this channel (follow, message,
		// activated, unfollow), 2 on the other.
		if n := count(`SELECT count(*) FROM webhook_events WHERE bot_id = ? AND payload IS NULL AND source_user_id IS NULL`, botA); n != 6 {
			t.Errorf("%d scrubbed rows, want 6", n)
		}
	})
	t.Run("others' data stays", func(t *testing.T) {
		if n := count(`SELECT count(*) FROM oa_users`); n != 2 {
			t.Errorf("%d user records, want Y's for botA and X's for botB", n)
		}
		if n := count(`SELECT count(*) FROM module_chat_controls WHERE chat_id IN (?, ?)`, userYofA, userXofB); n != 2 {
			t.Errorf("%d chat controls, want Y's on botA and X's on botB", n)
		}
		if n := count(`SELECT count(*) FROM webhook_events WHERE source_user_id = ? AND payload IS NOT NULL`, userXofB); n != 3 {
			t.Errorf("X's botB events: %d, want 3", n)
		}
		if n := count(`SELECT count(*) FROM webhook_events WHERE source_user_id = ? AND payload IS NOT NULL`, userYofA); n != 2 {
			t.Errorf("Y's events: %d, want 2", n)
		}
	})
	t.Run("a redelivery of X's earlier event is still a duplicate", func(t *testing.T) {
		before := m.moduleSnapshot(t)
		redelivered := xMessage
		redelivered.IsRedelivery = true
		if res := m.record(t, redelivered, unfollow); res.Duplicates != 2 || res.Stored != 0 {
			t.Fatalf("result %+v", res)
		}
		if after := m.moduleSnapshot(t); after != before {
			t.Errorf("changed:\n%s", lineDiff(before, after))
		}
	})
	t.Run("following again starts afresh", func(t *testing.T) {
		m.record(t, m.userEv(portal.EventFollow, 9, botA, userXofA))
		users, _, err := m.db.FindOAUsers(ctx, m.ch.ID, botA, store.Page{})
		mustNil(t, err)
		// By user ID: Y's (LU4…) first, then X's (LUb…).
		if len(users) != 2 || users[1].UserID != userXofA || !users[1].FirstSeenAt.Equal(start.Add(9*time.Second)) {
			t.Errorf("users %+v", users)
		}
	})
}

// countRows runs a count query on the raw database.
func (m *moduleFixture) countRows(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	mustNil(t, m.raw.QueryRow(query, args...).Scan(&n))
	return n
}

// keptOfX counts X's records, chat controls and events that still hold
// their user ID or payload, for botA.
func (m *moduleFixture) keptOfX(t *testing.T) (records, controls, events int) {
	t.Helper()
	return m.countRows(t, `SELECT count(*) FROM oa_users WHERE bot_id = ? AND user_id = ?`, botA, userXofA),
		m.countRows(t, `SELECT count(*) FROM module_chat_controls WHERE chat_id = ?`, userXofA),
		m.countRows(t, `SELECT count(*) FROM webhook_events WHERE source_user_id = ? OR payload LIKE '%' || ? || '%'`, userXofA, userXofA)
}

// Events LINE delivers late (a redelivery, or out of order) from a user
// who has blocked the account since, or in the block's very millisecond:
// they are stored as the block left the user's others, and change nothing
// of theirs, so nothing of the user comes back; a group's chat control is
// the group's, and counts. What the user does after the block counts
// again, and so does what follows the unfollow in its own batch.
func TestStore_LateEventsOfABlockedUserAreForgottenOnArrival(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	m.record(t, m.userEv(portal.EventFollow, 1, botA, userXofA), m.userEv(portal.EventUnfollow, 10, botA, userXofA))

	const groupC = "Ca56f94637cc4347f90a25382909b24b9"
	inGroup := m.userEv(portal.EventActivated, 3, botA, userXofA)
	inGroup.Source = portal.EventSource{Type: "group", GroupID: groupC, UserID: userXofA}
	late := []portal.WebhookEvent{
		m.userEv("message", 2, botA, userXofA),
		m.userEv(portal.EventActivated, 3, botA, userXofA),
		m.userEv(portal.EventFollow, 4, botA, userXofA),
		m.userEv(portal.EventUnfollow, 5, botA, userXofA),
		m.userEv("message", 10, botA, userXofA), // the block's millisecond
		m.userEv(portal.EventFollow, 10, botA, userXofA),
		inGroup,
		m.userEv("message", 6, botA, userYofA), // another user's: kept
	}
	for i := range late {
		late[i].IsRedelivery = true
	}
	if res := m.record(t, late...); res != (portal.WebhookResult{Received: len(late), Stored: len(late), Applied: 1}) {
		t.Fatalf("late events %+v, want all stored, only the group's chat control applied", res)
	}
	if records, controls, events := m.keptOfX(t); records+controls+events != 0 {
		t.Errorf("X is back: %d records, %d chat controls, %d events", records, controls, events)
	}
	if n := m.countRows(t, `SELECT count(*) FROM module_chat_controls WHERE chat_id = ? AND active = 1`, groupC); n != 1 {
		t.Errorf("the group's chat control: %d rows, want 1", n)
	}
	if n := m.countRows(t, `SELECT count(*) FROM webhook_events WHERE source_user_id = ? AND payload IS NOT NULL`, userYofA); n != 1 {
		t.Errorf("Y's message: %d rows with its user and payload, want 1", n)
	}
	if n := m.countRows(t, `SELECT count(*) FROM webhook_events WHERE processed_at IS NOT NULL AND type <> 'module' AND occurred_at < ?`, start.Add(10*time.Second).UnixMilli()); n != 2 {
		t.Errorf("%d of the events before the block processed, want the first follow and the group's activated", n)
	}

	// Following again, after the block, counts.
	if res := m.record(t, m.userEv(portal.EventFollow, 11, botA, userXofA), m.userEv(portal.EventActivated, 12, botA, userXofA)); res.Applied != 2 {
		t.Fatalf("follow and activated after the block: %+v", res)
	}
	if records, controls, events := m.keptOfX(t); records != 1 || controls != 1 || events != 2 {
		t.Errorf("after following again: %d records, %d chat controls, %d events, want 1, 1, 2", records, controls, events)
	}
	// In one batch, LINE's order says a follow in the unfollow's own
	// millisecond came after it.
	if res := m.record(t, m.userEv(portal.EventUnfollow, 20, botA, userXofA), m.userEv(portal.EventFollow, 20, botA, userXofA)); res.Applied != 2 {
		t.Fatalf("unfollow and follow in one millisecond: %+v", res)
	}
	if records, _, _ := m.keptOfX(t); records != 1 {
		t.Errorf("after following again in the unfollow's millisecond: %d records, want 1", records)
	}
}

// A batch reads only the blocks no older than its earliest event; one from
// the very millisecond of that event still forgets it.
func TestStore_ALateEventAloneAtTheBlocksMillisecondIsForgotten(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	m.record(t, m.userEv(portal.EventFollow, 1, botA, userXofA), m.userEv(portal.EventUnfollow, 10, botA, userXofA))
	late := m.userEv("message", 10, botA, userXofA)
	late.IsRedelivery = true
	if res := m.record(t, late); res != (portal.WebhookResult{Received: 1, Stored: 1}) {
		t.Fatalf("late message %+v", res)
	}
	if records, controls, events := m.keptOfX(t); records+controls+events != 0 {
		t.Errorf("X is back: %d records, %d chat controls, %d events", records, controls, events)
	}
}

// An unfollow LINE delivers late, after the user followed again, deletes
// only what came before it: the newer follow, chat and messages stay, and
// the record's first-seen time is the newer follow's.
func TestStore_LateUnfollowKeepsWhatCameAfterIt(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	m.record(t, m.userEv(portal.EventFollow, 1, botA, userXofA), m.userEv("message", 3, botA, userXofA),
		m.userEv(portal.EventFollow, 10, botA, userXofA), m.userEv("message", 11, botA, userXofA), m.userEv(portal.EventActivated, 12, botA, userXofA))

	unfollow := m.userEv(portal.EventUnfollow, 5, botA, userXofA)
	unfollow.IsRedelivery = true
	if res := m.record(t, unfollow); res.Applied != 1 {
		t.Fatalf("late unfollow %+v", res)
	}
	if records, controls, events := m.keptOfX(t); records != 1 || controls != 1 || events != 3 {
		t.Errorf("kept %d records, %d chat controls, %d events of X, want 1, 1, 3 (the follow, message and activated after the unfollow)",
			records, controls, events)
	}
	if n := m.countRows(t, `SELECT count(*) FROM webhook_events WHERE payload IS NULL AND source_user_id IS NULL AND occurred_at IN (?, ?, ?)`,
		start.Add(time.Second).UnixMilli(), start.Add(3*time.Second).UnixMilli(), start.Add(5*time.Second).UnixMilli()); n != 3 {
		t.Errorf("%d of the follow and message before the unfollow and the unfollow blanked, want 3", n)
	}
	// The record that stays is the follow's after the block: first seen then.
	if n := m.countRows(t, `SELECT count(*) FROM oa_users WHERE user_id = ? AND first_seen_at = ?`, userXofA, start.Add(10*time.Second).UnixMilli()); n != 1 {
		t.Errorf("X's record: %d first seen at the follow after the block, want 1", n)
	}
	// Their next event is not forgotten: the block is older than it.
	if res := m.record(t, m.userEv(portal.EventDeactivated, 13, botA, userXofA)); res.Applied != 1 {
		t.Errorf("deactivated after the late unfollow: %+v", res)
	}
}

// The events an unfollow later in their batch forgets are stored blank at
// once; when that unfollow forgets nothing after all (a redelivery of one
// stored before the portal remembered blocks), they are stored whole, as
// one by one, while those of an unfollow that applies stay blank.
func TestStore_EventsBeforeAnUnfollowInTheirBatchAreKeptUnlessItApplies(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	old := m.unfollowStoredBeforeBlocks(t, 5)
	res := m.record(t, m.userEv("message", 3, botA, userXofA), m.userEv("message", 4, botA, userYofA), old,
		m.userEv("message", 6, botA, userYofA), m.userEv(portal.EventUnfollow, 7, botA, userYofA))
	if res != (portal.WebhookResult{Received: 5, Stored: 4, Duplicates: 1, Applied: 1}) {
		t.Fatalf("batch %+v, want the redelivered unfollow a duplicate and Y's unfollow applied", res)
	}
	if n := m.countRows(t, `SELECT count(*) FROM webhook_events WHERE source_user_id = ? AND payload LIKE '%"message"%'`, userXofA); n != 1 {
		t.Errorf("X's message before the redelivered unfollow: %d whole, want 1", n)
	}
	if n := m.countRows(t, `SELECT count(*) FROM webhook_events WHERE source_user_id = ? OR payload LIKE '%' || ? || '%'`, userYofA, userYofA); n != 0 {
		t.Errorf("%d of Y's events hold their user, want none: Y blocked the account at the last of them", n)
	}
}

// unfollowStoredBeforeBlocks stores X's unfollow at second n as the portal
// did before it remembered blocks (migration 0017) and returns its
// redelivery, a duplicate that forgets nothing.
func (m *moduleFixture) unfollowStoredBeforeBlocks(t *testing.T, n int) portal.WebhookEvent {
	t.Helper()
	unfollow := m.userEv(portal.EventUnfollow, n, botA, userXofA)
	m.record(t, unfollow)
	if _, err := m.raw.Exec(`DELETE FROM user_blocks`); err != nil {
		t.Fatal(err)
	}
	unfollow.IsRedelivery = true
	return unfollow
}

// An event's time counts to the millisecond, as stored: a message without
// a time (now, 400 µs into a millisecond) and an unfollow in that
// millisecond later in its batch forget it, as one by one, even when a
// redelivered unfollow after them forgets nothing. Found in a review.
func TestStore_AnEventIsForgottenByAnUnfollowInItsMillisecond(t *testing.T) {
	now := start.Add(20*time.Second + 400*time.Microsecond)
	setup := func() (*moduleFixture, []portal.WebhookEvent) {
		m := newModuleFixture(t)
		m.attach(t)
		old := m.unfollowStoredBeforeBlocks(t, 30)
		m.clock.Set(now)
		msg := m.userEv("message", 0, botA, userXofA)
		msg.Timestamp = time.Time{}
		return m, []portal.WebhookEvent{msg, m.userEv(portal.EventUnfollow, 20, botA, userXofA), old}
	}
	oneByOne, events := setup()
	for _, ev := range events {
		oneByOne.record(t, ev)
	}
	together, events := setup()
	together.record(t, events...)
	snapshot := func(m *moduleFixture) string {
		return dbtest.Tables(t, m.raw, "module_attachments", "module_chat_controls", "webhook_events", "oa_users", "notifications")
	}
	if a, b := snapshot(oneByOne), snapshot(together); a != b {
		t.Errorf("one batch left another state:\n%s", lineDiff(a, b))
	}
	for name, m := range map[string]*moduleFixture{"one by one": oneByOne, "one batch": together} {
		if n := m.countRows(t, `SELECT count(*) FROM webhook_events WHERE source_user_id = ? OR payload LIKE '%' || ? || '%'`, userXofA, userXofA); n != 0 {
			t.Errorf("%s: %d of X's events hold their user, want none", name, n)
		}
	}
}

// A channel not attached to the account (an Official Account's own
// Messaging API channel, or a channel naming another's bot) still deletes
// the messages it holds from a user who blocks the account, and only
// those: LINE asks that every message the user sent go (003).
func TestStore_UnfollowOnAChannelNotAttachedForgetsItsOwnEvents(t *testing.T) {
	m := newModuleFixture(t) // its channel is not attached to botA
	m.record(t, m.userEv("message", 1, botA, userXofA), m.userEv("message", 2, botA, userYofA))
	if res := m.record(t, m.userEv(portal.EventUnfollow, 3, botA, userXofA), m.userEv("message", 4, botA, userXofA)); res.Applied != 1 {
		t.Fatalf("unfollow and a later message: %+v, want the unfollow applied", res)
	}
	if n := m.countRows(t, `SELECT count(*) FROM webhook_events WHERE source_user_id = ? OR payload LIKE '%' || ? || '%'`, userXofA, userXofA); n != 1 {
		t.Errorf("%d of X's events hold their user, want 1 (the message after the unfollow)", n)
	}
	if n := m.countRows(t, `SELECT count(*) FROM webhook_events WHERE source_user_id = ? AND payload IS NOT NULL`, userYofA); n != 1 {
		t.Errorf("Y's message: %d rows, want 1", n)
	}
	// The block is remembered for this channel only: the channel may not
	// act on the account.
	if n := m.countRows(t, `SELECT count(*) FROM user_blocks WHERE channel_id = ?`, m.ch.ID); n != 1 {
		t.Errorf("%d blocks remembered for the channel, want 1", n)
	}
	if n := m.countRows(t, `SELECT count(*) FROM user_blocks WHERE channel_id <> ?`, m.ch.ID); n != 0 {
		t.Errorf("%d blocks remembered beyond the channel, want none", n)
	}
	// X's message from before the block, delivered late, is forgotten.
	late := m.userEv("message", 2, botA, userXofA)
	late.IsRedelivery = true
	if res := m.record(t, late); res != (portal.WebhookResult{Received: 1, Stored: 1}) {
		t.Fatalf("late message %+v", res)
	}
	if n := m.countRows(t, `SELECT count(*) FROM webhook_events WHERE source_user_id = ? OR payload LIKE '%' || ? || '%'`, userXofA, userXofA); n != 1 {
		t.Errorf("%d of X's events hold their user after the late message, want 1", n)
	}
}

func TestStore_WebhookIndexesServeTheHotQueries(t *testing.T) {
	sqliteOnly(t) // PostgreSQL's planner scans tables this small
	m := newModuleFixture(t)
	plans := map[string]string{
		`UPDATE webhook_events SET payload = NULL, source_user_id = NULL WHERE bot_id = 'x' AND source_user_id = 'y' AND occurred_at <= 5`:                                            "webhook_events_user",
		`SELECT id FROM webhook_events WHERE channel_id = 1 AND bot_id = 'x' AND id < 5 ORDER BY id DESC LIMIT 5`:                                                                     "webhook_events_bot",
		`DELETE FROM module_chat_controls WHERE chat_id = 'y' AND EXISTS (SELECT 1 FROM module_attachments a WHERE a.id = module_chat_controls.attachment_id AND a.bot_id = 'x')`:     "module_chat_controls_chat",
		`SELECT id FROM module_attachments WHERE channel_id = 1 AND id < 5 ORDER BY id DESC LIMIT 5`:                                                                                  "module_attachments_channel",
		`SELECT user_key, blocked_at FROM user_blocks WHERE bot_id = 'x' AND user_key IN (SELECT unhex(value) FROM json_each('["ab"]')) AND channel_id IN (0, 1) AND blocked_at >= 5`: "user_blocks USING PRIMARY KEY (bot_id=? AND user_key=?",
	}
	for query, index := range plans {
		rows, err := m.raw.Query(`EXPLAIN QUERY PLAN ` + query)
		mustNil(t, err)
		var plan strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			mustNil(t, rows.Scan(&id, &parent, &unused, &detail))
			if !strings.HasPrefix(detail, "SCAN json_each") { // the list a query is given
				plan.WriteString(detail + "\n")
			}
		}
		rows.Close()
		if !strings.Contains(plan.String(), index) || strings.Contains(plan.String(), "SCAN") {
			t.Errorf("%s\ndoes not use %s, or reads a whole table or index:\n%s", query, index, plan.String())
		}
	}
}

// Group commit is SQLite's (on PostgreSQL each batch is a transaction of
// its own, so a failing one fails alone by construction).
func TestStore_RecordWebhookEvents_GroupCommitIsolatesBatches(t *testing.T) {
	sqliteOnly(t)
	m := newModuleFixture(t)
	m.attach(t)
	// A trigger the test adds makes one batch fail inside the group.
	refuseInserts(t, m.raw, "webhook_events", "NEW.type = 'poison'", "poisoned")
	// Hold the write lock, so that the first batch's commit waits and the
	// next two queue up behind it and meet in one group.
	conn, err := m.raw.Conn(ctx)
	mustNil(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `BEGIN IMMEDIATE`)
	mustNil(t, err)

	first, poisoned, good := m.ev("message", 1), []portal.WebhookEvent{m.ev("message", 2), m.ev("poison", 2)}, m.ev(portal.EventBotSuspended, 3)
	errs := make([]error, 3)
	results := make([]portal.WebhookResult, 3)
	var wg sync.WaitGroup
	called, _ := m.db.WriteQueue()
	wg.Go(func() { results[0], errs[0] = m.db.RecordWebhookEvents(ctx, m.ch.ID, []portal.WebhookEvent{first}) })
	waitFor(t, "the first batch to start committing", func() bool { n, waiting := m.db.WriteQueue(); return n == called+1 && waiting == 0 })
	wg.Go(func() { results[1], errs[1] = m.db.RecordWebhookEvents(ctx, m.ch.ID, poisoned) })
	waitFor(t, "the poisoned batch to queue", func() bool { _, waiting := m.db.WriteQueue(); return waiting == 1 })
	wg.Go(func() { results[2], errs[2] = m.db.RecordWebhookEvents(ctx, m.ch.ID, []portal.WebhookEvent{good}) })
	waitFor(t, "the good batch to queue", func() bool { _, waiting := m.db.WriteQueue(); return waiting == 2 })
	_, err = conn.ExecContext(ctx, `COMMIT`)
	mustNil(t, err)
	wg.Wait()

	if errs[0] != nil || results[0].Stored != 1 {
		t.Errorf("first batch: %+v, %v", results[0], errs[0])
	}
	if errs[1] == nil || results[1].Stored != 0 || !strings.Contains(errs[1].Error(), "poisoned") {
		t.Errorf("poisoned batch: %+v, %v", results[1], errs[1])
	}
	if errs[2] != nil || results[2] != (portal.WebhookResult{Received: 1, Stored: 1, Applied: 1}) {
		t.Errorf("good batch in the same group: %+v, %v", results[2], errs[2])
	}
	var n int
	mustNil(t, m.raw.QueryRow(`SELECT count(*) FROM webhook_events WHERE webhook_event_id = ?`, poisoned[0].WebhookEventID).Scan(&n))
	if n != 0 {
		t.Error("the failed batch's first event was kept")
	}
	if !m.attachment(t, botA).Suspended {
		t.Error("the good batch's effect is missing")
	}
}

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// BenchmarkStore_RecordWebhookEvents stores 100-event batches of message
// events from several callers at once, as concurrent webhook requests do,
// each event from a user of its own, as in a busy account's batch.
func BenchmarkStore_RecordWebhookEvents(b *testing.B) {
	db, _ := mustOpenBench(b)
	box, err := secret.New([32]byte{1})
	if err != nil {
		b.Fatal(err)
	}
	admin, err := db.EnsureAdmin(ctx, "Ubench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	ch, err := db.RegisterModuleChannel(ctx, box, admin, portal.Channel{Provider: portal.Provider{Name: "Bench"}, Kind: portal.KindModule, LINEChannelID: "2000000101",
		Name: "Bench", Region: portal.RegionJapan}, moduleSecret, moduleToken, time.Time{})

	if err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			events := make([]portal.WebhookEvent, 100)
			for i := range events {
				n := seq.Add(1)
				id := fmt.Sprintf("01BENCH%019d", n)
				events[i] = portal.WebhookEvent{WebhookEventID: id, Type: "message", Mode: "active", Destination: botA, BotID: botA, Timestamp: time.Now(),
					Source:  portal.EventSource{Type: "user", UserID: fmt.Sprintf("U%032x", n)},
					Payload: `{"type":"message","webhookEventId":"` + id + `","message":{"type":"text","text":"Hello, a table for two at seven, please"}}`}
			}
			if _, err := db.RecordWebhookEvents(ctx, ch.ID, events); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)*100/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkStore_FindWebhookSecret is the receiver's per-request lookup:
// one indexed read and one AES-GCM open.
func BenchmarkStore_FindWebhookSecret(b *testing.B) {
	db, _ := mustOpenBench(b)
	box, err := secret.New([32]byte{1})
	if err != nil {
		b.Fatal(err)
	}
	admin, _ := db.EnsureAdmin(ctx, "Ubench", "Bench")
	if _, err := db.RegisterModuleChannel(ctx, box, admin, portal.Channel{Provider: portal.Provider{Name: "Bench"}, Kind: portal.KindModule, LINEChannelID: "2000000101",
		Name: "Bench", Region: portal.RegionJapan}, moduleSecret, moduleToken, time.Time{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, s, err := db.FindWebhookSecret(ctx, box, "2000000101"); err != nil || s != moduleSecret {
			b.Fatal(err)
		}
	}
}

// mustOpenBench opens a fresh database for a benchmark: a file, or on
// PostgreSQL a new database, so store benchmarks run on both engines.
func mustOpenBench(b *testing.B) (*store.DB, string) {
	b.Helper()
	path := freshDatabase(b)
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, path
}
