package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lineportal/store"
)

// startPortalProcess runs the portal as a process of its own on addr and
// the database at dbPath (and the development key beside it).
func startPortalProcess(t *testing.T, addr, dbPath string) *process {
	t.Helper()
	return startProcess(t, "listening on ", map[string]string{"PORTAL_ADDR": addr, "PORTAL_DB": dbPath,
		"PORTAL_SIMULATOR_ADDR": "127.0.0.1:0", "PORTAL_LOG_LEVEL": "error"}, "serve")
}

// crash ends the process at once, as a crash or a power cut would: no
// shutdown, nothing flushed that was not already.
func crash(p *process) {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// A flash message lives in the browser, sealed, not in the portal: after
// a crash between the POST and the GET that follows it, the message is
// shown (once) exactly when the action committed, because the browser
// only has it when it got the 303, and the 303 is sent once the action is
// durable.
func TestFlashSurvivesACrashOnlyIfItsActionCommitted(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "portal.db")
	addr := freeAddr(t) // the portal takes the port, and takes it again after each crash
	portalURL := "http://" + addr

	portal := startPortalProcess(t, addr, dbPath)
	b := newBrowser(t)
	signInInBrowser(t, b, portalURL, demoDeveloperID, false)
	openChannel(t, b, portalURL, "Sakura Order")
	infoURL := get(t, b, chromedp.Evaluate[string](`location.href`)) + "/business-info"
	openInfo := func() {
		t.Helper()
		b.do(t, chromedp.Navigate(infoURL))
		b.waitUntil(t, `document.getElementById("draft-form") !== null`)
	}
	flashes := func() string {
		return get(t, b, chromedp.Evaluate[string](`document.getElementById("flash").textContent.trim()`))
	}
	draftName := func() string {
		return get(t, b, chromedp.Evaluate[string](`document.querySelector("#draft-form [name=company_name]").value`))
	}
	// post sends the draft form with the company name set, as the form
	// would, but without following the redirect: the test decides what
	// happens between the POST and the GET. It resolves to the response's
	// type ("opaqueredirect" for the 303) or "failed".
	post := func(name string) string {
		return `(() => {
			const f = document.getElementById("draft-form");
			const body = new URLSearchParams(new FormData(f));
			body.set("company_name", "` + name + `");
			return fetch(f.action, {method: "POST", body, redirect: "manual"}).then(r => r.type, () => "failed");
		})()`
	}

	// Committed: the browser has the 303 and its cookie; the portal
	// crashes before the browser follows it.
	openInfo()
	if got := get(t, b, chromedp.Evaluate[string](post("Committed Foods"), chromedp.EvalAwaitPromise)); got != "opaqueredirect" {
		t.Fatalf("the draft POST answered %q, want the 303", got)
	}
	crash(portal)
	portal = startPortalProcess(t, addr, dbPath)
	openInfo()
	if got := flashes(); !strings.Contains(got, "Draft saved") {
		t.Fatalf("after the crash, the page shows %q, want the committed action's message", got)
	}
	if got := draftName(); got != "Committed Foods" {
		t.Fatalf("draft company name %q after the crash", got)
	}
	openInfo()
	if got := flashes(); got != "" {
		t.Fatalf("the message was shown a second time: %q", got)
	}

	// Not committed: the portal is killed while the action waits for the
	// database (another process holds the write lock), before its commit.
	lock, err := sql.Open("sqlite3", store.WriterDSN(dbPath))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	conn, err := lock.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	get(t, b, chromedp.Evaluate[bool](`window.pendingPost = `+post("Lost Foods")+`, true`))
	time.Sleep(500 * time.Millisecond) // the POST reaches the portal and waits for the lock
	crash(portal)
	if _, err := conn.ExecContext(t.Context(), `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if got := get(t, b, chromedp.Evaluate[string](`window.pendingPost`, chromedp.EvalAwaitPromise)); got != "failed" {
		t.Fatalf("the POST to the crashed portal answered %q", got)
	}
	startPortalProcess(t, addr, dbPath)
	openInfo()
	if got := flashes(); got != "" {
		t.Fatalf("a message for an action that did not commit: %q", got)
	}
	if got := draftName(); got != "Committed Foods" {
		t.Fatalf("draft company name %q: the uncommitted action changed it", got)
	}
}
