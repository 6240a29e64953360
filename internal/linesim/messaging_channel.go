package linesim

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// A Messaging API channel is an Official Account's own channel, its
// Primary channel: its access token calls the bot APIs as that account,
// with no bot-user-ID header and no module scopes. The portal pushes link
// request URLs to organization administrators this way, from its own
// account. Given a webhook URL and secret, it receives the account's
// follow, unfollow and message events beside the attached modules; module
// events, botSuspended and botResumed are the modules' only.

// primaryChannel is an Official Account's Messaging API channel.
type primaryChannel struct {
	botID      string
	secret     string // signs its webhooks; "" until a webhook is set
	webhookURL string // "" = no webhook
}

// AddMessagingAPIChannel registers the Messaging API channel of the
// Official Account botID, which must be registered already.
func (s *Server) AddMessagingAPIChannel(channelID, botID string) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if err := s.state.checkNewChannelID(channelID); err != nil {
		return err
	}
	if _, ok := s.state.accounts[botID]; !ok {
		return fmt.Errorf("unknown official account %q", botID)
	}
	if _, has := s.state.primaryOf(botID); has {
		return fmt.Errorf("official account %s already has a Messaging API channel", botID)
	}
	s.state.accountChannels[channelID] = &primaryChannel{botID: botID}
	return nil
}

// PrimaryWebhook is where an Official Account's Messaging API channel
// receives its webhooks.
type PrimaryWebhook struct {
	ChannelID string `json:"channelId"` // the channel; registered when the account has none
	Secret    string `json:"secret"`    // channel secret that signs the webhooks
	URL       string `json:"url"`       // webhook URL; "" stops the webhooks
}

// SetPrimaryWebhook sets the webhook of an Official Account's Messaging
// API channel, registering the channel (w.ChannelID) when the account has
// none. An account that has one may name it or leave ChannelID empty.
func (s *Server) SetPrimaryWebhook(botID string, w PrimaryWebhook) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	st := &s.state
	if _, ok := st.accounts[botID]; !ok {
		return fmt.Errorf("unknown official account %q", botID)
	}
	if w.URL != "" && !isAbsoluteHTTPURL(w.URL) {
		return fmt.Errorf("webhook URL %q must be an absolute http or https URL without fragment", w.URL)
	}
	if w.URL != "" && w.Secret == "" {
		return errors.New("a webhook needs the channel secret that signs it")
	}
	id, has := st.primaryOf(botID)
	switch {
	case has && w.ChannelID != "" && w.ChannelID != id:
		return fmt.Errorf("official account %s has Messaging API channel %s, not %s", botID, id, w.ChannelID)
	case !has:
		if err := st.checkNewChannelID(w.ChannelID); err != nil {
			return err
		}
		id = w.ChannelID
		st.accountChannels[id] = &primaryChannel{botID: botID}
	}
	ch := st.accountChannels[id]
	ch.secret, ch.webhookURL = w.Secret, w.URL
	return nil
}

// primaryOf returns the ID of an account's Messaging API channel. The
// caller holds the lock.
func (st *state) primaryOf(botID string) (string, bool) {
	for id, ch := range st.accountChannels {
		if ch.botID == botID {
			return id, true
		}
	}
	return "", false
}

// primaryWebhooks lists the accounts' Messaging API channels that have a
// webhook, in account order. The caller holds the lock.
func (st *state) primaryWebhooks() []primaryWebhookView {
	var views []primaryWebhookView
	for _, botID := range st.accountIDs {
		if id, has := st.primaryOf(botID); has && st.accountChannels[id].webhookURL != "" {
			views = append(views, primaryWebhookView{BotName: st.accounts[botID].Name, ChannelID: id, URL: st.accountChannels[id].webhookURL})
		}
	}
	return slices.Clip(views)
}

type primaryWebhookView struct {
	BotName   string `json:"botName"`
	ChannelID string `json:"channelId"`
	URL       string `json:"url"`
}

// primaryWebhookChannel returns an account's Messaging API channel when it
// has a webhook. The caller holds the lock.
func (st *state) primaryWebhookChannel(botID string) (string, bool) {
	id, has := st.primaryOf(botID)
	return id, has && st.accountChannels[id].webhookURL != ""
}

// maxTextMessageLength is LINE's limit on a text message, in characters.
const maxTextMessageLength = 5000

// SendText is a friend of an Official Account sending it a text message.
// The message event goes to the account's Primary channel (when it has a
// webhook) with the user's own ID and to the modules attached with
// message:receive with their module user IDs. The channel holding chat
// control, the Primary channel unless a module acquired it, gets it in
// active mode with a reply token; the others in standby mode without.
func (s *Server) SendText(userID, botID, text string) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	st := &s.state
	if err := st.checkPair(userID, botID); err != nil {
		return err
	}
	if st.friendship(userID, botID) != FriendshipFriend {
		return fmt.Errorf("user %s is not a friend of %s and cannot message it", userID, botID)
	}
	if n := utf8.RuneCountInString(text); n == 0 || n > maxTextMessageLength {
		return fmt.Errorf("a text message has 1 to %d characters", maxTextMessageLength)
	}
	active := "" // the Primary channel
	if c, held := st.chatControls[chatKey{botID, userID}]; held && c.activeAt(s.now()) {
		active = c.channelID
	}
	msg := &messageContent{Type: "text", ID: newMessageID(), Text: text, QuoteToken: newOpaqueToken()}
	send := func(channelID, chatUserID string, isActive bool) {
		ev := webhookEvent{Type: "message", Mode: modeStandby, Source: &eventSource{Type: "user", UserID: chatUserID}, Message: msg}
		if isActive {
			ev.Mode, ev.ReplyToken = modeActive, randomHex(16)
		}
		st.emit(channelID, botID, ev)
	}
	if id, ok := st.primaryWebhookChannel(botID); ok {
		send(id, userID, active == "")
	}
	for _, channelID := range st.receivingModules(botID) {
		send(channelID, ModuleUserID(botID, userID), active == channelID)
	}
	return nil
}
