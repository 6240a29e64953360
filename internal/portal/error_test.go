package portal_test

import (
	"errors"
	"fmt"
	"testing"

	"lineportal/internal/portal"
)

func TestErrorCodeAndMessage(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantCode    string
		wantMessage string
	}{
		{"nil", nil, "", ""},
		{"coded", portal.Errorf(portal.EFORBIDDEN, "You are not an administrator of %s.", "BM00000000001"), portal.EFORBIDDEN, "You are not an administrator of BM00000000001."},
		{"wrapped", fmt.Errorf("store: approve: %w", portal.Errorf(portal.EGONE, "This link has expired.")), portal.EGONE, "This link has expired."},
		{"foreign error is internal and hidden", errors.New("sql: no rows in result set at /var/db"), portal.EINTERNAL, "Internal error."},
		{"field", portal.FieldError("org_id", "Enter an organization ID."), portal.EINVALID, "Enter an organization ID."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := portal.ErrorCode(tt.err); got != tt.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tt.wantCode)
			}
			if got := portal.ErrorMessage(tt.err); got != tt.wantMessage {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.wantMessage)
			}
		})
	}
}

func TestFieldErrorNamesTheField(t *testing.T) {
	err := portal.FieldError("org_id", "Enter an organization ID.")
	if got := err.Fields["org_id"]; got != "Enter an organization ID." {
		t.Fatalf("Fields[org_id] = %q", got)
	}
}

func TestErrorFieldsThroughWrapping(t *testing.T) {
	err := fmt.Errorf("store: send: %w", portal.FieldError("org_id", "Enter an ID."))
	if got := portal.ErrorFields(err)["org_id"]; got != "Enter an ID." {
		t.Fatalf("ErrorFields = %q", got)
	}
	if portal.ErrorFields(errors.New("plain")) != nil {
		t.Fatal("a foreign error has fields")
	}
}
