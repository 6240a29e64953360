package web

import (
	"net/http"

	"lineportal/internal/portal"
	"lineportal/views"
)

// How an error reaches the page, decided here and nowhere else.
//
// A domain error (portal.Error) carries a code. Each code has one status on
// the error page and, when the person can put it right on the form they
// sent, one status for that form shown again (refused): 422, or 403 when
// the person may not do it at all. The form then keeps its input and shows
// the refusal once, next to the field it concerns (views.Refusal). The
// sentence itself is made in one function, views.Sentence.
type errorShape struct {
	page int // the error page's status
	form int // the status of the form shown again; 0: never, the error page
}

var errorShapes = map[string]errorShape{
	portal.EINVALID:         {page: http.StatusUnprocessableEntity, form: http.StatusUnprocessableEntity},
	portal.EUNAUTHENTICATED: {page: http.StatusUnauthorized},
	portal.EFORBIDDEN:       {page: http.StatusForbidden, form: http.StatusForbidden},
	portal.ENOTFOUND:        {page: http.StatusNotFound, form: http.StatusUnprocessableEntity},
	portal.ECONFLICT:        {page: http.StatusConflict, form: http.StatusUnprocessableEntity},
	portal.EGONE:            {page: http.StatusGone},
	portal.EUNAVAILABLE:     {page: http.StatusServiceUnavailable, form: http.StatusUnprocessableEntity},
	portal.EINTERNAL:        {page: http.StatusInternalServerError},
}

// shapeOf is how err is shown; an unknown code is an internal error.
func shapeOf(err error) errorShape {
	if shape, ok := errorShapes[portal.ErrorCode(err)]; ok {
		return shape
	}
	return errorShapes[portal.EINTERNAL]
}

// refused answers a form the domain (or LINE) refused: show renders the
// form again with its input and the refusal, answering status; an error the
// person can't put right on the form is the error page.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, err error, show func(status int, why views.Refusal)) {
	shape := shapeOf(err)
	if shape.form == 0 {
		s.fail(w, r, err)
		return
	}
	show(shape.form, views.RefusalOf(r.Context(), err))
}

// fail answers with the error page for err. Internal errors are logged with
// the request ID and shown only as "Internal error." with that ID.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if portal.ErrorCode(err) == portal.EINTERNAL {
		s.log.Error("request failed", "request_id", requestID(r.Context()), "route", r.Pattern, "error", err)
	}
	s.renderError(w, r, shapeOf(err).page, views.Sentence(r.Context(), err))
}

// renderError writes the designed error page, or for an htmx request an
// alert swapped into the page's message area.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, message string) {
	if isHTMX(r) {
		if message == "" {
			message = views.ErrorTitle(r.Context(), status)
		}
		w.Header().Set("HX-Retarget", "#flash")
		w.Header().Set("HX-Reswap", "innerHTML")
		// The element that asked may select part of a page (hx-select);
		// this answer is only the alert.
		w.Header().Set("HX-Reselect", ".alert")
		s.render(w, r, status, views.Alert("error", message))
		return
	}
	// The shell consumes pending flashes, so build it only for a page that
	// shows them.
	s.render(w, r, status, views.ErrorPage(s.shell(w, r, ""), status, message))
}

// renderFailed is the last resort when a page itself fails to render: plain
// text, so it cannot fail the same way again. It stays in English on
// purpose: the messages and the templates are what may have failed, and the
// reference is what support needs.
func (s *Server) renderFailed(w http.ResponseWriter, r *http.Request, err error) {
	id := requestID(r.Context())
	s.log.Error("rendering failed", "request_id", id, "route", r.Pattern, "error", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte("Something went wrong on our side. Reference for support: " + id + "\n"))
}
