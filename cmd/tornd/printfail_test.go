package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/store"
)

// recorder is a printer connection that fails its writes while broken.
type recorder struct {
	mu     sync.Mutex
	broken bool
	writes int
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.broken {
		return 0, errors.New("write /dev/usb/lp0: no such device")
	}
	r.writes++
	return len(p), nil
}

func (r *recorder) Close() error { return nil }

// TestFailedPrintIsNotRetried: a ticket whose printing fails stays issued,
// the dispenser goes out of service, the connection is reopened, and the
// ticket is not printed again by itself.
func TestFailedPrintIsNotRetried(t *testing.T) {
	cfg, err := ParseConfig("t.toml", []byte(withPrinter("file", "/dev/null")))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "torn.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o, err := office.Open(cfg.Office, st, office.Options{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{broken: true}
	var opens int
	var mu sync.Mutex
	tp, err := newTicketPrinter(o, cfg.Printer, cfg.TrackingURL, func() (paper, error) {
		mu.Lock()
		opens++
		mu.Unlock()
		return paper{out: rec}, nil
	}, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tp.Run(ctx)
	printerIs := func(ready bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			var p dispenser.PrinterStatus
			o.View(func(d *dispenser.Dispenser, _ time.Time) { p = d.Printer() })
			if p.Ready == ready {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("printer never ready=%v: %+v", ready, p)
			}
		}
	}
	time.Sleep(50 * time.Millisecond) // connected
	evs, err := o.Do(dispenser.Issue{Service: "oac"})
	if err != nil {
		t.Fatal(err)
	}
	first := evs[len(evs)-1].Ticket
	printerIs(false)
	if _, err := o.Do(dispenser.Issue{Service: "oac"}); err == nil {
		t.Fatal("a ticket was issued for paper while the printer was failing")
	}
	rec.mu.Lock()
	rec.broken = false
	rec.mu.Unlock()
	printerIs(true) // reopened
	time.Sleep(300 * time.Millisecond)
	rec.mu.Lock()
	writes := rec.writes
	rec.mu.Unlock()
	if writes != 0 {
		t.Fatalf("%d writes after the printer came back: the failed ticket was retried", writes)
	}
	mu.Lock()
	if opens < 2 {
		t.Errorf("the connection was opened %d times, want it reopened after the failure", opens)
	}
	mu.Unlock()
	var tk dispenser.Ticket
	var ok bool
	o.View(func(d *dispenser.Dispenser, _ time.Time) { tk, ok = d.Ticket(first.ID) })
	if !ok || tk.State != dispenser.Waiting {
		t.Fatalf("the ticket whose print failed: %+v, want it waiting", tk)
	}
}
