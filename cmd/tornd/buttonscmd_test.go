package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// syncBuf is a bytes.Buffer safe for a command and a test to share.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestButtonsTest: `tornd buttons test` on fake pins prints a press and a
// long press of the oac button and a desk key, each with its pin, and
// lights each LED in turn.
func TestButtonsTest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tornd.toml")
	if err := os.WriteFile(path, []byte(panelOffice), 0o600); err != nil {
		t.Fatal(err)
	}
	hw := &fakeHW{}
	old := buttonsHW
	buttonsHW = func() (panelHW, error) { return hw, nil }
	defer func() { buttonsHW = old }()
	var stdout, stderr syncBuf
	done := make(chan int, 1)
	go func() {
		done <- cli(context.Background(), []string{"buttons", "test", "-config", path, "-for", "3500ms"}, &stdout, &stderr)
	}()
	press := func(pin string, hold time.Duration) {
		p := hw.pin(pin)
		p.EdgesChan <- gpio.Low
		time.Sleep(hold)
		p.EdgesChan <- gpio.High
	}
	time.Sleep(300 * time.Millisecond)
	press("GPIO17", 100*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	press("GPIO24", 100*time.Millisecond)
	time.Sleep(1100 * time.Millisecond) // beyond the repeat guard
	press("GPIO17", 1700*time.Millisecond)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"button 1 (oac) GPIO17: press\n",
		"desk taula1 next GPIO24: press\n",
		"button 1 (oac) GPIO17: long press\n",
		"status GPIO5: on\n",
		"led 1 (oac) GPIO27: on\n",
		"led 2 (padro) GPIO23: on\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "GPIO17: "); n != 2 {
		t.Errorf("%d lines for GPIO17, want 2:\n%s", n, out)
	}
	for _, led := range []string{"GPIO5", "GPIO27", "GPIO23"} {
		if l := hw.pin(led).Read(); l != gpio.Low {
			t.Errorf("%s left %v after the test, want off", led, l)
		}
	}
}
