package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"sync"

	"github.com/a-h/templ"

	"lineportal/views"
)

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes c with the given status. It renders into a buffer first, so
// a failed render becomes the 500 page instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer buffers.Put(buf)
	if err := c.Render(templ.WithNonce(r.Context(), nonceOf(r.Context())), buf); err != nil {
		s.renderFailed(w, r, err)
		return
	}
	writePage(w, status, buf.Bytes())
}

// htmlType is the Content-Type of every page, built once.
var htmlType = []string{"text/html; charset=utf-8"}

// writePage writes a whole HTML page with the given status.
func writePage(w http.ResponseWriter, status int, page []byte) {
	h := w.Header()
	h["Content-Type"] = htmlType // never changed in place: Set replaces the slice
	// The whole page is in hand: saying its length spares it the chunked
	// encoding, which a page over 2 KB otherwise gets (issue 15).
	h["Content-Length"] = []string{strconv.Itoa(len(page))}
	w.WriteHeader(status)
	w.Write(page)
}

// flashText is a flash in the reader's language.
func flashText(ctx context.Context, fl flash) string {
	args := make([]any, len(fl.Args))
	for i, a := range fl.Args {
		if id, ok := a.(msgID); ok {
			a = tr(ctx, string(id))
		}
		args[i] = a
	}
	return tr(ctx, fl.ID, args...)
}

// pagePath is the address of the page r shows, for the language switcher
// to come back to: r's own, or, for a form's answer (a refusal shown at a
// POST's address), the nearest address up its path that answers a GET: a
// GET of the POST's own would be refused (405), and what was typed is gone
// either way. Home when none does.
func (s *Server) pagePath(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	for p := path.Clean(r.URL.Path); p != "/" && p != "."; p = path.Dir(p) {
		get := &http.Request{Method: http.MethodGet, Host: r.Host, URL: &url.URL{Path: p}}
		if _, pattern := s.mux.Handler(get); pattern != "" && pattern != "/" {
			return p
		}
	}
	return "/"
}

// shell builds the frame of a page for this request: the signed-in admin
// and the flashes, which are consumed.
func (s *Server) shell(w http.ResponseWriter, r *http.Request, nav string) views.Shell {
	shell := views.Shell{SimulatorURL: s.cfg.SimulatorURL, Nav: nav, RequestID: requestID(r.Context()), Path: s.pagePath(r)}
	if a := adminFrom(r.Context()); a != nil {
		shell.Admin = &views.Admin{Name: a.Name, PictureURL: a.PictureURL, Operator: a.Operator}
		// A page still renders when the count can't be read; the header
		// then shows none.
		if n, err := s.db.CountUnread(r.Context(), a.ID); err == nil {
			shell.Admin.Unread = n
		} else {
			s.log.Error("counting unread notifications", "error", err, "request_id", requestID(r.Context()))
		}
	}
	if f, ok := s.takeFlash(w, r); ok {
		shell.Flashes = append(shell.Flashes, views.Flash{Kind: f.Kind, Message: flashText(r.Context(), f)})
	}
	return shell
}
