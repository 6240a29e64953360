package web

import (
	"net/http"
	"strconv"

	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// A LINE Login channel's Linked OA setting.

// linkedOASection is a LINE Login channel's Linked OA setting: the
// accounts its viewer may choose (the store filters by provider and Admin
// role; the domain decides when it is set).
func (s *Server) linkedOASection(r *http.Request, h views.ChannelHeader) (views.LinkedOASection, error) {
	sec := views.LinkedOASection{CanSet: portal.CanChangeLinkedOA(h.Access.Role), BotPrompt: s.cfg.BotPrompt, PortalOA: s.cfg.PortalOA.Name}
	if l := h.Channel.LinkedOA; l != nil {
		sec.Selected = l.OfficialAccountID
	}
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
			s.renderBMLinkTab(w, r, status, views.BMLinkTab{ChannelHeader: h, LinkedOA: views.LinkedOASection{Refusal: why, Selected: oaID}})
		})
		return
	}
	s.redirectWithFlash(w, r, views.ChannelPath(h.Channel.ID), "success", "flash.linked_oa_set", "Name", l.OAName, "BasicID", l.BasicID)
}
