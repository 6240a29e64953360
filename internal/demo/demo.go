// Package demo fills a fresh portal database with the data a newcomer needs
// to walk every flow on the simulated LINE platform: people in each role,
// channels in every state, organizations verified and not, and Official
// Accounts to link. It goes through the store's own methods, so the demo
// obeys the same rules (and leaves the same audit trail) as real use.
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
	SakuraTaiwanID  = "BM00000000004" // verified, Japan, but its company is in Taiwan: the demo's MINI Apps can't be linked to it
	MomijiFoodsID   = "BM00000000011" // verified; its accounts and channels are linked, for Official Account linking
	MomijiHoldingID = "BM00000000012" // verified; another organization
)

// MomijiCafeBasicID is the demo's Japanese Official Account, whose page
// shows LINE's figures when the portal runs on the simulator.
const MomijiCafeBasicID = "@momijicafe"

// Seed adds the demo data unless the database has it already, and reports
// whether it did.
func Seed(ctx context.Context, db *store.DB, p People) (bool, error) {
	if _, err := db.FindOrganizationByID(ctx, SakuraFoodsID); err == nil {
		return false, nil
	} else if portal.ErrorCode(err) != portal.ENOTFOUND {
		return false, err
	}
	s := &seeder{ctx: ctx, db: db}
	r := roles{dev: s.admin(p.Developer), boss: s.admin(p.OrgAdmin), both: s.admin(p.Both), op: s.admin(p.Operator)}
	r.op.Operator = true // the portal's configuration names the demo operator
	s.linkLifecycle(r)
	s.officialAccounts(r)
	// The demo's story happened before anyone signs in: its notices are
	// read, so each persona's count starts with what the walkthrough does.
	for _, a := range []portal.Admin{r.dev, r.boss, r.both, r.op} {
		s.step(func() error { return s.db.MarkRead(s.ctx, a.ID, 0) })
	}
	if s.err != nil {
		return false, fmt.Errorf("demo: %w", s.err)
	}
	return true, nil
}

// roles are the personas as admins of the portal.
type roles struct {
	dev, boss, both, op portal.Admin
}

// seeder runs the demo's store calls and keeps the first error, after
// which every step does nothing: the demo reads as the story it tells.
type seeder struct {
	ctx      context.Context
	db       *store.DB
	channels int // demo channels made so far, to number LINE channel IDs
	err      error
}

func (s *seeder) step(fn func() error) {
	if s.err == nil {
		s.err = fn()
	}
}

func value[T any](s *seeder, fn func() (T, error)) T {
	var v T
	s.step(func() (err error) { v, err = fn(); return err })
	return v
}

func (s *seeder) admin(p Person) portal.Admin {
	return value(s, func() (portal.Admin, error) { return s.db.EnsureAdmin(s.ctx, p.LINEUserID, p.Name) })
}

func (s *seeder) provider(actor portal.Admin, name string) portal.Provider {
	return value(s, func() (portal.Provider, error) { return s.db.CreateProvider(s.ctx, actor, name) })
}

// organization creates an organization in Japan or elsewhere, verified by
// the operator when verified is set.
func (s *seeder) organization(r roles, org portal.Organization, verified bool) portal.Organization {
	created := value(s, func() (portal.Organization, error) { return s.db.CreateOrganization(s.ctx, r.boss, org) })
	if verified {
		s.step(func() error { return s.db.SubmitOrganizationForVerification(s.ctx, r.boss, created.ID) })
		s.step(func() error { return s.db.VerifyOrganization(s.ctx, r.op, created.ID) })
	}
	return value(s, func() (portal.Organization, error) { return s.db.FindOrganizationByID(s.ctx, created.ID) })
}

// channel registers a channel of actor's; LINE channel IDs are numbered
// in the order the demo makes them.
func (s *seeder) channel(actor portal.Admin, p portal.Provider, kind portal.ChannelKind, name string, region portal.Region, draft portal.MiniAppInfo) portal.Channel {
	s.channels++
	in := portal.Channel{Provider: p, Kind: kind, LINEChannelID: fmt.Sprintf("20070%05d", s.channels), Name: name, Region: region, Draft: draft}
	return value(s, func() (portal.Channel, error) { return s.db.CreateChannelUnderAnyProvider(s.ctx, actor, in) })
}

// miniApp registers a MINI App channel with info as its business
// information, published through the MINI App review when verified. Its
// company or owner's country or region is its service region, as its
// creator warrants.
func (s *seeder) miniApp(r roles, actor portal.Admin, p portal.Provider, name string, region portal.Region, info portal.MiniAppInfo, verified bool) portal.Channel {
	info.CompanyCountry = region
	ch := s.channel(actor, p, portal.KindMiniApp, name, region, info)
	if verified {
		s.step(func() error { return s.db.SubmitMiniAppReview(s.ctx, actor, ch.ID) })
		s.step(func() error { return s.db.ApproveMiniAppReview(s.ctx, r.op, ch.ID) })
	}
	return ch
}

// link links ch to org: the developer sends the request, the organization
// administrator approves it.
func (s *seeder) link(r roles, ch portal.Channel, orgID portal.OrganizationID) portal.Channel {
	token := value(s, func() (string, error) {
		_, token, err := s.db.SendLinkRequest(s.ctx, r.dev, ch.ID, orgID)
		return token, err
	})
	s.step(func() error { _, err := s.db.ApproveLinkRequest(s.ctx, r.boss, token); return err })
	return value(s, func() (portal.Channel, error) { return s.db.FindChannelByID(s.ctx, ch.ID) })
}

func sameCompany(info portal.BusinessInfo) portal.MiniAppInfo {
	return portal.MiniAppInfo{ServiceCompany: info, DeveloperIsServiceCompany: true}
}
