package portal_test

import (
	"testing"

	"lineportal/internal/portal"
)

func TestParseLINEUserID(t *testing.T) {
	const id = "U0123456789abcdef0123456789abcdef"
	for _, in := range []string{id, "  " + id + "\t", "U0123456789ABCDEF0123456789ABCDEF"} {
		if got, err := portal.ParseLINEUserID(in); err != nil || got != id {
			t.Errorf("ParseLINEUserID(%q) = %q, %v; want %q", in, got, err, id)
		}
	}
	for _, in := range []string{"", "U", "U0123", id + "0", "u0123456789abcdef0123456789abcdef",
		"C0123456789abcdef0123456789abcdef", "U0123456789abcdef0123456789abcdeg", "@linedevelopers", "U0123456789abcdef 0123456789abcdef"} {
		_, err := portal.ParseLINEUserID(in)
		if portal.ErrorCode(err) != portal.EINVALID || portal.ErrorFields(err)["line_user_id"] == "" {
			t.Errorf("ParseLINEUserID(%q) = %v; want a message for line_user_id", in, err)
		}
	}
}
