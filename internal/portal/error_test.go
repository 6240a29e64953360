package portal_test

import (
	"errors"
	"fmt"
	"testing"

	"lineportal/internal/portal"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode string
	}{
		{"nil", nil, ""},
		{"coded", portal.Refuse(portal.EFORBIDDEN, portal.RNoRoleHere), portal.EFORBIDDEN},
		{"wrapped", fmt.Errorf("store: approve: %w", portal.Refuse(portal.EGONE, portal.RLinkURLInvalid)), portal.EGONE},
		{"foreign error is internal", errors.New("sql: no rows in result set at /var/db"), portal.EINTERNAL},
		{"field", portal.FieldRefusal("org_id", portal.RNoSuchOrganization), portal.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := portal.ErrorCode(tt.err); got != tt.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tt.wantCode)
			}
		})
	}
}

func TestFieldRefusalNamesTheField(t *testing.T) {
	err := portal.FieldRefusal("org_id", portal.RNoSuchOrganization)
	if got := err.Fields["org_id"]; got != string(portal.RNoSuchOrganization) {
		t.Fatalf("Fields[org_id] = %q", got)
	}
}

func TestErrorFieldsThroughWrapping(t *testing.T) {
	err := fmt.Errorf("store: send: %w", portal.FieldRefusal("org_id", portal.RNoSuchOrganization))
	if got := portal.ErrorFields(err)["org_id"]; got != string(portal.RNoSuchOrganization) {
		t.Fatalf("ErrorFields = %q", got)
	}
	if portal.ErrorFields(errors.New("plain")) != nil {
		t.Fatal("a foreign error has fields")
	}
}
