package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
)

// Stats counts what the database has been asked to do since Open, so that
// a benchmark (or an operator, through the pprof listener) can divide by
// the requests served and see what one action costs: how many write
// transactions, how many commits (each one a wait for the disk), how many
// statements on the writer and on the readers.
type Stats struct {
	// Transactions are the write transactions run through update: one per
	// state change.
	Transactions int64 `json:"transactions"`
	// Commits are the COMMITs that reached the disk. Group commit makes
	// them fewer than Transactions.
	Commits int64 `json:"commits"`
	// WriteStatements and ReadStatements are the statements executed on
	// the writer connection and on the read pool (BEGIN, SAVEPOINT and
	// COMMIT included on the writer).
	WriteStatements int64 `json:"write_statements"`
	ReadStatements  int64 `json:"read_statements"`
}

// Stats returns the counts so far.
func (db *DB) Stats() Stats {
	return Stats{
		Transactions:    db.transactions.Load(),
		Commits:         db.writeCounts.commits.Load(),
		WriteStatements: db.writeCounts.statements.Load(),
		ReadStatements:  db.readCounts.statements.Load(),
	}
}

// counts are one handle's statement and commit counts.
type counts struct {
	statements, commits atomic.Int64
}

// openCounted opens a handle on dsn whose connections count the statements
// they run. It wraps the driver's own connection, so each statement still
// goes to SQLite exactly as without the count.
func openCounted(dsn string, n *counts, hook func(*sqlite3.SQLiteConn) error) *sql.DB {
	return sql.OpenDB(countingConnector{dsn: dsn, driver: &sqlite3.SQLiteDriver{ConnectHook: hook}, n: n})
}

type countingConnector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
	n      *counts
}

func (c countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return countingConn{SQLiteConn: conn.(*sqlite3.SQLiteConn), n: c.n}, nil
}

func (c countingConnector) Driver() driver.Driver { return c.driver }

// countingConn is the driver's connection with every way of running a
// statement counted; everything else is the driver's own.
type countingConn struct {
	*sqlite3.SQLiteConn
	n *counts
}

func (c countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.n.statements.Add(1)
	return c.SQLiteConn.ExecContext(ctx, query, args)
}

func (c countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.statements.Add(1)
	return c.SQLiteConn.QueryContext(ctx, query, args)
}

func (c countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.SQLiteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return countingStmt{SQLiteStmt: s.(*sqlite3.SQLiteStmt), n: c.n}, nil
}

func (c countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.n.statements.Add(1)
	tx, err := c.SQLiteConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return countingTx{Tx: tx, n: c.n}, nil
}

type countingStmt struct {
	*sqlite3.SQLiteStmt
	n *counts
}

func (s countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.statements.Add(1)
	return s.SQLiteStmt.ExecContext(ctx, args)
}

func (s countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.statements.Add(1)
	return s.SQLiteStmt.QueryContext(ctx, args)
}

type countingTx struct {
	driver.Tx
	n *counts
}

func (t countingTx) Commit() error {
	t.n.statements.Add(1)
	err := t.Tx.Commit()
	if err == nil {
		t.n.commits.Add(1)
	}
	return err
}
