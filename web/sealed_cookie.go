package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"lineportal/internal/portal"
)

// sealedCookie carries a small value in the browser instead of the
// database: encrypted and authenticated with the portal's secret key
// (AES-256-GCM, internal/secret), for at most ttl. Any portal instance can
// open it, nothing is stored on the server, and the browser can neither
// read nor change it. Taking it clears it, so a value is used once per
// browser.
type sealedCookie struct {
	name string
	ttl  time.Duration
}

// sealed is what a sealedCookie holds: the value and when it stops being
// accepted (the cookie's own Max-Age is the browser's to keep or not).
type sealed[T any] struct {
	Expires int64 `json:"exp"` // Unix milliseconds
	Value   T     `json:"v"`
}

// setSealed puts v in the browser under c, sealed for binding: a value
// sealed for one binding (a page, an admin) does not open for another.
func setSealed[T any](s *Server, w http.ResponseWriter, c sealedCookie, binding string, v T) error {
	plain, err := json.Marshal(sealed[T]{Expires: s.now().Add(c.ttl).UnixMilli(), Value: v})
	if err != nil {
		return err
	}
	box := s.cfg.Secrets.Seal(string(plain), c.name+"|"+binding)
	http.SetCookie(w, s.sealedCookieOf(c, base64.RawURLEncoding.EncodeToString(box), int(c.ttl.Seconds())))
	return nil
}

// takeSealed opens the browser's cookie c and clears it once opened. ok is
// false when there is none, or it was forged, sealed for another binding
// or expired; the cookie then stays: one sealed for another page (an
// invitation URL shown once on its People page) waits there, not used up
// by another page opened meanwhile, and the rest the browser drops at
// their age.
func takeSealed[T any](s *Server, w http.ResponseWriter, r *http.Request, c sealedCookie, binding string) (v T, ok bool) {
	if v, ok = openSealed[T](s, r, c, binding); ok {
		http.SetCookie(w, s.sealedCookieOf(c, "", -1))
	}
	return v, ok
}

// openSealed opens the browser's cookie c and leaves it, for a value a
// browser keeps across pages.
func openSealed[T any](s *Server, r *http.Request, c sealedCookie, binding string) (v T, ok bool) {
	cookie, err := r.Cookie(c.name)
	if err != nil {
		return v, false
	}
	box, err := base64.RawURLEncoding.DecodeString(cookie.Value)
	if err != nil {
		return v, false
	}
	plain, err := s.cfg.Secrets.Open(box, c.name+"|"+binding)
	if err != nil {
		return v, false
	}
	var got sealed[T]
	if err := json.Unmarshal([]byte(plain), &got); err != nil || s.now().UnixMilli() >= got.Expires {
		return v, false
	}
	return got.Value, true
}

func (s *Server) sealedCookieOf(c sealedCookie, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: c.name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.https(), SameSite: http.SameSiteLaxMode}
}

// cookieName is name with the __Host- prefix over https, which binds the
// cookie to this exact host, https and path /.
func (s *Server) cookieName(name string) string {
	if s.https() {
		return "__Host-" + name
	}
	return name
}

// revealTTL is how long a secret sent to the page after a redirect waits
// for that page: the browser asks for it at once.
const revealTTL = time.Minute

// redirectRevealing finishes a POST whose answer is a secret shown once (a
// URL's token, of which the portal keeps only a hash): the secret travels
// sealed to the one GET of to that shows it, and a 303 sends the browser
// there, so reloading shows the page instead of repeating the POST. The
// secret is never stored, is readable only by this admin's browser on that
// page, and is gone once shown.
//
// A flash (kind, message ID and parameters, as redirectWithFlash takes
// them) may go with it; kind "" sends none.
func (s *Server) redirectRevealing(w http.ResponseWriter, r *http.Request, to, secret, kind, id string, args ...any) {
	if err := setSealed(s, w, s.revealCookie, revealBinding(to, actor(r)), secret); err != nil {
		s.fail(w, r, err)
		return
	}
	if kind == "" {
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	s.redirectWithFlash(w, r, to, kind, id, args...)
}

// revealed returns the secret redirectRevealing sent to this page, once.
func (s *Server) revealed(w http.ResponseWriter, r *http.Request) (string, bool) {
	return takeSealed[string](s, w, r, s.revealCookie, revealBinding(r.URL.Path, actor(r)))
}

// revealBinding ties a revealed secret to the page and the admin.
func revealBinding(path string, a portal.Admin) string {
	return path + "|" + strconv.FormatInt(a.ID, 10)
}
