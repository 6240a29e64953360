package store_test

import (
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lineportal/store"
)

// Every schema change exists in both engines' migration sets: a migration
// added to one directory without its twin in the other fails here, on
// SQLite alone too.
func TestEngines_SameMigrations(t *testing.T) {
	names := func(dir string) []string {
		files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range files {
			files[i] = filepath.Base(f)
		}
		return files
	}
	sqlite, postgres := names("migrations"), names(filepath.Join("migrations", "postgres"))
	if !slices.Equal(sqlite, postgres) {
		t.Errorf("the engines' migration sets differ: each migration in store/migrations needs a twin of the same name in store/migrations/postgres\n SQLite:     %v\n PostgreSQL: %v", sqlite, postgres)
	}
}

// Both engines end up with the same tables, columns and indexes, so a
// twin that forgets a column fails here.
func TestEngines_SameSchema(t *testing.T) {
	if cluster == nil {
		t.Skip("compared while the tests run on PostgreSQL")
	}
	path := filepath.Join(t.TempDir(), "portal.db")
	db, err := store.Open(ctx, path)
	mustNil(t, err)
	db.Close()
	lite := rawDB(t, path)
	_, pgURL := mustOpen(t)
	pg := rawDB(t, pgURL)

	sqliteColumns := lines(t, lite, `SELECT m.name || '.' || p.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	pgColumns := lines(t, pg, `SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'`)
	if d := setDiff(sqliteColumns, pgColumns); d != "" {
		t.Errorf("tables and columns differ between the engines (- SQLite only, + PostgreSQL only):\n%s", d)
	}
	// Indexes made by CREATE INDEX (keys make their own, named differently).
	sqliteIndexes := lines(t, lite, `SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL`)
	pgIndexes := lines(t, pg, `SELECT i.indexname FROM pg_indexes i WHERE i.schemaname = 'public'
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`)
	if d := setDiff(sqliteIndexes, pgIndexes); d != "" {
		t.Errorf("indexes differ between the engines (- SQLite only, + PostgreSQL only):\n%s", d)
	}
}

func lines(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	mustNil(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		mustNil(t, rows.Scan(&s))
		out = append(out, s)
	}
	mustNil(t, rows.Err())
	return out
}

// setDiff lists what only a holds (-) and what only b holds (+).
func setDiff(a, b []string) string {
	var d []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			d = append(d, "- "+s)
		}
	}
	for _, s := range b {
		if !slices.Contains(a, s) {
			d = append(d, "+ "+s)
		}
	}
	slices.Sort(d)
	return strings.Join(d, "\n")
}
