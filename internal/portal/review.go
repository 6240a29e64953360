package portal

import (
	"fmt"
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

// Verdict is the outcome of one run of an account linking review. Reason is
// always a sentence for a person: why it was rejected, why it waits, or why
// an operator overrode it.
type Verdict struct {
	Status ReviewStatus
	Cause  RejectionCause // set only when Status is ReviewRejected
	Reason string
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
	diffs := subject.differences(org)
	switch {
	case len(diffs) > 0 && (org.Verification == OrgVerified || org.Info.Complete()):
		return Verdict{Status: ReviewRejected, Cause: CauseMismatch, Reason: strings.Join(diffs, " ")}
	case org.Verification == OrgVerified:
		return Verdict{Status: ReviewVerified, Reason: fmt.Sprintf("The business information matches the business info of organization %s.", org.ID)}
	default:
		return Verdict{Status: ReviewUnverified, Reason: fmt.Sprintf("The account linking review starts once organization %s is verified.", org.ID)}
	}
}

func checkCurrent(link Link) error {
	if !link.Current() {
		w := wordsFor(link.OfficialAccountID)
		return Errorf(ECONFLICT, "This %s was transferred to another organization since, so the review of this link can't change any more. Open the %s from its current organization.", w.noun, w.noun)
	}
	return nil
}

// CanResubmit tells whether someone may request an account linking review
// resubmission for link, which is linked to org; orgAdmin tells whether
// they administer org. A review rejected for the wrong organization is left
// to a transfer, LINE's way out of that case.
func CanResubmit(orgAdmin bool, org Organization, link Link) error {
	if err := requireOrgAdmin(orgAdmin, org, "request an account linking review resubmission"); err != nil {
		return err
	}
	if err := checkCurrent(link); err != nil {
		return err
	}
	if org.Verification != OrgVerified {
		return Errorf(EINVALID, "Organization %s is not verified. Complete its verification review, then request the resubmission.", org.ID)
	}
	if link.Review.Status != ReviewRejected {
		return Errorf(ECONFLICT, "The account linking review is %s. Only a Rejected review can be resubmitted.", link.Review.Status)
	}
	// Run again, the rules would compare matching information and could
	// undo an operator's finding that the organization itself is wrong.
	if link.Review.Cause == CauseWrongOrganization {
		w := wordsFor(link.OfficialAccountID)
		return Errorf(EINVALID, "The review was rejected because the %s is linked to the wrong organization, which a resubmission can't change. Transfer the %s to the correct organization instead.", w.noun, w.noun)
	}
	return nil
}

// CanOverrideReview tells whether actor may set the outcome of link's
// account linking review to v.
func CanOverrideReview(actor Admin, link Link, v Verdict) error {
	if err := requireOperator(actor, "override an account linking review"); err != nil {
		return err
	}
	if err := checkCurrent(link); err != nil {
		return err
	}
	switch {
	case v.Status != ReviewVerified && v.Status != ReviewRejected:
		return FieldError("status", "Choose the outcome: Verified or Rejected.")
	case v.Status == ReviewVerified && v.Cause != CauseNone:
		return FieldError("cause", "A Verified review has no rejection cause.")
	case v.Status == ReviewRejected && v.Cause != CauseChannelInfo && v.Cause != CauseOrganizationInfo && v.Cause != CauseWrongOrganization:
		return FieldError("cause", "Choose why the review is rejected: the "+wordsFor(link.OfficialAccountID).noun+"'s business information, the organization's business info, or the wrong organization.")
	case strings.TrimSpace(v.Reason) == "":
		return FieldError("reason", "Give the reason for the override, for example \"linked to the wrong organization\".")
	}
	return checkText("reason", "the reason", v.Reason, MaxReason, true)
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

// Guidance is what the Rejected view shows for one case: a title naming the
// situation and the steps out of it, in order.
type Guidance struct {
	Case  RejectionCase
	Title string
	Steps []string
}

// RejectionGuidance tells the people concerned with a Rejected review which
// of the documented cases applies and what to do; org is the organization
// the link belongs to, as it is now. An operator's override names its
// cause, so exactly one case applies. A mismatch found by the rules can't
// tell which side is wrong (the linked account's information, the
// organization's, or the choice of organization), so the cases it leaves
// open are all given, in the order LINE documents them; the organization's
// verification status already picks which variant of "organization info
// wrong" applies. Reviews that are not Rejected get no guidance.
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
	resubmit := fmt.Sprintf("Ask an administrator of organization %s to request an account linking review resubmission.", org.ID)
	ownInfo := Guidance{CaseChannelInfo, "The channel's business information is wrong", []string{
		"Correct the business information in the channel's draft.",
		"Submit the draft for MINI App re-review and wait until it is published.",
		resubmit,
	}}
	if rv.OfficialAccountID != 0 {
		ownInfo = Guidance{CaseOfficialAccountInfo, "The LINE Official Account's business information is wrong", []string{
			"Ask an Admin of the LINE Official Account to correct its business information.",
			resubmit,
		}}
	}
	orgInfo := Guidance{CaseOrganizationInfoUnverified, "The organization's business info is wrong", []string{
		fmt.Sprintf("Correct the business info of organization %s.", org.ID),
		"Submit the organization for its verification review and wait until it is verified.",
		"Request an account linking review resubmission from the organization's Accounts & channels page.",
	}}
	if org.Verification == OrgVerified {
		orgInfo = Guidance{CaseOrganizationInfoVerified, "The organization's business info is wrong", []string{
			fmt.Sprintf("Organization %s is verified, so its business info can't be changed.", org.ID),
			"Create a new organization with the correct business info.",
			"Transfer the " + w.noun + " to the new organization; its account linking review starts over there once that organization is verified.",
		}}
	}
	wrongOrg := Guidance{CaseWrongOrganization, "The " + w.noun + " is linked to the wrong organization", []string{
		"Transfer the " + w.noun + " to the correct organization; you need to administer both organizations.",
		"The account linking review starts over there once that organization is verified.",
	}}
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
