package portal

import (
	"net/url"
	"strings"
	"time"
)

// OAPlan is a LINE Official Account's monthly plan. Plans belong to a
// market, so a plan names its country too: Japan's are Communication,
// Light and Standard (since June 2023), Thailand's Free, Basic and Pro
// (004), Taiwan's 輕用量, 中用量 and 高用量 (light, medium and high usage,
// since September 2023). No LINE API returns the plan, so it is a setting;
// LINE's message quota API says what LINE applies (docs/decisions.md).
type OAPlan string

const (
	// PlanNotSet: the portal does not know the account's country, so it
	// has no plan to show (accounts registered before plans had countries
	// and not linked to a Japanese organization).
	PlanNotSet          OAPlan = ""
	PlanJPCommunication OAPlan = "jp_communication"
	PlanJPLight         OAPlan = "jp_light"
	PlanJPStandard      OAPlan = "jp_standard"
	PlanTHFree          OAPlan = "th_free"
	PlanTHBasic         OAPlan = "th_basic"
	PlanTHPro           OAPlan = "th_pro"
	PlanTWLight         OAPlan = "tw_light"
	PlanTWMedium        OAPlan = "tw_medium"
	PlanTWHigh          OAPlan = "tw_high"
)

// planSpec is what the portal needs of a plan: its market, its name there,
// the messages it sends a month at no extra charge, and whether more can
// be bought as additional messages. Prices are not the portal's business.
type planSpec struct {
	country    Region
	name       string
	monthly    int
	additional bool
}

var planSpecs = map[OAPlan]planSpec{
	// Japan (LINE for Business, "料金プラン", June 2023): additional
	// messages on Standard only.
	PlanJPCommunication: {RegionJapan, "Communication", 200, false},
	PlanJPLight:         {RegionJapan, "Light", 5_000, false},
	PlanJPStandard:      {RegionJapan, "Standard", 30_000, true},
	// Thailand (004): "the messages exceeding 35,000 will be charged";
	// Basic's additional messages are decided in docs/decisions.md.
	PlanTHFree:  {RegionThailand, "Free", 500, false},
	PlanTHBasic: {RegionThailand, "Basic", 15_000, false},
	PlanTHPro:   {RegionThailand, "Pro", 35_000, true},
	// Taiwan (tw.linebiz.com, September 2023): additional messages on
	// 高用量 only.
	PlanTWLight:  {RegionTaiwan, "輕用量", 200, false},
	PlanTWMedium: {RegionTaiwan, "中用量", 3_000, false},
	PlanTWHigh:   {RegionTaiwan, "高用量", 6_000, true},
}

// OAPlans are the plans LINE offers, by country (Japan, Taiwan,
// Thailand), smallest first.
var OAPlans = []OAPlan{
	PlanJPCommunication, PlanJPLight, PlanJPStandard,
	PlanTWLight, PlanTWMedium, PlanTWHigh,
	PlanTHFree, PlanTHBasic, PlanTHPro,
}

// PlansOf are the plans of one country, smallest first.
func PlansOf(country Region) []OAPlan {
	var plans []OAPlan
	for _, p := range OAPlans {
		if p.Country() == country {
			plans = append(plans, p)
		}
	}
	return plans
}

// String is the plan's name in its market ("Light", "Basic", "中用量");
// "not set" for PlanNotSet.
func (p OAPlan) String() string {
	if p == PlanNotSet {
		return "not set"
	}
	if s, ok := planSpecs[p]; ok {
		return s.name
	}
	return string(p)
}

// Valid tells whether p is a plan LINE offers; PlanNotSet is not.
func (p OAPlan) Valid() bool { _, ok := planSpecs[p]; return ok }

// Country is the market the plan belongs to; "" when the plan is not set.
func (p OAPlan) Country() Region { return planSpecs[p].country }

// MonthlyMessages is how many messages the plan sends a month at no extra
// charge, counted per recipient reached by broadcasts, step messages and
// the push, multicast and broadcast APIs (replies, chats, greetings and
// auto-responses don't count, 004); 0 when the plan is not set.
func (p OAPlan) MonthlyMessages() int { return planSpecs[p].monthly }

// AdditionalMessages tells whether the account may send more than its
// monthly messages, as charged additional messages. Without them, LINE
// refuses every counted message once the monthly messages are used ("this
// package cannot send more than 500 messages", 004).
func (p OAPlan) AdditionalMessages() bool { return planSpecs[p].additional }

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
	Plan          OAPlan
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
	Plan       OAPlan
	Info       BusinessInfo
}

// Edit returns the account's editable fields as they are, to start a form
// from.
func (oa OfficialAccount) Edit() OfficialAccountEdit {
	return OfficialAccountEdit{Name: oa.Name, PictureURL: oa.PictureURL, Plan: oa.Plan, Info: oa.Info}
}

// AdminRole is one admin's role on a channel or an Official Account.
type AdminRole struct {
	Admin Admin
	Role  ChannelRole
}

// ParseBasicID reads a basic ID as a person types it, forgiving
// surrounding spaces, upper-case letters (LINE finds "@LineDevelopers"
// as "@linedevelopers") and full-width forms (＠ｓａｋｕｒａ, as a Japanese
// input method types it; Narrow). It is read once, at the edge; the rules
// and the store take its written form.
func ParseBasicID(input string) (string, error) {
	id := strings.ToLower(Narrow(input))
	if !validBasicID(id) {
		return "", errBasicIDFormat()
	}
	return id, nil
}

// validBasicID tells whether id is written as a basic ID is: "@" and
// lower-case letters, digits, ".", "_" or "-", nothing forgiven.
func validBasicID(id string) bool {
	return len(id) >= 2 && len(id) <= MaxBasicID && id[0] == '@' && strings.Trim(id[1:], "abcdefghijklmnopqrstuvwxyz0123456789._-") == ""
}

func errBasicIDFormat() error { return FieldRefusal("basic_id", RBasicIDFormat) }

// CheckNewOfficialAccount tells whether oa can be registered: its basic ID,
// in its written form (ParseBasicID reads what a person typed), and the
// fields an Admin edits. Its business information may still be empty; it
// is needed only to link the account to an organization.
func CheckNewOfficialAccount(oa OfficialAccount) error {
	var idRefusal error
	if !validBasicID(oa.BasicID) {
		idRefusal = errBasicIDFormat()
	}
	return FieldRefusals(idRefusal, checkOfficialAccountEdit(oa.Edit()))
}

func checkOfficialAccountEdit(e OfficialAccountEdit) error {
	var pictureRefusal, planRefusal error
	if !validPictureURL(e.PictureURL) {
		pictureRefusal = FieldRefusal("picture_url", ROAPictureURL)
	}
	if !e.Plan.Valid() {
		planRefusal = FieldRefusal("plan", ROAPlan)
	}
	return FieldRefusals(checkText("name", TermOADisplayName, e.Name, MaxOfficialAccountName, true),
		checkOptionalBusinessInfo(e.Info), pictureRefusal, planRefusal)
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
	return OnField(Refuse(ECONFLICT, RBasicIDTaken, "BasicID", basicID), "basic_id")
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

// CanConnectOfficialAccount tells whether an admin with role on an
// Official Account may give the portal its Messaging API channel's secret,
// with which the portal issues the channel access tokens it reads LINE's
// figures with: only its Admins may, as only a channel's Admin sees the
// secret in the LINE Developers Console.
func CanConnectOfficialAccount(role ChannelRole) error {
	return requireAdmin(role, thisOA, TermEnterSecret)
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
// to the organization whose ID they entered (orgID; org is that
// organization, nil when there is none). In Business Manager an
// organization's administrator links the accounts they manage ("Link an
// account to an organization"), so the portal asks for both: an Admin role
// on the account (role) and administering the organization (orgAdmin). The
// account needs complete business information, which its account linking
// review compares, and the organization must be in Japan, where the portal
// offers Business Manager linking.
func CanLinkOfficialAccountToOrganization(role ChannelRole, oa OfficialAccount, orgID OrganizationID, org *Organization, orgAdmin bool) error {
	if err := CanStartOrganizationLink(role); err != nil {
		return err
	}
	if err := RequireOrganization(orgID, org); err != nil {
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
func CanTransferOfficialAccount(oa OfficialAccount, fromAdmin bool, destID OrganizationID, dest *Organization, toAdmin bool) error {
	return canTransfer(oa.Link, oaWords, fromAdmin, destID, dest, toAdmin)
}
