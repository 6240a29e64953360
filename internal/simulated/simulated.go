// Package simulated starts the portal on the simulated LINE platform with
// the demo data: the simulator with its demo users and the portal's LINE
// Login channel, the portal's database seeded for those users, and the
// portal's LINE clients pointed at the simulator. `portal serve` without
// LINE credentials, the web tests and the benchmark's data set all start
// this way. It is the one place where the product meets the simulator
// (internal/archtest checks it).
package simulated

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"lineportal/internal/demo"
	"lineportal/internal/line"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/internal/secret"
	"lineportal/store"
)

// LoginChannelID is the portal's LINE Login channel on the simulator.
const LoginChannelID = "2000000001"

// PortalOAWebhookPath is where the portal receives the webhooks of its own
// Official Account (web's route of the same path).
const PortalOAWebhookPath = "/webhooks/line/portal-oa"

// Options say where the simulator and the portal are and how the portal
// signs in.
type Options struct {
	// SimulatorURL is the simulator's base URL, on its own listener (a
	// different origin, as LINE is), where Serve serves the simulator's
	// handler before anything talks to it.
	SimulatorURL string
	Serve        func(http.Handler)
	// PortalURL is the portal's base URL: its LINE Login redirect URI and
	// the webhook URLs of its Official Account and the demo module channel.
	PortalURL string
	// LoginChannelSecret is the portal's Login channel secret; "" makes a
	// fresh one.
	LoginChannelSecret string
	BotPrompt          string // normal, aggressive or "" (off)
	BotIDHeader        string // "" means linesim.DefaultBotIDHeader
	Logger             *slog.Logger
	// SimulatorClock runs the portal's LINE clients and database on the
	// simulator's clock, which its control surface moves forward; else
	// they keep their own.
	SimulatorClock bool
	// Module also seeds the demo module channel, its webhooks pointed at
	// the portal.
	Module bool
	// OfficialAccount also seeds the demo's Momiji Cafe on the simulator,
	// connected to the portal, with a month's messages and followers.
	OfficialAccount bool
	// NoDemo leaves the portal's database as it is: the simulator still
	// has its users to sign in as, but the portal knows no one until they
	// do, as a new installation (Module and OfficialAccount need the demo).
	NoDemo bool
}

// Platform is the started simulator and the portal's clients for it.
type Platform struct {
	Simulator *linesim.Server
	// Users are the simulator's demo users: the portal's operators and
	// its Official Account come from them.
	Users linesim.DemoData
	// OAChannelSecret signs the webhooks of the portal's Official
	// Account's Messaging API channel, sent to the portal (when Start had
	// its URL).
	OAChannelSecret string
	Login           *line.Login
	LINE            *line.Platform
	Now             func() time.Time // the simulator's clock
	Seeded          bool             // whether db got the demo data now (else it had it)
}

// Start starts the simulator with the demo users, gives db the demo data
// for them (once: a database that has it keeps it) and connects the
// portal's LINE clients. box seals the demo module channel's credentials.
func Start(ctx context.Context, db *store.DB, box *secret.Box, o Options) (*Platform, error) {
	sim, err := linesim.New(linesim.Config{BaseURL: o.SimulatorURL, BotIDHeader: o.BotIDHeader, Logger: o.Logger, PortalURL: o.PortalURL})
	if err != nil {
		return nil, err
	}
	o.Serve(sim.Handler())
	p := &Platform{Simulator: sim, Now: sim.Now}
	fail := func(err error) (*Platform, error) {
		sim.Close()
		return nil, err
	}
	login := line.LoginConfig{
		ChannelID: LoginChannelID, ChannelSecret: o.LoginChannelSecret,
		AuthBaseURL: o.SimulatorURL, APIBaseURL: o.SimulatorURL,
		RedirectURL: o.PortalURL + "/auth/callback", BotPrompt: o.BotPrompt,
	}
	if login.ChannelSecret == "" {
		login.ChannelSecret = randomHex(16)
	}
	platform := line.PlatformConfig{APIBaseURL: o.SimulatorURL, ManagerBaseURL: o.SimulatorURL, BotIDHeader: o.BotIDHeader}
	if platform.BotIDHeader == "" {
		platform.BotIDHeader = linesim.DefaultBotIDHeader
	}
	if o.SimulatorClock {
		// One clock for all, so that what the simulator issues never looks
		// issued in the portal's future once its clock is moved forward.
		login.Now, platform.Now, db.Now = sim.Now, sim.Now, sim.Now
	}
	if p.Users, err = sim.SeedDemo(linesim.LoginChannel{ID: login.ChannelID, Secret: login.ChannelSecret, RedirectURIs: []string{login.RedirectURL}}); err != nil {
		return fail(err)
	}
	if err := claimDatabase(ctx, db, sim.Users()); err != nil {
		return fail(err)
	}
	if o.PortalURL != "" {
		// Who adds or blocks the portal's account reaches the portal at
		// once, as LINE's webhook would tell it.
		p.OAChannelSecret = randomHex(16)
		if err := sim.SetPrimaryWebhook(p.Users.OfficialAccount.BotID, linesim.PrimaryWebhook{
			Secret: p.OAChannelSecret, URL: o.PortalURL + PortalOAWebhookPath}); err != nil {
			return fail(err)
		}
	}
	if !o.NoDemo {
		if p.Seeded, err = demo.Seed(ctx, db, People(p.Users)); err != nil {
			return fail(err)
		}
	}
	if o.Module {
		if _, err := p.SeedModule(ctx, db, box, o.PortalURL); err != nil {
			return fail(err)
		}
	}
	if o.OfficialAccount {
		if err := p.SeedOfficialAccount(ctx, db, box); err != nil {
			return fail(err)
		}
	}
	if p.LINE, err = line.NewPlatform(platform); err != nil {
		return fail(err)
	}
	if p.Login, err = line.NewLogin(ctx, login); err != nil {
		return fail(fmt.Errorf("connecting to LINE Login on the simulator: %w", err))
	}
	return p, nil
}

// claimDatabase marks the database as the simulator's, unless it was made
// with real LINE (store.DB.ClaimForSimulator). The simulator's sign-in
// lets anyone be anyone, its operator runs the review queues and its demo
// would be added among the real data: a service whose LINE configuration
// went missing must stop, not carry on simulated.
func claimDatabase(ctx context.Context, db *store.DB, users []linesim.User) error {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	ours, err := db.ClaimForSimulator(ctx, ids)
	if err != nil {
		return err
	}
	if !ours {
		return errors.New("the database was made with real LINE, and the simulator, whose sign-in lets anyone be anyone, is not run on it. Configure LINE (LINE_LOGIN_CHANNEL_ID and LINE_LOGIN_CHANNEL_SECRET), or give another PORTAL_DB to try the portal")
	}
	return nil
}

// SeedModule gives the simulator its demo module channel, pointed at the
// portal at portalURL, and the portal the channel, its demo developer its
// Admin. The channel's secret and token are made once and kept, sealed,
// in the portal's database; each start hands them to the fresh simulator,
// so stored credentials and webhook signatures stay valid.
func (p *Platform) SeedModule(ctx context.Context, db *store.DB, box *secret.Box, portalURL string) (linesim.ModuleDemoData, error) {
	var creds linesim.ModuleDemoCredentials
	channelID, _, err := db.FindWebhookSecret(ctx, box, linesim.DemoModuleChannelID)
	known := err == nil
	if known {
		stored, err := db.FindModuleCredentials(ctx, box, channelID)
		if err != nil {
			return linesim.ModuleDemoData{}, err
		}
		creds = linesim.ModuleDemoCredentials{Secret: stored.ChannelSecret, Token: stored.AccessToken}
	} else if portal.ErrorCode(err) != portal.ENOTFOUND {
		return linesim.ModuleDemoData{}, err
	}
	mod, err := p.Simulator.SeedModuleDemo(creds, portalURL+"/modules/callback", portalURL+"/webhooks/line/"+linesim.DemoModuleChannelID)
	if err != nil || known {
		return mod, err
	}
	return mod, demo.SeedModule(ctx, db, box, person(p.Users.Developer),
		demo.ModuleChannel{LINEChannelID: mod.Channel.ID, Name: mod.Channel.Name, Secret: mod.Channel.Secret, Token: mod.Token})
}

// SeedOfficialAccount gives the simulator the demo's Momiji Cafe: its
// Messaging API channel, a company bot receiving its webhooks, and this
// month's messages and followers; and gives the portal the channel's
// secret and a token, its demo developer recorded as having entered them,
// so that the account's page shows LINE's figures at once. As with the
// module, the credentials stay in the portal's database and each fresh
// simulator is handed them.
func (p *Platform) SeedOfficialAccount(ctx context.Context, db *store.DB, box *secret.Box) error {
	oa, err := db.FindOfficialAccountByBasicID(ctx, demo.MomijiCafeBasicID)
	if err != nil {
		return err
	}
	in := linesim.OfficialAccountDemo{BasicID: oa.BasicID, Name: oa.Name, ChannelID: oa.LINEChannelID,
		WebhookURL: "https://bot.momiji-foods.example/line/callback",
		Quota:      linesim.Quota{Limited: true, Limit: int64(oa.Plan.MonthlyMessages()), Usage: 3_100},
		Followers:  linesim.Followers{Followers: 6_120, TargetedReaches: 5_480, Blocks: 310}}
	stored, err := db.FindModuleCredentials(ctx, box, oa.ChannelID)
	known := err == nil
	if known {
		in.Secret, in.Token = stored.ChannelSecret, stored.AccessToken
	} else if portal.ErrorCode(err) != portal.ENOTFOUND {
		return err
	}
	seeded, _, err := p.Simulator.SeedOfficialAccountDemo(in)
	if err != nil || known {
		return err
	}
	dev, err := db.EnsureAdmin(ctx, p.Users.Developer.ID, p.Users.Developer.Name)
	if err != nil {
		return err
	}
	return db.ConnectOfficialAccount(ctx, box, dev, oa.ID, seeded.Secret, seeded.Token, time.Time{})
}

// People are the simulator's demo users in the demo's roles.
func People(d linesim.DemoData) demo.People {
	return demo.People{
		Developer: person(d.Developer),
		OrgAdmin:  person(d.OrganizationAdministrator),
		Both:      person(d.DeveloperAndAdministrator),
		Operator:  person(d.Operator),
	}
}

// DemoPeople are the demo's people as the simulator makes them, without a
// portal: for a data set made ahead of a run (cmd/portalbench), whose
// portal's simulator will sign in the same users.
func DemoPeople() (demo.People, error) {
	const nowhere = "http://127.0.0.1:1"
	sim, err := linesim.New(linesim.Config{BaseURL: nowhere})
	if err != nil {
		return demo.People{}, err
	}
	defer sim.Close()
	d, err := sim.SeedDemo(linesim.LoginChannel{ID: LoginChannelID, Secret: randomHex(16), RedirectURIs: []string{nowhere + "/auth/callback"}})
	if err != nil {
		return demo.People{}, err
	}
	return People(d), nil
}

func person(u linesim.User) demo.Person { return demo.Person{LINEUserID: u.ID, Name: u.Name} }

// randomHex returns n random bytes in hex, the shape of a LINE channel
// secret.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
