package store_test

import (
	"strings"
	"testing"

	"lineportal/internal/portal"
)

// countryRefusal is the refusal for a channel whose company is in Japan and
// an organization whose company is in Taiwan; orgSide is what it tells the
// organization's side to do.
func countryRefusal(orgID, orgSide string) string {
	return "The channel's company or owner's country or region (Japan) does not match the company/business owner's country or region of organization " +
		orgID + " (Taiwan); they must match. If the channel's is wrong, ask for the change in the MINI App review request " +
		"(enter the new country or region in the draft business information and submit it for re-review). If the organization's is wrong, " + orgSide + "."
}

const (
	orgSideVerified   = "the organization is verified, so its business info can't change: create a new organization with the right country or region and transfer the accounts and channels to it"
	orgSideUnverified = "an administrator of the organization can change it in its business info"
)

// taiwanCompanyOrg creates an organization in Japan whose company is in
// Taiwan, verified when verified is true.
func (f *fixture) taiwanCompanyOrg(t *testing.T, verified bool) portal.Organization {
	t.Helper()
	org := f.org(t, portal.RegionJapan, acme, false)
	mustNil(t, f.db.UpdateOrganizationInfo(ctx, f.boss, org.ID, acme, portal.RegionTaiwan))
	if verified {
		mustNil(t, f.db.SubmitOrganizationForVerification(ctx, f.boss, org.ID))
		mustNil(t, f.db.VerifyOrganization(ctx, f.op, org.ID))
	}
	return f.reloadOrg(t, org)
}

func TestStore_CompanyCountry(t *testing.T) {
	t.Run("ErrSendLinkRequest changes nothing", func(t *testing.T) {
		f := newFixture(t)
		ch, org := f.miniApp(t, acme), f.taiwanCompanyOrg(t, true)
		f.refuses(t, portal.EINVALID, countryRefusal(org.ID, orgSideVerified),
			func() error {
				_, _, err := f.db.SendLinkRequest(ctx, f.dev, ch.ID, portal.OrganizationID(org.ID))
				return err
			})
		// Nor when the sender administers the organization, which would
		// otherwise approve at once.
		mustNil(t, f.db.AddOrganizationAdmin(ctx, f.boss, org.ID, f.dev.ID))
		f.refuses(t, portal.EINVALID, countryRefusal(org.ID, orgSideVerified),
			func() error {
				_, _, err := f.db.SendLinkRequest(ctx, f.dev, ch.ID, portal.OrganizationID(org.ID))
				return err
			})
	})

	t.Run("ErrApprove re-checks it", func(t *testing.T) {
		f := newFixture(t)
		ch, org := f.miniApp(t, acme), f.org(t, portal.RegionJapan, acme, false)
		token := f.send(t, ch, org)
		// Unverified, the organization's business info may still change.
		mustNil(t, f.db.UpdateOrganizationInfo(ctx, f.boss, org.ID, acme, portal.RegionTaiwan))
		f.refuses(t, portal.EINVALID, countryRefusal(org.ID, orgSideUnverified),
			func() error { _, err := f.db.ApproveLinkRequest(ctx, f.boss, token); return err })
		// Put right, the same URL works.
		mustNil(t, f.db.UpdateOrganizationInfo(ctx, f.boss, org.ID, acme, portal.RegionJapan))
		if _, err := f.db.ApproveLinkRequest(ctx, f.boss, token); err != nil {
			t.Fatalf("ApproveLinkRequest once the countries match: %v", err)
		}
	})

	t.Run("ErrTransfer changes nothing", func(t *testing.T) {
		f := newFixture(t)
		ch := f.miniApp(t, acme)
		from := f.org(t, portal.RegionJapan, acme, true)
		f.link(t, ch, from)
		dest := f.taiwanCompanyOrg(t, true)
		f.refuses(t, portal.EINVALID, countryRefusal(dest.ID, orgSideVerified),
			func() error {
				_, err := f.db.TransferChannel(ctx, f.boss, ch.ID, from.ID, portal.OrganizationID(dest.ID))
				return err
			})
	})

	t.Run("OK the channel's country changed through a re-review", func(t *testing.T) {
		f := newFixture(t)
		ch, org := f.miniApp(t, acme), f.taiwanCompanyOrg(t, true)
		draft := ch.Published
		draft.CompanyCountry = portal.RegionTaiwan
		mustNil(t, f.db.UpdateChannelDraft(ctx, f.dev, ch.ID, draft))
		// The draft alone does not count.
		f.refuses(t, portal.EINVALID, countryRefusal(org.ID, orgSideVerified),
			func() error {
				_, _, err := f.db.SendLinkRequest(ctx, f.dev, ch.ID, portal.OrganizationID(org.ID))
				return err
			})
		mustNil(t, f.db.SubmitMiniAppReview(ctx, f.dev, ch.ID))
		mustNil(t, f.db.ApproveMiniAppReview(ctx, f.op, ch.ID))
		f.send(t, ch, org)
	})

	t.Run("ErrVerifiedOrganizationCountryIsFinal", func(t *testing.T) {
		f := newFixture(t)
		org := f.org(t, portal.RegionJapan, acme, true)
		f.refuses(t, portal.EINVALID, "Organization "+org.ID+" is verified, so its business info can't change. If it is wrong, create a new organization and transfer the accounts and channels to it.",
			func() error { return f.db.UpdateOrganizationInfo(ctx, f.boss, org.ID, acme, portal.RegionTaiwan) })
		_, err := f.raw.Exec(`UPDATE organizations SET company_country = 'TW' WHERE id = '` + org.ID + `'`)
		if err == nil || !strings.Contains(err.Error(), "the business info of a verified organization never changes") {
			t.Errorf("raw update of a verified organization's country: %v", err)
		}
	})

	t.Run("ErrOrganizationCountry", func(t *testing.T) {
		f := newFixture(t)
		org := f.org(t, portal.RegionJapan, acme, false)
		f.refuses(t, portal.EINVALID, "Choose the country or region of the organization's company or business owner.",
			func() error { return f.db.UpdateOrganizationInfo(ctx, f.boss, org.ID, acme, "") })
		f.refuses(t, portal.EINVALID, "Choose the country or region of the organization's company or business owner.",
			func() error {
				_, err := f.db.CreateOrganization(ctx, f.boss, portal.Organization{Name: "No Country", Region: portal.RegionJapan})
				return err
			})
	})
}
