package portal

import (
	"net/url"
	"strings"
	"time"
)

// OAPackage is a LINE Official Account's monthly package. The names and the
// monthly message counts are those of LINE Official Account Manager's help
// (004): Free, Basic and Pro.
type OAPackage string

const (
	PackageFree  OAPackage = "free"
	PackageBasic OAPackage = "basic"
	PackagePro   OAPackage = "pro"
)

// OAPackages are the packages LINE offers, smallest first.
var OAPackages = []OAPackage{PackageFree, PackageBasic, PackagePro}

var packageNames = map[OAPackage]string{PackageFree: "Free", PackageBasic: "Basic", PackagePro: "Pro"}

// String returns "Free", "Basic" or "Pro".
func (p OAPackage) String() string { return nameOr(packageNames, p) }

// Valid tells whether p is a package LINE offers.
func (p OAPackage) Valid() bool { _, ok := packageNames[p]; return ok }

// MonthlyMessages is how many messages the package sends a month at no
// extra charge, counted per recipient reached by broadcasts, step messages
// and the push, multicast and broadcast APIs (replies, chats, greetings and
// auto-responses don't count); 0 for an unknown package.
func (p OAPackage) MonthlyMessages() int {
	switch p {
	case PackageFree:
		return 500
	case PackageBasic:
		return 15_000
	case PackagePro:
		return 35_000
	}
	return 0
}

// AdditionalMessages tells whether the account may send more than its
// monthly messages, as charged additional messages: the Free package can't
// ("this package cannot send more than 500 messages").
func (p OAPackage) AdditionalMessages() bool {
	return p == PackageBasic || p == PackagePro
}

// OfficialAccount is a LINE Official Account registered in the portal. It
// sends and receives messages through one Messaging API channel, which
// places it in that channel's provider. Like a MINI App channel, it can be
// linked to a Business Manager organization, with its own account linking
// review, which compares Info with the organization's business info.
type OfficialAccount struct {
	ID         int64
	BasicID    string // "@" followed by lowercase letters, digits, ".", "_" or "-"
	Name       string // the display name
	PictureURL string // https; empty when no picture is set
	// ChannelID is its Messaging API channel (LINEChannelID, ChannelName),
	// of Provider.
	ChannelID     int64
	LINEChannelID string
	ChannelName   string
	Provider      Provider
	Package       OAPackage
	Info          BusinessInfo
	CreatedAt     time.Time
	// Link is its current link to an organization, with the link's current
	// account linking review; nil when it is not linked.
	Link *Link
}

// OfficialAccountEdit is what an Admin of an Official Account may change.
// The basic ID is LINE's and the Messaging API channel is fixed at
// creation, so neither is here.
type OfficialAccountEdit struct {
	Name       string
	PictureURL string
	Package    OAPackage
	Info       BusinessInfo
}

// Edit returns the account's editable fields as they are, to start a form
// from.
func (oa OfficialAccount) Edit() OfficialAccountEdit {
	return OfficialAccountEdit{Name: oa.Name, PictureURL: oa.PictureURL, Package: oa.Package, Info: oa.Info}
}

// AdminRole is one admin's role on a channel or an Official Account.
type AdminRole struct {
	Admin Admin
	Role  ChannelRole
}

// ParseBasicID reads a basic ID as a person types it, forgiving
// surrounding spaces and upper-case letters (LINE finds "@LineDevelopers"
// as "@linedevelopers").
func ParseBasicID(input string) (string, error) {
	id := strings.ToLower(strings.TrimSpace(input))
	if len(id) < 2 || len(id) > MaxBasicID || id[0] != '@' || strings.Trim(id[1:], "abcdefghijklmnopqrstuvwxyz0123456789._-") != "" {
		return "", FieldRefusal("basic_id", RBasicIDFormat)
	}
	return id, nil
}

// CheckNewOfficialAccount tells whether oa can be registered: its basic ID
// and the fields an Admin edits. Its business information may still be
// empty; it is needed only to link the account to an organization.
func CheckNewOfficialAccount(oa OfficialAccount) error {
	if _, err := ParseBasicID(oa.BasicID); err != nil {
		return err
	}
	return checkOfficialAccountEdit(oa.Edit())
}

func checkOfficialAccountEdit(e OfficialAccountEdit) error {
	if err := checkText("name", TermOADisplayName, e.Name, MaxOfficialAccountName, true); err != nil {
		return err
	}
	if err := checkOptionalBusinessInfo(e.Info); err != nil {
		return err
	}
	switch {
	case !validPictureURL(e.PictureURL):
		return FieldRefusal("picture_url", ROAPictureURL)
	case !e.Package.Valid():
		return FieldRefusal("package", ROAPackage)
	}
	return nil
}

// validPictureURL accepts no picture, or an absolute https URL: pages
// show it in an <img>, and anything else would be mixed content or a
// javascript: trap.
func validPictureURL(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

// CanCreateOfficialAccount tells whether an admin with role on ch may
// register a LINE Official Account on it; existing is the account ch
// already has, nil when none. A Messaging API channel belongs to exactly one
// account, and its Admin creates it, as the LINE Developers Console lets
// only a channel's Admin change it.
func CanCreateOfficialAccount(role ChannelRole, ch Channel, existing *OfficialAccount) error {
	if ch.Kind != KindMessagingAPI {
		return FieldRefusal("channel_id", ROAChannelKind, "Kind", ch.Kind)
	}
	if err := requireChannelAdmin(role, TermCreateOA); err != nil {
		return err
	}
	if existing != nil {
		return Refuse(ECONFLICT, ROAChannelTaken, "BasicID", existing.BasicID)
	}
	return nil
}

// BasicIDTaken is the refusal for a basic ID another registered account
// has.
func BasicIDTaken(basicID string) error {
	msg := "A LINE Official Account with the basic ID " + basicID + " is already registered in the portal."
	return &Error{Code: ECONFLICT, Message: msg, Fields: map[string]string{"basic_id": msg}}
}

const thisOA = TermThisOA

// CanEditOfficialAccount tells whether an admin with role on oa may change
// it to e (trimmed, as it will be stored). The business information is what
// the account linking review compared, so it is frozen while the review is
// Verified: changing it would leave a verified review that no longer
// holds. Rejected or waiting, it may be corrected, and an organization
// administrator then requests a resubmission.
func CanEditOfficialAccount(role ChannelRole, oa OfficialAccount, e OfficialAccountEdit) error {
	if err := requireAdmin(role, thisOA, TermEditIt); err != nil {
		return err
	}
	if err := checkOfficialAccountEdit(e); err != nil {
		return err
	}
	if e.Info != oa.Info && oa.Link != nil && oa.Link.Review.Status == ReviewVerified {
		return Refuse(EINVALID, ROAInfoVerified, "OrgID", oa.Link.OrgID)
	}
	return nil
}

// CanSetOfficialAccountRole tells whether an admin holding actorRole on an
// Official Account may give someone role on it.
func CanSetOfficialAccountRole(actorRole, role ChannelRole) error {
	return canSetRole(actorRole, role, thisOA)
}

// OfficialAccountAccess is what one admin holds on one Official Account,
// for a page to decide what to show. The rules still decide every action.
type OfficialAccountAccess struct {
	Role ChannelRole
	// OrgAdmin is true when the admin administers the organization the
	// account is linked to now.
	OrgAdmin bool
	Operator bool
}

// CanView tells whether the admin may see the account's pages.
func (a OfficialAccountAccess) CanView() error {
	if a.Role == RoleNone && !a.OrgAdmin && !a.Operator {
		return Refuse(EFORBIDDEN, RNoOARole)
	}
	return nil
}

// CanStartOrganizationLink tells, before any organization ID is entered,
// whether an admin with role on an Official Account could link it to an
// organization: only its Admins can. A page uses it to offer the form;
// CanLinkOfficialAccountToOrganization then decides the organization.
func CanStartOrganizationLink(role ChannelRole) error {
	return requireAdmin(role, thisOA, TermLinkToOrg)
}

// CanLinkOfficialAccountToOrganization tells whether someone may link oa
// to the organization whose ID they typed (orgInput; org is that
// organization, nil when there is none). In Business Manager an
// organization's administrator links the accounts they manage ("Link an
// account to an organization"), so the portal asks for both: an Admin role
// on the account (role) and administering the organization (orgAdmin). The
// account needs complete business information, which its account linking
// review compares, and the organization must be in Japan, where the portal
// offers Business Manager linking.
func CanLinkOfficialAccountToOrganization(role ChannelRole, oa OfficialAccount, orgInput string, org *Organization, orgAdmin bool) error {
	if err := CanStartOrganizationLink(role); err != nil {
		return err
	}
	if err := RequireOrganization(orgInput, org); err != nil {
		return err
	}
	if err := requireOrgAdmin(orgAdmin, *org, TermLinkAccounts); err != nil {
		return err
	}
	if !oa.Info.Complete() {
		return Refuse(EINVALID, ROAInfoMissing)
	}
	if err := checkOrganizationLinkable(*org); err != nil {
		return err
	}
	return checkNotLinked(oa.Link, oaWords)
}

// CanStartOfficialAccountTransfer is CanStartTransfer for an Official
// Account.
func CanStartOfficialAccountTransfer(oa OfficialAccount, fromAdmin bool) error {
	return canStartTransfer(oa.Link, oaWords, fromAdmin)
}

// CanTransferOfficialAccount is CanTransfer for an Official Account.
func CanTransferOfficialAccount(oa OfficialAccount, fromAdmin bool, destInput string, dest *Organization, toAdmin bool) error {
	return canTransfer(oa.Link, oaWords, fromAdmin, destInput, dest, toAdmin)
}
