package linesim

import "fmt"

// DemoData is what SeedDemo registered: the portal's official account and
// one demo user per portal role, so that the portal can configure them (for
// example the operator's LINE user ID).
type DemoData struct {
	OfficialAccount           OfficialAccount // "LINE Partner Portal", linked to the portal's channel
	Developer                 User            // Aoi Tanaka: not yet a friend of the account
	OrganizationAdministrator User            // Ken Sato: a friend of the account
	DeveloperAndAdministrator User            // Yui Suzuki: holds both roles; has blocked the account
	Operator                  User            // Mika Operator: a friend of the account
}

// SeedDemo registers the portal's own LINE Login channel, its official
// account "LINE Partner Portal" linked to that channel (portalChannel's
// LinkedBotID is replaced), and demo users with fixed IDs. Their friendships
// with the account differ so that every add-friend case of bot_prompt can be
// clicked through. Nothing is registered when any of it conflicts with what
// exists.
func (s *Server) SeedDemo(portalChannel LoginChannel) (DemoData, error) {
	demo := DemoData{
		OfficialAccount:           OfficialAccount{BotID: "U3337e2df2032a5cc8bb777f1ae05bd25", BasicID: "@lineportal", Name: "LINE Partner Portal"},
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
