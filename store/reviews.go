package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"lineportal/internal/portal"
)

// ResubmitReview runs a Rejected account linking review again, at the
// request of an administrator of the linked organization, which must be
// verified.
func (db *DB) ResubmitReview(ctx context.Context, actor portal.Admin, linkID int64) (portal.Review, error) {
	var rv portal.Review
	err := db.update(ctx, func(tx *Tx) error {
		link, err := findLink(ctx, tx, linkID)
		if err != nil {
			return err
		}
		org, orgAdmin, err := findOrganizationWithAdmin(ctx, tx, link.OrgID, actor.ID)
		if err != nil {
			return err
		}
		if err := portal.CanResubmit(orgAdmin, org, link); err != nil {
			return err
		}
		subject, err := readReviewed(ctx, tx, link)
		if err != nil {
			return err
		}
		rv, err = runReview(ctx, tx, actor, link, portal.ReviewResubmit, org, subject)
		return err
	})
	if err != nil {
		return portal.Review{}, fmt.Errorf("store: resubmit review: %w", err)
	}
	return rv, nil
}

// OverrideReview sets the outcome of a link's account linking review to v,
// by an operator, with v.Reason recorded in the history.
func (db *DB) OverrideReview(ctx context.Context, operator portal.Admin, linkID int64, v portal.Verdict) (portal.Review, error) {
	var rv portal.Review
	err := db.update(ctx, func(tx *Tx) error {
		link, err := findLink(ctx, tx, linkID)
		if err != nil {
			return err
		}
		if err := portal.CanOverrideReview(operator, link, v); err != nil {
			return err
		}
		v.Reason = strings.TrimSpace(v.Reason)
		subject, err := readReviewed(ctx, tx, link)
		if err != nil {
			return err
		}
		rv, err = recordReview(ctx, tx, operator, link, portal.ReviewOverride, v, subject.name)
		return err
	})
	if err != nil {
		return portal.Review{}, fmt.Errorf("store: override review: %w", err)
	}
	return rv, nil
}

// runReview runs link's account linking review of subject, what the link
// links, against org as it is now.
func runReview(ctx context.Context, tx *Tx, actor portal.Admin, link portal.Link, event portal.ReviewEvent, org portal.Organization, subject reviewed) (portal.Review, error) {
	return recordReview(ctx, tx, actor, link, event, portal.ReviewOutcome(subject.info, org), subject.name)
}

// runWaitingReviews runs the reviews of org's current links that wait,
// Unverified, for org to be verified.
func runWaitingReviews(ctx context.Context, tx *Tx, actor portal.Admin, org portal.Organization) error {
	waiting, err := findAll(ctx, tx, scanLink, `SELECT `+linkColumns+` FROM links l`+reviewJoin+`
		WHERE l.org_id = ? AND l.ended_at IS NULL AND r.status = 'unverified' ORDER BY l.id`, org.ID)
	if err != nil {
		return err
	}
	for _, link := range waiting {
		subject, err := readReviewed(ctx, tx, link)
		if err != nil {
			return err
		}
		if _, err := runReview(ctx, tx, actor, link, portal.ReviewRun, org, subject); err != nil {
			return err
		}
	}
	return nil
}

// reviewed is what a review reads of the channel or Official Account a
// link links: the business information it compares with the
// organization's (a channel's published service company, an Official
// Account's business information), and the name its notices give.
type reviewed struct {
	name string
	info portal.BusinessInfo
}

func reviewedChannel(ch portal.Channel) reviewed {
	return reviewed{name: ch.Name, info: ch.Published.ServiceCompany}
}

func reviewedOfficialAccount(oa portal.OfficialAccount) reviewed {
	return reviewed{name: oa.Name, info: oa.Info}
}

// readReviewed reads what a review of link needs of what it links, for
// the callers that have not read it already.
func readReviewed(ctx context.Context, q querier, link portal.Link) (reviewed, error) {
	if link.OfficialAccountID != 0 {
		oa, err := findOfficialAccount(ctx, q, link.OfficialAccountID)
		return reviewedOfficialAccount(oa), err
	}
	// The three columns, not findChannel's whole channel with its link
	// and linked account: this runs behind the one writer.
	var r reviewed
	err := q.QueryRowContext(ctx, `SELECT name, published_company_name, published_address FROM channels WHERE id = ?`, link.ChannelID).
		Scan(&r.name, &r.info.CompanyName, &r.info.Address)
	if errors.Is(err, sql.ErrNoRows) {
		return reviewed{}, notFound(portal.RNoSuchChannel)
	}
	return r, err
}

// recordReview appends v to link's review history, making it the current
// review, and audits the change. The insert happens only while the review
// read into link is still the newest, so two changes decided on the same
// state can't both land.
func recordReview(ctx context.Context, tx *Tx, actor portal.Admin, link portal.Link, event portal.ReviewEvent, v portal.Verdict, subjectName string) (portal.Review, error) {
	var id int64
	// A rule's finding is kept as its reason's code and parameters; an
	// operator's words as typed.
	reason, finding := v.Reason, ""
	if v.Finding.Reason != "" {
		reason, finding = string(v.Finding.Reason), v.Finding.Params
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO link_reviews (link_id, org_id, event, status, cause, reason, finding, actor_id, at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE (SELECT max(id) FROM link_reviews WHERE link_id = ?) IS NOT DISTINCT FROM ?
		RETURNING id`,
		link.ID, link.OrgID, event, v.Status, v.Cause, reason, finding, actor.ID, millis(tx.now), link.ID, nullInt(link.Review.ID)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return portal.Review{}, changedMeanwhile()
	}
	if err != nil {
		return portal.Review{}, err
	}
	rv := portal.Review{ID: id, LinkID: link.ID, OrgID: link.OrgID, OfficialAccountID: link.OfficialAccountID,
		Verdict: v, Event: event, ActorID: actor.ID, ActorName: actor.Name, At: fromMillis(millis(tx.now))}
	tx.logAudit(actor, linkEntry(link, event.Action(), reviewNote(link.Review.Status), reviewNote(v.Status)))
	return rv, notifyReview(ctx, tx, actor, link, v.Status, subjectName)
}

// notifyReview tells the linked channel's (or Official Account's) Admins
// that its review became Verified or Rejected, and of a rejection also
// the organization's administrators, who request the resubmission.
// subjectName is the channel's (or account's) name.
func notifyReview(ctx context.Context, tx *Tx, actor portal.Admin, link portal.Link, status portal.ReviewStatus, subjectName string) error {
	kind := map[portal.ReviewStatus]portal.NoticeKind{portal.ReviewVerified: portal.NoticeReviewVerified, portal.ReviewRejected: portal.NoticeReviewRejected}[status]
	if kind == "" || status == link.Review.Status {
		return nil
	}
	params := map[string]string{"OrgID": link.OrgID, "Subject": subjectName}
	admins, subjectID := channelAdmins, link.ChannelID
	if link.OfficialAccountID != 0 {
		params["OfficialAccountID"] = itoa(link.OfficialAccountID)
		admins, subjectID = officialAccountAdmins, link.OfficialAccountID
	} else {
		params["ChannelID"] = itoa(link.ChannelID)
	}
	if status == portal.ReviewRejected {
		return notify(ctx, tx, actor, kind, params, admins+` UNION `+organizationAdmins, subjectID, link.OrgID)
	}
	return notify(ctx, tx, actor, kind, params, admins, subjectID)
}

// ReviewFilter selects account linking review history: of one link, of
// every link a channel or an Official Account had, or of an organization's
// links. One is required; set more and they all apply.
type ReviewFilter struct {
	LinkID            int64
	ChannelID         int64
	OfficialAccountID int64
	OrgID             string
	Page              Page
}

// FindReviewHistory returns one page of review history, newest first; the
// first entry for a link is its current review.
func (db *DB) FindReviewHistory(ctx context.Context, f ReviewFilter) ([]portal.Review, Cursor, error) {
	var w where
	w.add(f.LinkID != 0, "r.link_id = ?", f.LinkID)
	w.add(f.ChannelID != 0, "r.link_id IN (SELECT id FROM links WHERE channel_id = ?)", f.ChannelID)
	w.add(f.OfficialAccountID != 0, "r.link_id IN (SELECT id FROM links WHERE official_account_id = ?)", f.OfficialAccountID)
	w.add(f.OrgID != "", "r.org_id = ?", f.OrgID)
	if w.empty() {
		return nil, "", errors.New("store: find review history: the filter needs a link, a channel, an Official Account or an organization")
	}
	before, err := f.Page.After.beforeID()
	if err != nil {
		return nil, "", err
	}
	rvs, next, err := findPage(ctx, db.read, f.Page, scanReviews(), func(rv portal.Review) Cursor { return idCursor(rv.ID) },
		`SELECT `+reviewColumns+` FROM link_reviews r JOIN admins ra ON ra.id = r.actor_id
		WHERE `+w.String()+` AND r.id < ? ORDER BY r.id DESC LIMIT ?`, append(w.args, before)...)
	if err != nil {
		return nil, "", fmt.Errorf("store: find review history: %w", err)
	}
	return rvs, next, nil
}

// The link queries: a link l with its current review r, the newest row of
// its history (one seek in link_reviews_link), and who caused it (ra). A
// review names the Official Account it is about with a seek in links, so
// that it needs no join wherever it is read.
const (
	linkColumns   = `l.id, l.channel_id, l.official_account_id, l.org_id, l.linked_at, l.linked_by, l.ended_at, ` + reviewColumns
	reviewColumns = `r.id, r.link_id, r.org_id, (SELECT official_account_id FROM links WHERE id = r.link_id), r.event, r.status, r.cause, r.reason, r.finding, r.actor_id, ra.name, r.at`
	reviewJoin    = `
		LEFT JOIN link_reviews r ON r.id = (SELECT max(id) FROM link_reviews WHERE link_id = l.id)
		LEFT JOIN admins ra ON ra.id = r.actor_id`
)

func findLink(ctx context.Context, q querier, id int64) (portal.Link, error) {
	link, err := scanLink(q.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM links l`+reviewJoin+` WHERE l.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return portal.Link{}, notFound(portal.RNoSuchLink)
	}
	return link, err
}

func scanLink(s scanner) (portal.Link, error) {
	var row linkRow
	if err := s.Scan(row.appendDest(nil)...); err != nil {
		return portal.Link{}, err
	}
	return *row.link(), nil
}

// scanReviews scans a list's rows, all through one reviewRow (see
// scanChannels).
func scanReviews() func(scanner) (portal.Review, error) {
	var row reviewRow
	dest := row.appendDest(nil)
	return func(s scanner) (portal.Review, error) {
		err := s.Scan(dest...)
		return row.review(), err
	}
}

// linkRow receives linkColumns. Every column may be NULL, because a channel
// outer-joins its link; link tells whether there was one.
type linkRow struct {
	id, channelID, officialAccountID, linkedAt, linkedBy, endedAt sql.NullInt64
	orgID                                                         sql.NullString
	review                                                        reviewRow
}

// appendDest appends the row's Scan destinations to dest.
func (r *linkRow) appendDest(dest []any) []any {
	return r.review.appendDest(append(dest, &r.id, &r.channelID, &r.officialAccountID, &r.orgID, &r.linkedAt, &r.linkedBy, &r.endedAt))
}

func (r *linkRow) link() *portal.Link {
	if !r.id.Valid {
		return nil
	}
	return &portal.Link{
		ID: r.id.Int64, ChannelID: r.channelID.Int64, OfficialAccountID: r.officialAccountID.Int64, OrgID: r.orgID.String,
		LinkedAt: nullMillis(r.linkedAt), LinkedBy: r.linkedBy.Int64, EndedAt: nullMillis(r.endedAt),
		Review: r.review.review(),
	}
}

// reviewRow receives reviewColumns, NULL when outer-joined to no link.
type reviewRow struct {
	id, linkID, officialAccountID, actorID, at              sql.NullInt64
	orgID, event, status, cause, reason, finding, actorName sql.NullString
}

// appendDest appends the row's Scan destinations to dest.
func (r *reviewRow) appendDest(dest []any) []any {
	return append(dest, &r.id, &r.linkID, &r.orgID, &r.officialAccountID, &r.event, &r.status, &r.cause, &r.reason, &r.finding, &r.actorID, &r.actorName, &r.at)
}

func (r *reviewRow) review() portal.Review {
	v := portal.Verdict{Status: portal.ReviewStatus(r.status.String), Cause: portal.RejectionCause(r.cause.String), Reason: r.reason.String}
	if r.finding.String != "" {
		v.Finding, v.Reason = portal.Finding{Reason: portal.Reason(r.reason.String), Params: r.finding.String}, ""
	}
	return portal.Review{
		ID: r.id.Int64, LinkID: r.linkID.Int64, OrgID: r.orgID.String, OfficialAccountID: r.officialAccountID.Int64,
		Verdict: v,
		Event:   portal.ReviewEvent(r.event.String), ActorID: r.actorID.Int64, ActorName: r.actorName.String, At: nullMillis(r.at),
	}
}

// reviewNote is a link's account linking review status in the audit log;
// none before the review's first run.
func reviewNote(s portal.ReviewStatus) portal.AuditNote {
	if s == "" {
		return portal.AuditNote{}
	}
	return portal.Note(portal.NoteReview, "Review", string(s))
}
