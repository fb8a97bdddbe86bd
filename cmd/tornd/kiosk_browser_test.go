package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"torn.cat/torn/internal/browser"
	"torn.cat/torn/web"
)

// TestKioskIssuesAndShowsTheQR touches a service button on the kiosk in a
// real Chromium (a portrait 1080×1920 screen): the ticket is issued,
// printed, and shown on screen with a QR code that reads back as the
// ticket's tracking URL. The language switch changes the buttons.
func TestKioskIssuesAndShowsTheQR(t *testing.T) {
	_, base := startDaemonWith(t, filepath.Join(t.TempDir(), "torn.db"), withPrinter("virtual", ""))
	waitPrinter(t, base, true)
	ctx := browser.Start(t, 1080, 1920)
	step := func(actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser.Within(t, ctx, 20*time.Second), actions...); err != nil {
			t.Fatal(err)
		}
	}
	step(chromedp.Navigate(base+"/kiosk"), chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Atenció ciutadana"]`)))
	labels, err := chromedp.Run(browser.Within(t, ctx, 5*time.Second),
		chromedp.Evaluate[[]string](`[...document.querySelectorAll("button")].map(b => b.getAttribute("aria-label") || b.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		if strings.TrimSpace(l) == "" {
			t.Errorf("a kiosk button has no label: %v", labels)
		}
	}
	// At least 20 mm tall on the screen of the config (here the default,
	// a 10.1" portrait panel, 1080 px and 136 mm wide).
	heights, err := chromedp.Run(browser.Within(t, ctx, 5*time.Second),
		chromedp.Evaluate[[]float64](`[...document.querySelectorAll("button")].map(b => b.getBoundingClientRect().height)`))
	if err != nil || len(heights) == 0 {
		t.Fatalf("button heights %v, %v", heights, err)
	}
	for i, h := range heights {
		if mm := h * 136 / 1080; mm < web.MinButtonMM {
			t.Errorf("button %d (%s) is %.1f mm tall on the screen, want at least %d", i, labels[i], mm, web.MinButtonMM)
		}
	}
	browser.Screenshot(t, ctx, "kiosk")

	step(chromedp.Click(chromedp.CSS(`button[aria-label="Atenció ciutadana"]`)), chromedp.WaitVisible(chromedp.CSS(".number")))
	number, err := chromedp.Run(browser.Within(t, ctx, 5*time.Second), chromedp.Text(chromedp.CSS(".number")))
	if err != nil {
		t.Fatal(err)
	}
	_, ts := listTickets(t, base)
	if len(ts) != 1 || ts[0].Number != strings.TrimSpace(number) {
		t.Fatalf("kiosk shows %q; tickets %+v", number, ts)
	}
	var full apiTicket
	call(base, "GET", "/api/tickets/"+ts[0].ID, "", &full)
	// Wait for the QR image, then read it off the screen.
	step(chromedp.WaitVisible(chromedp.CSS("img.qr")))
	time.Sleep(200 * time.Millisecond)
	shot := browser.Screenshot(t, ctx, "kiosk-ticket")
	if got := decodeQRFile(t, shot); got != trackingURL+full.Token {
		t.Errorf("the kiosk's QR reads %q, want %q", got, trackingURL+full.Token)
	}

	step(chromedp.Navigate(base + "/kiosk?lang=es"))
	if h, err := chromedp.Run(browser.Within(t, ctx, 5*time.Second), chromedp.Text(chromedp.CSS("h1"))); err != nil || h != "Elija el servicio" {
		t.Errorf("the Spanish kiosk says %q (%v)", h, err)
	}
}

func decodeQRFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code on the screen: %v", err)
	}
	return res.GetText()
}
