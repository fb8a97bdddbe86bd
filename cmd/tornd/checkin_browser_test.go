package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"torn.cat/torn/idcard"
	"torn.cat/torn/internal/browser"
	"torn.cat/torn/web"
)

// TestKioskCheckIn runs the "I have an appointment" flow in a real
// Chromium on the kiosk's portrait screen: the keypad types a DNI with a
// wrong letter (refused, in words), then the right one (the ticket, with
// the appointment time); then a document put on the reader takes the
// kiosk to its ticket by itself, and a bad read asks for the document
// again. Every control is at least 20 mm tall.
func TestKioskCheckIn(t *testing.T) {
	slot := checkInSlot(t)
	c := startCheckInOffice(t, slot)
	ctx := browser.Start(t, 1080, 1920)
	step := func(actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser.Within(t, ctx, 20*time.Second), actions...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(browser.Within(t, ctx, 10*time.Second), chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	typeKeys := func(s string) {
		t.Helper()
		for _, r := range s {
			step(chromedp.Click(chromedp.CSS(`.keys button[aria-label="` + string(r) + `"]`)))
		}
	}

	step(chromedp.Navigate(c.base+"/kiosk"), chromedp.WaitVisible(chromedp.CSS("button.appointment")))
	step(chromedp.Click(chromedp.CSS("button.appointment")), chromedp.WaitVisible(chromedp.CSS(".keys")))
	if got := text("h1"); got != "Confirmeu la vostra cita" {
		t.Errorf("check-in screen says %q", got)
	}
	fits(t, ctx)
	typeKeys("12345678")
	browser.Screenshot(t, ctx, "kiosk-checkin-keypad")
	step(chromedp.Click(chromedp.CSS(`.entry button.del`)))
	step(chromedp.Click(chromedp.CSS(`.entry button.del`)))
	typeKeys("78A")
	step(chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS(".alert")))
	if got := text(".alert"); !strings.Contains(got, "La lletra no correspon al número") {
		t.Errorf("wrong letter: the kiosk says %q", got)
	}
	fits(t, ctx) // with the alert too
	typeKeys("12345678X")
	step(chromedp.Click(chromedp.CSS(`.entry button.del`)))
	typeKeys("Z")
	step(chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS(".number")))
	if got, want := text(".msg strong"), "Cita a les "+slot.Format("15:04"); got != want {
		t.Errorf("the ticket says %q, want %q", got, want)
	}
	first := text(".number")
	browser.Screenshot(t, ctx, "kiosk-checkin")

	// The reader: the kiosk follows by itself.
	step(chromedp.Navigate(c.base + "/kiosk"))
	step(chromedp.WaitVisible(chromedp.CSS("button.appointment")))
	time.Sleep(300 * time.Millisecond) // the page's event stream connects
	c.reader.In <- idcard.Scan{Lines: dniMRZ}
	step(chromedp.WaitVisible(chromedp.CSS(".number")))
	if got := text(".number"); got == first || !strings.HasPrefix(got, "C") {
		t.Errorf("after the DNI scan the kiosk shows %q, want a new appointment ticket", got)
	}
	c.reader.In <- idcard.Scan{Lines: dniMRZ[:2], Err: idcard.ErrIncomplete}
	step(chromedp.WaitVisible(chromedp.CSS(".alert")))
	if got := text(".alert"); !strings.Contains(got, "No hem pogut llegir el document") {
		t.Errorf("after a half read the kiosk says %q", got)
	}
	browser.Screenshot(t, ctx, "kiosk-checkin-unreadable")
}

// fits checks that every control on the kiosk's page, the keypad's keys
// too, is tall enough for any finger, and that all of it is on the 1920 px
// screen without scrolling.
func fits(t *testing.T, ctx context.Context) {
	t.Helper()
	sizes, err := chromedp.Run(browser.Within(t, ctx, 5*time.Second),
		chromedp.Evaluate[[][]float64](`[...document.querySelectorAll("button, a.button")].map(b => { const r = b.getBoundingClientRect(); return [r.height, r.bottom]; })`))
	if err != nil || len(sizes) < 38 {
		t.Fatalf("controls %v, %v; want the keypad's 36 keys and more", sizes, err)
	}
	for i, s := range sizes {
		if mm := s[0] * 136 / 1080; mm < web.MinButtonMM {
			t.Errorf("control %d is %.1f mm tall, want at least %d", i, mm, web.MinButtonMM)
		}
		if s[1] > 1920 {
			t.Errorf("control %d ends at %.0f px, below the 1920 px screen", i, s[1])
		}
	}
}
