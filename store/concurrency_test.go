package store_test

import (
	"database/sql"
	"sync"
	"testing"
	"time"

	"lineportal/internal/portal"
)

// Rules that read and then write hold under concurrent writers. On SQLite
// the single writer runs the transactions one at a time; on PostgreSQL
// they really overlap, and SERIALIZABLE with retries makes them behave as
// if they had not.

// concurrently runs n calls of call at once and returns how many
// succeeded; the others' errors must be refusals, not failures.
func concurrently(t *testing.T, n int, call func(i int) error) (succeeded int) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			err := call(i)
			mu.Lock()
			defer mu.Unlock()
			switch code := portal.ErrorCode(err); {
			case err == nil:
				succeeded++
			case code == portal.EINTERNAL:
				t.Errorf("call %d failed instead of being refused: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return succeeded
}

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	mustNil(t, f.raw.QueryRow(query, args...).Scan(&n))
	return n
}

func TestConcurrent_FiftyApprovalsMakeOneLink(t *testing.T) {
	f := newFixture(t)
	ch, org := f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, true)
	token := f.send(t, ch, org)
	ok := concurrently(t, 50, func(int) error { _, err := f.db.ApproveLinkRequest(ctx, f.boss, token); return err })
	if ok != 1 {
		t.Errorf("%d approvals succeeded, want 1", ok)
	}
	if n := f.count(t, `SELECT count(*) FROM links WHERE channel_id = ?`, ch.ID); n != 1 {
		t.Errorf("%d links, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'link_request.approve'`); n != 1 {
		t.Errorf("%d approvals audited, want 1", n)
	}
}

// Two transfers decided on the same state (linked to from), to two
// destinations, move the channel once.
func TestConcurrent_TwoTransfersOfOneChannelMakeOne(t *testing.T) {
	f := newFixture(t)
	from := f.org(t, portal.RegionJapan, acme, true)
	dests := []portal.Organization{f.org(t, portal.RegionJapan, acme, true), f.org(t, portal.RegionJapan, acme, true)}
	ch := f.miniApp(t, acme)
	f.link(t, ch, from)
	ok := concurrently(t, 2, func(i int) error {
		_, err := f.db.TransferChannel(ctx, f.boss, ch.ID, from.ID, portal.OrganizationID(dests[i].ID))
		return err
	})
	if ok != 1 {
		t.Errorf("%d transfers succeeded, want 1", ok)
	}
	if n := f.count(t, `SELECT count(*) FROM links WHERE channel_id = ?`, ch.ID); n != 2 {
		t.Errorf("%d links (the first and one transfer's), want 2", n)
	}
}

func TestConcurrent_OneOfficialAccountLinkPerChannel(t *testing.T) {
	f := newFixture(t)
	org, first, ch := f.verifiedPair(t)
	second := f.oa(t, acme)
	f.linkOA(t, second, org)
	accounts := []int64{first.ID, second.ID}
	ok := concurrently(t, 10, func(i int) error {
		_, err := f.db.LinkMiniAppToOfficialAccount(ctx, f.boss, accounts[i%2], ch.ID)
		return err
	})
	if ok != 1 {
		t.Errorf("%d OA links succeeded, want 1", ok)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE subject_kind = 'oa_link'`); n != 1 {
		t.Errorf("%d OA links audited, want 1", n)
	}
}

// Two Admins demote each other at the same moment: each transaction reads
// two Admins, so each alone keeps one; together they would leave none.
func TestConcurrent_AdminsDemotingEachOtherLeaveOne(t *testing.T) {
	f := newFixture(t)
	if admins := demoteEachOther(t, f); admins != 1 {
		t.Errorf("%d Admins left, want 1", admins)
	}
	if cluster != nil && f.db.Retries() == 0 {
		t.Error("no transaction was retried: the two did not overlap")
	}
}

// What the test above guards against: at READ COMMITTED, PostgreSQL runs
// both demotions and leaves the channel without an Admin.
func TestConcurrent_ReadCommittedWouldLeaveNoAdmin(t *testing.T) {
	if cluster == nil {
		t.Skip("SQLite has one writer")
	}
	f := newFixture(t)
	f.db.SetWriteIsolation(sql.LevelReadCommitted)
	if admins := demoteEachOther(t, f); admins != 0 {
		t.Errorf("%d Admins left at READ COMMITTED; the test above no longer shows why writes are SERIALIZABLE", admins)
	}
}

// demoteEachOther gives a channel of dev's two more Admins, demotes dev,
// then has the two demote each other at once, and returns how many Admins
// are left. On PostgreSQL both transactions first read and write, and only
// then does either commit.
func demoteEachOther(t *testing.T, f *fixture) (admins int) {
	t.Helper()
	ch := f.channel(t, portal.Channel{Kind: portal.KindLogin})
	actors := make([]portal.Admin, 2)
	for i, id := range []string{"U00000000000000000000000000000001", "U00000000000000000000000000000002"} {
		granted, _, err := f.db.GrantChannelRole(ctx, f.dev, ch.ID, id, portal.RoleAdmin)
		mustNil(t, err)
		actors[i] = granted.Admin
	}
	// The fixture's dev has no real LINE user ID to be named by.
	_, err := f.raw.Exec(`UPDATE channel_roles SET role = 'member' WHERE channel_id = ? AND admin_id = ?`, ch.ID, f.dev.ID)
	mustNil(t, err)
	if cluster != nil {
		var arrived sync.WaitGroup
		arrived.Add(2)
		f.db.SetBeforeCommit(func(attempt int) {
			if attempt == 0 {
				arrived.Done()
				waitGroupOrTimeout(t, &arrived, 10*time.Second)
			}
		})
		defer f.db.SetBeforeCommit(nil)
	}
	targets := []portal.Admin{actors[1], actors[0]}
	concurrently(t, 2, func(i int) error {
		_, _, err := f.db.GrantChannelRole(ctx, actors[i], ch.ID, targets[i].LINEUserID, portal.RoleMember)
		return err
	})
	return f.count(t, `SELECT count(*) FROM channel_roles WHERE channel_id = ? AND role = 'admin'`, ch.ID)
}

func waitGroupOrTimeout(t *testing.T, wg *sync.WaitGroup, limit time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Error("the two transactions never overlapped")
	}
}

// Writers that do not touch the same rows all succeed, however many at
// once: on PostgreSQL the ones aborted for a false conflict (predicate
// locks cover index pages, not rows) are retried until they commit.
func TestConcurrent_SendsOnManyChannelsAllSucceed(t *testing.T) {
	f := newFixture(t)
	org := f.org(t, portal.RegionJapan, acme, true)
	chs := make([]portal.Channel, 32)
	for i := range chs {
		chs[i] = f.miniApp(t, acme)
	}
	for range 3 {
		if ok := concurrently(t, len(chs), func(i int) error {
			_, _, err := f.db.SendLinkRequest(ctx, f.dev, chs[i].ID, portal.OrganizationID(org.ID))
			return err
		}); ok != len(chs) {
			t.Fatalf("%d of %d sends succeeded", ok, len(chs))
		}
	}
	if n := f.count(t, `SELECT count(*) FROM link_requests`); n != 3*len(chs) {
		t.Errorf("%d link requests, want %d", n, 3*len(chs))
	}
}
