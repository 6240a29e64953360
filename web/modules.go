package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

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
		LINEChannelID: strings.TrimSpace(r.PostFormValue("line_channel_id")),
		ProviderID:    r.PostFormValue("provider_id"),
		NewProvider:   r.PostFormValue("new_provider"),
	}
	channelSecret, accessToken := r.PostFormValue("channel_secret"), r.PostFormValue("access_token")
	in := portal.Channel{Kind: portal.KindModule, Name: f.Name, LINEChannelID: f.LINEChannelID, Region: portal.RegionJapan,
		Provider: providerChoice(f.ProviderID, f.NewProvider)}
	// Malformed input is refused before anything goes to LINE.
	err := portal.CheckNewModuleChannel(in, channelSecret, accessToken)
	if err == nil {
		err = s.proveChannelSecret(r, in.LINEChannelID, channelSecret)
	}
	var ch portal.Channel
	if err == nil {
		ch, err = s.db.RegisterModuleChannel(r.Context(), s.cfg.Secrets, actor(r), in, channelSecret, accessToken)
	}
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			f.Refusal = why
			s.renderModuleRegister(w, r, status, f)
		})
		return
	}
	s.redirectWithFlash(w, r, views.ModulePath(ch.ID), "success", "Module channel registered. Its secret and access token are stored encrypted.")
}

// proveChannelSecret asks LINE for a stateless channel access token (and
// throws it away): only LINE knows whether channelSecret is the secret of
// the channel lineChannelID, and without that proof anyone could register
// a channel ID they don't own, or replace its owner's secret. LINE's
// refusal is an error on the secret (line.Refusal).
func (s *Server) proveChannelSecret(r *http.Request, lineChannelID, channelSecret string) error {
	_, _, err := s.cfg.LINE.StatelessToken(r.Context(), lineChannelID, strings.TrimSpace(channelSecret))
	if err == nil {
		return nil
	}
	s.log.Warn("LINE did not confirm the channel secret", "request_id", requestID(r.Context()), "line_channel_id", lineChannelID,
		"line_request_id", line.RequestID(err), "error", err)
	return line.Refusal(err, "channel_secret")
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
		s.renderModule(w, r, http.StatusOK, views.ModuleView{Channel: ch, Access: access}, nil)
	}
}

// knownScopes are the scope names LINE documents, in LINE's order.
func knownScopes() []string {
	names := make([]string, len(line.ModuleScopes))
	for i, sc := range line.ModuleScopes {
		names[i] = sc.Name
	}
	return names
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
		v.Scopes = append(v.Scopes, views.ScopeOption{Scope: sc.Name, Description: sc.Description, Checked: slices.Contains(checkedScopes, sc.Name)})
	}
	var next store.Cursor
	var err error
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
	if err == nil {
		err = s.proveChannelSecret(r, ch.LINEChannelID, channelSecret)
	}
	if err == nil {
		err = s.db.SetChannelCredentials(r.Context(), s.cfg.Secrets, actor(r), ch.ID, channelSecret, accessToken)
	}
	if err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			s.renderModule(w, r, status, views.ModuleView{Channel: ch, Access: access, CredentialsRefusal: why}, nil)
		})
		return
	}
	s.redirectWithFlash(w, r, views.ModulePath(ch.ID), "success", "Credentials replaced. Webhooks signed with the old channel secret are refused from now on.")
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
		State: rand.Text(), CodeVerifier: oauth2.GenerateVerifier(),
		Region: r.PostFormValue("region"), BasicSearchID: strings.TrimSpace(r.PostFormValue("basic_search_id")),
		Scopes: r.PostForm["scope"], BrandTypes: r.PostForm["brand_type"],
	}
	if err := portal.CheckAttachRequest(req.Region, req.Scopes, req.BrandTypes, knownScopes()); err != nil {
		s.refused(w, r, err, func(status int, why views.Refusal) {
			v := views.ModuleView{Channel: ch, Access: access, AttachRefusal: why,
				Attach: views.AttachForm{Region: req.Region, BasicSearchID: req.BasicSearchID, BrandTypes: req.BrandTypes}}
			s.renderModule(w, r, status, v, append([]string{}, req.Scopes...))
		})
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
		s.redirectWithFlash(w, r, views.ModulePath(channelID), "error", msg)
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
		s.lineRefused(w, r, views.ModulePath(channelID), "attaching", err)
		return
	}
	a, err := s.db.RecordAttachment(ctx, actor(r), channelID, att)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Names and pictures come from LINE's bot list; without them the page
	// shows the bot ID, so a failure here is logged, not shown.
	if page, err := s.cfg.LINE.ModuleBots(ctx, creds.AccessToken, "", line.DefaultBotPageSize); err != nil {
		s.log.Warn("LINE's bot list after attaching", "request_id", requestID(ctx), "line_request_id", line.RequestID(err), "error", err)
	} else if err := s.recordBots(ctx, ch, page); err != nil {
		s.log.Error("recording LINE's bot list after attaching", "request_id", requestID(ctx), "error", err)
	}
	s.redirectWithFlash(w, r, views.BotPath(channelID, a.Bot.BotID), "success", "Attached to the LINE Official Account "+a.Bot.BotID+" with scopes: "+strings.Join(a.Scopes, " ")+".")
}

// lineRefused tells the person LINE's answer, in words, with LINE's request
// ID for support, back on the page they came from.
func (s *Server) lineRefused(w http.ResponseWriter, r *http.Request, back, doing string, err error) {
	s.log.Warn("LINE refused", "request_id", requestID(r.Context()), "doing", doing, "line_request_id", line.RequestID(err), "error", err)
	s.redirectWithFlash(w, r, back, "error", views.Sentence(r.Context(), line.Refusal(err, "")))
}

// recordBots merges a page of LINE's bot list into the store, so that
// names and pictures show.
func (s *Server) recordBots(ctx context.Context, ch portal.Channel, page line.BotPage) error {
	_, err := s.db.SyncBots(ctx, ch.ID, page.Bots)
	return err
}

// botListNextHref links to the page of LINE's bot list that the
// continuation token next starts; "" on the last page.
func botListNextHref(moduleID int64, next string) string {
	if next == "" {
		return ""
	}
	return views.ModulePath(moduleID) + "/bots?start=" + url.QueryEscape(next)
}

// handleBotList pages through LINE's bot list (following its continuation
// token) and shows each bot with what the portal knows about it. LINE's
// refusals are explained on the page; the store's failures are the error
// page.
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
	page, err := s.cfg.LINE.ModuleBots(ctx, creds.AccessToken, start, line.DefaultBotPageSize)
	if apiErr, ok := errors.AsType[*line.APIError](err); ok && start != "" && apiErr.Status == http.StatusBadRequest {
		// LINE's continuation tokens expire after 24 hours.
		v.Notice = "That page of the list has expired at LINE, so the list starts again from the first page."
		page, err = s.cfg.LINE.ModuleBots(ctx, creds.AccessToken, "", line.DefaultBotPageSize)
	}
	if err != nil {
		s.log.Warn("LINE's bot list", "request_id", requestID(ctx), "line_request_id", line.RequestID(err), "error", err)
		v.Refusal = views.RefusalOf(ctx, line.Refusal(err, ""))
		s.render(w, r, http.StatusOK, views.BotListPage(s.shell(w, r, "modules"), v))
		return
	}
	if err := s.recordBots(ctx, ch, page); err != nil {
		s.fail(w, r, err)
		return
	}
	ids := make([]string, len(page.Bots))
	for i, b := range page.Bots {
		ids[i] = b.BotID
	}
	known, err := s.db.FindAttachmentsByBot(ctx, ch.ID, ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, b := range page.Bots {
		a, ok := known[b.BotID]
		if !ok {
			// Listed by LINE, yet not in the store: shown as LINE lists
			// it.
			a = portal.ModuleAttachment{ChannelID: ch.ID, Bot: b, State: portal.Attached}
		}
		v.Bots = append(v.Bots, a)
	}
	v.NextHref = botListNextHref(ch.ID, page.Next)
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
	v.CanDetach = portal.CanDetach(access.Role, v.Attachment)
	v.CanManageChats = portal.CanManageChats(access.Role, v.Attachment)
	v.CanUseOptions = portal.CanUseCorporateOptions(access.Role, v.Attachment)
	return v, true
}

func (s *Server) handleBotShow(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.loadBot(w, r); ok {
		s.renderBot(w, r, http.StatusOK, v)
	}
}

// renderBot renders the bot page; its event history starts at the page
// the URL's "after" names.
func (s *Server) renderBot(w http.ResponseWriter, r *http.Request, status int, v views.BotView) {
	ctx, q := r.Context(), r.URL.Query()
	var next, nextFollowers store.Cursor
	var err error
	if v.Controls, _, err = s.db.FindChatControls(ctx, v.Channel.ID, v.Attachment.Bot.BotID, store.Page{}); err == nil {
		v.Events, next, err = s.db.FindWebhookEvents(ctx, v.Channel.ID, v.Attachment.Bot.BotID, pageOf(r))
	}
	if err == nil {
		v.Followers, nextFollowers, err = s.db.FindOAUsers(ctx, v.Channel.ID, v.Attachment.Bot.BotID, store.Page{After: store.Cursor(q.Get("followers"))})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The page's own path: after a refused POST, r's path is the action's.
	page := &http.Request{URL: &url.URL{Path: views.BotPath(v.Channel.ID, v.Attachment.Bot.BotID), RawQuery: r.URL.RawQuery}}
	v.EventsNextHref = queueHref(page, "after", string(next))
	v.FollowersNextHref = queueHref(page, "followers", string(nextFollowers))
	s.render(w, r, status, views.BotPage(s.shell(w, r, "modules"), v))
}

// botForm is the bot page form an action comes from: its name
// (views.BotForm…) and how to put the submitted values back into it.
type botForm struct {
	name string
	keep func(*views.BotView)
}

// refuseBotForm answers a refused action: input the domain or the LINE
// client found invalid brings the bot page back with the form's values and
// the reason. The page offers no form to whoever may not act (suspended,
// not an Admin, detached), so any other refusal is the error page.
func (s *Server) refuseBotForm(w http.ResponseWriter, r *http.Request, v views.BotView, form botForm, err error) {
	if portal.ErrorCode(err) != portal.EINVALID {
		s.fail(w, r, err)
		return
	}
	s.refused(w, r, err, func(status int, why views.Refusal) {
		v.Form, v.Refusal = form.name, why
		if form.keep != nil {
			form.keep(&v)
		}
		s.renderBot(w, r, status, v)
	})
}

// botAction runs an admin action on a bot: the domain check first (a
// suspended account refuses everything), then the call to LINE, then, if
// LINE agreed, record (when there is something to record).
func (s *Server) botAction(w http.ResponseWriter, r *http.Request, done string, form botForm,
	check func(views.BotView) error,
	callLINE func(ctx context.Context, token string, v views.BotView) error,
	record func(ctx context.Context, v views.BotView) error) {
	v, ok := s.loadBot(w, r)
	if !ok {
		return
	}
	if err := check(v); err != nil {
		s.refuseBotForm(w, r, v, form, err)
		return
	}
	creds, err := s.db.FindModuleCredentials(r.Context(), s.cfg.Secrets, v.Channel.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := views.BotPath(v.Channel.ID, v.Attachment.Bot.BotID)
	if err := callLINE(r.Context(), creds.AccessToken, v); err != nil {
		// Input the LINE client refused before calling LINE goes back
		// on the form; LINE's own answer, after the redirect.
		if _, invalid := errors.AsType[*line.InputError](err); invalid {
			s.refuseBotForm(w, r, v, form, line.Refusal(err, ""))
			return
		}
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
	s.botAction(w, r, "Detached from the LINE Official Account.", botForm{},
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
	chatID, rawTTL := strings.TrimSpace(r.PostFormValue("chat_id")), r.PostFormValue("ttl")
	ttl, ttlErr := chatControlTTL(rawTTL)
	form := botForm{views.BotFormAcquire, func(v *views.BotView) { v.ChatID, v.TTL = chatID, rawTTL }}
	s.botAction(w, r, "This module now controls the chat.", form,
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
	s.botAction(w, r, "Chat control released: the chat is back with its default channel.", botForm{name: views.BotFormRelease},
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
	present := r.PostFormValue("send_present_message") == "on"
	form := botForm{views.BotFormMission, func(v *views.BotView) {
		v.Options.UserID, v.Options.PackageID, v.Options.SendPresentMessage = userID, packageID, present
	}}
	s.botAction(w, r, "Mission sticker package "+packageID+" granted to "+userID+".", form,
		func(v views.BotView) error { return portal.CanUseCorporateOptions(v.Access.Role, v.Attachment) },
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.MissionSticker(ctx, token, v.Attachment.Bot.BotID, userID, packageID, present)
		}, nil)
}

func (s *Server) handleMarkAsRead(w http.ResponseWriter, r *http.Request) {
	userID := strings.TrimSpace(r.PostFormValue("user_id"))
	form := botForm{views.BotFormRead, func(v *views.BotView) { v.Options.ReadUserID = userID }}
	s.botAction(w, r, "Messages from "+userID+" marked as read.", form,
		func(v views.BotView) error { return portal.CanUseCorporateOptions(v.Access.Role, v.Attachment) },
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.MarkAsRead(ctx, token, v.Attachment.Bot.BotID, userID)
		}, nil)
}
