package portal

import (
	"net/url"
	"time"
)

// WebhookEndpoint is where LINE sends a Messaging API channel's webhooks
// (GET /v2/bot/channel/webhook/endpoint): URL is "" when none is set, and
// Active tells whether the channel uses webhooks at all.
type WebhookEndpoint struct {
	URL    string
	Active bool
}

// WebhookTest is what LINE saw sending a test delivery to a webhook URL
// (POST /v2/bot/channel/webhook/test): the bot server's status code (0 or
// less when it did not answer), LINE's reason ("OK",
// "COULD_NOT_CONNECT", "REQUEST_TIMEOUT", "ERROR_STATUS_CODE",
// "UNCLASSIFIED") and its detail.
type WebhookTest struct {
	Success    bool
	At         time.Time
	StatusCode int
	Reason     string
	Detail     string
}

// CheckWebhookURL tells whether LINE can be given raw as a webhook URL:
// an absolute URL of at most 500 characters, https when httpsOnly (the
// real LINE Platform; a simulator on loopback also reaches http).
func CheckWebhookURL(raw string, httpsOnly bool) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Fragment != "" || len(raw) > 500:
		return FieldRefusal("endpoint", RWebhookURL)
	case httpsOnly && u.Scheme != "https":
		// LINE's requirement of a webhook URL, in its words ("SSL/TLS
		// specification of the webhook source").
		return FieldRefusal("endpoint", RWebhookHTTPS)
	}
	return nil
}

// CanSetWebhook tells whether an admin with role on an Official Account
// may point its Messaging API channel's webhook elsewhere or test it: only
// its Admins, as only a channel's Admin may in the LINE Developers
// Console.
func CanSetWebhook(role ChannelRole) error {
	return requireAdmin(role, thisOA, TermChangeWebhook)
}
