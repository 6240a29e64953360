package web

import (
	"net/http"
	"strconv"
	"strings"

	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

func (s *Server) handleOfficialAccountList(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	accounts, next, err := s.db.FindOfficialAccounts(r.Context(), store.OfficialAccountFilter{Actor: a, All: portal.CanListAll(a) == nil,
		Page: pageOf(r)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.OfficialAccountListPage(s.shell(w, r, "official-accounts"),
		views.OfficialAccountListView{Accounts: accounts, NextHref: nextHref(r, string(next))}))
}

// loadOfficialAccount reads the account in the path with everything its
// page shows, answering the request itself when that fails.
func (s *Server) loadOfficialAccount(w http.ResponseWriter, r *http.Request) (views.OfficialAccountView, bool) {
	ctx := r.Context()
	var v views.OfficialAccountView
	id, err := pathInt64(r, "id")
	if err == nil {
		v.Account, err = s.db.FindOfficialAccountByID(ctx, id)
	}
	if err == nil {
		v.Access, err = s.db.FindOfficialAccountAccess(ctx, actor(r), id)
	}
	if err == nil {
		err = v.Access.CanView()
	}
	if err == nil {
		v.Roles, err = s.db.FindOfficialAccountRoles(ctx, id)
	}
	if err == nil {
		v.Linked, err = s.db.FindOfficialAccountChannels(ctx, id)
	}
	if err == nil {
		v.History, _, err = s.db.FindAuditEntries(ctx, store.AuditFilter{OfficialAccountID: id, Page: store.Page{Limit: historyRows}})
	}
	if err == nil && v.Account.Link != nil {
		var org portal.Organization
		if org, err = s.db.FindOrganizationByID(ctx, v.Account.Link.OrgID); err == nil {
			v.Guidance = portal.RejectionGuidance(v.Account.Link.Review, org)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return v, false
	}
	v.Edit = v.Account.Edit()
	v.CanEdit = portal.CanEditOfficialAccount(v.Access.Role, v.Account, v.Edit)
	v.CanLink = portal.CanStartOrganizationLink(v.Access.Role)
	v.CanTransfer = portal.CanStartOfficialAccountTransfer(v.Account, v.Access.OrgAdmin)
	return v, true
}

func (s *Server) handleOfficialAccountShow(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.loadOfficialAccount(w, r); ok {
		_ = s.readOfficialAccountLINE(r, &v) // shown on the page
		s.render(w, r, http.StatusOK, views.OfficialAccountPage(s.shell(w, r, "official-accounts"), v))
	}
}

func (s *Server) handleOfficialAccountUpdate(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadOfficialAccount(w, r)
	if !ok {
		return
	}
	edit := portal.OfficialAccountEdit{
		Name:       r.PostFormValue("name"),
		PictureURL: r.PostFormValue("picture_url"),
		Plan:       portal.OAPlan(r.PostFormValue("plan")),
		Info:       businessInfoFrom(r),
	}
	if err := s.db.UpdateOfficialAccount(r.Context(), actor(r), v.Account.ID, edit); err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			v.Edit, v.EditRefusal = edit, why
			s.render(w, r, status, views.OfficialAccountPage(s.shell(w, r, "official-accounts"), v))
		})
		return
	}
	s.redirectWithFlash(w, r, views.OfficialAccountPath(v.Account.ID), "success", "flash.saved")
}

func (s *Server) handleOfficialAccountOrgLink(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadOfficialAccount(w, r)
	if !ok {
		return
	}
	orgInput := r.PostFormValue("org_id")
	orgID, err := portal.ParseOrganizationID(orgInput)
	var link portal.Link
	if err == nil {
		link, err = s.db.LinkOfficialAccountToOrganization(r.Context(), actor(r), v.Account.ID, orgID)
	}
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			v.OrgInput, v.LinkRefusal = orgInput, why
			s.render(w, r, status, views.OfficialAccountPage(s.shell(w, r, "official-accounts"), v))
		})
		return
	}
	s.redirectWithFlash(w, r, views.OfficialAccountPath(v.Account.ID), "success", "flash.oa_org_linked",
		"OrgID", link.OrgID, "Status", reviewStatus(link.Review.Status))
}

func (s *Server) handleOfficialAccountNew(w http.ResponseWriter, r *http.Request) {
	s.renderOfficialAccountRegister(w, r, http.StatusOK, views.OfficialAccountRegisterForm{})
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
// an Admin of that have no Official Account yet: those one can be
// registered on.
func (s *Server) administeredMessagingChannels(r *http.Request) ([]portal.Channel, error) {
	chs, _, err := s.db.FindChannels(r.Context(), store.ChannelFilter{
		Actor: actor(r), Kind: portal.KindMessagingAPI, AdminOnly: true, WithoutOfficialAccount: true, Page: store.Page{Limit: store.MaxPageSize}})
	return chs, err
}

// handleOfficialAccountRegister registers a LINE Official Account on a
// Messaging API channel; the store checks that the actor is its Admin.
func (s *Server) handleOfficialAccountRegister(w http.ResponseWriter, r *http.Request) {
	f := views.OfficialAccountRegisterForm{
		BasicID:   r.PostFormValue("basic_id"),
		Name:      r.PostFormValue("name"),
		Plan:      r.PostFormValue("plan"),
		ChannelID: strings.TrimSpace(r.PostFormValue("channel_id")),
		Info:      businessInfoFrom(r),
	}
	channelID, _ := strconv.ParseInt(f.ChannelID, 10, 64)
	basicID, err := portal.ParseBasicID(f.BasicID)
	oa := portal.OfficialAccount{BasicID: basicID, Name: f.Name, Plan: portal.OAPlan(f.Plan), ChannelID: channelID, Info: f.Info}
	if err == nil {
		oa, err = s.db.CreateOfficialAccount(r.Context(), actor(r), oa)
	} else {
		// The other fields' problems are told with the basic ID's.
		err = portal.FieldRefusals(err, portal.CheckNewOfficialAccount(oa))
	}
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
// handleOfficialAccountTransferConfirm asks before an Official Account's
// link moves, naming what it does to the account linking review, as
// handleChannelTransferConfirm does for a channel.
func (s *Server) handleOfficialAccountTransferConfirm(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadOfficialAccount(w, r)
	if !ok {
		return
	}
	if v.CanTransfer != nil {
		s.fail(w, r, v.CanTransfer)
		return
	}
	input := r.URL.Query().Get("dest_org_id")
	if input == "" {
		// No destination to confirm: the transfer form is on the
		// account's page.
		http.Redirect(w, r, views.OfficialAccountPath(v.Account.ID), http.StatusSeeOther)
		return
	}
	from, err := s.db.FindOrganizationByID(r.Context(), v.Account.Link.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	to, err := s.transferDestination(r, input, func(id portal.OrganizationID, dest *portal.Organization, toAdmin bool) error {
		return portal.CanTransferOfficialAccount(v.Account, v.Access.OrgAdmin, id, dest, toAdmin)
	})
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			v.TransferTo, v.TransferRefusal = input, why
			s.render(w, r, status, views.OfficialAccountPage(s.shell(w, r, "official-accounts"), v))
		})
		return
	}
	s.render(w, r, http.StatusOK, views.TransferConfirmPage(s.shell(w, r, "official-accounts"), views.TransferConfirm{
		Subject: v.Account.Name, From: from, To: to, Review: v.Account.Link.Review.Status,
		Action: views.OfficialAccountPath(v.Account.ID) + "/transfer", Cancel: views.OfficialAccountPath(v.Account.ID),
	}))
}

func (s *Server) handleOfficialAccountTransfer(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadOfficialAccount(w, r)
	if !ok {
		return
	}
	dest := r.PostFormValue("dest_org_id")
	destID, err := portal.ParseOrganizationID(dest)
	var link portal.Link
	if err == nil {
		link, err = s.db.TransferOfficialAccount(r.Context(), actor(r), v.Account.ID, r.PostFormValue("from_org_id"), destID)
	}
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
