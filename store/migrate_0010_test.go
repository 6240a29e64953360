package store_test

import (
	"path/filepath"
	"testing"

	"lineportal/internal/portal"
	"lineportal/store"
)

// 0010 gives plans a country: an account linked to a Japanese
// organization gets Japan's plan of its package's rank; an account whose
// country the portal can't know (not linked, or its link ended) gets none
// rather than a guess.
func TestMigration0010_MapsPackagesToPlans(t *testing.T) {
	sqliteOnly(t)
	path := filepath.Join(t.TempDir(), "portal.db")
	raw, exec := databaseBefore(t, path, "0010_oa_plans.sql")
	exec(`INSERT INTO admins (id, line_user_id, name, created_at, last_sign_in_at) VALUES (1, 'U1', 'Boss', 0, 0)`)
	exec(`INSERT INTO providers (id, name, created_at) VALUES (1, 'Acme Provider', 0)`)
	exec(`INSERT INTO organizations (id, name, region, company_name, address, verification, created_at) VALUES ('BM00000000001', 'Acme', 'JP', 'Acme K.K.', 'Tokyo', 'verified', 0)`)
	packages := []string{"free", "basic", "pro", "pro", "basic"}
	for i, pkg := range packages {
		id := i + 1
		exec(`INSERT INTO channels (id, provider_id, kind, line_channel_id, name, region, created_at) VALUES (?, 1, 'messaging_api', ?, 'Bot', 'JP', 0)`, id, 2000000000+id)
		exec(`INSERT INTO official_accounts (id, basic_id, name, channel_id, package, created_at) VALUES (?, ?, 'Account', ?, ?, 0)`, id, "@oa"+string(rune('0'+id)), id, pkg)
	}
	// Accounts 1–3 are linked to the Japanese organization now; account 4
	// was, until its link ended; account 5 never was.
	for id := 1; id <= 4; id++ {
		exec(`INSERT INTO links (id, official_account_id, org_id, linked_at, linked_by) VALUES (?, ?, 'BM00000000001', 5, 1)`, id, id)
	}
	exec(`UPDATE links SET ended_at = 6 WHERE id = 4`)
	mustNil(t, raw.Close())

	db, err := store.Open(ctx, path)
	mustNil(t, err)
	defer db.Close()
	want := []portal.OAPlan{portal.PlanJPCommunication, portal.PlanJPLight, portal.PlanJPStandard, portal.PlanNotSet, portal.PlanNotSet}
	for i, plan := range want {
		oa, err := db.FindOfficialAccountByID(ctx, int64(i+1))
		mustNil(t, err)
		if oa.Plan != plan {
			t.Errorf("account %d with package %q: plan %q, want %q", i+1, packages[i], oa.Plan, plan)
		}
	}
}
