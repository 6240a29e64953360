package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"lineportal/store"
)

// This file is the baselines the write scenarios are held against: what
// plain Go, with no HTTP and no portal, gets out of the same SQLite on the
// same disk with the same pragmas (store.WriterDSN), in the same run. One
// writer, one transaction after the other, each committed (and so waiting
// for the disk) before the next begins.

// rawLoop is one baseline: setup makes its tables in a fresh database,
// commit runs one transaction of it.
type rawLoop struct {
	name   string
	events int // rows one transaction stands for, for events/s
	setup  func(ctx context.Context, db *sql.DB) error
	commit func(ctx context.Context, db *sql.DB, seq int) error
}

// rawCommitLoop is (a): a guarded update and an audit insert per
// transaction, as a state change of the link lifecycle makes. Items flip
// between pending and approved, so every update changes one row however
// long the loop runs.
var rawCommitLoop = rawLoop{
	name: "raw-commit", events: 1,
	setup: func(ctx context.Context, db *sql.DB) error {
		return execAll(ctx, db,
			`CREATE TABLE items (id INTEGER PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT`,
			`CREATE TABLE audit (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items (id), action TEXT NOT NULL, at INTEGER NOT NULL) STRICT`,
			fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
				INSERT INTO items (id, state, updated_at) SELECT i, 'pending', 0 FROM n`, rawItems))
	},
	commit: func(ctx context.Context, db *sql.DB, seq int) error {
		id := seq%rawItems + 1
		from, to := "pending", "approved"
		if seq/rawItems%2 == 1 {
			from, to = to, from
		}
		now := time.Now().UnixMilli()
		return rawTx(ctx, db, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE items SET state = ?, updated_at = ? WHERE id = ? AND state = ?`, to, now, id, from)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("guarded update of item %d changed %d rows (%v)", id, n, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO audit (item_id, action, at) VALUES (?, ?, ?)`, id, to, now)
			return err
		})
	},
}

const rawItems = 10_000

// rawBatchLoop is (b): 100 rows per transaction, each a webhook event of
// about the size LINE sends, inserted once by its ID.
var rawBatchLoop = rawLoop{
	name: "raw-batch", events: eventsPerBatch,
	setup: func(ctx context.Context, db *sql.DB) error {
		return execAll(ctx, db, `CREATE TABLE events (id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL, event_id TEXT NOT NULL,
			type TEXT NOT NULL, payload TEXT, received_at INTEGER NOT NULL, UNIQUE (channel_id, event_id)) STRICT`)
	},
	commit: func(ctx context.Context, db *sql.DB, seq int) error {
		now := time.Now().UnixMilli()
		return rawTx(ctx, db, func(tx *sql.Tx) error {
			for j := range eventsPerBatch {
				_, err := tx.ExecContext(ctx, `INSERT INTO events (channel_id, event_id, type, payload, received_at) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT (channel_id, event_id) DO NOTHING`, 1, fmt.Sprintf("%016d%010d", seq, j), "message", rawPayload, now)
				if err != nil {
					return err
				}
			}
			return nil
		})
	},
}

// rawPayload is about as long as a message event of the webhook batch.
var rawPayload = `{"type":"message","message":{"type":"text","text":"` + strings.Repeat("x", 300) + `"}}`

func execAll(ctx context.Context, db *sql.DB, stmts ...string) error {
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func rawTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// run commits back to back on a new database at path for warmup, then
// for d, timing each transaction. It also returns the CPU counts at the
// start and end of the timed part: the loop runs in this process, so its
// CPU is this process's (the marks' target).
func (l rawLoop) run(ctx context.Context, path string, warmup, d time.Duration) (runResult, [2]cpuMark, error) {
	var cpu [2]cpuMark
	db, err := sql.Open("sqlite3", store.WriterDSN(path))
	if err != nil {
		return runResult{}, cpu, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one writer, as the portal has
	if err := l.setup(ctx, db); err != nil {
		return runResult{}, cpu, fmt.Errorf("%s: %w", l.name, err)
	}
	seq := 0
	loop := func(d time.Duration) (runResult, error) {
		res := runResult{Hist: new(histogram)}
		start := time.Now()
		for time.Since(start) < d {
			t0 := time.Now()
			if err := l.commit(ctx, db, seq); err != nil {
				return res, fmt.Errorf("%s: %w", l.name, err)
			}
			res.Hist.record(time.Since(t0))
			res.Requests++
			seq++
		}
		res.Elapsed = time.Since(start)
		return res, nil
	}
	if _, err := loop(warmup); err != nil {
		return runResult{}, cpu, err
	}
	loopCPU := func() cpuMark {
		m := markCPU(selfCPU())
		m.client = 0 // the client is the loop itself: its time is the target's
		return m
	}
	cpu[0] = loopCPU()
	res, err := loop(d)
	cpu[1] = loopCPU()
	return res, cpu, err
}
