// Package store keeps the portal's state in SQLite (the embedded default)
// or PostgreSQL (several instances on one database, postgres.go). Every
// exported method that changes state runs in exactly one write
// transaction; on SQLite, reads use a separate read-only pool so they
// never queue behind the writer.
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

// DB is the portal's database: on SQLite, one writer connection and a
// pool of readers over the same file; on PostgreSQL, one pool for both.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect *dialect
	path    string       // the SQLite file (Backup)
	retries atomic.Int64 // PostgreSQL's write transactions run again
	// writeTx is how update begins a transaction (the dialect's; tests of
	// the isolation level change it).
	writeTx *sql.TxOptions
	// beforeCommit, when tests set it, runs after a transaction's body and
	// before its commit on PostgreSQL, so that tests can make transactions
	// overlap; attempt counts from 0.
	beforeCommit func(attempt int)
	// Now is the clock; tests replace it. Each write transaction reads it
	// once, so every row a transaction writes carries the same time.
	Now func() time.Time
	// group is SQLite's writer (sqlite_commit.go); nil on PostgreSQL.
	group *groupCommit
	// ping is SQLite's health check on the readers, prepared once (Ping);
	// nil on PostgreSQL.
	ping *sql.Stmt
	// The counts behind Stats.
	transactions            atomic.Int64
	writeCounts, readCounts counts
}

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// dialect is what differs between the engines; the rest of the store's
// SQL is written once, for both.
type dialect struct {
	name string
	// migrations is the directory of the engine's migration set.
	migrations string
	// schemaMigrations creates the table that records applied migrations.
	schemaMigrations string
	// lock and unlock, when set, make migrate exclusive across processes.
	lock, unlock string
	// idsIn follows a column: "IN" the IDs of one JSON array argument
	// (idList), one placeholder for any number of IDs.
	idsIn string
	// hexIn is idsIn for byte strings, written in the array in
	// hexadecimal.
	hexIn string
	// like is the case-insensitive LIKE.
	like string
	// writeTx is how update begins a transaction.
	writeTx *sql.TxOptions
}

var sqliteDialect = &dialect{
	name:       "sqlite",
	migrations: "migrations",
	schemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT PRIMARY KEY,
		applied_at INTEGER NOT NULL
	) STRICT`,
	idsIn: `IN (SELECT value FROM json_each(?))`,
	hexIn: `IN (SELECT unhex(value) FROM json_each(?))`,
	like:  `LIKE`, // case-insensitive for ASCII
}

// Open opens the database named by path: a postgres:// URL, or else a
// SQLite file, created if needed. It applies the embedded migrations and
// refuses a database whose schema is newer than this binary knows, rather
// than running old code against it.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: no database path given")
	}
	if IsPostgresURL(path) {
		return openPostgres(ctx, path)
	}
	db := &DB{Now: time.Now, dialect: sqliteDialect, path: path}
	write := openCounted(WriterDSN(path), &db.writeCounts, journalsInMemory)
	// One writer: SQLite allows one at a time anyway, and queueing in Go is
	// cheaper and fairer than spinning on SQLITE_BUSY.
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	db.write = write
	db.startGroupCommit()

	if err := write.PingContext(ctx); err != nil {
		db.group.stop()
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.group.stop()
		write.Close()
		return nil, err
	}
	if _, err := write.ExecContext(ctx, fmt.Sprintf("PRAGMA soft_heap_limit = %d", sqliteMemory)); err != nil {
		db.group.stop()
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// The read pool is opened after migrating so that it never sees a
	// half-made schema.
	read := openCounted(dsn(path, pragmas, url.Values{"_query_only": {"true"}}), &db.readCounts, nil)
	readers := max(4, 2*runtime.NumCPU())
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	db.read = read
	ping, err := read.PrepareContext(ctx, "SELECT 1")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.ping = ping
	return db, nil
}

// sqliteMemory is what SQLite may keep in the process (its soft heap
// limit, one for every connection): past it, a connection that needs a
// page takes it from the least recently used ones, of any connection. By
// default each connection (the writer and at least four readers) keeps
// up to 2 MiB of pages, most of them read once: a reader's cache is stale
// after every commit of the writer. The file's pages stay in the
// operating system's cache, shared.
// make bench, alternate runs: the portal's peak resident memory 58.3 and
// 59.3 MiB → 56.4 and 53.1, CPU per page unchanged (issue 15).
const sqliteMemory = 4 << 20

// pragmas are connection-scoped, so they go in the DSN, where every
// pooled connection gets them, not just the first. synchronous=FULL: a
// committed link or approval must survive a power cut, not only a process
// crash.
var pragmas = url.Values{
	"_busy_timeout": {"10000"},
	"_foreign_keys": {"on"},
	"_journal_mode": {"WAL"},
	"_synchronous":  {"FULL"},
	// Each connection keeps its most used statements prepared: parsing
	// and planning a statement cost more than running most of them.
	"_stmt_cache_size": {"128"},
}

// journalsInMemory keeps the writer's savepoint journals in memory, not in
// temporary files. Group commit runs each write under a savepoint; before
// a write changes a page that an earlier write of its group changed,
// SQLite copies the page to the savepoint's journal, to be able to roll
// that write back alone. In a file, that was two system calls per page,
// on the one writer: in make bench, about seven pages and fourteen writes
// per approval (strace), and a quarter of the approval's CPU (issue 15,
// docs/decisions.md). A journal lives until its group commits, so it holds
// at most the pages one group changes.
func journalsInMemory(c *sqlite3.SQLiteConn) error {
	_, err := c.Exec("PRAGMA temp_store = MEMORY", nil)
	return err
}

// WriterDSN is the connection string of the writer on the SQLite file at
// path: the pragmas every domain write runs with. The benchmark's raw
// commit loops open it too, so that they measure the same disk work.
// _txlock=immediate makes a database/sql transaction (a migration's, a
// raw loop's) begin as the group-commit writer's do (BEGIN IMMEDIATE).
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

// Close closes both handles; on SQLite it first stops the writer, once
// the writes it has taken are committed. Writes after Close fail.
func (db *DB) Close() error {
	if db.group != nil {
		db.group.stop()
	}
	if db.ping != nil {
		db.ping.Close()
	}
	if db.read == db.write {
		return db.write.Close()
	}
	return errors.Join(db.read.Close(), db.write.Close())
}

// Pools names the database's connection pools and their statistics: on
// SQLite the writer and the readers, on PostgreSQL the one pool.
func (db *DB) Pools() map[string]sql.DBStats {
	if db.read == db.write {
		return map[string]sql.DBStats{"postgres": db.write.Stats()}
	}
	return map[string]sql.DBStats{"sqlite_writer": db.write.Stats(), "sqlite_readers": db.read.Stats()}
}

// Engine names the database engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name }

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	if db.ping == nil {
		var one int
		return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
	}
	// On SQLite it runs prepared, as an Exec, with no rows to read
	// through, and as a key read (keyRead): a third of what the query cost
	// (issue 15).
	_, err := db.ping.ExecContext(db.keyRead(ctx))
	return err
}

// keyRead is the context for a read of at most one row by its key (a
// session, the signed-in admin), which every signed-in request makes
// before its page. On SQLite such a read runs in this process in
// microseconds and can't hang, so it runs without the request's
// cancellation: for a cancellable statement database/sql starts a
// goroutine to watch the context, which cost more than the read (issue
// 15). On PostgreSQL, where a read crosses a network, it keeps it.
func (db *DB) keyRead(ctx context.Context) context.Context {
	if db.dialect == sqliteDialect {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Version reports the engine and its version: the SQLite library linked
// in, or the PostgreSQL server's.
func (db *DB) Version(ctx context.Context) (string, error) {
	query := "SELECT 'SQLite ' || sqlite_version()"
	if db.dialect.name == postgresDialect.name {
		query = "SELECT 'PostgreSQL ' || current_setting('server_version')"
	}
	var v string
	err := db.read.QueryRowContext(ctx, query).Scan(&v)
	return v, err
}

// Tx is a write transaction with the time frozen at its start.
type Tx struct {
	// q runs the statements: a *sql.Tx on PostgreSQL; on SQLite the
	// writer's *sql.Conn, inside the transaction the writer began on it.
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
		PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	}
	now time.Time
	// ctx is what the transaction's statements run on, whatever context a
	// body passes them (see ExecContext): on PostgreSQL the caller's; on
	// SQLite one that is never cancelled, because there a
	// cancelled statement interrupts the connection, and an interrupted
	// write rolls back the whole transaction, which holds other callers'
	// writes too. A caller that has gone away is noticed before its body
	// starts, not during it.
	ctx context.Context
	// auditEntries are the entries to log when the body has succeeded
	// (see logAudit).
	auditEntries []portal.AuditEntry
	// rows are the rows QueryContext returned, closed when the body ends
	// (see run).
	rows []*sql.Rows
}

// run runs body in the transaction, then writes what it logged. It closes
// whatever rows the body left open, even when it panics: on SQLite an
// open result holds the writer's connection, which then could not end its
// transaction, and every later write would wait for it (a database/sql
// Tx closed them itself, by watching its context with a goroutine per
// query; see writerTx).
func (tx *Tx) run(body func(tx *Tx) error) error {
	defer func() {
		for _, r := range tx.rows {
			r.Close()
		}
	}()
	if err := body(tx); err != nil {
		return err
	}
	return tx.writeAudit()
}

// ExecContext, QueryContext, QueryRowContext and PrepareContext run on
// the transaction's context; the one passed is ignored (see Tx.ctx).
func (tx *Tx) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	return tx.q.ExecContext(tx.ctx, query, args...)
}

func (tx *Tx) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := tx.q.QueryContext(tx.ctx, query, args...)
	if err == nil {
		tx.rows = append(tx.rows, rows)
	}
	return rows, err
}

func (tx *Tx) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	return tx.q.QueryRowContext(tx.ctx, query, args...)
}

func (tx *Tx) PrepareContext(_ context.Context, query string) (*sql.Stmt, error) {
	return tx.q.PrepareContext(tx.ctx, query)
}

// update runs fn in a write transaction of its own and returns once the
// transaction is durable (or has failed, and changed nothing). It is the
// only way store code writes, so "one state change, one transaction"
// holds by construction. How the transaction runs is the engine's: on
// SQLite one writer and group commit (updateSQLite), on PostgreSQL
// SERIALIZABLE with retries (updatePostgres). On both, fn may run more
// than once, so it only reads and writes the database, and sets its
// results afresh each time it runs.
func (db *DB) update(ctx context.Context, fn func(tx *Tx) error) error {
	db.transactions.Add(1)
	if db.dialect.name == postgresDialect.name {
		return db.updatePostgres(ctx, fn)
	}
	return db.updateSQLite(ctx, fn)
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

// isUniqueViolation tells whether err is the engine refusing a duplicate
// key.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey) ||
		isPostgresUniqueViolation(err)
}

// renamedMigrations are migrations renumbered before any release, old
// name to new: a database that recorded the old name (a developer's, made
// between the two) has applied the same statements, and is told so rather
// than refused as migrated by a newer portal.
var renamedMigrations = map[string]string{"0008_notifications.sql": "0009_notifications.sql"}

// migrate applies, in name order, each of the engine's embedded
// migrations that the database has not recorded, each in its own
// transaction, on one connection that holds the engine's migration lock.
func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	if db.dialect.lock != "" {
		if _, err := conn.ExecContext(ctx, db.dialect.lock); err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), db.dialect.unlock)
	}
	if _, err := conn.ExecContext(ctx, db.dialect.schemaMigrations); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	embedded, err := db.embeddedMigrations()
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for old, name := range renamedMigrations {
		if _, err := conn.ExecContext(ctx, `UPDATE schema_migrations SET name = ? WHERE name = ?`, name, old); err != nil {
			return fmt.Errorf("store: migrate: rename %s: %w", old, err)
		}
	}
	applied, err := appliedMigrations(ctx, conn)
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
		body, err := migrationFiles.ReadFile(db.dialect.migrations + "/" + name)
		if err != nil {
			return fmt.Errorf("store: migrate %s: %w", name, err)
		}
		if err := applyMigration(ctx, conn, name, string(body), millis(db.Now())); err != nil {
			return fmt.Errorf("store: migrate %s: %w", name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, name, body string, now int64) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, now); err != nil {
		return err
	}
	return tx.Commit()
}

// embeddedMigrations names the engine's migrations, in order.
func (db *DB) embeddedMigrations() ([]string, error) {
	embedded, err := fs.Glob(migrationFiles, db.dialect.migrations+"/*.sql")
	if err != nil {
		return nil, err
	}
	for i := range embedded {
		embedded[i] = strings.TrimPrefix(embedded[i], db.dialect.migrations+"/")
	}
	slices.Sort(embedded)
	return embedded, nil
}

// Ready tells whether this process should serve: the database answers and
// its schema is exactly the one this binary was built for (another
// instance, newer, may have migrated it further).
func (db *DB) Ready(ctx context.Context) error {
	applied, err := appliedMigrations(ctx, db.read)
	if err != nil {
		return err
	}
	embedded, err := db.embeddedMigrations()
	if err != nil {
		return err
	}
	if !slices.Equal(applied, embedded) {
		return errors.New("store: the database schema is not the one this binary was built for")
	}
	return nil
}

func appliedMigrations(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
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

// notFound is the error for a missing row: why, as a refusal reason with
// its parameters (name/value pairs).
func notFound(reason portal.Reason, params ...any) error {
	return portal.Refuse(portal.ENOTFOUND, reason, params...)
}
