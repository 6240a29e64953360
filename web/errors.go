package web

import (
	"net/http"

	"lineportal/internal/portal"
	"lineportal/views"
)

// statusOf is the one place where domain error codes become HTTP statuses.
func statusOf(code string) int {
	switch code {
	case portal.EINVALID:
		return http.StatusUnprocessableEntity
	case portal.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case portal.EFORBIDDEN:
		return http.StatusForbidden
	case portal.ENOTFOUND:
		return http.StatusNotFound
	case portal.ECONFLICT:
		return http.StatusConflict
	case portal.EGONE:
		return http.StatusGone
	case portal.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// fail answers with the error page for err. Internal errors are logged with
// the request ID and shown only as "Internal error." with that ID.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := portal.ErrorCode(err)
	if code == portal.EINTERNAL {
		s.log.Error("request failed", "request_id", requestID(r.Context()), "route", r.Pattern, "error", err)
	}
	s.renderError(w, r, statusOf(code), portal.ErrorMessage(err))
}

// renderError writes the designed error page, or for an htmx request an
// alert swapped into the page's message area.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, message string) {
	if isHTMX(r) {
		if message == "" {
			message = http.StatusText(status)
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
// text, so it cannot fail the same way again.
func (s *Server) renderFailed(w http.ResponseWriter, r *http.Request, err error) {
	id := requestID(r.Context())
	s.log.Error("rendering failed", "request_id", id, "route", r.Pattern, "error", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte("Something went wrong on our side. Reference for support: " + id + "\n"))
}
