package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"time"

	"lineportal/internal/demo"
	"lineportal/internal/line"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/web"
)

// demoLoginChannelID is the portal's LINE Login channel on the simulator.
const demoLoginChannelID = "2000000001"

// lineSetup is how the portal talks to LINE: the sign-in client, its own
// Official Account, and operators the simulator's demo adds.
type lineSetup struct {
	login    *line.Login
	platform *line.Platform
	// managerURL is where module attach forms send the browser.
	managerURL string
	botPrompt  string
	portalOA   web.OfficialAccountLink
	operators  []string
	// now is the portal's clock: the simulator's, when it runs in-process,
	// whose control surface can move it forward; nil = time.Now.
	now func() time.Time
}

// connectLINE discovers LINE Login once, on the real LINE platform or on
// the built-in simulator, which it then starts with demo users.
func (m *Main) connectLINE(ctx context.Context) (lineSetup, error) {
	cfg := m.Config
	botPrompt := cfg.BotPrompt
	if botPrompt == "off" {
		botPrompt = ""
	}
	login := line.LoginConfig{
		ChannelID:     cfg.LoginChannelID,
		ChannelSecret: cfg.LoginSecret,
		AuthBaseURL:   cfg.AccessURL,
		APIBaseURL:    cfg.APIURL,
		RedirectURL:   m.URL + "/auth/callback",
		BotPrompt:     botPrompt,
	}
	platform := line.PlatformConfig{APIBaseURL: cfg.APIURL, ManagerBaseURL: cfg.ManagerURL, BotIDHeader: cfg.BotIDHeader}
	operators, err := cfg.operatorIDs()
	if err != nil {
		return lineSetup{}, err
	}
	setup := lineSetup{operators: operators, botPrompt: botPrompt}
	setup.portalOA = web.OfficialAccountLink{Name: cfg.OAName, ChannelToken: cfg.OAChannelToken}
	if cfg.OABasicID != "" {
		setup.portalOA.AddFriendURL = "https://line.me/R/ti/p/" + url.PathEscape(cfg.OABasicID)
	}

	if cfg.simulated() {
		sim, demo, err := m.startSimulator(&login)
		if err != nil {
			return setup, err
		}
		// One clock for both, so that what the simulator issues never looks
		// issued in the portal's future once its clock is moved forward.
		setup.now, login.Now, platform.Now, m.DB.Now = sim.Now, sim.Now, sim.Now, sim.Now
		platform.APIBaseURL, platform.ManagerBaseURL = m.SimulatorURL, m.SimulatorURL
		setup.operators = append(setup.operators, demo.Operator.ID)
		setup.portalOA = web.OfficialAccountLink{Name: demo.OfficialAccount.Name, AddFriendURL: m.SimulatorURL + "/sim/", ChannelToken: demo.OAChannelToken}
		if err := m.seedDemo(ctx, demo); err != nil {
			return setup, err
		}
		if err := m.seedModuleDemo(ctx, sim, person(demo.Developer)); err != nil {
			return setup, err
		}
	}
	if setup.portalOA.Name == "" {
		setup.portalOA.Name = "the portal's LINE Official Account"
	}

	setup.managerURL = platform.ManagerBaseURL
	if setup.platform, err = line.NewPlatform(platform); err != nil {
		return setup, err
	}
	if setup.login, err = line.NewLogin(ctx, login); err != nil {
		return setup, fmt.Errorf("connecting to LINE Login: %w", err)
	}
	return setup, nil
}

// startSimulator serves the LINE platform simulator on its own listener (a
// different origin, as LINE is), registers the portal's Login channel with
// a fresh secret and seeds the demo users, then points login at it.
func (m *Main) startSimulator(login *line.LoginConfig) (*linesim.Server, linesim.DemoData, error) {
	addr, err := m.Config.simulatorAddr()
	if err != nil {
		return nil, linesim.DemoData{}, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, linesim.DemoData{}, fmt.Errorf("starting the LINE simulator on %s: %w (set PORTAL_SIMULATOR_ADDR)", addr, err)
	}
	m.SimulatorURL = "http://" + ln.Addr().String()
	sim, err := linesim.New(linesim.Config{BaseURL: m.SimulatorURL, BotIDHeader: m.Config.BotIDHeader, Logger: m.log.With("component", "linesim")})
	if err != nil {
		ln.Close()
		return nil, linesim.DemoData{}, err
	}
	m.closers = append(m.closers, sim.Close)
	login.ChannelID = demoLoginChannelID
	login.ChannelSecret = randomHex(16)
	login.AuthBaseURL, login.APIBaseURL = m.SimulatorURL, m.SimulatorURL
	demo, err := sim.SeedDemo(linesim.LoginChannel{ID: login.ChannelID, Secret: login.ChannelSecret, RedirectURIs: []string{login.RedirectURL}})
	if err != nil {
		ln.Close()
		return nil, linesim.DemoData{}, err
	}
	m.serve(ln, sim.Handler())
	m.log.Info("running on the simulated LINE platform", "simulator", m.SimulatorURL)
	return sim, demo, nil
}

// seedModuleDemo gives the simulator its demo module channel, pointed at
// this portal. The channel's secret and token are made once and kept,
// sealed, in the portal's database; each start hands them to the fresh
// simulator, so stored credentials and webhook signatures stay valid.
func (m *Main) seedModuleDemo(ctx context.Context, sim *linesim.Server, developer demo.Person) error {
	var creds linesim.ModuleDemoCredentials
	channelID, _, err := m.DB.FindWebhookSecret(ctx, m.secrets, linesim.DemoModuleChannelID)
	known := err == nil
	if known {
		stored, err := m.DB.FindModuleCredentials(ctx, m.secrets, channelID)
		if err != nil {
			return err
		}
		creds = linesim.ModuleDemoCredentials{Secret: stored.ChannelSecret, Token: stored.AccessToken}
	} else if portal.ErrorCode(err) != portal.ENOTFOUND {
		return err
	}
	mod, err := sim.SeedModuleDemo(creds, m.URL+"/modules/callback", m.URL+"/webhooks/line/"+linesim.DemoModuleChannelID)
	if err != nil || known {
		return err
	}
	return demo.SeedModule(ctx, m.DB, m.secrets, developer,
		demo.ModuleChannel{LINEChannelID: mod.Channel.ID, Name: mod.Channel.Name, Secret: mod.Channel.Secret, Token: mod.Token})
}

func person(u linesim.User) demo.Person { return demo.Person{LINEUserID: u.ID, Name: u.Name} }

// seedDemo gives the simulator's demo users their roles in the portal, on
// a database that has no demo data yet.
func (m *Main) seedDemo(ctx context.Context, d linesim.DemoData) error {
	seeded, err := demo.Seed(ctx, m.DB, demo.People{
		Developer: person(d.Developer),
		OrgAdmin:  person(d.OrganizationAdministrator),
		Both:      person(d.DeveloperAndAdministrator),
		Operator:  person(d.Operator),
	})
	if seeded {
		m.log.Info("demo data added: sign in as any simulated user; see README, \"Demo walkthrough\"")
	}
	return err
}

// randomHex returns n random bytes in hex, the shape of a LINE channel
// secret.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
