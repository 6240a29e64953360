package web

import (
	"fmt"
	"net/http"
	"strings"

	"lineportal/internal/line"
	"lineportal/internal/portal"
	"lineportal/views"
)

// canNotifyByLINE tells whether a link request URL for orgID can go out as
// a LINE message: the portal can push from its Official Account, and at
// least one administrator of the organization is that account's friend
// (LINE delivers nothing to anyone else).
func (s *Server) canNotifyByLINE(r *http.Request, orgID string) (bool, error) {
	if !s.canPushFromPortalOA() {
		return false, nil
	}
	admins, err := s.db.FindOrganizationAdmins(r.Context(), orgID)
	if err != nil {
		return false, err
	}
	return len(portal.ReachableByLINE(admins)) > 0, nil
}

// canPushFromPortalOA tells whether the portal can push messages from its
// Official Account.
func (s *Server) canPushFromPortalOA() bool {
	return s.cfg.LINE != nil && s.cfg.PortalOA.ChannelToken != ""
}

// handleLinkRequestNotify pushes a just-issued link request URL to the
// organization's administrators who are friends of the portal's Official
// Account. The URL comes back in the form from the page that showed it: the
// portal keeps only its hash, and the hash proves it is this channel's
// current request.
func (s *Server) handleLinkRequestNotify(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadChannel(w, r, "bm-link")
	if !ok {
		return
	}
	token := r.PostFormValue("token")
	a, err := s.db.FindLinkRequestByToken(r.Context(), actor(r), token)
	if err == nil && a.Request.ChannelID != h.Channel.ID {
		err = portal.Errorf(portal.ENOTFOUND, "This link request belongs to another channel.")
	}
	if err == nil {
		err = portal.CanSendLinkRequest(h.Access.Role, h.Channel)
	}
	if err == nil {
		err = a.Request.Usable(s.now())
	}
	if err == nil && !s.canPushFromPortalOA() {
		// The page offers no button then; a hand-made POST gets this.
		err = portal.Errorf(portal.EUNAVAILABLE, "This portal can't send LINE messages: its Official Account's channel access token is not configured.")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	admins, err := s.db.FindOrganizationAdmins(r.Context(), a.Request.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	text := fmt.Sprintf("Link request for the LINE MINI App channel %q (%s) to your organization %s (%s). Review and approve it here: %s — it works until %s.",
		a.Channel.Name, a.Channel.LINEChannelID, a.Organization.Name, a.Organization.ID, s.absoluteURL("/link/"+token), a.Request.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"))
	reachable := portal.ReachableByLINE(admins)
	var sent []string
	var failed, reason string
	for _, admin := range reachable {
		err := s.cfg.LINE.PushText(r.Context(), s.cfg.PortalOA.ChannelToken, "", admin.LINEUserID, text, line.RetryKey(fmt.Sprintf("link-request-push:%d:%d", a.Request.ID, admin.ID)))
		if err != nil {
			s.log.Warn("pushing a link request URL failed", "request_id", requestID(r.Context()), "line_request_id", line.RequestID(err), "error", err)
			failed, reason = admin.Name, views.Sentence(r.Context(), line.Refusal(err, ""))
			break
		}
		sent = append(sent, admin.Name)
	}
	// The channel's page shows the URL once more, with what was sent.
	page, names := views.ChannelPath(h.Channel.ID), strings.Join(sent, ", ")
	switch {
	case failed != "" && len(sent) > 0:
		s.redirectRevealing(w, r, page, token, "error", "flash.link_url_sent_partly", "Names", names, "Name", failed, "Reason", reason)
	case failed != "":
		s.redirectRevealing(w, r, page, token, "error", "flash.link_url_not_delivered", "Name", failed, "Reason", reason)
	case len(sent) == 0:
		s.redirectRevealing(w, r, page, token, "warning", "flash.link_url_no_friend", "OrgID", a.Request.OrgID, "OA", s.cfg.PortalOA.Name)
	default:
		s.redirectRevealing(w, r, page, token, "success", "flash.link_url_sent", "Names", names)
	}
}
