package web

import (
	"net/http"

	"lineportal/views"
)

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	shell := s.shell(w, r, "home")
	s.render(w, r, http.StatusOK, views.HomePage(shell))
}

// handleHealthz answers 200 "ok" while the database answers.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.Ping(r.Context()); err != nil {
		s.log.Error("health check failed", "error", err, "request_id", requestID(r.Context()))
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok"))
}
