package views

import "lineportal/internal/portal"

// auditLabels are the audit log's actions in words; an action without a
// label shows as recorded.
var auditLabels = map[portal.AuditAction]string{
	portal.ActionProviderCreate:         "Provider created",
	portal.ActionChannelCreate:          "Channel registered",
	portal.ActionChannelRoleSet:         "Role changed",
	portal.ActionChannelDraftUpdate:     "Business information draft saved",
	portal.ActionMiniAppReviewSubmit:    "Submitted for MINI App review",
	portal.ActionMiniAppReviewApprove:   "MINI App review approved; draft published",
	portal.ActionMiniAppReviewReject:    "MINI App review rejected",
	portal.ActionOrganizationCreate:     "Organization created",
	portal.ActionOrganizationAdminAdd:   "Administrator added",
	portal.ActionOrganizationInfo:       "Business info updated",
	portal.ActionVerificationSubmit:     "Submitted for organization verification",
	portal.ActionVerificationVerify:     "Organization verified",
	portal.ActionVerificationReject:     "Organization verification rejected",
	portal.ActionLinkRequestSend:        "Link request sent",
	portal.ActionLinkRequestReplace:     "Link request replaced",
	portal.ActionLinkRequestApprove:     "Link request approved",
	portal.ActionLinkCreate:             "Linked to the organization",
	portal.ActionLinkTransfer:           "Transferred to another organization",
	portal.ActionOfficialAccountCreate:  "Official Account registered",
	portal.ActionOfficialAccountUpdate:  "Official Account updated",
	portal.ActionOfficialAccountRoleSet: "Official Account role changed",
	portal.ActionOALinkCreate:           "MINI App linked to the Official Account",
	portal.ActionLinkedOASet:            "Linked OA set",
	portal.ReviewStart.Action():         "Account linking review started",
	portal.ReviewRun.Action():           "Account linking review ran",
	portal.ReviewResubmit.Action():      "Account linking review resubmitted",
	portal.ReviewOverride.Action():      "Account linking review overridden",
}

func auditLabel(a portal.AuditAction) string {
	if l, ok := auditLabels[a]; ok {
		return l
	}
	return string(a)
}
