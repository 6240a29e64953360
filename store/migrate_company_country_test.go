package store_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"lineportal/internal/portal"
	"lineportal/store"
)

// companyCountryMigration gives existing channels and organizations a
// company country or region.
const companyCountryMigration = "0008_company_country.sql"

// A database written by the version before companyCountryMigration (every
// migration before it applied, rows inserted as that version wrote them)
// keeps its rows; a MINI App's company country or region becomes its
// service region, an organization's its region, and linking goes on as
// before. It runs on each engine's own migrations.
func TestMigration_CompanyCountry_UpgradesAnOlderDatabase(t *testing.T) {
	path, raw, exec := engineDatabaseBefore(t, companyCountryMigration)
	// What the previous version wrote: a verified MINI App in Japan linked
	// to a verified organization, a second one ready to link, a MINI App in
	// Taiwan, a LINE Login channel and an organization in Taiwan.
	exec(`INSERT INTO admins (id, line_user_id, name, created_at, last_sign_in_at) VALUES (1, 'U1', 'Boss', 0, 0)`)
	exec(`INSERT INTO providers (id, name, created_at) VALUES (1, 'Acme Provider', 0)`)
	for _, c := range []struct {
		id           int
		kind, region string
	}{{1, "mini_app", "JP"}, {2, "mini_app", "JP"}, {3, "mini_app", "TW"}, {4, "login", "JP"}} {
		verified := 0
		if c.kind == "mini_app" {
			verified = 1
		}
		exec(`INSERT INTO channels (id, provider_id, kind, line_channel_id, name, region, verified,
			published_company_name, published_address, published_developer_is_service, draft_company_name, draft_address, draft_developer_is_service, created_at)
			VALUES (?, 1, ?, ?, 'Shop', ?, ?, 'Acme K.K.', 'Tokyo', ?, 'Acme K.K.', 'Tokyo', ?, 0)`,
			c.id, c.kind, strconv.Itoa(1000000000+c.id), c.region, verified, verified, verified)
		exec(`INSERT INTO channel_roles (channel_id, admin_id, role) VALUES (?, 1, 'admin')`, c.id)
	}
	exec(`INSERT INTO organizations (id, name, region, company_name, address, verification, created_at) VALUES
		('BM00000000001', 'Acme', 'JP', 'Acme K.K.', 'Tokyo', 'verified', 0),
		('BM00000000002', 'Acme Taiwan', 'TW', 'Acme Taiwan Ltd.', 'Taipei', 'unverified', 0)`)
	exec(`INSERT INTO organization_admins (org_id, admin_id, added_at) VALUES ('BM00000000001', 1, 0), ('BM00000000002', 1, 0)`)
	// No explicit link ID: PostgreSQL's identity would hand it out again.
	exec(`INSERT INTO links (channel_id, org_id, linked_at, linked_by) VALUES (1, 'BM00000000001', 5, 1)`)
	exec(`INSERT INTO link_reviews (link_id, org_id, event, status, reason, actor_id, at)
		SELECT id, 'BM00000000001', 'start', 'verified', 'matches', 1, 5 FROM links WHERE channel_id = 1`)
	mustNil(t, raw.Close())

	db, err := store.Open(ctx, path)
	mustNil(t, err)
	defer db.Close()
	for id, want := range map[int64]portal.Region{1: portal.RegionJapan, 2: portal.RegionJapan, 3: portal.RegionTaiwan, 4: ""} {
		ch, err := db.FindChannelByID(ctx, id)
		mustNil(t, err)
		if ch.Published.CompanyCountry != want || ch.Draft.CompanyCountry != want {
			t.Errorf("channel %d (%s in %s): company country published %q, draft %q; want %q", id, ch.Kind, ch.Region, ch.Published.CompanyCountry, ch.Draft.CompanyCountry, want)
		}
		if ch.Published.ServiceCompany != (portal.BusinessInfo{CompanyName: "Acme K.K.", Address: "Tokyo"}) {
			t.Errorf("channel %d lost its business information: %+v", id, ch.Published)
		}
	}
	linked, err := db.FindChannelByID(ctx, 1)
	mustNil(t, err)
	if linked.Link == nil || linked.Link.OrgID != "BM00000000001" || linked.Link.Review.Status != portal.ReviewVerified || linked.Link.Review.Reason != "matches" {
		t.Errorf("linked channel after the upgrade = %+v", linked.Link)
	}
	for id, want := range map[string]portal.Region{"BM00000000001": portal.RegionJapan, "BM00000000002": portal.RegionTaiwan} {
		org, err := db.FindOrganizationByID(ctx, id)
		mustNil(t, err)
		if org.CompanyCountry != want || org.Info.CompanyName == "" {
			t.Errorf("organization %s after the upgrade = %+v, want company country %q", id, org, want)
		}
	}

	// Linking goes on: the second MINI App's request to the organization is
	// approved at once (its sender administers it).
	boss, err := db.EnsureAdmin(ctx, "U1", "Boss")
	mustNil(t, err)
	req, _, err := db.SendLinkRequest(ctx, boss, 2, "BM00000000001")
	if err != nil || req.State != portal.LinkRequestApproved {
		t.Errorf("link request after the upgrade = %+v, %v", req, err)
	}
	// And the verified organization's country is as final as its name.
	raw = rawDB(t, path)
	if _, err := raw.Exec(`UPDATE organizations SET company_country = 'TW' WHERE id = 'BM00000000001'`); err == nil ||
		!strings.Contains(err.Error(), "the business info of a verified organization never changes") {
		t.Errorf("changing a verified organization's country: %v", err)
	}
	if _, err := raw.Exec(`UPDATE organizations SET company_country = 'US' WHERE id = 'BM00000000002'`); err == nil ||
		!strings.Contains(strings.ToLower(err.Error()), "check constraint") {
		t.Errorf("an unknown country: %v", err)
	}
}

// engineDatabaseBefore creates, on the engine the tests run on, the
// database that the version before migration left: every migration of that
// engine named before it applied and recorded. It returns the database's
// path or URL, a connection to it (the caller closes it before opening the
// store) and a function that runs a statement on it, written as for SQLite.
func engineDatabaseBefore(t *testing.T, migration string) (string, *sql.DB, func(query string, args ...any)) {
	t.Helper()
	if cluster == nil {
		path := filepath.Join(t.TempDir(), "portal.db")
		raw, exec := databaseBefore(t, path, migration)
		return path, raw, exec
	}
	url, err := cluster.CreateDatabase(ctx, "")
	mustNil(t, err)
	name := strings.TrimPrefix(strings.Split(url, "?")[0], "postgres://postgres@localhost/")
	t.Cleanup(func() {
		if err := cluster.Exec(ctx, "postgres", "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	raw, err := store.OpenPostgresPool(url)
	mustNil(t, err)
	exec := execOn(t, raw)
	exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`)
	applyBefore(t, exec, filepath.Join("migrations", "postgres"), migration)
	return url, raw, exec
}

// databaseBefore creates at path the SQLite database that the version
// before migration left: every migration named before it applied and
// recorded. It returns the connection (one, with foreign keys on; the
// caller closes it before opening the store) and a function that runs a
// statement on it.
func databaseBefore(t *testing.T, path, migration string) (*sql.DB, func(query string, args ...any)) {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	mustNil(t, err)
	raw.SetMaxOpenConns(1)
	exec := execOn(t, raw)
	exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`)
	applyBefore(t, exec, "migrations", migration)
	return raw, exec
}

// execOn runs statements on raw, failing the test on an error.
func execOn(t *testing.T, raw *sql.DB) func(query string, args ...any) {
	return func(query string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(query, args...); err != nil {
			t.Fatalf("%v\n%s", err, query)
		}
	}
}

// applyBefore applies and records, in name order, each migration in dir
// named before migration.
func applyBefore(t *testing.T, exec func(query string, args ...any), dir, migration string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	mustNil(t, err)
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	if !slices.Contains(names, migration) {
		t.Fatalf("no migration %s among %v", migration, names)
	}
	for _, name := range names[:slices.Index(names, migration)] {
		body, err := os.ReadFile(filepath.Join(dir, name))
		mustNil(t, err)
		exec(string(body))
		exec(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, 0)`, name)
	}
}
