package linesim

import "fmt"

// A Messaging API channel is an Official Account's own channel: its access
// token calls the bot APIs as that account, with no bot-user-ID header and
// no module scopes. The portal pushes link request URLs to organization
// administrators this way, from its own account.

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
	s.state.accountChannels[channelID] = botID
	return nil
}
