package portal_test

import (
	"strings"
	"testing"

	"lineportal/internal/portal"
)

func TestTextLimits(t *testing.T) {
	t.Run("business information is required, within its limits", func(t *testing.T) {
		check(t, portal.CheckBusinessInfo(acme), "", "")
		check(t, portal.CheckBusinessInfo(portal.BusinessInfo{CompanyName: " \u3000", Address: "x"}), portal.EINVALID, "Enter the company name.")
		check(t, portal.CheckBusinessInfo(portal.BusinessInfo{CompanyName: "x", Address: "  "}), portal.EINVALID, "Enter the address.")
		check(t, portal.CheckBusinessInfo(portal.BusinessInfo{CompanyName: strings.Repeat("株", portal.MaxCompanyName), Address: strings.Repeat("丁", portal.MaxAddress)}), "", "")
		check(t, portal.CheckBusinessInfo(portal.BusinessInfo{CompanyName: "x", Address: strings.Repeat("丁", portal.MaxAddress+1)}), portal.EINVALID,
			"Shorten the address to at most 200 characters; it has 201.")
	})
	t.Run("names", func(t *testing.T) {
		ch := linkableChannel()
		ch.Name = strings.Repeat("x", portal.MaxName+1)
		check(t, portal.CheckNewChannel(ch), portal.EINVALID, "Shorten the channel's name to at most 100 characters; it has 101.")
		check(t, portal.CheckNewProvider(strings.Repeat("x", 60000)), portal.EINVALID, "Shorten the provider's name to at most 100 characters; it has 60000.")
		org := verifiedOrg()
		org.Name = "  "
		check(t, portal.CheckNewOrganization(org), portal.EINVALID, "Enter the organization's name.")
		oa := portal.OfficialAccount{BasicID: "@acme", Name: strings.Repeat("名", portal.MaxOfficialAccountName+1), Plan: portal.PlanJPCommunication}
		check(t, portal.CheckNewOfficialAccount(oa), portal.EINVALID, "Shorten the LINE Official Account's display name to at most 20 characters; it has 21.")
	})
	t.Run("basic IDs are at most @ and 18 characters", func(t *testing.T) {
		if _, err := portal.ParseBasicID("@" + strings.Repeat("a", 18)); err != nil {
			t.Errorf("an 18-character premium ID refused: %v", err)
		}
		if _, err := portal.ParseBasicID("@" + strings.Repeat("a", 19)); portal.ErrorCode(err) != portal.EINVALID {
			t.Errorf("a 19-character ID accepted: %v", err)
		}
	})
	t.Run("reasons", func(t *testing.T) {
		check(t, portal.CheckReason(strings.Repeat("r", portal.MaxReason+1)), portal.EINVALID, "Shorten the reason to at most 1000 characters; it has 1001.")
	})
}
