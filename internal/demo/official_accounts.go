package demo

import "lineportal/internal/portal"

var (
	momijiFoods  = portal.BusinessInfo{CompanyName: "Momiji Foods K.K.", Address: "2-4-1 Shibakoen, Minato-ku, Tokyo"}
	momijiBakery = portal.BusinessInfo{CompanyName: "Momiji Bakery Y.K.", Address: "3-1 Sannomiya, Chuo-ku, Kobe"}
)

// officialAccounts seeds Official Account linking to click through: an
// organization with a Verified account and a Verified MINI App ready to
// link, and, on its "Select target for linking", a channel already linked
// to another account, a channel whose review is Rejected and other accounts
// (never selectable); an account whose review is Rejected (can't be
// picked); a MINI App of another organization, which is no target at all;
// a LINE Login channel without a Linked OA, and an account of another
// provider it can't take.
func (s *seeder) officialAccounts(r roles) {
	p := s.provider(r.dev, "Momiji Foods Digital")
	foods := s.organization(r, portal.Organization{ID: MomijiFoodsID, Name: "Momiji Foods", Region: portal.RegionJapan, Info: momijiFoods, CompanyCountry: portal.RegionJapan}, true)
	s.step(func() error { return s.db.AddOrganizationAdmin(s.ctx, r.boss, foods.ID, r.both.ID) })
	s.organization(r, portal.Organization{ID: MomijiHoldingID, Name: "Momiji Holdings", Region: portal.RegionJapan, Info: momijiFoods, CompanyCountry: portal.RegionJapan}, true)

	s.officialAccount(r, p, MomijiCafeBasicID, "Momiji Cafe", portal.PlanJPLight, momijiFoods, MomijiFoodsID)
	delivery := s.officialAccount(r, p, "@momijidelivery", "Momiji Delivery", portal.PlanJPCommunication, momijiFoods, MomijiFoodsID)
	s.officialAccount(r, p, "@momijibakery", "Momiji Bakery", portal.PlanJPStandard, momijiBakery, MomijiFoodsID) // Rejected: its business information differs

	s.linkedMiniApp(r, p, "Momiji Cafe Order", momijiFoods, MomijiFoodsID)
	points := s.linkedMiniApp(r, p, "Momiji Points", momijiFoods, MomijiFoodsID)
	s.step(func() error {
		_, err := s.db.LinkMiniAppToOfficialAccount(s.ctx, r.boss, delivery.ID, points.ID)
		return err
	})
	s.linkedMiniApp(r, p, "Momiji Reservations", momijiBakery, MomijiFoodsID) // Rejected
	s.linkedMiniApp(r, p, "Momiji Holdings Portal", momijiFoods, MomijiHoldingID)

	s.channel(r.dev, p, portal.KindLogin, "Momiji Members Login", portal.RegionJapan, portal.MiniAppInfo{})
	other := s.provider(r.dev, "Momiji Logistics")
	s.officialAccount(r, other, "@momijilogistics", "Momiji Logistics", portal.PlanJPCommunication, momijiFoods, "")
}

// officialAccount creates an account on its own Messaging API channel; the
// organization administrator, made its Admin, links it to orgID unless
// orgID is empty.
func (s *seeder) officialAccount(r roles, p portal.Provider, basicID, name string, plan portal.OAPlan, info portal.BusinessInfo, orgID portal.OrganizationID) portal.OfficialAccount {
	ch := s.channel(r.dev, p, portal.KindMessagingAPI, name+" Messaging API", portal.RegionJapan, portal.MiniAppInfo{})
	oa := value(s, func() (portal.OfficialAccount, error) {
		return s.db.CreateOfficialAccount(s.ctx, r.dev, portal.OfficialAccount{ChannelID: ch.ID, BasicID: basicID, Name: name, Plan: plan, Info: info})
	})
	if orgID != "" {
		s.step(func() error { return s.db.SetOfficialAccountRole(s.ctx, r.dev, oa.ID, r.boss.ID, portal.RoleAdmin) })
		s.step(func() error {
			_, err := s.db.LinkOfficialAccountToOrganization(s.ctx, r.boss, oa.ID, orgID)
			return err
		})
	}
	return oa
}

// linkedMiniApp creates a verified MINI App whose published service company
// is info, with the developer-and-administrator as a second Admin, linked
// to orgID.
func (s *seeder) linkedMiniApp(r roles, p portal.Provider, name string, info portal.BusinessInfo, orgID portal.OrganizationID) portal.Channel {
	ch := s.miniApp(r, r.dev, p, name, portal.RegionJapan, sameCompany(info), true)
	s.step(func() error { return s.db.SetChannelRole(s.ctx, r.dev, ch.ID, r.both.ID, portal.RoleAdmin) })
	return s.link(r, ch, orgID)
}
