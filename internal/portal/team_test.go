package portal_test

import (
	"testing"

	"lineportal/internal/portal"
)

func TestRoleChangeAsksFirst(t *testing.T) {
	for _, tt := range []struct {
		held, role portal.ChannelRole
		want       bool
	}{
		{portal.RoleAdmin, portal.RoleMember, true},
		{portal.RoleAdmin, portal.RoleAdmin, false},
		{portal.RoleMember, portal.RoleAdmin, false},
		{portal.RoleMember, portal.RoleMember, false},
	} {
		if got := portal.RoleChangeAsksFirst(tt.held, tt.role); got != tt.want {
			t.Errorf("RoleChangeAsksFirst(%s → %s) = %v, want %v", tt.held, tt.role, got, tt.want)
		}
	}
}
