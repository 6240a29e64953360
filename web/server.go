// Package web is the portal's HTTP side: the route table, middleware,
// sessions and thin handlers that parse a request, call the store and render
// a view.
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync/atomic"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/locale"
	"lineportal/internal/portal"
	"lineportal/internal/secret"
	"lineportal/store"
)

// Config is what the web layer needs to know about its deployment.
type Config struct {
	// BaseURL is the portal's public address; https turns on Secure cookies,
	// the __Host- cookie prefix and HSTS.
	BaseURL *url.URL
	// SessionKeys sign the session cookie, newest first; older keys still
	// verify cookies, so keys can be rotated without signing everyone out.
	SessionKeys   [][]byte
	SessionLimits store.SessionLimits
	// SimulatorURL is the simulator's control page when LINE is simulated;
	// empty against real LINE.
	SimulatorURL string
	// Login signs admins in with the portal's LINE Login channel.
	Login *line.Login
	// LINE calls LINE's APIs (Messaging API, modules, shop).
	LINE *line.Platform
	// Secrets seals and opens what the portal keeps but must not keep in
	// clear: channel secrets and access tokens in the database, and the
	// sealed cookies (a sign-in in progress). (Tests remove it to see
	// webhooks answer 503.)
	Secrets *secret.Box
	// BotPrompt is the portal's own sign-in bot_prompt ("" when off), shown
	// as an example on LINE Login channels' Linked OA setting.
	BotPrompt string
	// Operators are the LINE user IDs of the admins who run LINE's reviews.
	Operators []string
	// PortalOA is the portal's own LINE Official Account, offered at
	// sign-in (bot_prompt) and on the profile page.
	PortalOA OfficialAccountLink
	// FormRedirectOrigins are the other origins a form's POST may redirect
	// the browser to: LINE's module authorization host. Browsers apply the
	// CSP's form-action to those redirects too.
	FormRedirectOrigins []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ClientLimit caps the requests of each client that is not signed in
	// (client_limit.go); the zero value sets none.
	ClientLimit ClientLimit
	// TrustedProxies are the load balancers and proxies whose
	// X-Forwarded-For header names the client they forward.
	TrustedProxies []netip.Prefix
	// Observer, when set, is told about every request and webhook batch
	// (the Prometheus metrics).
	Observer Observer
}

// Observer counts what the server does. It is given route patterns,
// statuses and counts, never paths or anything a user sent.
type Observer interface {
	// Request is one request served by a route pattern ("(none)" when no
	// route matched), with its status and how long it took.
	Request(route string, status int, elapsed time.Duration)
	// WebhookEvents is one webhook batch whose events were parsed: how
	// many were stored, were duplicates, or were refused (the batch was
	// invalid or could not be stored). A request refused before its events
	// are read counts only as a request.
	WebhookEvents(stored, duplicates, refused int)
}

// OfficialAccountLink names an Official Account and where to add it as a
// friend.
type OfficialAccountLink struct {
	Name         string
	AddFriendURL string
	// ChannelToken is the access token of the account's Messaging API
	// channel, to push messages from it; empty when not configured.
	ChannelToken string
	// ChannelSecret is that channel's secret, which signs its webhooks
	// (handlePortalOAWebhook); empty when not configured.
	ChannelSecret string
}

// Server serves the portal.
type Server struct {
	cfg      Config
	db       *store.DB
	log      *slog.Logger
	sessions *sessionStore
	// loginFlowCookie carries a LINE Login in progress (loginFlow).
	loginFlowCookie sealedCookie
	// revealCookie carries a secret to the one page that shows it
	// (redirectRevealing).
	revealCookie sealedCookie
	// flashes carries a redirect's messages to the next page (flash.go).
	flashes sealedCookie
	// invitationsCookie keeps the tokens of the invitations a signed-in
	// admin opened, for Home (rememberInvitation).
	invitationsCookie sealedCookie
	// clients counts signed-out requests by client address; nil when
	// there is no limit.
	clients *clientLimiter
	// largeWebhookBodies holds a place for each webhook body over
	// smallWebhookBody being read (webhook.go).
	largeWebhookBodies chan struct{}
	mux                *http.ServeMux
	handler            http.Handler
	draining           atomic.Bool // Drain was called: /readyz answers 503
	// fixedLocale, when set, is every request's locale whoever asks: the
	// tests render every page in the pseudo-language with it.
	fixedLocale *locale.Locale
	// visitorLocales are the locales of readers not signed in, by
	// language, made once: they are the same for everyone.
	visitorLocales map[string]*locale.Locale
	visitorHomes   visitorHomes
	languages      languageMatches
}

// New builds the server and its route table.
func New(cfg Config, db *store.DB, log *slog.Logger) (*Server, error) {
	if cfg.BaseURL == nil {
		return nil, errors.New("web: no base URL")
	}
	if len(cfg.SessionKeys) == 0 {
		return nil, errors.New("web: no session key")
	}
	if cfg.SessionLimits.Idle <= 0 || cfg.SessionLimits.Absolute <= 0 {
		return nil, errors.New("web: session limits must be positive")
	}
	if cfg.Login == nil {
		return nil, errors.New("web: no LINE Login client")
	}
	if cfg.Secrets == nil {
		return nil, errors.New("web: no key for secrets at rest")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, db: db, log: log, visitorLocales: map[string]*locale.Locale{}}
	for _, lang := range locale.Languages {
		s.visitorLocales[lang.String()] = locale.New(lang.String(), "")
	}
	s.visitorHomes.nonceMark = string(appendNonce(nil))
	s.sessions = newSessionStore(db, log, cfg.SessionKeys, cfg.SessionLimits, s.cookieName("portal_session"), s.https())
	s.loginFlowCookie = sealedCookie{name: s.cookieName("portal_login"), ttl: loginFlowTTL}
	s.revealCookie = sealedCookie{name: s.cookieName("portal_reveal"), ttl: revealTTL}
	s.flashes = sealedCookie{name: s.cookieName("portal_flash"), ttl: flashMaxAge}
	s.invitationsCookie = sealedCookie{name: s.cookieName("portal_invitations"), ttl: portal.InvitationValidity}
	if cfg.ClientLimit.Burst > 0 && cfg.ClientLimit.Per > 0 {
		s.clients = newClientLimiter(cfg.ClientLimit, cfg.TrustedProxies)
	}
	s.largeWebhookBodies = make(chan struct{}, maxLargeWebhookBodies)
	s.mux = http.NewServeMux()
	s.routes()
	s.handler = s.middleware(s.mux)
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) now() time.Time { return s.cfg.Now() }

func (s *Server) https() bool { return s.cfg.BaseURL.Scheme == "https" }

// Timeouts for the http.Server that serves this handler: long enough for a
// slow phone network, short enough that idle or stalled clients can't pile
// up connections.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 2 * time.Minute
)
