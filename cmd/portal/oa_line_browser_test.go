package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// simBotID finds a simulated Official Account's bot ID by its basic ID
// through the simulator's control API.
func simBotID(t *testing.T, simURL, basicID string) string {
	t.Helper()
	res, err := http.Get(simURL + "/sim/api/bots")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var bots []struct {
		BotID   string `json:"botId"`
		BasicID string `json:"basicId"`
	}
	if err := json.NewDecoder(res.Body).Decode(&bots); err != nil {
		t.Fatal(err)
	}
	for _, b := range bots {
		if b.BasicID == basicID {
			return b.BotID
		}
	}
	t.Fatalf("the simulator has no %s", basicID)
	return ""
}

// The demo's Japanese account, as a new user finds it: Japan's Light plan,
// this month's messages and followers from LINE, what its target reach
// allows; then its webhook set to the portal after the warning, Verify
// succeeding, and, once LINE signs with a reissued secret, Verify showing
// LINE's failure reason.
func TestBrowser_OfficialAccountFromLINE(t *testing.T) {
	m := startPortal(t, nil)
	b := newBrowser(t)
	signInInBrowser(t, b, m.URL, demoDeveloperID, false)
	b.do(t, chromedp.Navigate(m.URL+"/official-accounts"))
	clickText(t, b, "a", "Momiji Cafe")
	b.waitUntil(t, `document.getElementById("oa-quota") !== null`)

	if got := textOf(t, b, "#oa-plan-summary"); got != "Light (Japan): 5,000 free messages a month." {
		t.Errorf("plan: %q", got)
	}
	if got := textOf(t, b, "#oa-quota"); !strings.HasPrefix(got, "3,100 / 5,000") {
		t.Errorf("messages this month: %q", got)
	}
	if got := textOf(t, b, "#oa-followers"); !strings.Contains(got, "6,120") || !strings.Contains(got, "5,480") || !strings.Contains(got, "310") {
		t.Errorf("followers: %q", got)
	}
	if a, ab := textOf(t, b, "#oa-targeting"), textOf(t, b, "#oa-ab-test"); !strings.HasSuffix(a, "Met") || !strings.HasSuffix(ab, "Met") {
		t.Errorf("reach allows: %q, %q", a, ab)
	}
	companyBot := textOf(t, b, "#oa-webhook-url")

	// Send the webhook events to the portal, after the warning.
	clickAndWait(t, b, "#oa-webhook-take", `document.getElementById("oa-webhook-warning") !== null`)
	if w := textOf(t, b, "#oa-webhook-warning"); !strings.Contains(w, companyBot+" will receive no more events") {
		t.Fatalf("warning: %q", w)
	}
	clickAndWait(t, b, "#oa-webhook-confirm-button", `document.getElementById("oa-webhook-is-portal") !== null`)
	portalURL := textOf(t, b, "#oa-webhook-url")
	if !strings.HasPrefix(portalURL, m.URL+"/webhooks/line/") {
		t.Fatalf("webhook URL after setting: %q", portalURL)
	}
	clickAndWait(t, b, "#oa-webhook-verify", `document.getElementById("oa-webhook-test") !== null`)
	if got := textOf(t, b, "#oa-webhook-test"); !strings.Contains(got, "Verified: LINE reached the webhook URL (status 200).") {
		t.Fatalf("verify: %q", got)
	}

	// The channel secret is reissued on LINE: the portal's receiver
	// refuses LINE's signature, and Verify shows LINE's reason.
	body, _ := json.Marshal(map[string]string{"secret": strings.Repeat("e", 32), "url": portalURL})
	req, _ := http.NewRequest(http.MethodPut, m.SimulatorURL+"/sim/api/bots/"+simBotID(t, m.SimulatorURL, "@momijicafe")+"/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("reissuing the secret on the simulator: %v %v", res, err)
	}
	res.Body.Close()
	clickAndWait(t, b, "#oa-webhook-verify", `document.getElementById("oa-webhook-test")?.classList.contains("alert-error")`)
	if got := textOf(t, b, "#oa-webhook-test"); !strings.Contains(got, "ERROR_STATUS_CODE, status 400 (400 Bad Request)") {
		t.Fatalf("verify with another secret: %q", got)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("browser console errors: %v", errs)
	}
}
