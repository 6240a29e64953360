package line_test

import (
	"net/http"
	"testing"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
)

const monthlyLimitSentence = "LINE refused the message: You have reached your monthly limit. This LINE Official Account has sent all the messages its plan allows this month; nothing was sent. Add additional messages or change the plan in LINE Official Account Manager, or wait until next month."

// The demo's own account ("LINE Partner Portal") reads its quota with its
// Messaging API channel token: after N pushes that reach friends, N sent;
// at the limit a push is refused with LINE's 429 sentence and counts
// nothing; a new month (UTC+9) starts from 0.
func TestMessageQuota(t *testing.T) {
	f := newPlatformFixture(t)
	token, bot := f.demo.OAChannelToken, f.demo.OfficialAccount.BotID
	ken, aoi := f.demo.OrganizationAdministrator.ID, f.demo.Developer.ID
	quota := func() portal.MessageQuota {
		t.Helper()
		q, err := f.p.MessageQuota(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	if q := quota(); q != (portal.MessageQuota{Limited: true, Limit: linesim.DefaultQuota, Sent: 0}) {
		t.Fatalf("a new account: %+v", q)
	}
	last := f.rec.last(t)
	if last.method != "GET" || last.path != "/v2/bot/message/quota/consumption" || last.authorization != "Bearer "+token {
		t.Errorf("last request %+v", last)
	}
	push := func(to string, n int) error {
		return f.p.PushText(ctx, token, "", to, "hello", line.RetryKey(t.Name()+to+string(rune('a'+n))))
	}
	const n = 3
	for i := range n {
		if err := push(ken, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := push(aoi, 0); err != nil { // not a friend: accepted, reaches nobody
		t.Fatal(err)
	}
	if q := quota(); q.Sent != n {
		t.Errorf("after %d pushes to a friend and one to a stranger: sent %d, want %d", n, q.Sent, n)
	}

	if err := f.sim.SetQuota(bot, linesim.Quota{Limited: true, Limit: 5, Usage: 2}); err != nil {
		t.Fatal(err)
	}
	if q := quota(); q != (portal.MessageQuota{Limited: true, Limit: 5, Sent: 5}) || !q.Exhausted() {
		t.Fatalf("at the limit: %+v", q)
	}
	pushes := len(f.sim.Pushes())
	explained(t, push(ken, 9), http.StatusTooManyRequests, monthlyLimitSentence)
	if got := len(f.sim.Pushes()); got != pushes {
		t.Errorf("a refused push was recorded: %d → %d", pushes, got)
	}
	if q := quota(); q.Sent != 5 {
		t.Errorf("a refused push counted: sent %d", q.Sent)
	}

	// 2026-04-30 15:00 UTC is May 1st in UTC+9: LINE's new month.
	f.clock.Advance(time.Date(2026, 4, 30, 15, 0, 0, 0, time.UTC).Sub(f.clock.Now()))
	if q := quota(); q.Sent != 0 || q.Limit != 5 {
		t.Errorf("next month: %+v", q)
	}
	if err := f.sim.SetQuota(bot, linesim.Quota{}); err != nil {
		t.Fatal(err)
	}
	if q := quota(); q.Limited || q.Sent != 0 {
		t.Errorf("no target limit: %+v", q)
	}
	if err := f.sim.SetQuota(bot, linesim.Quota{Exhausted: true}); err != nil {
		t.Fatal(err)
	}
	explained(t, push(ken, 10), http.StatusTooManyRequests, monthlyLimitSentence)

	_, err := f.p.MessageQuota(ctx, "not-a-token")
	explained(t, err, http.StatusUnauthorized, "LINE did not accept the channel access token: it is wrong or has expired. Issue a new token for the channel and try again.")
	before := len(f.rec.all())
	_, err = f.p.MessageQuota(ctx, "")
	f.refusedLocally(err, before, "No channel access token is configured for the channel.")
}

// Followers for a past day come from the friendships (or the control
// surface); today's are never ready, nor are days before LINE counted.
func TestFollowers(t *testing.T) {
	f := newPlatformFixture(t)
	token, bot := f.demo.OAChannelToken, f.demo.OfficialAccount.BotID
	now := f.clock.Now()
	followers := func(day time.Time) portal.FollowerStats {
		t.Helper()
		s, err := f.p.Followers(ctx, token, day)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	day := portal.LatestInsightDay(now)
	// Ken and Mika are friends, Yui blocks the account, Aoi never added it.
	if s := followers(day); s != (portal.FollowerStats{Day: day, Ready: true, Followers: 3, TargetedReaches: 2, Blocks: 1}) {
		t.Errorf("yesterday: %+v", s)
	}
	if last := f.rec.last(t); last.path != "/v2/bot/insight/followers" || last.query != "date="+day.Format("20060102") {
		t.Errorf("asked %s?%s", last.path, last.query)
	}
	if s := followers(now); s.Ready || s.Followers != 0 {
		t.Errorf("today: %+v, want not ready", s)
	}
	if s := followers(time.Date(2016, 10, 31, 12, 0, 0, 0, portal.LINEZone)); s.Ready {
		t.Errorf("before LINE counted followers: %+v", s)
	}
	set := linesim.Followers{Followers: 7620, TargetedReaches: 5848, Blocks: 237}
	if err := f.sim.SetFollowers(bot, &set); err != nil {
		t.Fatal(err)
	}
	if s := followers(day); s.Followers != 7620 || s.TargetedReaches != 5848 || s.Blocks != 237 || !s.CanABTest() {
		t.Errorf("as set: %+v", s)
	}
	_, err := f.p.Followers(ctx, "not-a-token", day)
	explained(t, err, http.StatusUnauthorized, "LINE did not accept the channel access token: it is wrong or has expired. Issue a new token for the channel and try again.")
}
