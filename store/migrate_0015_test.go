package store_test

import (
	"database/sql"
	"testing"

	"lineportal/store"
)

// 0015 keeps the link request a notice names in a column of its own: the
// notices written before it get theirs from their params, and the others
// none. It runs on each engine's own migrations (PostgreSQL's reads the
// params as jsonb).
func TestMigration0015_NoticesKeepTheirLinkRequest(t *testing.T) {
	path, raw, exec := engineDatabaseBefore(t, "0015_notification_link_requests.sql")
	exec(`INSERT INTO admins (id, line_user_id, name, created_at, last_sign_in_at) VALUES (1, 'U1', 'Boss', 0, 0)`)
	exec(`INSERT INTO providers (id, name, created_at) VALUES (1, 'Acme Provider', 0)`)
	exec(`INSERT INTO organizations (id, name, region, company_name, address, verification, created_at) VALUES ('BM00000000001', 'Acme', 'JP', 'Acme K.K.', 'Tokyo', 'verified', 0)`)
	exec(`INSERT INTO channels (id, provider_id, kind, line_channel_id, name, region, created_at) VALUES (1, 1, 'mini_app', '2000000001', 'App', 'JP', 0)`)
	exec(`INSERT INTO link_requests (id, channel_id, org_id, sent_by, token_hash, state, issued_at, expires_at) VALUES (7, 1, 'BM00000000001', 1, ` + zeroBlob32() + `, 'pending', 0, 604800000)`)
	exec(`INSERT INTO notifications (id, admin_id, kind, params, created_at) VALUES (1, 1, 'link_request', '{"Channel":"App","RequestID":"7"}', 0)`)
	exec(`INSERT INTO notifications (id, admin_id, kind, params, created_at) VALUES (2, 1, 'review_verified', '{"OrgID":"BM00000000001"}', 0)`)
	mustNil(t, raw.Close())

	db, err := store.Open(ctx, path)
	mustNil(t, err)
	mustNil(t, db.Close())
	raw = rawDB(t, path)
	for id, want := range map[int]sql.NullInt64{1: {Int64: 7, Valid: true}, 2: {}} {
		var got sql.NullInt64
		mustNil(t, raw.QueryRow(`SELECT link_request_id FROM notifications WHERE id = ?`, id).Scan(&got))
		if got != want {
			t.Errorf("notice %d names link request %v, want %v", id, got, want)
		}
	}
}
