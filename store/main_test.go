package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"

	"lineportal/internal/pgtest"
	"lineportal/store"
)

// cluster is the PostgreSQL server the tests run on; nil while they run on
// SQLite. TestMain runs every test of the package on SQLite, then again on
// PostgreSQL, each test in a fresh database: a file, or a copy of
// pgTemplate, which holds the migrated schema.
var cluster *pgtest.Cluster

const pgTemplate = "portal_template"

func TestMain(m *testing.M) {
	code := m.Run()
	c, err := startPostgres()
	if err != nil {
		os.Exit(max(code, pgtest.Unavailable(err)))
	}
	cluster = c
	fmt.Println("store: the same tests on PostgreSQL")
	code = max(code, m.Run())
	c.Stop()
	os.Exit(code)
}

func startPostgres() (*pgtest.Cluster, error) {
	c, err := pgtest.Start()
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	url, err := c.CreateNamedDatabase(ctx, pgTemplate, "")
	if err == nil {
		var db *store.DB
		if db, err = store.Open(ctx, url); err == nil {
			err = db.Close()
		}
	}
	if err != nil {
		c.Stop()
		return nil, fmt.Errorf("migrating the template database: %w", err)
	}
	return c, nil
}

// sqliteOnly skips a test of something only the SQLite edition has.
func sqliteOnly(t testing.TB) {
	t.Helper()
	if cluster != nil {
		t.Skip("SQLite only")
	}
}

// engineMessage is the engine's wording of a SQLite constraint error that
// a test expects.
func engineMessage(sqlite string) string {
	if cluster == nil {
		return sqlite
	}
	switch sqlite {
	case "CHECK constraint failed":
		return "violates check constraint"
	case "UNIQUE constraint failed":
		return "violates unique constraint"
	}
	return sqlite
}

// zeroBlob32 is an SQL expression for 32 zero bytes.
func zeroBlob32() string {
	if cluster == nil {
		return "zeroblob(32)"
	}
	return `'\x` + strings.Repeat("00", 32) + `'::bytea`
}

// replaceRow is an INSERT into table (columns) VALUES (…) that replaces the
// row whose key it repeats: SQLite's INSERT OR REPLACE, PostgreSQL's
// INSERT … ON CONFLICT DO UPDATE of column.
func replaceRow(into, key, column string) string {
	if cluster == nil {
		return "INSERT OR REPLACE INTO " + into
	}
	return "INSERT INTO " + into + " ON CONFLICT (" + key + ") DO UPDATE SET " + column + " = excluded." + column
}

// refuseInserts makes the database refuse an INSERT into table (only those
// matching when, a condition on NEW, if not empty) with message, as a
// failing disk or a rule would. The returned function lifts it.
func refuseInserts(t *testing.T, raw *sql.DB, table, when, message string) (lift func()) {
	t.Helper()
	name := "test_refuses_" + table
	create := "CREATE TRIGGER " + name + " BEFORE INSERT ON " + table
	drop := "DROP TRIGGER " + name
	if cluster == nil {
		if when != "" {
			create += " WHEN " + when
		}
		create += " BEGIN SELECT RAISE(ABORT, '" + message + "'); END"
	} else {
		create += " FOR EACH ROW"
		if when != "" {
			create += " WHEN (" + when + ")"
		}
		create += " EXECUTE FUNCTION refuse('" + message + "')"
		drop += " ON " + table
	}
	if _, err := raw.Exec(create); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := raw.Exec(drop); err != nil {
			t.Fatal(err)
		}
	}
}
