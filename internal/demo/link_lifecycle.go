package demo

import "lineportal/internal/portal"

var (
	sakuraFoods  = portal.BusinessInfo{CompanyName: "Sakura Foods K.K.", Address: "1-2-3 Marunouchi, Chiyoda-ku, Tokyo"}
	hanamiRetail = portal.BusinessInfo{CompanyName: "Hanami Retail K.K.", Address: "4-5-6 Umeda, Kita-ku, Osaka"}
)

// linkLifecycle seeds the Business Manager link demo: MINI Apps in every
// state a link request meets, none linked yet, and organizations to link
// them to.
func (s *seeder) linkLifecycle(r roles) {
	// One verified organization, one whose verification waits, one outside
	// Japan. The organization administrator runs all three; the
	// developer-and-administrator also runs the unverified one.
	s.organization(r, portal.Organization{ID: SakuraFoodsID, Name: "Sakura Foods", Region: portal.RegionJapan, Info: sakuraFoods, CompanyCountry: portal.RegionJapan}, true)
	s.organization(r, portal.Organization{ID: HanamiRetailID, Name: "Hanami Retail", Region: portal.RegionJapan, Info: hanamiRetail, CompanyCountry: portal.RegionJapan}, false)
	s.organization(r, portal.Organization{ID: TaipeiTradingID, Name: "Taipei Trading", Region: portal.RegionTaiwan,
		Info: portal.BusinessInfo{CompanyName: "Taipei Trading Ltd.", Address: "7 Xinyi Road, Taipei"}, CompanyCountry: portal.RegionTaiwan}, true)
	// In Japan, but its company is in Taiwan: no MINI App of the demo (whose
	// companies are in Japan) can be linked or transferred to it.
	s.organization(r, portal.Organization{ID: SakuraTaiwanID, Name: "Sakura Foods Taiwan", Region: portal.RegionJapan,
		Info: portal.BusinessInfo{CompanyName: "Sakura Foods Taiwan Ltd.", Address: "101 Songren Road, Xinyi District, Taipei"}, CompanyCountry: portal.RegionTaiwan}, true)
	s.step(func() error { return s.db.AddOrganizationAdmin(s.ctx, r.boss, HanamiRetailID, r.both.ID) })

	p := s.provider(r.dev, "Sakura Foods Digital")
	// Ready to link to Sakura Foods: its business information matches.
	s.miniApp(r, r.dev, p, "Sakura Order", portal.RegionJapan, sameCompany(sakuraFoods), true)
	// Its published address is out of date: linking it is rejected.
	s.miniApp(r, r.dev, p, "Sakura Points", portal.RegionJapan,
		sameCompany(portal.BusinessInfo{CompanyName: sakuraFoods.CompanyName, Address: "9-9 Ginza, Chuo-ku, Tokyo"}), true)
	// Serves Taiwan, so it can't be linked.
	s.miniApp(r, r.dev, p, "Sakura Global", portal.RegionTaiwan, sameCompany(sakuraFoods), true)
	// Never passed the MINI App review, so it can't be linked.
	s.miniApp(r, r.dev, p, "Sakura Beta", portal.RegionJapan, sameCompany(sakuraFoods), false)
	// Developed by another company for the provider: fails "same as the
	// service company".
	s.miniApp(r, r.dev, p, "Sakura Partner App", portal.RegionJapan, portal.MiniAppInfo{ServiceCompany: sakuraFoods}, true)

	// The developer who also administers Hanami Retail: their link requests
	// to it are approved at once.
	hanami := s.provider(r.both, "Hanami Retail Apps")
	s.miniApp(r, r.both, hanami, "Hanami Coupons", portal.RegionJapan, sameCompany(hanamiRetail), true)
}
