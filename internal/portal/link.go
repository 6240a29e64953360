package portal

import "time"

// LinkRequestValidity is how long a link request URL works after it is
// issued: 7 days, as LINE documents it.
const LinkRequestValidity = 168 * time.Hour

// LinkRequestState is where a link request stands. Pending, Approved and
// Replaced are stored; Expired is never stored but read off the clock (a
// pending request past its expiry), so no sweeper has to run and opening a
// URL never writes.
type LinkRequestState string

const (
	LinkRequestPending  LinkRequestState = "pending"
	LinkRequestApproved LinkRequestState = "approved"
	LinkRequestReplaced LinkRequestState = "replaced" // a newer request of the same channel took its place
	LinkRequestExpired  LinkRequestState = "expired"
)

var linkRequestNames = map[LinkRequestState]string{
	LinkRequestPending: "Pending", LinkRequestApproved: "Approved", LinkRequestReplaced: "Replaced", LinkRequestExpired: "Expired",
}

// String returns the state as pages show it.
func (s LinkRequestState) String() string { return nameOr(linkRequestNames, s) }

// LinkRequest is a developer's request to link a channel to an
// organization. Only a hash of its URL's token is kept.
type LinkRequest struct {
	ID         int64
	ChannelID  int64
	OrgID      string
	SentBy     int64
	SentByName string
	// State is the stored state; StateAt tells the state at a given time.
	State     LinkRequestState
	IssuedAt  time.Time
	ExpiresAt time.Time // IssuedAt + LinkRequestValidity
	// ApprovedAtOnce is true when the sender administered the organization:
	// the request was approved when sent and no URL was issued.
	ApprovedAtOnce bool
	DecidedAt      time.Time // when approved or replaced; zero while pending
	DecidedBy      int64     // the approver; 0 unless approved
	DecidedByName  string
}

// StateAt returns the request's state at now: a pending request is expired
// from its expiry time on. The URL works for the 168 hours [IssuedAt,
// ExpiresAt), so at exactly ExpiresAt it has stopped working.
func (r LinkRequest) StateAt(now time.Time) LinkRequestState {
	if r.State == LinkRequestPending && !now.Before(r.ExpiresAt) {
		return LinkRequestExpired
	}
	return r.State
}

// Usable tells whether the request's URL can still be approved at now, and
// if not, says which of expired, replaced or already approved applies and
// what to do next.
func (r LinkRequest) Usable(now time.Time) error {
	switch r.StateAt(now) {
	case LinkRequestExpired:
		return Refuse(EGONE, RLinkURLExpired)
	case LinkRequestReplaced:
		return Refuse(EGONE, RLinkURLReplaced)
	case LinkRequestApproved:
		return Refuse(ECONFLICT, RLinkAlreadyApproved)
	}
	return nil
}

// Link links a MINI App channel or a LINE Official Account to an
// organization; exactly one of ChannelID and OfficialAccountID is set. A
// link is never removed: a transfer ends it (EndedAt) and makes a new link
// to the destination, whose account linking review starts over.
type Link struct {
	ID                int64
	ChannelID         int64
	OfficialAccountID int64
	OrgID             string
	LinkedAt          time.Time
	LinkedBy          int64
	EndedAt           time.Time // zero while the link is current
	// Review is the current state of the link's account linking review.
	Review Review
}

// Current tells whether the link is the channel's link now, rather than one
// it was transferred away from.
func (l Link) Current() bool { return l.EndedAt.IsZero() }

// LinkedChannel is a channel linked to an organization now as the
// organization's "Accounts & channels" lists it: what a row shows, not the
// whole channel with its link and review (FindChannelByID reads those), so
// that a page reads a few columns a row instead of about fifty (issue 15).
type LinkedChannel struct {
	ID            int64 // the channel's
	Kind          ChannelKind
	Name          string
	LINEChannelID string
	LinkID        int64
	LinkedAt      time.Time
	Review        ReviewStatus // the status of the link's account linking review
}

// linkedWords name, in the rules' sentences, the kind of account a link
// links to an organization, so that a MINI App channel's link and an
// Official Account's go through the same rules.
type linkedWords struct {
	noun      Term   // a channel or a LINE Official Account
	notLinked Reason // nothing to transfer: not linked at all
}

var (
	channelWords = linkedWords{TermChannel, RTransferChannelNotLinked}
	oaWords      = linkedWords{TermOfficialAccount, RTransferOANotLinked}
)

// wordsFor names the subject of a link (or review) of the Official Account
// officialAccountID, or of a channel when it is zero.
func wordsFor(officialAccountID int64) linkedWords {
	if officialAccountID != 0 {
		return oaWords
	}
	return channelWords
}

// LinkApproval is everything the approval page and the approval rule need:
// the request, its channel and organization as they are now, and whether
// the person looking administers that organization.
type LinkApproval struct {
	Request         LinkRequest
	Channel         Channel
	Organization    Organization
	ActorIsOrgAdmin bool
}

// LinkedHere tells whether the channel is linked to the request's
// organization now (this request or a newer one was approved, or it came
// by a transfer): for its administrators, nothing waits for approval.
func (a LinkApproval) LinkedHere() bool {
	return a.ActorIsOrgAdmin && a.Channel.Link != nil && a.Channel.Link.OrgID == a.Organization.ID
}

// CheckLinkRequest tells whether an admin with role on ch may send a link
// request to the organization whose ID they entered (orgID). org is the
// organization with that ID, nil when there is none. The checks run in the
// order LINE documents, and each refusal names the unmet condition.
func CheckLinkRequest(role ChannelRole, ch Channel, orgID OrganizationID, org *Organization) error {
	if err := requireChannelAdmin(role, TermSendLinkRequest); err != nil {
		return err
	}
	if err := RequireOrganization(orgID, org); err != nil {
		return err
	}
	return checkChannelCanLink(ch, *org)
}

// CanSendLinkRequest tells, before any organization ID is entered, whether
// an admin with role on ch could send a link request: a page uses it to
// offer the form or say why not.
func CanSendLinkRequest(role ChannelRole, ch Channel) error {
	if err := requireChannelAdmin(role, TermSendLinkRequest); err != nil {
		return err
	}
	if err := checkChannelLinkable(ch); err != nil {
		return err
	}
	return checkNotLinked(ch.Link, channelWords)
}

// CanApprove tells whether actor may approve the link request in a at now.
// Opening the URL and approving ask the same question, so the page shows
// the approval screen exactly when the approval would succeed. The linking
// requirements are checked again because up to 168 hours may have passed
// since the request was sent.
func CanApprove(actor Admin, a LinkApproval, now time.Time) error {
	if actor.ID == 0 {
		return Refuse(EUNAUTHENTICATED, RLinkSignIn)
	}
	if !a.ActorIsOrgAdmin {
		return Refuse(EFORBIDDEN, RLinkNotOrgAdmin, "OrgID", a.Organization.ID)
	}
	if err := a.Request.Usable(now); err != nil {
		return err
	}
	return checkChannelCanLink(a.Channel, a.Organization)
}

// checkChannelCanLink is the linking requirements of both sides, in LINE's
// order, and that ch is not linked yet.
func checkChannelCanLink(ch Channel, org Organization) error {
	if err := checkChannelLinkable(ch); err != nil {
		return err
	}
	if err := checkOrganizationLinkable(org); err != nil {
		return err
	}
	if err := checkSameCompanyCountry(ch, org); err != nil {
		return err
	}
	return checkNotLinked(ch.Link, channelWords)
}

// RequireOrganization refuses the organization ID someone entered when no
// organization has it (org, which the caller looked up, is nil).
func RequireOrganization(id OrganizationID, org *Organization) error {
	if org == nil {
		return FieldRefusal("org_id", RNoSuchOrg, "OrgID", id)
	}
	return nil
}

// CanTransfer tells whether someone may transfer ch to the organization
// whose ID they entered (destID; dest is that organization, nil when there
// is none). They must administer both organizations: fromAdmin tells whether
// they administer the one ch is linked to, toAdmin the destination. The
// destination must meet the organization's linking requirement (region
// Japan), and its company/business owner's country or region must be the
// channel's; the channel met its own requirements when it was linked.
func CanTransfer(ch Channel, fromAdmin bool, destID OrganizationID, dest *Organization, toAdmin bool) error {
	if err := canTransfer(ch.Link, channelWords, fromAdmin, destID, dest, toAdmin); err != nil {
		return err
	}
	return checkSameCompanyCountry(ch, *dest)
}

// CanStartTransfer tells, before any destination is entered, whether
// someone could transfer ch: it is linked to an organization, which they
// administer (fromAdmin). A page uses it to offer the transfer form;
// CanTransfer then decides the destination.
func CanStartTransfer(ch Channel, fromAdmin bool) error {
	return canStartTransfer(ch.Link, channelWords, fromAdmin)
}

// canTransfer is CanTransfer for the current link (nil when none) of a
// channel or an Official Account, named by w.
func canTransfer(link *Link, w linkedWords, fromAdmin bool, destID OrganizationID, dest *Organization, toAdmin bool) error {
	if err := canStartTransfer(link, w, fromAdmin); err != nil {
		return err
	}
	if err := RequireOrganization(destID, dest); err != nil {
		return err
	}
	if dest.ID == link.OrgID {
		return FieldRefusal("org_id", RTransferSameOrg, "Noun", w.noun, "OrgID", dest.ID)
	}
	if !toAdmin {
		return Refuse(EFORBIDDEN, RTransferNotDestAdmin, "Noun", w.noun, "OrgID", dest.ID)
	}
	return checkOrganizationLinkable(*dest)
}

// canStartTransfer is the part of canTransfer that needs no destination:
// there is a link to transfer, and fromAdmin administers its organization.
func canStartTransfer(link *Link, w linkedWords, fromAdmin bool) error {
	if link == nil {
		return Refuse(EINVALID, w.notLinked)
	}
	if !fromAdmin {
		return Refuse(EFORBIDDEN, RTransferNotOrgAdmin, "OrgID", link.OrgID, "Noun", w.noun)
	}
	return nil
}

// checkChannelLinkable is the channel's side of the linking requirements.
func checkChannelLinkable(ch Channel) error {
	switch {
	case ch.Kind != KindMiniApp:
		return Refuse(EINVALID, RLinkNotMiniApp, "Kind", ch.Kind)
	case !ch.Verified:
		return Refuse(EINVALID, RLinkNotVerifiedMiniApp)
	case ch.Region != RegionJapan:
		return Refuse(EINVALID, RLinkRegionNotJapan, "Region", ch.Region)
	case !ch.Published.ProviderMatchesServiceCompany():
		return Refuse(EINVALID, RLinkNotSameAsServiceCompany)
	}
	return nil
}

// checkOrganizationLinkable is the organization's side of the linking
// requirements.
func checkOrganizationLinkable(org Organization) error {
	if org.Region != RegionJapan {
		return FieldRefusal("org_id", ROrgRegionNotJapan, "OrgID", org.ID, "Region", org.Region)
	}
	return nil
}

// checkSameCompanyCountry is the requirement that the channel's published
// "Company or owner's country or region" and the organization's
// "Company/business owner's country or region" match. The refusal says how
// each side can change: the channel's only through a MINI App review
// request, the organization's only while it is not verified (after that its
// business info is final, so the way out is a new organization and a
// transfer).
func checkSameCompanyCountry(ch Channel, org Organization) error {
	if ch.Published.CompanyCountry == org.CompanyCountry {
		return nil
	}
	reason := RCountryMismatch
	switch org.Verification {
	case OrgInReview:
		reason = RCountryMismatchInReview
	case OrgVerified:
		reason = RCountryMismatchVerified
	}
	return FieldRefusal("org_id", reason, "ChannelCountry", ch.Published.CompanyCountry, "OrgID", org.ID, "OrgCountry", org.CompanyCountry)
}

// checkNotLinked refuses to link again what link (nil when none) already
// links; w names it.
func checkNotLinked(link *Link, w linkedWords) error {
	if link != nil {
		return Refuse(ECONFLICT, RAlreadyLinked, "Noun", w.noun, "OrgID", link.OrgID)
	}
	return nil
}
