package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// attachFlowTTL is how long attaching may take between leaving for LINE
// and coming back to /modules/callback.
const attachFlowTTL = 10 * time.Minute

// Session keys of an attach in progress.
const (
	keyAttachState    = "attach_state"
	keyAttachVerifier = "attach_verifier"
	keyAttachChannel  = "attach_channel"
	keyAttachStarted  = "attach_started"
)

func moduleHref(id int64) string { return "/modules/" + strconv.FormatInt(id, 10) }

func botHref(moduleID int64, botID string) string { return moduleHref(moduleID) + "/bots/" + botID }

func (s *Server) handleModuleList(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	chs, next, err := s.db.FindChannels(r.Context(), store.ChannelFilter{Actor: a, All: a.Operator, Kind: portal.KindModule,
		Page: store.Page{After: store.Cursor(r.URL.Query().Get("after"))}})
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

// handleModuleRegister registers a module channel. The secret and token
// are sealed by the store and never written back into the page.
func (s *Server) handleModuleRegister(w http.ResponseWriter, r *http.Request) {
	f := views.ModuleRegisterForm{
		Name:          r.PostFormValue("name"),
		LINEChannelID: strings.TrimSpace(r.PostFormValue("line_channel_id")),
		ProviderID:    r.PostFormValue("provider_id"),
		NewProvider:   r.PostFormValue("new_provider"),
	}
	in := portal.Channel{Kind: portal.KindModule, Name: f.Name, LINEChannelID: f.LINEChannelID, Region: portal.RegionJapan}
	if f.ProviderID == "new" {
		in.Provider.Name = f.NewProvider
	} else {
		in.Provider.ID, _ = strconv.ParseInt(f.ProviderID, 10, 64)
	}
	ch, err := s.db.RegisterModuleChannel(r.Context(), s.cfg.Secrets, actor(r), in, r.PostFormValue("channel_secret"), r.PostFormValue("access_token"))
	if err != nil {
		if !isFormRefusal(err) {
			s.fail(w, r, err)
			return
		}
		f.Err = err
		s.renderModuleRegister(w, r, formStatus(err), f)
		return
	}
	s.redirectWithFlash(w, r, moduleHref(ch.ID), "success", "Module channel registered. Its secret and access token are stored encrypted.")
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
		err = portal.Errorf(portal.ENOTFOUND, "This channel is not a module channel.")
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
		s.renderModule(w, r, http.StatusOK, ch, access, nil)
	}
}

func (s *Server) renderModule(w http.ResponseWriter, r *http.Request, status int, ch portal.Channel, access portal.ChannelAccess, attachErr error) {
	v := views.ModuleView{Channel: ch, Access: access, CanAttach: portal.CanStartAttach(access.Role, ch),
		WebhookURL: s.absoluteURL("/webhooks/line/" + ch.LINEChannelID), AttachErr: attachErr}
	for _, sc := range line.ModuleScopes {
		checked := sc.Name == "message:send" || sc.Name == portal.ScopeMessageReceive
		v.Scopes = append(v.Scopes, views.ScopeOption{Scope: sc.Name, Description: sc.Description, Checked: checked})
	}
	var next store.Cursor
	var err error
	if v.Attachments, next, err = s.db.FindAttachments(r.Context(), ch.ID, store.Page{After: store.Cursor(r.URL.Query().Get("after"))}); err != nil {
		s.fail(w, r, err)
		return
	}
	v.NextHref = nextHref(r, string(next))
	s.render(w, r, status, views.ModulePage(s.shell(w, r, "modules"), v))
}

// handleModuleAttachStart sends the browser to LINE's authorization screen
// with a fresh state and PKCE verifier, kept in the server-side session.
func (s *Server) handleModuleAttachStart(w http.ResponseWriter, r *http.Request) {
	ch, access, ok := s.loadModule(w, r)
	if !ok {
		return
	}
	if err := portal.CanStartAttach(access.Role, ch); err != nil {
		s.fail(w, r, err)
		return
	}
	req := line.AttachRequest{
		ChannelID: ch.LINEChannelID, RedirectURL: s.absoluteURL("/modules/callback"),
		State: rand.Text(), CodeVerifier: line.NewCodeVerifier(),
		Region: r.PostFormValue("region"), BasicSearchID: strings.TrimSpace(r.PostFormValue("basic_search_id")),
		Scopes: r.PostForm["scope"], BrandTypes: r.PostForm["brand_type"],
	}
	if req.Region != "JP" && req.Region != "TW" {
		s.renderModule(w, r, http.StatusUnprocessableEntity, ch, access, portal.FieldError("region", "Choose the region: Japan or Taiwan."))
		return
	}
	sess := s.sessions.current(r)
	if sess == nil {
		s.fail(w, r, errors.New("web: no session to keep the attach flow in"))
		return
	}
	sess.Values[keyAttachState] = req.State
	sess.Values[keyAttachVerifier] = req.CodeVerifier
	sess.Values[keyAttachChannel] = ch.ID
	sess.Values[keyAttachStarted] = s.now().UnixMilli()
	if err := sess.Save(r, w); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, s.cfg.LINE.AttachURL(req), http.StatusSeeOther)
}

// handleModuleCallback finishes attaching: the flow is used up first, then
// the state is checked, the code exchanged and the attachment recorded.
func (s *Server) handleModuleCallback(w http.ResponseWriter, r *http.Request) {
	sess := s.sessions.current(r)
	if sess == nil {
		s.fail(w, r, errors.New("web: no session"))
		return
	}
	state, _ := sess.Values[keyAttachState].(string)
	verifier, _ := sess.Values[keyAttachVerifier].(string)
	channelID, _ := sess.Values[keyAttachChannel].(int64)
	started, _ := sess.Values[keyAttachStarted].(int64)
	for _, k := range []string{keyAttachState, keyAttachVerifier, keyAttachChannel, keyAttachStarted} {
		delete(sess.Values, k)
	}
	if err := sess.Save(r, w); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	switch {
	case state == "" || s.now().Sub(time.UnixMilli(started)) > attachFlowTTL:
		s.fail(w, r, portal.Errorf(portal.EINVALID, "This attach was not started here, took longer than 10 minutes, or was already finished. Start attaching again from the module channel's page."))
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1:
		s.fail(w, r, portal.Errorf(portal.EINVALID, "The answer from LINE did not match this attach, so it was refused. Start attaching again."))
		return
	case q.Get("error") != "":
		msg := "LINE did not attach the module (" + q.Get("error") + ")."
		if q.Get("error") == "access_denied" {
			msg = "The Official Account's administrator cancelled, so the module was not attached."
		}
		s.redirectWithFlash(w, r, moduleHref(channelID), "error", msg)
		return
	}
	ctx := r.Context()
	ch, err := s.db.FindChannelByID(ctx, channelID)
	var creds portal.ModuleCredentials
	if err == nil {
		creds, err = s.db.FindModuleCredentials(ctx, s.cfg.Secrets, channelID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	att, err := s.cfg.LINE.ExchangeAttachCode(ctx, ch.LINEChannelID, creds.ChannelSecret, q.Get("code"), s.absoluteURL("/modules/callback"), verifier)
	if err != nil {
		s.lineRefused(w, r, moduleHref(channelID), "attaching", err)
		return
	}
	a, err := s.db.RecordAttachment(ctx, actor(r), channelID, portal.AttachedBot{BotID: att.BotID, Scopes: att.Scopes})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.syncBots(ctx, ch, creds, "")
	s.redirectWithFlash(w, r, botHref(channelID, a.Bot.BotID), "success", "Attached to the LINE Official Account "+a.Bot.BotID+" with scopes: "+strings.Join(a.Scopes, " ")+".")
}

// lineRefused tells the person LINE's answer, in words, with LINE's request
// ID for support, back on the page they came from.
func (s *Server) lineRefused(w http.ResponseWriter, r *http.Request, back, doing string, err error) {
	e := line.Explain(err)
	s.log.Warn("LINE refused", "request_id", requestID(r.Context()), "doing", doing, "line_request_id", e.RequestID, "error", err)
	s.redirectWithFlash(w, r, back, "error", e.String())
}

// syncBots reads one page of LINE's bot list into the store, so names and
// pictures show; a failure only leaves them unknown.
func (s *Server) syncBots(ctx context.Context, ch portal.Channel, creds portal.ModuleCredentials, start string) (line.BotPage, error) {
	page, err := s.cfg.LINE.ModuleBots(ctx, creds.AccessToken, start, line.DefaultBotPageSize)
	if err != nil {
		return page, err
	}
	profiles := make([]portal.BotProfile, len(page.Bots))
	for i, b := range page.Bots {
		profiles[i] = portal.BotProfile{BotID: b.UserID, BasicID: b.BasicID, PremiumID: b.PremiumID, DisplayName: b.DisplayName, PictureURL: b.PictureURL}
	}
	_, err = s.db.SyncBots(ctx, ch.ID, profiles)
	return page, err
}

// handleBotList pages through LINE's bot list (following its continuation
// token) and shows each bot with what the portal knows about it.
func (s *Server) handleBotList(w http.ResponseWriter, r *http.Request) {
	ch, _, ok := s.loadModule(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	creds, err := s.db.FindModuleCredentials(ctx, s.cfg.Secrets, ch.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := views.BotListView{Channel: ch}
	start := r.URL.Query().Get("start")
	page, err := s.syncBots(ctx, ch, creds, start)
	var apiErr *line.APIError
	if start != "" && errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest {
		// LINE's continuation tokens expire after 24 hours.
		v.Notice = "That page of the list has expired at LINE, so the list starts again from the first page."
		page, err = s.syncBots(ctx, ch, creds, "")
	}
	if err != nil {
		v.Err = line.Explain(err).String()
	}
	for _, b := range page.Bots {
		a, err := s.db.FindAttachment(ctx, ch.ID, b.UserID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Bots = append(v.Bots, a)
	}
	if page.Next != "" {
		v.NextHref = moduleHref(ch.ID) + "/bots?start=" + page.Next
	}
	s.render(w, r, http.StatusOK, views.BotListPage(s.shell(w, r, "modules"), v))
}

// loadBot reads the module channel and its attachment to the bot in the
// path.
func (s *Server) loadBot(w http.ResponseWriter, r *http.Request) (views.BotView, bool) {
	ch, access, ok := s.loadModule(w, r)
	if !ok {
		return views.BotView{}, false
	}
	v := views.BotView{Channel: ch, Access: access, Now: s.now()}
	var err error
	if v.Attachment, err = s.db.FindAttachment(r.Context(), ch.ID, r.PathValue("bot")); err != nil {
		s.fail(w, r, err)
		return v, false
	}
	v.Usable = v.Attachment.Usable()
	return v, true
}

func (s *Server) handleBotShow(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.loadBot(w, r); ok {
		s.renderBot(w, r, http.StatusOK, v)
	}
}

func (s *Server) renderBot(w http.ResponseWriter, r *http.Request, status int, v views.BotView) {
	ctx := r.Context()
	var err error
	if v.Controls, _, err = s.db.FindChatControls(ctx, v.Channel.ID, v.Attachment.Bot.BotID, store.Page{}); err == nil {
		v.Events, _, err = s.db.FindWebhookEvents(ctx, v.Channel.ID, v.Attachment.Bot.BotID, store.Page{})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, views.BotPage(s.shell(w, r, "modules"), v))
}

// botAction runs an admin action on a bot: the domain check first (a
// suspended account refuses everything), then the call to LINE, then, if
// LINE agreed, record (when there is something to record).
func (s *Server) botAction(w http.ResponseWriter, r *http.Request, done string,
	check func(views.BotView) error,
	callLINE func(ctx context.Context, token string, v views.BotView) error,
	record func(ctx context.Context, v views.BotView) error) {
	v, ok := s.loadBot(w, r)
	if !ok {
		return
	}
	if err := check(v); err != nil {
		s.fail(w, r, err)
		return
	}
	creds, err := s.db.FindModuleCredentials(r.Context(), s.cfg.Secrets, v.Channel.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := botHref(v.Channel.ID, v.Attachment.Bot.BotID)
	if err := callLINE(r.Context(), creds.AccessToken, v); err != nil {
		s.lineRefused(w, r, back, done, err)
		return
	}
	if record != nil {
		if err := record(r.Context(), v); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.redirectWithFlash(w, r, back, "success", done)
}

func (s *Server) handleDetachConfirm(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadBot(w, r)
	if !ok {
		return
	}
	if err := portal.CanDetach(v.Access.Role, v.Attachment); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.DetachConfirmPage(s.shell(w, r, "modules"), v.Channel, v.Attachment))
}

func (s *Server) handleDetach(w http.ResponseWriter, r *http.Request) {
	s.botAction(w, r, "Detached from the LINE Official Account.",
		func(v views.BotView) error { return portal.CanDetach(v.Access.Role, v.Attachment) },
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.Detach(ctx, token, v.Attachment.Bot.BotID)
		},
		func(ctx context.Context, v views.BotView) error {
			return s.db.MarkDetached(ctx, actor(r), v.Channel.ID, v.Attachment.Bot.BotID)
		})
}

// chatControlTTL reads the form's ttl: empty means no time limit.
func chatControlTTL(raw string) (time.Duration, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, nil
	}
	secs, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || secs <= 0 {
		return 0, portal.FieldError("ttl", "Enter the time in whole seconds, from 1 to 31536000 (1 year), or leave it empty for no time limit.")
	}
	ttl := time.Duration(secs) * time.Second
	return ttl, portal.CheckChatControlTTL(ttl)
}

func (s *Server) handleChatAcquire(w http.ResponseWriter, r *http.Request) {
	chatID := strings.TrimSpace(r.PostFormValue("chat_id"))
	ttl, ttlErr := chatControlTTL(r.PostFormValue("ttl"))
	s.botAction(w, r, "This module now controls the chat.",
		func(v views.BotView) error {
			if err := portal.CanControlChat(v.Access.Role, v.Attachment, chatID); err != nil {
				return err
			}
			return ttlErr
		},
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.AcquireChatControl(ctx, token, v.Attachment.Bot.BotID, chatID, ttl)
		},
		func(ctx context.Context, v views.BotView) error {
			return s.db.SetChatControl(ctx, actor(r), v.Channel.ID, v.Attachment.Bot.BotID, chatID, ttl)
		})
}

func (s *Server) handleChatRelease(w http.ResponseWriter, r *http.Request) {
	chatID := strings.TrimSpace(r.PostFormValue("chat_id"))
	s.botAction(w, r, "Chat control released: the chat is back with its default channel.",
		func(v views.BotView) error { return portal.CanControlChat(v.Access.Role, v.Attachment, chatID) },
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.ReleaseChatControl(ctx, token, v.Attachment.Bot.BotID, chatID)
		},
		func(ctx context.Context, v views.BotView) error {
			return s.db.ReleaseChatControl(ctx, actor(r), v.Channel.ID, v.Attachment.Bot.BotID, chatID)
		})
}

func (s *Server) handleMissionSticker(w http.ResponseWriter, r *http.Request) {
	userID, packageID := strings.TrimSpace(r.PostFormValue("user_id")), strings.TrimSpace(r.PostFormValue("package_id"))
	s.botAction(w, r, "Mission sticker package "+packageID+" granted to "+userID+".",
		func(v views.BotView) error { return portal.CanUseCorporateOptions(v.Access.Role, v.Attachment) },
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.MissionSticker(ctx, token, v.Attachment.Bot.BotID, userID, packageID, r.PostFormValue("send_present_message") == "on")
		}, nil)
}

func (s *Server) handleMarkAsRead(w http.ResponseWriter, r *http.Request) {
	userID := strings.TrimSpace(r.PostFormValue("user_id"))
	s.botAction(w, r, "Messages from "+userID+" marked as read.",
		func(v views.BotView) error { return portal.CanUseCorporateOptions(v.Access.Role, v.Attachment) },
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.MarkAsRead(ctx, token, v.Attachment.Bot.BotID, userID)
		}, nil)
}
