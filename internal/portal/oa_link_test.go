package portal_test

import (
	"testing"

	"lineportal/internal/portal"
)

const (
	otherOrgID        = "BM09876543210"
	msgTargetNotMini  = "Only a LINE MINI App channel can be linked to a LINE Official Account; this is a LINE Login channel."
	msgTargetUnlinked = "This channel is not linked to a Business Manager organization. Only a channel linked to organization BM01234567890, like the LINE Official Account, can be linked."
	msgTargetOtherOrg = "This channel is linked to another organization, BM09876543210. Only a channel linked to organization BM01234567890, like the LINE Official Account, can be linked."
	msgTargetRejected = "This channel's account linking review is Rejected. Only a channel whose account linking review is Verified can be linked."
	msgTargetWaiting  = "This channel's account linking review is Unverified. Only a channel whose account linking review is Verified can be linked."
	msgTargetHasOA    = "This channel is already linked to LINE Official Account @other (Other). A LINE MINI App channel links to at most one LINE Official Account, and the link can't be removed."
	msgTargetIsOA     = "Only a LINE MINI App channel can be linked to a LINE Official Account; this is a LINE Official Account."
	msgOANotLinked    = "LINE Official Account @acme is not linked to a Business Manager organization. Link it to the organization first."
	msgOANotOrgAdmin  = "Only an administrator of organization BM01234567890 can link its LINE Official Accounts to LINE MINI App channels."
	msgOANotVerified  = "The account linking review of LINE Official Account @acme is Rejected. It can be linked to a LINE MINI App channel once its review is Verified."
)

// linkedMiniApp is a MINI App channel linked to verifiedOrg with a
// Verified review, not linked to any Official Account.
func linkedMiniApp() portal.Channel {
	ch := linkableChannel()
	ch.Link = currentLink(portal.ReviewVerified)
	return ch
}

// linkedElsewhere is the link of a channel to another Official Account.
var linkedElsewhere = &portal.OALink{ChannelID: 7, ChannelKind: portal.KindMiniApp, OfficialAccountID: 12, BasicID: "@other", OAName: "Other", OrgID: orgID}

type oaLinkInput struct {
	orgAdmin bool
	oa       portal.OfficialAccount
	ch       portal.Channel
}

// The channel's side, in the order CheckLinkTarget checks it. The break
// functions cope with a link an earlier one removed.
func targetRefusals() []refusal[oaLinkInput] {
	withLink := func(f func(*portal.Link)) func(*oaLinkInput) {
		return func(i *oaLinkInput) {
			if i.ch.Link != nil {
				f(i.ch.Link)
			}
		}
	}
	return []refusal[oaLinkInput]{
		{"ErrNotMiniApp", func(i *oaLinkInput) { i.ch.Kind = portal.KindLogin }, portal.EINVALID, msgTargetNotMini},
		{"ErrChannelNotLinked", func(i *oaLinkInput) { i.ch.Link = nil }, portal.EINVALID, msgTargetUnlinked},
		{"ErrOtherOrganization", withLink(func(l *portal.Link) { l.OrgID = otherOrgID }), portal.EINVALID, msgTargetOtherOrg},
		{"ErrChannelNotVerified", withLink(func(l *portal.Link) { l.Review.Status = portal.ReviewRejected }), portal.EINVALID, msgTargetRejected},
		{"ErrAlreadyLinkedToAnOA", func(i *oaLinkInput) { i.ch.LinkedOA = linkedElsewhere }, portal.ECONFLICT, msgTargetHasOA},
	}
}

func okOALink() oaLinkInput { return oaLinkInput{true, verifiedOA(), linkedMiniApp()} }

func TestCheckLinkTarget(t *testing.T) {
	everyCombination(t, okOALink, func(i oaLinkInput) error { return portal.CheckLinkTarget(i.oa, i.ch) }, targetRefusals())
	t.Run("ErrChannelReviewWaiting", func(t *testing.T) {
		i := okOALink()
		i.ch.Link.Review.Status = portal.ReviewUnverified
		check(t, portal.CheckLinkTarget(i.oa, i.ch), portal.EINVALID, msgTargetWaiting)
	})
	t.Run("ErrAlreadyLinkedToThisOA", func(t *testing.T) {
		i := okOALink()
		i.ch.LinkedOA = &portal.OALink{OfficialAccountID: 11, BasicID: "@acme", OAName: "Acme"}
		check(t, portal.CheckLinkTarget(i.oa, i.ch), portal.ECONFLICT,
			"This channel is already linked to LINE Official Account @acme (Acme). A LINE MINI App channel links to at most one LINE Official Account, and the link can't be removed.")
	})
}

func TestCanSelectOfficialAccount(t *testing.T) {
	withLink := func(f func(*portal.Link)) func(*oaLinkInput) {
		return func(i *oaLinkInput) {
			if i.oa.Link != nil {
				f(i.oa.Link)
			}
		}
	}
	everyCombination(t, okOALink, func(i oaLinkInput) error { return portal.CanSelectOfficialAccount(i.orgAdmin, i.oa) }, []refusal[oaLinkInput]{
		{"ErrOANotLinked", func(i *oaLinkInput) { i.oa.Link = nil }, portal.EINVALID, msgOANotLinked},
		{"ErrNotOrgAdmin", func(i *oaLinkInput) { i.orgAdmin = false }, portal.EFORBIDDEN, msgOANotOrgAdmin},
		{"ErrOANotVerified", withLink(func(l *portal.Link) { l.Review.Status = portal.ReviewRejected }), portal.EINVALID, msgOANotVerified},
	})
}

// Both sides together: every combination of every reason, the account's
// first.
func TestCanLinkOfficialAccount(t *testing.T) {
	oaSide := []refusal[oaLinkInput]{
		{"ErrOANotVerified", func(i *oaLinkInput) { i.oa.Link.Review.Status = portal.ReviewRejected }, portal.EINVALID, msgOANotVerified},
	}
	notOrgAdmin := refusal[oaLinkInput]{"ErrNotOrgAdmin", func(i *oaLinkInput) { i.orgAdmin = false }, portal.EFORBIDDEN, msgOANotOrgAdmin}
	everyCombination(t, okOALink, func(i oaLinkInput) error { return portal.CanLinkOfficialAccount(i.orgAdmin, i.oa, i.ch) },
		append(append([]refusal[oaLinkInput]{notOrgAdmin}, oaSide...), targetRefusals()...))
	t.Run("ErrOANotLinked", func(t *testing.T) {
		i := okOALink()
		i.oa.Link = nil
		check(t, portal.CanLinkOfficialAccount(i.orgAdmin, i.oa, i.ch), portal.EINVALID, msgOANotLinked)
	})
}

func TestCheckLinkTargets(t *testing.T) {
	selectable := linkedMiniApp()
	rejected := linkedMiniApp()
	rejected.Link.Review.Status = portal.ReviewRejected
	taken := linkedMiniApp()
	taken.LinkedOA = linkedElsewhere
	moved := linkedMiniApp()
	moved.Link.OrgID = otherOrgID
	otherOA := verifiedOA()
	otherOA.ID, otherOA.BasicID = 12, "@other"
	targets := portal.CheckLinkTargets(verifiedOA(), []portal.LinkTarget{
		{Channel: &selectable}, {Channel: &rejected}, {OfficialAccount: &otherOA}, {Channel: &taken}, {Channel: &moved},
	})
	want := []struct{ code, message string }{
		{"", ""},
		{portal.EINVALID, msgTargetRejected},
		{portal.EINVALID, msgTargetIsOA},
		{portal.ECONFLICT, msgTargetHasOA},
		{portal.EINVALID, msgTargetOtherOrg},
	}
	if len(targets) != len(want) {
		t.Fatalf("%d targets, want %d", len(targets), len(want))
	}
	for i, w := range want {
		check(t, targets[i].Reason, w.code, w.message)
		if targets[i].Selectable() != (w.code == "") {
			t.Errorf("target %d: Selectable = %t", i, targets[i].Selectable())
		}
	}
}

func TestCanOpenOALinking(t *testing.T) {
	check(t, portal.CanOpenOALinking(true, verifiedOrg()), "", "")
	check(t, portal.CanOpenOALinking(false, verifiedOrg()), portal.EFORBIDDEN, msgOANotOrgAdmin)
}

func TestCanOpenOALinkingFrom(t *testing.T) {
	org := verifiedOrg()
	check(t, portal.CanOpenOALinkingFrom(linkedMiniApp(), true, &org), "", "")
	check(t, portal.CanOpenOALinkingFrom(linkedMiniApp(), false, &org), portal.EFORBIDDEN, msgOANotOrgAdmin)
	unlinked := linkedMiniApp()
	unlinked.Link = nil
	check(t, portal.CanOpenOALinkingFrom(unlinked, true, nil), portal.EINVALID, "This channel is not linked to a Business Manager organization.")
}

func TestCanSetLinkedOA(t *testing.T) {
	type in struct {
		loginRole portal.ChannelRole
		login     portal.Channel
		oaRole    portal.ChannelRole
		oa        portal.OfficialAccount
	}
	ok := func() in {
		login := portal.Channel{ID: 30, Kind: portal.KindLogin, Name: "Acme Login", Provider: acmeProvider}
		return in{portal.RoleAdmin, login, portal.RoleAdmin, verifiedOA()}
	}
	rule := func(i in) error { return portal.CanSetLinkedOA(i.loginRole, i.login, i.oaRole, i.oa) }
	everyCombination(t, ok, rule, []refusal[in]{
		{"ErrNotLoginChannel", func(i *in) { i.login.Kind = portal.KindMiniApp }, portal.EINVALID, "Only a LINE Login channel has a Linked OA; this is a LINE MINI App channel."},
		{"ErrNotAdminOfLoginChannel", func(i *in) { i.loginRole = portal.RoleMember }, portal.EFORBIDDEN, "Only an Admin of this channel can set its Linked OA."},
		{"ErrNotAdminOfOA", func(i *in) { i.oaRole = portal.RoleNone }, portal.EFORBIDDEN,
			"You can select only a LINE Official Account for which you have an Admin role, and you are not an Admin of @acme."},
		{"ErrDifferentProvider", func(i *in) { i.oa.Provider = portal.Provider{ID: 2, Name: "Other Provider"} }, portal.EINVALID,
			"The Messaging API channel of LINE Official Account @acme belongs to provider \"Other Provider\", not to \"Acme Provider\", the provider of this channel. Only an account of the same provider can be the Linked OA."},
		{"ErrAlreadyTheLinkedOA", func(i *in) { i.login.LinkedOA = &portal.OALink{OfficialAccountID: 11, BasicID: "@acme"} }, portal.ECONFLICT,
			"LINE Official Account @acme is already the Linked OA of this channel."},
	})
	t.Run("OK a second OA replaces the first", func(t *testing.T) {
		i := ok()
		i.login.LinkedOA = &portal.OALink{OfficialAccountID: 12, BasicID: "@other"}
		check(t, rule(i), "", "")
	})
	t.Run("a member of the account is not enough", func(t *testing.T) {
		i := ok()
		i.oaRole = portal.RoleMember
		check(t, rule(i), portal.EFORBIDDEN, "You can select only a LINE Official Account for which you have an Admin role, and you are not an Admin of @acme.")
	})
}
