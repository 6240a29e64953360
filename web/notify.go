package web

import (
	"context"
	"fmt"
	"net/http"

	"lineportal/internal/line"
	"lineportal/internal/locale"
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
		err = portal.Refuse(portal.ENOTFOUND, portal.RLinkRequestOtherChannel)
	}
	if err == nil {
		err = portal.CanSendLinkRequest(h.Access.Role, h.Channel)
	}
	if err == nil {
		err = a.Request.Usable(s.now())
	}
	if err == nil && !s.canPushFromPortalOA() {
		// The page offers no button then; a hand-made POST gets this.
		err = portal.Refuse(portal.EUNAVAILABLE, portal.RNoPortalOAToken)
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
	reachable := portal.ReachableByLINE(admins)
	// The developer learns how many administrators got it, not who they
	// are: whoever has a channel that may send link requests can name any
	// organization, theirs or not.
	sent, reason := 0, ""
	for _, admin := range reachable {
		// Each administrator reads it in their own language and zone.
		l := locale.New(locale.Match(admin.Language), admin.TimeZone)
		text := l.T("line.link_request", "Channel", a.Channel.Name, "ChannelID", a.Channel.LINEChannelID,
			"Organization", a.Organization.Name, "OrgID", a.Organization.ID, "URL", s.absoluteURL("/link/"+token), "Expires", l.Time(a.Request.ExpiresAt))
		key := fmt.Sprintf("link-request-push:%d:%d", a.Request.ID, admin.ID)
		err := s.cfg.LINE.PushText(r.Context(), s.cfg.PortalOA.ChannelToken, "", admin.LINEUserID, text, line.RetryKey(key))
		if err != nil {
			s.log.Warn("pushing a link request URL failed", "request_id", requestID(r.Context()), "line_request_id", line.RequestID(err), "error", err)
			reason = views.Sentence(r.Context(), line.Refusal(err, ""))
			break
		}
		sent++
		// The request's notice to them, still waiting, need not follow by
		// LINE: this message told them more. Were it not recorded, they
		// would only get both.
		// Recorded even if the developer goes away now: the message went.
		if err := s.db.LinkRequestURLPushed(context.WithoutCancel(r.Context()), a.Request.ID, admin.ID, key); err != nil {
			s.log.Warn("recording a pushed link request URL failed", "request_id", requestID(r.Context()), "error", err)
		}
	}
	// The channel's page shows the URL once more, with what was sent.
	page, org := views.ChannelPath(h.Channel.ID), a.Request.OrgID
	switch {
	case reason != "" && sent > 0:
		s.redirectRevealing(w, r, page, token, "error", "flash.link_url_sent_partly", "Count", sent, "OrgID", org, "Reason", reason)
	case reason != "":
		s.redirectRevealing(w, r, page, token, "error", "flash.link_url_not_delivered", "OrgID", org, "Reason", reason)
	case sent == 0:
		s.redirectRevealing(w, r, page, token, "warning", "flash.link_url_no_friend", "OrgID", org, "OA", s.cfg.PortalOA.Name)
	default:
		s.redirectRevealing(w, r, page, token, "success", "flash.link_url_sent", "Count", sent, "OrgID", org)
	}
}
