package store_test

import (
	"testing"

	"lineportal/store"
)

// A database is the simulator's until it served real LINE; from then on
// it never is, whatever starts on it later. One never marked is the
// simulator's unless it has people, none of them the simulator's.
func TestClaimForSimulator(t *testing.T) {
	const ours, theirs = "Uours0000000000000000000000000000", "Utheirs00000000000000000000000000"
	claim := func(t *testing.T, db *store.DB) bool {
		t.Helper()
		ok, err := db.ClaimForSimulator(ctx, []string{ours})
		mustNil(t, err)
		return ok
	}
	t.Run("new, then served by LINE", func(t *testing.T) {
		db, _ := mustOpen(t)
		if !claim(t, db) || !claim(t, db) {
			t.Fatal("a new database is not the simulator's")
		}
		mustNil(t, db.MarkServedByLINE(ctx))
		mustNil(t, db.MarkServedByLINE(ctx))
		if claim(t, db) {
			t.Fatal("a database that served real LINE is the simulator's")
		}
	})
	t.Run("from before the mark, with the simulator's people", func(t *testing.T) {
		db, _ := mustOpen(t)
		_, err := db.EnsureAdmin(ctx, ours, "Ours")
		mustNil(t, err)
		_, err = db.EnsureAdmin(ctx, theirs, "Theirs")
		mustNil(t, err)
		if !claim(t, db) {
			t.Fatal("the simulator's own database was refused")
		}
	})
	t.Run("from before the mark, with none of the simulator's people", func(t *testing.T) {
		db, _ := mustOpen(t)
		_, err := db.EnsureAdmin(ctx, theirs, "Theirs")
		mustNil(t, err)
		if claim(t, db) || claim(t, db) {
			t.Fatal("a database real LINE made is the simulator's")
		}
	})
}
