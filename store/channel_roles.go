package store

import (
	"context"
	"fmt"

	"lineportal/internal/portal"
)

// Registering channels from the portal and giving people roles on them.

// RegisterChannel is CreateChannelUnderAnyProvider for someone registering a channel from
// the portal: an existing provider must be one the actor works in
// (portal.CanRegisterUnderProvider, the rule module channels follow); a
// new one (in.Provider.ID 0, named in.Provider.Name) is created in the
// same transaction. Module channels are registered with their credentials
// instead (RegisterModuleChannel).
func (db *DB) RegisterChannel(ctx context.Context, actor portal.Admin, in portal.Channel) (portal.Channel, error) {
	if err := portal.CheckChannelRegistration(in); err != nil {
		return portal.Channel{}, err
	}
	return db.createChannel(ctx, "register channel", actor, in, true)
}

// GrantChannelRole gives the LINE user lineUserID (as a person types it,
// portal.ParseLINEUserID) the role Admin or Member on a channel, in one
// transaction: it registers them first if they have
// never signed in (named by their LINE user ID until they do), then sets
// the role, replacing any they had. Only an Admin of the channel may, and
// the channel keeps at least one Admin. It returns the role given and the
// one held before (RoleNone if none); giving the role someone already
// holds changes nothing.
func (db *DB) GrantChannelRole(ctx context.Context, actor portal.Admin, channelID int64, lineUserID string, role portal.ChannelRole) (granted portal.AdminRole, before portal.ChannelRole, err error) {
	err = db.onChannel(ctx, "grant channel role", actor, channelID, func(tx *Tx, ch portal.Channel, actorRole portal.ChannelRole) error {
		if err := portal.CanSetChannelRole(actorRole, role); err != nil {
			return err
		}
		id, err := portal.ParseLINEUserID(lineUserID)
		if err != nil {
			return err
		}
		target, err := ensureAdmin(ctx, tx, id, id)
		if err != nil {
			return err
		}
		granted = portal.AdminRole{Admin: target, Role: role}
		before, err = putChannelRole(ctx, tx, actor, ch, target, role)
		return err
	})
	return granted, before, err
}

// scanAdminRole reads an admin's columns followed by their role.
func scanAdminRole(s scanner) (portal.AdminRole, error) {
	var r portal.AdminRole
	a, err := scanAdmin(scanMore{s, []any{&r.Role}})
	r.Admin = a
	return r, err
}

// FindChannelRoles lists who holds a role on a channel: Admins first, then
// Members, each by name.
func (db *DB) FindChannelRoles(ctx context.Context, channelID int64) ([]portal.AdminRole, error) {
	roles, err := findAll(ctx, db.read, scanAdminRole, `SELECT `+adminColumns+`, cr.role FROM channel_roles cr JOIN admins ON admins.id = cr.admin_id
		WHERE cr.channel_id = ? ORDER BY cr.role, admins.name, admins.id`, channelID)
	if err != nil {
		return nil, fmt.Errorf("store: find channel roles %d: %w", channelID, err)
	}
	return roles, nil
}
