package sdnotify

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"torn.cat/torn/internal/sdnotify/sdnotifytest"
)

func TestNotify(t *testing.T) {
	for _, name := range []string{"", "@torn-test-" + strconv.Itoa(os.Getpid())} {
		ch := sdnotifytest.Listen(t, name)
		if err := FromEnv().Notify("READY=1\nSTATUS=serving"); err != nil {
			t.Fatal(err)
		}
		if m := sdnotifytest.Receive(t, ch); m != "READY=1\nSTATUS=serving" {
			t.Errorf("socket %q: got %q", name, m)
		}
	}
	t.Setenv("NOTIFY_SOCKET", "")
	if n := FromEnv(); n != nil || n.Notify("READY=1") != nil {
		t.Error("without NOTIFY_SOCKET: want a nil Notifier that sends nothing")
	}
}

func TestWatchdogInterval(t *testing.T) {
	for _, c := range []struct {
		usec, pid string
		want      time.Duration
	}{
		{"", "", 0},
		{"30000000", "", 30 * time.Second},
		{"30000000", strconv.Itoa(os.Getpid()), 30 * time.Second},
		{"30000000", "1", 0}, // another process's
		{"soon", "", 0},
	} {
		t.Setenv("WATCHDOG_USEC", c.usec)
		t.Setenv("WATCHDOG_PID", c.pid)
		if got := WatchdogInterval(); got != c.want {
			t.Errorf("WATCHDOG_USEC=%q WATCHDOG_PID=%q: %v, want %v", c.usec, c.pid, got, c.want)
		}
	}
}

// TestWatchdog: pings at half the timeout while healthy, none while not,
// and each change reported once.
func TestWatchdog(t *testing.T) {
	ch := sdnotifytest.Listen(t, "")
	var sick atomic.Bool
	reports := make(chan error, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		FromEnv().Watchdog(ctx, 40*time.Millisecond, func() error {
			if sick.Load() {
				return errors.New("store broken")
			}
			return nil
		}, func(err error) { reports <- err })
	}()
	start := time.Now()
	for range 3 {
		if m := sdnotifytest.Receive(t, ch); m != "WATCHDOG=1" {
			t.Fatalf("got %q", m)
		}
	}
	if e := time.Since(start); e < 35*time.Millisecond {
		t.Errorf("3 pings in %v: want one every 20 ms", e)
	}
	sick.Store(true)
	time.Sleep(60 * time.Millisecond)
	for len(ch) > 0 { // pings sent before it fell ill
		<-ch
	}
	select {
	case m := <-ch:
		t.Errorf("pinged while unhealthy: %q", m)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	<-done
	if err := <-reports; err == nil || err.Error() != "store broken" || len(reports) != 0 {
		t.Errorf("reports: %v and %d more, want the one illness", err, len(reports))
	}
}
