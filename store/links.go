package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"

	"lineportal/internal/portal"
)

// SendLinkRequest sends a link request from a MINI App channel to the
// organization orgID, whose ID the actor entered. Any earlier pending request of the
// channel is replaced, so its URL stops working. When the actor administers
// the organization, the request is approved at once and the channel linked,
// and token is empty. Otherwise token is the secret of the new URL
// (/link/{token}): it is returned this once and never stored, only its
// SHA-256, so a page must show the URL now or not at all.
func (db *DB) SendLinkRequest(ctx context.Context, actor portal.Admin, channelID int64, orgID portal.OrganizationID) (req portal.LinkRequest, token string, err error) {
	err = db.onChannel(ctx, "send link request", actor, channelID, func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error {
		// PostgreSQL may run the body again: nothing an earlier attempt
		// decided (a token, when this one approves at once) may remain.
		req, token = portal.LinkRequest{}, ""
		org, atOnce, err := lookupOrganizationWithAdmin(ctx, tx, string(orgID), actor.ID)
		if err != nil {
			return err
		}
		if err := portal.CheckLinkRequest(role, ch, orgID, org); err != nil {
			return err
		}
		if err := replacePendingRequests(ctx, tx, actor, ch.ID); err != nil {
			return err
		}
		var hash []byte
		if !atOnce {
			// 26 base32 characters: 130 random bits, safe in a URL path.
			token = rand.Text()
			hash = tokenHash(token)
		}
		if req, err = insertLinkRequest(ctx, tx, actor, ch.ID, org.ID, hash); err != nil {
			return err
		}
		if atOnce {
			_, err = createLink(ctx, tx, actor, channelSubject(ch), *org)
			return err
		}
		return notify(ctx, tx, actor, portal.NoticeLinkRequest, map[string]string{
			"Sender": actor.Name, "Channel": ch.Name, "OrgID": org.ID, "OrgName": org.Name, "RequestID": itoa(req.ID),
		}, organizationAdmins, org.ID)
	})
	if err != nil {
		return portal.LinkRequest{}, "", err
	}
	return req, token, nil
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// replacePendingRequests marks the channel's pending request replaced
// (there is at most one), whether or not its URL had expired yet.
func replacePendingRequests(ctx context.Context, tx *Tx, actor portal.Admin, channelID int64) error {
	replaced, err := findAll(ctx, tx, func(s scanner) (portal.LinkRequest, error) {
		r := portal.LinkRequest{ChannelID: channelID, State: portal.LinkRequestPending}
		var expires int64
		err := s.Scan(&r.ID, &r.OrgID, &expires)
		r.ExpiresAt = fromMillis(expires)
		return r, err
	}, `UPDATE link_requests SET state = 'replaced', decided_at = ? WHERE channel_id = ? AND state = 'pending' RETURNING id, org_id, expires_at`,
		millis(tx.now), channelID)
	if err != nil {
		return err
	}
	for _, r := range replaced {
		tx.logAudit(actor, linkRequestEntry(r, portal.ActionLinkRequestReplace, requestNote(r.StateAt(tx.now)), requestNote(portal.LinkRequestReplaced)))
		if err := settleLinkRequestNotices(ctx, tx, r); err != nil {
			return err
		}
	}
	return nil
}

// insertLinkRequest stores a new request: pending with the URL token's
// hash, or, without one, approved at once by its sender.
func insertLinkRequest(ctx context.Context, tx *Tx, actor portal.Admin, channelID int64, orgID string, hash []byte) (portal.LinkRequest, error) {
	var decidedAt, decidedBy any // NULL while pending
	state := portal.LinkRequestPending
	if hash == nil {
		state, decidedAt, decidedBy = portal.LinkRequestApproved, nullInt(millis(tx.now)), nullInt(actor.ID)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO link_requests (channel_id, org_id, sent_by, token_hash, state, issued_at, expires_at, decided_at, decided_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		channelID, orgID, actor.ID, hash, state, millis(tx.now), millis(tx.now.Add(portal.LinkRequestValidity)), decidedAt, decidedBy).Scan(&id)
	if err != nil {
		return portal.LinkRequest{}, err
	}
	// What was just inserted, without reading it back: the writer's time
	// is every write's.
	issued := fromMillis(millis(tx.now))
	req := portal.LinkRequest{ID: id, ChannelID: channelID, OrgID: orgID, SentBy: actor.ID, SentByName: actor.Name, State: state,
		ApprovedAtOnce: hash == nil, IssuedAt: issued, ExpiresAt: fromMillis(millis(tx.now.Add(portal.LinkRequestValidity)))}
	if hash == nil {
		req.DecidedAt, req.DecidedBy, req.DecidedByName = issued, actor.ID, actor.Name
	}
	tx.logAudit(actor, linkRequestEntry(req, portal.ActionLinkRequestSend, portal.AuditNote{}, requestNote(req.State)))
	return req, nil
}

// FindLinkRequestByToken returns what the approval page at /link/{token}
// shows and what portal.CanApprove decides on: the request, its channel and
// organization as they are now, and whether actor (the zero Admin when
// nobody is signed in) administers that organization. It only reads:
// link-preview bots fetch URLs, and opening one must change nothing.
func (db *DB) FindLinkRequestByToken(ctx context.Context, actor portal.Admin, token string) (portal.LinkApproval, error) {
	a, err := findLinkApproval(ctx, db.read, actor, byToken(token))
	if err != nil {
		return portal.LinkApproval{}, fmt.Errorf("store: find link request: %w", err)
	}
	return a, nil
}

// FindLinkRequestToApprove is FindLinkRequestByToken for an administrator
// who opens a link request of their organization orgID from Home, where
// no URL is needed: the request id, if it is one of orgID's.
func (db *DB) FindLinkRequestToApprove(ctx context.Context, actor portal.Admin, orgID string, id int64) (portal.LinkApproval, error) {
	a, err := findLinkApproval(ctx, db.read, actor, byOrganizationAndID(orgID, id))
	if err != nil {
		return portal.LinkApproval{}, fmt.Errorf("store: find link request: %w", err)
	}
	return a, nil
}

// linkRequestKey selects one link request: a fixed SQL term on lr and its
// arguments.
type linkRequestKey struct {
	cond string
	args []any
}

func byToken(token string) linkRequestKey {
	return linkRequestKey{`lr.token_hash = ?`, []any{tokenHash(token)}}
}

func byOrganizationAndID(orgID string, id int64) linkRequestKey {
	return linkRequestKey{`lr.org_id = ? AND lr.id = ?`, []any{orgID, id}}
}

// findLinkApproval reads the request, its channel and its organization in
// one statement: approving runs it behind the one writer.
func findLinkApproval(ctx context.Context, q querier, actor portal.Admin, key linkRequestKey) (portal.LinkApproval, error) {
	a, err := scanLinkApprovals()(q.QueryRowContext(ctx, linkApprovalSelect+` WHERE `+key.cond, append([]any{actor.ID}, key.args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return portal.LinkApproval{}, notFound(portal.RLinkURLInvalid)
	}
	return a, err
}

// linkApprovalSelect reads link requests lr as portal.LinkApproval: each
// with its channel, its organization and whether an admin administers it
// (the first placeholder: the admin's ID).
var linkApprovalSelect = `SELECT ` + channelColumns + `, ` + linkRequestColumns + `, ` + orgAdminOf("lr.org_id") + `, ` + organizationColumns +
	linkRequestTables + ` JOIN channels c ON c.id = lr.channel_id JOIN providers p ON p.id = c.provider_id` + channelLink +
	` JOIN organizations o ON o.id = lr.org_id`

// scanLinkApprovals scans linkApprovalSelect's rows, all through the same
// Scan destinations.
func scanLinkApprovals() func(scanner) (portal.LinkApproval, error) {
	req := newLinkRequestRow()
	var org organizationRow
	var orgAdmin bool
	ch := newChannelRow(org.appendDest(append(req.dest, &orgAdmin))...)
	return func(s scanner) (portal.LinkApproval, error) {
		channel, err := ch.scan(s)
		if err != nil {
			return portal.LinkApproval{}, err
		}
		return portal.LinkApproval{Request: req.request(), Channel: channel, Organization: *org.organization(), ActorIsOrgAdmin: orgAdmin}, nil
	}
}

// ApproveLinkRequest approves the link request of the URL /link/{token}:
// the channel is linked to the organization and its account linking review
// starts. Of any number of concurrent approvals exactly one succeeds; the
// others, like a replayed POST, are told the request was already approved.
func (db *DB) ApproveLinkRequest(ctx context.Context, actor portal.Admin, token string) (portal.Link, error) {
	return db.approveLinkRequest(ctx, actor, byToken(token))
}

// ApproveLinkRequestByID is ApproveLinkRequest from Home: the request id of
// the organization orgID, under the same rules as at its URL.
func (db *DB) ApproveLinkRequestByID(ctx context.Context, actor portal.Admin, orgID string, id int64) (portal.Link, error) {
	return db.approveLinkRequest(ctx, actor, byOrganizationAndID(orgID, id))
}

func (db *DB) approveLinkRequest(ctx context.Context, actor portal.Admin, key linkRequestKey) (portal.Link, error) {
	var link portal.Link
	err := db.update(ctx, func(tx *Tx) error {
		a, err := findLinkApproval(ctx, tx, actor, key)
		if err != nil {
			return err
		}
		if err := portal.CanApprove(actor, a, tx.now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE link_requests SET state = 'approved', decided_at = ?, decided_by = ?
			WHERE id = ? AND state = ?`, millis(tx.now), actor.ID, a.Request.ID, a.Request.State)
		if err := guarded(res, err); err != nil {
			return err
		}
		tx.logAudit(actor, linkRequestEntry(a.Request, portal.ActionLinkRequestApprove, requestNote(a.Request.State), requestNote(portal.LinkRequestApproved)))
		if err := settleLinkRequestNotices(ctx, tx, a.Request); err != nil {
			return err
		}
		if link, err = createLink(ctx, tx, actor, channelSubject(a.Channel), a.Organization); err != nil {
			return err
		}
		return notify(ctx, tx, actor, portal.NoticeLinkApproved, map[string]string{
			"Approver": actor.Name, "Channel": a.Channel.Name, "ChannelID": itoa(a.Channel.ID), "OrgID": a.Organization.ID,
		}, oneAdmin, a.Request.SentBy)
	})
	if err != nil {
		return portal.Link{}, fmt.Errorf("store: approve link request: %w", err)
	}
	return link, nil
}

// TransferChannel moves a channel linked to organization from to the
// organization destID, whose ID the actor entered: its link ends (it is kept, never
// removed) and a new link to the destination starts, with a new account
// linking review. from is the organization the actor decided on (the page
// they transfer from); a channel transferred away from it meanwhile is
// not moved again.
func (db *DB) TransferChannel(ctx context.Context, actor portal.Admin, channelID int64, from string, destID portal.OrganizationID) (portal.Link, error) {
	var link portal.Link
	err := db.update(ctx, func(tx *Tx) error {
		ch, err := findChannel(ctx, tx, channelID)
		if err != nil {
			return err
		}
		link, err = transferLink(ctx, tx, actor, ch.Link, channelSubject(ch), from, destID,
			func(fromAdmin bool, dest *portal.Organization, toAdmin bool) error {
				return portal.CanTransfer(ch, fromAdmin, destID, dest, toAdmin)
			})
		return err
	})
	if err != nil {
		return portal.Link{}, fmt.Errorf("store: transfer channel: %w", err)
	}
	return link, nil
}

// transferLink moves subject from its current link (nil when it has none)
// to the organization destID, if rule allows: rule is
// given whether the actor administers the link's organization and the
// destination, and the destination (nil when there is none). The current
// link must still be to from, the organization the actor saw it linked
// to: two transfers decided on the same link move it once.
func transferLink(ctx context.Context, tx *Tx, actor portal.Admin, current *portal.Link, subject linkSubject, from string, destID portal.OrganizationID,
	rule func(fromAdmin bool, dest *portal.Organization, toAdmin bool) error) (portal.Link, error) {
	var fromAdmin bool
	var err error
	if current != nil {
		if fromAdmin, err = isOrganizationAdmin(ctx, tx, current.OrgID, actor.ID); err != nil {
			return portal.Link{}, err
		}
	}
	dest, toAdmin, err := lookupOrganizationWithAdmin(ctx, tx, string(destID), actor.ID)
	if err != nil {
		return portal.Link{}, err
	}
	if err := rule(fromAdmin, dest, toAdmin); err != nil {
		return portal.Link{}, err
	}
	if current.OrgID != from {
		return portal.Link{}, portal.Refuse(portal.ECONFLICT, portal.RTransferredMeanwhile, "Noun", subject.noun(), "OrgID", from)
	}
	res, err := tx.ExecContext(ctx, `UPDATE links SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, millis(tx.now), current.ID)
	if err := guarded(res, err); err != nil {
		return portal.Link{}, err
	}
	tx.logAudit(actor, linkEntry(*current, portal.ActionLinkTransfer,
		portal.Note(portal.NoteLinkedToOrg, "OrgID", current.OrgID), portal.Note(portal.NoteTransferredTo, "OrgID", dest.ID)))
	return createLink(ctx, tx, actor, subject, *dest)
}

// linkSubject is what a link links to an organization: a channel or an
// Official Account (exactly one ID is set), with what its review reads of
// it, as the transaction read it.
type linkSubject struct {
	channelID, officialAccountID int64
	reviewed
}

func channelSubject(ch portal.Channel) linkSubject {
	return linkSubject{channelID: ch.ID, reviewed: reviewedChannel(ch)}
}

func officialAccountSubject(oa portal.OfficialAccount) linkSubject {
	return linkSubject{officialAccountID: oa.ID, reviewed: reviewedOfficialAccount(oa)}
}

// noun is what the subject is called in messages.
func (s linkSubject) noun() portal.Term {
	if s.officialAccountID != 0 {
		return portal.TermOfficialAccount
	}
	return portal.TermChannel
}

// createLink links subject to org and starts the link's account linking
// review. When org's verification review can start, it starts now as well,
// so the two reviews run together as LINE describes.
func createLink(ctx context.Context, tx *Tx, actor portal.Admin, subject linkSubject, org portal.Organization) (portal.Link, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO links (channel_id, official_account_id, org_id, linked_at, linked_by) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		nullInt(subject.channelID), nullInt(subject.officialAccountID), org.ID, millis(tx.now), actor.ID).Scan(&id)
	if isUniqueViolation(err) {
		return portal.Link{}, portal.Refuse(portal.ECONFLICT, portal.RAlreadyLinkedMeanwhile, "Noun", subject.noun())
	}
	if err != nil {
		return portal.Link{}, err
	}
	link := portal.Link{ID: id, ChannelID: subject.channelID, OfficialAccountID: subject.officialAccountID, OrgID: org.ID,
		LinkedAt: fromMillis(millis(tx.now)), LinkedBy: actor.ID}
	tx.logAudit(actor, linkEntry(link, portal.ActionLinkCreate, portal.AuditNote{}, portal.Note(portal.NoteLinkedToOrg, "OrgID", org.ID)))
	if portal.VerificationStartsOnLink(org) {
		if err := startVerification(ctx, tx, actor, org); err != nil {
			return portal.Link{}, err
		}
		org.Verification = portal.OrgInReview
	}
	link.Review, err = runReview(ctx, tx, actor, link, portal.ReviewStart, org, subject.reviewed)
	return link, err
}

func linkEntry(l portal.Link, action portal.AuditAction, before, after portal.AuditNote) portal.AuditEntry {
	return portal.AuditEntry{
		Action: action, SubjectKind: portal.SubjectLink, SubjectID: itoa(l.ID),
		ChannelID: l.ChannelID, OfficialAccountID: l.OfficialAccountID, OrgID: l.OrgID, Before: before, After: after,
	}
}

func linkRequestEntry(r portal.LinkRequest, action portal.AuditAction, before, after portal.AuditNote) portal.AuditEntry {
	return portal.AuditEntry{
		Action: action, SubjectKind: portal.SubjectLinkRequest, SubjectID: itoa(r.ID), ChannelID: r.ChannelID, OrgID: r.OrgID, Before: before, After: after,
	}
}

func requestNote(s portal.LinkRequestState) portal.AuditNote {
	return portal.Note(portal.NoteLinkRequest, "RequestState", string(s))
}

// LinkRequestFilter selects the link requests of a channel, of an
// organization, or (both set) of the channel to that organization. One of
// them is required.
type LinkRequestFilter struct {
	ChannelID int64
	OrgID     string
	Page      Page
}

// FindLinkRequests returns one page of link requests, newest first. A
// request's state at a given time is LinkRequest.StateAt: pending ones may
// have expired.
func (db *DB) FindLinkRequests(ctx context.Context, f LinkRequestFilter) ([]portal.LinkRequest, Cursor, error) {
	var w where
	w.add(f.ChannelID != 0, "lr.channel_id = ?", f.ChannelID)
	w.add(f.OrgID != "", "lr.org_id = ?", f.OrgID)
	if w.empty() {
		return nil, "", errors.New("store: find link requests: the filter needs a channel or an organization")
	}
	before, err := f.Page.After.beforeID()
	if err != nil {
		return nil, "", err
	}
	reqs, next, err := findPage(ctx, db.read, f.Page, scanLinkRequests(), func(r portal.LinkRequest) Cursor { return idCursor(r.ID) },
		`SELECT `+linkRequestColumns+linkRequestTables+` WHERE `+w.String()+` AND lr.id < ? ORDER BY lr.id DESC LIMIT ?`,
		append(w.args, before)...)
	if err != nil {
		return nil, "", fmt.Errorf("store: find link requests: %w", err)
	}
	return reqs, next, nil
}

// AccountFilter selects among an organization's accounts and channels.
type AccountFilter struct {
	Review portal.ReviewStatus // optional: only links whose review has this status
	Page   Page
}

// FindOrganizationAccounts returns one page of the channels linked to an
// organization now (its "Accounts & channels"), newest link first, each
// with its link's account linking review status. Its Official Accounts are
// listed by FindOfficialAccounts.
func (db *DB) FindOrganizationAccounts(ctx context.Context, orgID string, f AccountFilter) ([]portal.LinkedChannel, Cursor, error) {
	before, err := f.Page.After.beforeID()
	if err != nil {
		return nil, "", err
	}
	var w where
	w.add(f.Review != "", "r.status = ?", f.Review)
	// Starts from the organization's current links, so the page costs the
	// same however many channels there are.
	chs, next, err := findPage(ctx, db.read, f.Page, scanLinkedChannels(), func(ch portal.LinkedChannel) Cursor { return idCursor(ch.LinkID) },
		`SELECT c.id, c.kind, c.name, c.line_channel_id, l.id, l.linked_at, r.status FROM links l JOIN channels c ON c.id = l.channel_id`+reviewJoin+`
		WHERE l.org_id = ? AND l.ended_at IS NULL AND l.id < ? AND `+w.String()+` ORDER BY l.id DESC LIMIT ?`,
		append([]any{orgID, before}, w.args...)...)
	if err != nil {
		return nil, "", fmt.Errorf("store: find organization accounts %s: %w", orgID, err)
	}
	return chs, next, nil
}

// scanLinkedChannels scans a list's rows, all through the same Scan
// destinations (see scanChannels).
func scanLinkedChannels() func(scanner) (portal.LinkedChannel, error) {
	var ch portal.LinkedChannel
	var linkedAt int64
	var review sql.NullString // a link's review starts with it, but the join is outer
	dest := []any{&ch.ID, &ch.Kind, &ch.Name, &ch.LINEChannelID, &ch.LinkID, &linkedAt, &review}
	return func(s scanner) (portal.LinkedChannel, error) {
		if err := s.Scan(dest...); err != nil {
			return portal.LinkedChannel{}, err
		}
		row := ch
		row.LinkedAt, row.Review = fromMillis(linkedAt), portal.ReviewStatus(review.String)
		return row, nil
	}
}

const (
	linkRequestColumns = `lr.id, lr.channel_id, lr.org_id, lr.sent_by, s.name, lr.state, lr.token_hash IS NULL,
		lr.issued_at, lr.expires_at, lr.decided_at, lr.decided_by, d.name`
	linkRequestTables = ` FROM link_requests lr JOIN admins s ON s.id = lr.sent_by LEFT JOIN admins d ON d.id = lr.decided_by`
)

func scanLinkRequest(s scanner) (portal.LinkRequest, error) { return scanLinkRequests()(s) }

// scanLinkRequests scans a list's rows, all through one linkRequestRow (see
// scanChannels).
func scanLinkRequests() func(scanner) (portal.LinkRequest, error) { return newLinkRequestRow().scan }

// linkRequestRow receives linkRequestColumns.
type linkRequestRow struct {
	r                    portal.LinkRequest
	issued, expires      int64
	decidedAt, decidedBy sql.NullInt64
	decidedByName        sql.NullString
	dest                 []any
}

func newLinkRequestRow() *linkRequestRow {
	row := &linkRequestRow{}
	r := &row.r
	row.dest = []any{&r.ID, &r.ChannelID, &r.OrgID, &r.SentBy, &r.SentByName, &r.State, &r.ApprovedAtOnce,
		&row.issued, &row.expires, &row.decidedAt, &row.decidedBy, &row.decidedByName}
	return row
}

func (row *linkRequestRow) scan(s scanner) (portal.LinkRequest, error) {
	if err := s.Scan(row.dest...); err != nil {
		return portal.LinkRequest{}, err
	}
	return row.request(), nil
}

// request is the request the row received.
func (row *linkRequestRow) request() portal.LinkRequest {
	r := row.r
	r.IssuedAt, r.ExpiresAt, r.DecidedAt = fromMillis(row.issued), fromMillis(row.expires), nullMillis(row.decidedAt)
	r.DecidedBy, r.DecidedByName = row.decidedBy.Int64, row.decidedByName.String
	return r
}
