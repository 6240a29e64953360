package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"lineportal/internal/demo"
	"lineportal/internal/linesim"
	"lineportal/internal/portal"
)

// moduleTest is the test server with the simulator's demo module channel
// registered in the portal, its webhook pointed at the portal.
type moduleTest struct {
	*testServer
	mod       linesim.ModuleDemoData
	channelID int64
}

func newModuleTest(t *testing.T) *moduleTest {
	t.Helper()
	ts := newTestServer(t)
	mod, err := ts.sim.SeedModuleDemo(linesim.ModuleDemoCredentials{}, ts.URL+"/modules/callback", ts.URL+"/webhooks/line/"+linesim.DemoModuleChannelID)
	if err != nil {
		t.Fatal(err)
	}
	dev := demo.Person{LINEUserID: ts.demo.Developer.ID, Name: ts.demo.Developer.Name}
	if err := demo.SeedModule(t.Context(), ts.db, ts.srv.cfg.Secrets, dev, demo.ModuleChannel{
		LINEChannelID: mod.Channel.ID, Name: mod.Channel.Name, Secret: mod.Channel.Secret, Token: mod.Token}); err != nil {
		t.Fatal(err)
	}
	return &moduleTest{testServer: ts, mod: mod, channelID: ts.channelID(t, "Demo Chat Module")}
}

// attach walks the attach flow: the portal's form, LINE's authorization
// screen (approving the demo Official Account), the callback.
func (mt *moduleTest) attach(t *testing.T, v *visitor) page {
	t.Helper()
	form := v.get(mt.URL + moduleHref(mt.channelID))
	toLINE := v.submit(form, "#attach-form", url.Values{"scope": {"message:send", "message:receive", "message:mark_as_read"}}, "", "")
	consent := v.follow(toLINE)
	back := v.submit(consent, "form", url.Values{"bot": {mt.mod.OfficialAccount.BotID}}, "action", "approve")
	done := v.follow(back)
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the callback answered %d: %.300s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	return v.follow(done)
}

// waitFor polls the store until cond holds: the simulator's webhooks arrive
// asynchronously.
func (mt *moduleTest) waitFor(t *testing.T, what string, cond func(portal.ModuleAttachment) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, err := mt.db.FindAttachment(t.Context(), mt.channelID, mt.mod.OfficialAccount.BotID)
		if err == nil && cond(a) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s: %+v %v", what, a, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestModule_AttachControlSuspendDetach(t *testing.T) {
	mt := newModuleTest(t)
	v := mt.signedIn(t, mt.demo.Developer.ID)
	bot := mt.mod.OfficialAccount.BotID
	botPage := mt.URL + botHref(mt.channelID, bot)
	friend := mt.mod.Friends[0].ID

	page := mt.attach(t, v)
	if got := page.doc.Find("#bot-name").Text(); got != "Sakura Cafe" {
		t.Fatalf("after attaching: bot page of %q", got)
	}
	if !strings.Contains(page.doc.Find("#flash").Text(), "Attached") {
		t.Errorf("flash: %q", page.doc.Find("#flash").Text())
	}
	// The attached webhook arrives too and lands in the bot's history.
	mt.waitFor(t, "the attached event", func(a portal.ModuleAttachment) bool { return a.State == portal.Attached })

	list := v.get(mt.URL + moduleHref(mt.channelID) + "/bots")
	if list.doc.Find(`.attachment-list tr[data-bot-id="`+bot+`"]`).Length() != 1 {
		t.Fatalf("bot list: %.300s", list.doc.Find("#bot-list").Text())
	}

	t.Run("chat control", func(t *testing.T) {
		done := v.follow(v.post(botPage+"/chat-control/acquire", url.Values{"chat_id": {friend}, "ttl": {"3600"}}))
		if !strings.Contains(done.doc.Find("#flash").Text(), "now controls the chat") ||
			done.doc.Find(`#chat-controls tr[data-chat-id="`+friend+`"] .badge-ok`).Length() != 1 {
			t.Fatalf("after acquiring: %q", done.doc.Find("#flash").Text())
		}
		bad := v.post(botPage+"/chat-control/acquire", url.Values{"chat_id": {friend}, "ttl": {"31536001"}})
		if bad.res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.doc.Find(".error-message").Text(), "1 year") {
			t.Fatalf("ttl over a year: %d %q", bad.res.StatusCode, bad.doc.Find(".error-message").Text())
		}
		done = v.follow(v.post(botPage+"/chat-control/release", url.Values{"chat_id": {friend}}))
		if !strings.Contains(done.doc.Find("#flash").Text(), "released") {
			t.Fatalf("after releasing: %q", done.doc.Find("#flash").Text())
		}
	})

	t.Run("corporate options", func(t *testing.T) {
		done := v.follow(v.post(botPage+"/mission-sticker", url.Values{"user_id": {friend}, "package_id": {"10001"}}))
		if !strings.Contains(done.doc.Find("#flash .alert-success").Text(), "granted") {
			t.Fatalf("mission sticker: %q", done.doc.Find("#flash").Text())
		}
		refused := v.follow(v.post(botPage+"/mission-sticker", url.Values{"user_id": {friend}, "package_id": {"20002"}}))
		msg := refused.doc.Find("#flash .alert-error").Text()
		if !strings.Contains(msg, "validity period") || !strings.Contains(msg, "LINE request ID") {
			t.Fatalf("a documented mission sticker error: %q", msg)
		}
		done = v.follow(v.post(botPage+"/mark-as-read", url.Values{"user_id": {friend}}))
		if !strings.Contains(done.doc.Find("#flash .alert-success").Text(), "marked as read") {
			t.Fatalf("mark as read: %q", done.doc.Find("#flash").Text())
		}
	})

	t.Run("a suspended account refuses every action and keeps everything", func(t *testing.T) {
		if err := mt.sim.SuspendBot(bot); err != nil {
			t.Fatal(err)
		}
		mt.waitFor(t, "botSuspended", func(a portal.ModuleAttachment) bool { return a.Suspended })
		p := v.get(botPage)
		if got := p.doc.Find("#oa-unavailable").Text(); got != portal.OAUnavailableMessage {
			t.Fatalf("banner: %q", got)
		}
		if p.doc.Find("#acquire-form, #corporate-options, #detach-link").Length() != 0 {
			t.Fatal("actions are still offered on a suspended account")
		}
		for _, action := range []string{"/chat-control/acquire", "/mission-sticker", "/detach"} {
			r := v.post(botPage+action, url.Values{"chat_id": {friend}, "user_id": {friend}, "package_id": {"10001"}})
			if r.res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.doc.Find(".error-message").Text(), portal.OAUnavailableMessage) {
				t.Errorf("%s while suspended: %d %q", action, r.res.StatusCode, r.doc.Find(".error-message").Text())
			}
		}
		if err := mt.sim.ResumeBot(bot); err != nil {
			t.Fatal(err)
		}
		mt.waitFor(t, "botResumed", func(a portal.ModuleAttachment) bool { return !a.Suspended && a.State == portal.Attached })
		if v.get(botPage).doc.Find("#oa-unavailable").Length() != 0 {
			t.Fatal("the banner stayed after botResumed")
		}
	})

	t.Run("detach after a confirmation naming the account", func(t *testing.T) {
		confirm := v.get(botPage + "/detach")
		if !strings.Contains(confirm.doc.Find("#detach-confirm h1").Text(), "Sakura Cafe") {
			t.Fatalf("confirmation: %q", confirm.doc.Find("#detach-confirm h1").Text())
		}
		done := v.follow(v.submit(confirm, "#detach-confirm form", nil, "", ""))
		if !strings.Contains(done.doc.Find("#detached-notice").Text(), "Detached") {
			t.Fatalf("after detaching: %.300s", done.doc.Find("main").Text())
		}
	})
}

func TestModule_RegisterKeepsSecretsOutOfPagesAndRefusesBadInput(t *testing.T) {
	ts := newTestServer(t)
	v := ts.signedIn(t, ts.demo.Developer.ID)
	const secretValue = "0123456789abcdef0123456789abcdef"
	bad := v.post(ts.URL+"/modules", url.Values{"name": {"Mine"}, "line_channel_id": {"2999000001"}, "provider_id": {"new"},
		"new_provider": {"Mine Co."}, "channel_secret": {"not-hex"}, "access_token": {"tok"}})
	if bad.res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(bad.body, "not-hex") {
		t.Fatalf("a malformed secret: %d, echoed: %v", bad.res.StatusCode, strings.Contains(bad.body, "not-hex"))
	}
	if got := bad.doc.Find("#name").AttrOr("value", ""); got != "Mine" {
		t.Errorf("the name typed was lost: %q", got)
	}
	done := v.post(ts.URL+"/modules", url.Values{"name": {"Mine"}, "line_channel_id": {"2999000001"}, "provider_id": {"new"},
		"new_provider": {"Mine Co."}, "channel_secret": {secretValue}, "access_token": {"a-token-value"}})
	if done.res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register answered %d: %.300s", done.res.StatusCode, done.doc.Find("main").Text())
	}
	page := v.follow(done)
	if strings.Contains(page.body, secretValue) || strings.Contains(page.body, "a-token-value") {
		t.Fatal("a credential reached the page")
	}
	if got := page.doc.Find("#webhook-url").AttrOr("value", ""); got != ts.URL+"/webhooks/line/2999000001" {
		t.Errorf("webhook URL %q", got)
	}
	if strings.Contains(ts.logs.String(), secretValue) || strings.Contains(ts.logs.String(), "a-token-value") {
		t.Fatal("a credential reached the log")
	}
}
