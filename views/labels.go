package views

import (
	"context"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
)

// label is v's name in the reader's language; a value with no message
// shows as the domain names it.
func label[K comparable](ctx context.Context, ids map[K]string, v K, fallback string) string {
	if id, ok := ids[v]; ok {
		return T(ctx, id)
	}
	return fallback
}

func loc(ctx context.Context) *locale.Locale { return locale.From(ctx) }

func kindLabel(ctx context.Context, k portal.ChannelKind) string {
	return loc(ctx).Kind(k)
}
func regionLabel(ctx context.Context, r portal.Region) string {
	return loc(ctx).Region(r)
}
func roleName(ctx context.Context, r portal.ChannelRole) string {
	return loc(ctx).Role(r)
}
func reviewLabel(ctx context.Context, s portal.ReviewStatus) string {
	return loc(ctx).Review(s)
}
func requestStateLabel(ctx context.Context, s portal.LinkRequestState) string {
	return loc(ctx).RequestState(s)
}
func miniAppReviewLabel(ctx context.Context, s portal.MiniAppReviewState) string {
	return loc(ctx).MiniAppReview(s)
}
func verificationLabel(ctx context.Context, s portal.VerificationStatus) string {
	return loc(ctx).Verification(s)
}
func attachmentLabel(ctx context.Context, s portal.AttachmentState) string {
	return loc(ctx).Attachment(s)
}
func detachReasonLabel(ctx context.Context, r portal.DetachReason) string {
	return loc(ctx).DetachReason(r)
}

// RoleLabel is a channel role in the reader's language, for pages built
// in web (the profile's list of roles).
func RoleLabel(ctx context.Context, r portal.ChannelRole) string { return roleName(ctx, r) }

// guidanceIDs are the messages of each documented Rejected case: its
// title and its steps, which may name the organization ({{.OrgID}}).
var guidanceIDs = map[portal.RejectionCase]struct {
	title string
	steps []string
}{
	portal.CaseChannelInfo: {"guidance.channel_info.title", []string{
		"guidance.channel_info.fix", "guidance.channel_info.rereview", "guidance.resubmit",
	}},
	portal.CaseOfficialAccountInfo: {"guidance.oa_info.title", []string{
		"guidance.oa_info.fix", "guidance.resubmit",
	}},
	portal.CaseOrganizationInfoUnverified: {"guidance.org_info.title", []string{
		"guidance.org_info_unverified.fix", "guidance.org_info_unverified.verify", "guidance.org_info_unverified.resubmit",
	}},
	portal.CaseOrganizationInfoVerified: {"guidance.org_info.title", []string{
		"guidance.org_info_verified.cannot_change", "guidance.org_info_verified.create", "guidance.org_info_verified.transfer",
	}},
	portal.CaseWrongOrganization: {"guidance.wrong_org.title", []string{
		"guidance.wrong_org.transfer", "guidance.wrong_org.starts_over",
	}},
}

// guidanceTitle is the title of a documented Rejected case, which names
// what is linked (the channel, the account).
func guidanceTitle(ctx context.Context, g portal.Guidance) string {
	return T(ctx, guidanceIDs[g.Case].title, "Noun", loc(ctx).Term(g.Noun))
}

// KindID, RoleID and ReviewStatusID are the message IDs of a channel
// kind, a role and a review status, for messages built in web (flashes).
func KindID(k portal.ChannelKind) string          { return locale.KindID(k) }
func RoleID(r portal.ChannelRole) string          { return locale.RoleID(r) }
func ReviewStatusID(s portal.ReviewStatus) string { return locale.ReviewStatusID(s) }

// brandTypeIDs name the account types an attach may be limited to, as
// LINE names them (premium, verified and unverified accounts).
var brandTypeIDs = map[string]string{
	"premium":    "brand.premium",
	"verified":   "brand.verified",
	"unverified": "brand.unverified",
}
