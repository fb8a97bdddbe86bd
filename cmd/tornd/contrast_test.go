package main

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"torn.cat/torn/internal/browser"
)

// contrastJS lists, for every element that shows text on the page, its
// text colour and the colour of the nearest background behind it, once the
// animations are over.
const contrastJS = `(() => {
  document.getAnimations().forEach(a => a.finish());
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.offsetParent === null && getComputedStyle(el).position !== "fixed") continue;
    let bg = "rgba(0, 0, 0, 0)", e = el;
    while (e && (bg === "rgba(0, 0, 0, 0)" || bg === "transparent")) { bg = getComputedStyle(e).backgroundColor; e = e.parentElement; }
    out.push([el.tagName + "." + el.className + ": " + el.textContent.trim().slice(0, 20), getComputedStyle(el).color, bg]);
  }
  return out;
})()`

// luminance is WCAG's relative luminance of "rgb(r, g, b)".
func luminance(css string) (float64, error) {
	var r, g, b float64
	if _, err := fmt.Sscanf(css, "rgb(%f, %f, %f)", &r, &g, &b); err != nil {
		return 0, fmt.Errorf("colour %q: %v", css, err)
	}
	lin := func(c float64) float64 {
		c /= 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b), nil
}

// TestDisplayContrast: every text on the TV page has a contrast of at
// least 7:1 with what is behind it (WCAG AAA), readable from the back of
// the waiting room.
func TestDisplayContrast(t *testing.T) {
	_, base := startDaemonWith(t, filepath.Join(t.TempDir(), "torn.db"), alwaysOpen)
	call(base, "POST", "/api/tickets", `{"service":"oac"}`, nil)
	call(base, "POST", "/api/tickets", `{"service":"oac"}`, nil)
	call(base, "POST", "/api/desks/taula1/next", "", nil)
	ctx := browser.Start(t, 1920, 1080)
	if err := chromedp.Do(browser.Within(t, ctx, 20*time.Second), chromedp.Navigate(base+"/display"),
		chromedp.WaitVisible(chromedp.CSS("#recent, #waiting li"))); err != nil {
		t.Fatal(err)
	}
	call(base, "POST", "/api/desks/taula1/next", "", nil) // a call while the page is open: the flash
	time.Sleep(300 * time.Millisecond)
	texts, err := chromedp.Run(browser.Within(t, ctx, 10*time.Second), chromedp.Evaluate[[][]string](contrastJS))
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) < 8 {
		t.Fatalf("only %d texts on the TV page: %v", len(texts), texts)
	}
	worst := math.Inf(1)
	for _, x := range texts {
		fg, err1 := luminance(x[1])
		bg, err2 := luminance(x[2])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", x[0], err1, err2)
		}
		ratio := (math.Max(fg, bg) + 0.05) / (math.Min(fg, bg) + 0.05)
		worst = math.Min(worst, ratio)
		if ratio < 7 {
			t.Errorf("%s: %s on %s, contrast %.1f:1, want at least 7:1", x[0], x[1], x[2], ratio)
		}
	}
	t.Logf("%d texts, lowest contrast %.1f:1", len(texts), worst)
}
