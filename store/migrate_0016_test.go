package store_test

import (
	"database/sql"
	"testing"

	"lineportal/store"
)

// 0016 gives the LINE messages claimed before it the time of their oldest
// notice as their first claim, every notice of a message the same (the
// deadline comes no later than from their real first claim); the others
// have none.
func TestMigration0016_ClaimedMessagesGetTheirOldestNoticesTime(t *testing.T) {
	path, raw, exec := engineDatabaseBefore(t, "0016_line_outbox_claimed_at.sql")
	exec(`INSERT INTO admins (id, line_user_id, name, created_at, last_sign_in_at) VALUES (1, 'U1', 'Boss', 0, 0)`)
	for id, at := range map[int]int{1: 100, 2: 200, 3: 300} {
		exec(`INSERT INTO notifications (id, admin_id, kind, params, created_at) VALUES (?, 1, 'link_request', '{}', ?)`, id, at)
	}
	exec(`INSERT INTO line_outbox (notification_id, admin_id, approval, created_at, state, message_key) VALUES
		(1, 1, 1, 100, 'claimed', 'notices:1:1:100'), (2, 1, 1, 200, 'claimed', 'notices:1:1:100')`)
	exec(`INSERT INTO line_outbox (notification_id, admin_id, approval, created_at) VALUES (3, 1, 1, 300)`)
	mustNil(t, raw.Close())

	db, err := store.Open(ctx, path)
	mustNil(t, err)
	mustNil(t, db.Close())
	raw = rawDB(t, path)
	for id, want := range map[int]sql.NullInt64{1: {Int64: 100, Valid: true}, 2: {Int64: 100, Valid: true}, 3: {}} {
		var got sql.NullInt64
		mustNil(t, raw.QueryRow(`SELECT claimed_at FROM line_outbox WHERE notification_id = ?`, id).Scan(&got))
		if got != want {
			t.Errorf("notice %d: claimed at %v, want %v", id, got, want)
		}
	}
}
