package web

import (
	"context"
	"net/http"

	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request) {
	a := adminFrom(r.Context())
	roles, err := s.roleNames(r.Context(), *a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	choices, err := s.db.LINEChoices(r.Context(), a.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	shell := s.shell(w, r, "profile")
	s.render(w, r, http.StatusOK, views.ProfilePage(shell, views.ProfileView{
		Name:              a.Name,
		PictureURL:        a.PictureURL,
		LINEUserID:        a.LINEUserID,
		Roles:             roles,
		FriendshipChanged: triState(a.FriendshipChanged, "absent"),
		FriendFlag:        triState(a.FriendFlag, "unknown"),
		Blocked:           a.BlockedPortalOA,
		LastSignInAt:      a.LastSignInAt,
		OAName:            s.cfg.PortalOA.Name,
		AddFriendURL:      s.cfg.PortalOA.AddFriendURL,
		FriendshipLive:    s.cfg.PortalOA.ChannelSecret != "",
		Settings:          settingsView(r, a),
		LINEChoices:       choices,
	}))
}

// handleLINEChoices saves which kinds of notice also reach the admin as
// LINE messages: a checked box is on, any other kind off.
func (s *Server) handleLINEChoices(w http.ResponseWriter, r *http.Request) {
	choices := portal.LINEChoices{}
	for _, k := range portal.NoticeKinds {
		choices[k] = r.PostFormValue(views.LINEChoiceField(k)) == "on"
	}
	if err := s.db.SetLINEChoices(r.Context(), adminFrom(r.Context()).ID, choices); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/profile", "success", "line_choices.saved")
}

// roleNames says what the admin is in the portal: their roles on channels,
// the organizations they administer, and whether they are an operator.
func (s *Server) roleNames(ctx context.Context, a portal.Admin) ([]string, error) {
	var roles []string
	if a.Operator {
		roles = append(roles, tr(ctx, "role.operator"))
	}
	counts, err := s.db.CountChannelRoles(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	for _, role := range []portal.ChannelRole{portal.RoleAdmin, portal.RoleMember} {
		if n := counts[role]; n > 0 {
			roles = append(roles, tr(ctx, "role.of_channels", "Role", views.RoleLabel(ctx, role), "Count", n))
		}
	}
	orgs, _, err := s.db.FindOrganizations(ctx, store.OrganizationFilter{Actor: a, Page: store.Page{Limit: store.MaxPageSize}})
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		roles = append(roles, tr(ctx, "role.org_admin", "Name", o.Name, "ID", o.ID))
	}
	if len(roles) == 0 {
		roles = []string{tr(ctx, "role.none_yet")}
	}
	return roles, nil
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
