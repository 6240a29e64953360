package linesim

import (
	"fmt"
	"time"
)

// DemoData is what SeedDemo registered: the portal's official account and
// one demo user per portal role, so that the portal can configure them (for
// example the operator's LINE user ID).
type DemoData struct {
	OfficialAccount OfficialAccount // "LINE Partner Portal", linked to the portal's channel
	// OAChannelToken is an access token of the account's own Messaging API
	// channel (DemoOAChannelID), for the portal to push messages with.
	OAChannelToken            string
	Developer                 User // Aoi Tanaka: not yet a friend of the account
	OrganizationAdministrator User // Ken Sato: a friend of the account
	DeveloperAndAdministrator User // Yui Suzuki: holds both roles; has blocked the account
	Operator                  User // Mika Operator: a friend of the account
}

// SeedDemo registers the portal's own LINE Login channel, its official
// account "LINE Partner Portal" linked to that channel (portalChannel's
// LinkedBotID is replaced), and demo users with fixed IDs. Their friendships
// with the account differ so that every add-friend case of bot_prompt can be
// clicked through. Nothing is registered when any of it conflicts with what
// exists.
func (s *Server) SeedDemo(portalChannel LoginChannel) (DemoData, error) {
	demo, err := s.seedDemoUsers(portalChannel)
	if err != nil {
		return DemoData{}, err
	}
	if err := s.AddMessagingAPIChannel(DemoOAChannelID, demo.OfficialAccount.BotID); err != nil {
		return DemoData{}, fmt.Errorf("seed demo: %w", err)
	}
	demo.OAChannelToken, err = s.IssueChannelToken(DemoOAChannelID)
	return demo, err
}

// DemoOAChannelID is the Messaging API channel of the demo's "LINE Partner
// Portal" account.
const DemoOAChannelID = "2000000002"

func (s *Server) seedDemoUsers(portalChannel LoginChannel) (DemoData, error) {
	demo := DemoData{
		OfficialAccount:           OfficialAccount{BotID: "U3337e2df2032a5cc8bb777f1ae05bd25", BasicID: "@lineportal", Name: "LINE Partner Portal", BrandType: BrandVerified, Region: RegionJP},
		Developer:                 User{ID: "Udc3a0a12e4fd77b99956a97f9e727a12", Name: "Aoi Tanaka", StatusMessage: "Building LINE MINI Apps"},
		OrganizationAdministrator: User{ID: "U268d10111f82ef643093ebfb1ffafe88", Name: "Ken Sato", StatusMessage: "Business Manager admin"},
		DeveloperAndAdministrator: User{ID: "U7809b533d69340ec513b782392e3d220", Name: "Yui Suzuki", StatusMessage: "Developer and admin"},
		Operator:                  User{ID: "U02c4b0fb6ff98aac454b783528d936f8", Name: "Mika Operator", StatusMessage: "Reviews at LINE"},
	}
	users := []*User{&demo.Developer, &demo.OrganizationAdministrator, &demo.DeveloperAndAdministrator, &demo.Operator}
	friendships := []Friendship{FriendshipNone, FriendshipFriend, FriendshipBlocked, FriendshipFriend}
	oa := demo.OfficialAccount

	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	// Check everything before changing anything. The channel is checked
	// without its link because the account it links to is added below.
	if err := s.state.checkNewAccount(oa); err != nil {
		return DemoData{}, fmt.Errorf("seed demo: %w", err)
	}
	unlinked := portalChannel
	unlinked.LinkedBotID = ""
	if err := s.state.checkNewChannel(unlinked); err != nil {
		return DemoData{}, fmt.Errorf("seed demo: %w", err)
	}
	for _, u := range users {
		checked, err := s.state.checkNewUser(*u, s.baseURL)
		if err != nil {
			return DemoData{}, fmt.Errorf("seed demo: %w", err)
		}
		*u = checked
	}

	s.state.putAccount(oa)
	portalChannel.LinkedBotID = oa.BotID
	s.state.putChannel(portalChannel)
	for i, u := range users {
		s.state.putUser(*u)
		s.state.setFriendship(u.ID, oa.BotID, friendships[i])
	}
	return demo, nil
}

// DemoModuleChannelID is the demo module channel's ID. It is fixed so that
// the portal can build the channel's webhook URL before seeding.
const DemoModuleChannelID = "2000000101"

// ModuleDemoData is what SeedModuleDemo registered.
type ModuleDemoData struct {
	Channel         ModuleChannel   // "Demo Chat Module", not attached yet
	Token           string          // a channel access token of Channel that never expires
	OfficialAccount OfficialAccount // "Sakura Cafe" (@sakuracafe, JP), to attach the module to
	Friends         []User          // friends of Sakura Cafe
}

// ModuleDemoCredentials are the demo module channel's secret and a token
// of it. The caller chooses them, so that a portal that keeps them across
// restarts (its database does) and a fresh simulator agree; empty ones are
// generated.
type ModuleDemoCredentials struct {
	Secret, Token string
}

// SeedModuleDemo registers the demo module channel "Demo Chat Module" with
// the given credentials, attach redirect URI (the portal's
// /modules/callback) and webhook URL (the portal's
// /webhooks/line/{DemoModuleChannelID}), the official account "Sakura
// Cafe" and three of its friends with fixed IDs. Nothing is registered
// when any of it conflicts with what exists.
func (s *Server) SeedModuleDemo(creds ModuleDemoCredentials, redirectURI, webhookURL string) (ModuleDemoData, error) {
	if creds.Secret == "" {
		creds.Secret = randomHex(16)
	}
	demo := ModuleDemoData{
		Channel: ModuleChannel{
			ID: DemoModuleChannelID, Name: "Demo Chat Module", Secret: creds.Secret,
			RedirectURIs: []string{redirectURI}, WebhookURL: webhookURL,
		},
		OfficialAccount: OfficialAccount{
			BotID: "U5fac33f633e72c192759f09afc41fa28", BasicID: "@sakuracafe", Name: "Sakura Cafe",
			BrandType: BrandVerified, Region: RegionJP,
		},
		Friends: []User{
			{ID: "Ub577ef3cbe786a8da85ff8e902a03fc6", Name: "Hana Kobayashi", StatusMessage: "Matcha latte, please"},
			{ID: "U4af4980629e2f7a6c5d2a3b1c0d9e8f7", Name: "Riku Yamamoto", StatusMessage: "Regular since 2024"},
			{ID: "U9d8f2a6b7c1e0f3a4b5c6d7e8f9a0b1c", Name: "Emi Watanabe"},
		},
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	st := &s.state
	// Check everything before changing anything.
	if err := st.checkNewModuleChannel(demo.Channel); err != nil {
		return ModuleDemoData{}, fmt.Errorf("seed module demo: %w", err)
	}
	if err := st.checkNewAccount(demo.OfficialAccount); err != nil {
		return ModuleDemoData{}, fmt.Errorf("seed module demo: %w", err)
	}
	for i, u := range demo.Friends {
		checked, err := st.checkNewUser(u, s.baseURL)
		if err != nil {
			return ModuleDemoData{}, fmt.Errorf("seed module demo: %w", err)
		}
		demo.Friends[i] = checked
	}

	st.putModuleChannel(demo.Channel)
	st.putAccount(demo.OfficialAccount)
	for _, u := range demo.Friends {
		st.putUser(u)
		st.setFriendship(u.ID, demo.OfficialAccount.BotID, FriendshipFriend)
	}
	if creds.Token == "" {
		demo.Token = st.issueChannelToken(demo.Channel.ID, time.Time{})
	} else {
		st.channelTokens[creds.Token] = channelToken{channelID: demo.Channel.ID}
		demo.Token = creds.Token
	}
	return demo, nil
}
