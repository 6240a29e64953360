package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// SQLite runs its write transactions through one writer with group
// commit: writes that arrive while a group commits wait, then run one
// after the other in one SQLite transaction, each under its own savepoint,
// and are committed together, so that a whole group waits for the disk
// once. A body that fails is rolled back to its savepoint alone and fails
// alone; the others commit. Each body sees the writes before it in its
// group, exactly as if they had committed first: there is one writer, so
// the order is a serial one.
//
// When a group's transaction fails as a whole (SQLite rolls it back on a
// full disk or an I/O error, taking every write's work with it), each of
// its writes runs again in a transaction of its own, where a failure is
// its own: this is why a body may run twice.

// groupCommit is the writer's queue: update sends each write on writes,
// and commitLoop takes the waiting ones as a group.
type groupCommit struct {
	writes    chan *write
	queued    atomic.Int64 // writes counted in, not yet taken by the loop
	closed    chan struct{}
	closeOnce sync.Once
	stopped   chan struct{}
}

// write is one call of update waiting for its group.
type write struct {
	ctx      context.Context
	fn       func(tx *Tx) error
	err      error
	panicked any
	done     chan struct{} // closed once err (or panicked) is final
}

// maxGroup bounds a group, so that one transaction (and the wait of the
// writes in it) stays short.
const maxGroup = 64

var errClosed = errors.New("store: the database is closed")

func (db *DB) startGroupCommit() {
	db.group = &groupCommit{writes: make(chan *write), closed: make(chan struct{}), stopped: make(chan struct{})}
	go db.commitLoop()
}

// stop makes the writer finish the group it has taken and stop; writes
// not taken by then fail with errClosed.
func (g *groupCommit) stop() {
	g.closeOnce.Do(func() { close(g.closed) })
	<-g.stopped
}

// updateSQLite hands fn to the writer and waits until its group has
// committed (or it has failed). A panic in fn is raised again here, in
// the caller's goroutine, as if fn had run there.
func (db *DB) updateSQLite(ctx context.Context, fn func(tx *Tx) error) error {
	g := db.group
	w := &write{ctx: ctx, fn: fn, done: make(chan struct{})}
	g.queued.Add(1)
	select {
	case g.writes <- w:
	case <-g.closed:
		g.queued.Add(-1)
		return errClosed
	}
	<-w.done
	if w.panicked != nil {
		panic(w.panicked)
	}
	return w.err
}

// commitLoop is the writer: it takes the writes that are waiting, as one
// group, runs and commits them, answers them, and starts again, until the
// database is closed.
func (db *DB) commitLoop() {
	g := db.group
	defer close(g.stopped)
	for {
		var group []*write
		select {
		case w := <-g.writes:
			group = append(group, w)
		case <-g.closed:
			return
		}
	gather:
		for len(group) < maxGroup {
			select {
			case w := <-g.writes:
				group = append(group, w)
			default:
				break gather
			}
		}
		g.queued.Add(-int64(len(group)))
		db.commitGroup(group)
	}
}

// commitGroup runs the group's writes in one transaction, each under a
// savepoint, commits once and answers them; or, when the transaction
// fails as a whole, runs each again on its own.
func (db *DB) commitGroup(group []*write) {
	if len(group) == 1 {
		db.commitAlone(group[0])
		return
	}
	tx, err := db.beginWriter()
	for _, w := range group {
		if err != nil {
			break
		}
		if w.err = w.ctx.Err(); w.err != nil {
			continue // the caller gave up before its turn
		}
		if err = tx.exec(`SAVEPOINT write`); err != nil {
			break
		}
		db.runBody(tx, w)
		if w.err != nil {
			err = tx.exec(`ROLLBACK TO write`)
		}
		if err == nil {
			err = tx.exec(`RELEASE write`)
		}
	}
	if tx != nil {
		err = tx.end(err)
	}
	for _, w := range group {
		if err != nil {
			w.err, w.panicked = nil, nil
			db.commitAlone(w)
			continue
		}
		close(w.done)
	}
}

// commitAlone runs w in a transaction of its own and answers it.
func (db *DB) commitAlone(w *write) {
	defer close(w.done)
	if w.err = w.ctx.Err(); w.err != nil {
		return
	}
	tx, err := db.beginWriter()
	if err != nil {
		w.err = err
		return
	}
	db.runBody(tx, w)
	if err := tx.end(w.err); w.err == nil {
		w.err = err
	}
}

// runBody runs one write's body in the transaction, turning a panic into
// the write's outcome (rolled back, and raised again in the caller) so
// that the writer goes on.
func (db *DB) runBody(tx *writerTx, w *write) {
	defer func() {
		if p := recover(); p != nil {
			w.panicked = p
			w.err = fmt.Errorf("store: write panicked: %v", p)
		}
	}()
	t := &Tx{q: tx.conn, now: db.Now().UTC(), ctx: context.Background()}
	w.err = t.run(w.fn)
}

// writerTx is a transaction on the writer's connection, begun and ended
// by statements rather than through database/sql's Tx: a sql.Tx watches
// its context with a goroutine for each query it runs, and the writer's
// context is never cancelled (see Tx.ctx), so that was one goroutine
// started and stopped for every read of every write, on the one writer
// (issue 15).
type writerTx struct {
	db   *DB
	conn *sql.Conn
}

// beginWriter takes the writer's connection and begins a transaction on
// it, holding SQLite's write lock from the start (BEGIN IMMEDIATE), so
// that no statement of the group waits for the lock halfway.
func (db *DB) beginWriter() (*writerTx, error) {
	conn, err := db.write.Conn(context.Background())
	if err != nil {
		return nil, err
	}
	tx := &writerTx{db: db, conn: conn}
	if err := tx.exec(`BEGIN IMMEDIATE`); err != nil {
		tx.drop()
		return nil, err
	}
	return tx, nil
}

// drop gives the connection back to be closed, not reused: it may be in
// a state the next transaction must not start from.
func (tx *writerTx) drop() {
	_ = tx.conn.Raw(func(any) error { return driver.ErrBadConn })
	tx.conn.Close()
}

func (tx *writerTx) exec(stmt string) error {
	_, err := tx.conn.ExecContext(context.Background(), stmt)
	return err
}

// end commits the transaction when failed is nil, and otherwise rolls it
// back and returns failed; either way it gives the connection back. A
// connection that can't be rolled back (SQLite may have ended the
// transaction itself, on a full disk or an I/O error) is dropped, so
// that the next transaction starts on a fresh one, never inside this one.
func (tx *writerTx) end(failed error) error {
	if failed == nil {
		if failed = tx.exec(`COMMIT`); failed == nil {
			tx.db.writeCounts.commits.Add(1)
			tx.conn.Close()
			return nil
		}
	}
	if err := tx.exec(`ROLLBACK`); err != nil {
		tx.drop()
		return failed
	}
	tx.conn.Close()
	return failed
}
