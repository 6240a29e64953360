package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lineportal/internal/browsertest"
)

// browser is a headless Chromium driven by chromedp, collecting everything
// the pages report as errors (console errors, uncaught exceptions, CSP
// violations and failed loads from the browser log).
type browser struct {
	ctx     context.Context
	mu      sync.Mutex
	errors  []string
	allowed []string
}

// newBrowser starts the browser tests' chromium (browsertest.New) and
// collects what its pages report as errors.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	ctx := browsertest.New(t)

	b := &browser{ctx: ctx}
	// Subscribe before the first page loads, so no message is missed.
	messages := chromedp.Console(ctx)
	// The first Do starts the browser and ties its life to ctx, which has
	// no deadline; each step gets its own deadline in do and get.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// consoleErrors returns what the pages reported as errors so far, less
// those a test provoked on purpose (see allow).
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []string
	for _, e := range b.errors {
		if !slices.ContainsFunc(b.allowed, func(a string) bool { return strings.Contains(e, a) }) {
			errs = append(errs, e)
		}
	}
	return errs
}

// allow expects page errors containing text: a request a test sends to be
// refused shows in the console too ("Failed to load resource: … 422").
func (b *browser) allow(text string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.allowed = append(b.allowed, text)
}

// stepTimeout bounds each browser step, so a wrong selector fails the test
// with a message instead of hanging until the test binary's deadline.
const stepTimeout = 15 * time.Second

// do runs steps that return nothing, one call each: a step that navigates
// to another origin ends the session a batched next step would run in.
func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, step := range steps {
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		err := chromedp.Do(ctx, step)
		cancel()
		if err != nil {
			t.Fatalf("browser step %d of %d: %v (page errors: %.600v)", i+1, len(steps), err, b.consoleErrors())
		}
	}
}

// waitUntil waits until the JavaScript expression is true in the current
// page. Unlike chromedp.Poll it rides out navigations: while a redirect
// chain replaces the document, evaluating fails and is simply tried again.
func (b *browser) waitUntil(t *testing.T, expr string) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	var lastErr error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(25 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(b.ctx, time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " (" + document.title + ")"`))
	t.Fatalf("browser: waited %v at %s for %s (last error: %v; page errors: %.600v)", stepTimeout, where, expr, lastErr, b.consoleErrors())
}

// click clicks the element the CSS selector finds, once it is there. The
// click runs inside the page in one step: chromedp's own Click resolves a
// node and then acts on it, and a page that changes in between (a redirect
// landing, a slow machine) makes that fail.
func (b *browser) click(t *testing.T, css string) {
	t.Helper()
	b.clickFound(t, `document.querySelector(`+strconv.Quote(css)+`)`)
}

// clickXPath is click for an XPath expression, to find an element by its
// text.
func (b *browser) clickXPath(t *testing.T, xpath string) {
	t.Helper()
	b.clickFound(t, `document.evaluate(`+strconv.Quote(xpath)+`, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue`)
}

// clickToNewPage clicks something that loads a new page and waits until
// that page has loaded: a mark left on the old page is gone, so a wait
// can't be satisfied by the page the click left.
func (b *browser) clickToNewPage(t *testing.T, css string) {
	t.Helper()
	get(t, b, chromedp.Evaluate[bool](`window.leftByTest = true`))
	b.click(t, css)
	b.waitUntil(t, `window.leftByTest === undefined && document.readyState === "complete"`)
}

func (b *browser) clickFound(t *testing.T, findJS string) {
	t.Helper()
	b.waitUntil(t, `(`+findJS+`) !== null`)
	get(t, b, chromedp.Evaluate[bool](`(() => { const el = `+findJS+`; el.click(); return true })()`))
}

// get runs one step and returns its value.
func get[T any](t *testing.T, b *browser, step chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, step)
	if err != nil {
		t.Fatalf("browser: %v (page errors: %.600v)", err, b.consoleErrors())
	}
	return v
}

func TestBrowser_HomePageLoadsHtmxFromOwnOrigin(t *testing.T) {
	m := startPortal(t, nil)
	b := newBrowser(t)

	b.do(t,
		chromedp.Navigate(m.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("home")),
	)
	// htmx is loaded with defer: wait until it has run.
	get(t, b, chromedp.Poll[bool](`typeof htmx !== "undefined"`, chromedp.WithPollingTimeout(10*time.Second)))
	title := get(t, b, chromedp.Title())
	htmxVersion := get(t, b, chromedp.Evaluate[string](`htmx.version`))
	htmxFromOrigin := get(t, b, chromedp.Evaluate[bool](`[...document.scripts].some(s => s.src.startsWith(location.origin + "/static/") && s.src.endsWith("/htmx.min.js"))`))
	foreign := get(t, b, chromedp.Evaluate[[]string](`performance.getEntriesByType("resource").map(e => e.name).filter(n => !n.startsWith(location.origin))`))
	if title != "Home · LINE Partner Portal" {
		t.Errorf("title %q", title)
	}
	if !strings.HasPrefix(htmxVersion, "2.0.") {
		t.Errorf("htmx version %q, want 2.0.x", htmxVersion)
	}
	if !htmxFromOrigin {
		t.Error("htmx was not loaded from the portal's own origin")
	}
	if len(foreign) > 0 {
		t.Errorf("the page loaded resources from other origins: %v", foreign)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("browser console errors: %v", errs)
	}
}

// The "no console errors" checks are only worth something if the harness
// sees errors: an inline script the CSP blocks, and a console.error call.
func TestBrowser_HarnessSeesPageErrors(t *testing.T) {
	m := startPortal(t, nil)
	b := newBrowser(t)
	b.do(t, chromedp.Navigate(m.URL+"/"), chromedp.WaitVisible(chromedp.ID("home")))
	get(t, b, chromedp.Evaluate[any](`(() => {
		const s = document.createElement("script");
		s.textContent = "window.injected = true";
		document.body.append(s);
		console.error("harness-probe");
	})()`))
	deadline := time.Now().Add(5 * time.Second)
	var errs []string
	for time.Now().Before(deadline) {
		errs = b.consoleErrors()
		if len(errs) >= 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	joined := strings.Join(errs, "\n")
	if !strings.Contains(joined, "harness-probe") || !strings.Contains(joined, "Content Security Policy") {
		t.Fatalf("harness missed page errors; saw: %q", errs)
	}
	if get(t, b, chromedp.Evaluate[bool](`window.injected === true`)) {
		t.Fatal("an injected inline script ran despite the CSP")
	}
}
