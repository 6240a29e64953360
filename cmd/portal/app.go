package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/linenotice"
	"lineportal/internal/metrics"
	"lineportal/internal/secret"
	"lineportal/store"
	"lineportal/web"
)

// Main is a running portal. `portal serve` starts one, and so do the
// end-to-end tests, on 127.0.0.1:0 with a temporary database.
type Main struct {
	Config Config
	Stderr io.Writer

	// Set by Start.
	DB           *store.DB
	URL          string // the portal's base URL
	SimulatorURL string // the simulator's base URL, when simulated
	PprofURL     string // the diagnostics listener's base URL, when on
	MetricsURL   string // the metrics listener's base URL, when on

	log     *slog.Logger
	secrets *secret.Box
	web     *web.Server
	servers []*http.Server
	// closers stop what runs beside the servers (the simulator's webhook
	// deliveries), after the servers have stopped.
	closers []func() error
	stop    context.CancelFunc
	// jobs are the background jobs' goroutines, which Close waits for.
	jobs sync.WaitGroup
}

// Start opens the database and starts serving; it returns once the
// listeners are open.
func (m *Main) Start(ctx context.Context) error {
	if m.Stderr == nil {
		m.Stderr = os.Stderr
	}
	level, err := parseLevel(m.Config.LogLevel)
	if err != nil {
		return err
	}
	m.log = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level}))

	keys, err := m.Config.loadKeys(m.log)
	if err != nil {
		return err
	}
	if m.secrets, err = secret.New(keys.secret); err != nil {
		return err
	}
	db, err := openStore(ctx, m.Config.DB)
	if err != nil {
		return err
	}
	m.DB = db
	if v, err := db.Version(ctx); err == nil {
		m.log.Info("database open", "database", store.Redacted(m.Config.DB), "engine", v)
	}

	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		db.Close()
		return fmt.Errorf("listening on %s: %w", m.Config.Addr, err)
	}
	m.URL = m.Config.BaseURL
	if m.URL == "" {
		m.URL = "http://" + ln.Addr().String()
	}
	baseURL, _ := url.Parse(m.URL) // validated with the configuration

	setup, err := m.connectLINE(ctx)
	if err != nil {
		ln.Close()
		m.Close()
		return err
	}
	limits := store.SessionLimits{Idle: m.Config.SessionIdle, Absolute: m.Config.SessionAbsolute}
	var mt *metrics.Metrics
	var observer web.Observer // nil unless metrics are on: no cost per request
	if m.Config.MetricsAddr != "" {
		mt = metrics.New(db)
		observer = mt
	}
	proxies, _ := m.Config.trustedProxies() // validated with the configuration
	srv, err := web.New(web.Config{
		BaseURL:             baseURL,
		SessionKeys:         keys.session,
		SessionLimits:       limits,
		SimulatorURL:        m.simulatorControlURL(),
		Login:               setup.login,
		LINE:                setup.platform,
		Secrets:             m.secrets,
		FormRedirectOrigins: []string{setup.managerURL},
		Operators:           setup.operators,
		BotPrompt:           setup.botPrompt,
		PortalOA:            setup.portalOA,
		Now:                 setup.now,
		ClientLimit:         m.Config.ClientLimit,
		TrustedProxies:      proxies,
		Observer:            observer,
	}, db, m.log)
	if err != nil {
		ln.Close()
		m.Close()
		return err
	}
	m.web = srv
	m.serve(ln, srv)
	if mt != nil {
		if err := m.startMetrics(mt); err != nil {
			m.Close()
			return err
		}
	}
	if m.Config.Pprof != "" {
		if err := m.startDiagnostics(); err != nil {
			m.Close()
			return err
		}
	}

	jobsCtx, stop := context.WithCancel(context.Background())
	m.stop = stop
	holder := rand.Text() // this instance, for the background jobs' leases
	m.jobs.Go(func() { m.sweepSessions(jobsCtx, limits, holder) })
	sender := &linenotice.Sender{DB: db, LINE: setup.platform, Token: setup.portalOA.ChannelToken, BaseURL: baseURL,
		Holder: holder, LeaseFor: lineSenderLease, Log: m.log}
	m.jobs.Go(func() { m.sendLINENotices(jobsCtx, sender) })
	return nil
}

// How long a turn of the background LINE sender keeps its lease (a turn
// pushing a few messages takes seconds; LINE's answers time out after
// ten), and how often it looks for notices due (a variable: the
// end-to-end test shortens it).
const lineSenderLease = 2 * time.Minute

var lineSenderEvery = 20 * time.Second

// sendLINENotices pushes the notices due as LINE messages every
// lineSenderEvery; one instance at a time does, under a lease in the
// database.
func (m *Main) sendLINENotices(ctx context.Context, sender *linenotice.Sender) {
	if sender.Token == "" {
		return
	}
	tick := time.NewTicker(lineSenderEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := sender.Turn(ctx); err != nil && ctx.Err() == nil {
				m.log.Error("sending notifications by LINE", "line_request_id", line.RequestID(err), "error", err)
			}
		}
	}
}

func (m *Main) simulatorControlURL() string {
	if m.SimulatorURL == "" {
		return ""
	}
	return m.SimulatorURL + "/sim/"
}

// serve serves h on ln with timeouts, in the background.
func (m *Main) serve(ln net.Listener, h http.Handler) {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: web.ReadHeaderTimeout,
		ReadTimeout:       web.ReadTimeout,
		WriteTimeout:      web.WriteTimeout,
		IdleTimeout:       web.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
	}
	m.servers = append(m.servers, hs)
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("server stopped", "error", err)
		}
	}()
}

// sweepSessions deletes expired sessions now and then, so the table holds
// only live ones; and every minute it runs the timed notices (link request
// URLs that expire within a day), which one instance at a time runs under
// a lease in the database.
func (m *Main) sweepSessions(ctx context.Context, limits store.SessionLimits, holder string) {
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	notices := time.NewTicker(time.Minute)
	defer notices.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := m.DB.DeleteExpiredSessions(ctx, limits); err != nil && ctx.Err() == nil {
				m.log.Error("deleting expired sessions", "error", err)
			}
		case <-notices.C:
			if _, _, err := m.DB.NoticeExpiringURLs(ctx, holder, 2*time.Minute); err != nil && ctx.Err() == nil {
				m.log.Error("noticing expiring link request URLs", "error", err)
			}
		}
	}
}

// Close stops serving: it drains (GET /readyz answers 503) for the
// configured delay, then closes the listeners and lets requests in flight
// finish for up to ten seconds, then closes the database.
func (m *Main) Close() error {
	if m.web != nil {
		m.web.Drain()
		if m.Config.DrainDelay > 0 {
			m.log.Info("draining", "delay", m.Config.DrainDelay)
			time.Sleep(m.Config.DrainDelay)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, hs := range m.servers {
		errs = append(errs, hs.Shutdown(ctx))
	}
	for _, c := range m.closers {
		errs = append(errs, c())
	}
	if m.stop != nil {
		m.stop()
		m.jobs.Wait()
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}

func openStore(ctx context.Context, path string) (*store.DB, error) {
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	return db, nil
}
