package linesim

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"time"
)

// statelessTokenLifetime is the lifetime of a stateless channel access token.
const statelessTokenLifetime = 15 * time.Minute

const (
	clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// invalidTokenMessage is LINE's 401 answer for a channel access token it
	// does not accept.
	invalidTokenMessage = "Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid."
)

// handleStatelessToken issues a stateless channel access token to a
// module, LINE Login or Messaging API channel (a Login channel's calls
// /user/v1/deauthorize; an Official Account's own channel reads its quota
// and followers). Client
// assertions (JWTs signed with a registered assertion key) are refused as
// LINE refuses them for a channel without such a key: the simulator
// registers none.
func (s *Server) handleStatelessToken(w http.ResponseWriter, r *http.Request) {
	if status, ok := parseFormStatus(r); !ok {
		writeOAuthError(w, status, "invalid_request", invalidRequestDescription)
		return
	}
	form := r.PostForm
	if grantType := form.Get("grant_type"); grantType != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type: "+grantType)
		return
	}
	if form.Has("client_assertion") || form.Has("client_assertion_type") {
		answerClientAssertion(w, r)
		return
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	channelID := form.Get("client_id")
	secret, ok := s.state.statelessTokenSecret(channelID)
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(form.Get("client_secret"))) != 1 {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Invalid 'client_credentials'.")
		return
	}
	token := s.state.issueChannelToken(channelID, s.now().Add(statelessTokenLifetime))
	writeJSON(w, http.StatusOK, struct {
		TokenType   string `json:"token_type"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}{"Bearer", token, int64(statelessTokenLifetime / time.Second)})
}

// statelessTokenSecret is the secret of a module or LINE Login channel,
// or of a Messaging API channel whose secret the simulator was given
// (SetPrimaryWebhook): the channels that get stateless tokens here. The
// caller holds the lock.
func (st *state) statelessTokenSecret(channelID string) (string, bool) {
	if ch, ok := st.moduleChannels[channelID]; ok {
		return ch.Secret, true
	}
	if ch, ok := st.accountChannels[channelID]; ok {
		return ch.secret, ch.secret != ""
	}
	ch, ok := st.channels[channelID]
	return ch.Secret, ok
}

// answerClientAssertion answers a client_credentials grant with a JWT
// assertion (channel access token v2.1, or stateless by JWT): LINE's answer
// for a channel that has no assertion key registered.
func answerClientAssertion(w http.ResponseWriter, r *http.Request) {
	if r.PostForm.Get("client_assertion_type") != clientAssertionType || r.PostForm.Get("client_assertion") == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", invalidRequestDescription)
		return
	}
	writeMessage(w, http.StatusNotFound, "Cannot find channel key that satisfies the conditions")
}

// authenticateChannel checks the Bearer channel access token of a bot API
// request and returns the module channel it belongs to. It answers 401
// itself and reports false when the request must stop.
func (s *Server) authenticateChannel(w http.ResponseWriter, r *http.Request) (string, bool) {
	token, ok := bearerToken(w, r)
	if !ok {
		return "", false
	}
	s.state.mu.Lock()
	t, known := s.state.channelTokens[token]
	s.state.mu.Unlock()
	if !known || (!t.expiresAt.IsZero() && !s.now().Before(t.expiresAt)) {
		writeMessage(w, http.StatusUnauthorized, invalidTokenMessage)
		return "", false
	}
	return t.channelID, true
}

// botCaller is a module channel acting for one of the bots it is attached
// to.
type botCaller struct {
	channelID, botID string
}

// authenticateBotCall checks a module channel's call made for a bot: the
// token, the bot-user-ID header, that the channel is attached to that bot
// with scope ("" = none needed), and that the bot is not suspended. It
// answers the error itself and reports false when the request must stop.
func (s *Server) authenticateBotCall(w http.ResponseWriter, r *http.Request, scope string) (botCaller, bool) {
	channelID, ok := s.authenticateChannel(w, r)
	if !ok {
		return botCaller{}, false
	}
	s.state.mu.Lock()
	primary, own := s.state.accountChannels[channelID]
	s.state.mu.Unlock()
	if own {
		return s.ownAccountCall(w, channelID, primary.botID)
	}
	botID := r.Header.Get(s.botHeader)
	if botID == "" {
		writeMessage(w, http.StatusBadRequest, "The request header '"+s.botHeader+"' is required")
		return botCaller{}, false
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	oa, known := s.state.accounts[botID]
	a, attached := s.state.attachmentOf(channelID, botID)
	switch {
	case !known:
		writeMessage(w, http.StatusBadRequest, "The value for the '"+s.botHeader+"' header is invalid")
	case !attached:
		writeMessage(w, http.StatusForbidden, "The channel is not attached to the bot")
	case oa.Suspended:
		writeMessage(w, http.StatusForbidden, suspendedMessage)
	case scope != "" && !slices.Contains(a.scopes, scope):
		writeMessage(w, http.StatusForbidden, "The access token does not have the required scope: "+scope)
	default:
		return botCaller{channelID: channelID, botID: botID}, true
	}
	return botCaller{}, false
}

// ownAccountCall is an Official Account's own Messaging API channel calling
// as that account: no bot header and no module scopes apply.
func (s *Server) ownAccountCall(w http.ResponseWriter, channelID, botID string) (botCaller, bool) {
	s.state.mu.Lock()
	suspended := s.state.accounts[botID].Suspended
	s.state.mu.Unlock()
	if suspended {
		writeMessage(w, http.StatusForbidden, suspendedMessage)
		return botCaller{}, false
	}
	return botCaller{channelID: channelID, botID: botID}, true
}

// suspendedMessage answers bot API calls for a suspended account. LINE does
// not document this case.
const suspendedMessage = "The LINE Official Account is suspended"
