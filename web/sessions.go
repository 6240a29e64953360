package web

import (
	"bytes"
	"crypto/rand"
	"encoding/gob"
	"log/slog"
	"maps"
	"net/http"
	"sync"

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
	// decoded keeps the values of session data lately decoded.
	decoded decodedSessions
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
	if err := st.decoded.decode(rec.Data, sess.Values); err != nil {
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

// decodedSessions remembers the values of session data it decoded, by the
// data's bytes. Decoding gob builds a decoder for the data's types every
// time, about a twentieth of the CPU of an action such as approving a link
// request, while a signed-in person's session holds the same few values
// from one request to the next (and many people's the same bytes).
type decodedSessions struct {
	mu     sync.Mutex
	values map[string]map[any]any
}

// maxDecodedSessions bounds the memory kept: past it, the cache starts
// empty again.
const maxDecodedSessions = 1024

// decode puts the values data holds into into.
func (d *decodedSessions) decode(data []byte, into map[any]any) error {
	d.mu.Lock()
	values, ok := d.values[string(data)]
	d.mu.Unlock()
	if !ok {
		values = map[any]any{}
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&values); err != nil {
			return err
		}
		if immutable(values) {
			d.mu.Lock()
			if d.values == nil || len(d.values) >= maxDecodedSessions {
				d.values = map[string]map[any]any{}
			}
			d.values[string(data)] = values
			d.mu.Unlock()
		}
	}
	maps.Copy(into, values)
	return nil
}

// immutable tells whether every value is one a request can't change in
// place (the session holds IDs, numbers and strings), so that requests can
// share them.
func immutable(values map[any]any) bool {
	for _, v := range values {
		switch v.(type) {
		case string, int64, int, bool:
		default:
			return false
		}
	}
	return true
}
