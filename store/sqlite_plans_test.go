package store_test

import (
	"testing"

	"lineportal/store"
)

// Every SQLite connection the store opens, the writer's and each reader's,
// plans a statement once, whatever values are bound to it later (see
// sqlite_plans.go).
func TestSQLiteConnectionsPlanStatementsOnce(t *testing.T) {
	sqliteOnly(t)
	before := store.StablePlanConnections()
	// Opening migrates, on the writer; the count is read on a reader.
	db, _ := mustOpen(t)
	if _, err := db.CountUnread(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := store.StablePlanConnections() - before; got < 2 {
		t.Errorf("%d connections opened with stable plans, want at least the writer and a reader", got)
	}
}

// The writer keeps its savepoint journals (one per group commit) in memory:
// in a temporary file each page copied to them cost two system calls on
// the one writer (db.go, journalsInMemory).
func TestSQLiteWriterKeepsSavepointJournalsInMemory(t *testing.T) {
	sqliteOnly(t)
	db, _ := mustOpen(t)
	if got, err := db.WriterTempStore(); err != nil || got != 2 {
		t.Errorf("the writer's temp_store is %d (%v), want 2 (MEMORY)", got, err)
	}
}
