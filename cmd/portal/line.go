package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/simulated"
	"lineportal/web"
)

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
// the built-in simulator, which it then starts with the demo data
// (internal/simulated).
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
	setup.portalOA = web.OfficialAccountLink{Name: cfg.OAName, ChannelToken: cfg.OAChannelToken, ChannelSecret: cfg.OAChannelSecret}
	if cfg.OABasicID != "" {
		setup.portalOA.AddFriendURL = "https://line.me/R/ti/p/" + url.PathEscape(cfg.OABasicID)
	}

	if cfg.simulated() {
		ln, err := m.simulatorListener()
		if err != nil {
			return setup, err
		}
		withDemo := cfg.Demo == "on"
		sim, err := simulated.Start(ctx, m.DB, m.secrets, simulated.Options{
			SimulatorURL: m.SimulatorURL, Serve: func(h http.Handler) { m.serve(ln, h) },
			PortalURL: m.URL, BotPrompt: botPrompt, BotIDHeader: cfg.BotIDHeader,
			Logger: m.log.With("component", "linesim"), SimulatorClock: true,
			NoDemo: !withDemo, Module: withDemo, OfficialAccount: withDemo,
		})
		if err != nil {
			return setup, err
		}
		m.closers = append(m.closers, sim.Simulator.Close)
		m.log.Info("running on the simulated LINE platform", "simulator", m.SimulatorURL)
		if sim.Seeded {
			m.log.Info("demo data added: sign in as any simulated user; see README, \"Demo walkthrough\"")
		}
		setup.now, setup.login, setup.platform = sim.Now, sim.Login, sim.LINE
		setup.managerURL = m.SimulatorURL
		// The simulator's operator plays LINE's reviewers, demo or not: a
		// MINI App is verified only through their review.
		setup.operators = append(setup.operators, sim.Users.Operator.ID)
		setup.portalOA = web.OfficialAccountLink{Name: sim.Users.OfficialAccount.Name, AddFriendURL: m.SimulatorURL + "/sim/", ChannelToken: sim.Users.OAChannelToken, ChannelSecret: sim.OAChannelSecret}
		return setup, nil
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
	// Served with real LINE once, the database is never served simulated.
	if err := m.DB.MarkServedByLINE(ctx); err != nil {
		return setup, err
	}
	return setup, nil
}

// simulatorListener opens the simulator's own listener (a different
// origin, as LINE is) and sets m.SimulatorURL.
func (m *Main) simulatorListener() (net.Listener, error) {
	addr, err := m.Config.simulatorAddr()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("starting the LINE simulator on %s: %w (set PORTAL_SIMULATOR_ADDR)", addr, err)
	}
	m.SimulatorURL = "http://" + ln.Addr().String()
	return ln, nil
}
