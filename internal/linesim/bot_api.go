package linesim

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Limits LINE documents for the module channel APIs.
const (
	maxBotListLimit    = 100
	listCursorLifetime = 24 * time.Hour
	defaultChatTTL     = 3600            // seconds
	maxChatTTL         = 3600 * 24 * 365 // seconds
	chatControlLock    = 5 * time.Second // "a few seconds or so" of 423 after another channel acquires
	retryKeyLifetime   = 24 * time.Hour  // a retry key is remembered this long
	maxPushMessages    = 5               // messages per push request
	maxTextLength      = 5000            // characters per text message
)

// decodeLINEBody decodes a JSON request body as LINE's APIs do: unknown
// properties are ignored, and an empty body or null leaves v as it is. It
// answers 400 or 413 itself and reports false when the request must stop.
func decodeLINEBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(r.Body)
	if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return false
	}
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "The request body could not be parsed as JSON")
		return false
	}
	return true
}

// writeOK answers 200 with an empty body, as the APIs that document none do.
func writeOK(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }

// listCursor is where a continuation token of the bot list resumes.
type listCursor struct {
	channelID string
	afterSeq  int64
	expiresAt time.Time
}

type moduleBot struct {
	UserID      string `json:"userId"`
	BasicID     string `json:"basicId"`
	PremiumID   string `json:"premiumId,omitempty"`
	DisplayName string `json:"displayName"`
	PictureURL  string `json:"pictureUrl,omitempty"`
}

// handleBotList lists the bots the calling module is attached to, in
// attach order. limit outside 1…100 is refused; LINE documents only the
// maximum, so the message is the simulator's.
func (s *Server) handleBotList(w http.ResponseWriter, r *http.Request) {
	channelID, ok := s.authenticateChannel(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit := maxBotListLimit
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > maxBotListLimit {
			writeMessage(w, http.StatusBadRequest, "The value for the 'limit' parameter is invalid")
			return
		}
		limit = n
	}

	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	st := &s.state
	now := s.now()
	var after int64
	if start := q.Get("start"); start != "" {
		c, known := st.listCursors[start]
		if !known || c.channelID != channelID || !now.Before(c.expiresAt) {
			writeMessage(w, http.StatusBadRequest, "Invalid start param")
			return
		}
		after = c.afterSeq
	}
	type entry struct {
		botID string
		seq   int64
	}
	var rest []entry
	for botID, a := range st.attachments[channelID] {
		if a.seq > after {
			rest = append(rest, entry{botID, a.seq})
		}
	}
	slices.SortFunc(rest, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	resp := struct {
		Bots []moduleBot `json:"bots"`
		Next string      `json:"next,omitempty"`
	}{Bots: []moduleBot{}}
	for _, e := range rest[:min(limit, len(rest))] {
		oa := st.accounts[e.botID]
		resp.Bots = append(resp.Bots, moduleBot{oa.BotID, oa.BasicID, oa.PremiumID, oa.Name, oa.PictureURL})
	}
	if len(rest) > limit {
		resp.Next = st.issueListCursor(channelID, rest[limit-1].seq, now)
	}
	writeJSON(w, http.StatusOK, resp)
}

// issueListCursor stores a continuation token; expired ones are dropped
// here. The caller holds the lock.
func (st *state) issueListCursor(channelID string, afterSeq int64, now time.Time) string {
	for token, c := range st.listCursors {
		if !now.Before(c.expiresAt) {
			delete(st.listCursors, token)
		}
	}
	token := newOpaqueToken()
	st.listCursors[token] = listCursor{channelID: channelID, afterSeq: afterSeq, expiresAt: now.Add(listCursorLifetime)}
	return token
}

// handleDetach detaches the calling module from a bot. LINE documents two
// 400 bodies without saying which reason gets which; the simulator answers
// "user/group/room Id is not available." for a bot ID that is malformed or
// unknown and "Specified channel is not detachable" for a bot the channel is
// not attached to. The detached event of a detach the module asked for has
// reason module_detached: LINE documents only bot_deleted.
func (s *Server) handleDetach(w http.ResponseWriter, r *http.Request) {
	channelID, ok := s.authenticateChannel(w, r)
	if !ok {
		return
	}
	var body struct {
		BotID string `json:"botId"`
	}
	if !decodeLINEBody(w, r, &body) {
		return
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if _, known := s.state.accounts[body.BotID]; !known {
		writeMessage(w, http.StatusBadRequest, "user/group/room Id is not available.")
		return
	}
	if _, attached := s.state.attachmentOf(channelID, body.BotID); !attached {
		writeMessage(w, http.StatusBadRequest, "Specified channel is not detachable")
		return
	}
	s.state.detach(channelID, body.BotID, detachReasonModuleDetached)
	writeOK(w)
}

// chatOf resolves the chatId path parameter for a chat control call. It
// answers 400 itself; ok is false when the request must stop, and userID is
// "" for a chat that is not the bot's 1:1 chat with a friend. The caller
// holds the lock.
func (st *state) chatOf(w http.ResponseWriter, r *http.Request, botID string) (userID string, ok bool) {
	userID, friend, err := st.chatUser(botID, r.PathValue("chatId"))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "The value for the 'chatId' parameter is invalid")
		return "", false
	}
	if !friend {
		return "", true
	}
	return userID, true
}

// handleAcquireChatControl makes the calling module the Active Channel of
// a 1:1 chat. LINE documents the 404 and 423 cases without bodies; the
// simulator answers "Not found" and its own sentence.
func (s *Server) handleAcquireChatControl(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.authenticateBotCall(w, r, scopeMessageReceive)
	if !ok {
		return
	}
	var body struct {
		Expired *bool  `json:"expired"`
		TTL     *int64 `json:"ttl"`
	}
	if !decodeLINEBody(w, r, &body) {
		return
	}
	expires := body.Expired == nil || *body.Expired
	ttl := int64(defaultChatTTL)
	if body.TTL != nil {
		ttl = *body.TTL
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	st := &s.state
	userID, ok := st.chatOf(w, r, caller.botID)
	switch {
	case !ok:
		return
	case expires && (ttl < 1 || ttl > maxChatTTL): // ttl is ignored when expired is false
		writeMessage(w, http.StatusBadRequest, "The value for the 'ttl' parameter is invalid")
		return
	case userID == "":
		writeMessage(w, http.StatusNotFound, "Not found")
		return
	}
	now := s.now()
	key := chatKey{caller.botID, userID}
	current, held := st.chatControls[key]
	if held && current.channelID != caller.channelID && now.Sub(current.acquiredAt) < chatControlLock {
		writeMessage(w, http.StatusLocked, "Another channel acquired chat control a moment ago. Try again in a few seconds.")
		return
	}
	next := chatControl{channelID: caller.channelID, acquiredAt: now}
	if expires {
		next.expireAt = now.Add(time.Duration(ttl) * time.Second)
	}
	st.chatControls[key] = next
	source := &eventSource{Type: "user", UserID: ModuleUserID(caller.botID, userID)}
	if held && current.channelID != caller.channelID && current.activeAt(now) {
		st.emit(current.channelID, caller.botID, webhookEvent{Type: "deactivated", Source: source})
	}
	control := &eventChatControl{}
	if expires {
		control.ExpireAt = next.expireAt.UnixMilli()
	}
	st.emit(caller.channelID, caller.botID, webhookEvent{Type: "activated", Source: source, ChatControl: control})
	writeOK(w)
}

// handleReleaseChatControl returns a chat the calling module is active in
// to the Primary channel. Releasing a chat the module is not active in
// changes nothing and succeeds.
func (s *Server) handleReleaseChatControl(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.authenticateBotCall(w, r, scopeMessageReceive)
	if !ok {
		return
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	st := &s.state
	userID, ok := st.chatOf(w, r, caller.botID)
	if !ok {
		return
	}
	key := chatKey{caller.botID, userID}
	if c, held := st.chatControls[key]; userID != "" && held && c.channelID == caller.channelID && c.activeAt(s.now()) {
		delete(st.chatControls, key)
		st.emit(caller.channelID, caller.botID, webhookEvent{
			Type: "deactivated", Source: &eventSource{Type: "user", UserID: ModuleUserID(caller.botID, userID)},
		})
	}
	writeOK(w)
}

// handleMarkAsRead marks a friend's messages as read. A user who is not a
// friend has no chat to mark, so the ID counts as invalid.
func (s *Server) handleMarkAsRead(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.authenticateBotCall(w, r, scopeMarkAsRead)
	if !ok {
		return
	}
	var body struct {
		Chat struct {
			UserID string `json:"userId"`
		} `json:"chat"`
	}
	if !decodeLINEBody(w, r, &body) {
		return
	}
	s.state.mu.Lock()
	_, friend, err := s.state.chatUser(caller.botID, body.Chat.UserID)
	s.state.mu.Unlock()
	if err != nil || !friend {
		// LINE's documented example names chat.chatId although the property
		// is chat.userId.
		writeMessage(w, http.StatusBadRequest, "The property, 'chat.chatId', in the request body is invalid (line: -, column: -)")
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// Push is a push message the simulator accepted.
type Push struct {
	RequestID string    `json:"requestId"`
	ChannelID string    `json:"channelId"`
	BotID     string    `json:"botId"`
	To        string    `json:"to"`
	Texts     []string  `json:"texts"`
	Delivered bool      `json:"delivered"` // false when the user is not a friend: LINE accepts such pushes but sends nothing
	At        time.Time `json:"at"`
}

// Pushes returns the accepted push messages, oldest first.
func (s *Server) Pushes() []Push {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	return append([]Push{}, s.state.pushes...)
}

type retryKey struct{ channelID, key string }

type acceptedPush struct {
	requestID    string
	sentMessages []sentMessage
	at           time.Time
}

type sentMessage struct {
	ID         string `json:"id"`
	QuoteToken string `json:"quoteToken"`
}

type errorDetail struct {
	Message  string `json:"message"`
	Property string `json:"property"`
}

// handlePush sends text messages to a user. Other message types are
// refused: the simulator has no use for them.
func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.authenticateBotCall(w, r, scopeMessageSend)
	if !ok {
		return
	}
	key := r.Header.Get("X-Line-Retry-Key")
	if key != "" && !isUUID(key) {
		writeMessage(w, http.StatusBadRequest, "The value for the 'X-Line-Retry-Key' header is invalid")
		return
	}
	var body struct {
		To       string `json:"to"`
		Messages []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"messages"`
	}
	if !decodeLINEBody(w, r, &body) {
		return
	}
	var details []errorDetail
	if n := len(body.Messages); n < 1 || n > maxPushMessages {
		details = append(details, errorDetail{fmt.Sprintf("Size must be between 1 and %d", maxPushMessages), "messages"})
	}
	texts := make([]string, 0, len(body.Messages))
	for i, m := range body.Messages {
		property := fmt.Sprintf("messages[%d]", i)
		switch {
		case m.Type != "text":
			details = append(details, errorDetail{"The simulator sends text messages only", property + ".type"})
		case m.Text == "":
			details = append(details, errorDetail{"May not be empty", property + ".text"})
		case len([]rune(m.Text)) > maxTextLength:
			details = append(details, errorDetail{fmt.Sprintf("Length must be between 0 and %d", maxTextLength), property + ".text"})
		}
		texts = append(texts, m.Text)
	}
	if len(details) > 0 {
		writeJSON(w, http.StatusBadRequest, struct {
			Message string        `json:"message"`
			Details []errorDetail `json:"details"`
		}{fmt.Sprintf("The request body has %d error(s)", len(details)), details})
		return
	}

	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	st := &s.state
	now := s.now()
	for k, a := range st.retryKeys {
		if now.Sub(a.at) >= retryKeyLifetime {
			delete(st.retryKeys, k)
		}
	}
	rk := retryKey{caller.channelID, key}
	if accepted, seen := st.retryKeys[rk]; key != "" && seen {
		w.Header().Set("X-Line-Accepted-Request-Id", accepted.requestID)
		writeJSON(w, http.StatusConflict, struct {
			Message      string        `json:"message"`
			SentMessages []sentMessage `json:"sentMessages"`
		}{"The retry key is already accepted", accepted.sentMessages})
		return
	}
	userID, friend, err := st.chatUser(caller.botID, body.To)
	if err != nil || userID == "" {
		writeMessage(w, http.StatusBadRequest, "The property, 'to', in the request body is invalid (line: -, column: -)")
		return
	}
	if friend && st.overQuota(caller.botID, now) {
		// Only a message that would reach someone counts toward the quota.
		writeMessage(w, http.StatusTooManyRequests, MonthlyLimitMessage)
		return
	}
	requestID := w.Header().Get(requestIDHeader)
	sent := make([]sentMessage, len(texts))
	for i := range sent {
		sent[i] = sentMessage{ID: newMessageID(), QuoteToken: newOpaqueToken()}
	}
	if key != "" {
		st.retryKeys[rk] = acceptedPush{requestID: requestID, sentMessages: sent, at: now}
	}
	st.pushes = append(st.pushes, Push{
		RequestID: requestID, ChannelID: caller.channelID, BotID: caller.botID,
		To: body.To, Texts: texts, Delivered: friend, At: now,
	})
	writeJSON(w, http.StatusOK, struct {
		SentMessages []sentMessage `json:"sentMessages"`
	}{sent})
}

// isUUID reports whether s is a UUID in its hyphenated hexadecimal form,
// the one LINE requires of a retry key.
func isUUID(s string) bool {
	return len(s) == 36 && uuid.Validate(s) == nil
}

// newMessageID returns a message ID: LINE's are decimal numbers.
func newMessageID() string { return fmt.Sprintf("%018d", mathrand.Uint64N(1e18)) }

// missionStickerPackage is a sticker package ID and what the mission
// sticker API answers for it.
type missionStickerPackage struct {
	PackageID string `json:"packageId"`
	Status    int    `json:"status"`
	Message   string `json:"message,omitempty"` // the error message; "" = granted
	Meaning   string `json:"meaning"`
}

// missionStickerPackages are the packages the simulator knows. Any other
// package ID does not exist (404 "not found"); a "to" that is not a user of
// the bot is "invalid request". Where 001 and LINE's reference disagree on
// the wording the simulator answers with 001's; the last three exist only in
// the reference.
func missionStickerPackages() []missionStickerPackage {
	return []missionStickerPackage{
		{"10001", http.StatusOK, "", "a mission sticker set; the user gets it"},
		{"10002", http.StatusOK, "", "a second mission sticker set; the user gets it"},
		{"20001", http.StatusBadRequest, "illegal argument", "exists but is not set up as a mission sticker"},
		{"20002", http.StatusBadRequest, "not_sales_period", "outside its validity period"},
		{"20003", http.StatusBadRequest, "not sale for country", "not sold in the user's country"},
		{"20004", http.StatusBadRequest, "not sale for device", "not supported on the user's device"},
		{"20005", http.StatusBadRequest, "not sale for version", "not supported by the user's LINE version"},
		{"20403", http.StatusForbidden, "not allowed to use the API", "the channel lacks the mission sticker permission"},
		{"20006", http.StatusBadRequest, "sticker set not available for channel", "the channel may not grant this set"},
		{"20500", http.StatusInternalServerError, "internal error", "LINE fails internally"},
		{"20502", http.StatusBadGateway, "upstream error", "LINE's upstream fails"},
	}
}

// handleMissionSticker grants a mission sticker. sendPresentMessage is
// accepted either way: LINE documents only its value false.
func (s *Server) handleMissionSticker(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.authenticateBotCall(w, r, "")
	if !ok {
		return
	}
	var body struct {
		To          string `json:"to"`
		ProductID   string `json:"productId"`
		ProductType string `json:"productType"`
	}
	if !decodeLINEBody(w, r, &body) {
		return
	}
	s.state.mu.Lock()
	userID, _, err := s.state.chatUser(caller.botID, body.To)
	s.state.mu.Unlock()
	if err != nil || userID == "" || body.ProductType != "STICKER" || body.ProductID == "" {
		writeMessage(w, http.StatusBadRequest, "invalid request")
		return
	}
	for _, p := range missionStickerPackages() {
		if p.PackageID != body.ProductID {
			continue
		}
		if p.Status != http.StatusOK {
			writeMessage(w, p.Status, p.Message)
			return
		}
		writeOK(w)
		return
	}
	writeMessage(w, http.StatusNotFound, "not found")
}
