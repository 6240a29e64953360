// Package store keeps the portal's state in SQLite. Every exported method
// that changes state runs in exactly one write transaction; reads use a
// separate read-only pool so they never queue behind the writer.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"lineportal/internal/portal"
)

// DB is the portal's database: one writer connection and a pool of readers
// over the same SQLite file.
type DB struct {
	write *sql.DB
	read  *sql.DB
	// Now is the clock; tests replace it. Each write transaction reads it
	// once, so every row a transaction writes carries the same time.
	Now func() time.Time
	// ingest commits concurrent webhook batches together (webhook_events.go).
	ingest ingestQueue
	// The counts behind Stats.
	transactions            atomic.Int64
	writeCounts, readCounts counts
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Open opens (creating if needed) the SQLite file at path and applies the
// embedded migrations. It refuses a database whose schema is newer than this
// binary knows, rather than running old code against it.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: no database path given")
	}
	db := &DB{Now: time.Now}
	write := openCounted(WriterDSN(path), &db.writeCounts)
	// One writer: SQLite allows one at a time anyway, and queueing in Go is
	// cheaper and fairer than spinning on SQLITE_BUSY.
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	db.write = write

	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		write.Close()
		return nil, err
	}
	// The read pool is opened after migrating so that it never sees a
	// half-made schema.
	read := openCounted(dsn(path, pragmas, url.Values{"_query_only": {"true"}}), &db.readCounts)
	readers := max(4, 2*runtime.NumCPU())
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	db.read = read
	return db, nil
}

// pragmas are connection-scoped, so they go in the DSN, where every
// pooled connection gets them, not just the first. synchronous=FULL: a
// committed link or approval must survive a power cut, not only a process
// crash.
var pragmas = url.Values{
	"_busy_timeout": {"10000"},
	"_foreign_keys": {"on"},
	"_journal_mode": {"WAL"},
	"_synchronous":  {"FULL"},
}

// WriterDSN is the connection string of the writer on the SQLite file at
// path: the pragmas every domain write runs with. The benchmark's raw
// commit loops open it too, so that they measure the same disk work.
func WriterDSN(path string) string {
	return dsn(path, pragmas, url.Values{"_txlock": {"immediate"}})
}

func dsn(path string, sets ...url.Values) string {
	q := url.Values{}
	for _, s := range sets {
		for k, v := range s {
			q[k] = v
		}
	}
	return "file:" + path + "?" + q.Encode()
}

// Close closes both handles.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// SQLiteVersion reports the version of the SQLite library linked in.
func (db *DB) SQLiteVersion(ctx context.Context) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v)
	return v, err
}

// Tx is a write transaction with the time frozen at its start.
type Tx struct {
	*sql.Tx
	now time.Time
}

// update runs fn in one write transaction and commits it when fn returns
// nil. It is the only way store code writes, so "one state change, one
// transaction" holds by construction.
func (db *DB) update(ctx context.Context, fn func(tx *Tx) error) error {
	db.transactions.Add(1)
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{Tx: sqlTx, now: db.Now().UTC()}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	return sqlTx.Commit()
}

// transition runs one state change of an aggregate: load reads it and the
// actor's standing on it (role, administrator or not) inside the
// transaction, then fn checks the domain rule and writes.
func transition[T, S any](db *DB, ctx context.Context, op string, load func(tx *Tx) (T, S, error), fn func(tx *Tx, v T, standing S) error) error {
	err := db.update(ctx, func(tx *Tx) error {
		v, standing, err := load(tx)
		if err != nil {
			return err
		}
		return fn(tx, v, standing)
	})
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

// millis is how every timestamp is stored: UTC Unix milliseconds in an
// INTEGER column, cheap to compare and index.
func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// isUniqueViolation tells whether err is SQLite refusing a duplicate key.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// migrate applies, in name order, each embedded migration that the database
// has not recorded, each in its own transaction.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT PRIMARY KEY,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	embedded, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for i := range embedded {
		embedded[i] = strings.TrimPrefix(embedded[i], "migrations/")
	}
	slices.Sort(embedded)

	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	for _, name := range applied {
		if !slices.Contains(embedded, name) {
			return fmt.Errorf("store: the database at this path was migrated by a newer version of the portal (it has migration %q, which this binary does not know); run the newer portal, or restore a backup made for this version", name)
		}
	}
	for _, name := range embedded {
		if slices.Contains(applied, name) {
			continue
		}
		body, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return fmt.Errorf("store: migrate %s: %w", name, err)
		}
		err = db.update(ctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, millis(tx.now))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migrate %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) appliedMigrations(ctx context.Context) ([]string, error) {
	rows, err := db.write.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("store: migrate: %w", err)
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// notFound is the error for a missing row, with a sentence for the user.
func notFound(format string, args ...any) error {
	return portal.Errorf(portal.ENOTFOUND, format, args...)
}
