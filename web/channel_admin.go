package web

import (
	"net/http"
	"strings"

	"lineportal/internal/portal"
	"lineportal/views"
)

// Registering channels and giving people roles on them.

func (s *Server) handleChannelNew(w http.ResponseWriter, r *http.Request) {
	s.renderChannelRegister(w, r, http.StatusOK, views.ChannelRegisterForm{Region: string(portal.RegionJapan)})
}

func (s *Server) renderChannelRegister(w http.ResponseWriter, r *http.Request, status int, f views.ChannelRegisterForm) {
	var err error
	if f.Providers, err = s.providersOf(r.Context(), actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, views.ChannelRegisterPage(s.shell(w, r, "channels"), f))
}

// handleChannelRegister registers a LINE MINI App, LINE Login or Messaging
// API channel; the store checks the provider and makes the actor its Admin.
func (s *Server) handleChannelRegister(w http.ResponseWriter, r *http.Request) {
	f := views.ChannelRegisterForm{
		Kind:          r.PostFormValue("kind"),
		Name:          r.PostFormValue("name"),
		LINEChannelID: strings.TrimSpace(r.PostFormValue("line_channel_id")),
		Region:        r.PostFormValue("region"),
		ProviderID:    r.PostFormValue("provider_id"),
		NewProvider:   r.PostFormValue("new_provider"),
		Draft:         miniAppInfoFrom(r),
	}
	in := portal.Channel{Kind: portal.ChannelKind(f.Kind), Name: f.Name, LINEChannelID: f.LINEChannelID, Region: portal.Region(f.Region),
		Provider: providerChoice(f.ProviderID, f.NewProvider)}
	// The draft section is on the form whatever the kind (no JavaScript
	// hides it); it says that other kinds ignore it.
	if in.Kind == portal.KindMiniApp {
		in.Draft = f.Draft
	}
	ch, err := s.db.RegisterChannel(r.Context(), actor(r), in)
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			f.Refusal = why
			s.renderChannelRegister(w, r, status, f)
		})
		return
	}
	done := "flash.channel_registered"
	if ch.Kind == portal.KindMiniApp {
		done = "flash.mini_app_registered"
	}
	s.redirectWithFlash(w, r, views.ChannelPath(ch.ID), "success", done,
		"Kind", msgID(views.KindID(ch.Kind)), "Name", ch.Name, "Provider", ch.Provider.Name)
}

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
