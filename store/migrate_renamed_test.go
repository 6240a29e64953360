package store_test

import (
	"slices"
	"testing"

	"lineportal/store"
)

// A database that recorded 0009_notifications.sql under its first name,
// 0008_notifications.sql, opens: the record is renamed and nothing runs
// twice.
func TestMigrationRenamedBeforeReleaseIsRecognized(t *testing.T) {
	path := freshDatabase(t)
	db, err := store.Open(ctx, path)
	mustNil(t, err)
	mustNil(t, db.Close())
	raw := rawDB(t, path)
	_, err = raw.Exec(`UPDATE schema_migrations SET name = '0008_notifications.sql' WHERE name = '0009_notifications.sql'`)
	mustNil(t, err)

	db, err = store.Open(ctx, path)
	mustNil(t, err)
	defer db.Close()
	mustNil(t, db.Ready(ctx))
	var names []string
	rows, err := raw.Query(`SELECT name FROM schema_migrations ORDER BY name`)
	mustNil(t, err)
	defer rows.Close()
	for rows.Next() {
		var name string
		mustNil(t, rows.Scan(&name))
		names = append(names, name)
	}
	if slices.Contains(names, "0008_notifications.sql") || !slices.Contains(names, "0009_notifications.sql") {
		t.Errorf("recorded migrations: %v", names)
	}
}
