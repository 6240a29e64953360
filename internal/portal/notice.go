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
	// NoticeInvitationAccepted and NoticeInvitationDeclined: someone
	// answered the inviter's invitation.
	NoticeInvitationAccepted NoticeKind = "invitation_accepted"
	NoticeInvitationDeclined NoticeKind = "invitation_declined"
	// NoticeTeamRoleChanged and NoticeTeamRemoved: someone else changed
	// the person's role on a team, or removed them from it.
	NoticeTeamRoleChanged NoticeKind = "team_role_changed"
	NoticeTeamRemoved     NoticeKind = "team_removed"
	// NoticeBotSuspended and NoticeBotResumed: LINE suspended (or resumed)
	// a bot a module channel is attached to, for the channel's Admins.
	NoticeBotSuspended NoticeKind = "bot_suspended"
	NoticeBotResumed   NoticeKind = "bot_resumed"
	// NoticeMiniAppVerified and NoticeMiniAppRejected: an operator decided
	// a MINI App's (re-)review, for the channel's Admins (verified, they
	// may send link requests; rejected, they fix the draft).
	NoticeMiniAppVerified NoticeKind = "miniapp_verified"
	NoticeMiniAppRejected NoticeKind = "miniapp_rejected"
	// NoticeOrganizationVerified and NoticeOrganizationRejected: an
	// operator decided an organization's verification review, for its
	// administrators.
	NoticeOrganizationVerified NoticeKind = "organization_verified"
	NoticeOrganizationRejected NoticeKind = "organization_rejected"
)

// UnreadCounted is the most unread notifications the header counts: a
// person with more sees "99+", and each page they open counts no more
// than a hundred rows, however many notices wait (issue 15).
const UnreadCounted = 99

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

// NoticeKinds are every kind of notice, in the order a person's choices
// list them.
var NoticeKinds = []NoticeKind{
	NoticeLinkRequest, NoticeURLExpiring, NoticeReviewRejected, NoticeReviewVerified,
	NoticeLinkApproved, NoticeInvitationAccepted, NoticeInvitationDeclined, NoticeTeamRoleChanged, NoticeTeamRemoved, NoticeMiniAppRejected, NoticeMiniAppVerified,
	NoticeOrganizationRejected, NoticeOrganizationVerified, NoticeBotSuspended, NoticeBotResumed,
}

// Valid tells whether k is a kind of notice the portal sends.
func (k NoticeKind) Valid() bool {
	for _, v := range NoticeKinds {
		if v == k {
			return true
		}
	}
	return false
}

// ApprovalRequest tells whether a notice of kind k asks the person to
// approve something: these go by LINE first when the portal Official
// Account's monthly quota is near its end.
func (k NoticeKind) ApprovalRequest() bool { return k == NoticeLinkRequest }

// ByLINEByDefault tells whether a notice of kind k also goes as a LINE
// message to someone who has not chosen: the requests that wait for them
// and expire (an approval, a link request URL about to stop working).
// Everything else is news the portal's list holds; a LINE message of it
// would spend a monthly quota that may be as small as 200 messages.
func (k NoticeKind) ByLINEByDefault() bool { return k == NoticeLinkRequest || k == NoticeURLExpiring }

// LINEChoices are the kinds of notice a person wants as LINE messages too.
type LINEChoices map[NoticeKind]bool

// DefaultLINEChoices are the choices of someone who has not chosen.
func DefaultLINEChoices() LINEChoices {
	c := LINEChoices{}
	for _, k := range NoticeKinds {
		c[k] = k.ByLINEByDefault()
	}
	return c
}

// LINEBatchWindow is how long a person's first notice waits before it goes
// as a LINE message, so that the notices that follow it within the window
// go in the same message: a link request approved at once tells its sender
// of the approval and of the review's outcome together.
const LINEBatchWindow = 2 * time.Minute

// LINEPushDeadline is how long after its first claim a LINE message of
// notices that LINE did not take (5xx, lost answer) is pushed again under
// its retry key; after it the message is failed instead. LINE remembers a
// retry key for 24 hours, so a push after them could reach its person
// twice; an hour short of that leaves room for a turn in progress.
const LINEPushDeadline = 23 * time.Hour

// LINEBatchLimit is how many notices one LINE message lists at most; it
// names how many more wait in the portal.
const LINEBatchLimit = 10

// LINETextLimit is the most characters LINE takes in one text message;
// a message of notices lists fewer of them rather than pass it.
const LINETextLimit = 5000

// MayPush tells whether one more LINE message of notices may be sent from
// the portal's Official Account when spent messages were already pushed
// since q was read: approval requests while the quota lasts; the rest
// only while it is used below QuotaWarningPercent, so that the last part
// of a small quota is kept for approvals. Without a limit, always.
func (q MessageQuota) MayPush(approval bool, spent int64) bool {
	if !q.Limited {
		return true
	}
	used := q.Sent + spent
	if used >= q.Limit {
		return false
	}
	return approval || used*100 < q.Limit*QuotaWarningPercent
}
