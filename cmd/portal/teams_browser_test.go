package main

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lineportal/internal/demo"
)

// unread is the header's unread notification count on the page b shows.
func unread(t *testing.T, b *browser) int {
	t.Helper()
	n, err := strconv.Atoi(get(t, b, chromedp.Evaluate[string](`document.getElementById("notifications-link").dataset.unread`)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A team forms without anyone typing a LINE user ID: Aoi invites a new
// person as Member of Sakura Order, who signs in through the invitation
// and sees the channel; Ken learns of Aoi's link request on Home and
// approves it there; Aoi's unread count goes up, Ken's down.
func TestBrowser_InviteAndApproveFromHome(t *testing.T) {
	m := startPortal(t, nil)
	const newcomerID = "U5e1f0c0ffee0c0ffee0c0ffee0c0ffe0"
	res, err := http.PostForm(m.SimulatorURL+"/sim/users", url.Values{"name": {"Nao Mori"}, "id": {newcomerID}})
	if err != nil || res.StatusCode != http.StatusOK { // the control page, after its redirect
		t.Fatalf("creating a LINE user on the simulator: %v %v", res, err)
	}
	res.Body.Close()

	aoi := newBrowser(t)
	signInInBrowser(t, aoi, m.URL, demoDeveloperID, false)
	openChannel(t, aoi, m.URL, "Sakura Order")
	// Members tab, then its People and invitations page.
	aoi.click(t, "#tab-members")
	aoi.waitUntil(t, `document.querySelector(".people-link a") !== null`)
	clickAndWait(t, aoi, ".people-link a", `document.getElementById("invite-form") !== null`)
	aoi.do(t, chromedp.SendKeys(chromedp.ID("invite-note"), "Welcome to the Sakura team"))
	clickAndWait(t, aoi, "#create-invitation", `document.getElementById("invitation-url") !== null`)
	invitation := get(t, aoi, chromedp.Value(chromedp.ID("invitation-url")))
	if get(t, aoi, chromedp.Evaluate[int](`document.querySelectorAll("#issued-invitation svg.qr").length`)) != 1 {
		t.Fatal("the invitation URL has no QR code")
	}

	// Aoi also sends a link request to Sakura Foods, which Ken administers.
	openChannel(t, aoi, m.URL, "Sakura Order")
	sendLinkRequestInBrowser(t, aoi, demo.SakuraFoodsID)

	// The new person opens the URL: it says who invites them to what; they
	// sign in with LINE from there, accept, and land on the channel.
	nao := newBrowser(t)
	nao.do(t, chromedp.Navigate(invitation))
	nao.waitUntil(t, `document.getElementById("invitation-summary")?.textContent.includes("Sakura Order")`)
	nao.click(t, "#sign-in-to-answer")
	answerLINELogin(t, nao, newcomerID, false)
	nao.waitUntil(t, `document.getElementById("invitation-summary")?.textContent.includes("Sakura Order")`)
	clickAndWait(t, nao, "#accept-invitation", `document.getElementById("channel-name")?.textContent === "Sakura Order"`)

	// Ken: an unread notification and the request on Home; he approves it
	// there, on the approval screen with its precaution.
	ken := newBrowser(t)
	signInInBrowser(t, ken, m.URL, demoOrgAdminID, false)
	kenBefore := unread(t, ken)
	if kenBefore < 1 {
		t.Fatalf("Ken's unread count is %d after a link request to his organization", kenBefore)
	}
	ken.do(t, chromedp.Navigate(m.URL+"/"))
	ken.waitUntil(t, `document.getElementById("waiting") !== null`)
	ken.clickXPath(t, `//ul[@id="waiting-link-requests"]//li[contains(., "Sakura Order")]//a`)
	ken.waitUntil(t, `document.getElementById("approval-precaution") !== null`)
	aoi.do(t, chromedp.Navigate(m.URL+"/"))
	aoiBefore := unread(t, aoi)
	clickAndWait(t, ken, "#approve", `document.getElementById("review-status") !== null`)
	if status := get(t, ken, chromedp.Evaluate[string](`document.getElementById("review-status").dataset.status`)); status != "Verified" {
		t.Fatalf("Sakura Order review after approving from Home: %q", status)
	}
	// Approved, the request asks nothing of Ken any more: its notice no
	// longer counts as unread.
	if after := unread(t, ken); after != kenBefore-1 {
		t.Errorf("Ken's unread count went from %d to %d as he approved", kenBefore, after)
	}

	// Aoi is told: her count goes up, and Home says so. Opening the
	// approval's notice reads it and shows the channel.
	aoi.do(t, chromedp.Navigate(m.URL+"/"))
	aoiAfter := unread(t, aoi)
	if aoiAfter <= aoiBefore {
		t.Errorf("Aoi's unread count went from %d to %d after the approval", aoiBefore, aoiAfter)
	}
	if home := get(t, aoi, chromedp.Evaluate[string](`document.getElementById("waiting-unread")?.textContent ?? ""`)); !strings.Contains(home, strconv.Itoa(aoiAfter)) {
		t.Errorf("Aoi's Home on her unread notifications: %q", home)
	}
	aoi.do(t, chromedp.Navigate(m.URL+"/notifications"))
	clickAndWait(t, aoi, `li.notice-unread[data-kind="link_approved"] button.notice-open`, `document.getElementById("channel-name")?.textContent === "Sakura Order"`)
	if after := unread(t, aoi); after != aoiAfter-1 {
		t.Errorf("Aoi's unread count went from %d to %d as she opened a notice", aoiAfter, after)
	}
	ken.do(t, chromedp.Navigate(m.URL+"/notifications"))
	clickAndWait(t, ken, "#mark-all-read", `document.getElementById("notifications") !== null`)
	if after := unread(t, ken); after != 0 {
		t.Errorf("Ken's unread count after reading all: %d", after)
	}
}
