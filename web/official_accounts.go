package web

import (
	"net/http"
	"strconv"

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
		Package:    portal.OAPackage(r.PostFormValue("package")),
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
	link, err := s.db.LinkOfficialAccountToOrganization(r.Context(), actor(r), v.Account.ID, orgInput)
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

// linkedOASection is a LINE Login channel's Linked OA setting: the
// accounts its viewer may choose (the store filters by provider and Admin
// role; the domain decides when it is set).
func (s *Server) linkedOASection(r *http.Request, h views.ChannelHeader) (views.LinkedOASection, error) {
	sec := views.LinkedOASection{CanSet: portal.CanChangeLinkedOA(h.Access.Role), BotPrompt: s.cfg.BotPrompt, PortalOA: s.cfg.PortalOA.Name}
	if sec.CanSet != nil {
		return sec, nil
	}
	var err error
	sec.Choices, _, err = s.db.FindOfficialAccounts(r.Context(), store.OfficialAccountFilter{
		Actor: actor(r), AdminOnly: true, ProviderID: h.Channel.Provider.ID, Page: store.Page{Limit: store.MaxPageSize}})
	return sec, err
}

func (s *Server) handleLinkedOASet(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadChannel(w, r, "bm-link")
	if !ok {
		return
	}
	oaID, _ := strconv.ParseInt(r.PostFormValue("oa_id"), 10, 64)
	l, err := s.db.SetLinkedOA(r.Context(), actor(r), h.Channel.ID, oaID)
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			s.renderBMLinkTab(w, r, status, views.BMLinkTab{ChannelHeader: h, LinkedOA: views.LinkedOASection{Refusal: why}})
		})
		return
	}
	s.redirectWithFlash(w, r, views.ChannelPath(h.Channel.ID), "success", "flash.linked_oa_set", "Name", l.OAName, "BasicID", l.BasicID)
}

// loadOALinking reads the organization and its accounts for the "LINE
// official account linking" screen, refusing whoever may not open it.
func (s *Server) loadOALinking(w http.ResponseWriter, r *http.Request) (views.OALinkingView, bool) {
	h, ok := s.loadOrganization(w, r, "oa-linking")
	if !ok {
		return views.OALinkingView{}, false
	}
	v := views.OALinkingView{OrganizationHeader: h}
	err := portal.CanOpenOALinking(h.Access.Admin, h.Organization)
	if err == nil {
		v.Accounts, _, err = s.db.FindOfficialAccounts(r.Context(), store.OfficialAccountFilter{OrgID: h.Organization.ID, Page: store.Page{Limit: store.MaxPageSize}})
	}
	if err == nil && r.PathValue("oa") != "" {
		var oaID int64
		if oaID, err = pathInt64(r, "oa"); err == nil {
			err = portal.Errorf(portal.ENOTFOUND, "This LINE Official Account is not linked to organization %s.", h.Organization.ID)
			for i := range v.Accounts {
				if v.Accounts[i].ID == oaID {
					v.Selected, err = &v.Accounts[i], portal.CanSelectOfficialAccount(h.Access.Admin, v.Accounts[i])
				}
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return v, false
	}
	return v, true
}

func (s *Server) handleOALinking(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.loadOALinking(w, r); ok {
		s.render(w, r, http.StatusOK, views.OALinkingPage(s.shell(w, r, "organizations"), v))
	}
}

func (s *Server) handleOALinkTargets(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadOALinking(w, r)
	if !ok {
		return
	}
	targets, next, err := s.db.FindOALinkTargets(r.Context(), v.Organization.ID, v.Selected.ID, pageOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Targets, v.NextHref = append([]portal.LinkTarget{}, targets...), nextHref(r, string(next))
	s.render(w, r, http.StatusOK, views.OALinkingPage(s.shell(w, r, "organizations"), v))
}

// loadOALinkPair reads the account and channel of the confirmation screen
// and checks that they may be linked now.
func (s *Server) loadOALinkPair(w http.ResponseWriter, r *http.Request) (views.OALinkingView, portal.Channel, bool) {
	v, ok := s.loadOALinking(w, r)
	if !ok {
		return v, portal.Channel{}, false
	}
	id, err := pathInt64(r, "channel")
	var ch portal.Channel
	if err == nil {
		ch, err = s.db.FindChannelByID(r.Context(), id)
	}
	if err == nil {
		err = portal.CanLinkOfficialAccount(v.Access.Admin, *v.Selected, ch)
	}
	if err != nil {
		s.fail(w, r, err)
		return v, ch, false
	}
	return v, ch, true
}

func (s *Server) handleOALinkConfirm(w http.ResponseWriter, r *http.Request) {
	if v, ch, ok := s.loadOALinkPair(w, r); ok {
		s.render(w, r, http.StatusOK, views.OALinkConfirmPage(s.shell(w, r, "organizations"), v.OrganizationHeader, *v.Selected, ch))
	}
}

func (s *Server) handleOALink(w http.ResponseWriter, r *http.Request) {
	v, ch, ok := s.loadOALinkPair(w, r)
	if !ok {
		return
	}
	l, err := s.db.LinkMiniAppToOfficialAccount(r.Context(), actor(r), v.Selected.ID, ch.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, views.OfficialAccountPath(l.OfficialAccountID), "success", "flash.oa_linked",
		"Channel", l.ChannelName, "Name", l.OAName, "BasicID", l.BasicID)
}
