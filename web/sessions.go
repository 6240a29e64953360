package web

import (
	"bytes"
	"crypto/rand"
	"encoding/gob"
	"log/slog"
	"net/http"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"lineportal/internal/portal"
	"lineportal/store"
)

// sessionStore implements gorilla/sessions' Store over SQLite: the cookie
// carries only a signed random ID, the row holds the data. A session can so
// be ended on the server, and it expires by idle and absolute limits that
// the store enforces, whatever the cookie says.
type sessionStore struct {
	db      *store.DB
	log     *slog.Logger
	codecs  []securecookie.Codec
	limits  store.SessionLimits
	options sessions.Options
	// name is the session cookie's name.
	name string
}

var _ sessions.Store = (*sessionStore)(nil)

func newSessionStore(db *store.DB, log *slog.Logger, keys [][]byte, limits store.SessionLimits, name string, secure bool) *sessionStore {
	st := &sessionStore{db: db, log: log, limits: limits, name: name}
	for _, k := range keys {
		// Sign only: the value is a random ID with nothing to hide, and
		// signing lets a rotated-out key stop being accepted.
		c := securecookie.New(k, nil)
		c.MaxAge(int(limits.Absolute.Seconds()))
		st.codecs = append(st.codecs, c)
	}
	st.options = sessions.Options{
		Path:     "/",
		MaxAge:   int(limits.Absolute.Seconds()),
		HttpOnly: true,
		Secure:   secure,
		// Lax, not Strict: Strict would drop the cookie on the redirect back
		// from LINE Login, and on the approval link opened from a LINE chat.
		SameSite: http.SameSiteLaxMode,
	}
	return st
}

// Get returns the request's session, loading it once per request.
func (st *sessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(st, name)
}

// New loads the session named by the request's cookie, or starts an empty
// one when there is no valid cookie or the server has ended the session.
func (st *sessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(st, name)
	opts := st.options
	sess.Options = &opts
	sess.IsNew = true

	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var id string
	if err := securecookie.DecodeMulti(name, c.Value, &id, st.codecs...); err != nil {
		return sess, nil // forged, rotated-out or expired cookie: a fresh session
	}
	rec, err := st.db.FindSession(r.Context(), id, st.limits)
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return sess, nil
	}
	if err != nil {
		return sess, err
	}
	if err := gob.NewDecoder(bytes.NewReader(rec.Data)).Decode(&sess.Values); err != nil {
		return sess, nil // data from an incompatible version: start over
	}
	sess.ID = id
	sess.IsNew = false
	return sess, nil
}

// Save stores the session and sets its cookie; a negative MaxAge ends it.
func (st *sessionStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := st.db.DeleteSession(r.Context(), sess.ID); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	var data bytes.Buffer
	if err := gob.NewEncoder(&data).Encode(sess.Values); err != nil {
		return err
	}
	if sess.ID == "" || sess.IsNew {
		if sess.ID == "" {
			sess.ID = rand.Text() // 130 random bits
		}
		if err := st.db.CreateSession(r.Context(), sess.ID, data.Bytes()); err != nil {
			return err
		}
		sess.IsNew = false
	} else if err := st.db.UpdateSession(r.Context(), sess.ID, data.Bytes()); err != nil {
		if portal.ErrorCode(err) == portal.ENOTFOUND {
			return nil // ended meanwhile (signed out elsewhere): it stays ended
		}
		return err
	}
	encoded, err := securecookie.EncodeMulti(sess.Name(), sess.ID, st.codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}

// current returns the request's session, or nil when the store can't load
// it (logged: the visitor then appears signed out).
func (st *sessionStore) current(r *http.Request) *sessions.Session {
	sess, err := st.Get(r, st.name)
	if err != nil {
		st.log.Error("loading the session", "request_id", requestID(r.Context()), "error", err)
		return nil
	}
	return sess
}
