package portal

import (
	"net/url"
	"strings"
	"time"
)

// ReviewStatus is the status of an account linking review.
type ReviewStatus string

const (
	ReviewUnverified ReviewStatus = "unverified" // the requirements for starting the review aren't met yet
	ReviewVerified   ReviewStatus = "verified"
	ReviewRejected   ReviewStatus = "rejected"
)

// ReviewStatuses are the review statuses, in the order filters offer them.
var ReviewStatuses = []ReviewStatus{ReviewUnverified, ReviewVerified, ReviewRejected}

var reviewNames = map[ReviewStatus]string{
	ReviewUnverified: "Unverified", ReviewVerified: "Verified", ReviewRejected: "Rejected",
}

// String returns exactly "Unverified", "Verified" or "Rejected", the names
// LINE shows.
func (s ReviewStatus) String() string { return nameOr(reviewNames, s) }

// Valid tells whether s is one of the three review statuses.
func (s ReviewStatus) Valid() bool { _, ok := reviewNames[s]; return ok }

// RejectionCause records why a review was rejected, which decides the
// guidance shown. The rules reject with CauseMismatch; an operator who
// overrides a review to Rejected names one of the other causes.
type RejectionCause string

const (
	CauseNone              RejectionCause = ""
	CauseMismatch          RejectionCause = "mismatch"          // the business information doesn't match; which side is wrong is not known
	CauseChannelInfo       RejectionCause = "channel_info"      // the linked account's own business information is wrong: the channel's, or the Official Account's
	CauseOrganizationInfo  RejectionCause = "organization_info" // the organization's business info is wrong
	CauseWrongOrganization RejectionCause = "wrong_organization"
)

// ReviewEvent is what made a review run.
type ReviewEvent string

const (
	ReviewStart    ReviewEvent = "start"    // the link was made (approval, or a transfer's destination)
	ReviewRun      ReviewEvent = "run"      // the organization became verified while the review waited
	ReviewResubmit ReviewEvent = "resubmit" // an organization administrator asked for it to run again
	ReviewOverride ReviewEvent = "override" // an operator set the outcome
)

// Action is the audit action recorded for the event.
func (e ReviewEvent) Action() AuditAction { return AuditAction("review." + string(e)) }

// Verdict is the outcome of one run of an account linking review, with why:
// the rules' Finding, or an operator's words (Reason) for an override.
type Verdict struct {
	Status ReviewStatus
	Cause  RejectionCause // set only when Status is ReviewRejected
	// Finding is why the rules reached the outcome; the edge writes it in
	// the reader's language. Zero for an override.
	Finding Finding
	// Reason is an operator's words for an override, kept as typed.
	// Reviews recorded before findings were kept hold the rules' English
	// sentence here instead (docs/decisions.md).
	Reason string
}

// Finding is a rule's reason for a review outcome and its parameters,
// URL-encoded (name=value&…) so that it is stored as it is and compares
// equal by value.
type Finding struct {
	Reason Reason
	Params string
}

// finding is reason with the parameters given as name/value pairs.
func finding(reason Reason, kv ...string) Finding {
	return Finding{Reason: reason, Params: encodeParams(kv)}
}

// encodeParams URL-encodes name/value pairs, as findings and audit notes
// store their parameters.
func encodeParams(kv []string) string {
	params := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		params.Set(kv[i], kv[i+1])
	}
	return params.Encode()
}

// Review is one entry of a link's account linking review history; the
// newest entry is the review's current state.
type Review struct {
	ID     int64
	LinkID int64
	OrgID  string
	// OfficialAccountID is the Official Account whose link was reviewed;
	// zero when the link is a channel's.
	OfficialAccountID int64
	Verdict
	Event     ReviewEvent
	ActorID   int64 // who caused the run: approver, resubmitter, verifying or overriding operator
	ActorName string
	At        time.Time
}

// ReviewOutcome runs an account linking review: subject is the business
// information of what is linked (a MINI App's published service company,
// or an Official Account's business information), org the organization it
// is linked to.
//   - The organization is verified: matching information → Verified, a
//     mismatch → Rejected with the reason.
//   - It is not verified: a mismatch still rejects (LINE's documented
//     exception), when the organization's info is complete enough to
//     compare; otherwise the review waits, Unverified, until the
//     organization is verified.
func ReviewOutcome(subject BusinessInfo, org Organization) Verdict {
	mismatch := subject.mismatch(org)
	switch {
	case mismatch.Reason != "" && (org.Verification == OrgVerified || org.Info.Complete()):
		return Verdict{Status: ReviewRejected, Cause: CauseMismatch, Finding: mismatch}
	case org.Verification == OrgVerified:
		return Verdict{Status: ReviewVerified, Finding: finding(RReviewMatches, "OrgID", org.ID)}
	default:
		return Verdict{Status: ReviewUnverified, Finding: finding(RReviewWaits, "OrgID", org.ID)}
	}
}

func checkCurrent(link Link) error {
	if !link.Current() {
		w := wordsFor(link.OfficialAccountID)
		return Refuse(ECONFLICT, RReviewLinkEnded, "Noun", w.noun)
	}
	return nil
}

// CanResubmit tells whether someone may request an account linking review
// resubmission for link, which is linked to org; orgAdmin tells whether
// they administer org. A review rejected for the wrong organization is left
// to a transfer, LINE's way out of that case.
func CanResubmit(orgAdmin bool, org Organization, link Link) error {
	if err := requireOrgAdmin(orgAdmin, org, TermRequestResubmission); err != nil {
		return err
	}
	if err := checkCurrent(link); err != nil {
		return err
	}
	if org.Verification != OrgVerified {
		return Refuse(EINVALID, RResubmitOrgUnverified, "OrgID", org.ID)
	}
	if link.Review.Status != ReviewRejected {
		return Refuse(ECONFLICT, RResubmitNotRejected, "Status", link.Review.Status)
	}
	// Run again, the rules would compare matching information and could
	// undo an operator's finding that the organization itself is wrong.
	if link.Review.Cause == CauseWrongOrganization {
		w := wordsFor(link.OfficialAccountID)
		return Refuse(EINVALID, RResubmitWrongOrg, "Noun", w.noun)
	}
	return nil
}

// CanOverrideReview tells whether actor may set the outcome of link's
// account linking review to v.
func CanOverrideReview(actor Admin, link Link, v Verdict) error {
	if err := requireOperator(actor, TermOverrideReview); err != nil {
		return err
	}
	if err := checkCurrent(link); err != nil {
		return err
	}
	switch {
	case v.Status != ReviewVerified && v.Status != ReviewRejected:
		return FieldRefusal("status", ROverrideStatus)
	case v.Status == ReviewVerified && v.Cause != CauseNone:
		return FieldRefusal("cause", ROverrideVerifiedCause)
	case v.Status == ReviewRejected && v.Cause != CauseChannelInfo && v.Cause != CauseOrganizationInfo && v.Cause != CauseWrongOrganization:
		return FieldRefusal("cause", ROverrideCause, "Noun", wordsFor(link.OfficialAccountID).noun)
	case strings.TrimSpace(v.Reason) == "":
		return FieldRefusal("reason", ROverrideReason)
	}
	return checkText("reason", TermReason, v.Reason, MaxReason, true)
}

// RejectionCase is one of the four situations LINE documents for a
// rejected account linking review, each with its own way forward. The
// linked account's own information being wrong is CaseChannelInfo for a
// channel and CaseOfficialAccountInfo for an Official Account.
type RejectionCase string

const (
	CaseChannelInfo                RejectionCase = "channel_info"
	CaseOfficialAccountInfo        RejectionCase = "official_account_info"
	CaseOrganizationInfoUnverified RejectionCase = "organization_info_unverified"
	CaseOrganizationInfoVerified   RejectionCase = "organization_info_verified"
	CaseWrongOrganization          RejectionCase = "wrong_organization"
)

// Guidance is one case the Rejected view shows: which documented
// situation, and what its steps name: the organization the link belongs to
// and what is linked (a channel or a LINE Official Account). The edge
// writes the title and the steps of each case.
type Guidance struct {
	Case  RejectionCase
	OrgID string
	Noun  Term
}

// RejectionGuidance tells the people concerned with a Rejected review which
// of the documented cases applies; org is the organization the link
// belongs to, as it is now. An operator's override names its cause, so
// exactly one case applies. A mismatch found by the rules can't tell which
// side is wrong (the linked account's information, the organization's, or
// the choice of organization), so the cases it leaves open are all given,
// in the order LINE documents them; the organization's verification status
// already picks which variant of "organization info wrong" applies. Reviews
// that are not Rejected get no guidance.
//
// LINE documents the cases for a MINI App channel. An Official Account's
// review gets the same ones, except that its own business information is
// corrected by one of its Admins and needs no re-review before the
// resubmission.
func RejectionGuidance(rv Review, org Organization) []Guidance {
	if rv.Status != ReviewRejected {
		return nil
	}
	w := wordsFor(rv.OfficialAccountID)
	guidance := func(c RejectionCase) Guidance { return Guidance{Case: c, OrgID: org.ID, Noun: w.noun} }
	ownInfo := guidance(CaseChannelInfo)
	if rv.OfficialAccountID != 0 {
		ownInfo = guidance(CaseOfficialAccountInfo)
	}
	orgInfo := guidance(CaseOrganizationInfoUnverified)
	if org.Verification == OrgVerified {
		orgInfo = guidance(CaseOrganizationInfoVerified)
	}
	wrongOrg := guidance(CaseWrongOrganization)
	switch rv.Cause {
	case CauseChannelInfo:
		return []Guidance{ownInfo}
	case CauseOrganizationInfo:
		return []Guidance{orgInfo}
	case CauseWrongOrganization:
		return []Guidance{wrongOrg}
	default:
		return []Guidance{ownInfo, orgInfo, wrongOrg}
	}
}
