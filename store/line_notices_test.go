package store_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"lineportal/internal/portal"
	"lineportal/store"
)

// friend signs a person in as a friend of the portal's Official Account,
// as LINE Login's friendship status tells at sign-in.
func (f *fixture) friend(t *testing.T, lineUserID, name string) portal.Admin {
	t.Helper()
	yes := true
	a, err := f.db.SignIn(ctx, portal.SignIn{LINEUserID: lineUserID, Name: name, FriendFlag: &yes})
	mustNil(t, err)
	return a
}

var unlimited = portal.MessageQuota{}

// claim runs the sender's turn as instance "a" and lists each message as
// "name: kind kind…".
func (f *fixture) claim(t *testing.T, quota portal.MessageQuota) ([]string, []store.LINEMessage) {
	t.Helper()
	msgs, held, err := f.db.ClaimLINEMessages(ctx, "a", time.Minute, quota)
	mustNil(t, err)
	if !held {
		t.Fatal("instance a does not hold the lease")
	}
	var got []string
	for _, m := range msgs {
		line := m.To.Name + ":"
		for _, n := range m.Notices {
			line += " " + string(n.Kind)
		}
		got = append(got, line)
	}
	return got, msgs
}

// outboxStates lists the outbox as "name kind state", by person (in the
// order they were made), oldest first.
func (f *fixture) outboxStates(t *testing.T) []string {
	t.Helper()
	rows, err := f.raw.Query(`SELECT a.name, n.kind, o.state FROM line_outbox o JOIN notifications n ON n.id = o.notification_id
		JOIN admins a ON a.id = o.admin_id ORDER BY a.id, o.notification_id`)
	mustNil(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, kind, state string
		mustNil(t, rows.Scan(&name, &kind, &state))
		got = append(got, name+" "+kind+" "+state)
	}
	mustNil(t, rows.Err())
	return got
}

// A notice goes by LINE to the people concerned who are friends of the
// portal's Official Account and want its kind, after the batching window,
// under one key however often it is claimed until it is finished.
func TestLINEOutbox_FriendsWhoWantTheKind(t *testing.T) {
	f := newFixture(t)
	boss := f.friend(t, "Uboss", "Boss") // approval requests by default
	picky := f.friend(t, "Upicky", "Picky")
	stranger := f.admin(t, "Ustranger", "Stranger") // not a friend
	org := f.org(t, portal.RegionJapan, acme, true)
	for _, a := range []portal.Admin{picky, stranger} {
		mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, a.ID))
	}
	choices := portal.DefaultLINEChoices()
	choices[portal.NoticeLinkRequest], choices[portal.NoticeReviewVerified] = false, true
	mustNil(t, f.db.SetLINEChoices(ctx, picky.ID, choices))
	got, err := f.db.LINEChoices(ctx, picky.ID)
	mustNil(t, err)
	if got[portal.NoticeLinkRequest] || !got[portal.NoticeReviewVerified] || !got[portal.NoticeURLExpiring] || got[portal.NoticeBotSuspended] {
		t.Errorf("picky's choices = %v", got)
	}
	if got, _ := f.db.LINEChoices(ctx, boss.ID); !got[portal.NoticeLinkRequest] || !got[portal.NoticeURLExpiring] || got[portal.NoticeReviewVerified] {
		t.Errorf("boss's default choices = %v", got)
	}

	f.send(t, f.miniApp(t, acme), org)
	// Everyone concerned has it in the portal; only boss by LINE.
	if got := f.notices(t, boss, picky, stranger); !slices.Equal(got, []string{"Boss: organization_verified", "Boss: link_request", "Picky: link_request", "Stranger: link_request"}) {
		t.Errorf("portal notices: %q", got)
	}
	if got := f.outboxStates(t); !slices.Equal(got, []string{"Boss link_request waiting"}) {
		t.Errorf("outbox: %q", got)
	}

	// Within the window nothing is due.
	if due, err := f.db.LINEMessagesDue(ctx); err != nil || due {
		t.Errorf("due within the window = %v, %v", due, err)
	}
	if got, _ := f.claim(t, unlimited); len(got) != 0 {
		t.Errorf("claimed within the window: %q", got)
	}
	f.clock.Set(start.Add(portal.LINEBatchWindow))
	if due, err := f.db.LINEMessagesDue(ctx); err != nil || !due {
		t.Errorf("due after the window = %v, %v", due, err)
	}
	got1, msgs := f.claim(t, unlimited)
	if !slices.Equal(got1, []string{"Boss: link_request"}) || msgs[0].To.LINEUserID != "Uboss" {
		t.Fatalf("claimed: %q", got1)
	}
	// Not finished (the push failed, or its answer was lost): the same
	// message again, under the same key.
	_, again := f.claim(t, unlimited)
	if len(again) != 1 || again[0].Key != msgs[0].Key || again[0].Notices[0].ID != msgs[0].Notices[0].ID {
		t.Fatalf("claimed again: %+v, first %+v", again, msgs)
	}
	mustNil(t, f.db.FinishLINEMessage(ctx, msgs[0].Key, store.LINESent))
	mustNil(t, f.db.FinishLINEMessage(ctx, msgs[0].Key, store.LINEFailed)) // finished already: stays sent
	if got, _ := f.claim(t, unlimited); len(got) != 0 {
		t.Errorf("claimed after sending: %q", got)
	}
	if got := f.outboxStates(t); !slices.Equal(got, []string{"Boss link_request sent"}) {
		t.Errorf("outbox: %q", got)
	}
	if due, _ := f.db.LINEMessagesDue(ctx); due {
		t.Error("due after sending")
	}
}

// A notice read in the portal before its LINE message went is not sent by
// LINE; the person's other notices still are.
func TestLINEOutbox_ReadBeforeItWentIsNotSent(t *testing.T) {
	f := newFixture(t)
	boss := f.friend(t, "Uboss", "Boss")
	org := f.org(t, portal.RegionJapan, acme, true)
	f.send(t, f.miniApp(t, acme), org)
	f.send(t, f.miniApp(t, acme), org)
	ns, _, err := f.db.FindNotices(ctx, boss.ID, store.Page{})
	mustNil(t, err)
	mustNil(t, f.db.MarkRead(ctx, boss.ID, ns[1].ID)) // the older
	f.clock.Set(start.Add(portal.LINEBatchWindow))
	_, msgs := f.claim(t, unlimited)
	if len(msgs) != 1 || len(msgs[0].Notices) != 1 || msgs[0].Notices[0].ID != ns[0].ID {
		t.Fatalf("claimed: %+v; want the unread notice alone", msgs)
	}
	if got := f.outboxStates(t); !slices.Equal(got, []string{"Boss link_request held", "Boss link_request claimed"}) {
		t.Errorf("outbox: %q", got)
	}
	// Reading all holds whatever waits.
	f.send(t, f.miniApp(t, acme), org)
	mustNil(t, f.db.MarkRead(ctx, boss.ID, 0))
	f.clock.Set(start.Add(2 * portal.LINEBatchWindow))
	if _, more := f.claim(t, unlimited); len(more) != 1 || more[0].Key != msgs[0].Key {
		t.Errorf("after reading all, claimed %+v; want only the message claimed before", more)
	}
}

// A link request URL pushed to an administrator by hand told them what
// the request's notice would: that notice goes out by LINE no more, and
// stays in the portal, unread. Another administrator's notice of it, and
// another request's notice, still go.
func TestLINEOutbox_AURLPushedByHandIsTheNoticesMessage(t *testing.T) {
	f := newFixture(t)
	boss := f.friend(t, "Uboss", "Boss")
	mia := f.friend(t, "Umia", "Mia")
	org := f.org(t, portal.RegionJapan, acme, true)
	mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, mia.ID))
	pushed, _, err := f.db.SendLinkRequest(ctx, f.dev, f.miniApp(t, acme).ID, portal.OrganizationID(org.ID))
	mustNil(t, err)
	f.send(t, f.miniApp(t, acme), org)
	mustNil(t, f.db.LinkRequestURLPushed(ctx, pushed.ID, boss.ID, "link-request-push:boss"))
	f.clock.Set(start.Add(portal.LINEBatchWindow))
	got, msgs := f.claim(t, unlimited)
	if !slices.Equal(got, []string{"Boss: link_request", "Mia: link_request link_request"}) ||
		msgs[0].Notices[0].Params["RequestID"] == fmt.Sprint(pushed.ID) {
		t.Fatalf("claimed: %q; want Boss's notice of the other request, and both of Mia's", got)
	}
	want := []string{"Boss link_request sent", "Boss link_request claimed", "Mia link_request claimed", "Mia link_request claimed"}
	if got := f.outboxStates(t); !slices.Equal(got, want) {
		t.Errorf("outbox: %q, want %q", got, want)
	}
	ns, _, err := f.db.FindNotices(ctx, boss.ID, store.Page{})
	mustNil(t, err)
	for _, n := range ns {
		if n.Kind == portal.NoticeLinkRequest && !n.Unread() {
			t.Errorf("notice %d of a link request was read by the push", n.ID)
		}
	}
	// A push once the sender has claimed the notice leaves it to the
	// sender, which is pushing it already.
	mustNil(t, f.db.LinkRequestURLPushed(ctx, pushed.ID, mia.ID, "link-request-push:mia"))
	if got := f.outboxStates(t); !slices.Equal(got, want) {
		t.Errorf("a push after the claim changed the outbox: %q, want %q", got, want)
	}
}

// Notices for one person within the window go as one message; those that
// come after it is claimed go in the next.
func TestLINEOutbox_BatchesWithinTheWindow(t *testing.T) {
	f := newFixture(t)
	boss := f.friend(t, "Uboss", "Boss")
	org := f.org(t, portal.RegionJapan, acme, true)
	f.send(t, f.miniApp(t, acme), org)
	f.clock.Set(start.Add(portal.LINEBatchWindow - time.Second))
	f.send(t, f.miniApp(t, acme), org)
	f.clock.Set(start.Add(portal.LINEBatchWindow))
	got, msgs := f.claim(t, unlimited)
	if !slices.Equal(got, []string{"Boss: link_request link_request"}) {
		t.Fatalf("claimed: %q", got)
	}
	mustNil(t, f.db.FinishLINEMessage(ctx, msgs[0].Key, store.LINESent))
	f.send(t, f.miniApp(t, acme), org)
	if got, _ := f.claim(t, unlimited); len(got) != 0 {
		t.Errorf("the next notice went before its own window: %q", got)
	}
	f.clock.Set(start.Add(2 * portal.LINEBatchWindow))
	got, next := f.claim(t, unlimited)
	if !slices.Equal(got, []string{"Boss: link_request"}) || next[0].Key == msgs[0].Key {
		t.Errorf("next message: %q, key %q (first %q)", got, next[0].Key, msgs[0].Key)
	}
	if n := len(f.notices(t, boss)); n != 4 {
		t.Errorf("boss has %d notices in the portal, want 4 (the organization's verification, 3 link requests)", n)
	}
}

// When the quota is near its end, approval requests go first and the rest
// are held: they stay in the portal, unsent by LINE. When it is used up,
// nothing goes.
func TestLINEOutbox_NearTheQuotaApprovalsFirst(t *testing.T) {
	f := newFixture(t)
	dev := f.friend(t, "Udev", "Dev")
	mustNil(t, f.db.SetLINEChoices(ctx, dev.ID, portal.LINEChoices{portal.NoticeLinkApproved: true, portal.NoticeReviewVerified: true}))
	f.friend(t, "Uboss", "Boss")
	second := f.friend(t, "Usecond", "Second")
	org := f.org(t, portal.RegionJapan, acme, true)
	mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, second.ID))

	// Dev's news first (older: the approved request's own notices are
	// settled, held), then two requests for boss and second.
	_, err := f.db.ApproveLinkRequest(ctx, f.boss, f.send(t, f.miniApp(t, acme), org))
	mustNil(t, err)
	f.clock.Set(start.Add(time.Second))
	f.send(t, f.miniApp(t, acme), org)
	f.send(t, f.miniApp(t, acme), org)
	f.clock.Set(start.Add(time.Hour))

	// 159 of 200 used: one more message reaches 80 %. The approval
	// requests go first (both, as approvals may spend the quota to its
	// end); dev's news would come after them, beyond 80 %: held.
	near := portal.MessageQuota{Limited: true, Limit: 200, Sent: 159}
	got, msgs := f.claim(t, near)
	if !slices.Equal(got, []string{"Boss: link_request link_request", "Second: link_request link_request"}) {
		t.Errorf("claimed near the quota: %q", got)
	}
	for _, m := range msgs {
		mustNil(t, f.db.FinishLINEMessage(ctx, m.Key, store.LINESent))
	}
	want := []string{"Dev review_verified held", "Dev link_approved held", "Boss link_request held", "Boss link_request sent", "Boss link_request sent",
		"Second link_request held", "Second link_request sent", "Second link_request sent"}
	if got := f.outboxStates(t); !slices.Equal(got, want) {
		t.Errorf("outbox:\n got %q\nwant %q", got, want)
	}
	if got := f.notices(t, dev); !slices.Equal(got, []string{"Dev: miniapp_verified", "Dev: review_verified", "Dev: link_approved", "Dev: miniapp_verified", "Dev: miniapp_verified"}) {
		t.Errorf("dev's held notices are not in the portal: %q", got)
	}

	// Used up: an approval request is held too.
	f.send(t, f.miniApp(t, acme), org)
	f.clock.Set(start.Add(2 * time.Hour))
	if got, _ := f.claim(t, portal.MessageQuota{Limited: true, Limit: 200, Sent: 200}); len(got) != 0 {
		t.Errorf("claimed with the quota used up: %q", got)
	}
	if got := f.outboxStates(t); got[len(got)-1] != "Second link_request held" {
		t.Errorf("outbox: %q", got)
	}
}

// Two portal instances on one database: one holds the sender's lease and
// claims the messages; the other claims nothing until the lease runs out,
// and then only what was not finished, under the same key.
func TestLINEOutbox_OneSenderWithTwoInstances(t *testing.T) {
	f := newFixture(t)
	f.friend(t, "Uboss", "Boss")
	org := f.org(t, portal.RegionJapan, acme, true)
	f.send(t, f.miniApp(t, acme), org)
	other, err := store.Open(ctx, f.path)
	mustNil(t, err)
	t.Cleanup(func() { other.Close() })
	other.Now = f.clock.Now
	f.clock.Set(start.Add(portal.LINEBatchWindow))

	type turn struct {
		msgs []store.LINEMessage
		held bool
	}
	turns := make([]turn, 2)
	var wg sync.WaitGroup
	for i, db := range []*store.DB{f.db, other} {
		wg.Go(func() {
			msgs, held, err := db.ClaimLINEMessages(ctx, fmt.Sprintf("instance-%d", i), time.Minute, unlimited)
			if err != nil {
				t.Error(err)
			}
			turns[i] = turn{msgs, held}
		})
	}
	wg.Wait()
	if turns[0].held == turns[1].held {
		t.Fatalf("held: %v and %v; want exactly one holder", turns[0].held, turns[1].held)
	}
	holder, waiter := 0, 1
	if turns[1].held {
		holder, waiter = 1, 0
	}
	if len(turns[holder].msgs) != 1 || len(turns[waiter].msgs) != 0 {
		t.Fatalf("holder claimed %d messages, the other %d", len(turns[holder].msgs), len(turns[waiter].msgs))
	}
	// The holder dies before finishing; when its lease runs out the other
	// takes the message over, with its key.
	dbs := []*store.DB{f.db, other}
	f.clock.Set(f.clock.Now().Add(time.Minute))
	msgs, held, err := dbs[waiter].ClaimLINEMessages(ctx, fmt.Sprintf("instance-%d", waiter), time.Minute, unlimited)
	mustNil(t, err)
	if !held || len(msgs) != 1 || msgs[0].Key != turns[holder].msgs[0].Key {
		t.Errorf("after the lease ran out: held %v, %+v", held, msgs)
	}
}

// A message LINE did not take (5xx, lost answer) is claimed again under
// its key until portal.LINEPushDeadline after its first claim, even when
// another instance takes it over; then it is failed, not pushed again
// (LINE forgets retry keys after 24 hours), and no longer counts against
// the quota.
func TestLINEOutbox_AClaimedMessageFailsAtItsDeadline(t *testing.T) {
	f := newFixture(t)
	f.friend(t, "Uboss", "Boss")
	org := f.org(t, portal.RegionJapan, acme, true)
	f.send(t, f.miniApp(t, acme), org)
	claimedAt := start.Add(portal.LINEBatchWindow)
	f.clock.Set(claimedAt)
	_, first := f.claim(t, unlimited)
	f.clock.Set(claimedAt.Add(portal.LINEPushDeadline - time.Second))
	msgs, held, err := f.db.ClaimLINEMessages(ctx, "b", time.Minute, unlimited)
	mustNil(t, err)
	if !held || len(msgs) != 1 || msgs[0].Key != first[0].Key {
		t.Fatalf("just before the deadline, another instance claimed %+v (held %v); want the first message again", msgs, held)
	}
	f.clock.Set(claimedAt.Add(portal.LINEPushDeadline))
	msgs, held, err = f.db.ClaimLINEMessages(ctx, "b", time.Minute, unlimited)
	mustNil(t, err)
	if !held || len(msgs) != 0 {
		t.Errorf("claimed at the deadline: %+v (held %v)", msgs, held)
	}
	if got, want := f.outboxStates(t), []string{"Boss link_request failed"}; !slices.Equal(got, want) {
		t.Errorf("outbox: %q, want %q", got, want)
	}
	// With one message left in the quota, the next one goes: the failed
	// message spends none of it.
	f.send(t, f.miniApp(t, acme), org)
	f.clock.Set(claimedAt.Add(portal.LINEPushDeadline + portal.LINEBatchWindow))
	if got, _ := f.claim(t, portal.MessageQuota{Limited: true, Limit: 200, Sent: 199}); !slices.Equal(got, []string{"Boss: link_request"}) {
		t.Errorf("claimed with one message left: %q", got)
	}
}

// The portal's Official Account's webhook keeps friend flags current
// between sign-ins: a change counts when it happened after what the portal
// last knew, and a block holds the person's LINE messages still waiting.
func TestRecordFriendships(t *testing.T) {
	f := newFixture(t)
	boss := f.friend(t, "Uboss", "Boss") // at start
	mia := f.friend(t, "Umia", "Mia")
	org := f.org(t, portal.RegionJapan, acme, true)
	mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, mia.ID))
	f.send(t, f.miniApp(t, acme), org)
	record := func(want int, changes ...portal.FriendshipChange) {
		t.Helper()
		n, err := f.db.RecordFriendships(ctx, changes)
		mustNil(t, err)
		if n != want {
			t.Errorf("RecordFriendships(%+v) applied %d, want %d", changes, n, want)
		}
	}
	friendFlag := func(a portal.Admin) string {
		t.Helper()
		got, err := f.db.FindAdminByID(ctx, a.ID)
		mustNil(t, err)
		if got.FriendFlag == nil {
			return "unknown"
		}
		return fmt.Sprint(*got.FriendFlag)
	}
	waiting := []string{"Boss link_request waiting", "Mia link_request waiting"}
	if got := f.outboxStates(t); !slices.Equal(got, waiting) {
		t.Fatalf("outbox before: %q, want %q", got, waiting)
	}

	// A block from before the sign-in, and someone the portal does not
	// know, change nothing.
	record(0, portal.FriendshipChange{LINEUserID: "Uboss", Friend: false, At: start.Add(-time.Second)},
		portal.FriendshipChange{LINEUserID: "Ustranger", Friend: false, At: start.Add(time.Second)})
	if got := friendFlag(boss); got != "true" {
		t.Errorf("Boss after a block from before the sign-in: %s, want true", got)
	}
	// A block after it counts, and holds Boss's message; Mia's waits on.
	record(1, portal.FriendshipChange{LINEUserID: "Uboss", Friend: false, At: start.Add(time.Minute)})
	if got := friendFlag(boss); got != "false" {
		t.Errorf("Boss after the block: %s, want false", got)
	}
	held := []string{"Boss link_request held", "Mia link_request waiting"}
	if got := f.outboxStates(t); !slices.Equal(got, held) {
		t.Errorf("outbox after the block: %q, want %q", got, held)
	}
	// The follow before the block, redelivered after it, changes nothing.
	record(0, portal.FriendshipChange{LINEUserID: "Uboss", Friend: true, At: start.Add(30 * time.Second)})
	if got := friendFlag(boss); got != "false" {
		t.Errorf("Boss after a late follow from before the block: %s, want false", got)
	}
	// Unblocking makes Boss a friend again; what was held stays held.
	record(1, portal.FriendshipChange{LINEUserID: "Uboss", Friend: true, At: start.Add(2 * time.Minute)})
	if got := friendFlag(boss); got != "true" {
		t.Errorf("Boss after unblocking: %s, want true", got)
	}
	if got := f.outboxStates(t); !slices.Equal(got, held) {
		t.Errorf("outbox after unblocking: %q, want %q", got, held)
	}
	// Someone added by another person, who never signed in, is known
	// from their first change, whenever it happened.
	newcomer := f.admin(t, "Unew", "Newcomer")
	record(1, portal.FriendshipChange{LINEUserID: "Unew", Friend: true, At: start.Add(-time.Hour)})
	if got := friendFlag(newcomer); got != "true" {
		t.Errorf("the newcomer after following: %s, want true", got)
	}
	// A sign-in is the latest word: a change from before it, arriving
	// late, is not.
	f.clock.Set(start.Add(3 * time.Minute))
	no := false
	_, err := f.db.SignIn(ctx, portal.SignIn{LINEUserID: "Umia", Name: "Mia", FriendFlag: &no})
	mustNil(t, err)
	record(0, portal.FriendshipChange{LINEUserID: "Umia", Friend: true, At: start.Add(2 * time.Minute)})
	if got := friendFlag(mia); got != "false" {
		t.Errorf("Mia after a follow from before her sign-in: %s, want false", got)
	}
	// A sign-in that could not ask LINE keeps what was known, and what
	// the webhook tells after it still counts.
	record(1, portal.FriendshipChange{LINEUserID: "Umia", Friend: true, At: start.Add(4 * time.Minute)})
	f.clock.Set(start.Add(5 * time.Minute))
	_, err = f.db.SignIn(ctx, portal.SignIn{LINEUserID: "Umia", Name: "Mia"})
	mustNil(t, err)
	if got := friendFlag(mia); got != "true" {
		t.Errorf("Mia after a sign-in that could not ask LINE: %s, want true, as known before", got)
	}
	record(1, portal.FriendshipChange{LINEUserID: "Umia", Friend: false, At: start.Add(4*time.Minute + 30*time.Second)})
	if got := friendFlag(mia); got != "false" {
		t.Errorf("Mia after a block told late, from after the follow: %s, want false", got)
	}
	// A block told while a sign-in asked LINE (after it asked, before it
	// was recorded) is newer than the sign-in's answer.
	f.clock.Set(start.Add(7 * time.Minute))
	_, err = f.db.SignIn(ctx, portal.SignIn{LINEUserID: "Uboss", Name: "Boss", FriendFlag: &no, FriendFlagAt: start.Add(90 * time.Second)})
	mustNil(t, err)
	if got := friendFlag(boss); got != "true" {
		t.Errorf("Boss after a sign-in whose answer is older than his unblock: %s, want true", got)
	}
}

// A block (LINE's unfollow) is told apart from never having added the
// account, which a sign-in's friend flag can't: a sign-in that finds no
// friend keeps the block, a follow or a sign-in that finds a friend ends it.
func TestRecordFriendships_Blocked(t *testing.T) {
	f := newFixture(t)
	boss := f.friend(t, "Uboss", "Boss") // at start
	blocked := func() bool {
		t.Helper()
		got, err := f.db.FindAdminByID(ctx, boss.ID)
		mustNil(t, err)
		return got.BlockedPortalOA
	}
	if blocked() {
		t.Fatal("a friend is blocked")
	}
	_, err := f.db.RecordFriendships(ctx, []portal.FriendshipChange{{LINEUserID: "Uboss", Friend: false, At: start.Add(time.Minute)}})
	mustNil(t, err)
	if !blocked() {
		t.Fatal("an unfollow is not a block")
	}
	no, yes := false, true
	f.clock.Set(start.Add(2 * time.Minute))
	_, err = f.db.SignIn(ctx, portal.SignIn{LINEUserID: "Uboss", Name: "Boss", FriendFlag: &no})
	mustNil(t, err)
	if !blocked() {
		t.Error("a sign-in that found no friend ended the block")
	}
	f.clock.Set(start.Add(3 * time.Minute))
	_, err = f.db.SignIn(ctx, portal.SignIn{LINEUserID: "Uboss", Name: "Boss", FriendFlag: &yes})
	mustNil(t, err)
	if blocked() {
		t.Error("a sign-in that found a friend kept the block")
	}
	_, err = f.db.RecordFriendships(ctx, []portal.FriendshipChange{{LINEUserID: "Uboss", Friend: false, At: start.Add(4 * time.Minute)}})
	mustNil(t, err)
	_, err = f.db.RecordFriendships(ctx, []portal.FriendshipChange{{LINEUserID: "Uboss", Friend: true, At: start.Add(5 * time.Minute)}})
	mustNil(t, err)
	if blocked() {
		t.Error("a follow after the block kept it")
	}
}
