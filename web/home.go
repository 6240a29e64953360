package web

import (
	"net/http"

	"lineportal/internal/portal"

	"lineportal/views"
)

// handleHome is the landing page; signed in, it starts with what waits
// for the person.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	var waiting *portal.Waiting
	if a := adminFrom(r.Context()); a != nil {
		found, err := s.db.FindWaiting(r.Context(), *a, s.now())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		waiting = &found
	}
	s.render(w, r, http.StatusOK, views.HomePage(s.shell(w, r, "home"), waiting, s.now()))
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
