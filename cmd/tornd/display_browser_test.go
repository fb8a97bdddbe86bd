package main

import (
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"torn.cat/torn/internal/browser"
)

// TestDisplayShowsTheCall opens the waiting-room TV page in a real
// Chromium at 1920×1080, has a desk call next through the API, and
// measures in the browser how long until the page shows the call. The
// figures (DESIGN's budget: p95 under 250 ms) are logged for
// docs/performance.md; the test checks the behaviour, not the time.
func TestDisplayShowsTheCall(t *testing.T) {
	calls := 20
	if testing.Short() {
		calls = 5
	}
	_, base := startDaemonWith(t, filepath.Join(t.TempDir(), "torn.db"), alwaysOpen)
	for range calls {
		if st, _ := call(base, "POST", "/api/tickets", `{"service":"oac"}`, nil); st != 201 {
			t.Fatalf("issue: %d", st)
		}
	}
	ctx := browser.Start(t, 1920, 1080)
	if err := chromedp.Do(browser.Within(t, ctx, 20*time.Second),
		chromedp.Navigate(base+"/display"),
		chromedp.WaitVisible(chromedp.CSS("#waiting li"))); err != nil {
		t.Fatalf("open the display: %v", err)
	}
	var lat []time.Duration
	for i := range calls {
		var called struct {
			Events []struct {
				Ticket *apiTicket `json:"ticket"`
			} `json:"events"`
		}
		t0 := time.Now()
		if st, err := call(base, "POST", "/api/desks/taula1/next", `{"clerk":"anna"}`, &called); st != 200 || err != nil {
			t.Fatalf("call %d: %d %v", i, st, err)
		}
		number := called.Events[len(called.Events)-1].Ticket.Number
		var shownAt int64
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(2 * time.Millisecond) {
			v, err := chromedp.Run(browser.Within(t, ctx, 5*time.Second),
				chromedp.Evaluate[int64](fmt.Sprintf("window.tornShown[%q] || 0", number)))
			if err != nil {
				t.Fatal(err)
			}
			if v > 0 {
				shownAt = v
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the display never showed %s", number)
			}
		}
		lat = append(lat, time.UnixMilli(shownAt).Sub(t0))
	}
	text, err := chromedp.Run(browser.Within(t, ctx, 5*time.Second), chromedp.Text(chromedp.CSS("#now")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Taula 1") {
		t.Errorf("the latest call reads %q", text)
	}
	browser.Screenshot(t, ctx, "display")

	// Each call is announced, in turn: the chime, then the call spoken by
	// espeak-ng, which tornd serves as a WAV; none cuts off another.
	announced, err := chromedp.Run(browser.Within(t, ctx, 5*time.Second), chromedp.Evaluate[[]string]("window.tornAnnounced"))
	if err != nil || len(announced) != calls {
		t.Fatalf("announced %v (%v), want %d calls", announced, err, calls)
	}
	var spoken, voices []string
	for deadline := time.Now().Add(10 * time.Second); len(voices) == 0; time.Sleep(50 * time.Millisecond) {
		if spoken, err = chromedp.Run(browser.Within(t, ctx, 5*time.Second), chromedp.Evaluate[[]string]("window.tornSpoken")); err != nil {
			t.Fatal(err)
		}
		for _, s := range spoken {
			if strings.HasPrefix(s, "/display/voice/") {
				voices = append(voices, s)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no spoken call played: %v", spoken)
		}
	}
	if spoken[0] != "/display/chime.wav" {
		t.Errorf("played %v, want the chime first", spoken)
	}
	resp, err := client.Get(base + voices[0])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "audio/wav" || resp.ContentLength < 20000 {
		t.Fatalf("%s: %d %s, %d bytes", voices[0], resp.StatusCode, resp.Header.Get("Content-Type"), resp.ContentLength)
	}
	slices.Sort(lat)
	p95 := lat[(len(lat)*95+99)/100-1]
	t.Logf("call next → TV shows it, %d calls: p50 %v, p95 %v, max %v (budget p95 250 ms)",
		len(lat), lat[len(lat)/2], p95, lat[len(lat)-1])
}

// TestDisplayReconnects: the TV page says it is reconnecting when tornd
// stops, and shows the next call by itself once tornd is back.
func TestDisplayReconnects(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg, db := writeConfig(t, alwaysOpen), filepath.Join(t.TempDir(), "torn.db")
	p := startTorndOn(t, tornBinary(t), cfg, db, addr)
	call(p.base, "POST", "/api/tickets", `{"service":"oac"}`, nil)
	call(p.base, "POST", "/api/desks/taula1/next", "", nil)

	ctx := browser.Start(t, 1920, 1080)
	if err := chromedp.Do(browser.Within(t, ctx, 20*time.Second),
		chromedp.Navigate(p.base+"/display"), chromedp.WaitVisible(chromedp.CSS("#waiting li"))); err != nil {
		t.Fatal(err)
	}
	waitText := func(sel, want string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			got, err := chromedp.Run(browser.Within(t, ctx, 5*time.Second), chromedp.TextContent(chromedp.CSS(sel)))
			if err == nil && strings.Contains(got, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never read %q (last %q, %v)", sel, want, got, err)
			}
		}
	}
	waitText("#now", "A001")

	stop := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
	t.Logf("tornd stopped in %v", time.Since(stop))
	waitText("#status", "Reconnectant")

	p2 := startTorndOn(t, tornBinary(t), cfg, db, addr)
	call(p2.base, "POST", "/api/tickets", `{"service":"oac"}`, nil)
	call(p2.base, "POST", "/api/desks/taula1/next", "", nil)
	waitText("#now", "A002")
	browser.Screenshot(t, ctx, "display-after-restart")
}
