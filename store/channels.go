package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"lineportal/internal/portal"
)

// CreateProvider creates a provider. The portal keeps no roles on
// providers, so any signed-in admin may create one (the demo seed does).
func (db *DB) CreateProvider(ctx context.Context, actor portal.Admin, name string) (portal.Provider, error) {
	if err := portal.CheckNewProvider(name); err != nil {
		return portal.Provider{}, err
	}
	var p portal.Provider
	err := db.update(ctx, func(tx *Tx) (err error) {
		p, err = insertProvider(ctx, tx, actor, name)
		return err
	})
	if err != nil {
		return portal.Provider{}, fmt.Errorf("store: create provider: %w", err)
	}
	return p, nil
}

// insertProvider creates a provider (checked by the caller) and its audit
// entry, inside a transaction of the caller's.
func insertProvider(ctx context.Context, tx *Tx, actor portal.Admin, name string) (portal.Provider, error) {
	var p portal.Provider
	var created int64
	err := tx.QueryRowContext(ctx, `INSERT INTO providers (name, created_at) VALUES (?, ?) RETURNING id, name, created_at`,
		strings.TrimSpace(name), millis(tx.now)).Scan(&p.ID, &p.Name, &created)
	if err != nil {
		return p, err
	}
	p.CreatedAt = fromMillis(created)
	tx.logAudit(actor, portal.AuditEntry{
		Action: portal.ActionProviderCreate, SubjectKind: portal.SubjectProvider, SubjectID: itoa(p.ID), After: portal.Note(portal.NoteProvider, "Name", p.Name),
	})
	return p, nil
}

// CreateChannelUnderAnyProvider registers a channel of the provider in.Provider.ID, or of
// a new provider named in.Provider.Name when the ID is 0 (created in the
// same transaction), with the kind, LINE channel ID, name, region and (for
// a MINI App) draft business information of in. The actor becomes its
// Admin, as in the LINE Developers Console. The channel starts unverified
// with nothing published: only an approved MINI App review publishes and
// verifies. It does not check that the actor works in an existing
// provider, hence its name: it is for the demo data and tests.
// RegisterChannel, for people registering channels, checks.
func (db *DB) CreateChannelUnderAnyProvider(ctx context.Context, actor portal.Admin, in portal.Channel) (portal.Channel, error) {
	return db.createChannel(ctx, "create channel", actor, in, false)
}

func (db *DB) createChannel(ctx context.Context, op string, actor portal.Admin, in portal.Channel, ownProviderOnly bool) (portal.Channel, error) {
	if err := portal.CheckNewChannel(in); err != nil {
		return portal.Channel{}, err
	}
	var ch portal.Channel
	err := db.update(ctx, func(tx *Tx) (err error) {
		if ch, err = insertChannel(ctx, tx, actor, in, ownProviderOnly); err != nil {
			return err
		}
		tx.logAudit(actor, channelEntry(ch, portal.ActionChannelCreate, portal.AuditNote{},
			portal.Note(portal.NoteChannel, "Kind", string(ch.Kind), "Name", ch.Name, "LINEChannelID", ch.LINEChannelID, "Region", string(ch.Region), "Admin", actor.Name)))
		return nil
	})
	if err != nil {
		return portal.Channel{}, fmt.Errorf("store: %s: %w", op, err)
	}
	return ch, nil
}

// insertChannel inserts the checked channel in under the provider
// in.Provider.ID, or under a new provider named in.Provider.Name when the
// ID is 0, with actor as its Admin. With ownProviderOnly an existing
// provider must be one actor works in (portal.CanRegisterUnderProvider).
func insertChannel(ctx context.Context, tx *Tx, actor portal.Admin, in portal.Channel, ownProviderOnly bool) (portal.Channel, error) {
	switch {
	case in.Provider.ID == 0:
		p, err := insertProvider(ctx, tx, actor, in.Provider.Name)
		if err != nil {
			return portal.Channel{}, err
		}
		in.Provider = p
	case ownProviderOnly:
		works, err := worksInProvider(ctx, tx, actor, in.Provider.ID)
		if err != nil {
			return portal.Channel{}, err
		}
		if err := portal.CanRegisterUnderProvider(works); err != nil {
			return portal.Channel{}, err
		}
	default:
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM providers WHERE id = ?)`, in.Provider.ID).Scan(&exists); err != nil {
			return portal.Channel{}, err
		}
		if !exists {
			return portal.Channel{}, notFound(portal.RNoSuchProvider)
		}
	}
	d := trimInfo(in.Draft)
	d.CompanyCountry = portal.CreationCompanyCountry(in)
	var id int64
	// LINE copies the company or owner's country or region, set at
	// creation, to the published channel at once: it is not part of what
	// the first MINI App review publishes.
	err := tx.QueryRowContext(ctx, `INSERT INTO channels (provider_id, kind, line_channel_id, name, region,
		draft_company_name, draft_address, draft_developer_is_service, draft_provider_is_service,
		draft_company_country, published_company_country, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Provider.ID, in.Kind, in.LINEChannelID, strings.TrimSpace(in.Name), in.Region,
		d.ServiceCompany.CompanyName, d.ServiceCompany.Address, d.DeveloperIsServiceCompany, d.ProviderIsServiceCompany,
		d.CompanyCountry, d.CompanyCountry, millis(tx.now)).Scan(&id)
	if isUniqueViolation(err) {
		return portal.Channel{}, portal.OnField(portal.Refuse(portal.ECONFLICT, portal.RChannelIDTaken, "LINEChannelID", in.LINEChannelID), "line_channel_id")
	}
	if err != nil {
		return portal.Channel{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO channel_roles (channel_id, admin_id, role) VALUES (?, ?, ?)`, id, actor.ID, portal.RoleAdmin); err != nil {
		return portal.Channel{}, err
	}
	return findChannel(ctx, tx, id)
}

// SetChannelRole gives the admin adminID the role Admin or Member on a
// channel, replacing any role they had or giving one to someone who had
// none. Only an Admin of the channel may, and the channel keeps at least
// one Admin (putChannelRole). It is for seeding (the demo, tests): no page
// gives a role by admin ID, since that would reach anyone in the portal;
// the People page changes held roles only (ChangeTeamRole).
func (db *DB) SetChannelRole(ctx context.Context, actor portal.Admin, channelID, adminID int64, role portal.ChannelRole) error {
	return db.onChannel(ctx, "set channel role", actor, channelID, func(tx *Tx, ch portal.Channel, actorRole portal.ChannelRole) error {
		if err := portal.CanSetChannelRole(actorRole, role); err != nil {
			return err
		}
		target, err := findAdmin(ctx, tx, adminID)
		if err != nil {
			return err
		}
		_, err = putChannelRole(ctx, tx, actor, ch, target, role)
		return err
	})
}

// UpdateChannelDraft replaces the draft business information of a MINI
// App. What reviews compare (the published information) does not change
// until an operator approves the draft's MINI App review.
func (db *DB) UpdateChannelDraft(ctx context.Context, actor portal.Admin, channelID int64, draft portal.MiniAppInfo) error {
	return db.onChannel(ctx, "update channel draft", actor, channelID, func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error {
		if err := portal.CanEditChannelDraft(role, ch); err != nil {
			return err
		}
		d := trimInfo(draft)
		if err := portal.FieldRefusals(portal.CheckBusinessInfo(d.ServiceCompany), portal.CheckMiniAppDraft(d)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE channels SET draft_company_name = ?, draft_address = ?, draft_developer_is_service = ?, draft_provider_is_service = ?,
			draft_company_country = ?
			WHERE id = ? AND miniapp_review = ?`,
			d.ServiceCompany.CompanyName, d.ServiceCompany.Address, d.DeveloperIsServiceCompany, d.ProviderIsServiceCompany,
			d.CompanyCountry, ch.ID, ch.MiniAppReview)
		if err := guarded(res, err); err != nil {
			return err
		}
		tx.logAudit(actor, channelEntry(ch, portal.ActionChannelDraftUpdate, miniAppInfoNote(ch.Draft), miniAppInfoNote(d)))
		return nil
	})
}

// SubmitMiniAppReview puts a MINI App's draft in the operators' MINI App
// review queue.
func (db *DB) SubmitMiniAppReview(ctx context.Context, actor portal.Admin, channelID int64) error {
	return db.onChannel(ctx, "submit MINI App review", actor, channelID, func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error {
		if err := portal.CanSubmitMiniAppReview(role, ch); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE channels SET miniapp_review = 'pending', miniapp_review_reason = '', miniapp_review_submitted_at = ?
			WHERE id = ? AND miniapp_review = ?`, millis(tx.now), ch.ID, ch.MiniAppReview)
		if err := guarded(res, err); err != nil {
			return err
		}
		tx.logAudit(actor, channelEntry(ch, portal.ActionMiniAppReviewSubmit, miniAppReviewNote(ch.MiniAppReview), miniAppReviewNote(portal.MiniAppReviewPending)))
		return nil
	})
}

// ApproveMiniAppReview approves a MINI App's (re-)review: the draft becomes
// the published business information and the MINI App is verified.
func (db *DB) ApproveMiniAppReview(ctx context.Context, operator portal.Admin, channelID int64) error {
	return db.onChannel(ctx, "approve MINI App review", operator, channelID, func(tx *Tx, ch portal.Channel, _ portal.ChannelRole) error {
		if err := portal.CanDecideMiniAppReview(operator, ch); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE channels SET
			published_company_name = draft_company_name, published_address = draft_address,
			published_developer_is_service = draft_developer_is_service, published_provider_is_service = draft_provider_is_service,
			published_company_country = draft_company_country, verified = 1, miniapp_review = 'none', miniapp_review_reason = ''
			WHERE id = ? AND miniapp_review = 'pending'`, ch.ID)
		if err := guarded(res, err); err != nil {
			return err
		}
		tx.logAudit(operator, channelEntry(ch, portal.ActionMiniAppReviewApprove, miniAppInfoNote(ch.Published), miniAppInfoNote(ch.Draft)))
		return notify(ctx, tx, operator, portal.NoticeMiniAppVerified, map[string]string{"Channel": ch.Name, "ChannelID": itoa(ch.ID)}, channelAdmins, ch.ID)
	})
}

// RejectMiniAppReview rejects a MINI App's (re-)review with the reason the
// developer is shown; the published information stays as it was.
func (db *DB) RejectMiniAppReview(ctx context.Context, operator portal.Admin, channelID int64, reason string) error {
	return db.onChannel(ctx, "reject MINI App review", operator, channelID, func(tx *Tx, ch portal.Channel, _ portal.ChannelRole) error {
		if err := portal.CanDecideMiniAppReview(operator, ch); err != nil {
			return err
		}
		if err := portal.CheckReason(reason); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE channels SET miniapp_review = 'rejected', miniapp_review_reason = ?
			WHERE id = ? AND miniapp_review = 'pending'`, strings.TrimSpace(reason), ch.ID)
		if err := guarded(res, err); err != nil {
			return err
		}
		tx.logAudit(operator, channelEntry(ch, portal.ActionMiniAppReviewReject, miniAppReviewNote(ch.MiniAppReview),
			portal.Note(portal.NoteMiniAppReviewRejected, "MiniAppReview", string(portal.MiniAppReviewRejected), "Reason", strings.TrimSpace(reason))))
		return notify(ctx, tx, operator, portal.NoticeMiniAppRejected, map[string]string{"Channel": ch.Name, "ChannelID": itoa(ch.ID), "Reason": strings.TrimSpace(reason)},
			channelAdmins, ch.ID)
	})
}

// onChannel runs one transition of a channel: it loads the channel and the
// actor's role on it inside the transaction, and fn checks the rule and
// writes.
func (db *DB) onChannel(ctx context.Context, op string, actor portal.Admin, channelID int64, fn func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error) error {
	return transition(db, ctx, op, func(tx *Tx) (portal.Channel, portal.ChannelRole, error) {
		role := portal.RoleNone
		ch, err := newChannelRow(&role).scan(tx.QueryRowContext(ctx,
			`SELECT `+channelColumns+`, `+channelRoles.roleOf("c.id")+channelTables+channelLink+` WHERE c.id = ?`, actor.ID, channelID))
		if errors.Is(err, sql.ErrNoRows) {
			err = notFound(portal.RNoSuchChannel)
		}
		return ch, role, err
	}, fn)
}

func channelEntry(ch portal.Channel, action portal.AuditAction, before, after portal.AuditNote) portal.AuditEntry {
	return portal.AuditEntry{
		Action: action, SubjectKind: portal.SubjectChannel, SubjectID: itoa(ch.ID), ChannelID: ch.ID, Before: before, After: after,
	}
}

// miniAppInfoNote is a MINI App's business information in the audit log.
func miniAppInfoNote(i portal.MiniAppInfo) portal.AuditNote {
	return portal.Note(portal.NoteMiniAppInfo, "Company", i.ServiceCompany.CompanyName, "Address", i.ServiceCompany.Address,
		"DeveloperIsService", strconv.FormatBool(i.DeveloperIsServiceCompany), "ProviderIsService", strconv.FormatBool(i.ProviderIsServiceCompany),
		"Country", string(i.CompanyCountry))
}

func miniAppReviewNote(s portal.MiniAppReviewState) portal.AuditNote {
	return portal.Note(portal.NoteMiniAppReview, "MiniAppReview", string(s))
}

func trimInfo(i portal.MiniAppInfo) portal.MiniAppInfo {
	i.ServiceCompany = trimBusinessInfo(i.ServiceCompany)
	return i
}

func trimBusinessInfo(b portal.BusinessInfo) portal.BusinessInfo {
	return portal.BusinessInfo{CompanyName: strings.TrimSpace(b.CompanyName), Address: strings.TrimSpace(b.Address)}
}

// FindChannelByID returns a channel with its current link and review, and
// the Official Account it is linked to, since when.
func (db *DB) FindChannelByID(ctx context.Context, id int64) (portal.Channel, error) {
	ch, err := findChannel(ctx, db.read, id)
	if err != nil {
		return portal.Channel{}, fmt.Errorf("store: find channel %d: %w", id, err)
	}
	return ch, nil
}

// ChannelFilter selects channels for a list, newest first.
type ChannelFilter struct {
	// Actor is whose list it is: the channels they hold a role on.
	Actor portal.Admin
	// All lists every channel instead; only for an operator.
	All  bool
	Kind portal.ChannelKind // optional
	// Name, when set, keeps channels whose name contains it, ignoring the
	// case of ASCII letters.
	Name string
	// AdminOnly keeps the channels on which Actor is an Admin: those an
	// Official Account can be registered on. It looks at Actor's own roles
	// only, also with All: an operator's All list keeps the channels the
	// operator is an Admin of, not those that have any Admin.
	AdminOnly bool
	// WithoutOfficialAccount keeps the channels no Official Account is
	// registered on yet (a Messaging API channel belongs to one account).
	WithoutOfficialAccount bool
	Page                   Page
}

// FindChannels returns one page of channels with their current links and
// reviews.
func (db *DB) FindChannels(ctx context.Context, f ChannelFilter) ([]portal.Channel, Cursor, error) {
	if f.All {
		if err := portal.CanListAll(f.Actor); err != nil {
			return nil, "", err
		}
	}
	before, err := f.Page.After.beforeID()
	if err != nil {
		return nil, "", err
	}
	var w where
	w.add(f.Kind != "", "c.kind = ?", f.Kind)
	w.add(f.Name != "", `c.name `+db.dialect.like+` ? ESCAPE '\'`, likeContains(f.Name))
	w.add(f.WithoutOfficialAccount, "NOT EXISTS (SELECT 1 FROM official_accounts oa WHERE oa.channel_id = c.id)")
	if f.All {
		w.add(f.AdminOnly, "EXISTS (SELECT 1 FROM channel_roles x WHERE x.channel_id = c.id AND x.admin_id = ? AND x.role = ?)", f.Actor.ID, portal.RoleAdmin)
	} else {
		w.add(f.AdminOnly, "cr.role = ?", portal.RoleAdmin) // cr: the actor's roles, joined below
	}
	// An admin's list starts from their roles, so it costs the same however
	// many channels others have.
	query := `SELECT ` + channelColumns + ` FROM channel_roles cr JOIN channels c ON c.id = cr.channel_id JOIN providers p ON p.id = c.provider_id` + channelLink +
		` WHERE cr.admin_id = ? AND cr.channel_id < ? AND ` + w.String() + ` ORDER BY cr.channel_id DESC LIMIT ?`
	args := append([]any{f.Actor.ID, before}, w.args...)
	if f.All {
		query = `SELECT ` + channelColumns + channelTables + channelLink + ` WHERE c.id < ? AND ` + w.String() + ` ORDER BY c.id DESC LIMIT ?`
		args = append([]any{before}, w.args...)
	}
	chs, next, err := findPage(ctx, db.read, f.Page, scanChannels(), func(ch portal.Channel) Cursor { return idCursor(ch.ID) }, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: find channels: %w", err)
	}
	return chs, next, nil
}

// FindMiniAppReviewQueue returns one page of the MINI Apps waiting for an
// operator's (re-)review, oldest submission first.
func (db *DB) FindMiniAppReviewQueue(ctx context.Context, operator portal.Admin, p Page) ([]portal.Channel, Cursor, error) {
	if err := portal.CanRunReviews(operator); err != nil {
		return nil, "", err
	}
	at, afterID, err := p.After.afterQueued()
	if err != nil {
		return nil, "", err
	}
	var id int64 // channel IDs are positive: the first page starts after 0
	if afterID != "" {
		if id, err = strconv.ParseInt(afterID, 10, 64); err != nil {
			return nil, "", badCursor()
		}
	}
	chs, next, err := findPage(ctx, db.read, p, scanChannels(),
		func(ch portal.Channel) Cursor { return queueCursor(millis(ch.MiniAppReviewSubmittedAt), itoa(ch.ID)) },
		`SELECT `+channelColumns+channelTables+channelLink+`
		WHERE c.miniapp_review = 'pending' AND (c.miniapp_review_submitted_at, c.id) > (?, ?)
		ORDER BY c.miniapp_review_submitted_at, c.id LIMIT ?`, at, id)
	if err != nil {
		return nil, "", fmt.Errorf("store: find MINI App review queue: %w", err)
	}
	return chs, next, nil
}

// The channel queries: a channel c with its provider p (channelTables), and
// its current link l with that link's current review r and its linked
// Official Account (channelLink, outer-joined because a channel need not be
// linked).
const (
	channelColumns = `c.id, p.id, p.name, p.created_at, c.kind, c.line_channel_id, c.name, c.region, c.verified,
		c.published_company_name, c.published_address, c.published_developer_is_service, c.published_provider_is_service, c.published_company_country,
		c.draft_company_name, c.draft_address, c.draft_developer_is_service, c.draft_provider_is_service, c.draft_company_country,
		c.miniapp_review, c.miniapp_review_reason, c.miniapp_review_submitted_at, c.created_at, ` + linkColumns + `, ` + channelOAColumns
	channelTables = ` FROM channels c JOIN providers p ON p.id = c.provider_id`
	channelLink   = ` LEFT JOIN links l ON l.channel_id = c.id AND l.ended_at IS NULL` + reviewJoin + channelOAJoins
)

func findChannel(ctx context.Context, q querier, id int64) (portal.Channel, error) {
	ch, err := scanChannel(q.QueryRowContext(ctx, `SELECT `+channelColumns+channelTables+channelLink+` WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return portal.Channel{}, notFound(portal.RNoSuchChannel)
	}
	return ch, err
}

func scanChannel(s scanner) (portal.Channel, error) { return newChannelRow().scan(s) }

// scanChannels scans a list's rows, all through one channelRow, so that a
// row allocates no Scan destinations of its own, only the values it
// returns (issue 15).
func scanChannels() func(scanner) (portal.Channel, error) { return newChannelRow().scan }

// channelRow receives channelColumns.
type channelRow struct {
	ch                       portal.Channel
	providerCreated, created int64
	submitted                sql.NullInt64
	link                     linkRow
	oa                       channelOARow
	dest                     []any
}

// newChannelRow makes a channelRow whose Scan destinations are followed by
// extra, for columns a query reads after channelColumns.
func newChannelRow(extra ...any) *channelRow {
	r := &channelRow{}
	ch := &r.ch
	pub, draft := &ch.Published, &ch.Draft
	dest := make([]any, 0, 49+len(extra)) // channelColumns has 49
	dest = append(dest, &ch.ID, &ch.Provider.ID, &ch.Provider.Name, &r.providerCreated, &ch.Kind, &ch.LINEChannelID, &ch.Name, &ch.Region, &ch.Verified,
		&pub.ServiceCompany.CompanyName, &pub.ServiceCompany.Address, &pub.DeveloperIsServiceCompany, &pub.ProviderIsServiceCompany, &pub.CompanyCountry,
		&draft.ServiceCompany.CompanyName, &draft.ServiceCompany.Address, &draft.DeveloperIsServiceCompany, &draft.ProviderIsServiceCompany, &draft.CompanyCountry,
		&ch.MiniAppReview, &ch.MiniAppReviewReason, &r.submitted, &r.created)
	r.dest = append(r.oa.appendDest(r.link.appendDest(dest)), extra...)
	return r
}

// scan reads the next row. The fields it returns besides those Scan
// fills are set on the copy it returns, so nothing of one row remains in
// the next.
func (r *channelRow) scan(s scanner) (portal.Channel, error) {
	if err := s.Scan(r.dest...); err != nil {
		return portal.Channel{}, err
	}
	ch := r.ch
	ch.Provider.CreatedAt, ch.CreatedAt = fromMillis(r.providerCreated), fromMillis(r.created)
	ch.MiniAppReviewSubmittedAt = nullMillis(r.submitted)
	ch.Link = r.link.link()
	ch.LinkedOA = r.oa.link(ch)
	return ch, nil
}
