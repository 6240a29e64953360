package linesim

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// An Official Account's messages this month and its followers, as the
// Messaging API reports them (line/line-openapi messaging-api.yml
// getMessageQuota, getMessageQuotaConsumption; insight.yml
// getNumberOfFollowers). LINE's month and days are in UTC+9.
//
// Counted messages are the pushes the simulator delivered for the account
// this month (a push to someone who is not a friend reaches nobody and
// counts nothing, 004: "the number of target messages reached"), plus the
// usage the control surface sets. Once a limited quota is used, a push is
// refused with 429 "You have reached your monthly limit." and counts
// nothing. Followers, target reach and blocks come from the friendships
// unless the control surface sets them.

// lineZone is UTC+9, the time zone of LINE's months and insight dates.
var lineZone = time.FixedZone("UTC+9", 9*60*60)

// MonthlyLimitMessage is LINE's answer to a counted message beyond the
// account's quota.
const MonthlyLimitMessage = "You have reached your monthly limit."

// DefaultQuota is the quota of a new account: Japan's Communication plan.
const DefaultQuota = 200

// Quota is an account's monthly message quota as the control surface sets
// it: what its plan and additional messages allow.
type Quota struct {
	// Limited: LINE sends at most Limit counted messages this month;
	// otherwise there is no target limit (LINE's type "none").
	Limited bool  `json:"limited"`
	Limit   int64 `json:"limit"`
	// Usage is the number of messages counted this month before the
	// pushes the simulator received (a month's broadcasts, say).
	Usage int64 `json:"usage"`
	// Exhausted makes LINE refuse every counted message with 429, whatever
	// the usage.
	Exhausted bool `json:"exhausted"`
}

// Followers are an account's insight figures for every past day.
type Followers struct {
	Followers       int64 `json:"followers"`
	TargetedReaches int64 `json:"targetedReaches"`
	Blocks          int64 `json:"blocks"`
}

// accountUsage is what the control surface set for one account.
type accountUsage struct {
	quota     Quota
	month     string     // the UTC+9 month ("2026-12") Usage belongs to
	followers *Followers // nil = counted from the friendships
}

func monthOf(t time.Time) string { return t.In(lineZone).Format("2006-01") }

// usageOf returns an account's settings, the defaults when none were set.
// The caller holds the lock.
func (st *state) usageOf(botID string) accountUsage {
	if u, ok := st.usage[botID]; ok {
		return *u
	}
	return accountUsage{quota: Quota{Limited: true, Limit: DefaultQuota}}
}

// SetQuota sets an account's quota and this month's usage.
func (s *Server) SetQuota(botID string, q Quota) error {
	if q.Limit < 0 || q.Usage < 0 {
		return errors.New("the limit and the usage are counts of messages: 0 or more")
	}
	return s.updateUsage(botID, func(u *accountUsage) { u.quota, u.month = q, monthOf(s.now()) })
}

// SetFollowers sets an account's insight figures; nil counts them from the
// friendships again.
func (s *Server) SetFollowers(botID string, f *Followers) error {
	if f != nil && (f.Followers < 0 || f.TargetedReaches < 0 || f.Blocks < 0) {
		return errors.New("followers, target reach and blocks are counts: 0 or more")
	}
	return s.updateUsage(botID, func(u *accountUsage) { u.followers = f })
}

// updateUsage changes what the control surface set for an account.
func (s *Server) updateUsage(botID string, change func(*accountUsage)) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if _, ok := s.state.accounts[botID]; !ok {
		return fmt.Errorf("unknown official account %q", botID)
	}
	u := s.state.usageOf(botID)
	change(&u)
	s.state.usage[botID] = &u
	return nil
}

// consumption is the number of messages counted for an account in the
// month of now. The caller holds the lock.
func (st *state) consumption(botID string, now time.Time) int64 {
	month := monthOf(now)
	var n int64
	if u := st.usageOf(botID); u.month == month {
		n = u.quota.Usage
	}
	for _, p := range st.pushes {
		if p.BotID == botID && p.Delivered && monthOf(p.At) == month {
			n++
		}
	}
	return n
}

// overQuota tells whether one more counted message of an account is
// refused. The caller holds the lock.
func (st *state) overQuota(botID string, now time.Time) bool {
	q := st.usageOf(botID).quota
	return q.Exhausted || (q.Limited && st.consumption(botID, now) >= q.Limit)
}

// handleQuota answers GET /v2/bot/message/quota.
func (s *Server) handleQuota(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.authenticateBotCall(w, r, "")
	if !ok {
		return
	}
	s.state.mu.Lock()
	q := s.state.usageOf(caller.botID).quota
	s.state.mu.Unlock()
	if !q.Limited {
		writeJSON(w, http.StatusOK, map[string]string{"type": "none"})
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Type  string `json:"type"`
		Value int64  `json:"value"`
	}{"limited", q.Limit})
}

// handleQuotaConsumption answers GET /v2/bot/message/quota/consumption.
func (s *Server) handleQuotaConsumption(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.authenticateBotCall(w, r, "")
	if !ok {
		return
	}
	s.state.mu.Lock()
	n := s.state.consumption(caller.botID, s.now())
	s.state.mu.Unlock()
	writeJSON(w, http.StatusOK, struct {
		TotalUsage int64 `json:"totalUsage"`
	}{n})
}

// insightStart is the first day LINE has follower figures for; earlier
// dates are "out_of_service" (LINE's reference, get number of followers:
// "earlier than the date on which we first started calculating followers
// (November 1, 2016)").
const insightStart = "20161101"

// handleFollowers answers GET /v2/bot/insight/followers?date=yyyyMMdd:
// the figures as of a past day in UTC+9; today's and later days are
// "unready", as LINE computes a day only after it ends. Without date,
// yesterday.
func (s *Server) handleFollowers(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.authenticateBotCall(w, r, "")
	if !ok {
		return
	}
	now := s.now().In(lineZone)
	today := now.Format("20060102")
	date := r.URL.Query().Get("date")
	if date == "" {
		date = now.AddDate(0, 0, -1).Format("20060102")
	}
	if _, err := time.ParseInLocation("20060102", date, lineZone); err != nil || len(date) != 8 {
		writeMessage(w, http.StatusBadRequest, "The value for the 'date' parameter is invalid")
		return
	}
	switch {
	case date >= today:
		writeJSON(w, http.StatusOK, map[string]string{"status": "unready"})
		return
	case date < insightStart:
		writeJSON(w, http.StatusOK, map[string]string{"status": "out_of_service"})
		return
	}
	s.state.mu.Lock()
	f := s.state.followers(caller.botID)
	s.state.mu.Unlock()
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
		Followers
	}{"ready", f})
}

// followers are an account's insight figures: as set, or counted from the
// friendships (everyone who ever added it; the friends, as the simulator
// knows no demographics; those blocking it). The caller holds the lock.
func (st *state) followers(botID string) Followers {
	if f := st.usageOf(botID).followers; f != nil {
		return *f
	}
	var f Followers
	for k, fr := range st.friendships {
		if k.botID != botID {
			continue
		}
		switch fr {
		case FriendshipFriend:
			f.Followers++
			f.TargetedReaches++
		case FriendshipBlocked:
			f.Followers++
			f.Blocks++
		}
	}
	return f
}

func (s *Server) handleAPISetQuota(w http.ResponseWriter, r *http.Request) {
	controlAPI(w, r, func(q Quota) error { return s.SetQuota(r.PathValue("botID"), q) })
}

func (s *Server) handleAPISetFollowers(w http.ResponseWriter, r *http.Request) {
	controlAPI(w, r, func(f *Followers) error { return s.SetFollowers(r.PathValue("botID"), f) })
}

// handleControlSetQuota is the control page's quota form: the limit
// empty means no target limit.
func (s *Server) handleControlSetQuota(w http.ResponseWriter, r *http.Request) {
	s.controlForm(w, r, func(f url.Values) error {
		var q Quota
		var err error
		if limit := strings.TrimSpace(f.Get("limit")); limit != "" {
			q.Limited = true
			if q.Limit, err = strconv.ParseInt(limit, 10, 64); err != nil {
				return errors.New("the limit is a number of messages")
			}
		}
		if q.Usage, err = parseCount(f.Get("usage")); err != nil {
			return errors.New("the usage is a number of messages")
		}
		q.Exhausted = f.Get("exhausted") == "on"
		return s.SetQuota(f.Get("bot"), q)
	})
}

// handleControlSetFollowers is the control page's followers form: all
// three empty count them from the friendships again.
func (s *Server) handleControlSetFollowers(w http.ResponseWriter, r *http.Request) {
	s.controlForm(w, r, func(f url.Values) error {
		if strings.TrimSpace(f.Get("followers")+f.Get("targeted_reaches")+f.Get("blocks")) == "" {
			return s.SetFollowers(f.Get("bot"), nil)
		}
		var fl Followers
		var errs [3]error
		fl.Followers, errs[0] = parseCount(f.Get("followers"))
		fl.TargetedReaches, errs[1] = parseCount(f.Get("targeted_reaches"))
		fl.Blocks, errs[2] = parseCount(f.Get("blocks"))
		if err := errors.Join(errs[:]...); err != nil {
			return errors.New("followers, target reach and blocks are numbers")
		}
		return s.SetFollowers(f.Get("bot"), &fl)
	})
}

// parseCount reads a form's count; empty is 0.
func parseCount(raw string) (int64, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, nil
	}
	return strconv.ParseInt(raw, 10, 64)
}

// usageView is one account's row on the control page.
type usageView struct {
	Name        string
	Quota       Quota
	Consumption int64
	Followers   Followers
	Set         bool // the followers were set, not counted
}

// usageViews lists every account's quota and followers. The caller holds
// the lock.
func (st *state) usageViews(now time.Time) []usageView {
	views := make([]usageView, 0, len(st.accountIDs))
	for _, botID := range st.accountIDs {
		u := st.usageOf(botID)
		views = append(views, usageView{Name: st.accounts[botID].Name, Quota: u.quota, Consumption: st.consumption(botID, now),
			Followers: st.followers(botID), Set: u.followers != nil})
	}
	return views
}
