package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"torn.cat/torn/internal/browser"
)

// TestTicketPageInChromium opens the citizen's ticket page in a real
// headless Chromium at a phone's size: it shows the people ahead while
// waiting and "go to Taula 1 now" once called. Screenshots are written as
// test artifacts.
func TestTicketPageInChromium(t *testing.T) {
	_, base := startDaemonWith(t, filepath.Join(t.TempDir(), "torn.db"), withPrinter("virtual", ""))
	waitPrinter(t, base, true)
	var first, mine apiTicket
	call(base, "POST", "/api/tickets", `{"service":"oac"}`, &first)
	if st, err := call(base, "POST", "/api/tickets", `{"service":"oac"}`, &mine); st != 201 || err != nil {
		t.Fatalf("issue: %d %v", st, err)
	}
	ctx := browser.Start(t, 360, 740)

	text := func(url string) string {
		t.Helper()
		if err := chromedp.Do(browser.Within(t, ctx, 20*time.Second), chromedp.Navigate(url)); err != nil {
			t.Fatalf("open %s: %v", url, err)
		}
		body, err := chromedp.Run(browser.Within(t, ctx, 10*time.Second), chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatalf("read %s: %v", url, err)
		}
		return body
	}
	page := base + "/t/" + mine.Token
	if got := text(page); !strings.Contains(got, mine.Number) || !strings.Contains(got, "1 persona davant") {
		t.Fatalf("waiting ticket page says:\n%s", got)
	}
	browser.Screenshot(t, ctx, "ticket-waiting")

	call(base, "POST", "/api/desks/taula1/next", "", nil)
	call(base, "POST", "/api/desks/taula1/next", "", nil)
	if got := text(page); !strings.Contains(got, "Aneu a Taula 1 ara") {
		t.Fatalf("called ticket page says:\n%s", got)
	}
	browser.Screenshot(t, ctx, "ticket-called")

	if got := text(page + "?lang=en"); !strings.Contains(got, "Go to Taula 1 now") {
		t.Fatalf("the English page says:\n%s", got)
	}
}
