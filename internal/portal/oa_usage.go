package portal

import "time"

// MessageQuota is what LINE says of an Official Account's messages this
// month (GET /v2/bot/message/quota and /quota/consumption): the target
// limit of its free and additional messages, and how many were sent.
// Counted are broadcasts, step messages and the push, multicast and
// broadcast APIs, per recipient reached; replies, chats, greetings and
// auto-responses are not (004).
type MessageQuota struct {
	// Limited is false when LINE sets no target limit (type "none").
	Limited bool
	Limit   int64
	Sent    int64
}

// QuotaWarningPercent is how full the quota is when the page warns: at
// 80 %, there is still time to buy additional messages or change plans
// before LINE refuses messages.
const QuotaWarningPercent = 80

// Percent is how much of the limit is used, 0 to 100; 0 without a limit.
func (q MessageQuota) Percent() int {
	if !q.Limited || q.Sent <= 0 {
		return 0
	}
	if q.Limit <= 0 || q.Sent >= q.Limit {
		return 100
	}
	return int(q.Sent * 100 / q.Limit)
}

// Warn tells whether the quota is used to QuotaWarningPercent or more.
func (q MessageQuota) Warn() bool { return q.Limited && q.Percent() >= QuotaWarningPercent }

// Exhausted tells whether LINE refuses further counted messages this
// month: it answers 429 "You have reached your monthly limit.".
func (q MessageQuota) Exhausted() bool { return q.Limited && q.Sent >= q.Limit }

// Left is the number of messages that can still be sent this month; 0
// when exhausted or without a limit.
func (q MessageQuota) Left() int64 {
	if !q.Limited || q.Sent >= q.Limit {
		return 0
	}
	return q.Limit - q.Sent
}

// MatchesPlan tells whether LINE's limit agrees with the plan the portal
// has for the account: a plan without additional messages has exactly its
// monthly messages as the limit; one with them has at least that (the
// additional messages the admin allowed are on top). An account with no
// plan set matches nothing. A mismatch is shown, never corrected: the
// plan is a setting, LINE's limit is what applies.
func (q MessageQuota) MatchesPlan(p OAPlan) bool {
	if !p.Valid() {
		return false
	}
	monthly := int64(p.MonthlyMessages())
	if !q.Limited {
		return p.AdditionalMessages()
	}
	if p.AdditionalMessages() {
		return q.Limit >= monthly
	}
	return q.Limit == monthly
}

// What an Official Account's target reach allows (004): a targeting
// broadcast "needs at least a 100 Target Reach", and A/B tests "a target
// reach of 5,000 or more".
const (
	TargetingMinReach = 100
	ABTestMinReach    = 5_000
)

// FollowerStats are LINE's insight figures for one day (GET
// /v2/bot/insight/followers): everyone who ever added the account, those
// it can reach with targeted messages, and those blocking it.
type FollowerStats struct {
	Day time.Time // the day, midnight UTC+9
	// Ready is false when LINE has no figure for the day yet; the counts
	// are then 0.
	Ready           bool
	Followers       int64
	TargetedReaches int64
	Blocks          int64
}

// CanTarget tells whether the target reach allows targeting broadcasts.
func (f FollowerStats) CanTarget() bool { return f.Ready && f.TargetedReaches >= TargetingMinReach }

// CanABTest tells whether the target reach allows A/B tests.
func (f FollowerStats) CanABTest() bool { return f.Ready && f.TargetedReaches >= ABTestMinReach }

// LINEZone is UTC+9, where LINE's months and insight days begin.
var LINEZone = time.FixedZone("UTC+9", 9*60*60)

// LatestInsightDay is the latest day LINE may have figures for at now:
// yesterday in UTC+9, since a day's figures are computed after it ends.
func LatestInsightDay(now time.Time) time.Time {
	y, m, d := now.In(LINEZone).Date()
	return time.Date(y, m, d-1, 0, 0, 0, 0, LINEZone)
}
