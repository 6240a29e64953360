package web

import (
	"net/http"

	"lineportal/internal/portal"
	"lineportal/views"
)

// handleLinkApprovalShow shows the approval screen of a link request URL.
// It only reads: link-preview bots fetch URLs pasted in chats, and a GET
// must never approve or use anything up.
func (s *Server) handleLinkApprovalShow(w http.ResponseWriter, r *http.Request) {
	a, err := s.db.FindLinkRequestByToken(r.Context(), actor(r), r.PathValue("token"))
	if err == nil {
		err = portal.CanApprove(actor(r), a, s.now())
	}
	if err != nil {
		s.refuseApproval(w, r, a, err)
		return
	}
	s.render(w, r, http.StatusOK, views.LinkApprovalPage(s.shell(w, r, ""), a, s.now()))
}

// refuseApproval answers an approval screen that can't be shown with the
// page that says why (not an administrator, expired, replaced). One whose
// channel is linked to the organization now (this request was approved,
// by this administrator or another, or a newer one, or the channel came
// by a transfer) leads its administrators on to the channel instead: the
// URL or the notice they kept is not an error.
func (s *Server) refuseApproval(w http.ResponseWriter, r *http.Request, a portal.LinkApproval, err error) {
	if a.LinkedHere() {
		s.redirectWithFlash(w, r, views.AccountPath(a.Organization.ID, a.Channel.ID), "info", "flash.link_request_done", "OrgID", a.Organization.ID)
		return
	}
	s.fail(w, r, err)
}

// handleLinkApprove approves the link request: the channel is linked to the
// organization and its account linking review starts.
func (s *Server) handleLinkApprove(w http.ResponseWriter, r *http.Request) {
	link, err := s.db.ApproveLinkRequest(r.Context(), actor(r), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.approved(w, r, link)
}

// approved finishes an approval: the linked channel's details in the
// organization, with its review's status.
func (s *Server) approved(w http.ResponseWriter, r *http.Request, link portal.Link) {
	s.redirectWithFlash(w, r, views.AccountPath(link.OrgID, link.ChannelID), "success", "flash.link_approved",
		"OrgID", link.OrgID, "Status", reviewStatus(link.Review.Status))
}

// handleHomeApprovalShow is the approval screen of a link request opened
// from Home by an administrator of its organization: the same screen, the
// precaution and the same rules as at its URL, which is not needed.
func (s *Server) handleHomeApprovalShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt64(r, "id")
	var a portal.LinkApproval
	if err == nil {
		a, err = s.db.FindLinkRequestToApprove(r.Context(), actor(r), r.PathValue("org"), id)
	}
	if err == nil {
		err = portal.CanApprove(actor(r), a, s.now())
	}
	if err != nil {
		s.refuseApproval(w, r, a, err)
		return
	}
	s.render(w, r, http.StatusOK, views.LinkApprovalPage(s.shell(w, r, "home"), a, s.now()))
}

// handleHomeApprove approves a link request from Home.
func (s *Server) handleHomeApprove(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt64(r, "id")
	var link portal.Link
	if err == nil {
		link, err = s.db.ApproveLinkRequestByID(r.Context(), actor(r), r.PathValue("org"), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.approved(w, r, link)
}
