package line

import (
	"context"
	"fmt"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/insight"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"lineportal/internal/portal"
)

// What an Official Account's admin checks every week, read with the
// account's own Messaging API channel token (docs/line-api.md lists the
// endpoints, parameters and errors).

// MessageQuota reads the account's messages this month: the target limit
// (GET /v2/bot/message/quota) and the messages sent
// (GET /v2/bot/message/quota/consumption).
func (p *Platform) MessageQuota(ctx context.Context, token string) (portal.MessageQuota, error) {
	api, err := p.messagingAPI(ctx, token, "")
	if err != nil {
		return portal.MessageQuota{}, err
	}
	res, quota, err := api.GetMessageQuotaWithHttpInfo()
	if err != nil {
		return portal.MessageQuota{}, apiError(opQuota, res, err)
	}
	res, used, err := api.GetMessageQuotaConsumptionWithHttpInfo()
	if err != nil {
		return portal.MessageQuota{}, apiError(opQuota, res, err)
	}
	q := portal.MessageQuota{Sent: used.TotalUsage}
	switch quota.Type {
	case messaging_api.QuotaType_LIMITED:
		q.Limited, q.Limit = true, quota.Value
	case messaging_api.QuotaType_NONE:
	default:
		return portal.MessageQuota{}, fmt.Errorf("line: %s: unknown quota type %q", opQuota, quota.Type)
	}
	return q, nil
}

// Followers reads the account's followers, target reach and blocks as of
// day (its date in UTC+9; GET /v2/bot/insight/followers?date=yyyyMMdd).
// LINE has no figure for today or a day it has not computed yet: the
// stats are then not Ready.
func (p *Platform) Followers(ctx context.Context, token string, day time.Time) (portal.FollowerStats, error) {
	if token == "" {
		return portal.FollowerStats{}, errNoToken
	}
	api, err := insight.NewInsightAPI(token, insight.WithEndpoint(p.api), insight.WithHTTPClient(p.client))
	if err != nil {
		return portal.FollowerStats{}, fmt.Errorf("line: insight client: %w", err)
	}
	y, m, d := day.In(portal.LINEZone).Date()
	stats := portal.FollowerStats{Day: time.Date(y, m, d, 0, 0, 0, 0, portal.LINEZone)}
	res, body, err := api.WithContext(ctx).GetNumberOfFollowersWithHttpInfo(stats.Day.Format("20060102"))
	if err != nil {
		return portal.FollowerStats{}, apiError(opInsight, res, err)
	}
	if body.Status == insight.GetNumberOfFollowersResponseSTATUS_READY {
		stats.Ready, stats.Followers, stats.TargetedReaches, stats.Blocks = true, body.Followers, body.TargetedReaches, body.Blocks
	}
	return stats, nil
}
