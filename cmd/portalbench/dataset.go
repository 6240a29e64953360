package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"time"

	_ "github.com/mattn/go-sqlite3" // the raw connection of the bulk load

	"lineportal/internal/demo"
	"lineportal/internal/simulated"
	"lineportal/store"
)

// layout is the shape of the benchmark's data set: the demo data (so that
// the demo people can sign in through the simulator) plus a provider of
// channels whose IDs are fixed, so that scenarios can address them without
// asking the database. The bulk channels are, in ID order:
//
//	linked:  linked to the demo organization (its big "Accounts & channels"),
//	         every rejectEvery-th with a Rejected review
//	send:    unlinked, each with a pending request; send-link-request rotates over them
//	approve: unlinked like send; the approve scenario issues its URLs here
//
// Every channel has requestsEach link requests (all replaced but the last:
// approved when linked, else pending) and the deep channel, a linked one,
// has deepExtra more before those.
type layout struct {
	linked, send, approve int
	requestsEach          int
	deepExtra             int
	rejectEvery           int
}

// benchLayout is issue 4's scale: 100,000 channels and 1,000,000 link
// requests, 20,000 of the channels linked to one organization.
func benchLayout() layout {
	return layout{linked: 20_000, send: 40_000, approve: 40_000, requestsEach: 9, deepExtra: 100_000, rejectEvery: 7}
}

// firstChannelID is the ID of the first bulk channel, far above the handful
// demo.Seed creates. A linked channel's link has the channel's ID too.
const firstChannelID = 1_000_001

// bigOrgID is the organization with the big list: the demo's verified
// Japanese organization, which the demo organization administrator runs
// and the demo developer can send link requests to.
const bigOrgID = demo.SakuraFoodsID

// channels and linkRequests count the bulk rows.
func (l layout) channels() int     { return l.linked + l.send + l.approve }
func (l layout) linkRequests() int { return l.channels()*l.requestsEach + l.deepExtra }

// deepChannel is a linked channel with deepExtra+requestsEach requests.
func (l layout) deepChannel() int64 { return firstChannelID + int64(l.linked/2) }

// sendChannel is the i-th send channel, wrapping around; approveChannel
// the i-th approve channel.
func (l layout) sendChannel(i int) int64    { return firstChannelID + int64(l.linked+i%l.send) }
func (l layout) approveChannel(i int) int64 { return firstChannelID + int64(l.linked+l.send+i) }

// midLinkCursor is the keyset cursor of a page halfway down the big list:
// the list is ordered by link ID and its cursor is the last link ID shown.
func (l layout) midLinkCursor() string {
	return strconv.FormatInt(firstChannelID+int64(l.linked/2), 10)
}

// generate creates the data set at path, which must not exist: the schema
// through store.Open, the demo through demo.Seed, then the bulk rows.
func generate(ctx context.Context, path string, l layout, now time.Time) error {
	people, err := simulated.DemoPeople()
	if err != nil {
		return err
	}
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

// bulkLoad adds the layout's rows with raw SQL. This is benchmark data, not
// domain behaviour: going through the store would take tens of minutes for a million
// requests, one transaction each. Each table is one INSERT … SELECT over a
// counter, which SQLite runs without a round trip per row; the rows have
// the shapes the store writes and pass every CHECK, trigger and foreign key
// of the schema (which stay on), so a broken shape fails here, not in a
// page. No audit entries are made: no benchmarked page reads them.
func bulkLoad(ctx context.Context, path string, l layout, people demo.People, now time.Time) error {
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
	first, lastLinked, last := int64(firstChannelID), int64(firstChannelID+l.linked-1), int64(firstChannelID+l.channels()-1)
	// The deep channel's extra requests come first (lowest IDs, oldest), so
	// that its newest request is the approved one of the common rounds.
	roundStep := (end - start) / int64(l.requestsEach*l.channels()+l.deepExtra)
	roundsStart := start + int64(l.deepExtra)*roundStep

	steps := []struct {
		what  string
		query string
		args  []any
	}{
		{"provider", `INSERT INTO providers (name, created_at) VALUES ('Bench Partner Apps', ?)`, []any{start}},
		// Verified Japanese MINI Apps whose published business information is
		// the organization's, so that linking them is allowed and Verified.
		{"channels", `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
			INSERT INTO channels (id, provider_id, kind, line_channel_id, name, region, verified,
				published_company_name, published_address, published_developer_is_service, published_company_country,
				draft_company_name, draft_address, draft_developer_is_service, draft_company_country, created_at)
			SELECT ? + i, (SELECT max(id) FROM providers), 'mini_app', printf('%010d', 3000000000 + i), 'Bench App ' || (i + 1), 'JP', 1,
				o.company_name, o.address, 1, o.company_country, o.company_name, o.address, 1, o.company_country, ? + i
			FROM n, organizations o WHERE o.id = ?`, []any{l.channels(), first, start, bigOrgID}},
		{"channel roles", `INSERT INTO channel_roles (channel_id, admin_id, role) SELECT id, ?, 'admin' FROM channels WHERE id >= ?`, []any{dev, first}},
		{"links", `INSERT INTO links (id, channel_id, org_id, linked_at, linked_by)
			SELECT id, id, ?, created_at + 3600000, ? FROM channels WHERE id BETWEEN ? AND ?`, []any{bigOrgID, boss, first, lastLinked}},
		{"account linking reviews", `INSERT INTO link_reviews (link_id, org_id, event, status, cause, reason, actor_id, at)
			SELECT id, org_id, 'start',
				CASE WHEN id % ?1 = 0 THEN 'rejected' ELSE 'verified' END,
				CASE WHEN id % ?1 = 0 THEN 'mismatch' ELSE '' END,
				CASE WHEN id % ?1 = 0 THEN 'The channel''s business information does not match the organization''s.'
					ELSE 'The channel''s business information matches the organization''s.' END,
				?2, linked_at
			FROM links WHERE id BETWEEN ?3 AND ?4`, []any{l.rejectEvery, boss, first, lastLinked}},
		{"deep channel's link requests", `WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ?1 - 1)
			INSERT INTO link_requests (channel_id, org_id, sent_by, token_hash, state, issued_at, expires_at, decided_at)
			SELECT ?2, ?3, ?4, randomblob(32), 'replaced', ?5 + j * ?6, ?5 + j * ?6 + 604800000, ?5 + j * ?6 + 1000 FROM k`,
			[]any{l.deepExtra, l.deepChannel(), bigOrgID, dev, start, roundStep}},
		// requestsEach rounds over every channel, oldest round first; in
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
			[]any{l.requestsEach, roundsStart, l.channels(), first, roundStep, lastLinked, last, bigOrgID, dev, boss}},
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

// generateReported generates the data set at path and says on log how
// long it took. There is no cache between runs: generating takes a few
// seconds, so a cache would save little, and it could outlive the schema
// or the demo it was made with.
func generateReported(ctx context.Context, path string, l layout, log io.Writer) error {
	fmt.Fprintf(log, "data set: generating %d channels and %d link requests...\n", l.channels(), l.linkRequests())
	t0 := time.Now()
	if err := generate(ctx, path, l, time.Now()); err != nil {
		return fmt.Errorf("generate data set: %w", err)
	}
	fmt.Fprintf(log, "data set: generated in %.1fs\n", time.Since(t0).Seconds())
	return nil
}
