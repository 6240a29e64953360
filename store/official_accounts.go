package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"lineportal/internal/portal"
	"lineportal/internal/secret"
)

// CreateOfficialAccount registers a LINE Official Account on the Messaging
// API channel in.ChannelID, with the basic ID, name, picture, plan and
// business information of in. Only an Admin of that channel may; they
// become the account's Admin.
func (db *DB) CreateOfficialAccount(ctx context.Context, actor portal.Admin, in portal.OfficialAccount) (portal.OfficialAccount, error) {
	if err := portal.CheckNewOfficialAccount(in); err != nil {
		return portal.OfficialAccount{}, err
	}
	e := trimEdit(in.Edit())
	var oa portal.OfficialAccount
	err := db.onChannel(ctx, "create official account", actor, in.ChannelID, func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error {
		existing, err := lookupOfficialAccount(ctx, tx, `o.channel_id = ?`, ch.ID)
		if err != nil {
			return err
		}
		if err := portal.CanCreateOfficialAccount(role, ch, existing); err != nil {
			return err
		}
		taken, err := lookupOfficialAccount(ctx, tx, `o.basic_id = ?`, in.BasicID)
		if err != nil {
			return err
		}
		if taken != nil {
			return portal.BasicIDTaken(in.BasicID)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO official_accounts (basic_id, name, picture_url, channel_id, plan, company_name, address, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.BasicID, e.Name, e.PictureURL, ch.ID, e.Plan, e.Info.CompanyName, e.Info.Address, millis(tx.now)).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO official_account_roles (official_account_id, admin_id, role) VALUES (?, ?, ?)`, id, actor.ID, portal.RoleAdmin); err != nil {
			return err
		}
		if oa, err = findOfficialAccount(ctx, tx, id); err != nil {
			return err
		}
		entry := officialAccountEntry(oa, portal.ActionOfficialAccountCreate, portal.AuditNote{},
			editNote(portal.NoteOACreated, oa.BasicID, oa.Edit(), "LINEChannelID", oa.LINEChannelID, "Admin", actor.Name))
		entry.ChannelID = ch.ID
		tx.logAudit(actor, entry)
		return nil
	})
	if err != nil {
		return portal.OfficialAccount{}, err
	}
	return oa, nil
}

// UpdateOfficialAccount replaces the name, picture, plan and business
// information of an Official Account, by one of its Admins.
func (db *DB) UpdateOfficialAccount(ctx context.Context, actor portal.Admin, oaID int64, in portal.OfficialAccountEdit) error {
	return db.onOfficialAccount(ctx, "update official account", actor, oaID, func(tx *Tx, oa portal.OfficialAccount, role portal.ChannelRole) error {
		e := trimEdit(in)
		if err := portal.CanEditOfficialAccount(role, oa, e); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE official_accounts SET name = ?, picture_url = ?, plan = ?, company_name = ?, address = ? WHERE id = ?`,
			e.Name, e.PictureURL, e.Plan, e.Info.CompanyName, e.Info.Address, oa.ID); err != nil {
			return err
		}
		tx.logAudit(actor, officialAccountEntry(oa, portal.ActionOfficialAccountUpdate, editNote(portal.NoteOfficialAccount, oa.BasicID, oa.Edit()), editNote(portal.NoteOfficialAccount, oa.BasicID, e)))
		return nil
	})
}

// ConnectOfficialAccount stores the channel secret of an Official
// Account's Messaging API channel, sealed with box, with a token the
// portal issued from it (which proved the secret to LINE) and its expiry;
// the portal issues the next ones itself. Only an Admin of the account
// may. The audit log records that it happened, never the values.
func (db *DB) ConnectOfficialAccount(ctx context.Context, box *secret.Box, actor portal.Admin, oaID int64, channelSecret, accessToken string, expiresAt time.Time) error {
	if box == nil {
		return errNoBox
	}
	return db.onOfficialAccount(ctx, "connect official account", actor, oaID, func(tx *Tx, oa portal.OfficialAccount, role portal.ChannelRole) error {
		if err := portal.CanConnectOfficialAccount(role); err != nil {
			return err
		}
		if err := portal.CheckChannelSecret(channelSecret); err != nil {
			return err
		}
		if err := putCredentials(ctx, tx, box, oa.ChannelID, channelSecret, accessToken, expiresAt); err != nil {
			return err
		}
		entry := officialAccountEntry(oa, portal.ActionOfficialAccountConnect, portal.AuditNote{},
			portal.Note(portal.NoteOAConnected, "LINEChannelID", oa.LINEChannelID))
		entry.ChannelID = oa.ChannelID
		tx.logAudit(actor, entry)
		return nil
	})
}

// RecordWebhookSet records, once LINE accepted it, that an Admin pointed
// an Official Account's webhook from one URL ("" for none) to another.
func (db *DB) RecordWebhookSet(ctx context.Context, actor portal.Admin, oaID int64, from, to string) error {
	return db.onOfficialAccount(ctx, "record webhook set", actor, oaID, func(tx *Tx, oa portal.OfficialAccount, role portal.ChannelRole) error {
		if err := portal.CanSetWebhook(role); err != nil {
			return err
		}
		entry := officialAccountEntry(oa, portal.ActionOfficialAccountWebhookSet, webhookNote(from), webhookNote(to))
		entry.ChannelID = oa.ChannelID
		tx.logAudit(actor, entry)
		return nil
	})
}

// SetOfficialAccountRole gives the admin adminID the role Admin or Member
// on an Official Account, replacing any role they had or giving one. Only
// an Admin of the account may. Like SetChannelRole, it is for seeding; the
// People page changes held roles only (ChangeTeamRole).
func (db *DB) SetOfficialAccountRole(ctx context.Context, actor portal.Admin, oaID, adminID int64, role portal.ChannelRole) error {
	return db.onOfficialAccount(ctx, "set official account role", actor, oaID, func(tx *Tx, oa portal.OfficialAccount, actorRole portal.ChannelRole) error {
		if err := portal.CanSetOfficialAccountRole(actorRole, role); err != nil {
			return err
		}
		target, err := findAdmin(ctx, tx, adminID)
		if err != nil {
			return err
		}
		return putOfficialAccountRole(ctx, tx, actor, oa, target, role)
	})
}

// LinkOfficialAccountToOrganization links an Official Account to the
// organization orgID, whose ID the actor entered, who must be an Admin of the
// account and an administrator of the organization. Its account linking
// review starts as a channel's does: at once when the organization is
// verified, together with the organization's verification review when
// that can start, and a mismatch rejects it even before.
func (db *DB) LinkOfficialAccountToOrganization(ctx context.Context, actor portal.Admin, oaID int64, orgID portal.OrganizationID) (portal.Link, error) {
	var link portal.Link
	err := db.onOfficialAccount(ctx, "link official account to organization", actor, oaID, func(tx *Tx, oa portal.OfficialAccount, role portal.ChannelRole) error {
		org, orgAdmin, err := lookupOrganizationWithAdmin(ctx, tx, string(orgID), actor.ID)
		if err != nil {
			return err
		}
		if err := portal.CanLinkOfficialAccountToOrganization(role, oa, orgID, org, orgAdmin); err != nil {
			return err
		}
		link, err = createLink(ctx, tx, actor, officialAccountSubject(oa), *org)
		return err
	})
	return link, err
}

// TransferOfficialAccount moves an Official Account linked to organization
// from to the organization destID, whose ID the actor entered, as TransferChannel
// moves a channel. Its links to MINI App channels stay: they can never be
// removed.
func (db *DB) TransferOfficialAccount(ctx context.Context, actor portal.Admin, oaID int64, from string, destID portal.OrganizationID) (portal.Link, error) {
	var link portal.Link
	err := db.update(ctx, func(tx *Tx) error {
		oa, err := findOfficialAccount(ctx, tx, oaID)
		if err != nil {
			return err
		}
		link, err = transferLink(ctx, tx, actor, oa.Link, officialAccountSubject(oa), from, destID,
			func(fromAdmin bool, dest *portal.Organization, toAdmin bool) error {
				return portal.CanTransferOfficialAccount(oa, fromAdmin, destID, dest, toAdmin)
			})
		return err
	})
	if err != nil {
		return portal.Link{}, fmt.Errorf("store: transfer official account: %w", err)
	}
	return link, nil
}

// onOfficialAccount runs one transition of an Official Account: it loads
// the account and the actor's role on it inside the transaction, and fn
// checks the rule and writes.
func (db *DB) onOfficialAccount(ctx context.Context, op string, actor portal.Admin, oaID int64, fn func(tx *Tx, oa portal.OfficialAccount, role portal.ChannelRole) error) error {
	return transition(db, ctx, op, func(tx *Tx) (portal.OfficialAccount, portal.ChannelRole, error) {
		oa, err := findOfficialAccount(ctx, tx, oaID)
		if err != nil {
			return oa, portal.RoleNone, err
		}
		role, err := officialAccountRole(ctx, tx, oa.ID, actor.ID)
		return oa, role, err
	}, fn)
}

func officialAccountEntry(oa portal.OfficialAccount, action portal.AuditAction, before, after portal.AuditNote) portal.AuditEntry {
	return portal.AuditEntry{
		Action: action, SubjectKind: portal.SubjectOfficialAccount, SubjectID: itoa(oa.ID), OfficialAccountID: oa.ID, Before: before, After: after,
	}
}

// editNote is an account's editable fields in the audit log, under code,
// with more name/value pairs. A plan's name tells its country (glossary
// rule 9: each market's plans keep their own names).
func editNote(code portal.NoteCode, basicID string, e portal.OfficialAccountEdit, more ...string) portal.AuditNote {
	return portal.Note(code, append([]string{"BasicID", basicID, "Name", e.Name, "PictureURL", e.PictureURL, "Plan", string(e.Plan),
		"Company", e.Info.CompanyName, "Address", e.Info.Address}, more...)...)
}

// webhookNote is a webhook URL in the audit log; "" is none.
func webhookNote(url string) portal.AuditNote {
	if url == "" {
		return portal.Note(portal.NoteNoWebhookURL)
	}
	return portal.Note(portal.NoteWebhookURL, "URL", url)
}

func trimEdit(e portal.OfficialAccountEdit) portal.OfficialAccountEdit {
	e.Name, e.PictureURL = strings.TrimSpace(e.Name), strings.TrimSpace(e.PictureURL)
	e.Info = trimBusinessInfo(e.Info)
	return e
}

// FindOfficialAccountByID returns an Official Account with its current
// link to an organization and that link's review.
func (db *DB) FindOfficialAccountByID(ctx context.Context, id int64) (portal.OfficialAccount, error) {
	oa, err := findOfficialAccount(ctx, db.read, id)
	if err != nil {
		return portal.OfficialAccount{}, fmt.Errorf("store: find official account %d: %w", id, err)
	}
	return oa, nil
}

// FindOfficialAccountByBasicID returns the Official Account with a basic
// ID ("@…", as stored), like FindOfficialAccountByID.
func (db *DB) FindOfficialAccountByBasicID(ctx context.Context, basicID string) (portal.OfficialAccount, error) {
	oa, err := lookupOfficialAccount(ctx, db.read, `o.basic_id = ?`, basicID)
	if err == nil && oa == nil {
		err = notFound(portal.RNoSuchOA)
	}
	if err != nil {
		return portal.OfficialAccount{}, fmt.Errorf("store: find official account %s: %w", basicID, err)
	}
	return *oa, nil
}

// OfficialAccountFilter selects Official Accounts for a list, newest
// first.
type OfficialAccountFilter struct {
	// Actor is whose list it is: the accounts they hold a role on.
	Actor portal.Admin
	// All lists every account instead; only for an operator.
	All bool
	// OrgID lists instead the accounts linked to this organization now, in
	// the order they were linked, newest first. The page showing them
	// decides who may see them (portal.OrganizationAccess).
	OrgID string
	// AdminOnly keeps the accounts on which Actor is an Admin: those a
	// Login channel's Linked OA can be chosen from.
	AdminOnly bool
	// ProviderID, when set, keeps the accounts whose Messaging API channel
	// belongs to this provider.
	ProviderID int64
	Page       Page
}

// FindOfficialAccounts returns one page of Official Accounts, each with
// its current link and review.
func (db *DB) FindOfficialAccounts(ctx context.Context, f OfficialAccountFilter) ([]portal.OfficialAccount, Cursor, error) {
	before, err := f.Page.After.beforeID()
	if err != nil {
		return nil, "", err
	}
	var w where
	w.add(f.ProviderID != 0, "oc.provider_id = ?", f.ProviderID)
	w.add(f.AdminOnly, "EXISTS (SELECT 1 FROM official_account_roles x WHERE x.official_account_id = o.id AND x.admin_id = ? AND x.role = 'admin')", f.Actor.ID)
	var query string
	var args []any
	next := func(oa portal.OfficialAccount) Cursor { return idCursor(oa.ID) }
	switch {
	case f.OrgID != "":
		// Starts from the organization's current Official Account links
		// (links_org_current_official_account), not all its links, most of
		// which are channels'.
		query = `SELECT ` + officialAccountColumns + ` FROM links l JOIN official_accounts o ON o.id = l.official_account_id` + officialAccountChannel + reviewJoin + `
			WHERE l.org_id = ? AND l.ended_at IS NULL AND l.official_account_id IS NOT NULL AND l.id < ? AND ` + w.String() + ` ORDER BY l.id DESC LIMIT ?`
		args = append([]any{f.OrgID, before}, w.args...)
		next = func(oa portal.OfficialAccount) Cursor { return idCursor(oa.Link.ID) }
	case f.All:
		if err := portal.CanListAll(f.Actor); err != nil {
			return nil, "", err
		}
		query = `SELECT ` + officialAccountColumns + officialAccountTables + ` WHERE o.id < ? AND ` + w.String() + ` ORDER BY o.id DESC LIMIT ?`
		args = append([]any{before}, w.args...)
	default:
		query = `SELECT ` + officialAccountColumns + ` FROM official_account_roles oar JOIN official_accounts o ON o.id = oar.official_account_id` +
			officialAccountChannel + officialAccountLink + `
			WHERE oar.admin_id = ? AND oar.official_account_id < ? AND ` + w.String() + ` ORDER BY oar.official_account_id DESC LIMIT ?`
		args = append([]any{f.Actor.ID, before}, w.args...)
	}
	oas, cursor, err := findPage(ctx, db.read, f.Page, scanOfficialAccount, next, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: find official accounts: %w", err)
	}
	return oas, cursor, nil
}

// FindOfficialAccountAccess tells what actor holds on an Official Account:
// their role and whether they administer the organization it is linked to.
func (db *DB) FindOfficialAccountAccess(ctx context.Context, actor portal.Admin, oaID int64) (portal.OfficialAccountAccess, error) {
	role, orgAdmin, err := officialAccountRoles.access(ctx, db.read, oaID, actor.ID)
	if err != nil {
		return portal.OfficialAccountAccess{}, fmt.Errorf("store: find official account access: %w", err)
	}
	return portal.OfficialAccountAccess{Role: role, OrgAdmin: orgAdmin, Operator: actor.Operator}, nil
}

// FindOfficialAccountRoles returns the admins holding a role on an
// Official Account, Admins first, then by name. Accounts have a handful,
// so the list is not paginated.
func (db *DB) FindOfficialAccountRoles(ctx context.Context, oaID int64) ([]portal.AdminRole, error) {
	roles, err := findAll(ctx, db.read, scanAdminRole, `SELECT `+adminColumns+`, oar.role FROM official_account_roles oar JOIN admins ON admins.id = oar.admin_id
		WHERE oar.official_account_id = ? ORDER BY oar.role, admins.name, admins.id`, oaID)
	if err != nil {
		return nil, fmt.Errorf("store: find official account roles %d: %w", oaID, err)
	}
	return roles, nil
}

// scanMore scans the columns its caller expects, then more into extra:
// for scanning an admin followed by their role.
type scanMore struct {
	s     scanner
	extra []any
}

func (m scanMore) Scan(dest ...any) error { return m.s.Scan(append(dest, m.extra...)...) }

// The account queries: an account o with its Messaging API channel oc and
// that channel's provider op (officialAccountChannel), and its current link
// l with the link's current review r (officialAccountLink, outer-joined
// because an account need not be linked).
const (
	officialAccountColumns = `o.id, o.basic_id, o.name, o.picture_url, o.channel_id, oc.line_channel_id, oc.name, op.id, op.name, op.created_at,
		o.plan, o.company_name, o.address, o.created_at, ` + linkColumns
	officialAccountChannel = ` JOIN channels oc ON oc.id = o.channel_id JOIN providers op ON op.id = oc.provider_id`
	officialAccountLink    = ` LEFT JOIN links l ON l.official_account_id = o.id AND l.ended_at IS NULL` + reviewJoin
	officialAccountTables  = ` FROM official_accounts o` + officialAccountChannel + officialAccountLink
)

func scanOfficialAccount(s scanner) (portal.OfficialAccount, error) {
	var oa portal.OfficialAccount
	var providerCreated, created int64
	var link linkRow
	dest := []any{&oa.ID, &oa.BasicID, &oa.Name, &oa.PictureURL, &oa.ChannelID, &oa.LINEChannelID, &oa.ChannelName,
		&oa.Provider.ID, &oa.Provider.Name, &providerCreated, &oa.Plan, &oa.Info.CompanyName, &oa.Info.Address, &created}
	if err := s.Scan(link.appendDest(dest)...); err != nil {
		return portal.OfficialAccount{}, err
	}
	oa.Provider.CreatedAt, oa.CreatedAt = fromMillis(providerCreated), fromMillis(created)
	oa.Link = link.link()
	return oa, nil
}

// lookupOfficialAccount returns the account matching cond (a fixed SQL
// term on o with one argument), or nil when there is none.
func lookupOfficialAccount(ctx context.Context, q querier, cond string, arg any) (*portal.OfficialAccount, error) {
	oa, err := scanOfficialAccount(q.QueryRowContext(ctx, `SELECT `+officialAccountColumns+officialAccountTables+` WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &oa, nil
}

func findOfficialAccount(ctx context.Context, q querier, id int64) (portal.OfficialAccount, error) {
	oa, err := lookupOfficialAccount(ctx, q, `o.id = ?`, id)
	if err != nil {
		return portal.OfficialAccount{}, err
	}
	if oa == nil {
		return portal.OfficialAccount{}, notFound(portal.RNoSuchOA)
	}
	return *oa, nil
}
