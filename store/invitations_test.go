package store_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"lineportal/internal/portal"
)

func TestInvitationTokenIsNeverStoredInClear(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
	_, token, err := f.db.CreateInvitation(ctx, f.dev, portal.Team{ChannelID: ch.ID}, portal.RoleMember, "welcome")
	mustNil(t, err)
	if len(token) < 26 {
		t.Fatalf("token %q is shorter than 128 bits of base32", token)
	}
	rows, err := f.raw.Query(`SELECT token_hash, note FROM invitations`)
	mustNil(t, err)
	defer rows.Close()
	for rows.Next() {
		var hash []byte
		var note string
		mustNil(t, rows.Scan(&hash, &note))
		if len(hash) != 32 || bytes.Contains(hash, []byte(token)) || strings.Contains(note, token) {
			t.Errorf("stored token_hash %x holds the token or is not a SHA-256", hash)
		}
	}
	mustNil(t, rows.Err())
	if strings.Contains(f.snapshot(t), token) {
		t.Error("the token appears in the database")
	}
}

func TestAcceptInvitation(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
	team := portal.Team{ChannelID: ch.ID}
	newcomer := f.admin(t, newUserID, "Newcomer")

	mark := f.auditMark(t)
	inv, token, err := f.db.CreateInvitation(ctx, f.dev, team, portal.RoleMember, "  for the spring campaign ")
	mustNil(t, err)
	if inv.Note != "for the spring campaign" || inv.InvitedByName != "Dev" || !inv.ExpiresAt.Equal(start.Add(7*24*time.Hour)) {
		t.Errorf("invitation = %+v", inv)
	}
	o, err := f.db.FindInvitationByToken(ctx, newcomer, token)
	mustNil(t, err)
	if o.Invitation.Team.Name != ch.Name || o.Held != portal.RoleNone || o.SenderHeld != portal.RoleAdmin {
		t.Errorf("opening = %+v", o)
	}
	got, err := f.db.AcceptInvitation(ctx, newcomer, token)
	mustNil(t, err)
	if got.ID != inv.ID {
		t.Errorf("accepted %d, want %d", got.ID, inv.ID)
	}
	if a, _ := f.db.FindChannelAccess(ctx, newcomer, ch.ID); a.Role != portal.RoleMember {
		t.Errorf("role after accepting = %q", a.Role)
	}
	f.assertAudit(t, mark, "invitation.create invitation:  → invited_as(Role=member)",
		"invitation.accept invitation: invitation(Invitation=pending) → invitation(Invitation=accepted)",
		"channel.role_set channel: role(Name=Newcomer, Role=) → role(Name=Newcomer, Role=member)")

	f.refuses(t, portal.EGONE, "This invitation has already been used: each invitation URL works once. If it was meant for you, ask Dev for a new one.", func() error {
		_, err := f.db.AcceptInvitation(ctx, f.boss, token)
		return err
	})
}

func TestInvitationSingleUseUnderConcurrentAccepts(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
	_, token, err := f.db.CreateInvitation(ctx, f.dev, portal.Team{ChannelID: ch.ID}, portal.RoleAdmin, "")
	mustNil(t, err)
	people := make([]portal.Admin, 20)
	for i := range people {
		people[i] = f.admin(t, "Uconcurrent"+string(rune('a'+i)), "Person "+string(rune('A'+i)))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(people))
	for i, p := range people {
		wg.Go(func() { _, errs[i] = f.db.AcceptInvitation(ctx, p, token) })
	}
	wg.Wait()
	accepted := 0
	for _, err := range errs {
		switch portal.ErrorCode(err) {
		case "":
			accepted++
		case portal.EGONE, portal.ECONFLICT:
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	var roles int
	if err := f.raw.QueryRow(`SELECT count(*) FROM channel_roles WHERE channel_id = ? AND admin_id <> ?`, ch.ID, f.dev.ID).Scan(&roles); err != nil {
		t.Fatal(err)
	}
	if accepted != 1 || roles != 1 {
		t.Errorf("%d acceptances succeeded and %d roles were granted, want 1 and 1", accepted, roles)
	}
}

func TestInvitationExpiresAtSevenDaysToTheSecond(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
	_, token, err := f.db.CreateInvitation(ctx, f.dev, portal.Team{ChannelID: ch.ID}, portal.RoleMember, "")
	mustNil(t, err)
	newcomer := f.admin(t, newUserID, "Newcomer")

	f.clock.Set(start.Add(7*24*time.Hour - time.Second))
	o, err := f.db.FindInvitationByToken(ctx, newcomer, token)
	mustNil(t, err)
	if err := portal.CanAnswerInvitation(newcomer, o, f.clock.Now()); err != nil {
		t.Errorf("one second before 7 days: %v", err)
	}
	f.clock.Set(start.Add(7 * 24 * time.Hour))
	f.refuses(t, portal.EGONE, "This invitation has expired: it works for 7 days after it is sent. Ask Dev to invite you again.", func() error {
		_, err := f.db.AcceptInvitation(ctx, newcomer, token)
		return err
	})
}

func TestRevokedAndDeclinedInvitations(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
	team := portal.Team{ChannelID: ch.ID}
	newcomer := f.admin(t, newUserID, "Newcomer")
	inv, token, err := f.db.CreateInvitation(ctx, f.dev, team, portal.RoleMember, "")
	mustNil(t, err)
	pending, err := f.db.FindPendingInvitations(ctx, team)
	mustNil(t, err)
	if len(pending) != 1 || pending[0].ID != inv.ID {
		t.Fatalf("pending = %+v", pending)
	}
	f.refuses(t, portal.EFORBIDDEN, "Only an Admin of channel "+ch.Name+" can invite people to it.", func() error {
		return f.db.RevokeInvitation(ctx, newcomer, team, inv.ID)
	})
	mark := f.auditMark(t)
	mustNil(t, f.db.RevokeInvitation(ctx, f.dev, team, inv.ID))
	f.assertAudit(t, mark, "invitation.revoke invitation: invitation(Invitation=pending) → invitation(Invitation=revoked)")
	f.refuses(t, portal.EGONE, "This invitation was revoked and no longer works. Ask Dev if you should still join channel "+ch.Name+".", func() error {
		_, err := f.db.AcceptInvitation(ctx, newcomer, token)
		return err
	})
	if pending, _ := f.db.FindPendingInvitations(ctx, team); len(pending) != 0 {
		t.Errorf("still pending: %+v", pending)
	}

	_, token, err = f.db.CreateInvitation(ctx, f.dev, team, portal.RoleMember, "")
	mustNil(t, err)
	_, err = f.db.DeclineInvitation(ctx, newcomer, token)
	mustNil(t, err)
	if a, _ := f.db.FindChannelAccess(ctx, newcomer, ch.ID); a.Role != portal.RoleNone {
		t.Errorf("declining gave the role %q", a.Role)
	}
	f.refuses(t, portal.EGONE, "This invitation was declined and no longer works. Ask Dev for a new one if you want to join after all.", func() error {
		_, err := f.db.AcceptInvitation(ctx, newcomer, token)
		return err
	})
}

func TestInvitationRules(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
	team := portal.Team{ChannelID: ch.ID}
	member := f.admin(t, newUserID, "Member")
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, member.ID, portal.RoleMember))

	t.Run("a Member can't invite anyone", func(t *testing.T) {
		f.refuses(t, portal.EFORBIDDEN, "Only an Admin of channel "+ch.Name+" can invite people to it.", func() error {
			_, _, err := f.db.CreateInvitation(ctx, member, team, portal.RoleMember, "")
			return err
		})
	})
	t.Run("an organization has administrators only", func(t *testing.T) {
		org := f.org(t, portal.RegionJapan, acme, false)
		f.refuses(t, portal.EINVALID, "An organization has administrators only: invite an administrator.", func() error {
			_, _, err := f.db.CreateInvitation(ctx, f.boss, portal.Team{OrgID: org.ID}, portal.RoleMember, "")
			return err
		})
	})
	t.Run("a note of more than 500 characters", func(t *testing.T) {
		long := make([]rune, 501)
		for i := range long {
			long[i] = 'あ'
		}
		f.refuses(t, portal.EINVALID, "Keep the note to 500 characters or fewer.", func() error {
			_, _, err := f.db.CreateInvitation(ctx, f.dev, team, portal.RoleMember, string(long))
			return err
		})
	})
	t.Run("you already have this role", func(t *testing.T) {
		_, token, err := f.db.CreateInvitation(ctx, f.dev, team, portal.RoleMember, "")
		mustNil(t, err)
		f.refuses(t, portal.ECONFLICT, "You already have this role: you are a Member of channel "+ch.Name+". The invitation stays unused; tell Dev so they can revoke it.", func() error {
			_, err := f.db.AcceptInvitation(ctx, member, token)
			return err
		})
	})
	t.Run("a Member invited as Admin becomes an Admin", func(t *testing.T) {
		_, token, err := f.db.CreateInvitation(ctx, f.dev, team, portal.RoleAdmin, "")
		mustNil(t, err)
		_, err = f.db.AcceptInvitation(ctx, member, token)
		mustNil(t, err)
		if a, _ := f.db.FindChannelAccess(ctx, member, ch.ID); a.Role != portal.RoleAdmin {
			t.Errorf("role = %q", a.Role)
		}
	})
	t.Run("an invitation from someone who lost their Admin role", func(t *testing.T) {
		_, token, err := f.db.CreateInvitation(ctx, member, team, portal.RoleMember, "")
		mustNil(t, err)
		mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, member.ID, portal.RoleMember))
		f.refuses(t, portal.EGONE, "Member can no longer give roles on channel "+ch.Name+", so their invitation no longer works. Ask one of its current Admins or administrators to invite you.", func() error {
			_, err := f.db.AcceptInvitation(ctx, f.boss, token)
			return err
		})
	})
}

func TestInvitationForOrganizationAGrantsNothingOnB(t *testing.T) {
	f := newFixture(t)
	orgA := f.org(t, portal.RegionJapan, acme, false)
	orgB := f.org(t, portal.RegionJapan, acme, false)
	inv, token, err := f.db.CreateInvitation(ctx, f.boss, portal.Team{OrgID: orgA.ID}, portal.RoleAdmin, "")
	mustNil(t, err)
	// Revoking A's invitation through B's page finds nothing.
	f.refuses(t, portal.ENOTFOUND, "This invitation URL is not valid. Check that the whole URL was copied, or ask the person who invited you for a new one.", func() error {
		return f.db.RevokeInvitation(ctx, f.boss, portal.Team{OrgID: orgB.ID}, inv.ID)
	})
	_, err = f.db.AcceptInvitation(ctx, f.dev, token)
	mustNil(t, err)
	if _, a, _ := f.db.FindOrganizationWithAccess(ctx, f.dev, orgA.ID); !a.Admin {
		t.Error("dev does not administer A")
	}
	if _, a, _ := f.db.FindOrganizationWithAccess(ctx, f.dev, orgB.ID); a.Admin {
		t.Error("an invitation to A made dev an administrator of B")
	}
}

func TestOfficialAccountInvitation(t *testing.T) {
	f := newFixture(t)
	oa := f.oa(t, acme)
	_, token, err := f.db.CreateInvitation(ctx, f.dev, portal.Team{OfficialAccountID: oa.ID}, portal.RoleAdmin, "")
	mustNil(t, err)
	_, err = f.db.AcceptInvitation(ctx, f.boss, token)
	mustNil(t, err)
	if a, _ := f.db.FindOfficialAccountAccess(ctx, f.boss, oa.ID); a.Role != portal.RoleAdmin {
		t.Errorf("role = %q", a.Role)
	}
}

func TestRemoveFromTeam(t *testing.T) {
	f := newFixture(t)
	ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
	team := portal.Team{ChannelID: ch.ID}
	member := f.admin(t, newUserID, "Member")
	mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, member.ID, portal.RoleMember))

	f.refuses(t, portal.EFORBIDDEN, "Only an Admin of channel "+ch.Name+" can remove people from it. You can leave it yourself.", func() error {
		_, err := f.db.RemoveFromTeam(ctx, member, team, f.dev.ID)
		return err
	})
	f.refuses(t, portal.ECONFLICT, "This is the channel's only Admin. Make someone else an Admin first.", func() error {
		_, err := f.db.RemoveFromTeam(ctx, f.dev, team, f.dev.ID)
		return err
	})
	mark := f.auditMark(t)
	_, err := f.db.RemoveFromTeam(ctx, member, team, member.ID) // leaving
	mustNil(t, err)
	f.assertAudit(t, mark, "channel.role_remove channel: role(Name=Member, Role=member) → role(Name=Member, Role=)")
	if a, _ := f.db.FindChannelAccess(ctx, member, ch.ID); a.Role != portal.RoleNone {
		t.Errorf("role after leaving = %q", a.Role)
	}

	org := f.org(t, portal.RegionJapan, acme, false)
	f.refuses(t, portal.ECONFLICT, "This is the organization's only administrator. Invite another administrator first.", func() error {
		_, err := f.db.RemoveFromTeam(ctx, f.boss, portal.Team{OrgID: org.ID}, f.boss.ID)
		return err
	})
}

// Two Admins demoting (or removing) each other at the same moment leave
// one Admin; two administrators removing each other leave one.
func TestLastAdminUnderRacingRemovals(t *testing.T) {
	f := newFixture(t)
	for round := range 10 {
		ch := f.channel(t, portal.Channel{Kind: portal.KindMiniApp})
		other := f.admin(t, "Urace"+string(rune('a'+round)), "Other")
		mustNil(t, f.db.SetChannelRole(ctx, f.dev, ch.ID, other.ID, portal.RoleAdmin))
		var wg sync.WaitGroup
		wg.Go(func() { _ = f.db.SetChannelRole(ctx, f.dev, ch.ID, other.ID, portal.RoleMember) })
		wg.Go(func() { _, _ = f.db.RemoveFromTeam(ctx, other, portal.Team{ChannelID: ch.ID}, f.dev.ID) })
		wg.Wait()
		var admins int
		if err := f.raw.QueryRow(`SELECT count(*) FROM channel_roles WHERE channel_id = ? AND role = 'admin'`, ch.ID).Scan(&admins); err != nil {
			t.Fatal(err)
		}
		if admins != 1 {
			t.Fatalf("round %d: %d Admins left, want 1", round, admins)
		}

		org := f.org(t, portal.RegionJapan, acme, false)
		mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, other.ID))
		wg.Go(func() { _, _ = f.db.RemoveFromTeam(ctx, f.boss, portal.Team{OrgID: org.ID}, other.ID) })
		wg.Go(func() { _, _ = f.db.RemoveFromTeam(ctx, other, portal.Team{OrgID: org.ID}, f.boss.ID) })
		wg.Wait()
		if err := f.raw.QueryRow(`SELECT count(*) FROM organization_admins WHERE org_id = ?`, org.ID).Scan(&admins); err != nil {
			t.Fatal(err)
		}
		if admins != 1 {
			t.Fatalf("round %d: %d administrators left, want 1", round, admins)
		}
	}
}
