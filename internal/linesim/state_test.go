package linesim_test

import (
	"reflect"
	"strings"
	"testing"

	"lineportal/internal/linesim"
)

func TestNewRefusesBadBaseURL(t *testing.T) {
	for _, base := range []string{"", "127.0.0.1:8081", "ftp://sim.example", "http://sim.example/?x=1", "http://sim.example/#top"} {
		t.Run(base, func(t *testing.T) {
			if _, err := linesim.New(linesim.Config{BaseURL: base}); err == nil || !strings.Contains(err.Error(), "absolute http or https URL") {
				t.Errorf("New(%q) error = %v, want a base URL error", base, err)
			}
		})
	}
}

func TestSeedDemo(t *testing.T) {
	f := newFixture(t)
	d := f.demo
	wantNames := []string{"Aoi Tanaka", "Ken Sato", "Yui Suzuki", "Mika Operator"}
	byRole := []linesim.User{d.Developer, d.OrganizationAdministrator, d.DeveloperAndAdministrator, d.Operator}
	if got := f.sim.Users(); !reflect.DeepEqual(got, byRole) {
		t.Errorf("Users() = %+v, want the demo users in role order %+v", got, byRole)
	}
	wantFriendships := []linesim.Friendship{"none", "friend", "blocked", "friend"}
	for i, u := range byRole {
		if u.Name != wantNames[i] || !userIDPattern.MatchString(u.ID) || u.PictureURL != f.base+"/sim/avatar/"+u.ID {
			t.Errorf("demo user %d = %+v, want %s with a LINE ID and the default avatar", i, u, wantNames[i])
		}
		if got := f.sim.Friendship(u.ID, d.OfficialAccount.BotID); got != wantFriendships[i] {
			t.Errorf("%s's friendship = %q, want %q", u.Name, got, wantFriendships[i])
		}
	}
	if d.OfficialAccount.Name != "LINE Partner Portal" {
		t.Errorf("account name = %q", d.OfficialAccount.Name)
	}

	// Fixed IDs: a second simulator seeds the same ones.
	other, err := linesim.New(linesim.Config{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := other.SeedDemo(linesim.LoginChannel{ID: portalChannelID, Secret: portalSecret, RedirectURIs: []string{portalCallback}})
	if err != nil {
		t.Fatal(err)
	}
	if again.Developer.ID != d.Developer.ID || again.Operator.ID != d.Operator.ID || again.OfficialAccount.BotID != d.OfficialAccount.BotID {
		t.Errorf("demo IDs differ between simulators")
	}

	// Seeding twice changes nothing, even with a new channel.
	if _, err := f.sim.SeedDemo(linesim.LoginChannel{ID: "1770000000", Secret: portalSecret, RedirectURIs: []string{portalCallback}}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second SeedDemo error = %v, want already exists", err)
	}
	if err := f.sim.AddLoginChannel(linesim.LoginChannel{ID: "1770000000", Secret: portalSecret, RedirectURIs: []string{portalCallback}}); err != nil {
		t.Errorf("the refused seed registered its channel: %v", err)
	}
	if n := len(f.sim.Users()); n != 4 {
		t.Errorf("%d users after the refused seed, want 4", n)
	}
}

func TestSeedDemoRefusesBadChannel(t *testing.T) {
	sim, err := linesim.New(linesim.Config{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.SeedDemo(linesim.LoginChannel{ID: portalChannelID, Secret: "short", RedirectURIs: []string{portalCallback}}); err == nil || !strings.Contains(err.Error(), "secret must be at least 32 bytes") {
		t.Errorf("error = %v, want a secret error", err)
	}
	if n := len(sim.Users()); n != 0 {
		t.Errorf("%d users after a refused seed, want 0", n)
	}
}

func TestServerMethodRefusals(t *testing.T) {
	valid := func() linesim.LoginChannel {
		return linesim.LoginChannel{ID: "1880000000", Secret: otherSecret, RedirectURIs: []string{otherCallback}}
	}
	tests := []struct {
		name    string
		call    func(f *fixture) error
		wantErr string
	}{
		{"channel ID with letters", func(f *fixture) error { c := valid(); c.ID = "abc"; return f.sim.AddLoginChannel(c) }, `channel ID "abc" must be digits`},
		{"duplicate channel", func(f *fixture) error { c := valid(); c.ID = portalChannelID; return f.sim.AddLoginChannel(c) }, "channel " + portalChannelID + " already exists"},
		{"short channel secret", func(f *fixture) error { c := valid(); c.Secret = "secret"; return f.sim.AddLoginChannel(c) }, "secret must be at least 32 bytes"},
		{"no redirect URI", func(f *fixture) error { c := valid(); c.RedirectURIs = nil; return f.sim.AddLoginChannel(c) }, "at least one redirect URI is required"},
		{"relative redirect URI", func(f *fixture) error {
			c := valid()
			c.RedirectURIs = []string{"/cb"}
			return f.sim.AddLoginChannel(c)
		}, `redirect URI "/cb" must be an absolute http or https URL without fragment`},
		{"redirect URI with fragment", func(f *fixture) error {
			c := valid()
			c.RedirectURIs = []string{"https://x.example/cb#f"}
			return f.sim.AddLoginChannel(c)
		}, "without fragment"},
		{"unknown linked account", func(f *fixture) error {
			c := valid()
			c.LinkedBotID = "Uffffffffffffffffffffffffffffffff"
			return f.sim.AddLoginChannel(c)
		}, "linked official account Uffffffffffffffffffffffffffffffff does not exist"},
		{"user ID without U", func(f *fixture) error {
			_, err := f.sim.AddUser(linesim.User{ID: "0123456789abcdef0123456789abcdef0", Name: "A"})
			return err
		}, "must be U followed by 32 lowercase hex digits"},
		{"duplicate user", func(f *fixture) error {
			_, err := f.sim.AddUser(linesim.User{ID: f.demo.Operator.ID, Name: "A"})
			return err
		}, "user " + "U02c4b0fb6ff98aac454b783528d936f8" + " already exists"},
		{"user without name", func(f *fixture) error { _, err := f.sim.AddUser(linesim.User{}); return err }, "user name is required"},
		{"bot ID malformed", func(f *fixture) error {
			return f.sim.AddOfficialAccount(linesim.OfficialAccount{BotID: "bot", BasicID: "@abc", Name: "A"})
		}, `bot ID "bot" must be U followed by 32 lowercase hex digits`},
		{"duplicate account", func(f *fixture) error {
			return f.sim.AddOfficialAccount(linesim.OfficialAccount{BotID: f.demo.OfficialAccount.BotID, BasicID: "@abc", Name: "A"})
		}, "already exists"},
		{"basic ID without @", func(f *fixture) error {
			return f.sim.AddOfficialAccount(linesim.OfficialAccount{BotID: "Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", BasicID: "abc", Name: "A"})
		}, `basic ID "abc" must be @ followed by`},
		{"duplicate basic ID", func(f *fixture) error {
			return f.sim.AddOfficialAccount(linesim.OfficialAccount{BotID: "Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", BasicID: "@lineportal", Name: "A"})
		}, "basic ID @lineportal is already used"},
		{"account without name", func(f *fixture) error {
			return f.sim.AddOfficialAccount(linesim.OfficialAccount{BotID: "Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", BasicID: "@abc"})
		}, "official account name is required"},
		{"friendship of unknown user", func(f *fixture) error {
			return f.sim.SetFriendship("Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", f.demo.OfficialAccount.BotID, linesim.FriendshipFriend)
		}, `unknown user "Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"`},
		{"friendship with unknown account", func(f *fixture) error {
			return f.sim.SetFriendship(f.demo.Developer.ID, "Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", linesim.FriendshipFriend)
		}, `unknown official account "Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"`},
		{"friendship status unknown", func(f *fixture) error {
			return f.sim.SetFriendship(f.demo.Developer.ID, f.demo.OfficialAccount.BotID, "follower")
		}, `friendship "follower" must be`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			err := tt.call(f)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestServerMethodsAccept(t *testing.T) {
	f := newFixture(t)
	oa := linesim.OfficialAccount{BotID: "Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", BasicID: "@123abcd", Name: "Shop"}
	if err := f.sim.AddOfficialAccount(oa); err != nil {
		t.Fatalf("AddOfficialAccount: %v", err)
	}
	redirects := []string{"https://shop.example/cb"}
	if err := f.sim.AddLoginChannel(linesim.LoginChannel{ID: "1990000000", Secret: otherSecret, RedirectURIs: redirects, LinkedBotID: oa.BotID}); err != nil {
		t.Fatalf("AddLoginChannel: %v", err)
	}
	redirects[0] = "https://changed.example/cb" // the simulator keeps its own copy
	u, err := f.sim.AddUser(linesim.User{Name: "  Nao  ", PictureURL: "https://cdn.example/nao.png", StatusMessage: "hi"})
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	if u.Name != "Nao" || u.PictureURL != "https://cdn.example/nao.png" || u.StatusMessage != "hi" || !userIDPattern.MatchString(u.ID) {
		t.Errorf("AddUser returned %+v", u)
	}
	if err := f.sim.SetFriendship(u.ID, oa.BotID, linesim.FriendshipBlocked); err != nil {
		t.Fatalf("SetFriendship: %v", err)
	}
	if got := f.sim.Friendship(u.ID, oa.BotID); got != linesim.FriendshipBlocked {
		t.Errorf("Friendship = %q, want blocked", got)
	}
	if got := f.sim.Friendship("Unknown", oa.BotID); got != linesim.FriendshipNone {
		t.Errorf("Friendship of an unknown user = %q, want none", got)
	}

	params := authorizeParams()
	params.Set("client_id", "1990000000")
	params.Set("redirect_uri", "https://shop.example/cb")
	params.Set("bot_prompt", "normal")
	id := f.startLogin(params)
	if got := f.pickUser(id, map[string][]string{"user": {u.ID}}).doc(t).Find(".friend-option").Text(); !strings.Contains(got, "Unblock Shop") {
		t.Errorf("consent option = %q, want Unblock Shop", got)
	}
}
