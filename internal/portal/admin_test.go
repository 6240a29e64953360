package portal_test

import (
	"slices"
	"testing"
	"time"

	"lineportal/internal/portal"
)

func TestReachableByLINE(t *testing.T) {
	yes, no := true, false
	admins := []portal.Admin{{Name: "friend", FriendFlag: &yes}, {Name: "not a friend", FriendFlag: &no}, {Name: "unknown"}}
	got := portal.ReachableByLINE(admins)
	if len(got) != 1 || got[0].Name != "friend" {
		t.Fatalf("ReachableByLINE = %+v", got)
	}
}

// Only a follow or an unfollow from a user, with its time, tells of a
// friendship with the portal's Official Account.
func TestFriendshipChanges(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	user := portal.EventSource{Type: "user", UserID: "Uaaa"}
	events := []portal.WebhookEvent{
		{Type: portal.EventFollow, Source: user, Timestamp: at},
		{Type: portal.EventUnfollow, Source: user, Timestamp: at.Add(time.Second)},
		{Type: portal.EventFollow, Source: user, Timestamp: at, IsUnblocked: true},
		{Type: "message", Source: user, Timestamp: at},
		{Type: portal.EventFollow, Source: portal.EventSource{Type: "group", GroupID: "Cggg", UserID: "Uaaa"}, Timestamp: at},
		{Type: portal.EventUnfollow, Source: portal.EventSource{Type: "user"}, Timestamp: at},
		{Type: portal.EventFollow, Source: user},
	}
	want := []portal.FriendshipChange{
		{LINEUserID: "Uaaa", Friend: true, At: at},
		{LINEUserID: "Uaaa", Friend: false, At: at.Add(time.Second)},
		{LINEUserID: "Uaaa", Friend: true, At: at},
	}
	if got := portal.FriendshipChanges(events); !slices.Equal(got, want) {
		t.Errorf("FriendshipChanges = %+v, want %+v", got, want)
	}
}
