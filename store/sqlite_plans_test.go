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
