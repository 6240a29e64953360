package store_test

import (
	"crypto/sha256"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"lineportal/internal/portal"
	"lineportal/store"
)

// Scale of BenchmarkPages: what the pages must stay fast with.
const (
	scaleChannels     = 100_000
	scaleRequestsEach = 10 // link requests per channel: 1,000,000 in all
	scaleOrgs         = 10_000
	scaleBigOrgLinks  = 20_000 // links of the one very large organization
)

// seedScale fills a database at the benchmark's scale with raw SQL (the
// store API would take hours to make a million requests one transaction at
// a time), in shapes the store itself writes: every channel is a verified
// MINI App with one Admin, ten link requests (nine replaced, the last
// approved or pending), half of them linked with a review, and an audit
// entry per request.
func seedScale(b *testing.B, raw *sql.DB) {
	b.Helper()
	stmts := []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
		 INSERT INTO admins (id, line_user_id, name, created_at, last_sign_in_at) SELECT i, 'U' || i, 'Admin ' || i, 0, 0 FROM n`,
		`INSERT INTO providers (id, name, created_at) VALUES (1, 'Provider', 0)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ` + itoa(scaleChannels) + `)
		 INSERT INTO channels (id, provider_id, kind, line_channel_id, name, region, verified,
			published_company_name, published_address, published_developer_is_service, published_company_country, draft_company_country,
			miniapp_review, miniapp_review_submitted_at, created_at)
		 SELECT i, 1, 'mini_app', printf('%010d', 1000000000 + i), 'Channel ' || i, 'JP', 1, 'Acme K.K.', 'Tokyo', 1, 'JP', 'JP',
			CASE WHEN i % 100 = 0 THEN 'pending' ELSE 'none' END, CASE WHEN i % 100 = 0 THEN i END, i FROM n`,
		`INSERT INTO channel_roles (channel_id, admin_id, role) SELECT id, 1 + id % 10000, 'admin' FROM channels`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ` + itoa(scaleOrgs) + `)
		 INSERT INTO organizations (id, name, region, company_name, address, company_country, verification, verification_submitted_at, created_at)
		 SELECT printf('BM%011d', i), 'Org ' || i, 'JP', 'Acme K.K.', 'Tokyo', 'JP',
			CASE WHEN i % 50 = 0 THEN 'in_review' ELSE 'verified' END, i, i FROM n`,
		`INSERT INTO organization_admins (org_id, admin_id, added_at) SELECT id, 1 + (CAST(substr(id, 3) AS INTEGER) % 10000), 0 FROM organizations`,
		// Channels 1..20,000 link to the big organization, every other one
		// of the rest to one of the others.
		`INSERT INTO links (id, channel_id, org_id, linked_at, linked_by)
		 SELECT id, id, CASE WHEN id <= ` + itoa(scaleBigOrgLinks) + ` THEN 'BM00000000001' ELSE printf('BM%011d', 2 + id % 9999) END, id, 1
		 FROM channels WHERE id <= ` + itoa(scaleBigOrgLinks) + ` OR id % 2 = 0`,
		`INSERT INTO link_reviews (link_id, org_id, event, status, cause, reason, actor_id, at)
		 SELECT id, org_id, 'start', CASE WHEN id % 7 = 0 THEN 'rejected' ELSE 'verified' END,
			CASE WHEN id % 7 = 0 THEN 'mismatch' ELSE '' END, 'r', 1, linked_at FROM links`,
		`WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < ` + itoa(scaleRequestsEach) + `)
		 INSERT INTO link_requests (channel_id, org_id, sent_by, token_hash, state, issued_at, expires_at, decided_at, decided_by)
		 SELECT c.id, coalesce(l.org_id, 'BM00000000002'), 1, randomblob(32),
			CASE WHEN k.j < ` + itoa(scaleRequestsEach) + ` THEN 'replaced' WHEN l.id IS NULL THEN 'pending' ELSE 'approved' END,
			k.j, k.j + 604800000, CASE WHEN k.j < ` + itoa(scaleRequestsEach) + ` OR l.id IS NOT NULL THEN k.j + 1 END,
			CASE WHEN k.j = ` + itoa(scaleRequestsEach) + ` AND l.id IS NOT NULL THEN 1 END
		 FROM k, channels c LEFT JOIN links l ON l.channel_id = c.id ORDER BY k.j, c.id`,
		`INSERT INTO audit_log (at, actor_id, action, subject_kind, subject_id, channel_id, org_id, before, after)
		 SELECT issued_at, 1, 'link_request.send', 'link_request', id, channel_id, org_id, '', 'Pending' FROM link_requests`,
	}
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			b.Fatalf("seed: %v\n%s", err, s)
		}
	}
}

// BenchmarkPages measures the reads behind the channel page, the
// organization's "Accounts & channels" and the lists, on a database of
// 100,000 channels and 1,000,000 link requests, and reports each read's
// 99th percentile. Run it with: go test -run '^$' -bench Pages ./store/
func BenchmarkPages(b *testing.B) {
	path := filepath.Join(b.TempDir(), "portal.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	seedScale(b, raw)
	token := "known-token"
	hash := sha256.Sum256([]byte(token))
	// A request with a known token, sent again as the store would: the
	// channel's pending one is replaced.
	if _, err := raw.Exec(`UPDATE link_requests SET state = 'replaced', decided_at = 1 WHERE channel_id = 99999 AND state = 'pending';
		INSERT INTO link_requests (channel_id, org_id, sent_by, token_hash, state, issued_at, expires_at)
		VALUES (99999, 'BM00000000002', 1, ?, 'pending', 1, 604800001)`, hash[:]); err != nil {
		b.Fatal(err)
	}
	dev := portal.Admin{ID: 4242}
	op := portal.Admin{ID: 1, Operator: true}
	const big = "BM00000000001"
	mid := store.Cursor(itoa(scaleChannels / 2))
	midLink := store.Cursor(itoa(scaleBigOrgLinks / 2))
	ch := int64(scaleChannels/2 + 2)
	reads := []struct {
		name string
		read func(i int) error
	}{
		{"FindChannelByID", func(i int) error { _, err := db.FindChannelByID(ctx, 1+int64(i*7919)%scaleChannels); return err }},
		{"FindChannelAccess", func(int) error { _, err := db.FindChannelAccess(ctx, dev, ch); return err }},
		{"FindChannels/mine", func(int) error { _, _, err := db.FindChannels(ctx, store.ChannelFilter{Actor: dev}); return err }},
		{"FindChannels/all, deep page", func(int) error {
			_, _, err := db.FindChannels(ctx, store.ChannelFilter{Actor: op, All: true, Page: store.Page{After: mid}})
			return err
		}},
		{"FindChannels/all, name matching nothing (a full scan)", func(int) error {
			_, _, err := db.FindChannels(ctx, store.ChannelFilter{Actor: op, All: true, Name: "no such name"})
			return err
		}},
		{"FindLinkRequests/channel", func(int) error {
			_, _, err := db.FindLinkRequests(ctx, store.LinkRequestFilter{ChannelID: ch})
			return err
		}},
		{"FindLinkRequests/big organization, deep page", func(int) error {
			_, _, err := db.FindLinkRequests(ctx, store.LinkRequestFilter{OrgID: big, Page: store.Page{After: store.Cursor(itoa(500_000))}})
			return err
		}},
		{"FindLinkRequestByToken", func(int) error { _, err := db.FindLinkRequestByToken(ctx, dev, token); return err }},
		{"FindOrganizationAccounts/big organization", func(int) error {
			_, _, err := db.FindOrganizationAccounts(ctx, big, store.AccountFilter{})
			return err
		}},
		{"FindOrganizationAccounts/big organization, deep page, Rejected", func(int) error {
			_, _, err := db.FindOrganizationAccounts(ctx, big, store.AccountFilter{Review: portal.ReviewRejected, Page: store.Page{After: midLink}})
			return err
		}},
		{"FindReviewHistory/channel", func(int) error {
			_, _, err := db.FindReviewHistory(ctx, store.ReviewFilter{ChannelID: ch})
			return err
		}},
		{"FindReviewHistory/big organization", func(int) error {
			_, _, err := db.FindReviewHistory(ctx, store.ReviewFilter{OrgID: big})
			return err
		}},
		{"FindAuditEntries/channel", func(int) error { _, _, err := db.FindAuditEntries(ctx, store.AuditFilter{ChannelID: ch}); return err }},
		{"FindAuditEntries/big organization", func(int) error { _, _, err := db.FindAuditEntries(ctx, store.AuditFilter{OrgID: big}); return err }},
		{"FindOrganizations/all", func(int) error {
			_, _, err := db.FindOrganizations(ctx, store.OrganizationFilter{Actor: op, All: true, Page: store.Page{After: "BM00000005000"}})
			return err
		}},
		{"FindMiniAppReviewQueue", func(int) error { _, _, err := db.FindMiniAppReviewQueue(ctx, op, store.Page{}); return err }},
		{"FindVerificationQueue", func(int) error { _, _, err := db.FindVerificationQueue(ctx, op, store.Page{}); return err }},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			var took []time.Duration
			i := 0
			for b.Loop() {
				t0 := time.Now()
				if err := r.read(i); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
				i++
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
