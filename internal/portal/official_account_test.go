package portal_test

import (
	"slices"
	"testing"

	"lineportal/internal/portal"
)

var acmeProvider = portal.Provider{ID: 1, Name: "Acme Provider"}

// verifiedOA is an Official Account of acmeProvider linked to verifiedOrg
// with a Verified review.
func verifiedOA() portal.OfficialAccount {
	return portal.OfficialAccount{
		ID: 11, BasicID: "@acme", Name: "Acme", ChannelID: 20, LINEChannelID: "2000000020", Provider: acmeProvider,
		Plan: portal.PlanJPLight, Info: acme,
		Link: &portal.Link{ID: 4, OfficialAccountID: 11, OrgID: orgID, Review: portal.Review{
			ID: 10, LinkID: 4, OrgID: orgID, OfficialAccountID: 11, Verdict: portal.Verdict{Status: portal.ReviewVerified}}},
	}
}

// everyCombination checks a rule against every combination of the broken
// conditions of refusals, listed in the order the rule checks them: each
// combination must be refused for the first condition it breaks. Break
// functions must cope with what earlier ones did (a nil link, say).
func everyCombination[In any](t *testing.T, ok func() In, rule func(In) error, refusals []refusal[In]) {
	t.Helper()
	t.Run("OK", func(t *testing.T) { check(t, rule(ok()), "", "") })
	for mask := 1; mask < 1<<len(refusals); mask++ {
		in, name, first := ok(), "", -1
		for i, r := range refusals {
			if mask&(1<<i) == 0 {
				continue
			}
			r.breakIt(&in)
			name += "+" + r.name
			if first < 0 {
				first = i
			}
		}
		t.Run(name[1:], func(t *testing.T) { check(t, rule(in), refusals[first].code, refusals[first].message) })
	}
}

// TestOAPlan checks the plan table, one case per country and plan: the
// monthly messages and whether additional messages can be bought, from
// LINE's pricing for each market (docs/decisions.md gives the sources).
func TestOAPlan(t *testing.T) {
	tests := []struct {
		p          portal.OAPlan
		country    portal.Region
		name       string
		monthly    int
		additional bool
	}{
		{portal.PlanJPCommunication, portal.RegionJapan, "Communication", 200, false},
		{portal.PlanJPLight, portal.RegionJapan, "Light", 5_000, false},
		{portal.PlanJPStandard, portal.RegionJapan, "Standard", 30_000, true},
		{portal.PlanTHFree, portal.RegionThailand, "Free", 500, false},
		{portal.PlanTHBasic, portal.RegionThailand, "Basic", 15_000, false},
		{portal.PlanTHPro, portal.RegionThailand, "Pro", 35_000, true},
		{portal.PlanTWLight, portal.RegionTaiwan, "輕用量", 200, false},
		{portal.PlanTWMedium, portal.RegionTaiwan, "中用量", 3_000, false},
		{portal.PlanTWHigh, portal.RegionTaiwan, "高用量", 6_000, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.p), func(t *testing.T) {
			if got := tt.p.String(); got != tt.name {
				t.Errorf("String = %q, want %q", got, tt.name)
			}
			if got := tt.p.Country(); got != tt.country {
				t.Errorf("Country = %q, want %q", got, tt.country)
			}
			if got := tt.p.MonthlyMessages(); got != tt.monthly {
				t.Errorf("MonthlyMessages = %d, want %d", got, tt.monthly)
			}
			if got := tt.p.AdditionalMessages(); got != tt.additional {
				t.Errorf("AdditionalMessages = %t, want %t", got, tt.additional)
			}
			if !tt.p.Valid() || !slices.Contains(portal.PlansOf(tt.country), tt.p) {
				t.Errorf("Valid = %t, PlansOf(%s) = %v", tt.p.Valid(), tt.country, portal.PlansOf(tt.country))
			}
		})
	}
	if len(portal.OAPlans) != len(tests) {
		t.Errorf("OAPlans has %d plans, the table %d", len(portal.OAPlans), len(tests))
	}
	// An account without a country says so instead of guessing one; the
	// old package names are no plan of any country.
	for _, p := range []portal.OAPlan{portal.PlanNotSet, "free", "basic", "pro", "light"} {
		if p.Valid() || p.Country() != "" || p.MonthlyMessages() != 0 || p.AdditionalMessages() {
			t.Errorf("%q: Valid %t, Country %q, MonthlyMessages %d, AdditionalMessages %t", p, p.Valid(), p.Country(), p.MonthlyMessages(), p.AdditionalMessages())
		}
	}
	if got := portal.PlanNotSet.String(); got != "not set" {
		t.Errorf("PlanNotSet.String = %q", got)
	}
}

const msgBasicID = "Enter the basic ID as @ followed by up to 18 letters, digits, \".\", \"_\" or \"-\", for example @linedevelopers."

func TestParseBasicID(t *testing.T) {
	tests := []struct{ input, want, code, message string }{
		{"@linedevelopers", "@linedevelopers", "", ""},
		{"  @LineDevelopers ", "@linedevelopers", "", ""},
		{"@123abcde", "@123abcde", "", ""},
		{"@a.b_c-d", "@a.b_c-d", "", ""},
		{"linedevelopers", "", portal.EINVALID, msgBasicID},
		{"@", "", portal.EINVALID, msgBasicID},
		{"", "", portal.EINVALID, msgBasicID},
		{"@line developers", "", portal.EINVALID, msgBasicID},
		{"@ライン", "", portal.EINVALID, msgBasicID},
		{"@@line", "", portal.EINVALID, msgBasicID},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := portal.ParseBasicID(tt.input)
			if got != tt.want {
				t.Errorf("ParseBasicID = %q, want %q", got, tt.want)
			}
			check(t, err, tt.code, tt.message)
		})
	}
}

const (
	msgOAName    = "Enter the LINE Official Account's display name."
	msgPicture   = "Enter the profile picture's address starting with https://, or leave it empty."
	msgPlan      = "Choose the country and plan of the LINE Official Account: plans differ by country."
	msgNotOA     = "Only an Admin of this LINE Official Account can "
	msgInfoFinal = "The account linking review of this LINE Official Account is Verified, so its business information can't change: the review compared it with the business info of organization BM01234567890."
)

func TestCheckNewOfficialAccount(t *testing.T) {
	ordered(t, verifiedOA, portal.CheckNewOfficialAccount, []refusal[portal.OfficialAccount]{
		{"ErrBasicID", func(oa *portal.OfficialAccount) { oa.BasicID = "acme" }, portal.EINVALID, msgBasicID},
		{"ErrName", func(oa *portal.OfficialAccount) { oa.Name = " " }, portal.EINVALID, msgOAName},
		{"ErrPictureNotHTTPS", func(oa *portal.OfficialAccount) { oa.PictureURL = "http://example.com/a.png" }, portal.EINVALID, msgPicture},
		{"ErrPlan", func(oa *portal.OfficialAccount) { oa.Plan = portal.PlanNotSet }, portal.EINVALID, msgPlan},
	})
	for _, pic := range []string{"javascript:alert(1)", "/a.png", "https://", "https//example.com"} {
		t.Run("ErrPicture "+pic, func(t *testing.T) {
			oa := verifiedOA()
			oa.PictureURL = pic
			check(t, portal.CheckNewOfficialAccount(oa), portal.EINVALID, msgPicture)
		})
	}
	t.Run("ErrBasicID not in its written form", func(t *testing.T) {
		// The edge reads what a person typed (ParseBasicID); the basic ID
		// given here is already written as LINE writes it.
		oa := verifiedOA()
		oa.BasicID = " @Acme"
		check(t, portal.CheckNewOfficialAccount(oa), portal.EINVALID, msgBasicID)
	})
	t.Run("OK picture and no business info", func(t *testing.T) {
		oa := verifiedOA()
		oa.PictureURL, oa.Info = "https://profile.line-scdn.net/abc", portal.BusinessInfo{}
		check(t, portal.CheckNewOfficialAccount(oa), "", "")
	})
}

func TestCanCreateOfficialAccount(t *testing.T) {
	type in struct {
		role     portal.ChannelRole
		ch       portal.Channel
		existing *portal.OfficialAccount
	}
	ok := func() in {
		return in{portal.RoleAdmin, portal.Channel{ID: 20, Kind: portal.KindMessagingAPI, Provider: acmeProvider}, nil}
	}
	taken := verifiedOA()
	ordered(t, ok, func(i in) error { return portal.CanCreateOfficialAccount(i.role, i.ch, i.existing) }, []refusal[in]{
		{"ErrNotMessagingAPI", func(i *in) { i.ch.Kind = portal.KindLogin }, portal.EINVALID,
			"Choose a Messaging API channel: a LINE Official Account sends and receives messages through one. This is a LINE Login channel."},
		{"ErrNotChannelAdmin", func(i *in) { i.role = portal.RoleMember }, portal.EFORBIDDEN, "Only an Admin of this channel can create its LINE Official Account."},
		{"ErrChannelHasAccount", func(i *in) { i.existing = &taken }, portal.ECONFLICT,
			"This Messaging API channel already belongs to LINE Official Account @acme. A Messaging API channel has one LINE Official Account."},
	})
}

func TestBasicIDTaken(t *testing.T) {
	err := portal.BasicIDTaken("@acme")
	check(t, err, portal.ECONFLICT, "A LINE Official Account with the basic ID @acme is already registered in the portal.")
	if e, _ := err.(*portal.Error); e.Fields["basic_id"] == "" {
		t.Errorf("the message is not on the basic_id field: %#v", e)
	}
}

func TestCanEditOfficialAccount(t *testing.T) {
	type in struct {
		role portal.ChannelRole
		oa   portal.OfficialAccount
		e    portal.OfficialAccountEdit
	}
	ok := func() in {
		oa := verifiedOA()
		oa.Link.Review.Status = portal.ReviewRejected
		e := oa.Edit()
		e.Info.Address, e.Plan = "9-9 Minato, Tokyo", portal.PlanJPStandard
		return in{portal.RoleAdmin, oa, e}
	}
	rule := func(i in) error { return portal.CanEditOfficialAccount(i.role, i.oa, i.e) }
	ordered(t, ok, rule, []refusal[in]{
		{"ErrNotAdmin", func(i *in) { i.role = portal.RoleMember }, portal.EFORBIDDEN, msgNotOA + "edit it."},
		{"ErrName", func(i *in) { i.e.Name = "" }, portal.EINVALID, msgOAName},
		{"ErrPicture", func(i *in) { i.e.PictureURL = "ftp://example.com/a.png" }, portal.EINVALID, msgPicture},
		{"ErrPlan", func(i *in) { i.e.Plan = "pro" }, portal.EINVALID, msgPlan},
		{"ErrInfoFrozenWhileVerified", func(i *in) { i.oa.Link.Review.Status = portal.ReviewVerified }, portal.EINVALID, msgInfoFinal},
	})
	for _, tt := range []struct {
		name string
		edit func(*in)
	}{
		{"OK info while the review waits", func(i *in) { i.oa.Link.Review.Status = portal.ReviewUnverified }},
		{"OK info while not linked", func(i *in) { i.oa.Link = nil }},
		{"OK other fields while Verified", func(i *in) {
			i.oa.Link.Review.Status = portal.ReviewVerified
			i.e.Info = i.oa.Info
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			i := ok()
			tt.edit(&i)
			check(t, rule(i), "", "")
		})
	}
	t.Run("Edit round-trips", func(t *testing.T) {
		oa := verifiedOA()
		oa.PictureURL = "https://example.com/a.png"
		if got := oa.Edit(); got != (portal.OfficialAccountEdit{Name: "Acme", PictureURL: "https://example.com/a.png", Plan: portal.PlanJPLight, Info: acme}) {
			t.Errorf("Edit = %+v", got)
		}
	})
}

func TestCanSetOfficialAccountRole(t *testing.T) {
	tests := []struct {
		name          string
		actor, target portal.ChannelRole
		code, message string
	}{
		{"OK member", portal.RoleAdmin, portal.RoleMember, "", ""},
		{"OK admin", portal.RoleAdmin, portal.RoleAdmin, "", ""},
		{"ErrActorMember", portal.RoleMember, portal.RoleAdmin, portal.EFORBIDDEN, msgNotOA + "change its roles."},
		{"ErrActorNone", portal.RoleNone, portal.RoleMember, portal.EFORBIDDEN, msgNotOA + "change its roles."},
		{"ErrRole", portal.RoleAdmin, "owner", portal.EINVALID, "Choose the role: Admin or Member."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, portal.CanSetOfficialAccountRole(tt.actor, tt.target), tt.code, tt.message)
		})
	}
}

func TestOfficialAccountAccess_CanView(t *testing.T) {
	const noRole = "You have no role on this LINE Official Account. Ask one of its Admins to add you."
	tests := []struct {
		name    string
		a       portal.OfficialAccountAccess
		code    string
		message string
	}{
		{"admin", portal.OfficialAccountAccess{Role: portal.RoleAdmin}, "", ""},
		{"member", portal.OfficialAccountAccess{Role: portal.RoleMember}, "", ""},
		{"administrator of the linked organization", portal.OfficialAccountAccess{OrgAdmin: true}, "", ""},
		{"operator", portal.OfficialAccountAccess{Operator: true}, "", ""},
		{"nobody", portal.OfficialAccountAccess{}, portal.EFORBIDDEN, noRole},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.a.CanView(), tt.code, tt.message) })
	}
}

func TestCanStartOrganizationLink(t *testing.T) {
	for _, c := range []struct {
		role          portal.ChannelRole
		code, message string
	}{
		{portal.RoleAdmin, "", ""},
		{portal.RoleMember, portal.EFORBIDDEN, msgNotOA + "link it to an organization."},
		{portal.RoleNone, portal.EFORBIDDEN, msgNotOA + "link it to an organization."},
	} {
		t.Run(c.role.String(), func(t *testing.T) { check(t, portal.CanStartOrganizationLink(c.role), c.code, c.message) })
	}
}

func TestCanLinkOfficialAccountToOrganization(t *testing.T) {
	type in struct {
		role     portal.ChannelRole
		oa       portal.OfficialAccount
		orgID    portal.OrganizationID
		org      *portal.Organization
		orgAdmin bool
	}
	ok := func() in {
		oa := verifiedOA()
		oa.Link = nil
		org := verifiedOrg()
		return in{portal.RoleAdmin, oa, orgID, &org, true}
	}
	withOrg := func(f func(*portal.Organization)) func(*in) {
		return func(i *in) {
			if i.org != nil {
				f(i.org)
			}
		}
	}
	ordered(t, ok, func(i in) error {
		return portal.CanLinkOfficialAccountToOrganization(i.role, i.oa, i.orgID, i.org, i.orgAdmin)
	}, []refusal[in]{
		{"ErrNotOAAdmin", func(i *in) { i.role = portal.RoleMember }, portal.EFORBIDDEN, msgNotOA + "link it to an organization."},
		{"ErrNoSuchOrganization", func(i *in) { i.org = nil }, portal.EINVALID, msgNoSuchOrg},
		{"ErrNotOrgAdmin", func(i *in) { i.orgAdmin = false }, portal.EFORBIDDEN, "Only an administrator of organization BM01234567890 can link accounts to it."},
		{"ErrIncompleteInfo", func(i *in) { i.oa.Info.Address = "" }, portal.EINVALID,
			"Enter the company name and address in the business information of this LINE Official Account first: its account linking review compares them with the organization's business info."},
		{"ErrOrganizationRegion", withOrg(func(o *portal.Organization) { o.Region = portal.RegionTaiwan }), portal.EINVALID, msgOrgRegion},
		{"ErrAlreadyLinked", func(i *in) { i.oa.Link = verifiedOA().Link }, portal.ECONFLICT,
			"This LINE Official Account is already linked to organization BM01234567890, and a link can't be removed. To move the LINE Official Account to another organization, transfer it in the organization instead."},
	})
	t.Run("OK unverified organization", func(t *testing.T) {
		i := ok()
		i.org.Verification = portal.OrgUnverified
		check(t, portal.CanLinkOfficialAccountToOrganization(i.role, i.oa, i.orgID, i.org, i.orgAdmin), "", "")
	})
}

func TestCanStartOfficialAccountTransfer(t *testing.T) {
	type in struct {
		oa        portal.OfficialAccount
		fromAdmin bool
	}
	ordered(t, func() in { return in{verifiedOA(), true} }, func(i in) error {
		return portal.CanStartOfficialAccountTransfer(i.oa, i.fromAdmin)
	}, []refusal[in]{
		{"ErrNotLinked", func(i *in) { i.oa.Link = nil }, portal.EINVALID,
			"This LINE Official Account is not linked to an organization, so there is nothing to transfer. Link it to an organization instead."},
		{"ErrNotSourceAdmin", func(i *in) { i.fromAdmin = false }, portal.EFORBIDDEN,
			"Only an administrator of organization BM01234567890, where the LINE Official Account is linked, can transfer it."},
	})
}

func TestCanTransferOfficialAccount(t *testing.T) {
	const destID = "BM09876543210"
	type in struct {
		oa        portal.OfficialAccount
		fromAdmin bool
		dest      *portal.Organization
		toAdmin   bool
	}
	ok := func() in {
		dest := verifiedOrg()
		dest.ID = destID
		return in{verifiedOA(), true, &dest, true}
	}
	ordered(t, ok, func(i in) error {
		return portal.CanTransferOfficialAccount(i.oa, i.fromAdmin, destID, i.dest, i.toAdmin)
	}, []refusal[in]{
		{"ErrNotLinked", func(i *in) { i.oa.Link = nil }, portal.EINVALID,
			"This LINE Official Account is not linked to an organization, so there is nothing to transfer. Link it to an organization instead."},
		{"ErrNotSourceAdmin", func(i *in) { i.fromAdmin = false }, portal.EFORBIDDEN,
			"Only an administrator of organization BM01234567890, where the LINE Official Account is linked, can transfer it."},
		{"ErrNoSuchOrganization", func(i *in) { i.dest = nil }, portal.EINVALID,
			"There is no organization with the ID BM09876543210. Ask the organization's administrator for the ID shown in the Business Manager header."},
		{"ErrNotDestinationAdmin", func(i *in) { i.toAdmin = false }, portal.EFORBIDDEN,
			"You can transfer the LINE Official Account only to an organization you also administer, and you are not an administrator of BM09876543210."},
	})
	t.Run("ErrSameOrganization", func(t *testing.T) {
		i := ok()
		i.dest.ID = orgID
		check(t, portal.CanTransferOfficialAccount(i.oa, true, orgID, i.dest, true), portal.EINVALID,
			"The LINE Official Account is already linked to organization BM01234567890. Enter the organization to transfer it to.")
	})
}

// The review rules are the channel's; only their words name the account.
func TestReviewRules_OfficialAccountLink(t *testing.T) {
	link := *verifiedOA().Link
	link.Review.Status, link.Review.Cause = portal.ReviewRejected, portal.CauseWrongOrganization
	ended := link
	ended.EndedAt = issued
	const transferred = "This LINE Official Account was transferred to another organization since, so the review of this link can't change any more. Open the LINE Official Account from its current organization."
	tests := []struct {
		name          string
		err           error
		code, message string
	}{
		{"CanResubmit/ErrWrongOrganization", portal.CanResubmit(true, verifiedOrg(), link), portal.EINVALID,
			"The review was rejected because the LINE Official Account is linked to the wrong organization, which a resubmission can't change. Transfer the LINE Official Account to the correct organization instead."},
		{"CanResubmit/ErrTransferred", portal.CanResubmit(true, verifiedOrg(), ended), portal.ECONFLICT, transferred},
		{"CanOverrideReview/ErrTransferred", portal.CanOverrideReview(operator, ended, portal.Verdict{Status: portal.ReviewVerified, Reason: "x"}), portal.ECONFLICT, transferred},
		{"CanOverrideReview/ErrCause", portal.CanOverrideReview(operator, link, portal.Verdict{Status: portal.ReviewRejected, Reason: "x"}), portal.EINVALID,
			"Choose why the review is rejected: the LINE Official Account's business information, the organization's business info, or the wrong organization."},
		{"CanOverrideReview/OK own info", portal.CanOverrideReview(operator, link, portal.Verdict{Status: portal.ReviewRejected, Cause: portal.CauseChannelInfo, Reason: "x"}), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.err, tt.code, tt.message) })
	}
}

func TestRejectionGuidance_OfficialAccount(t *testing.T) {
	ownInfo := portal.Guidance{Case: portal.CaseOfficialAccountInfo, OrgID: orgID, Noun: portal.TermOfficialAccount}
	orgInfoUnverified := portal.Guidance{Case: portal.CaseOrganizationInfoUnverified, OrgID: orgID, Noun: portal.TermOfficialAccount}
	orgInfoVerified := portal.Guidance{Case: portal.CaseOrganizationInfoVerified, OrgID: orgID, Noun: portal.TermOfficialAccount}
	wrongOrg := portal.Guidance{Case: portal.CaseWrongOrganization, OrgID: orgID, Noun: portal.TermOfficialAccount}
	tests := []struct {
		name         string
		cause        portal.RejectionCause
		verification portal.VerificationStatus
		want         []portal.Guidance
	}{
		{"own info wrong", portal.CauseChannelInfo, portal.OrgVerified, []portal.Guidance{ownInfo}},
		{"organization info wrong, verified", portal.CauseOrganizationInfo, portal.OrgVerified, []portal.Guidance{orgInfoVerified}},
		{"wrong organization", portal.CauseWrongOrganization, portal.OrgVerified, []portal.Guidance{wrongOrg}},
		{"mismatch, organization unverified", portal.CauseMismatch, portal.OrgUnverified, []portal.Guidance{ownInfo, orgInfoUnverified, wrongOrg}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			org := verifiedOrg()
			org.Verification = tt.verification
			rv := portal.Review{OfficialAccountID: 11, Verdict: portal.Verdict{Status: portal.ReviewRejected, Cause: tt.cause, Reason: "r"}}
			got := portal.RejectionGuidance(rv, org)
			if !slices.Equal(got, tt.want) {
				t.Errorf("RejectionGuidance =\n %#v\nwant\n %#v", got, tt.want)
			}
		})
	}
}
