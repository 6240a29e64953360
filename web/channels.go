package web

import (
	"net/http"

	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// historyRows is how many link requests and reviews a channel's tab shows;
// the History tab pages through everything.
const historyRows = 20

func (s *Server) handleChannelList(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	q := r.URL.Query()
	f := store.ChannelFilter{
		Actor: a,
		All:   portal.CanListAll(a) == nil,
		Kind:  portal.ChannelKind(q.Get("kind")),
		Name:  q.Get("name"),
		Page:  pageOf(r),
	}
	if f.Kind != "" && !f.Kind.Valid() {
		f.Kind = ""
	}
	channels, next, err := s.db.FindChannels(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ChannelListPage(s.shell(w, r, "channels"), views.ChannelListView{
		Channels: channels, Kind: string(f.Kind), Name: f.Name, All: f.All, NextHref: nextHref(r, string(next)),
	}))
}

// loadChannel reads the channel in the path and what the actor may do on
// it, answering the request itself when that fails.
func (s *Server) loadChannel(w http.ResponseWriter, r *http.Request, tab string) (views.ChannelHeader, bool) {
	id, err := pathInt64(r, "id")
	if err == nil {
		h := views.ChannelHeader{Tab: tab}
		if h.Channel, h.Access, h.Organization, err = s.db.FindChannelWithAccess(r.Context(), actor(r), id); err == nil {
			if err = h.Access.CanView(); err == nil {
				return h, true
			}
		}
	}
	s.fail(w, r, err)
	return views.ChannelHeader{}, false
}

func (s *Server) handleChannelShow(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadChannel(w, r, "bm-link")
	if !ok {
		return
	}
	t := views.BMLinkTab{ChannelHeader: h}
	if token, ok := s.revealed(w, r); ok {
		var err error
		if t.Issued, t.CanNotifyByLINE, err = s.issuedURL(r, h.Channel.ID, token); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.renderBMLinkTab(w, r, http.StatusOK, t)
}

// issuedURL is the link request URL of token, for the page that shows it
// once, and whether it can go out as a LINE message (canNotifyByLINE). It
// is nil when token is no longer the channel's usable request (replaced or
// expired since).
func (s *Server) issuedURL(r *http.Request, channelID int64, token string) (*views.IssuedURL, bool, error) {
	a, err := s.db.FindLinkRequestByToken(r.Context(), actor(r), token)
	if portal.ErrorCode(err) == portal.ENOTFOUND {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if a.Request.ChannelID != channelID || a.Request.Usable(s.now()) != nil {
		return nil, false, nil
	}
	canNotify, err := s.canNotifyByLINE(r, a.Request.OrgID)
	if err != nil {
		return nil, false, err
	}
	return &views.IssuedURL{URL: s.absoluteURL("/link/" + token), Token: token, ExpiresAt: a.Request.ExpiresAt, OrgID: a.Request.OrgID}, canNotify, nil
}

// renderBMLinkTab renders the Business Manager link tab of t's channel,
// with what t already holds: the send form as given (Form), the URL just
// issued (Issued) and whether it can go out as a LINE message
// (CanNotifyByLINE, canNotifyByLINE), why the Linked OA form was refused
// (LinkedOA.Refusal).
func (s *Server) renderBMLinkTab(w http.ResponseWriter, r *http.Request, status int, t views.BMLinkTab) {
	ctx, h := r.Context(), t.ChannelHeader
	t.Now = s.now()
	t.CanSend = portal.CanSendLinkRequest(h.Access.Role, h.Channel)
	if link := h.Channel.Link; link != nil && h.Organization != nil {
		t.Guidance = portal.RejectionGuidance(link.Review, *h.Organization)
	}
	t.CanOpenOALinking = portal.CanOpenOALinkingFrom(h.Channel, h.Access.OrgAdmin, t.Organization)
	reqs, _, err := s.db.FindLinkRequests(ctx, store.LinkRequestFilter{ChannelID: h.Channel.ID, Page: store.Page{Limit: historyRows}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t.Requests = reqs
	for i := range reqs {
		if reqs[i].State == portal.LinkRequestPending {
			t.Pending = &reqs[i]
			break
		}
	}
	if t.Reviews, _, err = s.db.FindReviewHistory(ctx, store.ReviewFilter{ChannelID: h.Channel.ID, Page: store.Page{Limit: historyRows}}); err != nil {
		s.fail(w, r, err)
		return
	}
	if h.Channel.Kind == portal.KindLogin {
		refused := t.LinkedOA
		if t.LinkedOA, err = s.linkedOASection(r, h); err != nil {
			s.fail(w, r, err)
			return
		}
		t.LinkedOA.Refusal = refused.Refusal
		if refused.Selected != 0 {
			t.LinkedOA.Selected = refused.Selected
		}
	}
	s.render(w, r, status, views.ChannelBMLinkPage(s.shell(w, r, "channels"), t))
}

// handleLinkRequestCreate sends a link request. Only the new URL's hash is
// kept, so the URL is shown once: its token travels sealed to the channel's
// page (redirectRevealing), and reloading that page sends nothing again.
//
// The store checks inside the write that the sender is an Admin of the
// channel, so the channel's header is read (loadChannel) only to show a
// refusal: someone who may not even see the channel gets loadChannel's
// answer, as if it had come first, and nothing was written.
func (s *Server) handleLinkRequestCreate(w http.ResponseWriter, r *http.Request) {
	channelID, err := pathInt64(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := views.LinkRequestForm{OrgID: r.PostFormValue("org_id")}
	orgID, err := portal.ParseOrganizationID(form.OrgID)
	if err == nil && r.PostFormValue("confirm") != "yes" {
		ch, org, atOnce, err := s.linksAtOnce(r, channelID, orgID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if atOnce {
			s.render(w, r, http.StatusOK, views.LinkAtOnceConfirmPage(s.shell(w, r, "channels"), ch, org))
			return
		}
	}
	var req portal.LinkRequest
	var token string
	if err == nil {
		req, token, err = s.db.SendLinkRequest(r.Context(), actor(r), channelID, orgID)
	}
	if err != nil {
		h, ok := s.loadChannel(w, r, "bm-link")
		if !ok {
			return
		}
		s.refused(w, r, err, func(status int, why views.Refusal) {
			form.Refusal = why
			s.renderBMLinkTab(w, r, status, views.BMLinkTab{ChannelHeader: h, Form: form})
		})
		return
	}
	if token == "" {
		s.redirectWithFlash(w, r, views.ChannelPath(channelID), "success", "flash.link_approved_at_once", "OrgID", req.OrgID)
		return
	}
	s.redirectRevealing(w, r, views.ChannelPath(channelID), token, "", "")
}

// linksAtOnce tells whether a link request from the signed-in admin would
// link the channel to the organization at once: they administer it, and
// the request would be sent. A link can't be removed, so they confirm it
// first, as an administrator approving a URL does on its screen. Whatever
// keeps the request from being sent is left to the send to refuse.
func (s *Server) linksAtOnce(r *http.Request, channelID int64, orgID portal.OrganizationID) (portal.Channel, portal.Organization, bool, error) {
	ctx, a := r.Context(), actor(r)
	// The organization first: most senders don't administer it, and one
	// statement says so.
	org, orgAccess, err := s.db.FindOrganizationWithAccess(ctx, a, string(orgID))
	if err == nil && orgAccess.Admin {
		var ch portal.Channel
		var access portal.ChannelAccess
		if ch, access, _, err = s.db.FindChannelWithAccess(ctx, a, channelID); err == nil {
			return ch, org, portal.CheckLinkRequest(access.Role, ch, orgID, &org) == nil, nil
		}
	}
	if portal.ErrorCode(err) == portal.EINTERNAL {
		return portal.Channel{}, portal.Organization{}, false, err
	}
	return portal.Channel{}, portal.Organization{}, false, nil
}

func (s *Server) handleChannelBusinessInfo(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadChannel(w, r, "business-info")
	if !ok {
		return
	}
	s.renderBusinessInfoTab(w, r, h, http.StatusOK, h.Channel.Draft, views.Refusal{})
}

func (s *Server) renderBusinessInfoTab(w http.ResponseWriter, r *http.Request, h views.ChannelHeader, status int, draft portal.MiniAppInfo, why views.Refusal) {
	s.render(w, r, status, views.ChannelBusinessInfoPage(s.shell(w, r, "channels"), views.BusinessInfoTab{
		ChannelHeader: h,
		CanEdit:       portal.CanEditChannelDraft(h.Access.Role, h.Channel),
		CanSubmit:     portal.CanSubmitMiniAppReview(h.Access.Role, h.Channel),
		Draft:         draft,
		Refusal:       why,
	}))
}

func (s *Server) handleChannelDraftUpdate(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadChannel(w, r, "business-info")
	if !ok {
		return
	}
	draft := miniAppInfoFrom(r)
	if err := s.db.UpdateChannelDraft(r.Context(), actor(r), h.Channel.ID, draft); err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			s.renderBusinessInfoTab(w, r, h, status, draft, why)
		})
		return
	}
	s.redirectWithFlash(w, r, r.URL.Path, "success", views.ReviewMessage(h.Channel, "flash.draft_saved_first", "flash.draft_saved"))
}

func (s *Server) handleMiniAppReviewSubmit(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt64(r, "id")
	var ch portal.Channel
	if err == nil {
		ch, err = s.db.FindChannelByID(r.Context(), id)
	}
	if err == nil {
		err = s.db.SubmitMiniAppReview(r.Context(), actor(r), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, views.ChannelPath(id)+"/business-info", "success", views.ReviewMessage(ch, "flash.draft_submitted_first", "flash.draft_submitted"))
}

func (s *Server) handleChannelHistory(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadChannel(w, r, "history")
	if !ok {
		return
	}
	entries, next, err := s.db.FindAuditEntries(r.Context(), store.AuditFilter{ChannelID: h.Channel.ID,
		Page: pageOf(r)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ChannelHistoryPage(s.shell(w, r, "channels"), h,
		views.HistoryTab{Entries: entries, NextHref: nextHref(r, string(next))}))
}

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
		LINEChannelID: portal.Narrow(r.PostFormValue("line_channel_id")),
		Region:        r.PostFormValue("region"),
		ProviderID:    r.PostFormValue("provider_id"),
		NewProvider:   r.PostFormValue("new_provider"),
		Draft:         miniAppInfoFrom(r),
	}
	// LINE asks for no country at creation: whoever creates a MINI App
	// channel warrants that the service company's country or region is the
	// service region, which then becomes it.
	if r.PostFormValue("company_country_warranty") == "on" {
		f.Draft.CompanyCountry = portal.Region(f.Region)
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
