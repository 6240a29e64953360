package portal_test

import (
	"testing"

	"lineportal/internal/portal"
)

func TestEnumNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{portal.RegionJapan.String(), "Japan"},
		{portal.RegionTaiwan.String(), "Taiwan"},
		{portal.RegionThailand.String(), "Thailand"},
		{portal.Region("US").String(), "US"},
		{portal.KindMiniApp.String(), "LINE MINI App"},
		{portal.KindLogin.String(), "LINE Login"},
		{portal.KindMessagingAPI.String(), "Messaging API"},
		{portal.KindModule.String(), "module"},
		{portal.RoleAdmin.String(), "Admin"},
		{portal.RoleMember.String(), "Member"},
		{portal.RoleNone.String(), "None"},
		{portal.MiniAppReviewNone.String(), "Not in review"},
		{portal.MiniAppReviewPending.String(), "In review"},
		{portal.MiniAppReviewRejected.String(), "Rejected"},
		{portal.OrgUnverified.String(), "Unverified"},
		{portal.OrgInReview.String(), "In review"},
		{portal.OrgVerified.String(), "Verified"},
		{portal.OrgRejected.String(), "Rejected"},
		{portal.LinkRequestPending.String(), "Pending"},
		{portal.LinkRequestApproved.String(), "Approved"},
		{portal.LinkRequestReplaced.String(), "Replaced"},
		{portal.LinkRequestExpired.String(), "Expired"},
		{string(portal.ReviewResubmit.Action()), "review.resubmit"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestCheckNewProvider(t *testing.T) {
	check(t, portal.CheckNewProvider("Acme"), "", "")
	check(t, portal.CheckNewProvider(" \t"), portal.EINVALID, "Enter the provider's name.")
}

func TestCheckNewChannel(t *testing.T) {
	ok := func() portal.Channel {
		return portal.Channel{Kind: portal.KindMiniApp, LINEChannelID: "1234567890", Name: "Acme Shop", Region: portal.RegionJapan,
			Provider: portal.Provider{Name: "Acme"}, Draft: portal.MiniAppInfo{ServiceCompany: acme, CompanyCountry: portal.RegionJapan}}
	}
	ordered(t, ok, portal.CheckNewChannel, []refusal[portal.Channel]{
		{"ErrName", func(c *portal.Channel) { c.Name = "" }, portal.EINVALID, "Enter the channel's name."},
		{"ErrKind", func(c *portal.Channel) { c.Kind = "bot" }, portal.EINVALID, "Choose the channel type: LINE MINI App, LINE Login, Messaging API or module."},
		{"ErrLINEChannelID", func(c *portal.Channel) { c.LINEChannelID = "123456789a" }, portal.EINVALID, "Enter the channel ID shown in the LINE Developers Console: 10 digits."},
		{"ErrRegion", func(c *portal.Channel) { c.Region = "" }, portal.EINVALID, "Choose the region where the channel provides its service."},
		{"ErrNewProviderName", func(c *portal.Channel) { c.Provider.Name = " " }, portal.EINVALID, "Enter the provider's name."},
		{"ErrCompanyCountryNotServiceRegion", func(c *portal.Channel) { c.Draft.CompanyCountry = portal.RegionThailand }, portal.EINVALID,
			"Confirm that the service company's country or region is the region where the LINE MINI App is provided: LINE requires this of every new LINE MINI App channel."},
	})
	t.Run("OK the country or region left to follow the service region", func(t *testing.T) {
		c := ok()
		c.Draft.CompanyCountry = ""
		check(t, portal.CheckNewChannel(c), "", "")
		if got := portal.CreationCompanyCountry(c); got != portal.RegionJapan {
			t.Errorf("CreationCompanyCountry = %q, want the service region", got)
		}
		c.Kind, c.Draft = portal.KindLogin, portal.MiniAppInfo{}
		if got := portal.CreationCompanyCountry(c); got != "" {
			t.Errorf("CreationCompanyCountry of a LINE Login channel = %q, want none", got)
		}
	})
	t.Run("ErrBusinessInfoOnNonMiniApp", func(t *testing.T) {
		c := ok()
		c.Kind = portal.KindModule
		check(t, portal.CheckNewChannel(c), portal.EINVALID, "Only a LINE MINI App channel has business information.")
	})
	t.Run("OK other kind without business info", func(t *testing.T) {
		c := ok()
		c.Kind, c.Draft = portal.KindLogin, portal.MiniAppInfo{}
		check(t, portal.CheckNewChannel(c), "", "")
	})
	t.Run("ErrLINEChannelID lengths", func(t *testing.T) {
		for _, id := range []string{"123456789", "12345678901", ""} {
			c := ok()
			c.LINEChannelID = id
			check(t, portal.CheckNewChannel(c), portal.EINVALID, "Enter the channel ID shown in the LINE Developers Console: 10 digits.")
		}
	})
}

func TestCanSetChannelRole(t *testing.T) {
	tests := []struct {
		name          string
		actor, target portal.ChannelRole
		code, message string
	}{
		{"OK member", portal.RoleAdmin, portal.RoleMember, "", ""},
		{"OK admin", portal.RoleAdmin, portal.RoleAdmin, "", ""},
		{"ErrActorMember", portal.RoleMember, portal.RoleMember, portal.EFORBIDDEN, "Only an Admin of this channel can change its roles."},
		{"ErrActorNone", portal.RoleNone, portal.RoleAdmin, portal.EFORBIDDEN, "Only an Admin of this channel can change its roles."},
		{"ErrRole", portal.RoleAdmin, portal.RoleNone, portal.EINVALID, "Choose the role: Admin or Member."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, portal.CanSetChannelRole(tt.actor, tt.target), tt.code, tt.message) })
	}
}

const (
	msgNotMiniAppInfo = "Only a LINE MINI App channel has business information; this is a Messaging API channel."
	msgDraftInReview  = "The draft is in MINI App review. Wait for the outcome before changing it."
)

type draftInput struct {
	role portal.ChannelRole
	ch   portal.Channel
}

func draftRefusals(action string) []refusal[draftInput] {
	return []refusal[draftInput]{
		{"ErrNotChannelAdmin", func(i *draftInput) { i.role = portal.RoleMember }, portal.EFORBIDDEN, "Only an Admin of this channel can " + action + "."},
		{"ErrNotMiniApp", func(i *draftInput) { i.ch.Kind = portal.KindMessagingAPI }, portal.EINVALID, msgNotMiniAppInfo},
		{"ErrInReview", func(i *draftInput) { i.ch.MiniAppReview = portal.MiniAppReviewPending }, portal.ECONFLICT, msgDraftInReview},
	}
}

func TestCanEditChannelDraft(t *testing.T) {
	ordered(t, func() draftInput { return draftInput{portal.RoleAdmin, linkableChannel()} },
		func(i draftInput) error { return portal.CanEditChannelDraft(i.role, i.ch) }, draftRefusals("edit its business information"))
}

func TestCanSubmitMiniAppReview(t *testing.T) {
	changed := func() draftInput {
		ch := linkableChannel()
		ch.Draft.ServiceCompany.Address = "9-9 Minato, Tokyo"
		return draftInput{portal.RoleAdmin, ch}
	}
	rule := func(i draftInput) error { return portal.CanSubmitMiniAppReview(i.role, i.ch) }
	ordered(t, changed, rule, append(draftRefusals("submit it for MINI App review"),
		refusal[draftInput]{"ErrIncompleteDraft", func(i *draftInput) { i.ch.Draft.ServiceCompany.CompanyName = "" }, portal.EINVALID,
			"Enter the service company's name and address in the draft before submitting it for review."},
	))
	t.Run("ErrUnchangedDraftOfVerifiedMiniApp", func(t *testing.T) {
		check(t, rule(draftInput{portal.RoleAdmin, linkableChannel()}), portal.EINVALID,
			"The draft is the same as the published business information. Change it before submitting it for re-review.")
	})
	t.Run("OK first review of an unverified MINI App", func(t *testing.T) {
		ch := linkableChannel()
		ch.Verified, ch.Published = false, portal.MiniAppInfo{}
		check(t, rule(draftInput{portal.RoleAdmin, ch}), "", "")
	})
	t.Run("OK resubmitting a rejected draft", func(t *testing.T) {
		i := changed()
		i.ch.MiniAppReview = portal.MiniAppReviewRejected
		check(t, rule(i), "", "")
	})
}

func TestOperatorRules(t *testing.T) {
	pending := linkableChannel()
	pending.MiniAppReview = portal.MiniAppReviewPending
	developer := portal.Admin{ID: 1, Name: "Dev"}
	tests := []struct {
		name          string
		err           error
		code, message string
	}{
		{"CanDecideMiniAppReview/OK", portal.CanDecideMiniAppReview(operator, pending), "", ""},
		{"CanDecideMiniAppReview/ErrNotOperator", portal.CanDecideMiniAppReview(developer, pending), portal.EFORBIDDEN, "Only an operator can run reviews."},
		{"CanDecideMiniAppReview/ErrNotPending", portal.CanDecideMiniAppReview(operator, linkableChannel()), portal.ECONFLICT, "This channel has no MINI App review waiting for a decision."},
		{"CanRunReviews/OK", portal.CanRunReviews(operator), "", ""},
		{"CanRunReviews/ErrNotOperator", portal.CanRunReviews(developer), portal.EFORBIDDEN, "Only an operator can run reviews."},
		{"CanListAll/OK", portal.CanListAll(operator), "", ""},
		{"CanListAll/ErrNotOperator", portal.CanListAll(developer), portal.EFORBIDDEN, "Only an operator can list every channel and organization."},
		{"CheckReason/OK", portal.CheckReason("blurry logo"), "", ""},
		{"CheckReason/ErrEmpty", portal.CheckReason("  "), portal.EINVALID, "Give the reason for the rejection, so that the people concerned know what to fix."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.err, tt.code, tt.message) })
	}
}
