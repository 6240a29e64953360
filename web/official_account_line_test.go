package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"lineportal/internal/line"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
	"lineportal/store"
	"lineportal/views"
)

// cafeSecret is the channel secret of Momiji Cafe's Messaging API channel
// in the tests.
const cafeSecret = "0123456789abcdef0123456789abcdef"

// simulatedCafe gives the simulator the demo's Momiji Cafe with its
// Messaging API channel (the portal's LINE channel ID) and cafeSecret,
// three friends and a blocked user, and this month's usage; it returns the
// portal's account and the simulated bot ID.
func simulatedCafe(t *testing.T, ts *testServer, usage int64) (portal.OfficialAccount, string) {
	t.Helper()
	cafe, err := ts.db.FindOfficialAccountByBasicID(t.Context(), "@momijicafe")
	if err != nil {
		t.Fatal(err)
	}
	oa, err := ts.sim.CreateOfficialAccount(linesim.OfficialAccount{BasicID: cafe.BasicID, Name: cafe.Name})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.sim.SetPrimaryWebhook(oa.BotID, linesim.PrimaryWebhook{ChannelID: cafe.LINEChannelID, Secret: cafeSecret}); err != nil {
		t.Fatal(err)
	}
	for id, f := range map[string]linesim.Friendship{ts.demo.Developer.ID: "friend", ts.demo.OrganizationAdministrator.ID: "friend",
		ts.demo.Operator.ID: "friend", ts.demo.DeveloperAndAdministrator.ID: "blocked"} {
		if err := ts.sim.SetFriendship(id, oa.BotID, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := ts.sim.SetQuota(oa.BotID, linesim.Quota{Limited: true, Limit: 5000, Usage: usage}); err != nil {
		t.Fatal(err)
	}
	return cafe, oa.BotID
}

// An Admin connects Momiji Cafe with its channel secret alone; the page
// then shows its messages this month (N pushes → N more sent), the 80 %
// warning, its followers and what its target reach allows, all from the
// simulator through the SDK. The secret and tokens never reach the page
// or the log, and an expired token is replaced before any call.
func TestOfficialAccountFromLINE(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	oa, _ := simulatedCafe(t, ts, 3998)
	cafe, secret := oa.ID, cafeSecret
	page := ts.URL + views.OfficialAccountPath(cafe)

	p := dev.get(page)
	if p.doc.Find("#oa-connect-form").Length() != 1 || p.doc.Find("#oa-quota").Length() != 0 {
		t.Fatalf("not connected: %q", p.doc.Find("#oa-messages").Text())
	}
	wrong := dev.submit(p, "#oa-connect-form", url.Values{"channel_secret": {strings.Repeat("f", 32)}}, "", "")
	if wrong.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(wrong.doc.Find("#channel_secret-error").Text(), "LINE did not accept the channel ID and channel secret") {
		t.Fatalf("a wrong secret: %d %q", wrong.res.StatusCode, wrong.doc.Find("#oa-messages").Text())
	}
	if bad := dev.submit(p, "#oa-connect-form", url.Values{"channel_secret": {"not a secret"}}, "", ""); bad.res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a malformed secret: %d", bad.res.StatusCode)
	}
	done := dev.submit(p, "#oa-connect-form", url.Values{"channel_secret": {secret}}, "", "")
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect: %d %q", done.res.StatusCode, done.doc.Find("#oa-messages").Text())
	}
	p = dev.follow(done)
	if got := p.doc.Find("#oa-quota").Text(); got != "3,998 / 5,000 messages (LINE's limit for this month)" {
		t.Errorf("quota: %q", got)
	}
	if p.doc.Find("#oa-quota-warning").Length() != 0 || p.doc.Find("#oa-plan-mismatch").Length() != 0 {
		t.Errorf("80 %% warning or plan mismatch below 80 %% with Light's 5,000: %q", p.doc.Find("#oa-messages").Text())
	}
	if f := p.doc.Find("#oa-followers"); f.Find("#oa-followers-count").Text() != "4" || f.Find("#oa-target-reach").Text() != "3" ||
		f.Find("#oa-blocks").Text() != "1" || !strings.Contains(f.Find("#oa-targeting").Text(), "Not met") || !strings.Contains(f.Find("#oa-ab-test").Text(), "Not met") {
		t.Errorf("followers: %q", f.Text())
	}

	// N pushes through the account's own channel: N more sent, and from
	// 80 % the warning.
	creds, err := ts.db.FindModuleCredentials(t.Context(), ts.srv.cfg.Secrets, oa.ChannelID)
	if err != nil || creds.TokenExpiresAt.IsZero() || creds.ChannelSecret != secret {
		t.Fatalf("stored credentials: %v %v", creds, err)
	}
	const n = 3
	for i := range n {
		if err := ts.srv.cfg.LINE.PushText(t.Context(), creds.AccessToken, "", ts.demo.OrganizationAdministrator.ID, "hello", line.RetryKey(t.Name()+string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	p = dev.get(page)
	// The Light plan has no additional messages to advise.
	if got, warning := p.doc.Find("#oa-quota").Text(), p.doc.Find("#oa-quota-warning").Text(); !strings.HasPrefix(got, "4,001 / 5,000") ||
		!strings.Contains(warning, "this plan has no additional messages") || strings.Contains(warning, "add additional messages") {
		t.Errorf("after %d pushes: %q, warning %q", n, got, warning)
	}
	for _, leak := range []string{secret, creds.AccessToken} {
		if strings.Contains(p.body, leak) || strings.Contains(ts.logs.String(), leak) {
			t.Error("the channel secret or token reached the page or the log")
		}
	}

	// 15 minutes later the stored token is about to expire: the page
	// issues a new one first, stores it for every instance, and reads LINE
	// without a failed call.
	ts.clock.advance(15 * time.Minute)
	p = dev.get(page)
	renewed, err := ts.db.FindModuleCredentials(t.Context(), ts.srv.cfg.Secrets, oa.ChannelID)
	if err != nil || renewed.AccessToken == creds.AccessToken || !renewed.TokenExpiresAt.After(creds.TokenExpiresAt) {
		t.Errorf("the token was not renewed: %v", err)
	}
	if !strings.HasPrefix(p.doc.Find("#oa-quota").Text(), "4,001") || strings.Contains(ts.logs.String(), "reading an Official Account from LINE failed") {
		t.Errorf("after renewal: %q", p.doc.Find("#oa-messages").Text())
	}

	// Someone without the Admin role can't give the portal a secret.
	boss := ts.signedIn(t, ts.demo.Operator.ID)
	if r := boss.post(page+"/channel-secret", url.Values{"channel_secret": {secret}}); r.res.StatusCode != http.StatusForbidden {
		t.Errorf("an operator connected the account: %d", r.res.StatusCode)
	}
}

// An Admin sends Momiji Cafe's webhook events to the portal after a
// confirmation naming the company's own bot, which loses them, then
// verifies the URL: LINE's real signed test delivery reaches the portal's
// receiver. Once LINE signs with another secret (reissued in the console),
// Verify shows LINE's failure reason.
func TestOfficialAccountWebhook(t *testing.T) {
	ts := newTestServer(t)
	dev := ts.signedIn(t, ts.demo.Developer.ID)
	oa, bot := simulatedCafe(t, ts, 0)
	cafe, secret := oa.ID, cafeSecret
	const companyBot = "https://bot.momiji.example/callback"
	if err := ts.sim.SetPrimaryWebhook(bot, linesim.PrimaryWebhook{Secret: secret, URL: companyBot}); err != nil {
		t.Fatal(err)
	}
	page := ts.URL + views.OfficialAccountPath(cafe)
	if done := dev.submit(dev.get(page), "#oa-connect-form", url.Values{"channel_secret": {secret}}, "", ""); done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect: %d", done.res.StatusCode)
	}
	p := dev.get(page)
	if got := p.doc.Find("#oa-webhook-url").Text(); got != companyBot || p.doc.Find("#oa-webhook-is-portal").Length() != 0 {
		t.Fatalf("webhook shown: %q", got)
	}
	href, _ := p.doc.Find("#oa-webhook-take").Attr("href")
	confirm := dev.get(ts.URL + href)
	portalURL := ts.URL + "/webhooks/line/" + oa.LINEChannelID
	if w := confirm.doc.Find("#oa-webhook-warning").Text(); !strings.Contains(w, companyBot+" will receive no more events") ||
		!strings.Contains(confirm.doc.Find("#oa-webhook-confirm").Text(), portalURL) {
		t.Fatalf("confirmation: %q", confirm.doc.Find("#oa-webhook-confirm").Text())
	}
	// And how to send the events back there, which the portal can't do.
	if undo := confirm.doc.Find("#oa-webhook-undo").Text(); !strings.Contains(undo, "Webhook URL in the LINE Developers Console") || !strings.Contains(undo, "History") {
		t.Errorf("no way back told: %q", undo)
	}
	// Someone who is not an Admin of the account can't take it.
	op := ts.signedIn(t, ts.demo.Operator.ID)
	if r := op.post(ts.URL+href, nil); r.res.StatusCode != http.StatusForbidden {
		t.Errorf("an operator set the webhook: %d", r.res.StatusCode)
	}
	set := dev.submit(confirm, "#oa-webhook-confirm form", nil, "", "")
	if set.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set: %d %q", set.res.StatusCode, set.doc.Find("main").Text())
	}
	p = dev.follow(set)
	if got := p.doc.Find("#oa-webhook-url").Text(); got != portalURL || p.doc.Find("#oa-webhook-is-portal").Length() != 1 {
		t.Fatalf("after setting: %q", got)
	}
	verified := dev.submit(p, "form[action$='/webhook/verify']", nil, "", "")
	if got := verified.doc.Find("#oa-webhook-test").Text(); verified.res.StatusCode != 200 || !strings.Contains(got, "Verified: LINE reached the webhook URL (status 200).") {
		t.Fatalf("verify: %d %q", verified.res.StatusCode, got)
	}
	// Back to the confirmation, or the form sent again: LINE sends to the
	// portal already, which says so and changes nothing.
	if again := dev.get(ts.URL + href); !strings.Contains(again.doc.Find("#oa-webhook-already").Text(), "webhook URL is the portal's already") ||
		again.doc.Find("#oa-webhook-warning, #oa-webhook-confirm form").Length() != 0 {
		t.Errorf("the confirmation once set: %q", again.doc.Find("#oa-webhook-confirm").Text())
	}
	resent := dev.submit(confirm, "#oa-webhook-confirm form", nil, "", "")
	if back := dev.follow(resent); resent.res.StatusCode != http.StatusSeeOther || !strings.Contains(back.doc.Find("#flash").Text(), "webhook URL is the portal's already") {
		t.Errorf("the confirmation sent again: %d, %q", resent.res.StatusCode, back.doc.Find("#flash").Text())
	}

	// The channel secret was reissued on LINE: the portal's receiver
	// refuses LINE's signature, and Verify says so.
	if err := ts.sim.SetPrimaryWebhook(bot, linesim.PrimaryWebhook{Secret: strings.Repeat("e", 32), URL: portalURL}); err != nil {
		t.Fatal(err)
	}
	failed := dev.submit(p, "form[action$='/webhook/verify']", nil, "", "")
	if got := failed.doc.Find("#oa-webhook-test").Text(); !strings.Contains(got, "ERROR_STATUS_CODE, status 400 (400 Bad Request)") {
		t.Fatalf("verify with another secret: %q", got)
	}
	entries, _, err := ts.db.FindAuditEntries(t.Context(), store.AuditFilter{OfficialAccountID: cafe})
	if err != nil || len(entries) < 2 || entries[0].Action != portal.ActionOfficialAccountWebhookSet || entries[1].Action == portal.ActionOfficialAccountWebhookSet ||
		entries[0].Before != portal.Note(portal.NoteWebhookURL, "URL", companyBot) || entries[0].After != portal.Note(portal.NoteWebhookURL, "URL", portalURL) {
		t.Errorf("audit: %+v %v", entries, err)
	}
}
