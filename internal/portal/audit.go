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
// what to which subject, and its state before and after as notes the edge
// writes in the reader's language ("Pending" → "Approved"); Before is
// empty for a creation.
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
	Before            AuditNote
	After             AuditNote
}

// AuditNote is a subject's state before or after a change: a code and its
// parameters, URL-encoded as a Finding's are, which the edge writes as a
// sentence in the reader's language (message "audit_note.<code>").
// Parameters are data (names, IDs, what a person typed) or, under the
// names the edge knows (Kind, Region, Role, Review …), the domain's own
// values, named in the reader's language.
type AuditNote struct {
	Code   NoteCode
	Params string
	// Recorded is the English sentence an entry logged before notes were
	// kept (migration 0012) holds instead; it is shown as recorded.
	Recorded string
}

// Note is code with the parameters given as name/value pairs.
func Note(code NoteCode, kv ...string) AuditNote {
	return AuditNote{Code: code, Params: encodeParams(kv)}
}

// NoteCode names what an audit note says. Every code is a constant here,
// so that the edge's messages can be checked against the whole list.
type NoteCode string

const (
	NoteProvider                 NoteCode = "provider"                 // Name
	NoteChannel                  NoteCode = "channel"                  // Kind, Name, LINEChannelID, Region, Admin
	NoteModuleChannel            NoteCode = "module_channel"           // Name, LINEChannelID, Region, Admin
	NoteMiniAppInfo              NoteCode = "mini_app_info"            // Company, Address, DeveloperIsService, ProviderIsService, Country
	NoteMiniAppReview            NoteCode = "mini_app_review"          // MiniAppReview
	NoteMiniAppReviewRejected    NoteCode = "mini_app_review_rejected" // MiniAppReview, Reason
	NoteRole                     NoteCode = "role"                     // Name, Role
	NoteOrgAdmin                 NoteCode = "org_admin"                // Name
	NoteOrganization             NoteCode = "organization"             // Name, Region, Company, Address, Country, Admin
	NoteOrgInfo                  NoteCode = "org_info"                 // Company, Address, Country
	NoteVerification             NoteCode = "verification"             // Verification
	NoteVerificationRejected     NoteCode = "verification_rejected"    // Verification, Reason
	NoteLinkRequest              NoteCode = "link_request"             // RequestState
	NoteLinkedToOrg              NoteCode = "linked_to_org"            // OrgID
	NoteTransferredTo            NoteCode = "transferred_to"           // OrgID
	NoteReview                   NoteCode = "review"                   // Review
	NoteInvitedAs                NoteCode = "invited_as"               // Role
	NoteInvitation               NoteCode = "invitation"               // Invitation
	NoteOfficialAccount          NoteCode = "official_account"         // BasicID, Name, PictureURL, Plan, Company, Address
	NoteOACreated                NoteCode = "oa_created"               // BasicID, Name, PictureURL, Plan, Company, Address, LINEChannelID, Admin
	NoteOAConnected              NoteCode = "oa_connected"             // LINEChannelID
	NoteWebhookURL               NoteCode = "webhook_url"              // URL
	NoteNoWebhookURL             NoteCode = "no_webhook_url"
	NoteOA                       NoteCode = "oa" // BasicID, Name: a Linked OA
	NoteNoOA                     NoteCode = "no_oa"
	NoteOALink                   NoteCode = "oa_link" // Name, LINEChannelID, BasicID, OAName
	NoteNoCredentials            NoteCode = "no_credentials"
	NoteCredentials              NoteCode = "credentials"     // held, not shown
	NoteNewCredentials           NoteCode = "new_credentials" // stored encrypted, not shown
	NoteAttached                 NoteCode = "attached"        // Bot, Scopes
	NoteDetached                 NoteCode = "detached"        // Bot, DetachReason
	NoteDetachedByAdminAfterLINE NoteCode = "detached_by_admin_after_line"
	NoteChatControl              NoteCode = "chat_control"          // Chat, Bot
	NoteChatControlUntil         NoteCode = "chat_control_until"    // Chat, Bot, Until
	NoteChatControlNoLimit       NoteCode = "chat_control_no_limit" // Chat, Bot
	NoteChatReturned             NoteCode = "chat_returned"
)
