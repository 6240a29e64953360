package web

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"lineportal/internal/browsertest"
)

// step runs one browser action with a deadline.
func step[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}

// axeSerious runs axe-core (vendored in testdata/axe) on the page and
// returns its serious and critical violations, and content outside
// landmarks or table headers without a name (moderate, but found missing
// once), one line each.
const axeSerious = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
	.then(r => r.violations.filter(v => v.impact === "serious" || v.impact === "critical" || v.id === "region" || v.id === "empty-table-header")
		.map(v => v.impact + " " + v.id + ": " + v.help + " — " + v.nodes.length + " element(s): " +
			v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " + (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 160)).join(" | ")))`

// phoneProblems checks a page 390 px wide: nothing wider than the screen,
// every navigation link reachable (visible on screen, or behind a menu that
// opens without JavaScript: a <details> the check opens as a tap would),
// and no table cut off without a way to scroll it and a hint that says so.
const phoneProblems = `(() => {
	const out = [];
	document.querySelectorAll("details").forEach(d => { if (d.querySelector("nav a")) d.open = true; });
	const vw = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth > vw + 1) out.push("the page is " + document.documentElement.scrollWidth + " px wide");
	document.querySelectorAll("header nav a").forEach(a => {
		const r = a.getBoundingClientRect(), s = getComputedStyle(a);
		if (r.width === 0 || s.visibility === "hidden" || r.left < -1 || r.right > vw + 1) out.push("navigation link " + JSON.stringify(a.textContent.trim()) + " is off screen");
	});
	document.querySelectorAll("table").forEach(tb => {
		const box = tb.parentElement;
		if (tb.scrollWidth <= box.clientWidth + 1) return;
		const style = getComputedStyle(box);
		const scrolls = ["auto", "scroll"].includes(style.overflowX);
		// The hint: a marked one, or the box's edge shadows (app.css), a
		// background that scrolls with the content ("local").
		const shadows = style.backgroundImage.includes("gradient") && style.backgroundAttachment.split(",").some(a => a.trim() === "local");
		const hint = box.closest("[data-scroll-hint]") || box.previousElementSibling?.matches?.(".scroll-hint") || shadows;
		if (!scrolls || !hint) out.push("table " + (tb.id || tb.className || "?") + " is cut off without a scroll hint");
	});
	return out;
})()`

// Every page of the route catalogue, as its fixture's person sees it: no
// serious or critical axe-core violation, and usable 390 px wide.
func TestRouteCatalogue_AccessibleAndUsableOnAPhone(t *testing.T) {
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	axe, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	cat := routeCatalogue(t)
	base, _ := url.Parse(cat.URL)
	visitors := map[string]*visitor{}
	for _, c := range cat.Routes {
		if !c.Page() {
			continue
		}
		t.Run(c.Pattern, func(t *testing.T) {
			v, ok := visitors[c.As]
			if !ok {
				v = cat.visitor(t, c)
				visitors[c.As] = v
			}
			if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
				t.Fatal(err)
			}
			httpOnly := true
			for _, ck := range v.client.Jar.Cookies(base) {
				if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: ck.Name, Value: ck.Value, URL: cat.URL, HTTPOnly: &httpOnly}); err != nil {
					t.Fatal(err)
				}
			}
			for _, width := range []int64{1280, 390} {
				step(t, ctx, chromedp.EmulateViewport(width, 900))
				step(t, ctx, chromedp.Navigate(cat.URL+c.Path))
				if width == 1280 {
					step(t, ctx, chromedp.Evaluate[any](string(axe)))
					if found := step(t, ctx, chromedp.Evaluate[[]string](axeSerious, chromedp.EvalAwaitPromise)); len(found) > 0 {
						t.Errorf("axe-core on %s:\n  %s", c.Path, strings.Join(found, "\n  "))
					}
					continue
				}
				if found := step(t, ctx, chromedp.Evaluate[[]string](phoneProblems)); len(found) > 0 {
					t.Errorf("390 px wide, %s: %s", c.Path, strings.Join(found, "; "))
				}
			}
		})
	}
}
