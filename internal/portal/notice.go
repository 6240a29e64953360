package portal

import "time"

// NoticeKind is a kind of change that needs someone's action, and so
// notifies the people concerned.
type NoticeKind string

const (
	// NoticeLinkRequest: a link request to an organization waits for its
	// administrators' approval.
	NoticeLinkRequest NoticeKind = "link_request"
	// NoticeLinkApproved: the sender's link request was approved.
	NoticeLinkApproved NoticeKind = "link_approved"
	// NoticeReviewVerified and NoticeReviewRejected: an account linking
	// review's outcome, for the linked channel's (or Official Account's)
	// Admins; a rejection also tells the organization's administrators,
	// who request the resubmission.
	NoticeReviewVerified NoticeKind = "review_verified"
	NoticeReviewRejected NoticeKind = "review_rejected"
	// NoticeURLExpiring: a link request URL its sender issued stops
	// working within ExpiringSoon.
	NoticeURLExpiring NoticeKind = "url_expiring"
	// NoticeInvitationAccepted: someone accepted the inviter's invitation.
	NoticeInvitationAccepted NoticeKind = "invitation_accepted"
	// NoticeBotSuspended and NoticeBotResumed: LINE suspended (or resumed)
	// a bot a module channel is attached to, for the channel's Admins.
	NoticeBotSuspended NoticeKind = "bot_suspended"
	NoticeBotResumed   NoticeKind = "bot_resumed"
)

// Notice is one notification of one person. Params are what its message
// names (a channel's name, an organization ID), by name.
type Notice struct {
	ID        int64
	AdminID   int64
	Kind      NoticeKind
	Params    map[string]string
	CreatedAt time.Time
	ReadAt    time.Time // zero while unread
}

// Unread tells whether the person has not read the notice yet.
func (n Notice) Unread() bool { return n.ReadAt.IsZero() }
