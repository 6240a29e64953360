package views

import (
	"context"

	"lineportal/internal/portal"
)

// The domain's states and kinds as each language names them. The IDs are
// written out, not built, so the message check sees every one.
var (
	kindIDs = map[portal.ChannelKind]string{
		portal.KindMiniApp: "kind.mini_app", portal.KindLogin: "kind.login",
		portal.KindMessagingAPI: "kind.messaging_api", portal.KindModule: "kind.module",
	}
	regionIDs = map[portal.Region]string{
		portal.RegionJapan: "region.jp", portal.RegionTaiwan: "region.tw", portal.RegionThailand: "region.th",
	}
	roleIDs = map[portal.ChannelRole]string{
		portal.RoleNone: "role.none", portal.RoleAdmin: "role.admin", portal.RoleMember: "role.member",
	}
	reviewIDs = map[portal.ReviewStatus]string{
		portal.ReviewUnverified: "review.unverified", portal.ReviewVerified: "review.verified", portal.ReviewRejected: "review.rejected",
	}
	requestStateIDs = map[portal.LinkRequestState]string{
		portal.LinkRequestPending: "request.pending", portal.LinkRequestApproved: "request.approved",
		portal.LinkRequestReplaced: "request.replaced", portal.LinkRequestExpired: "request.expired",
	}
	miniAppReviewIDs = map[portal.MiniAppReviewState]string{
		portal.MiniAppReviewNone: "mini_app_review.none", portal.MiniAppReviewPending: "mini_app_review.pending",
		portal.MiniAppReviewRejected: "mini_app_review.rejected",
	}
	verificationIDs = map[portal.VerificationStatus]string{
		portal.OrgUnverified: "verification.unverified", portal.OrgInReview: "verification.in_review",
		portal.OrgVerified: "verification.verified", portal.OrgRejected: "verification.rejected",
	}
	packageIDs = map[portal.OAPackage]string{
		portal.PackageFree: "package.free", portal.PackageBasic: "package.basic", portal.PackagePro: "package.pro",
	}
	attachmentIDs   = map[portal.AttachmentState]string{portal.Attached: "attachment.attached", portal.Detached: "attachment.detached"}
	detachReasonIDs = map[portal.DetachReason]string{
		portal.DetachBotDeleted: "detach.bot_deleted", portal.DetachEndedUse: "detach.ended_use",
		portal.DetachByAdmin: "detach.by_admin", portal.DetachOther: "detach.other",
	}
)

// label is v's name in the reader's language; a value with no message
// shows as the domain names it.
func label[K comparable](ctx context.Context, ids map[K]string, v K, fallback string) string {
	if id, ok := ids[v]; ok {
		return T(ctx, id)
	}
	return fallback
}

func kindLabel(ctx context.Context, k portal.ChannelKind) string {
	return label(ctx, kindIDs, k, k.String())
}
func regionLabel(ctx context.Context, r portal.Region) string {
	return label(ctx, regionIDs, r, r.String())
}
func roleName(ctx context.Context, r portal.ChannelRole) string {
	return label(ctx, roleIDs, r, r.String())
}
func reviewLabel(ctx context.Context, s portal.ReviewStatus) string {
	return label(ctx, reviewIDs, s, s.String())
}
func requestStateLabel(ctx context.Context, s portal.LinkRequestState) string {
	return label(ctx, requestStateIDs, s, s.String())
}
func miniAppReviewLabel(ctx context.Context, s portal.MiniAppReviewState) string {
	return label(ctx, miniAppReviewIDs, s, s.String())
}
func verificationLabel(ctx context.Context, s portal.VerificationStatus) string {
	return label(ctx, verificationIDs, s, s.String())
}
func packageLabel(ctx context.Context, p portal.OAPackage) string {
	return label(ctx, packageIDs, p, p.String())
}
func attachmentLabel(ctx context.Context, s portal.AttachmentState) string {
	return label(ctx, attachmentIDs, s, s.String())
}
func detachReasonLabel(ctx context.Context, r portal.DetachReason) string {
	return label(ctx, detachReasonIDs, r, r.String())
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

// reviewedNoun names what an account linking review is about: a channel
// or a LINE Official Account.
func reviewedNoun(ctx context.Context, rv portal.Review) string {
	if rv.OfficialAccountID != 0 {
		return T(ctx, "term.official_account")
	}
	return T(ctx, "term.channel")
}

// KindID, RoleID and ReviewStatusID are the message IDs of a channel
// kind, a role and a review status, for messages built in web (flashes).
func KindID(k portal.ChannelKind) string          { return kindIDs[k] }
func RoleID(r portal.ChannelRole) string          { return roleIDs[r] }
func ReviewStatusID(s portal.ReviewStatus) string { return reviewIDs[s] }
