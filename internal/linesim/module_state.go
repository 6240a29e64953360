package linesim

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ModuleChannel is a module channel: a channel that LINE Official Accounts
// attach to extend their bot.
type ModuleChannel struct {
	ID           string   // channel ID, digits
	Name         string   // shown on the authorization screen; "" = none
	Secret       string   // channel secret; signs the channel's webhooks
	RedirectURIs []string // attach callback URLs, matched exactly
	WebhookURL   string   // where the channel's webhooks go; "" = nowhere
}

// The module channel scopes LINE documents for the authorization URL.
const (
	scopeMessageSend    = "message:send"
	scopeMessageReceive = "message:receive"
	scopeMarkAsRead     = "message:mark_as_read"
	scopeAccountManage  = "account:manage"
	scopeTemplatedPNP   = "message:templated_pnp"
	scopeProfileRead    = "profile:read"
	scopeCouponManage   = "coupon:manage"
	scopeCRMManage      = "crm:manage"
)

// Reasons of a detached event. bot_deleted is the one LINE documents: the
// account was deleted and its data purged. LINE's types require a reason
// in every detached event but name no other; a detach the module itself
// asked for (the Detach API) gets the simulator's own value.
const (
	detachReasonBotDeleted     = "bot_deleted"
	detachReasonModuleDetached = "module_detached"
)

// moduleScopeMessageID names the message that tells an account admin what
// a scope allows; ok is false for a scope LINE does not document.
func moduleScopeMessageID(scope string) (id string, ok bool) {
	switch scope {
	case scopeMessageSend:
		return "ScopeMessageSend", true
	case scopeMessageReceive:
		return "ScopeMessageReceive", true
	case scopeMarkAsRead:
		return "ScopeMarkAsRead", true
	case scopeAccountManage:
		return "ScopeAccountManage", true
	case scopeTemplatedPNP:
		return "ScopeTemplatedPNP", true
	case scopeProfileRead:
		return "ScopeProfileRead", true
	case scopeCouponManage:
		return "ScopeCouponManage", true
	case scopeCRMManage:
		return "ScopeCRMManage", true
	}
	return "", false
}

// attachment is a module channel attached to a bot.
type attachment struct {
	scopes     []string
	seq        int64 // attach order; the bot list pages through it
	attachedAt time.Time
}

type chatKey struct{ botID, userID string }

// chatControl is the module channel holding the initiative in a 1:1 chat.
// Without one the Primary channel (not simulated) holds it.
type chatControl struct {
	channelID  string
	acquiredAt time.Time
	expireAt   time.Time // zero = no time limit
}

func (c chatControl) activeAt(now time.Time) bool {
	return c.expireAt.IsZero() || now.Before(c.expireAt)
}

// channelToken is a channel access token of a module channel.
type channelToken struct {
	channelID string
	expiresAt time.Time // zero = never
}

// moduleState is what the simulator knows about module channels, the bot
// APIs and webhooks. It is part of state and guarded by the same lock.
type moduleState struct {
	now            func() time.Time
	moduleChannels map[string]ModuleChannel
	// accountChannels are Official Accounts' own Messaging API channels,
	// by channel ID.
	accountChannels map[string]*primaryChannel
	moduleIDs       []string                          // insertion order, for stable listings
	attachments     map[string]map[string]*attachment // channel ID → bot ID →
	attachSeq       int64
	attachRequests  map[string]*attachRequest
	attachCodes     map[string]*attachCode
	channelTokens   map[string]channelToken
	listCursors     map[string]listCursor
	chatControls    map[chatKey]chatControl
	retryKeys       map[retryKey]acceptedPush
	pushes          []Push
	outbox          []queuedEvent
	deliveries      []*delivery
	deliverySeq     int
	wake            chan struct{} // signalled when the outbox gains events
}

func newModuleState(now func() time.Time) moduleState {
	return moduleState{
		now:             now,
		moduleChannels:  map[string]ModuleChannel{},
		accountChannels: map[string]*primaryChannel{},
		attachments:     map[string]map[string]*attachment{},
		attachRequests:  map[string]*attachRequest{},
		attachCodes:     map[string]*attachCode{},
		channelTokens:   map[string]channelToken{},
		listCursors:     map[string]listCursor{},
		chatControls:    map[chatKey]chatControl{},
		retryKeys:       map[retryKey]acceptedPush{},
		wake:            make(chan struct{}, 1),
	}
}

// AddModuleChannel registers a module channel.
func (s *Server) AddModuleChannel(c ModuleChannel) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if err := s.state.checkNewModuleChannel(c); err != nil {
		return err
	}
	s.state.putModuleChannel(c)
	return nil
}

func (st *state) checkNewModuleChannel(c ModuleChannel) error {
	if err := st.checkNewChannelID(c.ID); err != nil {
		return err
	}
	if c.Secret == "" {
		return fmt.Errorf("channel %s: secret is required", c.ID)
	}
	if err := checkRedirectURIs(c.ID, c.RedirectURIs); err != nil {
		return err
	}
	if c.WebhookURL != "" && !isAbsoluteHTTPURL(c.WebhookURL) {
		return fmt.Errorf("channel %s: webhook URL %q must be an absolute http or https URL without fragment", c.ID, c.WebhookURL)
	}
	return nil
}

func (st *state) putModuleChannel(c ModuleChannel) {
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	st.moduleChannels[c.ID] = c
	st.moduleIDs = append(st.moduleIDs, c.ID)
}

// AttachModule attaches a module channel to a bot with the given scopes, as
// an approved authorization would, and sends the attached event. Attaching
// again replaces the scopes.
func (s *Server) AttachModule(channelID, botID string, scopes []string) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if _, ok := s.state.moduleChannels[channelID]; !ok {
		return fmt.Errorf("unknown module channel %q", channelID)
	}
	if _, ok := s.state.accounts[botID]; !ok {
		return fmt.Errorf("unknown official account %q", botID)
	}
	if err := checkModuleScopes(scopes); err != nil {
		return err
	}
	s.state.attach(channelID, botID, scopes)
	return nil
}

// checkModuleScopes refuses a scope LINE does not document.
func checkModuleScopes(scopes []string) error {
	for _, sc := range scopes {
		if _, ok := moduleScopeMessageID(sc); !ok {
			return fmt.Errorf("unknown scope %q", sc)
		}
	}
	return nil
}

// attach records an attachment and sends the attached event. The caller
// holds the lock.
func (st *state) attach(channelID, botID string, scopes []string) {
	scopes = slices.Clone(scopes)
	if scopes == nil {
		scopes = []string{}
	}
	bots := st.attachments[channelID]
	if bots == nil {
		bots = map[string]*attachment{}
		st.attachments[channelID] = bots
	}
	if a, ok := bots[botID]; ok {
		a.scopes = scopes
	} else {
		st.attachSeq++
		bots[botID] = &attachment{scopes: scopes, seq: st.attachSeq, attachedAt: st.now()}
	}
	st.emit(channelID, botID, webhookEvent{Type: "module", Module: attachedModule{Type: "attached", BotID: botID, Scopes: scopes}})
}

// detach removes an attachment and the chat control the channel held in
// the bot's chats, and sends the detached event with reason. The caller
// holds the lock.
func (st *state) detach(channelID, botID, reason string) {
	delete(st.attachments[channelID], botID)
	for key, c := range st.chatControls {
		if key.botID == botID && c.channelID == channelID {
			delete(st.chatControls, key)
		}
	}
	st.emit(channelID, botID, webhookEvent{Type: "module", Module: detachedModule{Type: "detached", BotID: botID, Reason: reason}})
}

func (st *state) attachmentOf(channelID, botID string) (*attachment, bool) {
	a, ok := st.attachments[channelID][botID]
	return a, ok
}

// modulesOf returns the IDs of the module channels attached to a bot, in
// registration order. The caller holds the lock.
func (st *state) modulesOf(botID string) []string {
	var ids []string
	for _, id := range st.moduleIDs {
		if _, ok := st.attachmentOf(id, botID); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// IssueChannelToken issues a channel access token for a module channel
// that never expires, so that a demo or test can be configured with one.
// LINE itself gives module channels only expiring tokens.
func (s *Server) IssueChannelToken(channelID string) (string, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	_, module := s.state.moduleChannels[channelID]
	_, messaging := s.state.accountChannels[channelID]
	if !module && !messaging {
		return "", fmt.Errorf("unknown module or Messaging API channel %q", channelID)
	}
	return s.state.issueChannelToken(channelID, time.Time{}), nil
}

// issueChannelToken stores a new token; expired ones are dropped here so
// that memory stays bounded. The caller holds the lock.
func (st *state) issueChannelToken(channelID string, expiresAt time.Time) string {
	now := st.now()
	for token, t := range st.channelTokens {
		if !t.expiresAt.IsZero() && !now.Before(t.expiresAt) {
			delete(st.channelTokens, token)
		}
	}
	token := newOpaqueToken()
	st.channelTokens[token] = channelToken{channelID: channelID, expiresAt: expiresAt}
	return token
}

// SuspendBot suspends an official account and sends botSuspended to its
// modules. Suspending a suspended account changes nothing.
func (s *Server) SuspendBot(botID string) error { return s.setSuspended(botID, true) }

// ResumeBot ends a suspension and sends botResumed to the account's
// modules. Resuming an account that is not suspended changes nothing.
func (s *Server) ResumeBot(botID string) error { return s.setSuspended(botID, false) }

func (s *Server) setSuspended(botID string, suspended bool) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	oa, ok := s.state.accounts[botID]
	if !ok {
		return fmt.Errorf("unknown official account %q", botID)
	}
	if oa.Suspended == suspended {
		return nil
	}
	oa.Suspended = suspended
	s.state.accounts[botID] = oa
	event := "botResumed"
	if suspended {
		event = "botSuspended"
	}
	for _, channelID := range s.state.modulesOf(botID) {
		s.state.emit(channelID, botID, webhookEvent{Type: event})
	}
	return nil
}

// DeleteBot deletes an official account with everything about it and
// detaches its modules with reason bot_deleted. LINE detaches about three
// months after the deletion, once the account's data is purged; the
// simulator does both at once. An account linked to a LINE Login channel
// cannot be deleted.
func (s *Server) DeleteBot(botID string) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	st := &s.state
	if _, ok := st.accounts[botID]; !ok {
		return fmt.Errorf("unknown official account %q", botID)
	}
	for _, ch := range st.channels {
		if ch.LinkedBotID == botID {
			return fmt.Errorf("official account %s is linked to LINE Login channel %s", botID, ch.ID)
		}
	}
	for _, channelID := range st.modulesOf(botID) {
		st.detach(channelID, botID, detachReasonBotDeleted)
	}
	for key := range st.friendships {
		if key.botID == botID {
			delete(st.friendships, key)
		}
	}
	if id, has := st.primaryOf(botID); has {
		delete(st.accountChannels, id)
	}
	delete(st.accounts, botID)
	st.accountIDs = slices.DeleteFunc(st.accountIDs, func(id string) bool { return id == botID })
	return nil
}

// ModuleUserID is the user ID a module channel sees for a user of a bot: 68
// characters, "L", a per-account user part, "-" and the bot's user ID. The
// user part is derived from both IDs, so it differs per account and does not
// reveal the user's own ID.
func ModuleUserID(botID, userID string) string {
	sum := sha256.Sum256([]byte(botID + "/" + userID))
	return "LU" + hex.EncodeToString(sum[:16]) + "-" + botID
}

// Shapes of chat IDs: a user, group or room ID is a letter and 32 hex
// digits; a module-scoped user ID is L, a user ID, "-" and a bot ID.
const (
	chatIDLength       = 33
	moduleUserIDLength = 1 + chatIDLength + 1 + chatIDLength
)

func isChatID(id string, kind byte) bool {
	return len(id) == chatIDLength && id[0] == kind && strings.Trim(id[1:], "0123456789abcdef") == ""
}

// errMalformedChat means a chat ID that is not a valid ID for the bot.
var errMalformedChat = errors.New("malformed chat ID")

// chatUser resolves a chat ID sent for a bot to a simulated user. It
// accepts the module-scoped ID and, for convenience, the user's own ID.
// userID is "" for a well-formed ID of an unknown user or of a group or room
// (the simulator has none); friend reports whether the user is a friend of
// the bot. err is errMalformedChat for an ID of another shape or another bot.
// The caller holds the lock.
func (st *state) chatUser(botID, chatID string) (userID string, friend bool, err error) {
	switch {
	case isChatID(chatID, 'U'):
		if st.hasUser(chatID) {
			userID = chatID
		}
	case isChatID(chatID, 'C') || isChatID(chatID, 'R'):
		return "", false, nil
	case len(chatID) == moduleUserIDLength && chatID[0] == 'L' && isChatID(chatID[1:1+chatIDLength], 'U') &&
		chatID[1+chatIDLength] == '-' && isLineID(chatID[2+chatIDLength:]):
		if chatID[2+chatIDLength:] != botID {
			return "", false, errMalformedChat
		}
		userID = st.userForModuleID(botID, chatID)
	default:
		return "", false, errMalformedChat
	}
	return userID, userID != "" && st.friendship(userID, botID) == FriendshipFriend, nil
}

// userForModuleID finds the user behind a module-scoped ID; "" if none.
func (st *state) userForModuleID(botID, moduleUserID string) string {
	for _, id := range st.userIDs {
		if ModuleUserID(botID, id) == moduleUserID {
			return id
		}
	}
	return ""
}

// friendshipChanged tells the account's channels that may receive
// messages that a user followed it (follow set) or blocked it. Either
// resets chat control in the chat to the Primary channel, as LINE does on
// re-adding: the Primary channel gets the event in active mode (a follow
// with a reply token) and every module in standby. The caller holds the
// lock.
func (st *state) friendshipChanged(userID, botID string, follow *followDetail) {
	delete(st.chatControls, chatKey{botID, userID})
	ev := webhookEvent{Type: "unfollow", Mode: modeStandby, Source: &eventSource{Type: "user", UserID: ModuleUserID(botID, userID)}}
	if follow != nil {
		ev.Type, ev.Follow = "follow", follow
	}
	for _, channelID := range st.receivingModules(botID) {
		st.emit(channelID, botID, ev)
	}
	if id, ok := st.primaryWebhookChannel(botID); ok {
		primary := ev
		primary.Mode, primary.Source = modeActive, &eventSource{Type: "user", UserID: userID}
		if follow != nil {
			primary.ReplyToken = randomHex(16)
		}
		st.emit(id, botID, primary)
	}
}

// receivingModules are the channels attached to a bot with message:receive.
func (st *state) receivingModules(botID string) []string {
	return slices.DeleteFunc(st.modulesOf(botID), func(channelID string) bool {
		a, _ := st.attachmentOf(channelID, botID)
		return !slices.Contains(a.scopes, scopeMessageReceive)
	})
}
