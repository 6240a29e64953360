package store_test

import (
	"testing"

	"lineportal/internal/portal"
)

// The People page changes the role someone holds; it gives no role to
// someone who holds none, whether or not they exist, so an Admin of one
// team can't pull anyone in the portal into it by admin ID.
func TestChangeTeamRoleChangesHeldRolesOnly(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
	oa := f.oa(t, acme)
	outsider := f.admin(t, newUserID, "Outsider")
	for _, team := range []portal.Team{{ChannelID: ch.ID}, {OfficialAccountID: oa.ID}} {
		for _, target := range []int64{outsider.ID, 999} {
			f.refuses(t, portal.ENOTFOUND, "This person holds no role here.", func() error {
				return f.db.ChangeTeamRole(ctx, f.dev, team, target, portal.RoleMember)
			})
		}
	}
	if a, _ := f.db.FindChannelAccess(ctx, outsider, ch.ID); a.Role != portal.RoleNone {
		t.Errorf("outsider's role on the channel = %q", a.Role)
	}

	mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, outsider.ID, portal.RoleMember))
	f.refuses(t, portal.EFORBIDDEN, "Only an Admin of this channel can change its roles.", func() error {
		return f.db.ChangeTeamRole(ctx, outsider, portal.Team{ChannelID: ch.ID}, outsider.ID, portal.RoleAdmin)
	})
	mark := f.auditMark(t)
	mustNil(t, f.db.ChangeTeamRole(ctx, f.dev, portal.Team{ChannelID: ch.ID}, outsider.ID, portal.RoleAdmin))
	f.assertAudit(t, mark, "channel.role_set channel: role(Name=Outsider, Role=member) → role(Name=Outsider, Role=admin)")
	if a, _ := f.db.FindChannelAccess(ctx, outsider, ch.ID); a.Role != portal.RoleAdmin {
		t.Errorf("role after the change = %q", a.Role)
	}
}
