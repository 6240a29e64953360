package web

import (
	"net/http"
)

// canNotifyByLINE tells whether the link request URL for orgID can be sent
// as a LINE message: the portal can push, and at least one administrator
// of the organization is a friend of the portal's Official Account.
func (s *Server) canNotifyByLINE(r *http.Request, orgID string) (bool, error) {
	return false, nil
}

func (s *Server) handleLinkRequestNotify(w http.ResponseWriter, r *http.Request) {
	http.NotFound(w, r)
}
