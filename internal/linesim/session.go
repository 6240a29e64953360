package linesim

import (
	"net/http"
	"slices"
	"time"
)

// A LINE session is what lets LINE sign a browser in without asking who it
// is: LINE keeps it in a cookie on access.line.me. The simulator keeps one
// per browser in the same way, from the moment a user is picked on the login
// screen, so that prompt=none can sign in without screens.

// sessionCookie names the simulator's LINE session cookie.
const sessionCookie = "linesim_session"

// sessionLifetime bounds a LINE session. LINE does not say how long its
// sessions last; a month keeps a demo browser signed in.
const sessionLifetime = 30 * 24 * time.Hour

// lineSession is a browser signed in to LINE as a user.
type lineSession struct {
	userID    string
	authTime  time.Time // when the user last authenticated on the login screen
	expiresAt time.Time
}

// consentKey names a user's consent to a LINE Login channel.
type consentKey struct{ userID, channelID string }

// sessionUser returns the user a request's browser is signed in to LINE as.
// The caller holds the lock.
func (st *state) sessionUser(r *http.Request, now time.Time) (lineSession, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return lineSession{}, false
	}
	sess, ok := st.sessions[c.Value]
	if !ok || !now.Before(sess.expiresAt) || !st.hasUser(sess.userID) {
		return lineSession{}, false
	}
	return *sess, true
}

// startSession signs the browser in to LINE as userID, replacing any
// session it had, and sets the cookie. Expired sessions are dropped here so
// that memory stays bounded. The caller holds the lock.
func (st *state) startSession(w http.ResponseWriter, r *http.Request, userID string, now time.Time) {
	for id, sess := range st.sessions {
		if !now.Before(sess.expiresAt) {
			delete(st.sessions, id)
		}
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		delete(st.sessions, c.Value)
	}
	id := newOpaqueToken()
	st.sessions[id] = &lineSession{userID: userID, authTime: now, expiresAt: now.Add(sessionLifetime)}
	http.SetCookie(w, &http.Cookie{
		Name:  sessionCookie,
		Value: id,
		Path:  "/",
		// MaxAge, not Expires: the simulator's clock may be moved forward,
		// the browser's is not.
		MaxAge:   int(sessionLifetime / time.Second),
		HttpOnly: true,
		// Lax, as the redirect back from the client's site must carry it.
		SameSite: http.SameSiteLaxMode,
		Secure:   r.TLS != nil,
	})
}

// consented reports whether a user has granted a channel every scope asked
// for. The caller holds the lock.
func (st *state) consented(userID, channelID string, scopes []string) bool {
	granted := st.consents[consentKey{userID, channelID}]
	for _, sc := range scopes {
		if !slices.Contains(granted, sc) {
			return false
		}
	}
	return true
}

// recordConsent adds scopes to what a user has granted a channel. The
// caller holds the lock.
func (st *state) recordConsent(userID, channelID string, scopes []string) {
	key := consentKey{userID, channelID}
	granted := slices.Clone(st.consents[key])
	for _, sc := range scopes {
		if !slices.Contains(granted, sc) {
			granted = append(granted, sc)
		}
	}
	st.consents[key] = granted
}
