package views

import (
	"context"

	"lineportal/internal/portal"
)

// auditIDs are the audit log's actions as messages; an action without one
// shows as recorded.
var auditIDs = map[portal.AuditAction]string{
	portal.ActionProviderCreate:            "audit.provider_create",
	portal.ActionChannelCreate:             "audit.channel_create",
	portal.ActionChannelRoleSet:            "audit.channel_role_set",
	portal.ActionChannelDraftUpdate:        "audit.channel_draft_update",
	portal.ActionMiniAppReviewSubmit:       "audit.mini_app_review_submit",
	portal.ActionMiniAppReviewApprove:      "audit.mini_app_review_approve",
	portal.ActionMiniAppReviewReject:       "audit.mini_app_review_reject",
	portal.ActionOrganizationCreate:        "audit.organization_create",
	portal.ActionOrganizationAdminAdd:      "audit.organization_admin_add",
	portal.ActionOrganizationInfo:          "audit.organization_info",
	portal.ActionVerificationSubmit:        "audit.verification_submit",
	portal.ActionVerificationVerify:        "audit.verification_verify",
	portal.ActionVerificationReject:        "audit.verification_reject",
	portal.ActionLinkRequestSend:           "audit.link_request_send",
	portal.ActionLinkRequestReplace:        "audit.link_request_replace",
	portal.ActionLinkRequestApprove:        "audit.link_request_approve",
	portal.ActionLinkCreate:                "audit.link_create",
	portal.ActionLinkTransfer:              "audit.link_transfer",
	portal.ActionOfficialAccountCreate:     "audit.official_account_create",
	portal.ActionOfficialAccountUpdate:     "audit.official_account_update",
	portal.ActionOfficialAccountRoleSet:    "audit.official_account_role_set",
	portal.ActionOfficialAccountConnect:    "audit.official_account_connect",
	portal.ActionOfficialAccountWebhookSet: "audit.official_account_webhook_set",
	portal.ActionOALinkCreate:              "audit.oa_link_create",
	portal.ActionLinkedOASet:               "audit.linked_oa_set",
	portal.ActionModuleRegister:            "audit.module_register",
	portal.ActionCredentialsSet:            "audit.credentials_set",
	portal.ActionModuleAttach:              "audit.module_attach",
	portal.ActionModuleDetach:              "audit.module_detach",
	portal.ActionChatControlAcquire:        "audit.chat_control_acquire",
	portal.ActionChatControlRelease:        "audit.chat_control_release",
	portal.ActionInvitationCreate:          "audit.invitation_create",
	portal.ActionInvitationRevoke:          "audit.invitation_revoke",
	portal.ActionInvitationAccept:          "audit.invitation_accept",
	portal.ActionInvitationDecline:         "audit.invitation_decline",
	portal.ActionOfficialAccountRoleRemove: "audit.official_account_role_remove",
	portal.ActionChannelRoleRemove:         "audit.channel_role_remove",
	portal.ActionOrganizationAdminRemove:   "audit.organization_admin_remove",
	portal.ReviewStart.Action():            "audit.review_start",
	portal.ReviewRun.Action():              "audit.review_run",
	portal.ReviewResubmit.Action():         "audit.review_resubmit",
	portal.ReviewOverride.Action():         "audit.review_override",
}

func auditLabel(ctx context.Context, a portal.AuditAction) string {
	return label(ctx, auditIDs, a, string(a))
}
