package line

import (
	"context"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"lineportal/internal/portal"
)

// A Messaging API channel's webhook URL, with the channel's own token
// (docs/line-api.md).

// WebhookEndpoint reads the channel's webhook URL and whether webhooks are
// used (GET /v2/bot/channel/webhook/endpoint).
func (p *Platform) WebhookEndpoint(ctx context.Context, token string) (portal.WebhookEndpoint, error) {
	api, err := p.messagingAPI(ctx, token, "")
	if err != nil {
		return portal.WebhookEndpoint{}, err
	}
	res, body, err := api.GetWebhookEndpointWithHttpInfo()
	if err != nil {
		return portal.WebhookEndpoint{}, apiError(opWebhook, res, err)
	}
	return portal.WebhookEndpoint{URL: body.Endpoint, Active: body.Active}, nil
}

// SetWebhookEndpoint points the channel's webhooks at endpoint (PUT
// /v2/bot/channel/webhook/endpoint): whatever received them before
// receives nothing more.
func (p *Platform) SetWebhookEndpoint(ctx context.Context, token, endpoint string) error {
	api, err := p.messagingAPI(ctx, token, "")
	if err != nil {
		return err
	}
	res, _, err := api.SetWebhookEndpointWithHttpInfo(&messaging_api.SetWebhookEndpointRequest{Endpoint: endpoint})
	return apiError(opWebhook, res, err)
}

// TestWebhookEndpoint has LINE send a test delivery (no events) to
// endpoint, or to the URL set when endpoint is "" (POST
// /v2/bot/channel/webhook/test), and returns what LINE saw.
func (p *Platform) TestWebhookEndpoint(ctx context.Context, token, endpoint string) (portal.WebhookTest, error) {
	api, err := p.messagingAPI(ctx, token, "")
	if err != nil {
		return portal.WebhookTest{}, err
	}
	res, body, err := api.TestWebhookEndpointWithHttpInfo(&messaging_api.TestWebhookEndpointRequest{Endpoint: endpoint})
	if err != nil {
		return portal.WebhookTest{}, apiError(opWebhook, res, err)
	}
	return portal.WebhookTest{Success: body.Success, At: body.Timestamp, StatusCode: int(body.StatusCode), Reason: body.Reason, Detail: body.Detail}, nil
}
