package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"torn.cat/torn/internal/browser"
)

// demoHash is the bcrypt hash of "demo".
const demoHash = "$2a$10$Nh9X/JCYjzVayFJNinwz6eKm7GCAbCPB9SS3DOZSQY3Ei3CIqk8Zi"

// TestClerkCallsNextAndTheTVShowsIt: in a real Chromium, a clerk is
// refused with a wrong password, logs in, chooses Taula 1 and presses N;
// the desk page shows the ticket and the TV, open in another tab, shows
// the call.
func TestClerkCallsNextAndTheTVShowsIt(t *testing.T) {
	conf := alwaysOpen + "\n[[clerk]]\nname = \"anna\"\npassword_hash = \"" + demoHash + "\"\n"
	_, base := startDaemonWith(t, filepath.Join(t.TempDir(), "torn.db"), conf)
	var tk apiTicket
	call(base, "POST", "/api/tickets", `{"service":"padro"}`, &tk)
	if st, _ := call(base, "POST", "/api/desks/taula1/next", "", nil); st != 401 {
		t.Fatalf("desk action without a clerk: %d, want 401", st)
	}

	ctx := browser.Start(t, 1280, 800)
	tv, cancelTV := chromedp.NewContext(ctx)
	defer cancelTV()
	do := func(c context.Context, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser.Within(t, c, 20*time.Second), actions...); err != nil {
			t.Fatal(err)
		}
	}
	do(tv, chromedp.Navigate(base+"/display"), chromedp.WaitVisible(chromedp.CSS("#waiting li")))

	do(ctx, chromedp.Navigate(base+"/desk"), chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "anna"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "wrong"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(".error")))
	if msg, _ := chromedp.Run(browser.Within(t, ctx, 5*time.Second), chromedp.Text(chromedp.CSS(".error"))); !strings.Contains(msg, "incorrectes") {
		t.Errorf("wrong password says %q", msg)
	}
	do(ctx, chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "anna"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "demo"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/desk?desk=taula1"]`)),
		chromedp.Click(chromedp.CSS(`a[href^="/desk?desk=taula1"]`)),
		chromedp.WaitVisible(chromedp.CSS("button.next")),
		chromedp.KeyEvent("n"))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		cur, _ := chromedp.Run(browser.Within(t, ctx, 5*time.Second), chromedp.Text(chromedp.CSS("#current")))
		now, _ := chromedp.Run(browser.Within(t, tv, 5*time.Second), chromedp.Text(chromedp.CSS("#now")))
		if cur == tk.Number && strings.Contains(now, tk.Number) && strings.Contains(now, "Taula 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after N: desk shows %q, TV shows %q; want %s at Taula 1", cur, now, tk.Number)
		}
	}
	browser.Screenshot(t, ctx, "desk")
	unlabelled, err := chromedp.Run(browser.Within(t, ctx, 5*time.Second),
		chromedp.Evaluate[int](`[...document.querySelectorAll("button, select, input")].filter(e => !(e.getAttribute("aria-label") || e.labels?.length || e.textContent.trim())).length`))
	if err != nil || unlabelled != 0 {
		t.Errorf("%d controls on the desk page have no label (%v)", unlabelled, err)
	}
	var got apiTicket
	call(base, "GET", "/api/tickets/"+tk.ID, "", &got)
	if got.State != "called" || got.Desk != "taula1" {
		t.Fatalf("ticket after N: %+v", got)
	}
}
