package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lineportal/internal/demo"
)

// Demo users, as the simulator seeds them.
const (
	demoOrgAdminID = "U268d10111f82ef643093ebfb1ffafe88"
	demoOperatorID = "U02c4b0fb6ff98aac454b783528d936f8"
)

// textOf returns the trimmed text of the element the selector finds.
func textOf(t *testing.T, b *browser, css string) string {
	t.Helper()
	return strings.TrimSpace(get(t, b, chromedp.Text(chromedp.CSS(css))))
}

// clickAndWait clicks something that loads a page and waits until readyJS
// holds on that new page.
func clickAndWait(t *testing.T, b *browser, css, readyJS string) {
	t.Helper()
	b.clickToNewPage(t, css)
	b.waitUntil(t, readyJS)
}

// openChannel goes from the channel list to the channel's page, clicking
// the link with the channel's name.
func openChannel(t *testing.T, b *browser, portalURL, name string) {
	t.Helper()
	b.do(t, chromedp.Navigate(portalURL+"/channels"))
	b.clickXPath(t, `//table[@id="channel-list"]//a[normalize-space()="`+name+`"]`)
	b.waitUntil(t, `document.getElementById("channel-name")?.textContent === "`+name+`"`)
}

// sendLinkRequest sends a link request from the channel's page and returns
// the URL it shows.
func sendLinkRequestInBrowser(t *testing.T, b *browser, orgID string) string {
	t.Helper()
	b.do(t, chromedp.SendKeys(chromedp.ID("org_id"), orgID))
	// htmx submits this form and swaps the result in: no new page loads.
	b.click(t, `#send-link-request button[type=submit]`)
	b.waitUntil(t, `document.getElementById("link-request-url") !== null`)
	u := get(t, b, chromedp.Value(chromedp.ID("link-request-url")))
	// The copy button copies it, or (no clipboard permission) selects it and
	// says how to copy.
	b.click(t, `button[data-copy="#link-request-url"]`)
	// It says so in the page's language (its data attributes).
	b.waitUntil(t, `(b => [b.dataset.copied, b.dataset.copyHint].includes(b.textContent))(document.querySelector('button[data-copy="#link-request-url"]'))`)
	return u
}

// approveInBrowser opens a link request URL as the organization
// administrator, signing in on the way when needed, and approves it;
// onScreen, when not nil, checks the approval screen first.
func approveInBrowser(t *testing.T, b *browser, linkURL string, signIn bool, onScreen func()) string {
	t.Helper()
	b.do(t, chromedp.Navigate(linkURL))
	if signIn {
		answerLINELogin(t, b, demoOrgAdminID, false)
	}
	b.waitUntil(t, `document.getElementById("approval") !== null`)
	if onScreen != nil {
		onScreen()
	}
	clickAndWait(t, b, "#approve", `document.getElementById("review-status") !== null`)
	return get(t, b, chromedp.Evaluate[string](`document.getElementById("review-status").dataset.status`))
}

func TestBrowser_LinkLifecycle(t *testing.T) {
	m := startPortal(t, nil)
	dev := newBrowser(t)
	boss := newBrowser(t)
	signInInBrowser(t, dev, m.URL, demoDeveloperID, false)

	// The developer sends a link request and copies the URL; the
	// organization administrator, in another browser, opens it, signs in,
	// and approves. The business information matches: Verified.
	openChannel(t, dev, m.URL, "Sakura Order")
	// A malformed ID: the 422 re-render is swapped in by htmx (its
	// responseHandling is set for it), the input kept, no page load.
	get(t, dev, chromedp.Evaluate[bool](`window.leftByTest = true`))
	dev.allow("status of 422 (Unprocessable Entity) (" + m.URL + "/channels/")
	dev.do(t, chromedp.SendKeys(chromedp.ID("org_id"), "BM123"))
	dev.click(t, `#send-link-request button[type=submit]`)
	dev.waitUntil(t, `document.getElementById("org_id-error")?.textContent.includes("BM followed by 11 digits")`)
	if !get(t, dev, chromedp.Evaluate[bool](`window.leftByTest === true && document.getElementById("org_id").value === "BM123"`)) {
		t.Fatal("the refused form was not re-rendered in place with the input kept")
	}
	get(t, dev, chromedp.Evaluate[any](`document.getElementById("org_id").value = ""`))
	orderURL := sendLinkRequestInBrowser(t, dev, demo.SakuraFoodsID)
	if status := approveInBrowser(t, boss, orderURL, true, func() {
		if !strings.Contains(textOf(t, boss, "#approval-precaution"), "can't be removed") {
			t.Fatal("the approval screen does not warn that the link can't be removed")
		}
	}); status != "Verified" {
		t.Fatalf("Sakura Order review: %q", status)
	}
	openChannel(t, dev, m.URL, "Sakura Order")
	if got := textOf(t, dev, "#linked-org-id"); got != demo.SakuraFoodsID {
		t.Fatalf("the developer's channel page shows link %q", got)
	}

	// A mismatch: Rejected, with the guidance.
	openChannel(t, dev, m.URL, "Sakura Points")
	pointsURL := sendLinkRequestInBrowser(t, dev, demo.SakuraFoodsID)
	if status := approveInBrowser(t, boss, pointsURL, false, nil); status != "Rejected" {
		t.Fatalf("Sakura Points review: %q", status)
	}
	if !strings.Contains(textOf(t, boss, "#rejection-guidance"), "business information") {
		t.Fatal("no guidance on the Rejected review")
	}
	pointsDetails := get(t, boss, chromedp.Location())

	// The developer fixes the channel's draft and submits it for MINI App
	// re-review.
	b := dev
	// Tabs swap in place with htmx: no new page loads.
	b.click(t, "#tab-business-info")
	b.waitUntil(t, `document.getElementById("draft-form") !== null && location.pathname.endsWith("/business-info")`)
	get(t, b, chromedp.Evaluate[any](`document.getElementById("address").value = ""`))
	b.do(t, chromedp.SendKeys(chromedp.ID("address"), "1-2-3 Marunouchi, Chiyoda-ku, Tokyo"))
	clickAndWait(t, b, `#draft-form button[type=submit]`, `document.querySelector("#flash .alert-success") !== null`)
	clickAndWait(t, b, "#submit-review", `document.querySelector("#flash .alert-success") !== null`)

	// The operator approves the re-review, which publishes the draft.
	clickAndWait(t, b, `form[action="/logout"] button`, `document.getElementById("home") !== null`)
	signInInBrowser(t, b, m.URL, demoOperatorID, false)
	b.do(t, chromedp.Navigate(m.URL+"/operator"))
	b.waitUntil(t, `document.querySelectorAll("#mini-app-queue .queue-item").length === 1`)
	clickAndWait(t, b, `#mini-app-queue form[action$="/approve"] button`, `document.querySelector("#flash .alert-success") !== null`)

	// The organization administrator resubmits: Verified.
	boss.do(t, chromedp.Navigate(pointsDetails))
	clickAndWait(t, boss, "#resubmit", `document.querySelector("#flash .alert-success") !== null`)
	if status := get(t, boss, chromedp.Evaluate[string](`document.getElementById("review-status").dataset.status`)); status != "Verified" {
		t.Fatalf("after resubmission: %q", status)
	}

	// Then a transfer to the other organization Ken administers.
	boss.do(t, chromedp.SendKeys(chromedp.ID("dest_org_id"), demo.HanamiRetailID))
	clickAndWait(t, boss, `#transfer button[type=submit]`, `document.getElementById("transfer-consequence") !== null`)
	clickAndWait(t, boss, `#confirm-transfer`, `document.getElementById("org-id")?.textContent === "`+demo.HanamiRetailID+`"`)
	if !strings.Contains(textOf(t, boss, "#flash"), "Transferred to organization "+demo.HanamiRetailID) {
		t.Fatalf("after the transfer: %q", textOf(t, boss, "#flash"))
	}

	for name, br := range map[string]*browser{"developer": dev, "administrator": boss} {
		if errs := br.consoleErrors(); len(errs) > 0 {
			t.Errorf("%s's browser console errors: %v", name, errs)
		}
	}
}
