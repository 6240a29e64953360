package linesim

import (
	"bytes"
	"cmp"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/go-jose/go-jose/v4"
)

// Config configures a simulator.
type Config struct {
	// BaseURL is the simulator's own public base URL, for example
	// "http://127.0.0.1:8081". It is the ID token issuer and the host of every
	// endpoint: access.line.me, api.line.me and manager.line.biz all map to it.
	BaseURL string
	// Now is the clock; nil means time.Now. The control surface can move
	// the simulator's time forward from it (Server.Now).
	Now func() time.Time
	// Logger receives request and event logs; nil discards them.
	Logger *slog.Logger
	// BotIDHeader names the request header in which a module channel says
	// which bot it acts for. LINE discloses the real name only to LINE
	// Marketplace partners, so it is configurable; "" means DefaultBotIDHeader.
	BotIDHeader string
	// WebhookClient delivers webhooks; nil means a client with a 10-second
	// timeout.
	WebhookClient *http.Client
	// PortalURL is the base URL of the portal this simulator serves, if
	// any: the control page's form for a new module channel offers the
	// portal's redirect URI and webhook receiver.
	PortalURL string
}

// DefaultBotIDHeader is the bot-user-ID header name used when the
// configuration names none.
const DefaultBotIDHeader = "X-Line-Bot-Id"

// Server is a simulated LINE platform. Its methods are safe for concurrent use.
type Server struct {
	baseURL    string
	clock      clock
	now        func() time.Time // clock.now
	log        *slog.Logger
	signingKey jose.JSONWebKey // ES256 key for ID tokens requested with id_token_key_type=JWK
	botHeader  string
	portalURL  string // Config.PortalURL
	state      state
	handler    http.Handler
	webhooks   webhookWorker
}

// requestIDHeader is set on every response, as LINE does.
const requestIDHeader = "x-line-request-id"

// maxBodyBytes is LINE's documented request size limit (413 above it).
const maxBodyBytes = 2 << 20

// New returns a simulator with an empty state and a freshly generated ES256
// (P-256) signing key, published in the JWKS under a key ID. It starts the
// goroutine that delivers webhooks; Close stops it.
func New(cfg Config) (*Server, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("linesim: generate signing key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: key, Algorithm: string(jose.ES256), Use: "sig"}
	thumbprint, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("linesim: signing key thumbprint: %w", err)
	}
	jwk.KeyID = hex.EncodeToString(thumbprint)

	s := &Server{
		baseURL:    base,
		log:        cfg.Logger,
		signingKey: jwk,
		botHeader:  cmp.Or(cfg.BotIDHeader, DefaultBotIDHeader),
		portalURL:  strings.TrimSuffix(cfg.PortalURL, "/"),
	}
	s.clock.base = cfg.Now
	if s.clock.base == nil {
		s.clock.base = time.Now
	}
	s.now = s.clock.now
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.state = newState(s.now)
	s.handler = s.routes()
	s.startWebhooks(cfg.WebhookClient)
	return s, nil
}

func parseBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("linesim: base URL %q must be an absolute http or https URL without query or fragment", raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// Handler serves every simulated endpoint.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// Browser pages post forms; cross-site posts to them are refused. The API
	// endpoints are called server to server and need no such guard.
	forms := http.NewCrossOriginProtection()

	// LINE Login v2.1 (access.line.me)
	mux.HandleFunc("GET /.well-known/openid-configuration", s.handleDiscovery)
	mux.HandleFunc("GET /oauth2/v2.1/authorize", s.handleAuthorize)
	mux.Handle("POST "+pathPickUser, forms.Handler(http.HandlerFunc(s.handlePickUser)))
	mux.HandleFunc("GET "+pathConsent, s.handleConsentPage)
	mux.Handle("POST "+pathConsent, forms.Handler(http.HandlerFunc(s.handleConsent)))
	mux.HandleFunc("GET "+pathAddFriend, s.handleAddFriendPage)
	mux.Handle("POST "+pathAddFriend, forms.Handler(http.HandlerFunc(s.handleAddFriend)))

	// LINE Login v2.1 and Social API (api.line.me)
	mux.HandleFunc("POST /oauth2/v2.1/token", s.handleToken)
	mux.HandleFunc("GET /oauth2/v2.1/certs", s.handleCerts)
	mux.HandleFunc("GET /oauth2/v2.1/verify", s.handleVerifyAccessToken)
	mux.HandleFunc("POST /oauth2/v2.1/verify", s.handleVerifyIDToken)
	mux.HandleFunc("POST /oauth2/v2.1/revoke", s.handleRevoke)
	mux.HandleFunc("GET /oauth2/v2.1/userinfo", s.handleUserinfo)
	mux.HandleFunc("POST /oauth2/v2.1/userinfo", s.handleUserinfo)
	mux.HandleFunc("GET /v2/profile", s.handleProfile)
	mux.HandleFunc("GET /friendship/v1/status", s.handleFriendshipStatus)
	mux.HandleFunc("POST /user/v1/deauthorize", s.handleDeauthorize)

	// Module attachment (manager.line.biz)
	mux.HandleFunc("GET /module/auth/v1/authorize", s.handleModuleAuthorize)
	mux.Handle("POST "+pathModuleConsent, forms.Handler(http.HandlerFunc(s.handleModuleConsent)))
	mux.HandleFunc("POST /module/auth/v1/token", s.handleModuleToken)

	// Channel access tokens, module channel, Messaging API and shop (api.line.me)
	mux.HandleFunc("POST /oauth2/v3/token", s.handleStatelessToken)
	mux.HandleFunc("GET /v2/bot/list", s.handleBotList)
	mux.HandleFunc("POST /v2/bot/channel/detach", s.handleDetach)
	mux.HandleFunc("POST /v2/bot/chat/{chatId}/control/acquire", s.handleAcquireChatControl)
	mux.HandleFunc("POST /v2/bot/chat/{chatId}/control/release", s.handleReleaseChatControl)
	mux.HandleFunc("POST /v2/bot/message/markAsRead", s.handleMarkAsRead)
	mux.HandleFunc("POST /v2/bot/message/push", s.handlePush)
	mux.HandleFunc("GET /v2/bot/message/quota", s.handleQuota)
	mux.HandleFunc("GET /v2/bot/message/quota/consumption", s.handleQuotaConsumption)
	mux.HandleFunc("GET /v2/bot/insight/followers", s.handleFollowers)
	mux.HandleFunc("GET /v2/bot/channel/webhook/endpoint", s.handleGetWebhookEndpoint)
	mux.HandleFunc("PUT /v2/bot/channel/webhook/endpoint", s.handleSetWebhookEndpoint)
	mux.HandleFunc("POST /v2/bot/channel/webhook/test", s.handleTestWebhookEndpoint)
	mux.HandleFunc("POST /shop/v3/mission", s.handleMissionSticker)

	// Simulator only
	// Browsers ask every origin for a favicon; "no content" keeps a 404 out
	// of the console of whoever tests against the simulator.
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /sim/avatar/{userID}", s.handleAvatar)
	mux.HandleFunc("GET /sim/avatar/{userID}/{size}", s.handleAvatar)
	mux.HandleFunc("GET /sim/{$}", s.handleControlPage)
	mux.Handle("POST /sim/users", forms.Handler(http.HandlerFunc(s.handleControlCreateUser)))
	mux.Handle("POST /sim/friendships", forms.Handler(http.HandlerFunc(s.handleControlSetFriendship)))
	mux.HandleFunc("GET /sim/api/users", s.handleAPIListUsers)
	mux.Handle("POST /sim/api/users", forms.Handler(http.HandlerFunc(s.handleAPICreateUser)))
	mux.HandleFunc("GET /sim/api/friendships", s.handleAPIGetFriendship)
	mux.Handle("PUT /sim/api/friendships", forms.Handler(http.HandlerFunc(s.handleAPISetFriendship)))
	mux.Handle("POST /sim/bots/{botID}/{action}", forms.Handler(http.HandlerFunc(s.handleControlBotAction)))
	mux.Handle("POST /sim/deliveries/{id}/redeliver", forms.Handler(http.HandlerFunc(s.handleControlRedeliver)))
	mux.HandleFunc("GET /sim/api/modules", s.handleAPIListModules)
	mux.Handle("POST /sim/api/modules", forms.Handler(http.HandlerFunc(s.handleAPICreateModule)))
	mux.Handle("POST /sim/api/modules/{id}/attachments", forms.Handler(http.HandlerFunc(s.handleAPIAttachModule)))
	mux.HandleFunc("GET /sim/api/bots", s.handleAPIListBots)
	mux.Handle("POST /sim/api/bots/{botID}/{action}", forms.Handler(http.HandlerFunc(s.handleAPIBotAction)))
	mux.HandleFunc("GET /sim/api/deliveries", s.handleAPIListDeliveries)
	mux.Handle("POST /sim/api/deliveries/{id}/redeliver", forms.Handler(http.HandlerFunc(s.handleAPIRedeliver)))
	mux.HandleFunc("GET /sim/api/pushes", s.handleAPIListPushes)
	mux.HandleFunc("GET /sim/api/mission-stickers", s.handleAPIMissionStickers)
	mux.Handle("POST /sim/clock", forms.Handler(http.HandlerFunc(s.handleControlAdvanceClock)))
	mux.HandleFunc("GET /sim/api/clock", s.handleAPIClock)
	mux.Handle("POST /sim/api/clock", forms.Handler(http.HandlerFunc(s.handleAPIAdvanceClock)))
	mux.Handle("POST /sim/accounts", forms.Handler(http.HandlerFunc(s.handleControlCreateBot)))
	mux.Handle("POST /sim/modules", forms.Handler(http.HandlerFunc(s.handleControlCreateModule)))
	mux.Handle("POST /sim/api/bots", forms.Handler(http.HandlerFunc(s.handleAPICreateBot)))
	mux.Handle("POST /sim/modules/{id}/bots", forms.Handler(http.HandlerFunc(s.handleControlAttachNewBots)))
	mux.Handle("POST /sim/api/modules/{id}/bots", forms.Handler(http.HandlerFunc(s.handleAPIAttachNewBots)))
	mux.Handle("POST /sim/primary-webhooks", forms.Handler(http.HandlerFunc(s.handleControlSetPrimaryWebhook)))
	mux.Handle("PUT /sim/api/bots/{botID}/webhook", forms.Handler(http.HandlerFunc(s.handleAPISetPrimaryWebhook)))
	mux.Handle("POST /sim/quotas", forms.Handler(http.HandlerFunc(s.handleControlSetQuota)))
	mux.Handle("PUT /sim/api/bots/{botID}/quota", forms.Handler(http.HandlerFunc(s.handleAPISetQuota)))
	mux.Handle("POST /sim/followers", forms.Handler(http.HandlerFunc(s.handleControlSetFollowers)))
	mux.Handle("PUT /sim/api/bots/{botID}/followers", forms.Handler(http.HandlerFunc(s.handleAPISetFollowers)))
	mux.Handle("POST /sim/messages", forms.Handler(http.HandlerFunc(s.handleControlSendText)))
	mux.Handle("POST /sim/api/messages", forms.Handler(http.HandlerFunc(s.handleAPISendText)))
	mux.Handle("POST /sim/login-channels/{id}/email-permission", forms.Handler(http.HandlerFunc(s.handleControlSetEmailPermission)))
	mux.Handle("PUT /sim/api/login-channels/{id}/email-permission", forms.Handler(http.HandlerFunc(s.handleAPISetEmailPermission)))
	mux.Handle("POST /sim/consents/revoke", forms.Handler(http.HandlerFunc(s.handleControlRevokeConsent)))
	mux.Handle("POST /sim/api/consents/revoke", forms.Handler(http.HandlerFunc(s.handleAPIRevokeConsent)))

	return s.observe(limitBody(mux))
}

// observe gives every response an x-line-request-id and logs the request.
// Only the path is logged: query strings carry codes and tokens.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := randomHex(16)
		w.Header().Set(requestIDHeader, id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "linesim request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.String("request_id", id),
			slog.Duration("duration", time.Since(start)),
		)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// parseFormStatus parses a form body and reports the status to answer when it
// cannot be read: 413 above LINE's size limit, 400 otherwise.
func parseFormStatus(r *http.Request) (int, bool) {
	if err := r.ParseForm(); err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return http.StatusRequestEntityTooLarge, false
		}
		return http.StatusBadRequest, false
	}
	return http.StatusOK, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Every value passed here is a plain struct or map of strings,
		// numbers and booleans.
		panic(fmt.Sprintf("linesim: encode JSON response: %v", err))
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeOAuthError answers with the RFC 6749 error shape LINE uses on the
// token, verify and revoke endpoints.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// writeMessage answers with the {"message": ...} shape of LINE's REST APIs.
func writeMessage(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"message": message})
}

// renderHTML renders a page into a buffer first, so that a failed render
// never sends half a page.
func (s *Server) renderHTML(w http.ResponseWriter, r *http.Request, status int, page templ.Component) {
	s.writeHTML(w, r, status, page, "")
}

// writeHTML is renderHTML with extra Content-Security-Policy directives
// (each ending in "; ") for a page that needs them.
func (s *Server) writeHTML(w http.ResponseWriter, r *http.Request, status int, page templ.Component, extraCSP string) {
	var buf bytes.Buffer
	if err := page.Render(r.Context(), &buf); err != nil {
		s.log.ErrorContext(r.Context(), "linesim: render page",
			slog.Any("error", err), slog.String("request_id", w.Header().Get(requestIDHeader)))
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	// No form-action: the consent forms end in a redirect to the client.
	h.Set("Content-Security-Policy", extraCSP+"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "+s.baseURL+"; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = io.Copy(w, &buf)
}

func randomHex(nBytes int) string {
	b := make([]byte, nBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// newOpaqueToken returns an unguessable token (130 random bits) for codes,
// access tokens, refresh tokens and pending-authorization IDs.
func newOpaqueToken() string { return rand.Text() }
