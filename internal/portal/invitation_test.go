package portal

import (
	"testing"
	"time"
)

// Someone who is not signed in learns first whether an invitation still
// stands, and only then that they must sign in to answer it.
func TestCanAnswerInvitation_SignedOut(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	pending := InvitationOpening{
		Invitation: Invitation{Team: Team{ChannelID: 1}, Role: RoleMember, State: InvitationPending, ExpiresAt: now.Add(InvitationValidity)},
		SenderHeld: RoleAdmin,
	}
	nobody := Admin{}
	for _, c := range []struct {
		name string
		o    func(InvitationOpening) InvitationOpening
		code string
	}{
		{"pending", func(o InvitationOpening) InvitationOpening { return o }, EUNAUTHENTICATED},
		{"expired", func(o InvitationOpening) InvitationOpening { o.Invitation.ExpiresAt = now; return o }, EGONE},
		{"revoked", func(o InvitationOpening) InvitationOpening { o.Invitation.State = InvitationRevoked; return o }, EGONE},
		{"used", func(o InvitationOpening) InvitationOpening { o.Invitation.State = InvitationAccepted; return o }, EGONE},
		{"sender left", func(o InvitationOpening) InvitationOpening { o.SenderHeld = RoleNone; return o }, EGONE},
	} {
		if got := ErrorCode(CanAnswerInvitation(nobody, c.o(pending), now)); got != c.code {
			t.Errorf("%s, signed out: %q, want %q", c.name, got, c.code)
		}
	}
	if err := CanAnswerInvitation(Admin{ID: 7}, pending, now); err != nil {
		t.Errorf("pending, signed in: %v", err)
	}
}

// Its sender, opening their own invitation, is told to send it on, not to
// ask themselves to revoke it; whoever accepted it, opening it again, is
// told they did, not to ask for a new one.
func TestCanAnswerInvitation_SenderAndAcceptor(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	sender, guest, other := Admin{ID: 3}, Admin{ID: 7}, Admin{ID: 9}
	o := InvitationOpening{
		Invitation: Invitation{Team: Team{ChannelID: 1}, Role: RoleMember, InvitedBy: sender.ID, InvitedByName: "Aoi",
			State: InvitationPending, ExpiresAt: now.Add(InvitationValidity)},
		SenderHeld: RoleAdmin, Held: RoleAdmin, // the sender holds the role they give
	}
	if got := ErrorReason(CanAnswerInvitation(sender, o, now)); got != RInviteOwn {
		t.Errorf("the sender opening their invitation: %q, want %q", got, RInviteOwn)
	}
	o.Invitation.State, o.Invitation.DecidedBy = InvitationAccepted, guest.ID
	if got := ErrorReason(CanAnswerInvitation(guest, o, now)); got != RInviteUsedByYou {
		t.Errorf("whoever accepted it, again: %q, want %q", got, RInviteUsedByYou)
	}
	if got := ErrorReason(CanAnswerInvitation(other, o, now)); got != RInviteUsed {
		t.Errorf("someone else, once used: %q, want %q", got, RInviteUsed)
	}
}

func TestInvitationWorks(t *testing.T) {
	sent := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	inv := Invitation{State: InvitationPending, ExpiresAt: sent.Add(InvitationValidity)}
	for _, tt := range []struct {
		name   string
		inv    Invitation
		sender ChannelRole
		at     time.Time
		want   bool
	}{
		{"pending, its sender an Admin", inv, RoleAdmin, sent, true},
		{"expired", inv, RoleAdmin, inv.ExpiresAt, false},
		{"its sender now a Member", inv, RoleMember, sent, false},
		{"its sender gone", inv, RoleNone, sent, false},
		{"revoked", Invitation{State: InvitationRevoked, ExpiresAt: inv.ExpiresAt}, RoleAdmin, sent, false},
	} {
		if got := tt.inv.Works(tt.sender, tt.at); got != tt.want {
			t.Errorf("%s: Works = %v, want %v", tt.name, got, tt.want)
		}
	}
}
