package portal

import (
	"strings"
	"time"
)

// Region is where a channel provides its service, or where an organization
// is registered. Linking to Business Manager is offered in Japan only.
type Region string

const (
	RegionJapan    Region = "JP"
	RegionTaiwan   Region = "TW"
	RegionThailand Region = "TH"
)

// Regions are all regions, in the order forms offer them.
var Regions = []Region{RegionJapan, RegionTaiwan, RegionThailand}

var regionNames = map[Region]string{RegionJapan: "Japan", RegionTaiwan: "Taiwan", RegionThailand: "Thailand"}

// String returns the region's name as pages show it.
func (r Region) String() string { return nameOr(regionNames, r) }

// Valid tells whether r is a region the portal knows.
func (r Region) Valid() bool { _, ok := regionNames[r]; return ok }

// ChannelKind is the type of a LINE channel.
type ChannelKind string

const (
	KindMiniApp      ChannelKind = "mini_app"
	KindLogin        ChannelKind = "login"
	KindMessagingAPI ChannelKind = "messaging_api"
	KindModule       ChannelKind = "module"
)

// ChannelKinds are all channel kinds, in the order lists offer them.
var ChannelKinds = []ChannelKind{KindMiniApp, KindLogin, KindMessagingAPI, KindModule}

var kindNames = map[ChannelKind]string{
	KindMiniApp: "LINE MINI App", KindLogin: "LINE Login", KindMessagingAPI: "Messaging API", KindModule: "module",
}

// String returns the kind's name as LINE writes it.
func (k ChannelKind) String() string { return nameOr(kindNames, k) }

// Valid tells whether k is a kind the portal knows.
func (k ChannelKind) Valid() bool { _, ok := kindNames[k]; return ok }

// ChannelRole is an admin's role on a channel, or on a LINE Official
// Account, which has the same two roles. RoleNone is the zero value: no
// role at all.
type ChannelRole string

const (
	RoleNone   ChannelRole = ""
	RoleAdmin  ChannelRole = "admin"
	RoleMember ChannelRole = "member"
)

var roleNames = map[ChannelRole]string{RoleNone: "None", RoleAdmin: "Admin", RoleMember: "Member"}

// String returns "Admin", "Member" or "None".
func (r ChannelRole) String() string { return nameOr(roleNames, r) }

// Provider is a LINE Developers provider: the company or person that offers
// channels.
type Provider struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// MiniAppInfo is the Business information tab of a LINE MINI App channel,
// as published or as drafted.
type MiniAppInfo struct {
	// ServiceCompany is the company that provides the service; account
	// linking reviews compare it with the organization's business info.
	ServiceCompany BusinessInfo
	// DeveloperIsServiceCompany is "Same as the service company" in the
	// "Development company information" section.
	DeveloperIsServiceCompany bool
	// ProviderIsServiceCompany is true when Provider in the "Provider
	// information" section is set to "Service company".
	ProviderIsServiceCompany bool
	// CompanyCountry is the channel's "Company or owner's country or
	// region". LINE asks for it when the channel is created (as the region
	// where the service is provided, which the creator warrants is the
	// service company's) and does not let it be edited afterwards: a change
	// is asked for in the MINI App review request. So it is kept with the
	// business information, published and drafted, and only an approved
	// review publishes a new one.
	CompanyCountry Region
}

// ProviderMatchesServiceCompany is the linking requirement "the provider
// and the service company match": "Same as the service company" enabled, or
// disabled with the provider set to "Service company".
func (i MiniAppInfo) ProviderMatchesServiceCompany() bool {
	return i.DeveloperIsServiceCompany || i.ProviderIsServiceCompany
}

// MiniAppReviewState is where a MINI App's draft stands in the operators'
// MINI App (re-)review queue.
type MiniAppReviewState string

const (
	MiniAppReviewNone     MiniAppReviewState = "none" // not submitted, or approved (the draft was published)
	MiniAppReviewPending  MiniAppReviewState = "pending"
	MiniAppReviewRejected MiniAppReviewState = "rejected"
)

var miniAppReviewNames = map[MiniAppReviewState]string{
	MiniAppReviewNone: "Not in review", MiniAppReviewPending: "In review", MiniAppReviewRejected: "Rejected",
}

// String returns the state as pages show it.
func (s MiniAppReviewState) String() string { return nameOr(miniAppReviewNames, s) }

// Channel is a LINE channel registered in the portal.
type Channel struct {
	ID            int64
	Provider      Provider
	Kind          ChannelKind
	LINEChannelID string // the 10 digits LINE assigns
	Name          string
	Region        Region // the region where the service is provided

	// The fields below are used by LINE MINI Apps only.

	// Verified is true for a verified MINI App: one that passed the MINI App
	// review.
	Verified bool
	// Published is what reviews compare; Draft becomes Published only when
	// an operator approves its MINI App (re-)review.
	Published                MiniAppInfo
	Draft                    MiniAppInfo
	MiniAppReview            MiniAppReviewState
	MiniAppReviewReason      string    // why the last review was rejected
	MiniAppReviewSubmittedAt time.Time // when the draft was last submitted; zero if never

	CreatedAt time.Time
	// Link is the channel's current link to an organization, with its
	// current account linking review; nil when the channel is not linked.
	Link *Link
	// LinkedOA is the LINE Official Account the channel is linked to: a
	// MINI App's link, which is never removed, or a LINE Login channel's
	// "Linked OA"; nil when there is none.
	LinkedOA *OALink
}

// CheckNewProvider tells whether a provider with this name can be created.
func CheckNewProvider(name string) error {
	return checkText("name", TermProviderName, name, MaxName, true)
}

// CheckNewChannel tells whether ch can be created. Only the fields a person
// enters are checked: a new channel always starts unverified, with nothing
// published and no review. Each field's problem is reported, not only the
// first (FieldRefusals).
func CheckNewChannel(ch Channel) error {
	refusals := []error{checkText("name", TermChannelName, ch.Name, MaxName, true)}
	refuse := func(field string, reason Reason) { refusals = append(refusals, FieldRefusal(field, reason)) }
	switch {
	case !ch.Kind.Valid():
		refuse("kind", RChannelKind)
	case ch.Kind != KindMiniApp && ch.Draft != (MiniAppInfo{}):
		refuse("kind", RChannelNoBusinessInfo)
	}
	if !validLINEChannelID(ch.LINEChannelID) {
		refuse("line_channel_id", RChannelID)
	}
	if !ch.Region.Valid() {
		refuse("region", RChannelRegion)
	}
	if ch.Provider.ID == 0 {
		refusals = append(refusals, checkNewProviderField(ch.Provider.Name))
	}
	refusals = append(refusals, checkOptionalBusinessInfo(ch.Draft.ServiceCompany))
	if ch.Kind == KindMiniApp && ch.Region.Valid() && ch.Draft.CompanyCountry != "" && ch.Draft.CompanyCountry != ch.Region {
		refuse("company_country", RCompanyCountryWarranty)
	}
	return FieldRefusals(refusals...)
}

// checkNewProviderField is CheckNewProvider for the new provider's field
// of a channel's registration form.
func checkNewProviderField(name string) error {
	return OnField(CheckNewProvider(name), "new_provider")
}

// CreationCompanyCountry is the company or owner's country or region a new
// channel starts with: for a LINE MINI App, the region where it provides
// its service, which its creator warrants is the service company's; other
// kinds keep none.
func CreationCompanyCountry(ch Channel) Region {
	if ch.Kind != KindMiniApp {
		return ""
	}
	return ch.Region
}

// CheckMiniAppDraft tells whether draft can be saved as a MINI App's draft
// business information as far as its company or owner's country or region
// goes: it must be one the portal knows.
func CheckMiniAppDraft(draft MiniAppInfo) error {
	if !draft.CompanyCountry.Valid() {
		return FieldRefusal("company_country", RCompanyCountryChoose)
	}
	return nil
}

// CheckChannelRegistration tells whether ch may be registered from the
// portal's "Register a channel" form: a new channel (CheckNewChannel) of a
// kind that is registered without credentials. A module channel is
// registered with its channel secret and access token, which LINE must
// accept first (CheckNewModuleChannel), so it has its own form.
//
// A person registering a LINE MINI App gives LINE's warranty that the
// service company's country or region is the service region: the form
// sends it as Draft.CompanyCountry, which must then be set.
func CheckChannelRegistration(ch Channel) error {
	if ch.Kind == KindModule {
		return FieldRefusal("kind", RChannelModuleForm)
	}
	var warranty error
	if ch.Kind == KindMiniApp && ch.Draft.CompanyCountry == "" {
		warranty = FieldRefusal("company_country", RCompanyCountryWarranty)
	}
	return FieldRefusals(CheckNewChannel(ch), warranty)
}

func validLINEChannelID(s string) bool {
	return len(s) == 10 && strings.Trim(s, "0123456789") == ""
}

// ChannelAccess is what one admin holds on one channel, for a page to
// decide what to show. The rules below still decide every action.
type ChannelAccess struct {
	Role ChannelRole
	// OrgAdmin is true when the admin administers the organization the
	// channel is linked to now.
	OrgAdmin bool
	Operator bool
}

// CanView tells whether the admin may see the channel's pages.
func (a ChannelAccess) CanView() error {
	if a.Role == RoleNone && !a.OrgAdmin && !a.Operator {
		return Refuse(EFORBIDDEN, RNoChannelRole)
	}
	return nil
}

// requireChannelAdmin refuses anyone but an Admin of the channel; action
// completes "Only an Admin of this channel can …".
func requireChannelAdmin(role ChannelRole, action Term) error {
	return requireAdmin(role, TermThisChannel, action)
}

// requireAdmin refuses anyone but an Admin of what "of" names (a channel,
// an Official Account): "Only an Admin of <of> can <action>."
func requireAdmin(role ChannelRole, of, action Term) error {
	if role != RoleAdmin {
		return Refuse(EFORBIDDEN, RAdminOnly, "Of", of, "Action", action)
	}
	return nil
}

// CanSetChannelRole tells whether an admin holding actorRole on a channel
// may give someone role on it.
func CanSetChannelRole(actorRole, role ChannelRole) error {
	return canSetRole(actorRole, role, TermThisChannel)
}

// canSetRole is the rule for giving roles on a channel or an Official
// Account, which hold the same two roles.
func canSetRole(actorRole, role ChannelRole, of Term) error {
	if err := requireAdmin(actorRole, of, TermChangeRoles); err != nil {
		return err
	}
	if role != RoleAdmin && role != RoleMember {
		return FieldRefusal("role", RRole)
	}
	return nil
}

// CanEditChannelDraft tells whether an admin with role may change the draft
// business information of ch. The draft is frozen while it is in review, so
// the operator decides on what was submitted.
func CanEditChannelDraft(role ChannelRole, ch Channel) error {
	if err := requireChannelAdmin(role, TermEditBusinessInfo); err != nil {
		return err
	}
	return checkDraftOpen(ch)
}

func checkDraftOpen(ch Channel) error {
	if ch.Kind != KindMiniApp {
		return Refuse(EINVALID, RNoBusinessInfoKind, "Kind", ch.Kind)
	}
	if ch.MiniAppReview == MiniAppReviewPending {
		return Refuse(ECONFLICT, RDraftInReview)
	}
	return nil
}

// CanSubmitMiniAppReview tells whether an admin with role may submit the
// draft of ch for MINI App review (the first review of an unverified MINI
// App, or the re-review of a verified one).
func CanSubmitMiniAppReview(role ChannelRole, ch Channel) error {
	if err := requireChannelAdmin(role, TermSubmitMiniAppReview); err != nil {
		return err
	}
	if err := checkDraftOpen(ch); err != nil {
		return err
	}
	if !ch.Draft.ServiceCompany.Complete() {
		return Refuse(EINVALID, RDraftIncomplete)
	}
	if ch.Verified && ch.Draft == ch.Published {
		return Refuse(EINVALID, RDraftUnchanged)
	}
	return nil
}

// CanListAll tells whether actor may list every channel and organization
// rather than their own.
func CanListAll(actor Admin) error {
	return requireOperator(actor, TermListAll)
}

// CanRunReviews tells whether actor may open the operators' review queues.
func CanRunReviews(actor Admin) error {
	return requireOperator(actor, TermRunReviews)
}

// requireOperator refuses anyone but an operator; action completes "Only
// an operator can …".
func requireOperator(actor Admin, action Term) error {
	if !actor.Operator {
		return Refuse(EFORBIDDEN, ROperatorOnly, "Action", action)
	}
	return nil
}

// CanDecideMiniAppReview tells whether actor may approve or reject the
// MINI App review of ch. Approving publishes the draft.
func CanDecideMiniAppReview(actor Admin, ch Channel) error {
	if err := CanRunReviews(actor); err != nil {
		return err
	}
	if ch.MiniAppReview != MiniAppReviewPending {
		return Refuse(ECONFLICT, RNoMiniAppReviewWaiting)
	}
	return nil
}

// CheckReason requires the reason an operator gives when rejecting, so that
// the people concerned know what to fix.
func CheckReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return FieldRefusal("reason", RRejectReason)
	}
	return checkText("reason", TermReason, reason, MaxReason, true)
}
