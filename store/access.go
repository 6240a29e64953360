package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"lineportal/internal/portal"
)

// EnsureAdmin returns the admin with this LINE user ID, registering them
// first if they have never signed in, so that they can be given roles
// before their first visit. Their profile fills in at sign-in; until then
// the name is the one given here and the last sign-in time is stored as 0
// (the Unix epoch), meaning never. It is not audited, like sign-in itself:
// it records who someone is, not a change to what they may do.
func (db *DB) EnsureAdmin(ctx context.Context, lineUserID, name string) (portal.Admin, error) {
	lineUserID = strings.TrimSpace(lineUserID)
	if lineUserID == "" {
		return portal.Admin{}, portal.FieldRefusal("line_user_id", portal.RLINEUserIDMissing)
	}
	var a portal.Admin
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		a, err = ensureAdmin(ctx, tx, lineUserID, name)
		return err
	})
	if err != nil {
		return portal.Admin{}, fmt.Errorf("store: ensure admin: %w", err)
	}
	return a, nil
}

// ensureAdmin is EnsureAdmin inside a transaction: lineUserID is already
// trimmed and not empty.
func ensureAdmin(ctx context.Context, tx *Tx, lineUserID, name string) (portal.Admin, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO admins (line_user_id, name, created_at, last_sign_in_at) VALUES (?, ?, ?, 0)
		ON CONFLICT (line_user_id) DO NOTHING`, lineUserID, strings.TrimSpace(name), millis(tx.now)); err != nil {
		return portal.Admin{}, err
	}
	return scanAdmin(tx.QueryRowContext(ctx, `SELECT `+adminColumns+` FROM admins WHERE line_user_id = ?`, lineUserID))
}

// FindChannelAccess tells what actor holds on a channel: their role and
// whether they administer the organization it is linked to.
func (db *DB) FindChannelAccess(ctx context.Context, actor portal.Admin, channelID int64) (portal.ChannelAccess, error) {
	role, orgAdmin, err := channelRoles.access(ctx, db.read, channelID, actor.ID)
	if err != nil {
		return portal.ChannelAccess{}, fmt.Errorf("store: find channel access: %w", err)
	}
	return portal.ChannelAccess{Role: role, OrgAdmin: orgAdmin, Operator: actor.Operator}, nil
}

// FindChannelWithAccess is FindChannelByID, FindChannelAccess and the
// organization the channel is linked to now (nil when it is not) in one
// statement: every tab of a channel's page reads the first two, and its
// main tab the organization.
func (db *DB) FindChannelWithAccess(ctx context.Context, actor portal.Admin, id int64) (portal.Channel, portal.ChannelAccess, *portal.Organization, error) {
	access := portal.ChannelAccess{Operator: actor.Operator}
	var org organizationRow
	ch, err := newChannelRow(org.appendDest([]any{&access.Role, &access.OrgAdmin})...).scan(db.read.QueryRowContext(ctx,
		`SELECT `+channelColumns+`, `+channelRoles.roleOf("c.id")+`, `+orgAdminOf("l.org_id")+`, `+organizationColumns+
			channelTables+channelLink+` LEFT JOIN organizations o ON o.id = l.org_id WHERE c.id = ?`, actor.ID, actor.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound(portal.RNoSuchChannel)
	}
	if err != nil {
		return portal.Channel{}, portal.ChannelAccess{}, nil, fmt.Errorf("store: find channel %d: %w", id, err)
	}
	return ch, access, org.organization(), nil
}

// FindOrganizationWithAccess reads an organization and what actor holds on
// it, in one statement: every tab of an organization's page reads both.
func (db *DB) FindOrganizationWithAccess(ctx context.Context, actor portal.Admin, id string) (portal.Organization, portal.OrganizationAccess, error) {
	access := portal.OrganizationAccess{Operator: actor.Operator}
	org, admin, err := findOrganizationWithAdmin(ctx, db.read, id, actor.ID)
	access.Admin = admin
	if err != nil {
		return portal.Organization{}, portal.OrganizationAccess{}, fmt.Errorf("store: find organization %s: %w", id, err)
	}
	return org, access, nil
}

// lookupOrganizationWithAdmin reads the organization id (nil when there
// is none) and whether adminID administers it, in one statement: most
// actions on an organization decide on both.
func lookupOrganizationWithAdmin(ctx context.Context, q querier, id string, adminID int64) (*portal.Organization, bool, error) {
	var admin bool
	org, err := scanOrganization(scanMore{q.QueryRowContext(ctx, `SELECT `+organizationColumns+`, `+orgAdminOf("o.id")+` FROM organizations o WHERE o.id = ?`,
		adminID, id), []any{&admin}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &org, admin, nil
}

// findOrganizationWithAdmin is lookupOrganizationWithAdmin of an
// organization that must exist.
func findOrganizationWithAdmin(ctx context.Context, q querier, id string, adminID int64) (portal.Organization, bool, error) {
	org, admin, err := lookupOrganizationWithAdmin(ctx, q, id, adminID)
	if err == nil && org == nil {
		err = notFound(portal.RNoSuchOrganization)
	}
	if err != nil {
		return portal.Organization{}, false, err
	}
	return *org, admin, nil
}

func isOrganizationAdmin(ctx context.Context, q querier, orgID string, adminID int64) (bool, error) {
	var admin bool
	err := q.QueryRowContext(ctx, `SELECT `+orgAdminOf("?"), orgID, adminID).Scan(&admin)
	return admin, err
}

// orgAdminOf is the SQL telling whether an admin administers the
// organization whose ID is the SQL expression org, for a query to read with
// other columns. Its last placeholder is the admin's ID.
func orgAdminOf(org string) string {
	return `EXISTS (SELECT 1 FROM organization_admins WHERE org_id = ` + org + ` AND admin_id = ?)`
}

// CountChannelRoles tells how many channels the admin holds each role on.
func (db *DB) CountChannelRoles(ctx context.Context, adminID int64) (map[portal.ChannelRole]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT role, count(*) FROM channel_roles WHERE admin_id = ? GROUP BY role`, adminID)
	if err != nil {
		return nil, fmt.Errorf("store: count channel roles: %w", err)
	}
	defer rows.Close()
	counts := map[portal.ChannelRole]int{}
	for rows.Next() {
		var role portal.ChannelRole
		var n int
		if err := rows.Scan(&role, &n); err != nil {
			return nil, fmt.Errorf("store: count channel roles: %w", err)
		}
		counts[role] = n
	}
	return counts, rows.Err()
}
