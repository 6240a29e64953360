package linesim

import (
	"fmt"
	"net/http"
)

// handleDeauthorize answers POST /user/v1/deauthorize: a LINE Login
// channel, with its own channel access token, gives up what a user granted
// it, as the user does with "Unlink" in the LINE app. Every access and
// refresh token the user's grants to the channel issued stops working and
// the consent is forgotten, so the next login asks for it again (and
// prompt=none answers INTERACTION_REQUIRED). LINE answers 400 "invalid
// token" for a user access token that is not (or no longer) valid for the
// channel, which covers a second deauthorization.
func (s *Server) handleDeauthorize(w http.ResponseWriter, r *http.Request) {
	channelID, ok := s.authenticateChannel(w, r)
	if !ok {
		return
	}
	var body struct {
		UserAccessToken string `json:"userAccessToken"`
	}
	if !decodeLINEBody(w, r, &body) {
		return
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	at, known := s.state.accessTokens[body.UserAccessToken]
	if !known || at.grant.revoked || at.grant.channelID != channelID || !s.now().Before(at.expiresAt) {
		writeMessage(w, http.StatusBadRequest, "invalid token")
		return
	}
	s.state.revokeConsent(at.grant.userID, channelID)
	w.WriteHeader(http.StatusNoContent)
}

// RevokeConsent is a user unlinking a LINE Login channel in the LINE app
// (Settings > Account > Authorized apps): the channel's tokens for the user
// stop working and the next login asks for consent again.
func (s *Server) RevokeConsent(userID, channelID string) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if !s.state.hasUser(userID) {
		return fmt.Errorf("unknown user %q", userID)
	}
	if _, ok := s.state.channels[channelID]; !ok {
		return fmt.Errorf("unknown LINE Login channel %q", channelID)
	}
	s.state.revokeConsent(userID, channelID)
	return nil
}

// revokeConsent forgets a user's consent to a channel and revokes every
// grant it led to. The caller holds the lock.
func (st *state) revokeConsent(userID, channelID string) {
	delete(st.consents, consentKey{userID, channelID})
	for _, g := range st.grants {
		if g.userID == userID && g.channelID == channelID {
			g.revoked = true
		}
	}
	for code, c := range st.codes {
		if c.userID == userID && c.channelID == channelID {
			delete(st.codes, code)
		}
	}
}
