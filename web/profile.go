package web

import (
	"net/http"

	"lineportal/internal/portal"
	"lineportal/views"
)

func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request) {
	a := adminFrom(r.Context())
	shell := s.shell(w, r, "profile")
	s.render(w, r, http.StatusOK, views.ProfilePage(shell, views.ProfileView{
		Name:              a.Name,
		PictureURL:        a.PictureURL,
		LINEUserID:        a.LINEUserID,
		Roles:             roleNames(a),
		FriendshipChanged: triState(a.FriendshipChanged, "absent"),
		FriendFlag:        triState(a.FriendFlag, "unknown"),
		LastSignInAt:      a.LastSignInAt,
		OAName:            s.cfg.PortalOA.Name,
		AddFriendURL:      s.cfg.PortalOA.AddFriendURL,
	}))
}

func roleNames(a *portal.Admin) []string {
	roles := []string{"Admin"}
	if a.Operator {
		roles = append(roles, "Operator")
	}
	return roles
}

func triState(b *bool, unset string) string {
	switch {
	case b == nil:
		return unset
	case *b:
		return "true"
	default:
		return "false"
	}
}
