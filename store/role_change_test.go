package store_test

import (
	"testing"

	"lineportal/internal/portal"
	"lineportal/store"
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

// Whose role someone else changes, or who is removed, is told; who leaves,
// or whose role stays as it was, is not.
func TestTeamChangesNotifyThePerson(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
	team := portal.Team{ChannelID: ch.ID}
	nao := f.admin(t, newUserID, "Nao")
	notices := func() []portal.Notice {
		t.Helper()
		ns, _, err := f.db.FindNotices(ctx, nao.ID, store.Page{})
		mustNil(t, err)
		return ns
	}
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, nao.ID, portal.RoleMember))
	before := len(notices())

	mustNil(t, f.db.ChangeTeamRole(ctx, f.dev, team, nao.ID, portal.RoleAdmin))
	ns := notices()
	if len(ns) != before+1 || ns[0].Kind != portal.NoticeTeamRoleChanged || ns[0].Params["Role"] != "admin" ||
		ns[0].Params["By"] != f.dev.Name || ns[0].Params["Team"] != ch.Name {
		t.Fatalf("after the change: %+v", ns)
	}
	mustNil(t, f.db.ChangeTeamRole(ctx, f.dev, team, nao.ID, portal.RoleAdmin))
	if n := len(notices()); n != before+1 {
		t.Errorf("a change to the role held told them again: %d notices", n)
	}

	_, err := f.db.RemoveFromTeam(ctx, f.dev, team, nao.ID)
	mustNil(t, err)
	if ns := notices(); len(ns) != before+2 || ns[0].Kind != portal.NoticeTeamRemoved || ns[0].Params["Team"] != ch.Name {
		t.Fatalf("after the removal: %+v", ns)
	}

	mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, nao.ID, portal.RoleMember))
	_, err = f.db.RemoveFromTeam(ctx, nao, team, nao.ID)
	mustNil(t, err)
	if n := len(notices()); n != before+2 {
		t.Errorf("leaving told them of it: %d notices", n)
	}
}
