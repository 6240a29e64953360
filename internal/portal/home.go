package portal

import "time"

// ExpiringSoon is how close to its expiry a link request URL, or an
// invitation URL, is listed on its sender's Home: within a day, while there
// is still time to have it answered or to send it again.
const ExpiringSoon = 24 * time.Hour

// Waiting is what waits for one person, shown on their Home, each item
// where they act on it.
type Waiting struct {
	// LinkRequests are pending, unexpired link requests to organizations
	// the person administers: they may approve them from Home.
	LinkRequests []LinkApproval
	// Rejected are the channels the person holds a role on whose account
	// linking review is Rejected, with the cases that may apply, but for
	// those in RejectedHere.
	Rejected []RejectedReview
	// RejectedHere are the channels linked to organizations the person
	// administers whose review is Rejected, whether or not they hold a
	// role on them (Rejected then leaves them out): only an organization's
	// administrator requests the resubmission.
	RejectedHere []RejectedReview
	// Expiring are link request URLs the person sent that stop working
	// within ExpiringSoon.
	Expiring []ExpiringRequest
	// ExpiringInvitations are invitation URLs the person sent, that still
	// work, and stop working within ExpiringSoon, each with its team's name.
	ExpiringInvitations []Invitation
	// OrganizationQueue and MiniAppQueue count the operators' review
	// queues; zero for anyone else.
	OrganizationQueue, MiniAppQueue int
	// SuspendedBots are bots suspended by LINE that a module channel the
	// person holds a role on is attached to.
	SuspendedBots []SuspendedBot
	// Invitations are invitations the person opened, signed in, and may
	// still answer. An invitation is addressed to whoever holds its URL,
	// not to a person, and the portal keeps only its token's hash: the
	// browser that opened it keeps the token, so only that browser lists
	// it.
	Invitations []OpenedInvitation
	// InTeam tells whether the person holds a role anywhere (a channel, an
	// Official Account or an organization): with nothing waiting, Home then
	// says so, where a newcomer is told how to start.
	InTeam bool
}

// OpenedInvitation is an invitation a person opened and may answer, with
// the token of its URL.
type OpenedInvitation struct {
	Opening InvitationOpening
	Token   string
}

// Empty tells whether nothing waits.
func (w Waiting) Empty() bool {
	return len(w.LinkRequests) == 0 && len(w.Rejected) == 0 && len(w.RejectedHere) == 0 && len(w.Expiring) == 0 && len(w.ExpiringInvitations) == 0 &&
		w.OrganizationQueue == 0 && w.MiniAppQueue == 0 && len(w.SuspendedBots) == 0 && len(w.Invitations) == 0
}

// RejectedReview is a channel whose account linking review is Rejected,
// with what the Rejected view says to do.
type RejectedReview struct {
	Channel  Channel
	Guidance []Guidance
}

// ExpiringRequest is a link request URL about to expire, with the name of
// its channel.
type ExpiringRequest struct {
	Request     LinkRequest
	ChannelName string
}

// SuspendedBot is a bot LINE suspended, as a module channel's Admin sees
// it.
type SuspendedBot struct {
	ModuleID   int64
	ModuleName string
	BotID      string
	BotName    string
}
