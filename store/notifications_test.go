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

// notices lists each person's notifications, oldest first, as
// "name: kind".
func (f *fixture) notices(t *testing.T, people ...portal.Admin) []string {
	t.Helper()
	var got []string
	for _, p := range people {
		ns, _, err := f.db.FindNotices(ctx, p.ID, store.Page{})
		mustNil(t, err)
		slices.Reverse(ns)
		for _, n := range ns {
			got = append(got, p.Name+": "+string(n.Kind))
		}
	}
	return got
}

// Each change notifies exactly the people concerned, once, and never the
// person who made it.
func TestNotices_ReachExactlyThePeopleConcerned(t *testing.T) {
	f := newFixture(t)
	second := f.admin(t, newUserID, "Second")
	org := f.org(t, portal.RegionJapan, acme, true)
	mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, second.ID))
	everyone := []portal.Admin{f.dev, f.boss, second, f.op}

	// The MINI App review and the organization's verification tell their
	// Admins and administrators.
	ch := f.miniApp(t, acme)
	token := f.send(t, ch, org)
	want := []string{"Dev: miniapp_verified", "Boss: organization_verified", "Boss: link_request", "Second: link_request"}
	if got := f.notices(t, everyone...); !slices.Equal(got, want) {
		t.Fatalf("after sending:\n got %q\nwant %q", got, want)
	}
	_, err := f.db.ApproveLinkRequest(ctx, f.boss, token)
	mustNil(t, err)
	want = []string{"Dev: miniapp_verified", "Dev: review_verified", "Dev: link_approved", "Boss: organization_verified", "Boss: link_request", "Second: link_request"}
	if got := f.notices(t, everyone...); !slices.Equal(got, want) {
		t.Fatalf("after approving:\n got %q\nwant %q", got, want)
	}
	// Approved, the request waits for no one: its notices are read, for
	// the approver and the other administrator alike.
	if n, _ := f.db.CountUnread(ctx, second.ID); n != 0 {
		t.Errorf("second's unread after boss approved = %d, want 0", n)
	}
	ns, _, err := f.db.FindNotices(ctx, f.dev.ID, store.Page{})
	mustNil(t, err)
	if p := ns[1].Params; p["Subject"] != ch.Name || p["OrgID"] != org.ID || p["ChannelID"] != fmt.Sprint(ch.ID) {
		t.Errorf("review notice params = %v", p)
	}

	// A rejection also tells the organization's administrators, but not
	// the one who approved.
	bad := f.miniApp(t, other)
	_, err = f.db.ApproveLinkRequest(ctx, second, f.send(t, bad, org))
	mustNil(t, err)
	want = []string{"Dev: miniapp_verified", "Dev: review_verified", "Dev: link_approved", "Dev: miniapp_verified", "Dev: review_rejected", "Dev: link_approved",
		"Boss: organization_verified", "Boss: link_request", "Boss: link_request", "Boss: review_rejected", "Second: link_request", "Second: link_request"}
	if got := f.notices(t, everyone...); !slices.Equal(got, want) {
		t.Fatalf("after a rejection:\n got %q\nwant %q", got, want)
	}

	// An accepted invitation tells its sender.
	_, invite, err := f.db.CreateInvitation(ctx, f.dev, portal.Team{ChannelID: ch.ID}, portal.RoleMember, "")
	mustNil(t, err)
	_, err = f.db.AcceptInvitation(ctx, f.op, invite)
	mustNil(t, err)
	if got := f.notices(t, f.dev, f.op); got[len(got)-1] != "Dev: invitation_accepted" || len(got) != 7 {
		t.Errorf("after an acceptance: %q", got)
	}

	// Unread until read; marking all reads all, and only the reader's.
	if n, _ := f.db.CountUnread(ctx, f.dev.ID); n != 7 {
		t.Errorf("dev's unread = %d, want 7", n)
	}
	mustNil(t, f.db.MarkRead(ctx, f.dev.ID, ns[0].ID))
	if n, _ := f.db.CountUnread(ctx, f.dev.ID); n != 6 {
		t.Errorf("after reading one: %d unread, want 6", n)
	}
	mustNil(t, f.db.MarkRead(ctx, f.boss.ID, ns[1].ID)) // someone else's: nothing
	mustNil(t, f.db.MarkRead(ctx, f.dev.ID, 0))
	if n, _ := f.db.CountUnread(ctx, f.dev.ID); n != 0 {
		t.Errorf("after reading all: %d unread", n)
	}
	// Boss: the organization's verification and the rejection; both link
	// requests were approved.
	if n, _ := f.db.CountUnread(ctx, f.boss.ID); n != 2 {
		t.Errorf("boss's unread = %d, want 2", n)
	}

	// Rejected reviews tell the same people, with the operator's reason.
	draft := f.channel(t, portal.Channel{Draft: portal.MiniAppInfo{ServiceCompany: acme, DeveloperIsServiceCompany: true}})
	mustNil(t, f.db.SubmitMiniAppReview(ctx, f.dev, draft.ID))
	mustNil(t, f.db.RejectMiniAppReview(ctx, f.op, draft.ID, "The address is incomplete."))
	pending := f.org(t, portal.RegionJapan, acme, false)
	mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, pending.ID, second.ID))
	mustNil(t, f.db.SubmitOrganizationForVerification(ctx, f.boss, pending.ID))
	mustNil(t, f.db.RejectOrganizationVerification(ctx, f.op, pending.ID, "The company name does not match."))
	for _, c := range []struct {
		who    portal.Admin
		kind   portal.NoticeKind
		reason string
	}{
		{f.dev, portal.NoticeMiniAppRejected, "The address is incomplete."},
		{f.boss, portal.NoticeOrganizationRejected, "The company name does not match."},
		{second, portal.NoticeOrganizationRejected, "The company name does not match."},
	} {
		ns, _, err := f.db.FindNotices(ctx, c.who.ID, store.Page{})
		mustNil(t, err)
		if ns[0].Kind != c.kind || ns[0].Params["Reason"] != c.reason || len(ns) > 1 && ns[1].Kind == c.kind {
			t.Errorf("%s's newest notices: %s %v", c.who.Name, ns[0].Kind, ns[0].Params)
		}
	}
}

// A link request replaced by a newer one waits for no one either: its
// notices are read and its LINE message not sent.
func TestNotices_ReplacedRequestIsSettled(t *testing.T) {
	f := newFixture(t)
	boss := f.friend(t, "Uboss", "Boss")
	org := f.org(t, portal.RegionJapan, acme, true)
	ch := f.miniApp(t, acme)
	f.send(t, ch, org)
	f.send(t, ch, org) // again: the first URL stops working
	ns, _, err := f.db.FindNotices(ctx, boss.ID, store.Page{})
	mustNil(t, err)
	var unread []string
	for _, n := range ns {
		if n.Unread() {
			unread = append(unread, string(n.Kind)+" "+n.Params["RequestID"])
		}
	}
	if len(unread) != 2 || unread[0] != "link_request "+ns[0].Params["RequestID"] {
		t.Errorf("boss's unread after a resend: %q; want the new request's and the organization's verification", unread)
	}
	if got := f.outboxStates(t); !slices.Equal(got, []string{"Boss link_request held", "Boss link_request waiting"}) {
		t.Errorf("outbox: %q", got)
	}

	// Every page counts them for its header, so the count stops one past
	// what the header shows (99+).
	for i := range portal.UnreadCounted + 5 {
		_, err := f.raw.Exec(`INSERT INTO notifications (admin_id, kind, created_at) VALUES (?, 'link_approved', ?)`, f.dev.ID, i)
		mustNil(t, err)
	}
	if n, _ := f.db.CountUnread(ctx, f.dev.ID); n != portal.UnreadCounted+1 {
		t.Errorf("%d unread counted as %d, want %d", portal.UnreadCounted+5, n, portal.UnreadCounted+1)
	}
}

// The expiry job tells each sender once, however many portal instances
// run it on one database at the same moment: one holds the lease.
func TestNoticeExpiringURLs_OnceWithTwoInstances(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, true)
	ch := f.miniApp(t, acme)
	f.send(t, ch, org)
	other, err := store.Open(ctx, f.path)
	mustNil(t, err)
	t.Cleanup(func() { other.Close() })
	other.Now = f.clock.Now

	// Not yet within a day of expiring: nothing to tell.
	told, held, err := f.db.NoticeExpiringURLs(ctx, "instance-a", time.Minute)
	mustNil(t, err)
	if told != 0 || !held {
		t.Fatalf("a week before: told %d, held %v", told, held)
	}
	f.clock.Set(start.Add(7*24*time.Hour - 23*time.Hour))
	var wg sync.WaitGroup
	results := make([][2]any, 2)
	for i, db := range []*store.DB{f.db, other} {
		wg.Go(func() {
			n, h, err := db.NoticeExpiringURLs(ctx, fmt.Sprintf("instance-%c", 'a'+i), time.Minute)
			if err != nil {
				t.Error(err)
			}
			results[i] = [2]any{n, h}
		})
	}
	wg.Wait()
	if !slices.Contains(results, [2]any{1, true}) || !slices.Contains(results, [2]any{0, false}) {
		t.Errorf("instance a %v, instance b %v; want one (the lease holder) to tell 1 and the other not to run", results[0], results[1])
	}
	holder := "instance-a"
	if results[1][1] == true {
		holder = "instance-b"
	}
	if got := f.notices(t, f.dev); !slices.Equal(got, []string{"Dev: miniapp_verified", "Dev: url_expiring"}) {
		t.Errorf("dev's notices: %q", got)
	}
	// When the holder's lease runs out, the other instance takes over,
	// and tells no one twice.
	f.clock.Set(f.clock.Now().Add(time.Minute))
	if holder == "instance-b" {
		holder = "instance-a"
	} else {
		holder = "instance-b"
	}
	told, held, err = other.NoticeExpiringURLs(ctx, holder, time.Minute)
	mustNil(t, err)
	if told != 0 || !held {
		t.Errorf("instance b after the lease ran out: told %d, held %v", told, held)
	}
}

// LINE suspending and resuming a bot tells the module channel's Admins
// (not its Members), once each, however often the event is redelivered.
func TestNotices_BotSuspendedAndResumed(t *testing.T) {
	m := newModuleFixture(t)
	m.attach(t)
	suspended := m.ev(portal.EventBotSuspended, 3)
	m.record(t, suspended)
	m.record(t, suspended) // redelivered
	m.record(t, m.ev(portal.EventBotResumed, 4))
	want := []string{"Dev: bot_suspended", "Dev: bot_resumed"}
	if got := m.notices(t, m.dev, m.mia, m.boss); !slices.Equal(got, want) {
		t.Errorf("notices:\n got %q\nwant %q", got, want)
	}
	ns, _, err := m.db.FindNotices(ctx, m.dev.ID, store.Page{})
	mustNil(t, err)
	if p := ns[0].Params; p["BotID"] != botA || p["ModuleID"] != fmt.Sprint(m.ch.ID) {
		t.Errorf("params = %v", p)
	}
}
