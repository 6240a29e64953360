package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"lineportal/internal/portal"
)

// Invitations to hold a role on a channel, an Official Account or an
// organization (portal/invitation.go has the rules).

// CreateInvitation invites whoever opens the returned URL token
// (/invitations/{token}) to hold role on team (only its IDs are read),
// with an optional note. The token is returned this once and never
// stored, only its SHA-256, so a page must show the URL now or not at all.
func (db *DB) CreateInvitation(ctx context.Context, actor portal.Admin, team portal.Team, role portal.ChannelRole, note string) (inv portal.Invitation, token string, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		t, standing, err := loadTeam(ctx, tx, team, actor.ID)
		if err != nil {
			return err
		}
		if err := portal.CheckInvitation(t, standing, role, note); err != nil {
			return err
		}
		// 26 base32 characters: 130 random bits, safe in a URL path.
		token = rand.Text()
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO invitations (token_hash, channel_id, official_account_id, org_id, role, note, invited_by, state, issued_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`,
			tokenHash(token), nullInt(t.ChannelID), nullInt(t.OfficialAccountID), nullString(t.OrgID), role, strings.TrimSpace(note), actor.ID,
			millis(tx.now), millis(tx.now.Add(portal.InvitationValidity))).Scan(&id)
		if err != nil {
			return err
		}
		if inv, err = findInvitation(ctx, tx, `i.id = ?`, id); err != nil {
			return err
		}
		tx.logAudit(actor, invitationEntry(inv, portal.ActionInvitationCreate, portal.AuditNote{}, portal.Note(portal.NoteInvitedAs, "Role", string(inv.Role))))
		return nil
	})
	if err != nil {
		return portal.Invitation{}, "", fmt.Errorf("store: create invitation: %w", err)
	}
	return inv, token, nil
}

// FindPendingInvitations lists a team's invitations that are still
// pending (some may have expired: Invitation.StateAt tells), newest first.
// A team has a handful, so the list is not paginated.
func (db *DB) FindPendingInvitations(ctx context.Context, team portal.Team) ([]portal.Invitation, error) {
	cond, arg := teamCondition(team)
	invs, err := findAll(ctx, db.read, scanInvitation, `SELECT `+invitationColumns+invitationTables+` WHERE `+cond+` AND i.state = 'pending' ORDER BY i.id DESC LIMIT 100`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: find pending invitations: %w", err)
	}
	return invs, nil
}

// RevokeInvitation revokes a pending invitation of team, so that its URL
// stops working. Only the team's Admins or administrators may.
func (db *DB) RevokeInvitation(ctx context.Context, actor portal.Admin, team portal.Team, invitationID int64) error {
	err := db.update(ctx, func(tx *Tx) error {
		cond, arg := teamCondition(team)
		inv, err := findInvitation(ctx, tx, `i.id = ? AND `+cond, invitationID, arg)
		if err != nil {
			return err
		}
		var standing portal.ChannelRole
		if inv.Team, standing, err = loadTeam(ctx, tx, inv.Team, actor.ID); err != nil {
			return err
		}
		if err := portal.CanRevokeInvitation(inv, standing, tx.now); err != nil {
			return err
		}
		return decideInvitation(ctx, tx, actor, inv, portal.InvitationRevoked, portal.ActionInvitationRevoke)
	})
	if err != nil {
		return fmt.Errorf("store: revoke invitation: %w", err)
	}
	return nil
}

// FindInvitationByToken returns what the page of an invitation URL shows
// and portal.CanAnswerInvitation decides on. It only reads: link-preview
// bots fetch URLs pasted in chats, and opening one must change nothing.
func (db *DB) FindInvitationByToken(ctx context.Context, actor portal.Admin, token string) (portal.InvitationOpening, error) {
	o, err := openInvitation(ctx, db.read, actor, token)
	if err != nil {
		return portal.InvitationOpening{}, fmt.Errorf("store: find invitation: %w", err)
	}
	return o, nil
}

func openInvitation(ctx context.Context, q querier, actor portal.Admin, token string) (portal.InvitationOpening, error) {
	inv, err := findInvitation(ctx, q, `i.token_hash = ?`, tokenHash(token))
	if err != nil {
		return portal.InvitationOpening{}, err
	}
	o := portal.InvitationOpening{Invitation: inv}
	if o.Invitation.Team, o.Held, err = loadTeam(ctx, q, inv.Team, actor.ID); err != nil {
		return o, err
	}
	_, o.SenderHeld, err = loadTeam(ctx, q, inv.Team, inv.InvitedBy)
	return o, err
}

// AcceptInvitation gives actor the invitation's role on its team, in one
// transaction with using the invitation up: of any number of concurrent
// acceptances exactly one grants the role, and the others are told the
// invitation was already used.
func (db *DB) AcceptInvitation(ctx context.Context, actor portal.Admin, token string) (portal.Invitation, error) {
	return db.answerInvitation(ctx, "accept invitation", actor, token, portal.InvitationAccepted, func(tx *Tx, inv portal.Invitation) error {
		if err := grantTeamRole(ctx, tx, actor, inv.Team, actor, inv.Role); err != nil {
			return err
		}
		return notify(ctx, tx, actor, portal.NoticeInvitationAccepted, invitationNoticeParams(actor, inv), oneAdmin, inv.InvitedBy)
	})
}

// DeclineInvitation declines the invitation: its URL stops working and
// nobody gets a role.
func (db *DB) DeclineInvitation(ctx context.Context, actor portal.Admin, token string) (portal.Invitation, error) {
	return db.answerInvitation(ctx, "decline invitation", actor, token, portal.InvitationDeclined, func(tx *Tx, inv portal.Invitation) error {
		return notify(ctx, tx, actor, portal.NoticeInvitationDeclined, invitationNoticeParams(actor, inv), oneAdmin, inv.InvitedBy)
	})
}

// invitationNoticeParams are what a notice of actor's answer to inv names.
func invitationNoticeParams(actor portal.Admin, inv portal.Invitation) map[string]string {
	return map[string]string{
		"Name": actor.Name, "Role": string(inv.Role), "TeamKind": inv.Team.Kind(), "Team": inv.Team.Name,
		"ChannelID": itoa(inv.Team.ChannelID), "OfficialAccountID": itoa(inv.Team.OfficialAccountID), "OrgID": inv.Team.OrgID,
	}
}

// answerInvitation decides the invitation of token as state, if actor may
// answer it now, then runs then (when not nil) in the same transaction.
func (db *DB) answerInvitation(ctx context.Context, op string, actor portal.Admin, token string, state portal.InvitationState, then func(tx *Tx, inv portal.Invitation) error) (portal.Invitation, error) {
	var inv portal.Invitation
	err := db.update(ctx, func(tx *Tx) error {
		o, err := openInvitation(ctx, tx, actor, token)
		if err != nil {
			return err
		}
		if err := portal.CanAnswerInvitation(actor, o, tx.now); err != nil {
			return err
		}
		inv = o.Invitation
		action := portal.ActionInvitationAccept
		if state == portal.InvitationDeclined {
			action = portal.ActionInvitationDecline
		}
		if err := decideInvitation(ctx, tx, actor, inv, state, action); err != nil {
			return err
		}
		if then != nil {
			return then(tx, inv)
		}
		return nil
	})
	if err != nil {
		return portal.Invitation{}, fmt.Errorf("store: %s: %w", op, err)
	}
	return inv, nil
}

// decideInvitation moves a pending invitation to state, once: the update
// is guarded, so two concurrent decisions make one.
func decideInvitation(ctx context.Context, tx *Tx, actor portal.Admin, inv portal.Invitation, state portal.InvitationState, action portal.AuditAction) error {
	res, err := tx.ExecContext(ctx, `UPDATE invitations SET state = ?, decided_at = ?, decided_by = ? WHERE id = ? AND state = 'pending'`,
		state, millis(tx.now), actor.ID, inv.ID)
	if err := guarded(res, err); err != nil {
		return err
	}
	tx.logAudit(actor, invitationEntry(inv, action, portal.Note(portal.NoteInvitation, "Invitation", string(inv.StateAt(tx.now))), portal.Note(portal.NoteInvitation, "Invitation", string(state))))
	return nil
}

// grantTeamRole gives target role on team, once the rules allowed it,
// through the same writes as giving roles by LINE user ID, so each keeps
// its own guard (a channel keeps an Admin) and audit entry.
func grantTeamRole(ctx context.Context, tx *Tx, actor portal.Admin, team portal.Team, target portal.Admin, role portal.ChannelRole) error {
	switch team.Kind() {
	case "channel":
		ch, err := findChannel(ctx, tx, team.ChannelID)
		if err != nil {
			return err
		}
		_, err = putChannelRole(ctx, tx, actor, ch, target, role)
		return err
	case "official_account":
		oa, err := findOfficialAccount(ctx, tx, team.OfficialAccountID)
		if err != nil {
			return err
		}
		return putOfficialAccountRole(ctx, tx, actor, oa, target, role)
	}
	org, err := findOrganization(ctx, tx, team.OrgID)
	if err != nil {
		return err
	}
	return addOrganizationAdmin(ctx, tx, actor, org, target)
}

// loadTeam reads the team named by team's IDs: its name, and what the
// admin adminID holds on it (RoleAdmin for an organization's
// administrator).
func loadTeam(ctx context.Context, q querier, team portal.Team, adminID int64) (portal.Team, portal.ChannelRole, error) {
	switch team.Kind() {
	case "channel":
		ch, err := findChannel(ctx, q, team.ChannelID)
		if err != nil {
			return team, portal.RoleNone, err
		}
		team.Name = ch.Name
		role, err := channelRole(ctx, q, ch.ID, adminID)
		return team, role, err
	case "official_account":
		oa, err := findOfficialAccount(ctx, q, team.OfficialAccountID)
		if err != nil {
			return team, portal.RoleNone, err
		}
		team.Name = oa.Name
		role, err := officialAccountRole(ctx, q, oa.ID, adminID)
		return team, role, err
	}
	org, err := findOrganization(ctx, q, team.OrgID)
	if err != nil {
		return team, portal.RoleNone, err
	}
	team.Name = org.Name
	admin, err := isOrganizationAdmin(ctx, q, org.ID, adminID)
	if admin {
		return team, portal.RoleAdmin, err
	}
	return team, portal.RoleNone, err
}

// teamCondition is the SQL term on invitations i that selects team's.
func teamCondition(team portal.Team) (string, any) {
	switch team.Kind() {
	case "channel":
		return `i.channel_id = ?`, team.ChannelID
	case "official_account":
		return `i.official_account_id = ?`, team.OfficialAccountID
	}
	return `i.org_id = ?`, team.OrgID
}

func invitationEntry(inv portal.Invitation, action portal.AuditAction, before, after portal.AuditNote) portal.AuditEntry {
	return portal.AuditEntry{
		Action: action, SubjectKind: portal.SubjectInvitation, SubjectID: itoa(inv.ID),
		ChannelID: inv.Team.ChannelID, OfficialAccountID: inv.Team.OfficialAccountID, OrgID: inv.Team.OrgID, Before: before, After: after,
	}
}

const (
	invitationColumns = `i.id, i.channel_id, i.official_account_id, i.org_id, i.role, i.note, i.invited_by, s.name, i.state,
		i.issued_at, i.expires_at, i.decided_at, i.decided_by, d.name`
	invitationTables = ` FROM invitations i JOIN admins s ON s.id = i.invited_by LEFT JOIN admins d ON d.id = i.decided_by`
)

// findInvitation returns the invitation matching cond (a fixed SQL term on
// i), as a page that can't be found says.
func findInvitation(ctx context.Context, q querier, cond string, args ...any) (portal.Invitation, error) {
	inv, err := scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationColumns+invitationTables+` WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return portal.Invitation{}, notFound(portal.RInviteURLInvalid)
	}
	return inv, err
}

func scanInvitation(s scanner) (portal.Invitation, error) {
	var inv portal.Invitation
	var channelID, oaID, decidedAt, decidedBy sql.NullInt64
	var orgID, decidedByName sql.NullString
	var issued, expires int64
	if err := s.Scan(&inv.ID, &channelID, &oaID, &orgID, &inv.Role, &inv.Note, &inv.InvitedBy, &inv.InvitedByName, &inv.State,
		&issued, &expires, &decidedAt, &decidedBy, &decidedByName); err != nil {
		return portal.Invitation{}, err
	}
	inv.Team = portal.Team{ChannelID: channelID.Int64, OfficialAccountID: oaID.Int64, OrgID: orgID.String}
	inv.IssuedAt, inv.ExpiresAt, inv.DecidedAt = fromMillis(issued), fromMillis(expires), nullMillis(decidedAt)
	inv.DecidedBy, inv.DecidedByName = decidedBy.Int64, decidedByName.String
	return inv, nil
}
