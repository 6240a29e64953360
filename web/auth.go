package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/locale"
	"lineportal/internal/portal"
	"lineportal/views"
)

// loginFlowTTL is how long a sign-in may take between leaving for LINE and
// coming back; a callback after that is refused.
const loginFlowTTL = 10 * time.Minute

// keyAdminID is the session value naming the signed-in admin.
const keyAdminID = "admin_id"

// loginFlow is a LINE Login in progress: what the callback must match and
// where it returns to. It lives in a sealed cookie (sealedCookie), so a
// visitor who starts signing in and never finishes costs the portal
// nothing: no row, on any instance.
type loginFlow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	// Next is the page to return to. It may be a link request URL, whose
	// token is then encrypted in the cookie, never in clear.
	Next string `json:"next"`
}

// handleLogin starts LINE Login. The flow's state, nonce and PKCE verifier
// go in a sealed cookie of their own, which binds the callback to this
// browser.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	req := line.NewAuthRequest()
	flow := loginFlow{State: req.State, Nonce: req.Nonce, Verifier: req.CodeVerifier, Next: safeNext(r.URL.Query().Get("next"))}
	if err := setSealed(s, w, s.loginFlowCookie, "", flow); err != nil {
		s.fail(w, r, err)
		return
	}
	// LINE's screens speak the language the portal speaks to this person.
	http.Redirect(w, r, s.cfg.Login.AuthCodeURL(req, localeOf(r).Lang), http.StatusFound)
}

// handleAuthCallback finishes LINE Login. The flow cookie, once opened, is
// cleared before anything else, so this browser can't complete the same
// flow twice; a callback replayed with a copy of the cookie carries a code
// LINE has already used, and LINE refuses it. Someone signed in who comes
// back to a callback whose flow is over (the back button, a reload) goes
// on as they are.
func (s *Server) handleAuthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	flow, ok := takeSealed[loginFlow](s, w, r, s.loginFlowCookie, "")
	next := flow.Next
	if next == "" {
		next = "/"
	}
	state, nonce, verifier := flow.State, flow.Nonce, flow.Verifier

	switch {
	case !ok && adminFrom(r.Context()) != nil:
		s.redirectWithFlash(w, r, "/", "info", "signin.already", "Name", adminFrom(r.Context()).Name)
		return
	case !ok:
		s.signInFailed(w, r, http.StatusBadRequest, "signin.flow_missing", next)
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1:
		s.signInFailed(w, r, http.StatusBadRequest, "signin.state_mismatch", next)
		return
	case q.Get("error") != "":
		s.log.Info("LINE Login returned an error", "request_id", requestID(r.Context()), "error_code", q.Get("error"))
		s.signInFailed(w, r, http.StatusUnauthorized, authorizeError(q.Get("error")), next, "Code", q.Get("error"))
		return
	case q.Get("code") == "":
		s.signInFailed(w, r, http.StatusBadRequest, "signin.no_code", next)
		return
	}

	id, err := s.cfg.Login.Exchange(r.Context(), q.Get("code"), line.AuthRequest{State: state, Nonce: nonce, CodeVerifier: verifier})
	if err != nil {
		s.log.Warn("LINE Login refused", "request_id", requestID(r.Context()), "error", err)
		s.signInFailed(w, r, http.StatusUnauthorized, "signin.not_confirmed", next)
		return
	}
	in := portal.SignIn{
		LINEUserID:        id.UserID,
		Name:              id.Name,
		PictureURL:        id.PictureURL,
		FriendshipChanged: parseFriendshipChanged(q.Get("friendship_status_changed")),
		FriendFlagAt:      s.now(),
		Language:          locale.Asked(cookieLanguage(r), r.Header.Get("Accept-Language")),
	}
	in.FriendFlag = s.friendFlag(r.Context(), id.AccessToken)
	admin, err := s.db.SignIn(r.Context(), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.startSession(w, r, admin.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if admin.Language != "" {
		// Signed out later, this browser keeps speaking their language.
		s.setLanguageCookie(w, admin.Language)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// friendFlag asks LINE whether the admin is a friend of the portal's
// Official Account. The access token is used for this one call and then
// forgotten. A failure leaves the flag unknown rather than failing sign-in.
func (s *Server) friendFlag(ctx context.Context, accessToken string) *bool {
	ok, err := s.cfg.Login.FriendFlag(ctx, accessToken)
	if err != nil {
		s.log.Warn("friendship status unavailable", "request_id", requestID(ctx), "error", err)
		return nil
	}
	return &ok
}

// parseFriendshipChanged reads friendship_status_changed: absent (or
// anything but true/false) means LINE did not show the add-friend option.
func parseFriendshipChanged(v string) *bool {
	switch v {
	case "true":
		t := true
		return &t
	case "false":
		f := false
		return &f
	default:
		return nil
	}
}

// startSession replaces the browser's session with a brand-new one for the
// admin, so an ID planted before sign-in is worthless after it.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, adminID int64) error {
	sess, err := s.sessions.Get(r, s.sessions.name)
	if err != nil {
		return err
	}
	if sess.ID != "" {
		if err := s.db.DeleteSession(r.Context(), sess.ID); err != nil {
			return err
		}
	}
	sess.ID = ""
	sess.IsNew = true
	sess.Values = map[any]any{keyAdminID: adminID}
	return sess.Save(r, w)
}

// why is the message saying what went wrong, with its parameters.
func (s *Server) signInFailed(w http.ResponseWriter, r *http.Request, status int, why, next string, args ...any) {
	shell := s.shell(w, r, "")
	s.render(w, r, status, views.SignInFailedPage(shell, tr(r.Context(), why, args...), "/login?next="+url.QueryEscape(safeNext(next))))
}

// authorizeError is the message that explains, for the person signing in,
// an error code LINE's authorization endpoint put on the callback (LINE
// Login v2.1, "Receiving an error response").
func authorizeError(code string) string {
	switch code {
	case "ACCESS_DENIED":
		return "signin.line.access_denied"
	case "LOGIN_REQUIRED", "INTERACTION_REQUIRED":
		return "signin.line.login_required"
	case "SERVER_ERROR":
		return "signin.line.server_error"
	case "INVALID_REQUEST", "UNSUPPORTED_RESPONSE_TYPE", "INVALID_SCOPE":
		return "signin.line.refused"
	default:
		return "signin.line.other"
	}
}

// maxNext is the longest page a sign-in returns to. The portal's own
// addresses are far shorter; the cap keeps what a signed-out visitor can
// make the portal carry (in the flow cookie, under browsers' 4 KB cookie
// limit) small.
const maxNext = 1024

// safeNext returns next when it is a path on this portal of at most
// maxNext bytes, else "/": a sign-in must never end on another site.
func safeNext(next string) string {
	if next == "" || len(next) > maxNext || next[0] != '/' || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") || strings.Contains(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// handleLogout ends the session on the server and clears the cookie.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if sess := s.sessions.current(r); sess != nil {
		sess.Options.MaxAge = -1
		if err := sess.Save(r, w); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

type adminKey struct{}

// adminFrom returns the signed-in admin, or nil.
func adminFrom(ctx context.Context) *portal.Admin {
	a, _ := ctx.Value(adminKey{}).(*portal.Admin)
	return a
}

// withAdmin loads the signed-in admin, if any, into the request's context.
// A request without one counts against its client's limit
// (admitSignedOut): every route that serves signed-out visitors, or sends
// them to sign in, goes through here.
func (s *Server) withAdmin(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.loadAdmin(r)
		if err != nil && r.Context().Err() != nil {
			return // the client went away: no one to answer
		}
		if err != nil {
			// The database can't say who this is: telling them they are
			// signed out would be wrong, and would send them to sign in
			// again to no avail. Unreachable, it is an outage (503).
			if s.databaseDown(r.Context()) {
				s.log.Error("request failed: the database is unavailable", "request_id", requestID(r.Context()), "route", r.Pattern, "error", err)
				s.renderError(w, r, http.StatusServiceUnavailable, "")
				return
			}
			s.fail(w, r, err)
			return
		}
		if a == nil {
			if s.admitSignedOut(w, r) {
				next(w, r)
			}
			return
		}
		ctx := context.WithValue(r.Context(), adminKey{}, a)
		next(w, r.WithContext(locale.With(ctx, s.adminLocale(r, a.Language, a.TimeZone))))
	})
}

// signedIn is withAdmin for pages that need an admin: without one, the
// browser goes to sign-in and comes back to the same page afterwards.
func (s *Server) signedIn(next http.HandlerFunc) http.Handler {
	return s.withAdmin(func(w http.ResponseWriter, r *http.Request) {
		if adminFrom(r.Context()) != nil {
			next(w, r)
			return
		}
		back := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			back = r.Header.Get("HX-Current-URL")
			if u, err := url.Parse(back); err == nil {
				back = u.RequestURI()
			}
		}
		login := loginURL(back)
		if r.Header.Get("HX-Request") == "true" {
			// A redirect would be followed by htmx and the sign-in page
			// swapped into a fragment; ask for a full navigation instead.
			w.Header().Set("HX-Redirect", login)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, login, http.StatusSeeOther)
	})
}

// loginURL is the sign-in that comes back to back, a path of the portal.
func loginURL(back string) string { return "/login?next=" + url.QueryEscape(safeNext(back)) }

// databaseDown tells whether the database fails to answer a ping within
// a second, however the request that asks fares meanwhile.
func (s *Server) databaseDown(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	return s.db.Ping(ctx) != nil
}

// loadAdmin reads who is signed in: nil when no one is (no session, or
// none with an admin, or one whose admin is gone); an error when the
// database can't tell.
func (s *Server) loadAdmin(r *http.Request) (*portal.Admin, error) {
	if !hasCookie(r, s.sessions.name) {
		// No session: nothing to load, and no session registry to set up
		// (gorilla's copies the request) for a signed-out visitor.
		return nil, nil
	}
	sess, err := s.sessions.Get(r, s.sessions.name)
	if err != nil {
		return nil, fmt.Errorf("web: loading the session: %w", err)
	}
	id, ok := sess.Values[keyAdminID].(int64)
	if !ok {
		return nil, nil
	}
	a, err := s.db.FindAdminByID(r.Context(), id)
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("web: loading the signed-in admin: %w", err)
	}
	a.Operator = slices.Contains(s.cfg.Operators, a.LINEUserID)
	return &a, nil
}
