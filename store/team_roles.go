package store

import (
	"context"
	"fmt"

	"lineportal/internal/portal"
)

// Roles on channels and Official Accounts (the same two roles, in two
// tables) and organizations' administrators, changed and removed under one
// guard: a team keeps at least one Admin (administrator). The count and
// the change run in one write transaction; on SQLite the single writer
// serializes them, so two Admins demoting each other at once leave one.

// roleTable is where the roles of one kind of team are kept.
type roleTable struct{ table, column string }

var (
	channelRoles         = roleTable{"channel_roles", "channel_id"}
	officialAccountRoles = roleTable{"official_account_roles", "official_account_id"}
)

// admins counts the Admins of the team teamID.
func (t roleTable) admins(ctx context.Context, tx *Tx, teamID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.table+` WHERE `+t.column+` = ? AND role = ?`, teamID, portal.RoleAdmin).Scan(&n)
	return n, err
}

// put gives target role on the team, unless it would leave the team
// without an Admin, and logs the change through entry. It returns the
// role target held before; the same role again writes nothing.
func (t roleTable) put(ctx context.Context, tx *Tx, actor portal.Admin, team portal.Team, teamID int64, target portal.Admin, role portal.ChannelRole,
	entry func(before, after portal.AuditNote) portal.AuditEntry) (portal.ChannelRole, error) {
	old, err := t.role(ctx, tx, teamID, target.ID)
	if err != nil || old == role {
		return old, err
	}
	if err := t.keepsAdmin(ctx, tx, team, teamID, old, role); err != nil {
		return old, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+t.table+` (`+t.column+`, admin_id, role) VALUES (?, ?, ?)
		ON CONFLICT (`+t.column+`, admin_id) DO UPDATE SET role = excluded.role`, teamID, target.ID, role); err != nil {
		return old, err
	}
	tx.logAudit(actor, entry(roleNote(target, old), roleNote(target, role)))
	return old, nil
}

// roleNote is target's role on a team in the audit log.
func roleNote(target portal.Admin, role portal.ChannelRole) portal.AuditNote {
	return portal.Note(portal.NoteRole, "Name", target.Name, "Role", string(role))
}

// remove takes target's role on the team away, under the same guard.
func (t roleTable) remove(ctx context.Context, tx *Tx, actor portal.Admin, team portal.Team, teamID int64, target portal.Admin, old portal.ChannelRole,
	entry func(before, after portal.AuditNote) portal.AuditEntry) error {
	if err := t.keepsAdmin(ctx, tx, team, teamID, old, portal.RoleNone); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE `+t.column+` = ? AND admin_id = ? AND role = ?`, teamID, target.ID, old)
	if err := guarded(res, err); err != nil {
		return err
	}
	tx.logAudit(actor, entry(roleNote(target, old), roleNote(target, portal.RoleNone)))
	return nil
}

func (t roleTable) keepsAdmin(ctx context.Context, tx *Tx, team portal.Team, teamID int64, from, to portal.ChannelRole) error {
	if from != portal.RoleAdmin {
		return nil
	}
	admins, err := t.admins(ctx, tx, teamID)
	if err != nil {
		return err
	}
	return portal.CheckKeepsAdmin(team, admins, from, to)
}

func (t roleTable) role(ctx context.Context, q querier, teamID, adminID int64) (portal.ChannelRole, error) {
	var role portal.ChannelRole
	err := q.QueryRowContext(ctx, `SELECT `+t.roleOf("?"), teamID, adminID).Scan(&role)
	return role, err
}

// roleOf is the SQL of an admin's role (empty for none) on the team whose ID
// is the SQL expression team, for a query to read with other columns. Its
// last placeholder is the admin's ID.
func (t roleTable) roleOf(team string) string {
	return `(SELECT coalesce(max(role), '') FROM ` + t.table + ` WHERE ` + t.column + ` = ` + team + ` AND admin_id = ?)`
}

func channelRole(ctx context.Context, q querier, channelID, adminID int64) (portal.ChannelRole, error) {
	return channelRoles.role(ctx, q, channelID, adminID)
}

func officialAccountRole(ctx context.Context, q querier, oaID, adminID int64) (portal.ChannelRole, error) {
	return officialAccountRoles.role(ctx, q, oaID, adminID)
}

// putChannelRole gives target role on ch (channel_roles.go).
func putChannelRole(ctx context.Context, tx *Tx, actor portal.Admin, ch portal.Channel, target portal.Admin, role portal.ChannelRole) (portal.ChannelRole, error) {
	return channelRoles.put(ctx, tx, actor, portal.Team{ChannelID: ch.ID, Name: ch.Name}, ch.ID, target, role, func(before, after portal.AuditNote) portal.AuditEntry {
		return channelEntry(ch, portal.ActionChannelRoleSet, before, after)
	})
}

// putOfficialAccountRole gives target role on oa.
func putOfficialAccountRole(ctx context.Context, tx *Tx, actor portal.Admin, oa portal.OfficialAccount, target portal.Admin, role portal.ChannelRole) error {
	_, err := officialAccountRoles.put(ctx, tx, actor, portal.Team{OfficialAccountID: oa.ID, Name: oa.Name}, oa.ID, target, role, func(before, after portal.AuditNote) portal.AuditEntry {
		return officialAccountEntry(oa, portal.ActionOfficialAccountRoleSet, before, after)
	})
	return err
}

// RemoveFromTeam takes away the role the admin targetID holds on team: an
// Admin removes someone, or anyone leaves (targetID is themselves). The
// team keeps at least one Admin (administrator). It returns who was
// removed.
func (db *DB) RemoveFromTeam(ctx context.Context, actor portal.Admin, team portal.Team, targetID int64) (portal.Admin, error) {
	var target portal.Admin
	err := db.update(ctx, func(tx *Tx) error {
		t, standing, err := loadTeam(ctx, tx, team, actor.ID)
		if err != nil {
			return err
		}
		if target, err = findAdmin(ctx, tx, targetID); err != nil {
			return err
		}
		_, held, err := loadTeam(ctx, tx, t, target.ID)
		if err != nil {
			return err
		}
		if err := portal.CanRemoveFromTeam(t, actor, standing, target, held); err != nil {
			return err
		}
		if err := removeTeamRole(ctx, tx, actor, t, target, held); err != nil {
			return err
		}
		// Someone who leaves is not told; notify skips the actor.
		return notify(ctx, tx, actor, portal.NoticeTeamRemoved, teamNoticeParams(actor, t, portal.RoleNone), oneAdmin, target.ID)
	})
	if err != nil {
		return portal.Admin{}, fmt.Errorf("store: remove from team: %w", err)
	}
	return target, nil
}

// ChangeTeamRole changes the role the admin targetID holds on team (a
// channel or an Official Account) to role, by one of its Admins; the team
// keeps at least one Admin. Someone without a role there is refused, as is
// an unknown targetID, alike: roles are given through invitations
// (grantTeamRole) or by LINE user ID (GrantChannelRole).
func (db *DB) ChangeTeamRole(ctx context.Context, actor portal.Admin, team portal.Team, targetID int64, role portal.ChannelRole) error {
	err := db.update(ctx, func(tx *Tx) error {
		t, standing, err := loadTeam(ctx, tx, team, actor.ID)
		if err != nil {
			return err
		}
		_, held, err := loadTeam(ctx, tx, t, targetID)
		if err != nil {
			return err
		}
		if err := portal.CanChangeTeamRole(t, standing, held, role); err != nil {
			return err
		}
		target, err := findAdmin(ctx, tx, targetID)
		if err != nil {
			return err
		}
		if err := grantTeamRole(ctx, tx, actor, t, target, role); err != nil {
			return err
		}
		if role == held {
			return nil // nothing changed: nothing to tell
		}
		return notify(ctx, tx, actor, portal.NoticeTeamRoleChanged, teamNoticeParams(actor, t, role), oneAdmin, target.ID)
	})
	if err != nil {
		return fmt.Errorf("store: change team role: %w", err)
	}
	return nil
}

// removeTeamRole takes away the role target holds on t.
func removeTeamRole(ctx context.Context, tx *Tx, actor portal.Admin, t portal.Team, target portal.Admin, held portal.ChannelRole) error {
	switch t.Kind() {
	case "channel":
		ch, err := findChannel(ctx, tx, t.ChannelID)
		if err != nil {
			return err
		}
		return channelRoles.remove(ctx, tx, actor, t, ch.ID, target, held, func(before, after portal.AuditNote) portal.AuditEntry {
			return channelEntry(ch, portal.ActionChannelRoleRemove, before, after)
		})
	case "official_account":
		oa, err := findOfficialAccount(ctx, tx, t.OfficialAccountID)
		if err != nil {
			return err
		}
		return officialAccountRoles.remove(ctx, tx, actor, t, oa.ID, target, held, func(before, after portal.AuditNote) portal.AuditEntry {
			return officialAccountEntry(oa, portal.ActionOfficialAccountRoleRemove, before, after)
		})
	}
	return removeOrganizationAdmin(ctx, tx, actor, t, target)
}

// teamNoticeParams are what a notice of a change on team t by actor names:
// who, the team, and the role given (RoleNone when taken away).
func teamNoticeParams(actor portal.Admin, t portal.Team, role portal.ChannelRole) map[string]string {
	return map[string]string{
		"By": actor.Name, "Role": string(role), "TeamKind": t.Kind(), "Team": t.Name,
		"ChannelID": itoa(t.ChannelID), "OfficialAccountID": itoa(t.OfficialAccountID), "OrgID": t.OrgID,
	}
}

// removeOrganizationAdmin removes target from the organization's
// administrators, unless they are its last.
func removeOrganizationAdmin(ctx context.Context, tx *Tx, actor portal.Admin, team portal.Team, target portal.Admin) error {
	var admins int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organization_admins WHERE org_id = ?`, team.OrgID).Scan(&admins); err != nil {
		return err
	}
	if err := portal.CheckKeepsAdmin(team, admins, portal.RoleAdmin, portal.RoleNone); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM organization_admins WHERE org_id = ? AND admin_id = ?`, team.OrgID, target.ID)
	if err := guarded(res, err); err != nil {
		return err
	}
	org, err := findOrganization(ctx, tx, team.OrgID)
	if err != nil {
		return err
	}
	tx.logAudit(actor, organizationEntry(org, portal.ActionOrganizationAdminRemove, portal.Note(portal.NoteOrgAdmin, "Name", target.Name), portal.AuditNote{}))
	return nil
}

// FindTeam reads the team named by team's IDs, what actor holds on it,
// and who holds a role there: Admins (administrators) first, then
// Members, each by name.
func (db *DB) FindTeam(ctx context.Context, actor portal.Admin, team portal.Team) (portal.Team, portal.ChannelRole, []portal.AdminRole, error) {
	t, standing, err := loadTeam(ctx, db.read, team, actor.ID)
	if err != nil {
		return t, standing, nil, fmt.Errorf("store: find team: %w", err)
	}
	var members []portal.AdminRole
	switch t.Kind() {
	case "channel":
		members, err = db.FindChannelRoles(ctx, t.ChannelID)
	case "official_account":
		members, err = db.FindOfficialAccountRoles(ctx, t.OfficialAccountID)
	default:
		var admins []portal.Admin
		admins, err = db.FindOrganizationAdmins(ctx, t.OrgID)
		for _, a := range admins {
			members = append(members, portal.AdminRole{Admin: a, Role: portal.RoleAdmin})
		}
	}
	return t, standing, members, err
}

// access is what adminID holds on the team teamID: their role, and whether
// they administer the organization the team is linked to now (links name
// the team by the same column). It is one statement: every page of a team
// reads it.
func (t roleTable) access(ctx context.Context, q querier, teamID, adminID int64) (role portal.ChannelRole, orgAdmin bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT `+t.roleOf("?")+`,
		EXISTS (SELECT 1 FROM links l WHERE l.`+t.column+` = ? AND l.ended_at IS NULL AND `+orgAdminOf("l.org_id")+`)`,
		teamID, adminID, teamID, adminID).Scan(&role, &orgAdmin)
	return role, orgAdmin, err
}
