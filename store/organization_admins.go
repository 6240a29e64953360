package store

import (
	"context"
	"strings"

	"lineportal/internal/portal"
)

// AddOrganizationAdminByLINEUserID makes the person with this LINE user ID
// an administrator of the organization, registering them first when they
// have never signed in (as EnsureAdmin does), all in one transaction: a
// refused or failed addition registers no one. name is how the portal shows
// them until their first sign-in replaces it with their LINE profile name;
// empty, it is their LINE user ID. It is ignored for someone the portal
// already knows. Only an administrator of the organization may add one. It
// returns the person added.
func (db *DB) AddOrganizationAdminByLINEUserID(ctx context.Context, actor portal.Admin, orgID, lineUserID, name string) (portal.Admin, error) {
	var target portal.Admin
	err := db.onOrganization(ctx, "add organization admin by LINE user ID", actor, orgID, func(tx *Tx, org portal.Organization, orgAdmin bool) error {
		if err := portal.CanAddOrganizationAdmin(orgAdmin, org); err != nil {
			return err
		}
		id, err := portal.ParseLINEUserID(lineUserID)
		if err != nil {
			return err
		}
		if strings.TrimSpace(name) == "" {
			name = id
		}
		if target, err = ensureAdmin(ctx, tx, id, name); err != nil {
			return err
		}
		return addOrganizationAdmin(ctx, tx, actor, org, target)
	})
	if err != nil {
		return portal.Admin{}, err
	}
	return target, nil
}
