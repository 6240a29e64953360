package store_test

import (
	"testing"

	"lineportal/store"
)

// A database is marked with the LINE platform it serves; once it served
// real LINE it stays marked so, whatever starts on it later.
func TestMarkLINEPlatform(t *testing.T) {
	db, _ := mustOpen(t)
	platform := func() string {
		t.Helper()
		p, err := db.LINEPlatform(ctx)
		mustNil(t, err)
		return p
	}
	if p := platform(); p != "" {
		t.Fatalf("a new database is marked %q", p)
	}
	mustNil(t, db.MarkLINEPlatform(ctx, store.PlatformSimulator))
	mustNil(t, db.MarkLINEPlatform(ctx, store.PlatformSimulator))
	if p := platform(); p != store.PlatformSimulator {
		t.Fatalf("marked %q, want the simulator", p)
	}
	mustNil(t, db.MarkLINEPlatform(ctx, store.PlatformLINE))
	mustNil(t, db.MarkLINEPlatform(ctx, store.PlatformSimulator))
	if p := platform(); p != store.PlatformLINE {
		t.Fatalf("a database that served real LINE became %q", p)
	}
	if err := db.MarkLINEPlatform(ctx, "mars"); err == nil {
		t.Fatal("an unknown platform was marked")
	}
}
