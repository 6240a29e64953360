package store

import "database/sql"

// OpenPostgresPool opens a PostgreSQL database the way the store does
// (placeholders and booleans translated), for tests' raw queries.
var OpenPostgresPool = openPostgresPool

// SetWriteIsolation changes the isolation level of write transactions on
// PostgreSQL, for tests that show what a weaker one would break.
func (db *DB) SetWriteIsolation(level sql.IsolationLevel) {
	db.writeTx = &sql.TxOptions{Isolation: level}
}

// SetBeforeCommit sets the hook write transactions run before they commit
// on PostgreSQL.
func (db *DB) SetBeforeCommit(hook func(attempt int)) { db.beforeCommit = hook }

// StablePlanConnections counts the SQLite connections opened with the query
// planner stability guarantee on.
var StablePlanConnections = stablePlanConnections

// WriterTempStore is the writer connection's temp_store setting (2: in
// memory).
func (db *DB) WriterTempStore() (int, error) {
	var n int
	err := db.write.QueryRow(`PRAGMA temp_store`).Scan(&n)
	return n, err
}
