package web

import (
	"lineportal/static"
)

// routes is the whole route table, read top to bottom.
func (s *Server) routes() {
	// Assets and health: no session.
	s.mux.Handle("GET /static/{hash}/{name}", static.Handler())
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)

	// Pages.
	s.mux.HandleFunc("GET /{$}", s.handleHome)

	// Sign-in.
	s.mux.HandleFunc("POST /logout", s.handleLogout)

	// Everything else: 405 when the path exists for another method, else
	// the 404 page.
	s.mux.HandleFunc("/", s.handleNoRoute)
}
