// Package dataset generates the large data sets the portal is measured on:
// the demo data (so that the demo people can sign in) plus, in raw SQL, as
// many channels, link requests, organizations and audit entries as a
// Layout asks for. cmd/portalbench serves its pages from one; the store's
// page benchmark (store/scale_test.go) reads one directly.
package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	_ "github.com/mattn/go-sqlite3" // the raw connection of the bulk load

	"lineportal/internal/demo"
	"lineportal/internal/portal"
	"lineportal/store"
)

// Layout is the shape of a data set. The bulk channels have IDs fixed from
// FirstChannelID on, so that scenarios can address them without asking
// the database; they are, in ID order:
//
//	Linked:  linked to BigOrgID (its big "Accounts & channels"),
//	         every RejectEvery-th with a Rejected review
//	Send:    unlinked, each with a pending request; send-link-request rotates over them
//	Approve: unlinked like Send; the approve scenario issues its URLs here
//
// Every channel has RequestsEach link requests (all replaced but the last:
// approved when linked, else pending) and the deep channel, a linked one,
// has DeepExtra more before those.
type Layout struct {
	Linked, Send, Approve int
	RequestsEach          int
	DeepExtra             int
	RejectEvery           int
	// PendingReviewEvery puts every PendingReviewEvery-th bulk channel in
	// the MINI App review queue (0: none).
	PendingReviewEvery int
	// Organizations adds that many organizations besides the demo's, each
	// run by an administrator of its own; every InReviewEvery-th waits in
	// the verification queue (0: none), the others are verified.
	Organizations int
	InReviewEvery int
	// Audit gives every bulk link request the audit entry its sending
	// made; without it the bulk rows have none.
	Audit bool
}

// Bench is issue 4's scale, which cmd/portalbench serves: 100,000 channels
// and 1,000,000 link requests, 20,000 of the channels linked to one
// organization.
func Bench() Layout {
	return Layout{Linked: 20_000, Send: 40_000, Approve: 40_000, RequestsEach: 9, DeepExtra: 100_000, RejectEvery: 7}
}

// FirstChannelID is the ID of the first bulk channel, far above the handful
// demo.Seed creates. A linked channel's link has the channel's ID too.
const FirstChannelID = 1_000_001

// BigOrgID is the organization with the big list: the demo's verified
// Japanese organization, which the demo organization administrator runs
// and the demo developer can send link requests to.
const BigOrgID = demo.SakuraFoodsID

// firstOrganization numbers the first added organization, far above the
// demo's IDs.
const firstOrganization = 1_000_001

// Channels and LinkRequests count the bulk rows.
func (l Layout) Channels() int     { return l.Linked + l.Send + l.Approve }
func (l Layout) LinkRequests() int { return l.Channels()*l.RequestsEach + l.DeepExtra }

// DeepChannel is a linked channel with DeepExtra+RequestsEach requests.
func (l Layout) DeepChannel() int64 { return FirstChannelID + int64(l.Linked/2) }

// SendChannel is the i-th send channel, wrapping around; ApproveChannel
// the i-th approve channel.
func (l Layout) SendChannel(i int) int64    { return FirstChannelID + int64(l.Linked+i%l.Send) }
func (l Layout) ApproveChannel(i int) int64 { return FirstChannelID + int64(l.Linked+l.Send+i) }

// MidLinkCursor is the keyset cursor of a page halfway down the big list:
// the list is ordered by link ID and its cursor is the last link ID shown.
func (l Layout) MidLinkCursor() string {
	return strconv.FormatInt(FirstChannelID+int64(l.Linked/2), 10)
}

// MidOrganizationCursor is the keyset cursor of a page halfway down the
// added organizations: the list is ordered by ID.
func (l Layout) MidOrganizationCursor() string {
	return fmt.Sprintf("BM%011d", firstOrganization+l.Organizations/2)
}

// Generate creates the data set at path, which must not exist: the schema
// through store.Open, the demo through demo.Seed with people, then the
// bulk rows, dated up to now.
func Generate(ctx context.Context, path string, l Layout, people demo.People, now time.Time) error {
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	if _, err := demo.Seed(ctx, db, people); err != nil {
		db.Close()
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	return bulkLoad(ctx, path, l, people, now)
}

// step is one INSERT of the bulk load: what it adds, for errors.
type step struct {
	what  string
	query string
	args  []any
}

// bulkLoad adds the layout's rows with raw SQL. This is measuring data, not
// domain behaviour: going through the store would take tens of minutes for
// a million requests, one transaction each. Each table is one INSERT …
// SELECT over a counter, which SQLite runs without a round trip per row;
// the rows have the shapes the store writes and pass every CHECK, trigger
// and foreign key of the schema (which stay on), so a broken shape fails
// here, not in a page.
func bulkLoad(ctx context.Context, path string, l Layout, people demo.People, now time.Time) error {
	// synchronous=OFF and a big cache: a crash here only loses a file that
	// is generated again.
	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on&_synchronous=OFF&_cache_size=-262144")
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)

	var dev, boss int64
	for id, who := range map[*int64]demo.Person{&dev: people.Developer, &boss: people.OrgAdmin} {
		if err := raw.QueryRowContext(ctx, `SELECT id FROM admins WHERE line_user_id = ?`, who.LINEUserID).Scan(id); err != nil {
			return fmt.Errorf("demo admin %s: %w", who.Name, err)
		}
	}
	// Everything happened over the last 60 days, so that the newest
	// requests, the pending ones, have not expired yet.
	const day = int64(24 * time.Hour / time.Millisecond)
	end := now.UnixMilli() - day/24
	start := end - 60*day
	first, lastLinked, last := int64(FirstChannelID), int64(FirstChannelID+l.Linked-1), int64(FirstChannelID+l.Channels()-1)
	// The deep channel's extra requests come first (lowest IDs, oldest), so
	// that its newest request is the approved one of the common rounds.
	roundStep := (end - start) / int64(l.RequestsEach*l.Channels()+l.DeepExtra)
	roundsStart := start + int64(l.DeepExtra)*roundStep

	steps := []step{
		{"provider", `INSERT INTO providers (name, created_at) VALUES ('Bench Partner Apps', ?)`, []any{start}},
		// Verified Japanese MINI Apps whose published business information is
		// the organization's, so that linking them is allowed and Verified.
		{"channels", `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
			INSERT INTO channels (id, provider_id, kind, line_channel_id, name, region, verified,
				published_company_name, published_address, published_developer_is_service, published_company_country,
				draft_company_name, draft_address, draft_developer_is_service, draft_company_country,
				miniapp_review, miniapp_review_submitted_at, created_at)
			SELECT ?2 + i, (SELECT max(id) FROM providers), 'mini_app', printf('%010d', 3000000000 + i), 'Bench App ' || (i + 1), 'JP', 1,
				o.company_name, o.address, 1, o.company_country, o.company_name, o.address, 1, o.company_country,
				CASE WHEN ?5 > 0 AND (i + 1) % ?5 = 0 THEN 'pending' ELSE 'none' END,
				CASE WHEN ?5 > 0 AND (i + 1) % ?5 = 0 THEN ?3 + i + 1000 END, ?3 + i
			FROM n, organizations o WHERE o.id = ?4`, []any{l.Channels(), first, start, BigOrgID, l.PendingReviewEvery}},
		{"channel roles", `INSERT INTO channel_roles (channel_id, admin_id, role) SELECT id, ?, 'admin' FROM channels WHERE id >= ?`, []any{dev, first}},
		{"links", `INSERT INTO links (id, channel_id, org_id, linked_at, linked_by)
			SELECT id, id, ?, created_at + 3600000, ? FROM channels WHERE id BETWEEN ? AND ?`, []any{BigOrgID, boss, first, lastLinked}},
		{"account linking reviews", `INSERT INTO link_reviews (link_id, org_id, event, status, cause, reason, actor_id, at)
			SELECT id, org_id, 'start',
				CASE WHEN id % ?1 = 0 THEN 'rejected' ELSE 'verified' END,
				CASE WHEN id % ?1 = 0 THEN 'mismatch' ELSE '' END,
				CASE WHEN id % ?1 = 0 THEN 'The channel''s business information does not match the organization''s.'
					ELSE 'The channel''s business information matches the organization''s.' END,
				?2, linked_at
			FROM links WHERE id BETWEEN ?3 AND ?4`, []any{l.RejectEvery, boss, first, lastLinked}},
		{"deep channel's link requests", `WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ?1 - 1)
			INSERT INTO link_requests (channel_id, org_id, sent_by, token_hash, state, issued_at, expires_at, decided_at)
			SELECT ?2, ?3, ?4, randomblob(32), 'replaced', ?5 + j * ?6, ?5 + j * ?6 + 604800000, ?5 + j * ?6 + 1000 FROM k`,
			[]any{l.DeepExtra, l.DeepChannel(), BigOrgID, dev, start, roundStep}},
		// RequestsEach rounds over every channel, oldest round first; in
		// the last one a linked channel's request is approved by the
		// organization administrator and an unlinked one's still pending.
		{"link requests", `WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ?1 - 1),
			r AS (SELECT c.id AS channel_id, k.j, ?2 + (k.j * ?3 + c.id - ?4) * ?5 AS issued_at,
				CASE WHEN k.j < ?1 - 1 THEN 'replaced' WHEN c.id <= ?6 THEN 'approved' ELSE 'pending' END AS state
				FROM k, channels c WHERE c.id BETWEEN ?4 AND ?7)
			INSERT INTO link_requests (channel_id, org_id, sent_by, token_hash, state, issued_at, expires_at, decided_at, decided_by)
			SELECT channel_id, ?8, ?9, randomblob(32), state, issued_at, issued_at + 604800000,
				CASE state WHEN 'pending' THEN NULL ELSE issued_at + 1000 END,
				CASE state WHEN 'approved' THEN ?10 END
			FROM r ORDER BY j, channel_id`,
			[]any{l.RequestsEach, roundsStart, l.Channels(), first, roundStep, lastLinked, last, BigOrgID, dev, boss}},
	}
	if l.Audit {
		// The entry SendLinkRequest logs: nothing before, a pending request
		// after, as a note the edge writes in the reader's language.
		sent := portal.Note(portal.NoteLinkRequest, "RequestState", string(portal.LinkRequestPending))
		steps = append(steps, step{"audit entries", `INSERT INTO audit_log (at, actor_id, action, subject_kind, subject_id, channel_id, org_id,
				before, after, after_code, after_params)
			SELECT issued_at, sent_by, ?, ?, id, channel_id, org_id, '', '', ?, ?
			FROM link_requests WHERE channel_id >= ?`, []any{portal.ActionLinkRequestSend, portal.SubjectLinkRequest, sent.Code, sent.Params, first}})
	}
	if l.Organizations > 0 {
		// Each added organization is administered by an admin of its own.
		steps = append(steps,
			step{"organizations' administrators", `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
				INSERT INTO admins (line_user_id, name, created_at, last_sign_in_at)
				SELECT printf('U%032d', ?2 + i), 'Bench Administrator ' || (i + 1), ?3, ?3 FROM n`, []any{l.Organizations, firstOrganization, start}},
			step{"organizations", `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
				INSERT INTO organizations (id, name, region, company_name, address, company_country, verification, verification_submitted_at, created_at)
				SELECT printf('BM%011d', ?2 + i), 'Bench Organization ' || (i + 1), 'JP', 'Bench K.K.', 'Tokyo', 'JP',
					CASE WHEN ?3 > 0 AND (i + 1) % ?3 = 0 THEN 'in_review' ELSE 'verified' END, ?4 + i, ?4 + i FROM n`,
				[]any{l.Organizations, firstOrganization, l.InReviewEvery, start}},
			step{"organizations' administrator roles", `INSERT INTO organization_admins (org_id, admin_id, added_at)
				SELECT o.id, a.id, o.created_at FROM organizations o JOIN admins a ON a.line_user_id = printf('U%032d', CAST(substr(o.id, 3) AS INTEGER))
				WHERE o.id >= printf('BM%011d', ?)`, []any{firstOrganization}},
		)
	}
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, s.query, s.args...); err != nil {
			return fmt.Errorf("bulk load %s: %w", s.what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// Fold the WAL into the database file now, so that the portal does not
	// start its run with a 200 MB checkpoint.
	_, err = raw.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}
