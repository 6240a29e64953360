package store_test

import (
	"path/filepath"
	"testing"

	"lineportal/internal/portal"
	"lineportal/store"
)

// 0012 adds the audit log's notes without rewriting an entry: an entry
// logged before it keeps its English sentences, read back as recorded
// (the edge marks them); a new entry holds codes and parameters only.
func TestMigration0012_KeepsRecordedAuditEntries(t *testing.T) {
	sqliteOnly(t)
	path := filepath.Join(t.TempDir(), "portal.db")
	raw, exec := databaseBefore(t, path, "0012_audit_notes.sql")
	exec(`INSERT INTO admins (id, line_user_id, name, created_at, last_sign_in_at) VALUES (1, 'U1', 'Boss', 0, 0)`)
	exec(`INSERT INTO organizations (id, name, region, company_name, address, verification, created_at) VALUES ('BM00000000001', 'Acme', 'JP', 'Acme K.K.', 'Tokyo', 'unverified', 0)`)
	exec(`INSERT INTO organization_admins (org_id, admin_id, added_at) VALUES ('BM00000000001', 1, 0)`)
	exec(`INSERT INTO audit_log (id, at, actor_id, action, subject_kind, subject_id, org_id, before, after)
		VALUES (7, 5, 1, 'verification.submit', 'organization', 'BM00000000001', 'BM00000000001', 'Unverified', 'In review')`)
	mustNil(t, raw.Close())

	db, err := store.Open(ctx, path)
	mustNil(t, err)
	defer db.Close()
	admin, err := db.FindAdminByID(ctx, 1)
	mustNil(t, err)
	_, err = db.AddOrganizationAdminByLINEUserID(ctx, admin, "BM00000000001", "U0123456789abcdef0123456789abcdef", "Nao")
	mustNil(t, err)
	entries, _, err := db.FindAuditEntries(ctx, store.AuditFilter{OrgID: "BM00000000001"})
	mustNil(t, err)
	if len(entries) != 2 {
		t.Fatalf("audit entries after the upgrade = %+v", entries)
	}
	if recorded := entries[1]; recorded.ID != 7 || recorded.Before != (portal.AuditNote{Recorded: "Unverified"}) || recorded.After != (portal.AuditNote{Recorded: "In review"}) {
		t.Errorf("the entry logged before notes = %+v", recorded)
	}
	if added := entries[0]; added.Before != (portal.AuditNote{}) || added.After != portal.Note(portal.NoteOrgAdmin, "Name", "Nao") {
		t.Errorf("a new entry = %+v", added)
	}
	var before, after string
	mustNil(t, rawDB(t, path).QueryRow(`SELECT before, after FROM audit_log WHERE id = ?`, entries[0].ID).Scan(&before, &after))
	if before != "" || after != "" {
		t.Errorf("a new entry holds English too: %q → %q", before, after)
	}
}
