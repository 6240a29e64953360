package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// Module channels: the list, registering one with its credentials (proved
// with LINE), its page, and replacing its credentials.

func (s *Server) handleModuleList(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	chs, next, err := s.db.FindChannels(r.Context(), store.ChannelFilter{Actor: a, All: portal.CanListAll(a) == nil, Kind: portal.KindModule,
		Page: pageOf(r)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ModuleListPage(s.shell(w, r, "modules"), views.ModuleListView{Channels: chs, NextHref: nextHref(r, string(next))}))
}

// providersOf lists the providers of the channels the admin works on, to
// register a module channel under one of them.
func (s *Server) providersOf(ctx context.Context, a portal.Admin) ([]portal.Provider, error) {
	chs, _, err := s.db.FindChannels(ctx, store.ChannelFilter{Actor: a, Page: store.Page{Limit: store.MaxPageSize}})
	var ps []portal.Provider
	for _, ch := range chs {
		if !slices.ContainsFunc(ps, func(p portal.Provider) bool { return p.ID == ch.Provider.ID }) {
			ps = append(ps, ch.Provider)
		}
	}
	return ps, err
}

func (s *Server) handleModuleNew(w http.ResponseWriter, r *http.Request) {
	s.renderModuleRegister(w, r, http.StatusOK, views.ModuleRegisterForm{})
}

func (s *Server) renderModuleRegister(w http.ResponseWriter, r *http.Request, status int, f views.ModuleRegisterForm) {
	var err error
	if f.Providers, err = s.providersOf(r.Context(), actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, views.ModuleRegisterPage(s.shell(w, r, "modules"), f))
}

// handleModuleRegister registers a module channel, once LINE has confirmed
// that the secret is the channel's. The secret and token are sealed by the
// store and never written back into the page.
func (s *Server) handleModuleRegister(w http.ResponseWriter, r *http.Request) {
	f := views.ModuleRegisterForm{
		Name:          r.PostFormValue("name"),
		LINEChannelID: portal.Narrow(r.PostFormValue("line_channel_id")),
		ProviderID:    r.PostFormValue("provider_id"),
		NewProvider:   r.PostFormValue("new_provider"),
	}
	channelSecret, accessToken := r.PostFormValue("channel_secret"), r.PostFormValue("access_token")
	in := portal.Channel{Kind: portal.KindModule, Name: f.Name, LINEChannelID: f.LINEChannelID, Region: portal.RegionJapan,
		Provider: providerChoice(f.ProviderID, f.NewProvider)}
	// Malformed input is refused before anything goes to LINE.
	err := portal.CheckNewModuleChannel(in, channelSecret, accessToken)
	var token string
	var expiresAt time.Time
	if err == nil {
		token, expiresAt, err = s.proveChannelSecret(r, in.LINEChannelID, channelSecret, accessToken)
	}
	var ch portal.Channel
	if err == nil {
		ch, err = s.db.RegisterModuleChannel(r.Context(), s.cfg.Secrets, actor(r), in, channelSecret, token, expiresAt)
	}
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			f.Refusal = why
			s.renderModuleRegister(w, r, status, f)
		})
		return
	}
	s.redirectWithFlash(w, r, views.ModulePath(ch.ID), "success", "flash.module_registered")
}

// proveChannelSecret asks LINE for a stateless channel access token: only
// LINE knows whether channelSecret is the secret of the channel
// lineChannelID, and without that proof anyone could register a channel ID
// they don't own, or replace its owner's secret. It returns the token to
// store: the pasted one, or, when none was pasted, the one LINE just
// issued, with its expiry (the portal issues the next ones itself).
func (s *Server) proveChannelSecret(r *http.Request, lineChannelID, channelSecret, pasted string) (string, time.Time, error) {
	token, expiresAt, err := s.statelessToken(r, lineChannelID, channelSecret)
	if err != nil || strings.TrimSpace(pasted) == "" {
		return token, expiresAt, err
	}
	return pasted, time.Time{}, nil
}

// statelessToken issues a stateless channel access token with a channel's
// ID and secret. LINE's refusal is an error on the secret (line.Refusal).
func (s *Server) statelessToken(r *http.Request, lineChannelID, channelSecret string) (string, time.Time, error) {
	token, expiresAt, err := s.cfg.LINE.StatelessToken(r.Context(), lineChannelID, strings.TrimSpace(channelSecret))
	if err == nil {
		return token, expiresAt, nil
	}
	s.log.Warn("LINE did not confirm the channel secret", "request_id", requestID(r.Context()), "line_channel_id", lineChannelID,
		"line_request_id", line.RequestID(err), "error", err)
	return "", time.Time{}, line.Refusal(err, "channel_secret")
}

// loadModule reads the module channel in the path and the actor's access.
func (s *Server) loadModule(w http.ResponseWriter, r *http.Request) (portal.Channel, portal.ChannelAccess, bool) {
	var ch portal.Channel
	var access portal.ChannelAccess
	id, err := pathInt64(r, "id")
	if err == nil {
		ch, err = s.db.FindChannelByID(r.Context(), id)
	}
	if err == nil && ch.Kind != portal.KindModule {
		err = portal.Refuse(portal.ENOTFOUND, portal.RNotModuleChannel)
	}
	if err == nil {
		access, err = s.db.FindChannelAccess(r.Context(), actor(r), id)
	}
	if err == nil {
		err = access.CanView()
	}
	if err != nil {
		s.fail(w, r, err)
		return ch, access, false
	}
	return ch, access, true
}

func (s *Server) handleModuleShow(w http.ResponseWriter, r *http.Request) {
	ch, access, ok := s.loadModule(w, r)
	if ok {
		s.renderModule(w, r, http.StatusOK, views.ModuleView{Channel: ch, Access: access}, nil)
	}
}

// renderModule renders the module page of v.Channel; v carries a refused
// form's input and refusal, if any. checkedScopes are the attach form's
// scopes as submitted; nil for the default choice.
func (s *Server) renderModule(w http.ResponseWriter, r *http.Request, status int, v views.ModuleView, checkedScopes []string) {
	ch := v.Channel
	v.CanAttach = portal.CanStartAttach(v.Access.Role, ch)
	v.CanSetCredentials = portal.CanSetCredentials(v.Access.Role, ch)
	v.WebhookURL = s.absoluteURL("/webhooks/line/" + ch.LINEChannelID)
	if checkedScopes == nil {
		checkedScopes = []string{"message:send", portal.ScopeMessageReceive}
	}
	for _, sc := range line.ModuleScopes {
		v.Scopes = append(v.Scopes, views.ScopeOption{Scope: sc.Name, Description: scopeDescription(sc), Checked: slices.Contains(checkedScopes, sc.Name)})
	}
	var next store.Cursor
	var err error
	if v.EventsArrive, err = s.db.HasWebhookEvents(r.Context(), ch.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Attachments, next, err = s.db.FindAttachments(r.Context(), ch.ID, pageOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	if next != "" {
		// Not nextHref: a refused form renders this page at its own path.
		v.NextHref = views.ModulePath(ch.ID) + "?after=" + url.QueryEscape(string(next))
	}
	s.render(w, r, status, views.ModulePage(s.shell(w, r, "modules"), v))
}

// handleModuleCredentials replaces a module channel's secret and access
// token, by an Admin, once LINE has confirmed that the secret is the
// channel's. (Messaging API channels have credentials too; their page
// does not offer this yet.)
func (s *Server) handleModuleCredentials(w http.ResponseWriter, r *http.Request) {
	ch, access, ok := s.loadModule(w, r)
	if !ok {
		return
	}
	if err := portal.CanSetCredentials(access.Role, ch); err != nil {
		s.fail(w, r, err)
		return
	}
	channelSecret, accessToken := r.PostFormValue("channel_secret"), r.PostFormValue("access_token")
	err := portal.CheckModuleCredentials(channelSecret, accessToken)
	var token string
	var expiresAt time.Time
	if err == nil {
		token, expiresAt, err = s.proveChannelSecret(r, ch.LINEChannelID, channelSecret, accessToken)
	}
	if err == nil {
		err = s.db.SetChannelCredentials(r.Context(), s.cfg.Secrets, actor(r), ch.ID, channelSecret, token, expiresAt)
	}
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			s.renderModule(w, r, status, views.ModuleView{Channel: ch, Access: access, CredentialsRefusal: why}, nil)
		})
		return
	}
	s.redirectWithFlash(w, r, views.ModulePath(ch.ID), "success", "flash.credentials_replaced")
}

// scopeIDs are the messages that say what each attach scope allows.
var scopeIDs = map[string]string{
	"message:send":          "scope.message_send",
	"message:receive":       "scope.message_receive",
	"account:manage":        "scope.account_manage",
	"message:mark_as_read":  "scope.mark_as_read",
	"message:templated_pnp": "scope.templated_pnp",
	"profile:read":          "scope.profile_read",
	"coupon:manage":         "scope.coupon_manage",
}

// scopeDescription is the message ID of what sc allows; the view writes
// it. A scope without one shows LINE's English description.
func scopeDescription(sc line.ModuleScope) string {
	if id, ok := scopeIDs[sc.Name]; ok {
		return id
	}
	return sc.Description
}
