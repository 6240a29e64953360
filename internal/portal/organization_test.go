package portal_test

import (
	"testing"

	"lineportal/internal/portal"
)

func TestParseOrganizationID(t *testing.T) {
	tests := []struct {
		input         string
		want          portal.OrganizationID
		code, message string
	}{
		{"BM01234567890", "BM01234567890", "", ""},
		{"  bm01234567890\t", "BM01234567890", "", ""},
		{"", "", portal.EINVALID, msgFormat},
		{"BM0123456789", "", portal.EINVALID, msgFormat},   // 10 digits
		{"BM012345678901", "", portal.EINVALID, msgFormat}, // 12 digits
		{"BN01234567890", "", portal.EINVALID, msgFormat},
		{"BM0123456789O", "", portal.EINVALID, msgFormat}, // letter O
		// A Japanese input method writes full-width unless switched off:
		// the same ID. Other scripts' digits are not.
		{"BM０１２３４５６７８９０", "BM01234567890", "", ""},
		{"\u3000ｂｍ０１２３４５６７８９０", "BM01234567890", "", ""},
		{"BM٠١٢٣٤٥٦٧٨٩٠", "", portal.EINVALID, msgFormat},
		{"01234567890BM", "", portal.EINVALID, msgFormat},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := portal.ParseOrganizationID(tt.input)
			if got != tt.want {
				t.Errorf("ID = %q, want %q", got, tt.want)
			}
			check(t, err, tt.code, tt.message)
		})
	}
}

func TestNewOrganizationID(t *testing.T) {
	seen := map[portal.OrganizationID]bool{}
	for range 100 {
		id := portal.NewOrganizationID()
		if parsed, err := portal.ParseOrganizationID(string(id)); err != nil || parsed != id {
			t.Fatalf("NewOrganizationID() = %q, which does not parse: %v", id, err)
		}
		seen[id] = true
	}
	if len(seen) < 99 {
		t.Fatalf("100 new IDs hold only %d distinct ones", len(seen))
	}
}

func TestCheckNewOrganization(t *testing.T) {
	ordered(t, verifiedOrg, portal.CheckNewOrganization, []refusal[portal.Organization]{
		// The edge reads what a person typed (ParseOrganizationID); the ID
		// given here is already in its written form.
		{"ErrIDFormat", func(o *portal.Organization) { o.ID = " bm01234567890" }, portal.EINVALID, msgFormat},
		{"ErrName", func(o *portal.Organization) { o.Name = " " }, portal.EINVALID, "Enter the organization's name."},
		{"ErrRegion", func(o *portal.Organization) { o.Region = "US" }, portal.EINVALID, "Choose the organization's region."},
		{"ErrCompanyCountry", func(o *portal.Organization) { o.CompanyCountry = "" }, portal.EINVALID, "Choose the country or region of the organization's company or business owner."},
	})
}

func TestOrganizationRules(t *testing.T) {
	const (
		notAdmin = "Only an administrator of organization BM01234567890 can "
		inReview = "Organization BM01234567890 is already in its verification review."
	)
	tests := []struct {
		name         string
		rule         func(bool, portal.Organization) error
		orgAdmin     bool
		verification portal.VerificationStatus
		info         portal.BusinessInfo
		code         string
		message      string
	}{
		{"CanAddOrganizationAdmin/OK", portal.CanAddOrganizationAdmin, true, portal.OrgVerified, acme, "", ""},
		{"CanAddOrganizationAdmin/ErrNotAdmin", portal.CanAddOrganizationAdmin, false, portal.OrgVerified, acme, portal.EFORBIDDEN, notAdmin + "add administrators."},

		{"CanEditOrganizationInfo/OK unverified", portal.CanEditOrganizationInfo, true, portal.OrgUnverified, acme, "", ""},
		{"CanEditOrganizationInfo/OK rejected", portal.CanEditOrganizationInfo, true, portal.OrgRejected, acme, "", ""},
		{"CanEditOrganizationInfo/ErrNotAdmin", portal.CanEditOrganizationInfo, false, portal.OrgUnverified, acme, portal.EFORBIDDEN, notAdmin + "edit its business info."},
		{"CanEditOrganizationInfo/ErrInReview", portal.CanEditOrganizationInfo, true, portal.OrgInReview, acme, portal.ECONFLICT,
			"Organization BM01234567890 is in its verification review; its business info can't change until the review is decided."},
		{"CanEditOrganizationInfo/ErrVerified", portal.CanEditOrganizationInfo, true, portal.OrgVerified, acme, portal.EINVALID,
			"Organization BM01234567890 is verified, so its business info can't change. If it is wrong, create a new organization and transfer the accounts and channels to it."},

		{"CanSubmitForVerification/OK unverified", portal.CanSubmitForVerification, true, portal.OrgUnverified, acme, "", ""},
		{"CanSubmitForVerification/OK rejected", portal.CanSubmitForVerification, true, portal.OrgRejected, acme, "", ""},
		{"CanSubmitForVerification/ErrNotAdmin", portal.CanSubmitForVerification, false, portal.OrgUnverified, acme, portal.EFORBIDDEN, notAdmin + "submit it for verification."},
		{"CanSubmitForVerification/ErrInReview", portal.CanSubmitForVerification, true, portal.OrgInReview, acme, portal.ECONFLICT, inReview},
		{"CanSubmitForVerification/ErrVerified", portal.CanSubmitForVerification, true, portal.OrgVerified, acme, portal.ECONFLICT, "Organization BM01234567890 is already verified."},
		{"CanSubmitForVerification/ErrIncompleteInfo", portal.CanSubmitForVerification, true, portal.OrgUnverified, portal.BusinessInfo{CompanyName: "Acme K.K."}, portal.EINVALID,
			"Enter the company name and address in the business info of organization BM01234567890 before submitting it for verification."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			org := verifiedOrg()
			org.Verification, org.Info = tt.verification, tt.info
			check(t, tt.rule(tt.orgAdmin, org), tt.code, tt.message)
		})
	}
}

func TestVerificationStartsOnLink(t *testing.T) {
	tests := []struct {
		verification portal.VerificationStatus
		info         portal.BusinessInfo
		want         bool
	}{
		{portal.OrgUnverified, acme, true},
		{portal.OrgUnverified, portal.BusinessInfo{Address: acme.Address}, false},
		{portal.OrgInReview, acme, false},
		{portal.OrgVerified, acme, false},
		{portal.OrgRejected, acme, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.verification)+"/"+tt.info.CompanyName, func(t *testing.T) {
			org := verifiedOrg()
			org.Verification, org.Info = tt.verification, tt.info
			if got := portal.VerificationStartsOnLink(org); got != tt.want {
				t.Errorf("VerificationStartsOnLink = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestCanDecideVerification(t *testing.T) {
	type in struct {
		actor portal.Admin
		org   portal.Organization
	}
	ordered(t, func() in {
		org := verifiedOrg()
		org.Verification = portal.OrgInReview
		return in{operator, org}
	}, func(i in) error { return portal.CanDecideVerification(i.actor, i.org) }, []refusal[in]{
		{"ErrNotOperator", func(i *in) { i.actor.Operator = false }, portal.EFORBIDDEN, "Only an operator can run reviews."},
		{"ErrNotInReview", func(i *in) { i.org.Verification = portal.OrgRejected }, portal.ECONFLICT,
			"Organization BM01234567890 has no verification review waiting for a decision."},
	})
}

func TestAccess_CanView(t *testing.T) {
	const (
		noChannelRole = "You have no role on this channel. Ask one of its Admins to add you."
		notOrgAdmin   = "You are not an administrator of this organization."
	)
	channel := []struct {
		name    string
		a       portal.ChannelAccess
		message string
	}{
		{"member", portal.ChannelAccess{Role: portal.RoleMember}, ""},
		{"admin", portal.ChannelAccess{Role: portal.RoleAdmin}, ""},
		{"admin of the linked organization", portal.ChannelAccess{OrgAdmin: true}, ""},
		{"operator", portal.ChannelAccess{Operator: true}, ""},
		{"nobody", portal.ChannelAccess{}, noChannelRole},
	}
	for _, tt := range channel {
		t.Run("channel/"+tt.name, func(t *testing.T) {
			code := ""
			if tt.message != "" {
				code = portal.EFORBIDDEN
			}
			check(t, tt.a.CanView(), code, tt.message)
		})
	}
	t.Run("organization/admin", func(t *testing.T) { check(t, portal.OrganizationAccess{Admin: true}.CanView(), "", "") })
	t.Run("organization/operator", func(t *testing.T) { check(t, portal.OrganizationAccess{Operator: true}.CanView(), "", "") })
	t.Run("organization/nobody", func(t *testing.T) { check(t, portal.OrganizationAccess{}.CanView(), portal.EFORBIDDEN, notOrgAdmin) })
}

func TestParseLINEUserID(t *testing.T) {
	const id = "U0123456789abcdef0123456789abcdef"
	for _, in := range []string{id, "  " + id + "\t", "U0123456789ABCDEF0123456789ABCDEF"} {
		if got, err := portal.ParseLINEUserID(in); err != nil || got != id {
			t.Errorf("ParseLINEUserID(%q) = %q, %v; want %q", in, got, err, id)
		}
	}
	for _, in := range []string{"", "U", "U0123", id + "0", "u0123456789abcdef0123456789abcdef",
		"C0123456789abcdef0123456789abcdef", "U0123456789abcdef0123456789abcdeg", "@linedevelopers", "U0123456789abcdef 0123456789abcdef"} {
		_, err := portal.ParseLINEUserID(in)
		if portal.ErrorCode(err) != portal.EINVALID || portal.ErrorFields(err)["line_user_id"] == "" {
			t.Errorf("ParseLINEUserID(%q) = %v; want a message for line_user_id", in, err)
		}
	}
}
