package web

import (
	"net/http"

	"lineportal/internal/portal"
	"lineportal/views"
)

// A channel's Members tab: who has which role, and giving a role.

func (s *Server) handleChannelMembers(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadChannel(w, r, "members")
	if !ok {
		return
	}
	s.renderMembersTab(w, r, h, http.StatusOK, views.GrantRoleForm{}, views.Refusal{})
}

// renderMembersTab renders the Members tab with the form's input and why
// it was refused, if it was.
func (s *Server) renderMembersTab(w http.ResponseWriter, r *http.Request, h views.ChannelHeader, status int, form views.GrantRoleForm, why views.Refusal) {
	roles, err := s.db.FindChannelRoles(r.Context(), h.Channel.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, views.ChannelMembersPage(s.shell(w, r, "channels"), views.MembersTab{
		ChannelHeader: h,
		Roles:         roles,
		CanGrant:      portal.CanSetChannelRole(h.Access.Role, portal.RoleMember),
		Form:          form,
		Refusal:       why,
	}))
}

// handleChannelRoleGrant gives a LINE user a role on the channel: the
// store registers them if they have never signed in and sets the role in
// one transaction.
func (s *Server) handleChannelRoleGrant(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadChannel(w, r, "members")
	if !ok {
		return
	}
	form := views.GrantRoleForm{LINEUserID: r.PostFormValue("line_user_id"), Role: r.PostFormValue("role")}
	granted, before, err := s.db.GrantChannelRole(r.Context(), actor(r), h.Channel.ID, form.LINEUserID, portal.ChannelRole(form.Role))
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			s.renderMembersTab(w, r, h, status, form, why)
		})
		return
	}
	done := map[[2]bool]string{
		{false, false}: "flash.role_granted", {false, true}: "flash.role_granted_not_signed_in",
		{true, false}: "flash.role_unchanged", {true, true}: "flash.role_unchanged_not_signed_in",
	}[[2]bool{before == granted.Role, granted.Admin.LastSignInAt.IsZero()}]
	s.redirectWithFlash(w, r, views.ChannelPath(h.Channel.ID)+"/members", "success", done,
		"Name", granted.Admin.Name, "Role", msgID(views.RoleID(granted.Role)))
}
