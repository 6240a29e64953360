package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lineportal/internal/linesim"
)

// The simulator's demo Official Account for modules and one of its friends,
// by the ID a module channel sees the friend's chat under.
const sakuraCafeBotID = "U5fac33f633e72c192759f09afc41fa28"

var sakuraCafeFan = linesim.ModuleUserID(sakuraCafeBotID, "Ub577ef3cbe786a8da85ff8e902a03fc6")

func TestBrowser_ModuleChannel(t *testing.T) {
	m := startPortal(t, nil)
	b := newBrowser(t)
	signInInBrowser(t, b, m.URL, demoDeveloperID, false)
	botPage := ""

	// Attach through LINE's (the simulator's) authorization screen.
	b.do(t, chromedp.Navigate(m.URL+"/modules"))
	b.clickXPath(t, `//table[@id="module-list"]//a[normalize-space()="Demo Chat Module"]`)
	b.waitUntil(t, `document.getElementById("attach-form") !== null`)
	b.click(t, `input[name=scope][value="message:mark_as_read"]`)
	b.click(t, "#start-attach")
	b.waitUntil(t, `location.pathname.startsWith("/module/auth/")`)
	b.click(t, `input[name=bot][value="`+sakuraCafeBotID+`"]`)
	b.click(t, `button[name=action][value=approve]`)
	b.waitUntil(t, `document.getElementById("bot-name")?.textContent === "Sakura Cafe"`)
	botPage = get(t, b, chromedp.Location())

	// The bot appears in LINE's bot list.
	b.do(t, chromedp.Navigate(strings.Split(botPage, "/bots/")[0]+"/bots"))
	b.waitUntil(t, `document.querySelector('.attachment-list tr[data-bot-id="`+sakuraCafeBotID+`"]') !== null`)

	// Acquire and release chat control.
	b.do(t, chromedp.Navigate(botPage), chromedp.SendKeys(chromedp.ID("chat_id"), sakuraCafeFan), chromedp.SendKeys(chromedp.ID("ttl"), "600"))
	clickAndWait(t, b, "#acquire", `document.querySelector('#chat-controls tr[data-chat-id="`+sakuraCafeFan+`"] .badge-ok') !== null`)
	clickAndWait(t, b, `#chat-controls form button`, `document.querySelector("#flash .alert-success")?.textContent.includes("released")`)

	// Suspension is live: the open page greys out without a reload (the
	// marker set on this document survives), and comes back on resume.
	b.do(t, chromedp.Navigate(botPage), chromedp.Evaluate[chromedp.Void](`window.stillThisDocument = true`))
	simBotAction(t, m.SimulatorURL, "suspend")
	b.waitUntil(t, `window.stillThisDocument && document.getElementById("oa-unavailable") !== null && document.getElementById("acquire-form") === null`)
	simBotAction(t, m.SimulatorURL, "resume")
	b.waitUntil(t, `window.stillThisDocument && document.getElementById("oa-unavailable") === null && document.getElementById("acquire-form") !== null`)

	// Suspend from the simulator's control page: the admin page greys out
	// and refuses actions; nothing is deleted.
	setBotSuspended(t, b, m.SimulatorURL, "suspend")
	waitForBotPage(t, b, botPage, `document.getElementById("oa-unavailable") !== null`)
	if n := get(t, b, chromedp.Evaluate[int](`document.querySelectorAll("#acquire-form, #corporate-options, #detach-link").length`)); n != 0 {
		t.Fatal("a suspended account's page still offers actions")
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Fatalf("browser console errors: %v", errs)
	}
	b.allow("status of 503")
	status := get(t, b, chromedp.Evaluate[int](`fetch(location.pathname + "/detach", {method: "POST"}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if status != 503 {
		t.Fatalf("detaching a suspended account answered %d", status)
	}
	if !strings.Contains(textOf(t, b, "#bot-state"), "message:send") {
		t.Fatal("the suspended account's attachment lost its scopes")
	}

	// Resume, then detach after the confirmation.
	setBotSuspended(t, b, m.SimulatorURL, "resume")
	waitForBotPage(t, b, botPage, `document.getElementById("detach-link") !== null`)
	clickAndWait(t, b, "#detach-link", `document.getElementById("detach-confirm")?.textContent.includes("Sakura Cafe")`)
	clickAndWait(t, b, "#confirm-detach", `document.getElementById("detached-notice") !== null`)

	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("browser console errors: %v", errs)
	}
}

// setBotSuspended clicks Suspend or Resume for the demo account on the
// simulator's control page.
func setBotSuspended(t *testing.T, b *browser, simURL, action string) {
	t.Helper()
	b.do(t, chromedp.Navigate(simURL+"/sim/"))
	b.clickToNewPage(t, `form[action="/sim/bots/`+sakuraCafeBotID+`/`+action+`"] button`)
}

// waitForBotPage reloads the bot's page until ready holds: LINE's webhook
// reaches the portal a moment after the simulator's change.
func waitForBotPage(t *testing.T, b *browser, botPage, ready string) {
	t.Helper()
	for range 100 {
		b.do(t, chromedp.Navigate(botPage))
		if get(t, b, chromedp.Evaluate[bool](ready)) {
			return
		}
	}
	t.Fatalf("the bot page never showed %s", ready)
}

// simBotAction suspends or resumes Sakura Cafe through the simulator's
// control API, as LINE would, without the browser.
func simBotAction(t *testing.T, simURL, action string) {
	t.Helper()
	res, err := http.Post(simURL+"/sim/api/bots/"+sakuraCafeBotID+"/"+action, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		t.Fatalf("the simulator's %s answered %d", action, res.StatusCode)
	}
}
