package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"lineportal/internal/portal"
)

// LinkMiniAppToOfficialAccount links a MINI App channel to an Official
// Account, for good: the Link button of the confirmation screen. The actor
// administers the organization both are linked to, and both account linking
// reviews are Verified. Of two administrators linking the same channel to
// two accounts at once, one succeeds and the other is told the channel is
// already linked: write transactions run one at a time, so the second one
// reads the first one's link (and the schema refuses a second link from
// any writer).
func (db *DB) LinkMiniAppToOfficialAccount(ctx context.Context, actor portal.Admin, oaID, channelID int64) (portal.OALink, error) {
	var link portal.OALink
	err := db.update(ctx, func(tx *Tx) error {
		oa, err := findOfficialAccount(ctx, tx, oaID)
		if err != nil {
			return err
		}
		ch, err := findChannel(ctx, tx, channelID)
		if err != nil {
			return err
		}
		var orgAdmin bool
		if oa.Link != nil {
			if orgAdmin, err = isOrganizationAdmin(ctx, tx, oa.Link.OrgID, actor.ID); err != nil {
				return err
			}
		}
		if err := portal.CanLinkOfficialAccount(orgAdmin, oa, ch); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mini_app_oa_links (channel_id, official_account_id, org_id, linked_at, linked_by) VALUES (?, ?, ?, ?, ?)`,
			ch.ID, oa.ID, oa.Link.OrgID, millis(tx.now), actor.ID); err != nil {
			return err
		}
		link = newOALink(tx, actor, ch, oa)
		link.OrgID = oa.Link.OrgID
		tx.logAudit(actor, portal.AuditEntry{
			Action: portal.ActionOALinkCreate, SubjectKind: portal.SubjectOALink, SubjectID: itoa(ch.ID),
			ChannelID: ch.ID, OfficialAccountID: oa.ID, OrgID: link.OrgID,
			After: portal.Note(portal.NoteOALink, "Name", ch.Name, "LINEChannelID", ch.LINEChannelID, "BasicID", oa.BasicID, "OAName", oa.Name),
		})
		return nil
	})
	if err != nil {
		return portal.OALink{}, fmt.Errorf("store: link MINI App to official account: %w", err)
	}
	return link, nil
}

// SetLinkedOA makes an Official Account the Linked OA of a LINE Login
// channel, replacing the one it had. The actor is an Admin of both, and the
// account's Messaging API channel belongs to the Login channel's provider.
// A replacement is also logged on the page of the account it replaces.
func (db *DB) SetLinkedOA(ctx context.Context, actor portal.Admin, loginChannelID, oaID int64) (portal.OALink, error) {
	var link portal.OALink
	err := db.onChannel(ctx, "set linked OA", actor, loginChannelID, func(tx *Tx, ch portal.Channel, role portal.ChannelRole) error {
		oa, err := findOfficialAccount(ctx, tx, oaID)
		if err != nil {
			return err
		}
		oaRole, err := officialAccountRole(ctx, tx, oa.ID, actor.ID)
		if err != nil {
			return err
		}
		if err := portal.CanSetLinkedOA(role, ch, oaRole, oa); err != nil {
			return err
		}
		before, old := portal.Note(portal.NoteNoOA), ch.LinkedOA
		if old == nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO login_linked_oas (channel_id, official_account_id, linked_at, linked_by) VALUES (?, ?, ?, ?)`,
				ch.ID, oa.ID, millis(tx.now), actor.ID)
		} else {
			before = linkedOANote(old.BasicID, old.OAName)
			err = guarded(tx.ExecContext(ctx, `UPDATE login_linked_oas SET official_account_id = ?, linked_at = ?, linked_by = ?
				WHERE channel_id = ? AND official_account_id = ?`, oa.ID, millis(tx.now), actor.ID, ch.ID, old.OfficialAccountID))
		}
		if err != nil {
			return err
		}
		link = newOALink(tx, actor, ch, oa)
		entry := channelEntry(ch, portal.ActionLinkedOASet, before, linkedOANote(oa.BasicID, oa.Name))
		entry.OfficialAccountID = oa.ID
		tx.logAudit(actor, entry)
		if old == nil {
			return nil
		}
		// The same change, placed on the replaced account's page only: one
		// entry can name one account.
		entry.ChannelID, entry.OfficialAccountID = 0, old.OfficialAccountID
		tx.logAudit(actor, entry)
		return nil
	})
	return link, err
}

func newOALink(tx *Tx, actor portal.Admin, ch portal.Channel, oa portal.OfficialAccount) portal.OALink {
	return portal.OALink{
		ChannelID: ch.ID, ChannelKind: ch.Kind, ChannelName: ch.Name, OfficialAccountID: oa.ID, BasicID: oa.BasicID, OAName: oa.Name,
		LinkedAt: fromMillis(millis(tx.now)), LinkedBy: actor.ID, LinkedByName: actor.Name,
	}
}

func linkedOANote(basicID, name string) portal.AuditNote {
	return portal.Note(portal.NoteOA, "BasicID", basicID, "Name", name)
}

// FindOALinkTargets returns one page of "Select target for linking" for
// the Official Account oaID of organization orgID: the other accounts and
// the channels linked to the organization now, newest link first, each
// either selectable or with the reason it is not (portal.CheckLinkTargets).
// The page is read in one read transaction, so that every row reflects the
// same moment.
func (db *DB) FindOALinkTargets(ctx context.Context, orgID string, oaID int64, p Page) ([]portal.LinkTarget, Cursor, error) {
	before, err := p.After.beforeID()
	if err != nil {
		return nil, "", err
	}
	rtx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, "", fmt.Errorf("store: find OA link targets: %w", err)
	}
	defer rtx.Rollback()
	oa, err := findOfficialAccount(ctx, rtx, oaID)
	if err == nil && (oa.Link == nil || oa.Link.OrgID != orgID) {
		err = notFound(portal.ROANotLinkedToOrg, "BasicID", oa.BasicID, "OrgID", orgID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: find OA link targets: %w", err)
	}
	type row struct{ linkID, channelID, oaID sql.NullInt64 }
	rows, next, err := findPage(ctx, rtx, p, func(s scanner) (row, error) {
		var r row
		return r, s.Scan(&r.linkID, &r.channelID, &r.oaID)
	}, func(r row) Cursor { return idCursor(r.linkID.Int64) },
		`SELECT l.id, l.channel_id, l.official_account_id FROM links l
		WHERE l.org_id = ? AND l.ended_at IS NULL AND l.id < ? AND l.official_account_id IS DISTINCT FROM ? ORDER BY l.id DESC LIMIT ?`,
		orgID, before, oa.ID)
	if err != nil {
		return nil, "", fmt.Errorf("store: find OA link targets: %w", err)
	}
	// The page's channels and accounts, each kind read in one query.
	var channelIDs, oaIDs []int64
	for _, r := range rows {
		if r.channelID.Valid {
			channelIDs = append(channelIDs, r.channelID.Int64)
		} else {
			oaIDs = append(oaIDs, r.oaID.Int64)
		}
	}
	chs, err := findAll(ctx, rtx, scanChannels(), `SELECT `+channelColumns+channelTables+channelLink+` WHERE c.id `+db.dialect.idsIn, idList(channelIDs))
	if err != nil {
		return nil, "", fmt.Errorf("store: find OA link targets: %w", err)
	}
	oas, err := findAll(ctx, rtx, scanOfficialAccount, `SELECT `+officialAccountColumns+officialAccountTables+` WHERE o.id `+db.dialect.idsIn, idList(oaIDs))
	if err != nil {
		return nil, "", fmt.Errorf("store: find OA link targets: %w", err)
	}
	channels, accounts := map[int64]*portal.Channel{}, map[int64]*portal.OfficialAccount{}
	for i := range chs {
		channels[chs[i].ID] = &chs[i]
	}
	for i := range oas {
		accounts[oas[i].ID] = &oas[i]
	}
	targets := make([]portal.LinkTarget, len(rows))
	for i, r := range rows {
		if r.channelID.Valid {
			targets[i].Channel = channels[r.channelID.Int64]
		} else {
			targets[i].OfficialAccount = accounts[r.oaID.Int64]
		}
	}
	return portal.CheckLinkTargets(oa, targets), next, nil
}

// idList is ids as a JSON array, for dialect.idsIn: one placeholder for
// any number of IDs.
func idList(ids []int64) string {
	if ids == nil {
		return "[]"
	}
	b, _ := json.Marshal(ids) // a slice of integers always marshals
	return string(b)
}

// FindOfficialAccountChannels returns the channels linked to an Official
// Account, newest first: the MINI App channels linked to it for good and
// the LINE Login channels whose Linked OA it is, each since when. An
// account has a handful, so the list is not paginated.
func (db *DB) FindOfficialAccountChannels(ctx context.Context, oaID int64) ([]portal.OALink, error) {
	const columns = `c.id, c.kind, c.name, o.id, o.basic_id, o.name, %s, x.linked_at, x.linked_by, a.name`
	const tables = ` x JOIN channels c ON c.id = x.channel_id JOIN official_accounts o ON o.id = x.official_account_id JOIN admins a ON a.id = x.linked_by
		WHERE x.official_account_id = ?`
	links, err := findAll(ctx, db.read, scanOALink,
		`SELECT `+fmt.Sprintf(columns, "x.org_id")+` FROM mini_app_oa_links`+tables+`
		UNION ALL SELECT `+fmt.Sprintf(columns, "''")+` FROM login_linked_oas`+tables+`
		ORDER BY 8 DESC, 1 DESC`, oaID, oaID) // linked_at, then channel
	if err != nil {
		return nil, fmt.Errorf("store: find official account channels %d: %w", oaID, err)
	}
	return links, nil
}

func scanOALink(s scanner) (portal.OALink, error) {
	var l portal.OALink
	var at int64
	err := s.Scan(&l.ChannelID, &l.ChannelKind, &l.ChannelName, &l.OfficialAccountID, &l.BasicID, &l.OAName, &l.OrgID, &at, &l.LinkedBy, &l.LinkedByName)
	l.LinkedAt = fromMillis(at)
	return l, err
}

// The channel queries' linked Official Account: a MINI App's link (cmo)
// or a Login channel's Linked OA (clo), at most one of which exists for a
// channel, the account (coa) and who linked it (cob). Each is a seek by
// key.
const (
	channelOAColumns = `coa.id, coa.basic_id, coa.name, cmo.org_id, coalesce(cmo.linked_at, clo.linked_at), coalesce(cmo.linked_by, clo.linked_by), cob.name`
	channelOAJoins   = `
		LEFT JOIN mini_app_oa_links cmo ON cmo.channel_id = c.id
		LEFT JOIN login_linked_oas clo ON clo.channel_id = c.id
		LEFT JOIN official_accounts coa ON coa.id = coalesce(cmo.official_account_id, clo.official_account_id)
		LEFT JOIN admins cob ON cob.id = coalesce(cmo.linked_by, clo.linked_by)`
)

// channelOARow receives channelOAColumns, all NULL when the channel is
// linked to no account.
type channelOARow struct {
	id, linkedAt, linkedBy             sql.NullInt64
	basicID, name, orgID, linkedByName sql.NullString
}

// appendDest appends the row's Scan destinations to dest.
func (r *channelOARow) appendDest(dest []any) []any {
	return append(dest, &r.id, &r.basicID, &r.name, &r.orgID, &r.linkedAt, &r.linkedBy, &r.linkedByName)
}

func (r *channelOARow) link(ch portal.Channel) *portal.OALink {
	if !r.id.Valid {
		return nil
	}
	return &portal.OALink{
		ChannelID: ch.ID, ChannelKind: ch.Kind, ChannelName: ch.Name,
		OfficialAccountID: r.id.Int64, BasicID: r.basicID.String, OAName: r.name.String, OrgID: r.orgID.String,
		LinkedAt: nullMillis(r.linkedAt), LinkedBy: r.linkedBy.Int64, LinkedByName: r.linkedByName.String,
	}
}
