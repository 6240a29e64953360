package web

import "net/http"

// handleLogout ends the session on the server and clears the cookie.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if sess := s.sessions.current(r); sess != nil {
		sess.Options.MaxAge = -1
		if err := sess.Save(r, w); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
