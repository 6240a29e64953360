package store_test

import (
	"path/filepath"
	"strings"
	"testing"

	"lineportal/internal/portal"
	"lineportal/store"
)

// 0004 rebuilds the audit log and adds a subject to links: a database
// written by the previous version keeps every row, and its guards.
func TestMigration0004_UpgradesADatabaseOf0003(t *testing.T) {
	sqliteOnly(t)
	path := filepath.Join(t.TempDir(), "portal.db")
	raw, exec := databaseBefore(t, path, "0004_official_accounts.sql")
	// What the previous version wrote for one linked channel.
	exec(`INSERT INTO admins (id, line_user_id, name, created_at, last_sign_in_at) VALUES (1, 'U1', 'Boss', 0, 0)`)
	exec(`INSERT INTO providers (id, name, created_at) VALUES (1, 'Acme Provider', 0)`)
	exec(`INSERT INTO channels (id, provider_id, kind, line_channel_id, name, region, verified, published_company_name, published_address, published_developer_is_service, created_at)
		VALUES (1, 1, 'mini_app', '1000000001', 'Shop', 'JP', 1, 'Acme K.K.', 'Tokyo', 1, 0)`)
	exec(`INSERT INTO organizations (id, name, region, company_name, address, verification, created_at) VALUES ('BM00000000001', 'Acme', 'JP', 'Acme K.K.', 'Tokyo', 'verified', 0)`)
	exec(`INSERT INTO links (id, channel_id, org_id, linked_at, linked_by) VALUES (1, 1, 'BM00000000001', 5, 1)`)
	exec(`INSERT INTO link_reviews (link_id, org_id, event, status, reason, actor_id, at) VALUES (1, 'BM00000000001', 'start', 'verified', 'matches', 1, 5)`)
	exec(`INSERT INTO audit_log (id, at, actor_id, action, subject_kind, subject_id, channel_id, org_id, before, after)
		VALUES (7, 5, 1, 'link.create', 'link', '1', 1, 'BM00000000001', '', 'linked to organization BM00000000001'),
		       (8, 5, 1, 'review.start', 'link', '1', 1, 'BM00000000001', '', 'Verified')`)
	mustNil(t, raw.Close())

	db, err := store.Open(ctx, path)
	mustNil(t, err)
	defer db.Close()
	entries, _, err := db.FindAuditEntries(ctx, store.AuditFilter{ChannelID: 1})
	mustNil(t, err)
	if len(entries) != 2 || entries[0].ID != 8 || entries[0].After != (portal.AuditNote{Recorded: "Verified"}) || entries[1].ID != 7 || entries[1].OrgID != "BM00000000001" || entries[1].OfficialAccountID != 0 {
		t.Errorf("audit entries after the upgrade = %+v", entries)
	}
	ch, err := db.FindChannelByID(ctx, 1)
	mustNil(t, err)
	if ch.Link == nil || ch.Link.ID != 1 || ch.Link.OfficialAccountID != 0 || ch.Link.Review.Status != portal.ReviewVerified || ch.LinkedOA != nil {
		t.Errorf("channel after the upgrade = %+v", ch)
	}
	raw = rawDB(t, path)
	for stmt, want := range map[string]string{
		`DELETE FROM audit_log`: "the audit log is append-only",
		`DELETE FROM links`:     "a link can never be removed",
		`INSERT INTO audit_log (at, actor_id, action, subject_kind, subject_id, before, after) VALUES (0, 1, 'x.y', 'nothing', '1', '', '')`: "unknown audit subject kind",
	} {
		if _, err := raw.Exec(stmt); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", stmt, err, want)
		}
	}
}
