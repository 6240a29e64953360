package portal_test

import (
	"strings"
	"testing"
	"time"

	"lineportal/internal/portal"
)

const (
	msgFormat     = "Enter the organization ID as BM followed by 11 digits, for example BM01234567890."
	msgNoSuchOrg  = "There is no organization with the ID BM01234567890. Ask the organization's administrator for the ID shown in the Business Manager header."
	msgNotMiniApp = "Only a LINE MINI App channel can be linked to a Business Manager organization; this is a LINE Login channel."
	msgUnverified = "This LINE MINI App is not a verified MINI App. Only a verified MINI App can be linked; it becomes verified when it passes the MINI App review."
	msgRegion     = "The channel's service region is Thailand. Only a LINE MINI App whose service region is Japan can be linked."
	msgProvider   = "The provider and the service company must match in the published business information: turn on \"Same as the service company\" for the development company, or set the provider to \"Service company\". Change the draft and have it re-reviewed."
	msgOrgRegion  = "Organization BM01234567890 is registered in Taiwan. Only an organization whose region is Japan can be linked."
	msgCountry    = "The channel's company or owner's country or region (Japan) does not match the company/business owner's country or region of organization BM01234567890 (Taiwan); they must match. " +
		"If the channel's is wrong, ask for the change in the MINI App review request (enter the new country or region in the draft business information and submit it for re-review). " +
		"If the organization's is wrong, the organization is verified, so its business info can't change: create a new organization with the right country or region and transfer the accounts and channels to it."
	msgLinked       = "This channel is already linked to organization BM01234567890, and a link can't be removed. To move the channel to another organization, transfer it in the organization instead."
	msgExpired      = "This link request URL has expired: it works for 168 hours (7 days) after it is issued. Ask the channel's developer to send the link request again."
	msgReplaced     = "This link request URL was replaced by a newer one and no longer works. Ask the channel's developer for the latest URL, or to send the link request again."
	msgApproved     = "This link request has already been approved, so the channel is linked. There is nothing more to do."
	msgNotChAdmin   = "Only an Admin of this channel can send a link request."
	msgSignIn       = "Sign in with LINE to open this link request."
	msgNotApprover  = "Only an administrator of organization BM01234567890 can approve this link request. Forward the URL to one of its administrators."
	msgNotLinkedYet = "This channel is not linked to an organization, so there is nothing to transfer. Send a link request instead."
)

// The channel-side refusals shared by every rule that checks the linking
// requirements, in their documented order.
func channelRefusals[In any](ch func(*In) *portal.Channel) []refusal[In] {
	return []refusal[In]{
		{"ErrNotMiniApp", func(in *In) { ch(in).Kind = portal.KindLogin }, portal.EINVALID, msgNotMiniApp},
		{"ErrNotVerifiedMiniApp", func(in *In) { ch(in).Verified = false }, portal.EINVALID, msgUnverified},
		{"ErrServiceRegion", func(in *In) { ch(in).Region = portal.RegionThailand }, portal.EINVALID, msgRegion},
		{"ErrProviderNotServiceCompany", func(in *In) { ch(in).Published.DeveloperIsServiceCompany = false }, portal.EINVALID, msgProvider},
	}
}

type linkRequestInput struct {
	role  portal.ChannelRole
	ch    portal.Channel
	orgID portal.OrganizationID
	org   *portal.Organization
}

func TestCheckLinkRequest(t *testing.T) {
	ok := func() linkRequestInput {
		org := verifiedOrg()
		return linkRequestInput{portal.RoleAdmin, linkableChannel(), orgID, &org}
	}
	rule := func(in linkRequestInput) error { return portal.CheckLinkRequest(in.role, in.ch, in.orgID, in.org) }
	var refusals []refusal[linkRequestInput]
	refusals = append(refusals,
		refusal[linkRequestInput]{"ErrNotChannelAdmin", func(in *linkRequestInput) { in.role = portal.RoleMember }, portal.EFORBIDDEN, msgNotChAdmin},
		refusal[linkRequestInput]{"ErrNoSuchOrganization", func(in *linkRequestInput) { in.org = nil }, portal.EINVALID, msgNoSuchOrg},
	)
	refusals = append(refusals, channelRefusals(func(in *linkRequestInput) *portal.Channel { return &in.ch })...)
	refusals = append(refusals,
		refusal[linkRequestInput]{"ErrOrganizationRegion", func(in *linkRequestInput) {
			if in.org != nil {
				in.org.Region = portal.RegionTaiwan
			}
		}, portal.EINVALID, msgOrgRegion},
		refusal[linkRequestInput]{"ErrCompanyCountry", func(in *linkRequestInput) {
			if in.org != nil {
				in.org.CompanyCountry = portal.RegionTaiwan
			}
		}, portal.EINVALID, msgCountry},
		refusal[linkRequestInput]{"ErrAlreadyLinked", func(in *linkRequestInput) { in.ch.Link = currentLink(portal.ReviewVerified) }, portal.ECONFLICT, msgLinked},
	)
	ordered(t, ok, rule, refusals)

	t.Run("OK provider set to service company", func(t *testing.T) {
		in := ok()
		in.ch.Published = portal.MiniAppInfo{ServiceCompany: acme, ProviderIsServiceCompany: true, CompanyCountry: portal.RegionJapan}
		check(t, rule(in), "", "")
	})
	t.Run("an unknown org ID names the form field", func(t *testing.T) {
		e, _ := rule(linkRequestInput{portal.RoleAdmin, linkableChannel(), orgID, nil}).(*portal.Error)
		if e == nil || e.Fields["org_id"] == "" {
			t.Errorf("CheckLinkRequest: want the message on field org_id, got %#v", e)
		}
	})
}

func TestCanSendLinkRequest(t *testing.T) {
	type in struct {
		role portal.ChannelRole
		ch   portal.Channel
	}
	refusals := []refusal[in]{{"ErrNotChannelAdmin", func(i *in) { i.role = portal.RoleNone }, portal.EFORBIDDEN, msgNotChAdmin}}
	refusals = append(refusals, channelRefusals(func(i *in) *portal.Channel { return &i.ch })...)
	refusals = append(refusals, refusal[in]{"ErrAlreadyLinked", func(i *in) { i.ch.Link = currentLink(portal.ReviewRejected) }, portal.ECONFLICT, msgLinked})
	ordered(t, func() in { return in{portal.RoleAdmin, linkableChannel()} },
		func(i in) error { return portal.CanSendLinkRequest(i.role, i.ch) }, refusals)
}

func pendingRequest() portal.LinkRequest {
	return portal.LinkRequest{ID: 1, ChannelID: 7, OrgID: orgID, State: portal.LinkRequestPending, IssuedAt: issued, ExpiresAt: issued.Add(portal.LinkRequestValidity)}
}

func TestLinkRequest_Usable(t *testing.T) {
	if portal.LinkRequestValidity != 168*time.Hour {
		t.Fatalf("LinkRequestValidity = %v, want 168h", portal.LinkRequestValidity)
	}
	tests := []struct {
		name      string
		state     portal.LinkRequestState
		at        time.Duration // after issue
		wantState string
		code      string
		message   string
	}{
		{"OK at issue", portal.LinkRequestPending, 0, "Pending", "", ""},
		{"OK 1s before 168h", portal.LinkRequestPending, 168*time.Hour - time.Second, "Pending", "", ""},
		{"ErrExpired at exactly 168h", portal.LinkRequestPending, 168 * time.Hour, "Expired", portal.EGONE, msgExpired},
		{"ErrExpired 1s after 168h", portal.LinkRequestPending, 168*time.Hour + time.Second, "Expired", portal.EGONE, msgExpired},
		{"ErrReplaced", portal.LinkRequestReplaced, time.Hour, "Replaced", portal.EGONE, msgReplaced},
		{"ErrReplaced stays replaced after expiry", portal.LinkRequestReplaced, 200 * time.Hour, "Replaced", portal.EGONE, msgReplaced},
		{"ErrApproved", portal.LinkRequestApproved, time.Hour, "Approved", portal.ECONFLICT, msgApproved},
		{"ErrApproved stays approved after expiry", portal.LinkRequestApproved, 200 * time.Hour, "Approved", portal.ECONFLICT, msgApproved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pendingRequest()
			r.State = tt.state
			now := issued.Add(tt.at)
			if got := r.StateAt(now).String(); got != tt.wantState {
				t.Errorf("StateAt = %q, want %q", got, tt.wantState)
			}
			check(t, r.Usable(now), tt.code, tt.message)
		})
	}
}

func TestCanApprove(t *testing.T) {
	approver := portal.Admin{ID: 42, Name: "Aiko"}
	type in struct {
		actor portal.Admin
		a     portal.LinkApproval
		now   time.Time
	}
	ok := func() in {
		return in{approver, portal.LinkApproval{Request: pendingRequest(), Channel: linkableChannel(), Organization: verifiedOrg(), ActorIsOrgAdmin: true}, issued.Add(time.Hour)}
	}
	refusals := []refusal[in]{
		{"ErrNotSignedIn", func(i *in) { i.actor = portal.Admin{} }, portal.EUNAUTHENTICATED, msgSignIn},
		{"ErrNotOrgAdmin", func(i *in) { i.a.ActorIsOrgAdmin = false }, portal.EFORBIDDEN, msgNotApprover},
		{"ErrExpired", func(i *in) { i.now = issued.Add(168*time.Hour + time.Second) }, portal.EGONE, msgExpired},
	}
	refusals = append(refusals, channelRefusals(func(i *in) *portal.Channel { return &i.a.Channel })...)
	refusals = append(refusals,
		refusal[in]{"ErrOrganizationRegion", func(i *in) { i.a.Organization.Region = portal.RegionTaiwan }, portal.EINVALID, msgOrgRegion},
		refusal[in]{"ErrCompanyCountry", func(i *in) { i.a.Organization.CompanyCountry = portal.RegionTaiwan }, portal.EINVALID, msgCountry},
		refusal[in]{"ErrAlreadyLinked", func(i *in) { i.a.Channel.Link = currentLink(portal.ReviewUnverified) }, portal.ECONFLICT, msgLinked},
	)
	rule := func(i in) error { return portal.CanApprove(i.actor, i.a, i.now) }
	ordered(t, ok, rule, refusals)

	for _, tt := range []struct {
		name    string
		state   portal.LinkRequestState
		code    string
		message string
	}{
		{"ErrReplaced", portal.LinkRequestReplaced, portal.EGONE, msgReplaced},
		{"ErrAlreadyApproved", portal.LinkRequestApproved, portal.ECONFLICT, msgApproved},
	} {
		t.Run(tt.name, func(t *testing.T) {
			i := ok()
			i.a.Request.State = tt.state
			check(t, rule(i), tt.code, tt.message)
		})
	}
}

func TestCanStartTransfer(t *testing.T) {
	type in struct {
		ch        portal.Channel
		fromAdmin bool
	}
	ok := func() in {
		ch := linkableChannel()
		ch.Link = currentLink(portal.ReviewRejected)
		return in{ch, true}
	}
	ordered(t, ok, func(i in) error { return portal.CanStartTransfer(i.ch, i.fromAdmin) }, []refusal[in]{
		{"ErrNotLinked", func(i *in) { i.ch.Link = nil }, portal.EINVALID, msgNotLinkedYet},
		{"ErrNotSourceAdmin", func(i *in) { i.fromAdmin = false }, portal.EFORBIDDEN,
			"Only an administrator of organization BM01234567890, where the channel is linked, can transfer it."},
	})
}

func TestCanTransfer(t *testing.T) {
	const destID = "BM09876543210"
	type in struct {
		ch        portal.Channel
		fromAdmin bool
		destID    portal.OrganizationID
		dest      *portal.Organization
		toAdmin   bool
	}
	ok := func() in {
		ch := linkableChannel()
		ch.Link = currentLink(portal.ReviewRejected)
		dest := verifiedOrg()
		dest.ID = destID
		return in{ch, true, destID, &dest, true}
	}
	withDest := func(f func(*portal.Organization)) func(*in) {
		return func(i *in) {
			if i.dest != nil {
				f(i.dest)
			}
		}
	}
	ordered(t, ok, func(i in) error { return portal.CanTransfer(i.ch, i.fromAdmin, i.destID, i.dest, i.toAdmin) }, []refusal[in]{
		{"ErrNotLinked", func(i *in) { i.ch.Link = nil }, portal.EINVALID, msgNotLinkedYet},
		{"ErrNotSourceAdmin", func(i *in) { i.fromAdmin = false }, portal.EFORBIDDEN,
			"Only an administrator of organization BM01234567890, where the channel is linked, can transfer it."},
		{"ErrNoSuchOrganization", func(i *in) { i.dest = nil }, portal.EINVALID,
			"There is no organization with the ID BM09876543210. Ask the organization's administrator for the ID shown in the Business Manager header."},
		{"ErrSameOrganization", withDest(func(o *portal.Organization) { o.ID = orgID }), portal.EINVALID,
			"The channel is already linked to organization BM01234567890. Enter the organization to transfer it to."},
		{"ErrNotDestinationAdmin", func(i *in) { i.toAdmin = false }, portal.EFORBIDDEN,
			"You can transfer the channel only to an organization you also administer, and you are not an administrator of BM09876543210."},
		{"ErrDestinationRegion", withDest(func(o *portal.Organization) { o.Region = portal.RegionThailand }), portal.EINVALID,
			"Organization BM09876543210 is registered in Thailand. Only an organization whose region is Japan can be linked."},
		{"ErrCompanyCountry", withDest(func(o *portal.Organization) { o.CompanyCountry = portal.RegionTaiwan }), portal.EINVALID,
			strings.Replace(msgCountry, orgID, destID, 1)},
	})
}

// The refusal tells the organization's side what it can do, which depends
// on where its verification review stands; the channel's side is always a
// review request.
func TestCompanyCountryRefusal_OrganizationSide(t *testing.T) {
	for _, tt := range []struct {
		status portal.VerificationStatus
		want   string
	}{
		{portal.OrgUnverified, "If the organization's is wrong, an administrator of the organization can change it in its business info."},
		{portal.OrgRejected, "If the organization's is wrong, an administrator of the organization can change it in its business info."},
		{portal.OrgInReview, "If the organization's is wrong, its business info can change only after its verification review is decided."},
		{portal.OrgVerified, "If the organization's is wrong, the organization is verified, so its business info can't change: create a new organization with the right country or region and transfer the accounts and channels to it."},
	} {
		t.Run(string(tt.status), func(t *testing.T) {
			org := verifiedOrg()
			org.Verification, org.CompanyCountry = tt.status, portal.RegionThailand
			err := portal.CheckLinkRequest(portal.RoleAdmin, linkableChannel(), orgID, &org)
			msg := english(err)
			if !strings.HasPrefix(msg, "The channel's company or owner's country or region (Japan) does not match the company/business owner's country or region of organization BM01234567890 (Thailand)") ||
				!strings.Contains(msg, "ask for the change in the MINI App review request") || !strings.HasSuffix(msg, tt.want) {
				t.Errorf("refusal = %q, want it to end %q", msg, tt.want)
			}
			if portal.ErrorFields(err)["org_id"] == "" {
				t.Errorf("the refusal is not on the org_id field: %v", portal.ErrorFields(err))
			}
		})
	}
	t.Run("the published value counts, not the draft", func(t *testing.T) {
		ch, org := linkableChannel(), verifiedOrg()
		ch.Draft.CompanyCountry = portal.RegionTaiwan
		check(t, portal.CheckLinkRequest(portal.RoleAdmin, ch, orgID, &org), "", "")
		ch.Published.CompanyCountry, org.CompanyCountry = portal.RegionTaiwan, portal.RegionTaiwan
		check(t, portal.CheckLinkRequest(portal.RoleAdmin, ch, orgID, &org), "", "")
		ch.Published.CompanyCountry = portal.RegionJapan
		check(t, portal.CheckLinkRequest(portal.RoleAdmin, ch, orgID, &org), portal.EINVALID, msgCountry)
	})
}
