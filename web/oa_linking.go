package web

import (
	"net/http"

	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// "LINE official account linking": an organization administrator links a
// LINE MINI App channel to an Official Account of the same organization.

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
			err = portal.Refuse(portal.ENOTFOUND, portal.RThisOANotLinkedToOrg, "OrgID", h.Organization.ID)
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
