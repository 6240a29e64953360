package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL is the engine for several portal instances on one database.
// The store's SQL is written once, for both engines; what differs is here:
// placeholders (SQLite's ? become $n on the way to the server, in the
// driver, so every query and every test's raw query reads the same),
// booleans (stored as 0/1 integers on both, as SQLite does), unique
// violation codes, the ID list of json_each, case-insensitive search, the
// migration lock and the write transaction (serializable, retried).

// IsPostgresURL tells whether a PORTAL_DB value names a PostgreSQL
// database rather than a SQLite file.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redacted is a PORTAL_DB value fit for a log: a URL's password is
// replaced, whatever its scheme (a mistyped "postgress://" carries one
// too).
func Redacted(db string) string {
	if !strings.Contains(db, "://") {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Redacted()
}

// openPostgres opens the database at url: one pool for reads and writes
// (the server has no single writer to queue for).
func openPostgres(ctx context.Context, url string) (*DB, error) {
	pool, err := openPostgresPool(url)
	if err != nil {
		return nil, err
	}
	conns := max(8, 4*runtime.NumCPU())
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{write: pool, read: pool, Now: time.Now, dialect: postgresDialect, writeTx: postgresDialect.writeTx}
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open PostgreSQL database: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// openPostgresPool opens a database/sql pool whose connections rebind
// placeholders and convert booleans.
func openPostgresPool(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message can hold the URL, password included.
		return nil, errors.New("store: the PostgreSQL URL is not valid (see https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS)")
	}
	return sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)}), nil
}

var postgresDialect = &dialect{
	name:       "postgres",
	migrations: "migrations/postgres",
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`,
	// Instances starting together migrate one after the other: the lock
	// is held for the whole of migrate, on one connection.
	lock:    `SELECT pg_advisory_lock(7421896330)`,
	unlock:  `SELECT pg_advisory_unlock(7421896330)`,
	idsIn:   `IN (SELECT value::bigint FROM json_array_elements_text(CAST(? AS json)))`,
	hexIn:   `IN (SELECT decode(value, 'hex') FROM json_array_elements_text(CAST(? AS json)))`,
	like:    `ILIKE`,
	writeTx: &sql.TxOptions{Isolation: sql.LevelSerializable},
}

// maxAttempts bounds the retries of a write transaction that PostgreSQL
// aborted for a concurrent writer; each waits a random time that grows.
const maxAttempts = 30

// updatePostgres runs fn in a SERIALIZABLE transaction: PostgreSQL then
// guarantees that the rules fn reads and writes by hold as if the
// transactions ran one at a time, and aborts one that can't be placed in
// such an order (serialization failure) or that deadlocks. That one is run
// again, from the start, with a fresh transaction time, which is why a
// transaction body never does anything but read and write the database.
func (db *DB) updatePostgres(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			// Full jitter: the writers that collided spread out instead of
			// colliding again.
			backoff := time.Duration(rand.Int64N(int64(time.Millisecond << min(attempt, 7))))
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			}
			db.retries.Add(1)
		}
		if err = db.tryUpdate(ctx, fn, attempt); !isRetryable(err) {
			return err
		}
	}
	return fmt.Errorf("store: gave up after %d attempts, each aborted for a concurrent change: %w", maxAttempts, err)
}

func (db *DB) tryUpdate(ctx context.Context, fn func(tx *Tx) error, attempt int) error {
	sqlTx, err := db.write.BeginTx(ctx, db.writeTx)
	if err != nil {
		return err
	}
	tx := &Tx{q: sqlTx, now: db.Now().UTC(), ctx: ctx}
	if err := tx.run(fn); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if db.beforeCommit != nil {
		db.beforeCommit(attempt)
	}
	return sqlTx.Commit()
}

// isRetryable tells whether PostgreSQL aborted a transaction that may
// succeed when run again: serialization_failure or deadlock_detected.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Retries counts the write transactions run again after PostgreSQL
// aborted them for a concurrent writer (always 0 on SQLite).
func (db *DB) Retries() int64 { return db.retries.Load() }

func isPostgresUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// pgConnector makes pgConns.
type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return pgConn{conn.(pgDriverConn)}, nil
}

// pgDriverConn is what pgx's database/sql connection offers.
type pgDriverConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
}

// pgConn is pgx's connection with the store's SQL translated on the way.
type pgConn struct{ pgDriverConn }

func (c pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.pgDriverConn.Prepare(rebind(query))
}

func (c pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.pgDriverConn.PrepareContext(ctx, rebind(query))
}

func (c pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.pgDriverConn.ExecContext(ctx, rebind(query), args)
}

func (c pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.pgDriverConn.QueryContext(ctx, rebind(query), args)
}

// CheckNamedValue stores a bool as 0 or 1, as SQLite does: flag columns
// are integers on both engines. Everything else goes to pgx as it is.
func (c pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	v := nv.Value
	if valuer, ok := v.(driver.Valuer); ok {
		if _, isBool := v.(sql.NullBool); isBool {
			var err error
			if v, err = valuer.Value(); err != nil {
				return err
			}
		}
	}
	if b, ok := v.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
		return nil
	}
	nv.Value = v
	return nil
}

// rebound caches rebind's translations: the store has a fixed set of
// queries.
var rebound sync.Map // string → string

// rebind translates SQLite's placeholders into PostgreSQL's: ?N is the
// Nth parameter, and ? the one after the highest numbered so far, as in
// SQLite. Question marks inside string
// literals, quoted identifiers, dollar-quoted bodies and comments are
// left alone.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	highest := 0
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				end = len(query) - i - 1
			}
			b.WriteString(query[i : i+end+2])
			i += end + 2
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end
		case c == '$' && dollarTag(query[i:]) != "":
			tag := dollarTag(query[i:])
			end := strings.Index(query[i+len(tag):], tag)
			if end < 0 {
				end = len(query) - i - len(tag)
			} else {
				end += len(tag)
			}
			b.WriteString(query[i : i+len(tag)+end])
			i += len(tag) + end
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			n := highest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(query[i+1 : j])
			}
			highest = max(highest, n)
			b.WriteString("$" + strconv.Itoa(n))
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	q := b.String()
	rebound.Store(query, q)
	return q
}

// dollarTag returns the $tag$ that s starts with, or "".
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '$':
			return s[:j+1]
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9':
		default:
			return ""
		}
	}
	return ""
}
