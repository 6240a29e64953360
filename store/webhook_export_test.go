package store

// WriteQueue tells how many writes have called update so far and how many
// of them wait for SQLite's writer to take them, for tests that make
// writes meet in one group.
func (db *DB) WriteQueue() (called, waiting int64) {
	return db.transactions.Load(), db.group.queued.Load()
}
