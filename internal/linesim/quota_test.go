package linesim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The quota, consumption and followers answers carry what LINE's OpenAPI
// descriptions require, at line/line-openapi commit 6e4c2a2:
// messaging-api.yml MessageQuotaResponse (type required, one of none and
// limited; value, an int64, when limited), QuotaConsumptionResponse
// (totalUsage required, int64); insight.yml GetNumberOfFollowersResponse
// (status one of ready, unready, out_of_service; followers,
// targetedReaches, blocks int64) and the date parameter (^[0-9]{8}$,
// UTC+9).
func TestQuotaAndFollowersMatchOpenAPI(t *testing.T) {
	f := newFixture(t)
	token := f.demo.OAChannelToken
	integer := func(m map[string]any, key string) bool {
		v, ok := m[key].(float64)
		return ok && v == float64(int64(v))
	}
	q := f.getBearer("/v2/bot/message/quota", token).json(t)
	if q["type"] != "limited" || !integer(q, "value") || q["value"] != float64(200) {
		t.Errorf("quota = %v, want type limited and an int64 value", q)
	}
	if c := f.getBearer("/v2/bot/message/quota/consumption", token).json(t); !integer(c, "totalUsage") || len(c) != 1 {
		t.Errorf("consumption = %v, want totalUsage", c)
	}
	if resp := f.sendJSON(http.MethodPut, "/sim/api/bots/"+f.demo.OfficialAccount.BotID+"/quota", `{"limited":false}`); resp.status != http.StatusNoContent {
		t.Fatalf("set quota: %d %s", resp.status, resp.body)
	}
	if q := f.getBearer("/v2/bot/message/quota", token).json(t); q["type"] != "none" || len(q) != 1 {
		t.Errorf("quota without a limit = %v, want type none and no value", q)
	}

	// The clock is 2026-03-02 18:00 in UTC+9.
	for date, status := range map[string]string{"20260301": "ready", "20260302": "unready", "20260303": "unready", "20161031": "out_of_service", "": "ready"} {
		got := f.getBearer("/v2/bot/insight/followers?date="+date, token).json(t)
		if got["status"] != status {
			t.Errorf("date %q: status %v, want %s", date, got["status"], status)
		}
		counts := integer(got, "followers") && integer(got, "targetedReaches") && integer(got, "blocks")
		if counts != (status == "ready") {
			t.Errorf("date %q: %v; counts only when ready", date, got)
		}
	}
	for _, date := range []string{"2026-03-01", "2026031", "202603011", "20261301"} {
		assertMessage(t, f.getBearer("/v2/bot/insight/followers?date="+url.QueryEscape(date), token), http.StatusBadRequest,
			"The value for the 'date' parameter is invalid")
	}
	for _, path := range []string{"/v2/bot/message/quota", "/v2/bot/message/quota/consumption", "/v2/bot/insight/followers"} {
		assertMessage(t, f.getBearer(path, "wrong"), http.StatusUnauthorized,
			"Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid.")
	}
}

// The control page sets an account's quota and followers; refused input
// changes nothing.
func TestControlPageSetsQuotaAndFollowers(t *testing.T) {
	f := newFixture(t)
	bot, token := f.demo.OfficialAccount.BotID, f.demo.OAChannelToken
	if resp := f.postForm("/sim/quotas", url.Values{"bot": {bot}, "limit": {"5000"}, "usage": {"4000"}}); resp.status != http.StatusSeeOther {
		t.Fatalf("quota form: %d %s", resp.status, resp.body)
	}
	if q := f.getBearer("/v2/bot/message/quota", token).json(t); q["value"] != float64(5000) {
		t.Errorf("quota = %v", q)
	}
	if c := f.getBearer("/v2/bot/message/quota/consumption", token).json(t); c["totalUsage"] != float64(4000) {
		t.Errorf("consumption = %v", c)
	}
	if resp := f.postForm("/sim/followers", url.Values{"bot": {bot}, "followers": {"7620"}, "targeted_reaches": {"5848"}, "blocks": {"237"}}); resp.status != http.StatusSeeOther {
		t.Fatalf("followers form: %d", resp.status)
	}
	if got := f.getBearer("/v2/bot/insight/followers?date=20260301", token).json(t); got["followers"] != float64(7620) || got["targetedReaches"] != float64(5848) || got["blocks"] != float64(237) {
		t.Errorf("followers = %v", got)
	}
	if resp := f.postForm("/sim/quotas", url.Values{"bot": {bot}, "limit": {"many"}}); resp.status != http.StatusUnprocessableEntity ||
		!strings.Contains(resp.body, "the limit is a number of messages") {
		t.Errorf("a limit that is no number: %d", resp.status)
	}
	if q := f.getBearer("/v2/bot/message/quota", token).json(t); q["value"] != float64(5000) {
		t.Errorf("a refused form changed the quota: %v", q)
	}
	page := f.get("/sim/").doc(t)
	if row := page.Find("#usage tbody tr").First().Text(); !strings.Contains(row, "5000") || !strings.Contains(row, "7620") {
		t.Errorf("control page row: %q", row)
	}
	if resp := f.sendJSON(http.MethodPut, "/sim/api/bots/"+bot+"/quota", `{"limited":true,"limit":-1}`); resp.status != http.StatusBadRequest {
		t.Errorf("a negative limit: %d", resp.status)
	}
	if resp := f.sendJSON(http.MethodPut, "/sim/api/bots/Unobody/followers", `null`); resp.status != http.StatusBadRequest {
		t.Errorf("an unknown account: %d", resp.status)
	}
}
