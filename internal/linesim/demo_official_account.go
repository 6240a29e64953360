package linesim

import (
	"fmt"
	"time"
)

// OfficialAccountDemo is an Official Account the portal's demo data
// registers (Momiji Cafe), as the simulator knows it: its bot, its
// Messaging API channel and credentials, the company bot that receives its
// webhooks, and figures worth showing.
type OfficialAccountDemo struct {
	BasicID, Name string
	// ChannelID is its Messaging API channel: the portal's demo picks it.
	ChannelID string
	// Secret and Token are the channel's; empty ones are generated. The
	// portal keeps them across restarts, a fresh simulator is handed them.
	Secret, Token string
	// WebhookURL is where its webhooks go now: the company's own bot.
	WebhookURL string
	Quota      Quota
	Followers  Followers
}

// SeedOfficialAccountDemo registers the account with its Messaging API
// channel, credentials, webhook URL, quota and followers, and returns it
// with its bot ID and the credentials used.
func (s *Server) SeedOfficialAccountDemo(d OfficialAccountDemo) (OfficialAccountDemo, string, error) {
	if d.Secret == "" {
		d.Secret = randomHex(16)
	}
	oa, err := s.CreateOfficialAccount(OfficialAccount{BasicID: d.BasicID, Name: d.Name, BrandType: BrandVerified, Region: RegionJP})
	if err == nil {
		err = s.SetPrimaryWebhook(oa.BotID, PrimaryWebhook{ChannelID: d.ChannelID, Secret: d.Secret, URL: d.WebhookURL})
	}
	if err == nil {
		err = s.SetQuota(oa.BotID, d.Quota)
	}
	if err == nil {
		err = s.SetFollowers(oa.BotID, &d.Followers)
	}
	if err != nil {
		return OfficialAccountDemo{}, "", fmt.Errorf("seed official account demo: %w", err)
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if d.Token == "" {
		d.Token = s.state.issueChannelToken(d.ChannelID, time.Time{})
	} else {
		s.state.channelTokens[d.Token] = channelToken{channelID: d.ChannelID}
	}
	return d, oa.BotID, nil
}
