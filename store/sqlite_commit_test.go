package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lineportal/internal/portal"
)

// groupFixture is a database with a table of keys, and a second
// connection that can hold the write lock so that writes queue up and
// meet in one group.
type groupFixture struct {
	db   *DB
	lock *sql.Conn
}

func newGroupFixture(t *testing.T) *groupFixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "portal.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.update(t.Context(), func(tx *Tx) error {
		_, err := tx.ExecContext(t.Context(), `CREATE TABLE test_keys (k TEXT PRIMARY KEY) STRICT`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", WriterDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	lock, err := raw.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lock.Close() })
	return &groupFixture{db: db, lock: lock}
}

func insertKey(k string) func(tx *Tx) error {
	return func(tx *Tx) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO test_keys (k) VALUES (?)`, k)
		return err
	}
}

func (g *groupFixture) keys(t *testing.T) string {
	t.Helper()
	rows, err := g.db.read.Query(`SELECT k FROM test_keys ORDER BY k`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ks []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	return strings.Join(ks, ",")
}

// group runs first, then, while first waits for the write lock held by
// the fixture, queues the others behind it, releases the lock, and
// returns each write's error (and panic) once all are answered. The
// others so form one group, committed after first.
func (g *groupFixture) group(t *testing.T, first func(tx *Tx) error, others ...func(tx *Tx) error) (errs []error, panics []any) {
	t.Helper()
	ctx := t.Context()
	if _, err := g.lock.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	all := append([]func(tx *Tx) error{first}, others...)
	errs, panics = make([]error, len(all)), make([]any, len(all))
	var wg sync.WaitGroup
	base := g.db.transactions.Load()
	for i, fn := range all {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = g.db.update(ctx, fn)
		})
		// Each write is counted before it queues; the first is taken by
		// the writer (and waits for the lock), the others wait for it.
		waitUntil(t, func() bool {
			if i == 0 {
				return g.db.transactions.Load() == base+1 && g.db.group.queued.Load() == 0
			}
			return g.db.group.queued.Load() == int64(i)
		})
	}
	if _, err := g.lock.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	return errs, panics
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the writes to queue")
		}
	}
}

// Writes that wait meet in one transaction and one commit; a write that
// fails is rolled back alone, and one that panics panics in its caller.
func TestUpdate_GroupCommitIsolatesEachWrite(t *testing.T) {
	g := newGroupFixture(t)
	refused := errors.New("refused")
	before := g.db.Stats()
	errs, panics := g.group(t, insertKey("a"),
		insertKey("b"),
		func(tx *Tx) error {
			if err := insertKey("c")(tx); err != nil {
				return err
			}
			return refused
		},
		func(tx *Tx) error {
			if err := insertKey("p")(tx); err != nil {
				return err
			}
			panic("body panicked")
		},
		insertKey("b"), // the group's earlier write is visible: a duplicate
		insertKey("d"))
	after := g.db.Stats()
	if got := g.keys(t); got != "a,b,d" {
		t.Errorf("committed keys %q, want a,b,d", got)
	}
	if errs[0] != nil || errs[1] != nil || errs[5] != nil || !errors.Is(errs[2], refused) || errs[4] == nil {
		t.Errorf("errors %v", errs)
	}
	if panics[3] != "body panicked" || errs[3] != nil {
		t.Errorf("the panicking write's caller got panic %v, error %v", panics[3], errs[3])
	}
	if n := after.Commits - before.Commits; n != 2 {
		t.Errorf("%d commits for 6 writes, want 2: the first alone, then one group", n)
	}
	if n := after.Transactions - before.Transactions; n != 6 {
		t.Errorf("%d transactions counted, want 6", n)
	}
}

// When the group's transaction fails as a whole, its writes run again,
// each alone: the work of a write that had succeeded in the group is not
// lost, and only the write at fault fails.
func TestUpdate_BrokenGroupRunsEachWriteAgainAlone(t *testing.T) {
	g := newGroupFixture(t)
	var xRuns, yRuns atomic.Int32
	errs, _ := g.group(t, insertKey("a"),
		func(tx *Tx) error { xRuns.Add(1); return insertKey("x")(tx) },
		func(tx *Tx) error {
			// Ends the transaction under the writer's feet, as SQLite does
			// itself on a full disk or an I/O error.
			_, err := tx.ExecContext(context.Background(), `ROLLBACK`)
			return err
		},
		func(tx *Tx) error { yRuns.Add(1); return insertKey("y")(tx) })
	if got := g.keys(t); got != "a,x,y" {
		t.Errorf("committed keys %q, want a,x,y", got)
	}
	if errs[0] != nil || errs[1] != nil || errs[2] == nil || errs[3] != nil {
		t.Errorf("errors %v", errs)
	}
	if xRuns.Load() != 2 || yRuns.Load() != 1 {
		t.Errorf("x ran %d times, y %d; want 2 (in the group, then alone) and 1", xRuns.Load(), yRuns.Load())
	}
}

// A caller that gave up before its write's turn changes nothing; after
// Close, writes are refused rather than left waiting.
func TestUpdate_CancelledAndClosed(t *testing.T) {
	g := newGroupFixture(t)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := g.db.update(cancelled, insertKey("late")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled write: %v", err)
	}
	if got := g.keys(t); got != "" {
		t.Errorf("keys %q after a cancelled write", got)
	}
	g.db.Close()
	if err := g.db.update(t.Context(), insertKey("closed")); !errors.Is(err, errClosed) {
		t.Errorf("write after Close: %v", err)
	}
}

// A body that leaves a query's rows open, or panics before closing them,
// does not keep the writer's connection: the writer ends its transaction
// and later writes run.
func TestUpdate_RowsLeftOpenAreClosed(t *testing.T) {
	g := newGroupFixture(t)
	leaveOpen := func(tx *Tx) error {
		_, err := tx.QueryContext(t.Context(), `SELECT 1 UNION ALL SELECT 2`)
		return err
	}
	if err := g.db.update(t.Context(), leaveOpen); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { recover() }()
		g.db.update(t.Context(), func(tx *Tx) error {
			if err := leaveOpen(tx); err != nil {
				return err
			}
			panic("body panicked with its rows open")
		})
	}()
	done := make(chan error, 1)
	go func() { done <- g.db.update(t.Context(), insertKey("after")) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write after bodies that left rows open did not finish: the writer is stuck")
	}
	if got := g.keys(t); got != "after" {
		t.Errorf("keys %q, want after", got)
	}
}

// A transaction's audit entries are written in their order, however many:
// more than one INSERT takes (verifying an organization logs one for each
// link whose review waited for it).
func TestUpdate_ManyAuditEntries(t *testing.T) {
	g := newGroupFixture(t)
	actor, err := g.db.EnsureAdmin(t.Context(), "Uauditor", "Auditor")
	if err != nil {
		t.Fatal(err)
	}
	const n = 2*auditRowsPerInsert + 1
	if err := g.db.update(t.Context(), func(tx *Tx) error {
		for i := range n {
			tx.logAudit(actor, portal.AuditEntry{Action: "link.create", SubjectKind: portal.SubjectLink, SubjectID: strconv.Itoa(i + 1)})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := g.db.read.Query(`SELECT subject_id FROM audit_log WHERE actor_id = ? ORDER BY id`, actor.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if len(got) != n || got[0] != "1" || got[auditRowsPerInsert] != strconv.Itoa(auditRowsPerInsert+1) || got[n-1] != strconv.Itoa(n) {
		t.Errorf("%d entries, first %v, want %d in their order", len(got), got[:min(len(got), 3)], n)
	}
}
