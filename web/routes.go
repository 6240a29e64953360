package web

import (
	"lineportal/static"
)

// routes is the whole route table, read top to bottom.
func (s *Server) routes() {
	// Assets and health: no session.
	s.mux.Handle("GET /static/{hash}/{name}", static.Handler())
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)

	// Sign-in.
	s.mux.HandleFunc("GET /login", s.handleLogin)
	s.mux.HandleFunc("GET /auth/callback", s.handleAuthCallback)
	s.mux.HandleFunc("POST /logout", s.handleLogout)

	// Pages.
	s.mux.Handle("GET /{$}", s.withAdmin(s.handleHome))
	s.mux.Handle("GET /profile", s.signedIn(s.handleProfile))

	// Everything else: 405 when the path exists for another method, else
	// the 404 page.
	s.mux.HandleFunc("/", s.handleNoRoute)
}
