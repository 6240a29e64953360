package linesim

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// A Messaging API channel's webhook URL, as its own channel access token
// reads, sets and tests it (line/line-openapi messaging-api.yml
// getWebhookEndpoint, setWebhookEndpoint, testWebhookEndpoint). Module
// channels set theirs in the console's module settings, and the simulator
// answers them 403 here.

// maxWebhookURLLength is LINE's limit on a webhook URL (maxLength 500).
const maxWebhookURLLength = 500

// webhookTestTimeout is how long LINE waits for a bot server's answer:
// "request_timeout" is no response within 2 seconds (LINE's "Check webhook
// error causes and statistics").
const webhookTestTimeout = 2 * time.Second

// ownChannel authenticates a Messaging API channel calling about itself.
// It answers the error itself and reports false when the request must
// stop.
func (s *Server) ownChannel(w http.ResponseWriter, r *http.Request) (string, bool) {
	channelID, ok := s.authenticateChannel(w, r)
	if !ok {
		return "", false
	}
	s.state.mu.Lock()
	_, own := s.state.accountChannels[channelID]
	s.state.mu.Unlock()
	if !own {
		writeMessage(w, http.StatusForbidden, "This API is only for Messaging API channels")
		return "", false
	}
	return channelID, true
}

// handleGetWebhookEndpoint answers GET /v2/bot/channel/webhook/endpoint:
// the URL and whether webhooks are used (the simulator uses them whenever
// a URL is set).
func (s *Server) handleGetWebhookEndpoint(w http.ResponseWriter, r *http.Request) {
	channelID, ok := s.ownChannel(w, r)
	if !ok {
		return
	}
	s.state.mu.Lock()
	endpoint := s.state.accountChannels[channelID].webhookURL
	s.state.mu.Unlock()
	writeJSON(w, http.StatusOK, struct {
		Endpoint string `json:"endpoint"`
		Active   bool   `json:"active"`
	}{endpoint, endpoint != ""})
}

// invalidWebhookURLMessage answers a webhook URL the simulator can't use.
// LINE documents the 400 ("an invalid webhook URL") but not its message.
const invalidWebhookURLMessage = "Invalid webhook endpoint URL"

// webhookEndpointBody is the body of PUT /endpoint and POST /test.
type webhookEndpointBody struct {
	Endpoint string `json:"endpoint"`
}

// checkWebhookURL accepts an absolute http or https URL of at most 500
// characters. Real LINE requires https; the simulator also takes http, as
// it runs beside a portal on loopback.
func checkWebhookURL(raw string) bool {
	return len(raw) <= maxWebhookURLLength && isAbsoluteHTTPURL(raw)
}

// handleSetWebhookEndpoint answers PUT /v2/bot/channel/webhook/endpoint:
// from now on the channel's webhooks go there, and nowhere else.
func (s *Server) handleSetWebhookEndpoint(w http.ResponseWriter, r *http.Request) {
	channelID, ok := s.ownChannel(w, r)
	if !ok {
		return
	}
	var body webhookEndpointBody
	if !decodeLINEBody(w, r, &body) {
		return
	}
	if !checkWebhookURL(body.Endpoint) {
		writeMessage(w, http.StatusBadRequest, invalidWebhookURLMessage)
		return
	}
	s.state.mu.Lock()
	s.state.accountChannels[channelID].webhookURL = body.Endpoint
	s.state.mu.Unlock()
	writeJSON(w, http.StatusOK, struct{}{})
}

// WebhookTest is LINE's answer to a webhook URL test.
type WebhookTest struct {
	Success    bool   `json:"success"`
	Timestamp  string `json:"timestamp"` // RFC 3339 with milliseconds, UTC
	StatusCode int    `json:"statusCode"`
	Reason     string `json:"reason"`
	Detail     string `json:"detail"`
}

// handleTestWebhookEndpoint answers POST /v2/bot/channel/webhook/test: a
// real delivery of {"destination", "events": []}, signed with the
// channel secret, to the given URL or the one set, and what came back.
// Reasons follow LINE's webhook error statistics, in the reference's
// upper case ("OK" on success): COULD_NOT_CONNECT, REQUEST_TIMEOUT,
// ERROR_STATUS_CODE, UNCLASSIFIED.
func (s *Server) handleTestWebhookEndpoint(w http.ResponseWriter, r *http.Request) {
	channelID, ok := s.ownChannel(w, r)
	if !ok {
		return
	}
	var body webhookEndpointBody
	if !decodeLINEBody(w, r, &body) { // the body is optional
		return
	}
	s.state.mu.Lock()
	ch := *s.state.accountChannels[channelID]
	s.state.mu.Unlock()
	target := body.Endpoint
	if target == "" {
		target = ch.webhookURL
	}
	switch {
	case target == "":
		writeMessage(w, http.StatusBadRequest, "The webhook endpoint URL is not set")
		return
	case !checkWebhookURL(target):
		writeMessage(w, http.StatusBadRequest, invalidWebhookURLMessage)
		return
	}
	payload := encodeWebhook(ch.botID, []webhookEvent{}, false)
	ctx, cancel := context.WithTimeout(r.Context(), webhookTestTimeout)
	defer cancel()
	at := s.now()
	status, err := s.post(ctx, target, payload, sign(ch.secret, payload))
	result := WebhookTest{Timestamp: at.UTC().Format("2006-01-02T15:04:05.000Z"), StatusCode: status}
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		result.Reason, result.Detail = "REQUEST_TIMEOUT", "Request timeout"
	case err != nil:
		result.Reason, result.Detail = "COULD_NOT_CONNECT", "Connection failed"
	case status/100 != 2:
		result.Reason, result.Detail = "ERROR_STATUS_CODE", strconv.Itoa(status)+" "+http.StatusText(status)
	default:
		result.Success, result.Reason, result.Detail = true, "OK", strconv.Itoa(status)
	}
	writeJSON(w, http.StatusOK, result)
}
