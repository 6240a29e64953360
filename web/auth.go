package web

import (
	"context"
	"crypto/subtle"
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

// Session value keys.
const (
	keyAdminID  = "admin_id"
	keyState    = "state"
	keyNonce    = "nonce"
	keyVerifier = "verifier"
	keyNext     = "next"
	keyStarted  = "started"
)

// handleLogin starts LINE Login. The flow's state, nonce and PKCE verifier
// live server-side behind a short-lived cookie of their own, which binds the
// callback to this browser.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	flow, err := s.sessions.Get(r, s.sessions.loginFlowName)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req := line.NewAuthRequest()
	flow.Values = map[any]any{
		keyState:    req.State,
		keyNonce:    req.Nonce,
		keyVerifier: req.CodeVerifier,
		// Sealed: the page to return to may be a link request URL, whose
		// token must not sit in the database in clear.
		keyNext:    s.cfg.Secrets.Seal(safeNext(r.URL.Query().Get("next")), "login-next"),
		keyStarted: s.now().UnixMilli(),
	}
	flow.Options.MaxAge = int(loginFlowTTL.Seconds())
	if err := flow.Save(r, w); err != nil {
		s.fail(w, r, err)
		return
	}
	// LINE's screens speak the language the portal speaks to this person.
	http.Redirect(w, r, s.cfg.Login.AuthCodeURL(req, localeOf(r).Lang), http.StatusFound)
}

// handleAuthCallback finishes LINE Login. The flow is used up before
// anything else, so a replayed callback finds nothing to complete.
func (s *Server) handleAuthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	flow, err := s.sessions.Get(r, s.sessions.loginFlowName)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	state, _ := flow.Values[keyState].(string)
	nonce, _ := flow.Values[keyNonce].(string)
	verifier, _ := flow.Values[keyVerifier].(string)
	sealedNext, _ := flow.Values[keyNext].([]byte)
	next, err := s.cfg.Secrets.Open(sealedNext, "login-next")
	if err != nil {
		next = "/"
	}
	started, _ := flow.Values[keyStarted].(int64)
	if !flow.IsNew {
		flow.Options.MaxAge = -1
		if err := flow.Save(r, w); err != nil {
			s.fail(w, r, err)
			return
		}
	}

	switch {
	case state == "":
		s.signInFailed(w, r, http.StatusBadRequest, "This sign-in link has already been used, has expired, or was started in another browser. Start signing in again.", next)
		return
	case s.now().Sub(time.UnixMilli(started)) > loginFlowTTL:
		s.signInFailed(w, r, http.StatusBadRequest, "Signing in took longer than 10 minutes, so it was stopped for your safety. Start signing in again.", next)
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1:
		s.signInFailed(w, r, http.StatusBadRequest, "The answer from LINE did not match this sign-in, so it was refused. Start signing in again.", next)
		return
	case q.Get("error") != "":
		s.log.Info("LINE Login returned an error", "request_id", requestID(r.Context()), "error_code", q.Get("error"))
		s.signInFailed(w, r, http.StatusUnauthorized, line.AuthorizeErrorMessage(q.Get("error")), next)
		return
	case q.Get("code") == "":
		s.signInFailed(w, r, http.StatusBadRequest, "LINE sent no authorization code. Start signing in again.", next)
		return
	}

	id, err := s.cfg.Login.Exchange(r.Context(), q.Get("code"), line.AuthRequest{State: state, Nonce: nonce, CodeVerifier: verifier})
	if err != nil {
		s.log.Warn("LINE Login refused", "request_id", requestID(r.Context()), "error", err)
		s.signInFailed(w, r, http.StatusUnauthorized, "LINE could not confirm who you are, so you were not signed in. Start signing in again.", next)
		return
	}
	in := portal.SignIn{
		LINEUserID:        id.UserID,
		Name:              id.Name,
		PictureURL:        id.PictureURL,
		FriendshipChanged: parseFriendshipChanged(q.Get("friendship_status_changed")),
		FriendFlag:        s.friendFlag(r.Context(), id.AccessToken),
	}
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

func (s *Server) signInFailed(w http.ResponseWriter, r *http.Request, status int, message, next string) {
	shell := s.shell(w, r, "")
	s.render(w, r, status, views.SignInFailedPage(shell, message, "/login?next="+url.QueryEscape(safeNext(next))))
}

// safeNext returns next when it is a path on this portal, else "/": a
// sign-in must never end on another site.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") ||
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
func (s *Server) withAdmin(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := s.loadAdmin(r); a != nil {
			ctx := context.WithValue(r.Context(), adminKey{}, a)
			r = r.WithContext(locale.With(ctx, adminLocale(r, a.Language, a.TimeZone)))
		}
		next(w, r)
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
		login := "/login?next=" + url.QueryEscape(safeNext(back))
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

func (s *Server) loadAdmin(r *http.Request) *portal.Admin {
	sess := s.sessions.current(r)
	if sess == nil {
		return nil
	}
	id, ok := sess.Values[keyAdminID].(int64)
	if !ok {
		return nil
	}
	a, err := s.db.FindAdminByID(r.Context(), id)
	if err != nil {
		if portal.ErrorCode(err) != portal.ENOTFOUND {
			s.log.Error("loading the signed-in admin", "request_id", requestID(r.Context()), "error", err)
		}
		return nil
	}
	a.Operator = slices.Contains(s.cfg.Operators, a.LINEUserID)
	return &a
}
