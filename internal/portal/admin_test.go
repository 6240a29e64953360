package portal_test

import (
	"testing"

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
