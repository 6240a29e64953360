package portal_test

import (
	"testing"
	"time"

	"lineportal/internal/portal"
)

func TestMessageQuota(t *testing.T) {
	for _, c := range []struct {
		q               portal.MessageQuota
		percent         int
		warn, exhausted bool
		left            int64
	}{
		{portal.MessageQuota{Limited: true, Limit: 200, Sent: 0}, 0, false, false, 200},
		{portal.MessageQuota{Limited: true, Limit: 200, Sent: 159}, 79, false, false, 41},
		{portal.MessageQuota{Limited: true, Limit: 200, Sent: 160}, 80, true, false, 40},
		{portal.MessageQuota{Limited: true, Limit: 200, Sent: 200}, 100, true, true, 0},
		{portal.MessageQuota{Limited: true, Limit: 200, Sent: 250}, 100, true, true, 0},
		{portal.MessageQuota{Limited: true, Limit: 0, Sent: 0}, 0, false, true, 0},
		{portal.MessageQuota{Limited: false, Sent: 90_000}, 0, false, false, 0},
	} {
		q := c.q
		if q.Percent() != c.percent || q.Warn() != c.warn || q.Exhausted() != c.exhausted || q.Left() != c.left {
			t.Errorf("%+v: percent %d warn %t exhausted %t left %d; want %d %t %t %d", q, q.Percent(), q.Warn(), q.Exhausted(), q.Left(),
				c.percent, c.warn, c.exhausted, c.left)
		}
	}
}

func TestMessageQuotaMatchesPlan(t *testing.T) {
	limited := func(n int64) portal.MessageQuota { return portal.MessageQuota{Limited: true, Limit: n} }
	for _, c := range []struct {
		q    portal.MessageQuota
		plan portal.OAPlan
		want bool
	}{
		{limited(5_000), portal.PlanJPLight, true},
		{limited(6_000), portal.PlanJPLight, false}, // Light buys no additional messages
		{limited(30_000), portal.PlanJPStandard, true},
		{limited(45_000), portal.PlanJPStandard, true}, // with additional messages
		{limited(5_000), portal.PlanJPStandard, false},
		{portal.MessageQuota{}, portal.PlanJPStandard, true},
		{portal.MessageQuota{}, portal.PlanJPCommunication, false},
		{limited(15_000), portal.PlanTHBasic, true},
		{limited(500), portal.PlanNotSet, false},
	} {
		if got := c.q.MatchesPlan(c.plan); got != c.want {
			t.Errorf("%+v with %s: %t, want %t", c.q, c.plan, got, c.want)
		}
	}
}

func TestFollowerStatsAllow(t *testing.T) {
	for _, c := range []struct {
		f              portal.FollowerStats
		target, abTest bool
	}{
		{portal.FollowerStats{Ready: true, TargetedReaches: 99}, false, false},
		{portal.FollowerStats{Ready: true, TargetedReaches: 100}, true, false},
		{portal.FollowerStats{Ready: true, TargetedReaches: 4_999}, true, false},
		{portal.FollowerStats{Ready: true, TargetedReaches: 5_000}, true, true},
		{portal.FollowerStats{Ready: false, TargetedReaches: 9_000}, false, false},
	} {
		if c.f.CanTarget() != c.target || c.f.CanABTest() != c.abTest {
			t.Errorf("%+v: targeting %t, A/B %t", c.f, c.f.CanTarget(), c.f.CanABTest())
		}
	}
}

// Today's figure is never ready: the latest day is yesterday in UTC+9,
// which is "today" for a UTC clock between 15:00 and 24:00.
func TestLatestInsightDay(t *testing.T) {
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2026, 12, 7, 14, 59, 0, 0, time.UTC), "2026-12-06"}, // 23:59 on the 7th in UTC+9
		{time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC), "2026-12-07"},  // 00:00 on the 8th in UTC+9
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2026-12-31"},
	} {
		got := portal.LatestInsightDay(c.now)
		if got.Format("2006-01-02") != c.want || got.Location() != portal.LINEZone || got.Hour() != 0 {
			t.Errorf("LatestInsightDay(%s) = %s, want %s", c.now, got, c.want)
		}
	}
}
