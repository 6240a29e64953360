package portal

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/text/width"
)

// VerificationStatus is where an organization stands in the operators'
// organization verification review.
type VerificationStatus string

const (
	OrgUnverified VerificationStatus = "unverified" // never submitted
	OrgInReview   VerificationStatus = "in_review"
	OrgVerified   VerificationStatus = "verified"
	OrgRejected   VerificationStatus = "rejected" // the last review rejected it; it may be fixed and resubmitted
)

var verificationNames = map[VerificationStatus]string{
	OrgUnverified: "Unverified", OrgInReview: "In review", OrgVerified: "Verified", OrgRejected: "Rejected",
}

// String returns the status as pages show it.
func (s VerificationStatus) String() string { return nameOr(verificationNames, s) }

// Organization is a Business Manager organization.
type Organization struct {
	ID     string // "BM" followed by 11 digits
	Name   string
	Region Region
	Info   BusinessInfo
	// CompanyCountry is the "Company/business owner's country or region" of
	// the organization's business info. Like the rest of the business info
	// it can't change once the organization is verified.
	CompanyCountry Region
	// Verification is the state of the organization verification review;
	// VerificationReason says why it was last rejected.
	Verification            VerificationStatus
	VerificationReason      string
	VerificationSubmittedAt time.Time // when it was last submitted; zero if never
	CreatedAt               time.Time
}

// OrganizationID is a Business Manager organization ID in its one written
// form, "BM" followed by 11 digits. What a person types becomes one at the
// edge, through ParseOrganizationID, so the rules and the store never read
// raw input.
type OrganizationID string

// ParseOrganizationID reads an organization ID as a person types it. It
// forgives surrounding spaces, a lower-case "bm" and full-width letters and
// digits (Narrow), which are slips or an input method, not a different
// ID.
func ParseOrganizationID(input string) (OrganizationID, error) {
	id := OrganizationID(strings.ToUpper(Narrow(input)))
	if !id.valid() {
		return "", errOrganizationIDFormat()
	}
	return id, nil
}

// Narrow is what someone typed (an ID, a number), without the spaces
// around it and with its full-width letters and digits written narrow: a
// Japanese input method writes ＢＭ００００００００００１ unless switched off, and
// the ID is the same.
func Narrow(input string) string {
	return width.Narrow.String(strings.TrimSpace(input))
}

// valid tells whether id is written as an organization ID is: "BM" and 11
// digits, nothing forgiven.
func (id OrganizationID) valid() bool {
	return len(id) == 13 && strings.HasPrefix(string(id), "BM") && strings.Trim(string(id[2:]), "0123456789") == ""
}

func errOrganizationIDFormat() error { return FieldRefusal("org_id", ROrgIDFormat) }

// NewOrganizationID returns a random organization ID. IDs are not secrets
// (anyone is told theirs to pass on), so math/rand is enough; the store
// retries in the unlikely case of a collision.
func NewOrganizationID() OrganizationID {
	return OrganizationID(fmt.Sprintf("BM%011d", rand.Int64N(100_000_000_000)))
}

// CheckNewOrganization tells whether org can be created. Its business info
// may still be empty: it is needed only for the verification review. Its
// ID, when given, is already in the written form (ParseOrganizationID
// reads what a person typed).
func CheckNewOrganization(org Organization) error {
	var idRefusal, regionRefusal error
	if org.ID != "" && !OrganizationID(org.ID).valid() {
		idRefusal = errOrganizationIDFormat()
	}
	if !org.Region.Valid() {
		regionRefusal = FieldRefusal("region", ROrgRegion)
	}
	return FieldRefusals(idRefusal,
		checkText("name", TermOrgName, org.Name, MaxName, true),
		regionRefusal,
		checkOptionalBusinessInfo(org.Info),
		CheckOrganizationCompanyCountry(org.CompanyCountry))
}

// CheckOrganizationCompanyCountry tells whether country can be an
// organization's company/business owner's country or region.
func CheckOrganizationCompanyCountry(country Region) error {
	if !country.Valid() {
		return FieldRefusal("company_country", ROrgCompanyCountryChoose)
	}
	return nil
}

// OrganizationAccess is what one admin holds on one organization, for a
// page to decide what to show.
type OrganizationAccess struct {
	Admin    bool // administers the organization
	Operator bool
}

// CanView tells whether the admin may see the organization's pages.
func (a OrganizationAccess) CanView() error {
	if !a.Admin && !a.Operator {
		return Refuse(EFORBIDDEN, RNotOrgAdmin)
	}
	return nil
}

func requireOrgAdmin(orgAdmin bool, org Organization, action Term) error {
	if !orgAdmin {
		return Refuse(EFORBIDDEN, ROrgAdminOnly, "OrgID", org.ID, "Action", action)
	}
	return nil
}

// CanAddOrganizationAdmin tells whether someone may add an administrator to
// org; orgAdmin tells whether they administer it themselves.
func CanAddOrganizationAdmin(orgAdmin bool, org Organization) error {
	return requireOrgAdmin(orgAdmin, org, TermAddAdministrators)
}

// ParseLINEUserID reads the LINE user ID of someone to add as an
// administrator, as a person pastes it: U followed by 32 hex digits. It
// forgives surrounding spaces and upper-case hex digits (LINE's are
// lower-case), which are slips, not a different person.
func ParseLINEUserID(input string) (string, error) {
	id := strings.TrimSpace(input)
	if len(id) == 33 && id[0] == 'U' {
		id = "U" + strings.ToLower(id[1:])
	}
	if !IsLINEID(id, 'U') {
		return "", FieldRefusal("line_user_id", RLINEUserIDFormat)
	}
	return id, nil
}

// CanEditOrganizationInfo tells whether someone may change org's business
// info. It is open while the organization is unverified (never submitted,
// or rejected): during the review the operator must decide on what was
// submitted, and once verified the info is final.
func CanEditOrganizationInfo(orgAdmin bool, org Organization) error {
	if err := requireOrgAdmin(orgAdmin, org, TermEditOrgInfo); err != nil {
		return err
	}
	switch org.Verification {
	case OrgInReview:
		return Refuse(ECONFLICT, ROrgInfoInReview, "OrgID", org.ID)
	case OrgVerified:
		return Refuse(EINVALID, ROrgInfoVerified, "OrgID", org.ID)
	}
	return nil
}

// CanSubmitForVerification tells whether someone may submit org for its
// verification review.
func CanSubmitForVerification(orgAdmin bool, org Organization) error {
	if err := requireOrgAdmin(orgAdmin, org, TermSubmitVerification); err != nil {
		return err
	}
	switch org.Verification {
	case OrgInReview:
		return Refuse(ECONFLICT, ROrgAlreadyInReview, "OrgID", org.ID)
	case OrgVerified:
		return Refuse(ECONFLICT, ROrgAlreadyVerified, "OrgID", org.ID)
	}
	if !org.Info.Complete() {
		return Refuse(EINVALID, ROrgInfoMissing, "OrgID", org.ID)
	}
	return nil
}

// VerificationStartsOnLink tells whether linking an account to org starts
// org's verification review as well ("both reviews together"): the
// requirement for starting it is a complete business info in an
// organization never submitted before. A rejected organization starts again
// only when an administrator resubmits it after fixing its info.
func VerificationStartsOnLink(org Organization) bool {
	return org.Verification == OrgUnverified && org.Info.Complete()
}

// CanDecideVerification tells whether actor may verify or reject org.
func CanDecideVerification(actor Admin, org Organization) error {
	if err := CanRunReviews(actor); err != nil {
		return err
	}
	if org.Verification != OrgInReview {
		return Refuse(ECONFLICT, ROrgNoReviewWaiting, "OrgID", org.ID)
	}
	return nil
}
