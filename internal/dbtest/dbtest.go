// Package dbtest reads SQLite rows as text, so a test can prove that a
// refused request changed nothing by comparing the text before and after.
package dbtest

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// Rows returns every row query yields, one line each.
func Rows(t testing.TB, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, vals...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Tables returns the whole content of tables, each headed by its name.
func Tables(t testing.TB, db *sql.DB, tables ...string) string {
	t.Helper()
	var b strings.Builder
	for _, table := range tables {
		b.WriteString(table + "\n")
		b.WriteString(Rows(t, db, `SELECT * FROM `+table+` ORDER BY 1, 2`))
	}
	return b.String()
}
