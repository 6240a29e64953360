package linesim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"lineportal/internal/line"
)

// An Official Account's own channel token pushes as that account, with no
// bot-user-ID header.
func TestOwnAccountChannelPushes(t *testing.T) {
	s, err := New(Config{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	demo, err := s.SeedDemo(LoginChannel{ID: "2000000001", Secret: strings.Repeat("s", 32), RedirectURIs: []string{"http://127.0.0.1:2/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := line.NewPlatform(line.PlatformConfig{APIBaseURL: ts.URL, ManagerBaseURL: ts.URL, BotIDHeader: DefaultBotIDHeader})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	friend := demo.OrganizationAdministrator.ID
	if err := p.PushText(ctx, demo.OAChannelToken, "", friend, "hello", line.RetryKey("hello")); err != nil {
		t.Fatalf("push from the account's own channel: %v", err)
	}
	pushes := s.Pushes()
	if len(pushes) != 1 || pushes[0].BotID != demo.OfficialAccount.BotID || pushes[0].To != friend || pushes[0].Texts[0] != "hello" {
		t.Fatalf("recorded pushes: %+v", pushes)
	}

	if err := s.SuspendBot(demo.OfficialAccount.BotID); err != nil {
		t.Fatal(err)
	}
	err = p.PushText(ctx, demo.OAChannelToken, "", friend, "again", line.RetryKey("again"))
	if apiErr, ok := err.(*line.APIError); !ok || apiErr.Status != http.StatusForbidden {
		t.Fatalf("push while suspended: %v", err)
	}

	if err := s.AddMessagingAPIChannel(DemoOAChannelID, demo.OfficialAccount.BotID); err == nil {
		t.Fatal("a taken channel ID was registered again")
	}
	if err := s.AddMessagingAPIChannel("2000000099", "U00000000000000000000000000000000"); err == nil {
		t.Fatal("a channel for an unknown account was registered")
	}
	if _, err := s.IssueChannelToken("2000000099"); err == nil {
		t.Fatal("a token was issued for an unknown channel")
	}
}
