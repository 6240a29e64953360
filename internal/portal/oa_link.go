package portal

import (
	"time"
)

// OALink links a channel to a LINE Official Account. For a LINE MINI App
// channel it is the link an organization administrator makes between two
// accounts of the same organization, which is never removed. For a LINE
// Login channel it is the channel's "Linked OA", the account that bot_prompt
// offers to add as a friend at login, which the channel's Admins may change.
type OALink struct {
	ChannelID         int64
	ChannelKind       ChannelKind
	ChannelName       string
	OfficialAccountID int64
	BasicID           string
	OAName            string
	// OrgID is the organization the MINI App channel and the account were
	// both linked to when they were linked; empty for a Login channel.
	OrgID        string
	LinkedAt     time.Time // since when
	LinkedBy     int64
	LinkedByName string
}

// CanOpenOALinking tells whether someone may open the "LINE official
// account linking" screen of org; orgAdmin tells whether they administer
// it. A developer who also administers the organization opens the same
// screen from the channel's Business Manager link tab.
func CanOpenOALinking(orgAdmin bool, org Organization) error {
	return requireOrgAdmin(orgAdmin, org, TermLinkOAs)
}

// CanOpenOALinkingFrom tells whether a channel's page offers LINE official
// account linking: the channel is linked to org (nil when it is linked to
// none), which the person administers.
func CanOpenOALinkingFrom(ch Channel, orgAdmin bool, org *Organization) error {
	if ch.Link == nil || org == nil {
		return Refuse(EINVALID, ROALinkChannelNotLinked)
	}
	return CanOpenOALinking(orgAdmin, *org)
}

// CanSelectOfficialAccount tells whether someone may pick oa on the "LINE
// official account linking" screen, to link a MINI App channel to it: it
// must be linked to an organization they administer (orgAdmin), with a
// Verified account linking review.
func CanSelectOfficialAccount(orgAdmin bool, oa OfficialAccount) error {
	if oa.Link == nil {
		return Refuse(EINVALID, ROALinkOANotLinked, "BasicID", oa.BasicID)
	}
	if err := CanOpenOALinking(orgAdmin, Organization{ID: oa.Link.OrgID}); err != nil {
		return err
	}
	if oa.Link.Review.Status != ReviewVerified {
		return Refuse(EINVALID, ROALinkOANotVerified, "BasicID", oa.BasicID, "Status", oa.Link.Review.Status)
	}
	return nil
}

// CheckLinkTarget tells whether ch can be linked to oa, from the channel's
// side; CanSelectOfficialAccount checks the account's. The reasons come in
// the order LINE lists the requirements (a MINI App channel, linked to the
// same organization, with a Verified review), then the rule that a channel
// links to at most one account. Each is a sentence that stands next to the
// channel in "Select target for linking".
func CheckLinkTarget(oa OfficialAccount, ch Channel) error {
	var orgID string
	if oa.Link != nil {
		orgID = oa.Link.OrgID
	}
	switch {
	case ch.Kind != KindMiniApp:
		return Refuse(EINVALID, ROALinkNotMiniApp, "Kind", ch.Kind)
	case ch.Link == nil:
		return Refuse(EINVALID, ROALinkTargetNotLinked, "OrgID", orgID)
	case ch.Link.OrgID != orgID:
		return Refuse(EINVALID, ROALinkTargetOtherOrg, "Other", ch.Link.OrgID, "OrgID", orgID)
	case ch.Link.Review.Status != ReviewVerified:
		return Refuse(EINVALID, ROALinkTargetNotVerified, "Status", ch.Link.Review.Status)
	case ch.LinkedOA != nil:
		return Refuse(ECONFLICT, ROALinkAlready, "BasicID", ch.LinkedOA.BasicID, "Name", ch.LinkedOA.OAName)
	}
	return nil
}

// CanLinkOfficialAccount tells whether someone may link the MINI App
// channel ch to oa; orgAdmin tells whether they administer the organization
// oa is linked to. It is the Link button's rule: both sides' requirements.
func CanLinkOfficialAccount(orgAdmin bool, oa OfficialAccount, ch Channel) error {
	if err := CanSelectOfficialAccount(orgAdmin, oa); err != nil {
		return err
	}
	return CheckLinkTarget(oa, ch)
}

// LinkTarget is one row of "Select target for linking": an account or a
// channel linked to the same organization as the Official Account being
// linked. Exactly one of Channel and OfficialAccount is set.
type LinkTarget struct {
	Channel         *Channel
	OfficialAccount *OfficialAccount
	// Reason is nil when the row can be selected; otherwise it says why it
	// can't (a refusal, which the edge writes as a sentence).
	Reason error
}

// Selectable tells whether the row offers Select.
func (t LinkTarget) Selectable() bool { return t.Reason == nil }

// CheckLinkTargets fills in the Reason of each row of "Select target for
// linking" for linking to oa, and returns the rows. Only MINI App channels
// can be selected: another Official Account is listed, as Business Manager
// lists every account of the organization, but never selectable.
func CheckLinkTargets(oa OfficialAccount, targets []LinkTarget) []LinkTarget {
	for i, t := range targets {
		if t.Channel != nil {
			targets[i].Reason = CheckLinkTarget(oa, *t.Channel)
		} else {
			targets[i].Reason = Refuse(EINVALID, ROALinkTargetIsOA)
		}
	}
	return targets
}

// CanSetLinkedOA tells whether someone may make oa the Linked OA of the
// LINE Login channel login. As LINE requires: they are an Admin of both the
// channel (loginRole) and the account (oaRole), and the account's Messaging
// API channel belongs to the same provider as the Login channel. A channel
// has one Linked OA; setting another one replaces it, as the console's
// Edit and Update do.
func CanSetLinkedOA(loginRole ChannelRole, login Channel, oaRole ChannelRole, oa OfficialAccount) error {
	if login.Kind != KindLogin {
		return Refuse(EINVALID, RLinkedOANotLogin, "Kind", login.Kind)
	}
	if err := CanChangeLinkedOA(loginRole); err != nil {
		return err
	}
	if oaRole != RoleAdmin {
		return Refuse(EFORBIDDEN, RLinkedOANotAdmin, "BasicID", oa.BasicID)
	}
	if oa.Provider.ID != login.Provider.ID {
		return FieldRefusal("official_account_id", RLinkedOAOtherProvider, "BasicID", oa.BasicID, "Provider", oa.Provider.Name, "Own", login.Provider.Name)
	}
	if login.LinkedOA != nil && login.LinkedOA.OfficialAccountID == oa.ID {
		return Refuse(ECONFLICT, RLinkedOAAlready, "BasicID", oa.BasicID)
	}
	return nil
}

// CanChangeLinkedOA tells whether an admin with role on a LINE Login
// channel may open its Linked OA setting; CanSetLinkedOA then decides each
// account.
func CanChangeLinkedOA(role ChannelRole) error {
	return requireChannelAdmin(role, TermSetLinkedOA)
}
