package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lineportal/internal/dbtest"
	"lineportal/internal/portal"
	"lineportal/store"
)

var (
	ctx  = context.Background()
	acme = portal.BusinessInfo{CompanyName: "Acme K.K.", Address: "1-2-3 Chiyoda, Tokyo"}
	// other is a different company, for mismatches.
	other = portal.BusinessInfo{CompanyName: "Other K.K.", Address: "9-9 Minato, Tokyo"}
	start = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
)

// clock is the store's injected clock; tests move it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// fixture is a fresh database with three people: dev, an Admin of the
// channels the fixture creates; boss, the first administrator of the
// organizations it creates; and op, an operator.
type fixture struct {
	db            *store.DB
	raw           *sql.DB
	path          string // the database's file or URL
	clock         *clock
	dev, boss, op portal.Admin
	provider      portal.Provider
	channels      int // channels created, for unique LINE channel IDs
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, path := mustOpen(t)
	f := &fixture{db: db, path: path, raw: rawDB(t, path), clock: &clock{t: start}}
	db.Now = f.clock.Now
	f.dev = f.admin(t, "Udev", "Dev")
	f.boss = f.admin(t, "Uboss", "Boss")
	f.op = f.admin(t, "Uop", "Olivia")
	f.op.Operator = true // decided by configuration, as the web layer does
	p, err := db.CreateProvider(ctx, f.dev, "Acme Provider")
	if err != nil {
		t.Fatalf("CreateProvider: %v", err)
	}
	f.provider = p
	return f
}

func (f *fixture) admin(t *testing.T, lineUserID, name string) portal.Admin {
	t.Helper()
	a, err := f.db.EnsureAdmin(ctx, lineUserID, name)
	if err != nil {
		t.Fatalf("EnsureAdmin(%s): %v", lineUserID, err)
	}
	return a
}

// channel creates a channel of dev's; in's zero fields get defaults.
func (f *fixture) channel(t *testing.T, in portal.Channel) portal.Channel {
	t.Helper()
	f.channels++
	in.Provider = f.provider
	in.LINEChannelID = fmt.Sprintf("%010d", 1_000_000_000+f.channels)
	if in.Name == "" {
		in.Name = fmt.Sprintf("Channel %d", f.channels)
	}
	if in.Kind == "" {
		in.Kind = portal.KindMiniApp
	}
	if in.Region == "" {
		in.Region = portal.RegionJapan
	}
	ch, err := f.db.CreateChannelUnderAnyProvider(ctx, f.dev, in)
	if err != nil {
		t.Fatalf("CreateChannelUnderAnyProvider: %v", err)
	}
	return ch
}

// miniApp creates a verified MINI App in Japan whose published service
// company is info, through the real MINI App review.
func (f *fixture) miniApp(t *testing.T, info portal.BusinessInfo) portal.Channel {
	t.Helper()
	return f.reviewed(t, portal.Channel{Draft: portal.MiniAppInfo{ServiceCompany: info, DeveloperIsServiceCompany: true}})
}

// reviewed creates a MINI App from in and passes its MINI App review.
func (f *fixture) reviewed(t *testing.T, in portal.Channel) portal.Channel {
	t.Helper()
	ch := f.channel(t, in)
	if err := f.db.SubmitMiniAppReview(ctx, f.dev, ch.ID); err != nil {
		t.Fatalf("SubmitMiniAppReview: %v", err)
	}
	if err := f.db.ApproveMiniAppReview(ctx, f.op, ch.ID); err != nil {
		t.Fatalf("ApproveMiniAppReview: %v", err)
	}
	return f.reload(t, ch)
}

func (f *fixture) reload(t *testing.T, ch portal.Channel) portal.Channel {
	t.Helper()
	ch, err := f.db.FindChannelByID(ctx, ch.ID)
	if err != nil {
		t.Fatalf("FindChannelByID: %v", err)
	}
	return ch
}

// org creates an organization of boss's in region with info, whose company
// is in that region too, verified through the real verification review
// when verified is true.
func (f *fixture) org(t *testing.T, region portal.Region, info portal.BusinessInfo, verified bool) portal.Organization {
	t.Helper()
	org, err := f.db.CreateOrganization(ctx, f.boss, portal.Organization{Name: "Acme Group", Region: region, Info: info, CompanyCountry: region})
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	if verified {
		if err := f.db.SubmitOrganizationForVerification(ctx, f.boss, org.ID); err != nil {
			t.Fatalf("SubmitOrganizationForVerification: %v", err)
		}
		if err := f.db.VerifyOrganization(ctx, f.op, org.ID); err != nil {
			t.Fatalf("VerifyOrganization: %v", err)
		}
	}
	return f.reloadOrg(t, org)
}

func (f *fixture) reloadOrg(t *testing.T, org portal.Organization) portal.Organization {
	t.Helper()
	org, err := f.db.FindOrganizationByID(ctx, org.ID)
	if err != nil {
		t.Fatalf("FindOrganizationByID: %v", err)
	}
	return org
}

// send sends a link request from dev and returns the URL's token.
func (f *fixture) send(t *testing.T, ch portal.Channel, org portal.Organization) string {
	t.Helper()
	_, token, err := f.db.SendLinkRequest(ctx, f.dev, ch.ID, portal.OrganizationID(org.ID))
	if err != nil || token == "" {
		t.Fatalf("SendLinkRequest = %q, %v", token, err)
	}
	return token
}

// link links ch to org: dev sends, boss approves.
func (f *fixture) link(t *testing.T, ch portal.Channel, org portal.Organization) portal.Link {
	t.Helper()
	link, err := f.db.ApproveLinkRequest(ctx, f.boss, f.send(t, ch, org))
	if err != nil {
		t.Fatalf("ApproveLinkRequest: %v", err)
	}
	return link
}

// auditMark is the ID of the newest audit entry; auditSince lists what was
// logged after it, one "action subject: before → after" line each, a note
// written as its code and parameters: "review(Review=verified)".
func (f *fixture) auditMark(t *testing.T) int64 {
	t.Helper()
	var id int64
	if err := f.raw.QueryRow(`SELECT coalesce(max(id), 0) FROM audit_log`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) auditSince(t *testing.T, mark int64) []string {
	t.Helper()
	rows, err := f.raw.Query(`SELECT action, subject_kind, before, before_code, before_params, after, after_code, after_params
		FROM audit_log WHERE id > ? ORDER BY id`, mark)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var action, kind string
		var before, after portal.AuditNote
		if err := rows.Scan(&action, &kind, &before.Recorded, &before.Code, &before.Params, &after.Recorded, &after.Code, &after.Params); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s %s: %s → %s", action, kind, noteText(t, before), noteText(t, after)))
	}
	return lines
}

// noteText writes an audit note as its code and its parameters, sorted by
// name: "role(Name=Mia, Role=member)"; a note without parameters as its
// code; an entry logged before notes were kept as its recorded text. A
// note must not carry both.
func noteText(t *testing.T, n portal.AuditNote) string {
	t.Helper()
	if n.Code == "" {
		if n.Params != "" {
			t.Errorf("audit note without a code has parameters %q", n.Params)
		}
		return n.Recorded
	}
	if n.Recorded != "" {
		t.Errorf("audit note %s also holds the English %q", n.Code, n.Recorded)
	}
	values, err := url.ParseQuery(n.Params)
	if err != nil {
		t.Errorf("audit note %s: parameters %q: %v", n.Code, n.Params, err)
	}
	if len(values) == 0 {
		return string(n.Code)
	}
	var params []string
	for _, name := range slices.Sorted(maps.Keys(values)) {
		params = append(params, name+"="+values.Get(name))
	}
	return string(n.Code) + "(" + strings.Join(params, ", ") + ")"
}

// assertAudit checks that exactly the wanted entries were logged since mark.
func (f *fixture) assertAudit(t *testing.T, mark int64, want ...string) {
	t.Helper()
	got := f.auditSince(t, mark)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit entries:\n got %q\nwant %q", got, want)
	}
}

// snapshot dumps every table of the link lifecycle, for "refused input
// changes nothing".
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	return dbtest.Tables(t, f.raw, "admins", "providers", "channels", "channel_roles", "organizations", "organization_admins",
		"link_requests", "links", "link_reviews", "audit_log",
		"official_accounts", "official_account_roles", "mini_app_oa_links", "login_linked_oas")
}

// refuses asserts that call is refused with the code and the message, and
// changes nothing at all.
func (f *fixture) refuses(t *testing.T, code, message string, call func() error) {
	t.Helper()
	before := f.snapshot(t)
	err := call()
	if got := portal.ErrorCode(err); got != code {
		t.Errorf("code = %q, want %q (err: %v)", got, code, err)
	}
	if got := english(err); got != message {
		t.Errorf("message:\n got %q\nwant %q", got, message)
	}
	if after := f.snapshot(t); after != before {
		t.Errorf("a refused call changed the database:\n%s", lineDiff(before, after))
	}
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// lineDiff lists the lines only one of a and b holds.
func lineDiff(a, b string) string {
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[l]--
	}
	for _, l := range strings.Split(b, "\n") {
		count[l]++
	}
	var d []string
	for l, n := range count {
		switch {
		case n < 0:
			d = append(d, "- "+l)
		case n > 0:
			d = append(d, "+ "+l)
		}
	}
	slices.Sort(d)
	return strings.Join(d, "\n")
}
