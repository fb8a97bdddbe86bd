// Package browser starts Debian's headless Chromium for the page tests and
// drives it with chromedp. `make test` installs Chromium (make browser);
// a test that cannot find it fails when CI=true, and skips on a laptop
// without it.
package browser

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Path is where Chromium is looked for: $CHROMIUM, else /usr/bin/chromium
// (Debian's package), else chromium on the PATH.
func Path() (string, bool) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, true
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", true
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, true
	}
	return "", false
}

// Start starts a headless Chromium with a window of width × height CSS
// pixels and returns a chromedp context for one tab; the browser stops at
// the end of the test.
func Start(t testing.TB, width, height int) context.Context {
	t.Helper()
	path, ok := Path()
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatal("browser: no Chromium (run `make browser`, or set CHROMIUM): the page tests must run in CI")
		}
		t.Skip("browser: no Chromium here; `make browser` installs Debian's")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "chromium")),
		chromedp.WindowSize(width, height),
		// The machine's network is closed: no background traffic.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-sync", true),
		// The TV plays its chime and spoken calls without a click.
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("browser: start %s: %v", path, err)
	}
	return ctx
}

// Within returns a context for one step of a test, bounded by d.
func Within(t testing.TB, ctx context.Context, d time.Duration) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	t.Cleanup(cancel)
	return c
}

// Screenshot saves a PNG of the page as a test artifact: under
// $TORN_ARTIFACTS (default the system's temp dir)/screenshots/name.png.
// It returns the file's path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := os.Getenv("TORN_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
	return p
}
