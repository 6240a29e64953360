package store

// IngestState tells whether a webhook group commit is in progress and how
// many batches wait for the next, for tests that make batches meet in one
// group.
func (db *DB) IngestState() (leading bool, pending int) {
	db.ingest.mu.Lock()
	defer db.ingest.mu.Unlock()
	return db.ingest.leading, len(db.ingest.pending)
}
