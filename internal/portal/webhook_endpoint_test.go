package portal_test

import (
	"testing"

	"lineportal/internal/portal"
)

func TestCheckWebhookURL(t *testing.T) {
	const (
		malformed = "Enter the webhook URL as an absolute https:// address of at most 500 characters."
		https     = "When a bot server gets webhook events sent from the LINE Platform, it must use HTTPS communication. Use an SSL/TLS certificate issued by a public certification authority for HTTPS communication."
	)
	for _, c := range []struct {
		url       string
		httpsOnly bool
		message   string
	}{
		{"https://portal.example/webhooks/line/2000000001", true, ""},
		{"http://127.0.0.1:8080/webhooks/line/2000000001", false, ""},
		// Against the real LINE Platform, LINE's own sentence.
		{"http://portal.example/webhooks/line/2000000001", true, https},
		{"ftp://portal.example/x", false, malformed},
		{"/webhooks/line/1", false, malformed},
		{"https://portal.example/x#frag", true, malformed},
		{"https://portal.example/" + string(make([]byte, 500)), true, malformed},
	} {
		err := portal.CheckWebhookURL(c.url, c.httpsOnly)
		if c.message == "" {
			check(t, err, "", "")
		} else {
			check(t, err, portal.EINVALID, c.message)
		}
	}
}

func TestCanSetWebhook(t *testing.T) {
	check(t, portal.CanSetWebhook(portal.RoleAdmin), "", "")
	check(t, portal.CanSetWebhook(portal.RoleMember), portal.EFORBIDDEN, "Only an Admin of this LINE Official Account can change or verify its webhook URL.")
	check(t, portal.CanSetWebhook(portal.RoleNone), portal.EFORBIDDEN, "Only an Admin of this LINE Official Account can change or verify its webhook URL.")
}
