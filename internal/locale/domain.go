package locale

import (
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf16"

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
	// A plan keeps its market's name (glossary rule 9): Japan's are
	// LINE's Japanese names in Japanese and its English names elsewhere,
	// Thailand's LINE Thailand's Thai names in Thai, Taiwan's LINE
	// Taiwan's in every language.
	planIDs = map[portal.OAPlan]string{
		portal.PlanNotSet:          "plan.not_set_short",
		portal.PlanJPCommunication: "plan.jp_communication", portal.PlanJPLight: "plan.jp_light", portal.PlanJPStandard: "plan.jp_standard",
		portal.PlanTHFree: "plan.th_free", portal.PlanTHBasic: "plan.th_basic", portal.PlanTHPro: "plan.th_pro",
		portal.PlanTWLight: "plan.tw_light", portal.PlanTWMedium: "plan.tw_medium", portal.PlanTWHigh: "plan.tw_high",
	}
	attachmentIDs   = map[portal.AttachmentState]string{portal.Attached: "attachment.attached", portal.Detached: "attachment.detached"}
	detachReasonIDs = map[portal.DetachReason]string{
		portal.DetachBotDeleted: "detach.bot_deleted", portal.DetachEndedUse: "detach.ended_use",
		portal.DetachByAdmin: "detach.by_admin", portal.DetachOther: "detach.other",
	}
)

// noticeIDs are the message of each kind of notice.
var noticeIDs = map[portal.NoticeKind]string{
	portal.NoticeLinkRequest:          "notice.link_request",
	portal.NoticeLinkApproved:         "notice.link_approved",
	portal.NoticeReviewVerified:       "notice.review_verified",
	portal.NoticeReviewRejected:       "notice.review_rejected",
	portal.NoticeURLExpiring:          "notice.url_expiring",
	portal.NoticeInvitationAccepted:   "notice.invitation_accepted",
	portal.NoticeInvitationDeclined:   "notice.invitation_declined",
	portal.NoticeTeamRoleChanged:      "notice.team_role_changed",
	portal.NoticeTeamRemoved:          "notice.team_removed",
	portal.NoticeBotSuspended:         "notice.bot_suspended",
	portal.NoticeBotResumed:           "notice.bot_resumed",
	portal.NoticeMiniAppVerified:      "notice.miniapp_verified",
	portal.NoticeMiniAppRejected:      "notice.miniapp_rejected",
	portal.NoticeOrganizationVerified: "notice.organization_verified",
	portal.NoticeOrganizationRejected: "notice.organization_rejected",
}

// noticeKindIDs name each kind of notice, for a person's choice of what
// reaches them by LINE.
var noticeKindIDs = map[portal.NoticeKind]string{
	portal.NoticeLinkRequest:          "notice_kind.link_request",
	portal.NoticeLinkApproved:         "notice_kind.link_approved",
	portal.NoticeReviewVerified:       "notice_kind.review_verified",
	portal.NoticeReviewRejected:       "notice_kind.review_rejected",
	portal.NoticeURLExpiring:          "notice_kind.url_expiring",
	portal.NoticeInvitationAccepted:   "notice_kind.invitation_accepted",
	portal.NoticeInvitationDeclined:   "notice_kind.invitation_declined",
	portal.NoticeTeamRoleChanged:      "notice_kind.team_role_changed",
	portal.NoticeTeamRemoved:          "notice_kind.team_removed",
	portal.NoticeBotSuspended:         "notice_kind.bot_suspended",
	portal.NoticeBotResumed:           "notice_kind.bot_resumed",
	portal.NoticeMiniAppVerified:      "notice_kind.miniapp_verified",
	portal.NoticeMiniAppRejected:      "notice_kind.miniapp_rejected",
	portal.NoticeOrganizationVerified: "notice_kind.organization_verified",
	portal.NoticeOrganizationRejected: "notice_kind.organization_rejected",
}

func (l *Locale) NoticeKind(k portal.NoticeKind) string { return name(l, noticeKindIDs, k, string(k)) }

// Notice is a notice's sentence in the reader's language, in the portal's
// list and in a LINE message alike.
func (l *Locale) Notice(n portal.Notice) string {
	kv := make([]any, 0, 2*len(n.Params))
	for k, v := range n.Params {
		kv = append(kv, k, v)
	}
	return l.T(noticeIDs[n.Kind], kv...)
}

// name is v's name in the reader's language; a value with no message
// shows as the domain names it.
func name[K comparable](l *Locale, ids map[K]string, v K, fallback string) string {
	if id, ok := ids[v]; ok {
		return l.T(id)
	}
	return fallback
}

func (l *Locale) Kind(k portal.ChannelKind) string    { return name(l, kindIDs, k, k.String()) }
func (l *Locale) Region(r portal.Region) string       { return name(l, regionIDs, r, r.String()) }
func (l *Locale) Role(r portal.ChannelRole) string    { return name(l, roleIDs, r, r.String()) }
func (l *Locale) Review(s portal.ReviewStatus) string { return name(l, reviewIDs, s, s.String()) }
func (l *Locale) RequestState(s portal.LinkRequestState) string {
	return name(l, requestStateIDs, s, s.String())
}
func (l *Locale) MiniAppReview(s portal.MiniAppReviewState) string {
	return name(l, miniAppReviewIDs, s, s.String())
}
func (l *Locale) Verification(s portal.VerificationStatus) string {
	return name(l, verificationIDs, s, s.String())
}
func (l *Locale) Plan(p portal.OAPlan) string { return name(l, planIDs, p, p.String()) }
func (l *Locale) Attachment(s portal.AttachmentState) string {
	return name(l, attachmentIDs, s, s.String())
}
func (l *Locale) DetachReason(r portal.DetachReason) string {
	return name(l, detachReasonIDs, r, r.String())
}

// KindID, RoleID and ReviewStatusID are the message IDs of a channel
// kind, a role and a review status, for messages whose parameters are
// named when shown (flashes).
func KindID(k portal.ChannelKind) string          { return kindIDs[k] }
func RoleID(r portal.ChannelRole) string          { return roleIDs[r] }
func ReviewStatusID(s portal.ReviewStatus) string { return reviewIDs[s] }

// Refusal is the sentence a person reads for err, in the reader's
// language: a refusal's reason and parameters as its message
// ("refusal.<reason>"), and for anything else (an internal error, whose
// text may hold SQL or secrets) only that it failed.
func (l *Locale) Refusal(err error) string {
	if err == nil {
		return ""
	}
	e, ok := errors.AsType[*portal.Error](err)
	if !ok || e.Reason == "" {
		return l.T("error.internal_short")
	}
	params := make([]any, len(e.Params))
	requestID := ""
	for i, p := range e.Params {
		params[i] = l.param(p)
		if i%2 == 1 && e.Params[i-1] == "LINERequestID" {
			requestID, _ = p.(string)
		}
	}
	sentence := l.T("refusal."+string(e.Reason), params...)
	if requestID != "" {
		// What LINE's support asks for, when LINE answered.
		return l.T("line.with_request_id", "Sentence", sentence, "ID", requestID)
	}
	return sentence
}

// param is a refusal parameter as the reader's language writes it: the
// domain's own values by their names, data as it is.
func (l *Locale) param(p any) any {
	switch v := p.(type) {
	case portal.Term:
		return l.Term(v)
	case portal.ChannelKind:
		return l.Kind(v)
	case portal.Region:
		return l.Region(v)
	case portal.ReviewStatus:
		return l.Review(v)
	case portal.ChannelRole:
		return l.Role(v)
	case portal.VerificationStatus:
		return l.Verification(v)
	case portal.OAPlan:
		return l.Plan(v)
	case portal.Team:
		return l.Team(v)
	case portal.InvitationState:
		return name(l, invitationStateIDs, v, string(v))
	}
	return p
}

// Team names a channel, an Official Account or an organization people
// hold roles on, with its kind.
func (l *Locale) Team(t portal.Team) string {
	switch t.Kind() {
	case "channel":
		return l.T("team.channel", "Name", t.Name)
	case "official_account":
		return l.T("team.official_account", "Name", t.Name)
	}
	return l.T("team.organization", "Name", t.Name, "OrgID", t.OrgID)
}

var invitationStateIDs = map[portal.InvitationState]string{
	portal.InvitationPending: "invitation.pending", portal.InvitationAccepted: "invitation.accepted",
	portal.InvitationDeclined: "invitation.declined", portal.InvitationRevoked: "invitation.revoked",
	portal.InvitationExpired: "invitation.expired",
}

// Term is a word of the domain (portal.Term) in the reader's language.
func (l *Locale) Term(t portal.Term) string { return l.T("term." + string(t)) }

// Finding is why the rules reached a review outcome, in the reader's
// language.
func (l *Locale) Finding(f portal.Finding) string {
	return l.T("refusal."+string(f.Reason), l.storedParams(f.Params)...)
}

// ReviewReason is why a review has its outcome: the rules' finding in the
// reader's language, or the words an operator typed; a review recorded
// before findings were kept shows its English sentence as recorded, marked
// so for readers of another language.
func (l *Locale) ReviewReason(rv portal.Review) string {
	switch {
	case rv.Finding.Reason != "":
		return l.Finding(rv.Finding)
	case rv.Event == portal.ReviewOverride:
		return rv.Reason
	}
	return l.recordedInEnglish(rv.Reason)
}

// AuditNote is an audit entry's state before or after a change, in the
// reader's language; an entry logged before notes were kept shows the
// store's English sentence as recorded, marked so for readers of another
// language.
func (l *Locale) AuditNote(n portal.AuditNote) string {
	if n.Code == "" {
		return l.recordedInEnglish(n.Recorded)
	}
	return l.T("audit_note."+string(n.Code), l.storedParams(n.Params)...)
}

// recordedInEnglish is an English sentence stored before the portal kept
// codes, as recorded, marked for readers of another language.
func (l *Locale) recordedInEnglish(text string) string {
	if text == "" || l.Lang == "en" {
		return text
	}
	return l.T("recorded.in_english", "Text", text)
}

// storedParams are a finding's or an audit note's URL-encoded parameters
// as name/value pairs for their message.
func (l *Locale) storedParams(encoded string) []any {
	values, _ := url.ParseQuery(encoded)
	params := make([]any, 0, 2*len(values))
	for key := range values {
		params = append(params, key, l.storedParam(key, values.Get(key)))
	}
	return params
}

// storedParam is a stored parameter as the reader's language writes it:
// the domain's own values, known by the parameter's name (portal.AuditNote
// lists them), by their names; a time in the reader's zone; data as it is.
func (l *Locale) storedParam(key, v string) string {
	switch key {
	case "Kind":
		return l.Kind(portal.ChannelKind(v))
	case "Region", "Country":
		return l.Region(portal.Region(v))
	case "Role":
		return l.Role(portal.ChannelRole(v))
	case "Review":
		return l.Review(portal.ReviewStatus(v))
	case "Verification":
		return l.Verification(portal.VerificationStatus(v))
	case "RequestState":
		return l.RequestState(portal.LinkRequestState(v))
	case "MiniAppReview":
		return l.MiniAppReview(portal.MiniAppReviewState(v))
	case "Invitation":
		return name(l, invitationStateIDs, portal.InvitationState(v), v)
	case "Plan":
		return l.Plan(portal.OAPlan(v))
	case "DetachReason":
		return l.DetachReason(portal.DetachReason(v))
	case "DeveloperIsService", "ProviderIsService":
		if v == "true" {
			return l.T("audit_note.yes")
		}
		return l.T("audit_note.no")
	case "Until":
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return l.Time(t)
		}
	case "Chat":
		return l.chat(v)
	}
	return v
}

// chat names a chat the audit log records: a group or a room by its ID, a
// user's 1:1 chat without one (the log keeps no user's ID).
func (l *Locale) chat(id string) string {
	switch {
	case portal.IsLINEID(id, 'C'):
		return l.T("audit_note.chat_group", "ID", id)
	case portal.IsLINEID(id, 'R'):
		return l.T("audit_note.chat_room", "ID", id)
	}
	return l.T("audit_note.chat_user")
}

// LINENotices is the text of one LINE message of a person's notices in
// the reader's language, with url, where they act: one notice as its
// sentence; several as a list of at most portal.LINEBatchLimit, then how
// many more wait in the portal. The list is cut shorter where the whole
// would pass portal.LINETextLimit: LINE refuses a longer text, and the
// message would not go at all (an operator's reason alone may take 1,000
// characters).
func (l *Locale) LINENotices(notices []portal.Notice, url string) string {
	if len(notices) == 1 {
		return l.T("line.notice_one", "Notice", l.Notice(notices[0]), "URL", url)
	}
	lines := make([]string, 0, min(len(notices), portal.LINEBatchLimit))
	for _, n := range notices[:min(len(notices), portal.LINEBatchLimit)] {
		lines = append(lines, "• "+l.Notice(n))
	}
	for shown := len(lines); ; shown-- {
		list := lines[:shown:shown]
		if more := len(notices) - shown; more > 0 {
			list = append(list, l.T("line.notice_more", "N", more))
		}
		text := l.T("line.notice_many", "N", len(notices), "List", strings.Join(list, "\n"), "URL", url)
		if shown == 0 || lineTextLength(text) <= portal.LINETextLimit {
			return text
		}
	}
}

// lineTextLength counts text as LINE's limit on a text message may count
// it: in UTF-16 code units, where an emoji in a name takes two. That is
// never fewer than its characters, so a text within the limit this way
// is within it either way.
func lineTextLength(text string) int {
	n := 0
	for _, r := range text {
		n += utf16.RuneLen(r)
	}
	return n
}
