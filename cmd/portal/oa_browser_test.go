package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lineportal/internal/demo"
)

const demoBothID = "U7809b533d69340ec513b782392e3d220"

// clickText clicks the element matching the XPath built from tag and its
// exact visible text.
func clickText(t *testing.T, b *browser, tag, text string) {
	t.Helper()
	b.clickXPath(t, `//`+tag+`[normalize-space()="`+text+`"]`)
}

func TestBrowser_OfficialAccountLinking(t *testing.T) {
	m := startPortal(t, nil)
	boss := newBrowser(t)
	signInInBrowser(t, boss, m.URL, demoOrgAdminID, false)

	// Organization → "LINE official account linking".
	boss.do(t, chromedp.Navigate(m.URL+"/organizations"))
	clickText(t, boss, "a", "Momiji Foods")
	boss.waitUntil(t, `document.getElementById("org-id")?.textContent === "`+demo.MomijiFoodsID+`"`)
	boss.click(t, "#tab-oa-linking") // swapped in place by htmx
	boss.waitUntil(t, `document.getElementById("oa-linking") !== null && document.getElementById("tab-oa-linking").getAttribute("aria-current") === "page"`)
	if why := textOf(t, boss, `.oa-choice[data-basic-id="@momijibakery"] .reason`); !strings.Contains(why, "Rejected") {
		t.Fatalf("the Rejected account says %q", why)
	}

	// Pick the account, then "Select target for linking".
	clickText(t, boss, "a", "Momiji Cafe")
	boss.waitUntil(t, `document.getElementById("select-target") !== null`)
	clickAndWait(t, boss, "#select-target", `document.getElementById("link-targets") !== null`)

	// An ineligible channel can't be selected and says why.
	points := `tr.link-target[data-name="Momiji Points"]`
	if n := get(t, boss, chromedp.Evaluate[int](`document.querySelectorAll('`+points+` a').length`)); n != 0 {
		t.Fatal("an already-linked channel has a Select button")
	}
	if why := textOf(t, boss, points+" .reason"); !strings.Contains(why, "@momijidelivery") {
		t.Fatalf("Momiji Points says %q", why)
	}

	// Select → confirmation with the precaution → Link.
	clickAndWait(t, boss, `tr.link-target[data-name="Momiji Cafe Order"] a`, `document.getElementById("oa-link-confirm") !== null`)
	if !strings.Contains(textOf(t, boss, "#oa-link-precaution"), "can't be removed") {
		t.Fatal("no precaution before linking")
	}
	clickAndWait(t, boss, "#confirm-oa-link", `document.getElementById("oa-linked-channels") !== null`)
	if !strings.Contains(textOf(t, boss, "#oa-linked-channels"), "Momiji Cafe Order") {
		t.Fatal("the account's page does not list the channel")
	}

	// The channel's page shows the account; a developer who also
	// administers the organization reaches the same screen from it.
	both := newBrowser(t)
	signInInBrowser(t, both, m.URL, demoBothID, false)
	openChannel(t, both, m.URL, "Momiji Cafe Order")
	if got := get(t, both, chromedp.Evaluate[string](`document.getElementById("linked-oa")?.dataset.basicId ?? ""`)); got != "@momijicafe" {
		t.Fatalf("the channel page shows Linked OA %q", got)
	}
	openChannel(t, both, m.URL, "Momiji Reservations")
	clickAndWait(t, both, "#open-oa-linking", `document.getElementById("oa-linking") !== null`)
	if n := get(t, both, chromedp.Evaluate[int](`document.querySelectorAll(".oa-choice").length`)); n != 3 {
		t.Fatalf("the shortcut's screen lists %d accounts", n)
	}

	for name, br := range map[string]*browser{"administrator": boss, "developer-and-administrator": both} {
		if errs := br.consoleErrors(); len(errs) > 0 {
			t.Errorf("%s's browser console errors: %v", name, errs)
		}
	}
}
