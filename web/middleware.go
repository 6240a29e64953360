package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"lineportal/internal/locale"
)

// middleware wraps the route table. Outermost first: the request's ID,
// security headers and language (withRequest), access log, panic
// recovery, cross-origin protection.
func (s *Server) middleware(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.handleCrossOriginDenied))
	h = cop.Handler(recordRoute(s.readForms(h)))
	h = s.recoverPanic(h)
	h = s.logRequests(h)
	return s.withRequest(h)
}

// requestInfo is what the middleware keeps about a request for the
// layers inside it, in one context value.
type requestInfo struct {
	// id is shown to users on error pages and written to every log line,
	// so a support question can be matched to the log. It needs to be
	// unique, not secret.
	id string
	// route is the route pattern that served the request, once the route
	// table has run (recordRoute), for the access log and the metrics.
	route string
	// nonce is the response's CSP nonce, which render gives the page's
	// scripts.
	nonce string
	// The values of the response's per-request headers: allocated with
	// the rest, not one slice each.
	idHeader, cspHeader [1]string
}

type requestInfoKey struct{}

// infoOf is the request's requestInfo; nil outside withRequest.
func infoOf(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// requestID returns the ID given to the request, for logs and error pages.
func requestID(ctx context.Context) string {
	if info := infoOf(ctx); info != nil {
		return info.id
	}
	return ""
}

// withRequest starts every request: it gives it an ID, sets the security
// headers with a fresh CSP nonce, and gives it the language its reader
// asked for (visitorLocale). They go in one new context, so the request is
// copied once (r.WithContext copies it whole), not once each.
func (s *Server) withRequest(next http.Handler) http.Handler {
	headers := s.securityHeaders()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := &requestInfo{id: newRequestID()}
		var nonce [nonceLen]byte
		appendNonce(nonce[:0])
		csp := headers.cspBeforeNonce + string(nonce[:]) + headers.cspAfterNonce
		info.nonce = csp[len(headers.cspBeforeNonce):][:nonceLen]
		h := w.Header()
		for _, hv := range headers.constant {
			h[hv.name] = hv.values // never changed in place: Set replaces the slice
		}
		info.idHeader[0] = info.id
		h["X-Request-Id"] = info.idHeader[:]
		info.cspHeader[0] = csp
		h["Content-Security-Policy"] = info.cspHeader[:]

		ctx := context.WithValue(r.Context(), requestInfoKey{}, info)
		ctx = locale.With(ctx, s.visitorLocale(r))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// nonceOf is the request's CSP nonce.
func nonceOf(ctx context.Context) string {
	if info := infoOf(ctx); info != nil {
		return info.nonce
	}
	return ""
}

// newRequestID is 16 hex digits of a fast, non-cryptographic random
// number: unique enough among the requests one log holds.
func newRequestID() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], mrand.Uint64())
	return hex.EncodeToString(b[:])
}

// appendNonce appends a CSP nonce to dst: 128 bits from the system's
// cryptographic generator, which an attacker can't predict from any
// nonce seen before, in nonceLen characters of base64.
func appendNonce(dst []byte) []byte {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawStdEncoding.AppendEncode(dst, b[:])
}

// nonceLen is the length of a nonce (appendNonce).
const nonceLen = 22

// statusWriter records what a handler wrote, for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (sw *statusWriter) WriteHeader(code int) {
	if sw.status == 0 {
		sw.status = code
	}
	sw.ResponseWriter.WriteHeader(code)
}

func (sw *statusWriter) Write(p []byte) (int, error) {
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	n, err := sw.ResponseWriter.Write(p)
	sw.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (sw *statusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// logRequests writes one line per request and tells the observer (the
// metrics) about it. It logs the route pattern, not the path or query:
// paths carry link-request tokens and queries carry authorization codes,
// and neither may reach a log or a metric.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logged := s.log.Enabled(r.Context(), slog.LevelInfo)
		if !logged && s.cfg.Observer == nil {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := "(none)"
		if info := infoOf(r.Context()); info != nil && info.route != "" {
			route = info.route
		}
		if sw.status == 0 {
			sw.status = http.StatusOK // a handler that wrote nothing
		}
		if s.cfg.Observer != nil {
			s.cfg.Observer.Request(route, sw.status, time.Since(start))
		}
		if !logged {
			return
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", requestID(r.Context())),
			// Who sent it, to trace a flood of 429s to its source.
			slog.String("client", clientIP(r, s.cfg.TrustedProxies).String()),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", sw.status),
			slog.Int("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)),
		)
	})
}

// maxFormBody caps what a page's form may send. The portal's forms are
// short; without a cap Go reads up to 10 MB of form, and the audit log
// would keep it. Webhooks set their own, larger cap.
const maxFormBody = 64 << 10

// readForms reads a posted form once, under maxFormBody, before any handler
// runs. r.PostFormValue would swallow a read error and hand the handler an
// empty form, which it would then save; reading here turns a body that is
// too large or unreadable into a refusal that no handler sees, whatever
// the client does with the answer. Webhooks read their raw, signed body
// themselves.
func (s *Server) readForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || strings.HasPrefix(r.URL.Path, "/webhooks/") {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		var err error
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			err = r.ParseMultipartForm(maxFormBody) // within the cap, nothing spills to disk
		} else {
			err = r.ParseForm()
		}
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			s.renderError(w, r, http.StatusRequestEntityTooLarge, tr(r.Context(), "error.form_too_large"))
			return
		}
		if err != nil {
			s.renderError(w, r, http.StatusBadRequest, tr(r.Context(), "error.form_unreadable"))
			return
		}
		if field, ok := cleanForm(r); !ok {
			s.renderError(w, r, http.StatusUnprocessableEntity, tr(r.Context(), "error.form_control_character", "Field", field))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cleanForm trims what people typed, every value of the form (and the
// query), and reports the first field holding a control character (NUL, a
// line break…) or bytes that aren't UTF-8: no field of the portal takes
// them, and stored they would corrupt pages and exports. A tab is a space:
// a one-line field keeps the tab of a name pasted from a spreadsheet (a
// browser drops only line breaks), and refusing it lost the whole form.
func cleanForm(r *http.Request) (field string, ok bool) {
	for _, form := range []url.Values{r.Form, r.PostForm} {
		for name, values := range form {
			for i, v := range values {
				v = strings.TrimSpace(strings.ReplaceAll(v, "\t", " "))
				if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
					return name, false
				}
				values[i] = v
			}
		}
	}
	return "", true
}

// recordRoute tells the access log which route pattern served the
// request. ServeMux sets the pattern on the request it is given, a copy
// deeper than the logger's.
func recordRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if info := infoOf(r.Context()); info != nil {
			info.route = r.Pattern
		}
	})
}

// securityHeaders are the headers every response carries (withRequest
// sets them). The CSP allows scripts only from this origin and with this
// response's nonce, so an injected inline script does not run.
type securityHeaders struct {
	// constant are the same on every response, each value built once.
	constant []headerValues
	// The CSP is cspBeforeNonce, the response's nonce, cspAfterNonce.
	cspBeforeNonce, cspAfterNonce string
}

// headerValues is one header, its name in canonical form.
type headerValues struct {
	name   string
	values []string
}

func (s *Server) securityHeaders() securityHeaders {
	// Images may come from LINE's CDN (profile pictures, https) and, when
	// simulated, from the simulator's origin.
	imgSrc := "'self' data: https:"
	if o := origin(s.cfg.SimulatorURL); o != "" {
		imgSrc += " " + o
	}
	formAction := "'self'"
	for _, o := range s.cfg.FormRedirectOrigins {
		if o := origin(o); o != "" {
			formAction += " " + o
		}
	}
	sh := securityHeaders{
		cspBeforeNonce: "default-src 'self'; script-src 'self' 'nonce-",
		cspAfterNonce: "'; style-src 'self'; img-src " + imgSrc +
			"; connect-src 'self'; form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
		constant: []headerValues{
			{"X-Content-Type-Options", []string{"nosniff"}},
			{"X-Frame-Options", []string{"DENY"}},
			// no-referrer: approval URLs carry a token that must not leak
			// to other sites through the Referer header.
			{"Referrer-Policy", []string{"no-referrer"}},
			{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
			{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=()"}},
			// Pages show private data; nothing may be kept by shared
			// caches or the back/forward cache after sign-out. Static
			// assets override it.
			{"Cache-Control", []string{"no-store"}},
		},
	}
	if s.https() {
		sh.constant = append(sh.constant, headerValues{"Strict-Transport-Security", []string{"max-age=63072000; includeSubDomains"}})
	}
	return sh
}

func origin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// recoverPanic turns a panicking handler into the 500 page; the server goes
// on serving other requests.
func (s *Server) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // the handler asked net/http to drop the connection
			}
			s.log.Error("panic serving request",
				"request_id", requestID(r.Context()), "route", r.Pattern,
				"panic", v, "stack", string(debug.Stack()))
			w.Header().Set("Connection", "close")
			s.renderError(w, r, http.StatusInternalServerError, "")
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleCrossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusForbidden, tr(r.Context(), "error.cross_origin"))
}

// isHTMX tells whether the request wants a fragment rather than a page.
// Boosted requests and history restores want the whole page.
func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" &&
		r.Header.Get("HX-Boosted") != "true" &&
		r.Header.Get("HX-History-Restore-Request") != "true"
}

// handleNoRoute answers what no route takes: 405 when the path exists for
// another method, the 404 page otherwise.
func (s *Server) handleNoRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.renderError(w, r, http.StatusMethodNotAllowed, "")
		return
	}
	s.renderError(w, r, http.StatusNotFound, "")
}
