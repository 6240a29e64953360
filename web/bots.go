package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// The bots a module channel is attached to: LINE's bot list, each bot's
// page, and the actions on it (detach, chat control, corporate options).

// lineRefused tells the person LINE's answer, in words, with LINE's request
// ID for support, back on the page they came from.
func (s *Server) lineRefused(w http.ResponseWriter, r *http.Request, back, doing string, err error) {
	s.log.Warn("LINE refused", "request_id", requestID(r.Context()), "doing", doing, "line_request_id", line.RequestID(err), "error", err)
	s.redirectWithFlash(w, r, back, "error", "flash.line_refused", "Why", views.Sentence(r.Context(), line.Refusal(err, "")))
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
	ch, access, ok := s.loadModule(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if why := portal.CanReadLINEBotList(access.Role); why != nil {
		s.renderRecordedBots(w, r, ch, why)
		return
	}
	creds, err := s.credentials(ctx, ch.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := views.BotListView{Channel: ch}
	start := r.URL.Query().Get("start")
	page, err := s.cfg.LINE.ModuleBots(ctx, creds.AccessToken, start, line.DefaultBotPageSize)
	if apiErr, ok := errors.AsType[*line.APIError](err); ok && start != "" && apiErr.Status == http.StatusBadRequest {
		// LINE's continuation tokens expire after 24 hours.
		v.Notice = tr(ctx, "bots.page_expired")
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

// renderRecordedBots shows the portal's own record of a module channel's
// attachments, newest first, to a viewer who may not have LINE's list read
// (why says so): nothing is asked of LINE, nothing written.
func (s *Server) renderRecordedBots(w http.ResponseWriter, r *http.Request, ch portal.Channel, why error) {
	atts, next, err := s.db.FindAttachments(r.Context(), ch.ID, pageOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := views.BotListView{Channel: ch, Bots: atts, NextHref: nextHref(r, string(next)), Recorded: true,
		Notice: views.Sentence(r.Context(), why)}
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
		// The page's poll (#bot-live): nothing to swap while the state it
		// shows is current.
		if shown := r.URL.Query().Get("shown"); isHTMX(r) && shown == v.Attachment.LiveState() {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		// A follower's "Take chat control…" link fills in the chat.
		v.ChatID = r.URL.Query().Get("chat_id")
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
	s.showOnBotForm(w, r, v, form, err)
}

// showOnBotForm brings the bot page back with the form's values and why
// it was refused.
func (s *Server) showOnBotForm(w http.ResponseWriter, r *http.Request, v views.BotView, form botForm, err error) {
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
func (s *Server) botAction(w http.ResponseWriter, r *http.Request, done flashMessage, form botForm,
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
	creds, err := s.credentials(r.Context(), v.Channel.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := views.BotPath(v.Channel.ID, v.Attachment.Bot.BotID)
	if err := callLINE(r.Context(), creds.AccessToken, v); err != nil {
		// Input the LINE client refused before calling LINE, LINE's
		// refusal of what was typed, and LINE failing for now go back on
		// the form with it: a user ID 68 characters long is not typed
		// twice. LINE's other answers (a token it no longer takes, the
		// month's limit) come after the redirect.
		_, invalid := errors.AsType[*line.InputError](err)
		if invalid || (form.keep != nil && (refusesInput(err) || failsForNow(err))) {
			if !invalid {
				s.log.Warn("LINE refused", "request_id", requestID(r.Context()), "doing", done.id, "line_request_id", line.RequestID(err), "error", err)
			}
			s.showOnBotForm(w, r, v, form, line.Refusal(err, ""))
			return
		}
		s.lineRefused(w, r, back, done.id, err)
		return
	}
	if record != nil {
		if err := record(r.Context(), v); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.redirectWithFlash(w, r, back, "success", done.id, done.args...)
}

// refusesInput tells whether LINE refused what a form sent: a bad request
// (a sticker package it won't grant, say) or a user or chat it doesn't
// know.
func refusesInput(err error) bool {
	apiErr, ok := errors.AsType[*line.APIError](err)
	return ok && (apiErr.Status == http.StatusBadRequest || apiErr.Status == http.StatusNotFound)
}

// failsForNow tells whether LINE failed on its side (5xx) or could not be
// reached: sent again later, the same form may go through.
func failsForNow(err error) bool {
	apiErr, ok := errors.AsType[*line.APIError](err)
	return !ok || apiErr.Status >= http.StatusInternalServerError
}

// flashMessage is a flash's message ID and parameters, decided before the
// action runs.
type flashMessage struct {
	id   string
	args []any
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
	s.botAction(w, r, flashMessage{id: "flash.detached"}, botForm{},
		func(v views.BotView) error { return portal.CanDetach(v.Access.Role, v.Attachment) },
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.Detach(ctx, token, v.Attachment.Bot.BotID)
		},
		func(ctx context.Context, v views.BotView) error {
			return s.db.MarkDetached(ctx, actor(r), v.Channel.ID, v.Attachment.Bot.BotID)
		})
}

// chatControlTTL reads the form's ttl: empty means no time limit; digits
// typed full-width are the same number.
func chatControlTTL(raw string) (time.Duration, error) {
	raw = portal.Narrow(raw)
	if raw == "" {
		return 0, nil
	}
	secs, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || secs <= 0 {
		return 0, portal.FieldRefusal("ttl", portal.RChatControlTTLFormat)
	}
	ttl := time.Duration(secs) * time.Second
	return ttl, portal.CheckChatControlTTL(ttl)
}

func (s *Server) handleChatAcquire(w http.ResponseWriter, r *http.Request) {
	chatID, rawTTL := strings.TrimSpace(r.PostFormValue("chat_id")), r.PostFormValue("ttl")
	ttl, ttlErr := chatControlTTL(rawTTL)
	form := botForm{views.BotFormAcquire, func(v *views.BotView) { v.ChatID, v.TTL = chatID, rawTTL }}
	s.botAction(w, r, flashMessage{id: "flash.chat_acquired"}, form,
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
	chatID, askedAt := strings.TrimSpace(r.PostFormValue("chat_id")), s.now()
	s.botAction(w, r, flashMessage{id: "flash.chat_released"}, botForm{name: views.BotFormRelease},
		func(v views.BotView) error { return portal.CanControlChat(v.Access.Role, v.Attachment, chatID) },
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.ReleaseChatControl(ctx, token, v.Attachment.Bot.BotID, chatID)
		},
		func(ctx context.Context, v views.BotView) error {
			return s.db.ReleaseChatControl(ctx, actor(r), v.Channel.ID, v.Attachment.Bot.BotID, chatID, askedAt)
		})
}

func (s *Server) handleMissionSticker(w http.ResponseWriter, r *http.Request) {
	userID, packageID := strings.TrimSpace(r.PostFormValue("user_id")), strings.TrimSpace(r.PostFormValue("package_id"))
	present := r.PostFormValue("send_present_message") == "on"
	form := botForm{views.BotFormMission, func(v *views.BotView) {
		v.Options.UserID, v.Options.PackageID, v.Options.SendPresentMessage = userID, packageID, present
	}}
	s.botAction(w, r, flashMessage{"flash.mission_granted", []any{"PackageID", packageID, "UserID", userID}}, form,
		func(v views.BotView) error { return portal.CanUseCorporateOptions(v.Access.Role, v.Attachment) },
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.MissionSticker(ctx, token, v.Attachment.Bot.BotID, userID, packageID, present)
		}, nil)
}

func (s *Server) handleMarkAsRead(w http.ResponseWriter, r *http.Request) {
	userID := strings.TrimSpace(r.PostFormValue("user_id"))
	form := botForm{views.BotFormRead, func(v *views.BotView) { v.Options.ReadUserID = userID }}
	s.botAction(w, r, flashMessage{"flash.marked_read", []any{"UserID", userID}}, form,
		func(v views.BotView) error { return portal.CanUseCorporateOptions(v.Access.Role, v.Attachment) },
		func(ctx context.Context, token string, v views.BotView) error {
			return s.cfg.LINE.MarkAsRead(ctx, token, v.Attachment.Bot.BotID, userID)
		}, nil)
}
