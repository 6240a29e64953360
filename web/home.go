package web

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/a-h/templ"

	"lineportal/internal/locale"
	"lineportal/internal/portal"
	"lineportal/views"
)

// handleHome is the landing page; signed in, it starts with what waits
// for the person.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	a := adminFrom(r.Context())
	if a == nil && r.URL.RequestURI() == "/" && !hasCookie(r, s.flashes.name) {
		s.serveVisitorHome(w, r)
		return
	}
	var waiting *portal.Waiting
	if a != nil {
		found, err := s.db.FindWaiting(r.Context(), *a, s.now())
		if err == nil {
			found.Invitations, err = s.openedInvitations(r, *a)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		waiting = &found
	}
	s.render(w, r, http.StatusOK, views.HomePage(s.shell(w, r, "home"), waiting, s.now()))
}

// visitorHomes keeps Home as a visitor who is not signed in sees it at
// "/" with no flash to show: the same page for everyone who reads its
// language, but for the CSP nonce. Rendering it was most of what a
// visitor's Home cost (issue 15); it is rendered once per locale and
// split where the nonce goes, and each request joins the parts with its
// own nonce.
type visitorHomes struct {
	// nonceMark stands for the nonce in the page rendered once: a nonce of
	// its own, which nothing else a page says can match.
	nonceMark string
	pages     sync.Map // *locale.Locale (one of visitorLocales, or fixedLocale) → [][]byte
}

// serveVisitorHome answers Home for a visitor who is not signed in, at
// "/" and with no flash.
func (s *Server) serveVisitorHome(w http.ResponseWriter, r *http.Request) {
	l := localeOf(r)
	parts, ok := s.visitorHomes.pages.Load(l)
	if !ok {
		mark := s.visitorHomes.nonceMark
		page, err := s.renderVisitorHome(l, mark)
		if err != nil {
			s.renderFailed(w, r, err)
			return
		}
		parts, _ = s.visitorHomes.pages.LoadOrStore(l, bytes.Split(page, []byte(mark)))
	}
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer buffers.Put(buf)
	nonce := nonceOf(r.Context())
	for i, part := range parts.([][]byte) {
		if i > 0 {
			buf.WriteString(nonce)
		}
		buf.Write(part)
	}
	writePage(w, http.StatusOK, buf.Bytes())
}

// renderVisitorHome renders Home as a visitor who is not signed in sees it
// at "/", in l, with nonce as the CSP nonce.
func (s *Server) renderVisitorHome(l *locale.Locale, nonce string) ([]byte, error) {
	shell := views.Shell{SimulatorURL: s.cfg.SimulatorURL, Nav: "home", Path: "/"}
	ctx := locale.With(templ.WithNonce(context.Background(), nonce), l)
	var page bytes.Buffer
	err := views.HomePage(shell, nil, s.now()).Render(ctx, &page)
	return page.Bytes(), err
}

// maxOpenedInvitations is how many opened invitations a browser keeps for
// Home, the most recent.
const maxOpenedInvitations = 5

// rememberInvitation keeps the token of an invitation the signed-in admin
// opened and may answer in their browser, sealed for them, so that Home
// lists it until it is answered or expires. The portal keeps only the
// hash of an invitation's token and knows no addressee (whoever holds the
// URL may answer), so the browser that opened it is the one place that
// knows it waits for this person.
func (s *Server) rememberInvitation(w http.ResponseWriter, r *http.Request, token string) {
	binding := strconv.FormatInt(actor(r).ID, 10)
	tokens, _ := openSealed[[]string](s, r, s.invitationsCookie, binding)
	tokens = append([]string{token}, slices.DeleteFunc(tokens, func(t string) bool { return t == token })...)
	if err := setSealed(s, w, s.invitationsCookie, binding, tokens[:min(len(tokens), maxOpenedInvitations)]); err != nil {
		s.log.Warn("keeping an opened invitation for Home failed", "request_id", requestID(r.Context()), "error", err)
	}
}

// openedInvitations are the invitations this browser opened for a that a
// may still answer (portal.CanAnswerInvitation), most recent first.
func (s *Server) openedInvitations(r *http.Request, a portal.Admin) ([]portal.OpenedInvitation, error) {
	tokens, _ := openSealed[[]string](s, r, s.invitationsCookie, strconv.FormatInt(a.ID, 10))
	var opened []portal.OpenedInvitation
	for _, token := range tokens {
		o, err := s.db.FindInvitationByToken(r.Context(), a, token)
		if portal.ErrorCode(err) == portal.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		if portal.CanAnswerInvitation(a, o, s.now()) == nil {
			opened = append(opened, portal.OpenedInvitation{Opening: o, Token: token})
		}
	}
	return opened, nil
}

// handleHealthz answers 200 "ok" while the database answers. It leaves
// the Content-Type to net/http, which names plain text "text/plain;
// charset=utf-8" (TestHealthz holds it) outside the header map: set here,
// it would be the map's ninth entry, past the size Go keeps a small map
// in, and the map would grow on every check (issue 15).
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	if err := s.db.Ping(r.Context()); err != nil {
		s.log.Error("health check failed", "error", err, "request_id", requestID(r.Context()))
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok"))
}

// handleReadyz tells a load balancer whether this instance should get
// traffic: 200 "ready" while the database answers with the schema this
// binary knows and the instance is not draining, else 503 and why.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("draining\n"))
		return
	}
	if err := s.db.Ready(r.Context()); err != nil {
		s.log.Error("readiness check failed", "error", err, "request_id", requestID(r.Context()))
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable or not migrated for this version\n"))
		return
	}
	w.Write([]byte("ready"))
}

// Drain makes /readyz answer 503 from now on, so that a load balancer
// stops sending this instance new requests before it shuts down.
func (s *Server) Drain() { s.draining.Store(true) }
