// Package browsertest starts the headless Chromium that the portal's
// browser tests drive, the same way for every package that has them.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// New starts Debian's chromium with a fresh profile and returns a chromedp
// context for its first tab, closed when the test ends. Without a browser
// the test skips loudly on a developer machine and fails in CI (CI set).
func New(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is required for browser tests in CI (apt-get install chromium)")
		}
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING BROWSER TEST %s: chromium is not installed (apt-get install chromium) ***\n\n", t.Name())
		t.Skip("chromium is not installed")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// The machine has no network beyond loopback: stop Chromium calling
		// home, which would fail noisily and slowly.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	return ctx
}
