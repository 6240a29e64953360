// Package demo fills a fresh portal database with the data a newcomer needs
// to walk every flow on the simulated LINE platform: people in each role,
// channels in every state and organizations verified and not. It goes
// through the store's own methods, so the demo obeys the same rules (and
// leaves the same audit trail) as real use.
package demo

import (
	"context"
	"fmt"

	"lineportal/internal/portal"
	"lineportal/store"
)

// Person is a simulated LINE user the demo gives a role to.
type Person struct {
	LINEUserID string
	Name       string
}

// People are the demo's personas, one per role.
type People struct {
	Developer Person // Admin of the demo MINI Apps
	OrgAdmin  Person // administrator of the demo organizations
	Both      Person // a developer who also administers an organization
	Operator  Person // runs the review queues
}

// Organization IDs of the demo, for the README's walkthrough.
const (
	SakuraFoodsID   = "BM00000000001" // verified, Japan
	HanamiRetailID  = "BM00000000002" // not verified yet, Japan
	TaipeiTradingID = "BM00000000003" // Taiwan: can't be linked to
)

var (
	sakuraFoods  = portal.BusinessInfo{CompanyName: "Sakura Foods K.K.", Address: "1-2-3 Marunouchi, Chiyoda-ku, Tokyo"}
	hanamiRetail = portal.BusinessInfo{CompanyName: "Hanami Retail K.K.", Address: "4-5-6 Umeda, Kita-ku, Osaka"}
)

// Seed adds the demo data unless the database has it already, and reports
// whether it did.
func Seed(ctx context.Context, db *store.DB, p People) (bool, error) {
	if _, err := db.FindOrganizationByID(ctx, SakuraFoodsID); err == nil {
		return false, nil
	} else if portal.ErrorCode(err) != portal.ENOTFOUND {
		return false, err
	}
	s := &seeder{ctx: ctx, db: db}
	dev, boss, both, op := s.admin(p.Developer), s.admin(p.OrgAdmin), s.admin(p.Both), s.admin(p.Operator)
	op.Operator = true // the portal's configuration names the demo operator

	// Organizations: one verified, one whose verification waits, one
	// outside Japan. The organization administrator runs all three; the
	// developer-and-administrator also runs the unverified one.
	s.organization(boss, op, portal.Organization{ID: SakuraFoodsID, Name: "Sakura Foods", Region: portal.RegionJapan, Info: sakuraFoods}, true)
	s.organization(boss, op, portal.Organization{ID: HanamiRetailID, Name: "Hanami Retail", Region: portal.RegionJapan, Info: hanamiRetail}, false)
	s.organization(boss, op, portal.Organization{ID: TaipeiTradingID, Name: "Taipei Trading", Region: portal.RegionTaiwan,
		Info: portal.BusinessInfo{CompanyName: "Taipei Trading Ltd.", Address: "7 Xinyi Road, Taipei"}}, true)
	s.do(db.AddOrganizationAdmin(ctx, boss, HanamiRetailID, both.ID))

	provider := s.provider(dev, "Sakura Foods Digital")
	sameCompany := func(info portal.BusinessInfo) portal.MiniAppInfo {
		return portal.MiniAppInfo{ServiceCompany: info, DeveloperIsServiceCompany: true}
	}
	// Ready to link to Sakura Foods: its business information matches.
	s.miniApp(dev, op, provider, "2007000001", "Sakura Order", portal.RegionJapan, sameCompany(sakuraFoods), true)
	// Its published address is out of date: linking it is rejected.
	s.miniApp(dev, op, provider, "2007000002", "Sakura Points", portal.RegionJapan,
		sameCompany(portal.BusinessInfo{CompanyName: sakuraFoods.CompanyName, Address: "9-9 Ginza, Chuo-ku, Tokyo"}), true)
	// Serves Taiwan, so it can't be linked.
	s.miniApp(dev, op, provider, "2007000003", "Sakura Global", portal.RegionTaiwan, sameCompany(sakuraFoods), true)
	// Never passed the MINI App review, so it can't be linked.
	s.miniApp(dev, op, provider, "2007000004", "Sakura Beta", portal.RegionJapan, sameCompany(sakuraFoods), false)
	// Developed by another company for the provider: fails "same as the
	// service company".
	s.miniApp(dev, op, provider, "2007000005", "Sakura Partner App", portal.RegionJapan,
		portal.MiniAppInfo{ServiceCompany: sakuraFoods}, true)

	// The developer who also administers Hanami Retail: their link
	// requests to it are approved at once.
	hanami := s.provider(both, "Hanami Retail Apps")
	s.miniApp(both, op, hanami, "2007000006", "Hanami Coupons", portal.RegionJapan, sameCompany(hanamiRetail), true)
	return true, s.err
}

// seeder runs the demo's store calls, stopping at the first error.
type seeder struct {
	ctx context.Context
	db  *store.DB
	err error
}

func (s *seeder) do(err error) {
	if s.err == nil && err != nil {
		s.err = fmt.Errorf("demo: %w", err)
	}
}

func (s *seeder) admin(p Person) portal.Admin {
	if s.err != nil {
		return portal.Admin{}
	}
	a, err := s.db.EnsureAdmin(s.ctx, p.LINEUserID, p.Name)
	s.do(err)
	return a
}

func (s *seeder) provider(actor portal.Admin, name string) portal.Provider {
	if s.err != nil {
		return portal.Provider{}
	}
	p, err := s.db.CreateProvider(s.ctx, actor, name)
	s.do(err)
	return p
}

func (s *seeder) organization(actor, operator portal.Admin, org portal.Organization, verified bool) {
	if s.err != nil {
		return
	}
	_, err := s.db.CreateOrganization(s.ctx, actor, org)
	s.do(err)
	if verified && s.err == nil {
		s.do(s.db.SubmitOrganizationForVerification(s.ctx, actor, org.ID))
		s.do(s.db.VerifyOrganization(s.ctx, operator, org.ID))
	}
}

// miniApp registers a MINI App channel with info as its business
// information, published through the MINI App review when verified.
func (s *seeder) miniApp(actor, operator portal.Admin, p portal.Provider, lineID, name string, region portal.Region, info portal.MiniAppInfo, verified bool) {
	if s.err != nil {
		return
	}
	ch, err := s.db.CreateChannel(s.ctx, actor, portal.Channel{Provider: p, Kind: portal.KindMiniApp, LINEChannelID: lineID, Name: name, Region: region, Draft: info})
	s.do(err)
	if verified && s.err == nil {
		s.do(s.db.SubmitMiniAppReview(s.ctx, actor, ch.ID))
		s.do(s.db.ApproveMiniAppReview(s.ctx, operator, ch.ID))
	}
}
