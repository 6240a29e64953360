package web

import (
	"net/http"
	"strconv"
	"strings"

	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// Registering what the demo data otherwise provides: Business Manager
// organizations, their administrators and LINE Official Accounts; and
// transferring an Official Account to another organization.

func (s *Server) handleOrganizationNew(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.OrganizationRegisterPage(s.shell(w, r, "organizations"),
		views.OrganizationRegisterForm{Region: string(portal.RegionJapan)}))
}

// handleOrganizationRegister registers an organization under the ID
// Business Manager gave it; the actor becomes its first administrator.
func (s *Server) handleOrganizationRegister(w http.ResponseWriter, r *http.Request) {
	f := views.OrganizationRegisterForm{
		ID:     r.PostFormValue("org_id"),
		Name:   r.PostFormValue("name"),
		Region: r.PostFormValue("region"),
		Info:   businessInfoFrom(r),
	}
	// The portal mirrors Business Manager, so the ID is required here; the
	// store would make one up for an empty ID.
	_, err := portal.ParseOrganizationID(f.ID)
	var org portal.Organization
	if err == nil {
		org, err = s.db.CreateOrganization(r.Context(), actor(r), portal.Organization{
			ID: f.ID, Name: f.Name, Region: portal.Region(f.Region), Info: f.Info,
		})
	}
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			f.Refusal = why
			s.render(w, r, status, views.OrganizationRegisterPage(s.shell(w, r, "organizations"), f))
		})
		return
	}
	s.redirectWithFlash(w, r, views.OrganizationPath(org.ID)+"/business-info", "success", "flash.org_registered", "OrgID", org.ID)
}

// handleOrganizationAdminAdd adds an administrator by LINE user ID,
// registering them if they have never signed in.
func (s *Server) handleOrganizationAdminAdd(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadOrganization(w, r, "members")
	if !ok {
		return
	}
	f := views.AddAdministratorForm{LINEUserID: r.PostFormValue("line_user_id"), Name: r.PostFormValue("name")}
	added, err := s.db.AddOrganizationAdminByLINEUserID(r.Context(), actor(r), h.Organization.ID, f.LINEUserID, f.Name)
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			admins, err := s.db.FindOrganizationAdmins(r.Context(), h.Organization.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			f.Refusal = why
			t := organizationMembersTab(h, admins, f)
			shell := s.shell(w, r, "organizations")
			if t.CanAdd != nil { // an operator: the page has no form to show why
				shell.Flashes = append(shell.Flashes, views.Flash{Kind: "error", Message: why.Message})
			}
			s.render(w, r, status, views.OrganizationMembersPage(shell, t))
		})
		return
	}
	done := "flash.org_admin_added"
	if added.LastSignInAt.IsZero() {
		done = "flash.org_admin_added_not_signed_in"
	}
	s.redirectWithFlash(w, r, views.OrganizationPath(h.Organization.ID)+"/members", "success", done,
		"Name", added.Name, "Organization", h.Organization.Name)
}

func (s *Server) handleOfficialAccountNew(w http.ResponseWriter, r *http.Request) {
	s.renderOfficialAccountRegister(w, r, http.StatusOK, views.OfficialAccountRegisterForm{Package: string(portal.PackageFree)})
}

func (s *Server) renderOfficialAccountRegister(w http.ResponseWriter, r *http.Request, status int, f views.OfficialAccountRegisterForm) {
	var err error
	if f.Channels, err = s.administeredMessagingChannels(r); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, views.OfficialAccountRegisterPage(s.shell(w, r, "official-accounts"), f))
}

// administeredMessagingChannels are the Messaging API channels the actor is
// an Admin of: those an Official Account can be registered on.
func (s *Server) administeredMessagingChannels(r *http.Request) ([]portal.Channel, error) {
	chs, _, err := s.db.FindChannels(r.Context(), store.ChannelFilter{
		Actor: actor(r), Kind: portal.KindMessagingAPI, AdminOnly: true, Page: store.Page{Limit: store.MaxPageSize}})
	return chs, err
}

// handleOfficialAccountRegister registers a LINE Official Account on a
// Messaging API channel; the store checks that the actor is its Admin.
func (s *Server) handleOfficialAccountRegister(w http.ResponseWriter, r *http.Request) {
	f := views.OfficialAccountRegisterForm{
		BasicID:   r.PostFormValue("basic_id"),
		Name:      r.PostFormValue("name"),
		Package:   r.PostFormValue("package"),
		ChannelID: strings.TrimSpace(r.PostFormValue("channel_id")),
		Info:      businessInfoFrom(r),
	}
	channelID, _ := strconv.ParseInt(f.ChannelID, 10, 64)
	oa, err := s.db.CreateOfficialAccount(r.Context(), actor(r), portal.OfficialAccount{
		BasicID: f.BasicID, Name: f.Name, Package: portal.OAPackage(f.Package), ChannelID: channelID, Info: f.Info,
	})
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			f.Refusal = why
			s.renderOfficialAccountRegister(w, r, status, f)
		})
		return
	}
	s.redirectWithFlash(w, r, views.OfficialAccountPath(oa.ID), "success", "flash.oa_registered",
		"BasicID", oa.BasicID, "Channel", oa.ChannelName)
}

// handleOfficialAccountTransfer moves an Official Account's link to another
// organization the actor also administers.
func (s *Server) handleOfficialAccountTransfer(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadOfficialAccount(w, r)
	if !ok {
		return
	}
	dest := r.PostFormValue("dest_org_id")
	link, err := s.db.TransferOfficialAccount(r.Context(), actor(r), v.Account.ID, r.PostFormValue("from_org_id"), dest)
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			v.TransferTo, v.TransferRefusal = dest, why
			shell := s.shell(w, r, "official-accounts")
			if v.CanTransfer != nil { // the page has no transfer form to show why
				shell.Flashes = append(shell.Flashes, views.Flash{Kind: "error", Message: why.Message})
			}
			s.render(w, r, status, views.OfficialAccountPage(shell, v))
		})
		return
	}
	s.redirectWithFlash(w, r, views.OfficialAccountPath(v.Account.ID), "success", "flash.transferred",
		"OrgID", link.OrgID, "Status", reviewStatus(link.Review.Status))
}
