package portal

import "time"

// AuditAction names a kind of state change in the audit log, as
// "<subject>.<verb>". Review runs use ReviewEvent.Action ("review.start",
// "review.run", "review.resubmit", "review.override").
type AuditAction string

const (
	ActionProviderCreate       AuditAction = "provider.create"
	ActionChannelCreate        AuditAction = "channel.create"
	ActionChannelRoleSet       AuditAction = "channel.role_set"
	ActionChannelDraftUpdate   AuditAction = "channel.draft_update"
	ActionMiniAppReviewSubmit  AuditAction = "miniapp_review.submit"
	ActionMiniAppReviewApprove AuditAction = "miniapp_review.approve"
	ActionMiniAppReviewReject  AuditAction = "miniapp_review.reject"
	ActionOrganizationCreate   AuditAction = "organization.create"
	ActionOrganizationAdminAdd AuditAction = "organization.admin_add"
	ActionOrganizationInfo     AuditAction = "organization.info_update"
	ActionVerificationSubmit   AuditAction = "verification.submit" // by an administrator, or by the portal when a link starts it
	ActionVerificationVerify   AuditAction = "verification.verify"
	ActionVerificationReject   AuditAction = "verification.reject"
	ActionLinkRequestSend      AuditAction = "link_request.send"
	ActionLinkRequestReplace   AuditAction = "link_request.replace"
	ActionLinkRequestApprove   AuditAction = "link_request.approve"
	ActionLinkCreate           AuditAction = "link.create"
	ActionLinkTransfer         AuditAction = "link.transfer" // the link the channel was transferred away from ends

	ActionOfficialAccountCreate     AuditAction = "official_account.create"
	ActionOfficialAccountUpdate     AuditAction = "official_account.update"
	ActionOfficialAccountRoleSet    AuditAction = "official_account.role_set"
	ActionOfficialAccountConnect    AuditAction = "official_account.connect"     // its channel secret given to the portal
	ActionOfficialAccountWebhookSet AuditAction = "official_account.webhook_set" // its Messaging API channel's webhook URL changed on LINE
	ActionOALinkCreate              AuditAction = "oa_link.create"               // a MINI App channel linked to an Official Account, for good
	ActionLinkedOASet               AuditAction = "channel.linked_oa_set"        // a LINE Login channel's Linked OA set or changed

	ActionInvitationCreate          AuditAction = "invitation.create"
	ActionInvitationRevoke          AuditAction = "invitation.revoke"
	ActionInvitationAccept          AuditAction = "invitation.accept"
	ActionInvitationDecline         AuditAction = "invitation.decline"
	ActionOfficialAccountRoleRemove AuditAction = "official_account.role_remove"
	ActionChannelRoleRemove         AuditAction = "channel.role_remove"
	ActionOrganizationAdminRemove   AuditAction = "organization.admin_remove"
)

// AuditSubject is the kind of thing an audit entry is about.
type AuditSubject string

const (
	SubjectProvider     AuditSubject = "provider"
	SubjectChannel      AuditSubject = "channel"
	SubjectOrganization AuditSubject = "organization"
	SubjectLinkRequest  AuditSubject = "link_request"
	SubjectLink         AuditSubject = "link" // a link and its account linking review

	SubjectOfficialAccount AuditSubject = "official_account"
	SubjectOALink          AuditSubject = "oa_link" // a MINI App channel's link to an Official Account; its ID is the channel's
	SubjectInvitation      AuditSubject = "invitation"
)

// AuditEntry is one state change in the append-only audit log: who did
// what to which subject, and its state before and after, in words a person
// reads ("Pending" → "Approved"); Before is empty for a creation.
type AuditEntry struct {
	ID          int64
	At          time.Time
	ActorID     int64
	ActorName   string
	Action      AuditAction
	SubjectKind AuditSubject
	SubjectID   string
	// ChannelID, OfficialAccountID and OrgID place the entry on the pages
	// of the channel, the Official Account and the organization it
	// concerns; zero when it concerns none.
	ChannelID         int64
	OfficialAccountID int64
	OrgID             string
	Before            string
	After             string
}
