package printer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"torn.cat/torn/printer"
)

// fakePrinter answers queries from a status, or fails as told; a printer
// that does not answer takes the whole timeout, as a real one.
type fakePrinter struct {
	mu       sync.Mutex
	status   printer.Status
	err      error // returned instead of answering
	bad      bool  // answer garbage
	timeouts []time.Duration
}

func (f *fakePrinter) set(s printer.Status, err error, bad bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.err, f.bad = s, err, bad
}

func (f *fakePrinter) String() string { return "fake" }

func (f *fakePrinter) Query(req []byte, n int, timeout time.Duration) ([]byte, error) {
	f.mu.Lock()
	s, err, bad := f.status, f.err, f.bad
	f.timeouts = append(f.timeouts, timeout)
	f.mu.Unlock()
	switch {
	case errors.Is(err, printer.ErrNoAnswer):
		time.Sleep(timeout)
		return nil, err
	case err != nil:
		return nil, err
	case bad:
		return []byte{0xFF &^ 0x02}, nil
	}
	b, _ := printer.StatusByte(s, req[2])
	return []byte{b}, nil
}

// change is one call of OnChange, at a time since the start.
type change struct {
	at     time.Duration
	status printer.Status
	kind   string
}

func (c change) String() string { return fmt.Sprintf("%v %s %s", c.at, c.status, c.kind) }

// runMonitor runs m with f inside a synctest bubble for d, calling script
// on the way, and returns OnChange's calls and the log.
func runMonitor(t *testing.T, m printer.Monitor, d time.Duration, script func(f *fakePrinter)) ([]change, string) {
	t.Helper()
	var (
		changes []change
		log     bytes.Buffer
	)
	synctest.Test(t, func(t *testing.T) {
		f := &fakePrinter{status: printer.Status{Online: true}}
		start := time.Now()
		m.Querier = f
		m.Log = slog.New(slog.NewTextHandler(&log, nil))
		m.OnChange = func(s printer.Status, err error) {
			kind := "ok"
			switch {
			case errors.Is(err, printer.ErrNoAnswer):
				kind = "no answer"
			case errors.Is(err, printer.ErrBadAnswer):
				kind = "bad answer"
			case errors.Is(err, printer.ErrTimeout):
				kind = "timeout"
			case err != nil:
				kind = "other"
			}
			changes = append(changes, change{time.Since(start), s, kind})
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			m.Run(ctx)
		}()
		if script != nil {
			script(f)
		}
		time.Sleep(time.Until(start.Add(d)))
		cancel()
		<-done
	})
	return changes, log.String()
}

var (
	ready    = printer.Status{Online: true}
	paperOut = printer.Status{PaperOut: true}
)

func TestMonitorReportsEachChangeOnce(t *testing.T) {
	changes, log := runMonitor(t, printer.Monitor{}, 30*time.Second, func(f *fakePrinter) {
		time.Sleep(9 * time.Second)
		f.set(paperOut, nil, false)
		time.Sleep(10 * time.Second)
		f.set(ready, nil, false)
	})
	// Polls every 2 s from the start (the default), answered at once.
	want := []change{{0, ready, "ok"}, {10 * time.Second, paperOut, "ok"}, {20 * time.Second, ready, "ok"}}
	if fmt.Sprint(changes) != fmt.Sprint(want) {
		t.Errorf("changes\n%v\nwant\n%v", changes, want)
	}
	if n := strings.Count(log, `msg="printer status"`); n != 3 || !strings.Contains(log, `status="paper out"`) || !strings.Contains(log, "printer=fake") {
		t.Errorf("log:\n%s", log)
	}
}

func TestMonitorReportsErrorKinds(t *testing.T) {
	noAnswer := fmt.Errorf("query: %w", printer.ErrNoAnswer)
	stalled := fmt.Errorf("query: %w", printer.ErrTimeout)
	m := printer.Monitor{Interval: time.Second, Timeout: 100 * time.Millisecond}
	changes, _ := runMonitor(t, m, 60*time.Second, func(f *fakePrinter) {
		time.Sleep(5500 * time.Millisecond)
		f.set(ready, noAnswer, false)
		time.Sleep(10 * time.Second)
		f.set(ready, nil, true)
		time.Sleep(10 * time.Second)
		f.set(ready, stalled, false)
		time.Sleep(10 * time.Second)
		f.set(ready, io.ErrClosedPipe, false)
		time.Sleep(10 * time.Second)
		f.set(ready, errors.New("another error of no kind of ours"), false)
		time.Sleep(5 * time.Second)
		f.set(paperOut, nil, false)
	})
	var got []string
	for _, c := range changes {
		got = append(got, c.status.String()+" "+c.kind)
	}
	want := []string{"ready ok", "offline no answer", "offline bad answer", "offline timeout", "offline other", "paper out ok"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("changes\n%v\nwant\n%v", got, want)
	}
}

func TestMonitorRateLimitsErrorLogs(t *testing.T) {
	noAnswer := fmt.Errorf("query: %w", printer.ErrNoAnswer)
	changes, log := runMonitor(t, printer.Monitor{}, 10*time.Minute+time.Second, func(f *fakePrinter) {
		f.set(ready, noAnswer, false)
	})
	if len(changes) != 1 || changes[0].kind != "no answer" {
		t.Errorf("changes %v", changes)
	}
	// A poll every 2.5 s (0.5 s waiting for the answer, 2 s pause):
	// logged at 0.5 s, then at 60.5 s with the 23 in between, and so on.
	lines := strings.Count(log, "printer status unknown")
	if lines != 11 || strings.Count(log, "not_logged=23") != 10 {
		t.Errorf("%d error lines:\n%s", lines, log)
	}
}

func TestMonitorRateLimitsFlappingPrinter(t *testing.T) {
	noAnswer := fmt.Errorf("query: %w", printer.ErrNoAnswer)
	changes, log := runMonitor(t, printer.Monitor{}, 5*time.Minute, func(f *fakePrinter) {
		for range 100 {
			f.set(ready, noAnswer, false)
			time.Sleep(2 * time.Second)
			f.set(ready, nil, false)
			time.Sleep(time.Second)
		}
	})
	// The polls catch it failing and answering by turns: every change is
	// reported, and only changes.
	if len(changes) < 40 {
		t.Errorf("only %d changes reported", len(changes))
	}
	for i := 1; i < len(changes); i++ {
		if changes[i].kind == changes[i-1].kind {
			t.Errorf("change %d repeats %v", i, changes[i])
		}
	}
	if n := strings.Count(log, "printer status unknown"); n > 6 {
		t.Errorf("%d error lines in 5 minutes:\n%s", n, log)
	}
	if n := strings.Count(log, `msg="printer status"`); n != 1 {
		t.Errorf("%d status lines for one status:\n%s", n, log)
	}
}

func TestMonitorDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakePrinter{status: ready}
		m := printer.Monitor{Querier: f, Log: slog.New(slog.DiscardHandler)}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		m.Run(ctx) // returns when ctx is done
		// Polls at 0, 2 and 4 s, three queries each, 500 ms timeouts.
		if len(f.timeouts) != 9 {
			t.Errorf("%d queries in 5 s", len(f.timeouts))
		}
		for _, d := range f.timeouts {
			if d != 500*time.Millisecond {
				t.Errorf("query timeout %v", d)
			}
		}
	})
}
