package portal

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Invitations: people join a channel, an Official Account or an
// organization by a single-use URL, as in LINE's own consoles, because
// nobody knows a colleague's LINE user ID (LINE issues a different one per
// provider and shows it to no one).

// InvitationValidity is how long an invitation URL works after it is
// issued: 7 days, as LINE's consoles keep theirs.
const InvitationValidity = 7 * 24 * time.Hour

// MaxInvitationNote is the longest note an invitation may carry, in
// characters.
const MaxInvitationNote = 500

// InvitationState is where an invitation stands. Expired is never stored:
// it is a pending invitation past its expiry, read off the clock, as for
// link requests.
type InvitationState string

const (
	InvitationPending  InvitationState = "pending"
	InvitationAccepted InvitationState = "accepted"
	InvitationDeclined InvitationState = "declined"
	InvitationRevoked  InvitationState = "revoked"
	InvitationExpired  InvitationState = "expired"
)

// Team is what an invitation (or a membership) is to: exactly one of a
// channel, an Official Account and an organization. Name is how pages name
// it.
type Team struct {
	ChannelID         int64
	OfficialAccountID int64
	OrgID             string
	Name              string
}

// Kind names the team's kind for messages and audit entries: "channel",
// "official_account" or "organization".
func (t Team) Kind() string {
	switch {
	case t.ChannelID != 0:
		return "channel"
	case t.OfficialAccountID != 0:
		return "official_account"
	}
	return "organization"
}

// term is what "Only an Admin of … can …" calls the team.
func (t Team) term() Term {
	if t.Kind() == "official_account" {
		return TermThisOA
	}
	return TermThisChannel
}

// Invitation is an invitation to hold Role in Team. Only a hash of its
// URL's token is kept. For an organization, Role is RoleAdmin: an
// organization has administrators only.
type Invitation struct {
	ID            int64
	Team          Team
	Role          ChannelRole
	Note          string
	InvitedBy     int64
	InvitedByName string
	State         InvitationState // stored; StateAt tells the state at a given time
	IssuedAt      time.Time
	ExpiresAt     time.Time // IssuedAt + InvitationValidity
	DecidedAt     time.Time // accepted, declined or revoked; zero while pending
	DecidedBy     int64
	DecidedByName string
}

// StateAt returns the invitation's state at now: a pending invitation has
// expired from its expiry time on, so it works for [IssuedAt, ExpiresAt).
func (i Invitation) StateAt(now time.Time) InvitationState {
	if i.State == InvitationPending && !now.Before(i.ExpiresAt) {
		return InvitationExpired
	}
	return i.State
}

// Works tells whether the invitation's URL would still be answered, its
// sender holding senderHeld on its team now: pending, not expired, and
// its sender still able to give the role (CanAnswerInvitation).
func (i Invitation) Works(senderHeld ChannelRole, now time.Time) bool {
	return i.StateAt(now) == InvitationPending && senderHeld == RoleAdmin
}

// CheckInvitation tells whether someone with standing on team may invite a
// person to hold role there, with note.
func CheckInvitation(team Team, standing ChannelRole, role ChannelRole, note string) error {
	if err := canInvite(team, standing); err != nil {
		return err
	}
	if team.Kind() == "organization" {
		if role != RoleAdmin {
			return FieldRefusal("role", RInviteOrgRole)
		}
	} else if role != RoleAdmin && role != RoleMember {
		return FieldRefusal("role", RRole)
	}
	if utf8.RuneCountInString(strings.TrimSpace(note)) > MaxInvitationNote {
		return FieldRefusal("note", RInviteNote)
	}
	return nil
}

// CanInvite tells whether someone with standing on team may invite people
// to it, and list and revoke its invitations: its Admins (a channel's or
// an Official Account's) or its administrators (an organization's).
func CanInvite(team Team, standing ChannelRole) error { return canInvite(team, standing) }

func canInvite(team Team, standing ChannelRole) error {
	if standing == RoleAdmin {
		return nil
	}
	if team.Kind() == "organization" {
		return Refuse(EFORBIDDEN, RInviteOrgAdminOnly, "Team", team)
	}
	return Refuse(EFORBIDDEN, RInviteAdminOnly, "Team", team)
}

// CanRevokeInvitation tells whether someone with standing on the
// invitation's team may revoke it at now: only while it is pending.
func CanRevokeInvitation(inv Invitation, standing ChannelRole, now time.Time) error {
	if err := canInvite(inv.Team, standing); err != nil {
		return err
	}
	if s := inv.StateAt(now); s != InvitationPending {
		return Refuse(ECONFLICT, RInviteNotPending, "State", s)
	}
	return nil
}

// InvitationOpening is what the page of an invitation URL shows and the
// acceptance rule decides on: the invitation, what the person opening it
// holds on its team now, and what its sender holds there now.
type InvitationOpening struct {
	Invitation Invitation
	Held       ChannelRole // the opener's role (RoleAdmin for an organization's administrator), RoleNone if none
	SenderHeld ChannelRole
}

// CanAnswerInvitation tells whether actor may accept or decline the
// invitation at now. Opening the URL asks the same question, so the page
// offers Accept exactly when accepting would succeed. Each refusal says
// which case applies and what to do next. Someone not signed in (actor's
// ID 0) learns first whether the invitation still stands, then that they
// must sign in to answer it.
func CanAnswerInvitation(actor Admin, o InvitationOpening, now time.Time) error {
	inv := o.Invitation
	switch inv.StateAt(now) {
	case InvitationExpired:
		return Refuse(EGONE, RInviteExpired, "Sender", inv.InvitedByName)
	case InvitationRevoked:
		return Refuse(EGONE, RInviteRevoked, "Sender", inv.InvitedByName, "Team", inv.Team)
	case InvitationAccepted:
		if actor.ID != 0 && inv.DecidedBy == actor.ID { // the form sent again, say
			return Refuse(EGONE, RInviteUsedByYou, "Team", inv.Team)
		}
		return Refuse(EGONE, RInviteUsed, "Sender", inv.InvitedByName)
	case InvitationDeclined:
		return Refuse(EGONE, RInviteDeclined, "Sender", inv.InvitedByName)
	}
	if actor.ID != 0 && inv.InvitedBy == actor.ID && o.SenderHeld == RoleAdmin {
		return Refuse(ECONFLICT, RInviteOwn, "Team", inv.Team)
	}
	if o.Held == RoleAdmin || o.Held == inv.Role {
		if inv.Team.Kind() == "organization" {
			return Refuse(ECONFLICT, RInviteAlreadyOrgAdmin, "Team", inv.Team, "Sender", inv.InvitedByName)
		}
		return Refuse(ECONFLICT, RInviteAlreadyHeld, "Role", o.Held, "Team", inv.Team, "Sender", inv.InvitedByName)
	}
	if o.SenderHeld != RoleAdmin {
		return Refuse(EGONE, RInviteSenderLost, "Sender", inv.InvitedByName, "Team", inv.Team)
	}
	if actor.ID == 0 {
		return Refuse(EUNAUTHENTICATED, RInviteSignIn)
	}
	return nil
}
