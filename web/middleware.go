package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
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

	"github.com/a-h/templ"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	routeKey
)

// middleware wraps the route table. Outermost first: request ID, access
// log, security headers, the reader's language, panic recovery,
// cross-origin protection.
func (s *Server) middleware(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.handleCrossOriginDenied))
	h = cop.Handler(recordRoute(s.readForms(h)))
	h = s.recoverPanic(h)
	h = s.withLocale(h)
	h = s.secureHeaders(h)
	h = s.logRequests(h)
	return withRequestID(h)
}

// requestID returns the ID given to the request, for logs and error pages.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// withRequestID tags each request with an ID shown to users on error pages
// and written to every log line, so a support question can be matched to
// the log. It needs to be unique, not secret.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		for i := range b {
			b[i] = byte(mrand.Uint32())
		}
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

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
		route := "(none)"
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey, &route)))
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
// tab, a line break…) or bytes that aren't UTF-8: no field of the portal
// takes them, and stored they would corrupt pages and exports.
func cleanForm(r *http.Request) (field string, ok bool) {
	for _, form := range []url.Values{r.Form, r.PostForm} {
		for name, values := range form {
			for i, v := range values {
				v = strings.TrimSpace(v)
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
		if route, ok := r.Context().Value(routeKey).(*string); ok && r.Pattern != "" {
			*route = r.Pattern
		}
	})
}

// secureHeaders sets the headers every response carries. The CSP allows
// scripts only from this origin and with this response's nonce, so an
// injected inline script does not run.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
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
	cspBefore := "default-src 'self'; script-src 'self' 'nonce-"
	cspAfter := "'; style-src 'self'; img-src " + imgSrc +
		"; connect-src 'self'; form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
	https := s.https()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		rand.Read(b[:])
		nonce := base64.RawStdEncoding.EncodeToString(b[:])
		h := w.Header()
		h.Set("Content-Security-Policy", cspBefore+nonce+cspAfter)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// no-referrer: approval URLs carry a token that must not leak to
		// other sites through the Referer header.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		// Pages show private data; nothing may be kept by shared caches or
		// the back/forward cache after sign-out. Static assets override it.
		h.Set("Cache-Control", "no-store")
		if https {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r.WithContext(templ.WithNonce(r.Context(), nonce)))
	})
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
