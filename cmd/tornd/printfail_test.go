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
// newTestPrinter is an office with a ticket printer whose connection
// open makes.
func newTestPrinter(t *testing.T, open func() (paper, error)) (*office.Office, *ticketPrinter) {
	t.Helper()
	cfg, err := ParseConfig("t.toml", []byte(withPrinter("file", "/dev/null")))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "torn.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o, err := office.Open(cfg.Office, st, office.Options{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	tp, err := newTicketPrinter(o, cfg.Printer, cfg.TrackingURL, open, log)
	if err != nil {
		t.Fatal(err)
	}
	return o, tp
}

func waitPrinterState(t *testing.T, o *office.Office, ready bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
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

// startPrinter runs tp until the end of the test and waits until the
// office takes its printer to be ready.
func startPrinter(t *testing.T, o *office.Office, tp *ticketPrinter) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go tp.Run(ctx)
	waitPrinterState(t, o, true)
}

// TestNoPaperPromisedBeforeConnected: until the printer is connected, the
// dispenser refuses tickets for paper instead of issuing tickets nobody
// prints.
func TestNoPaperPromisedBeforeConnected(t *testing.T) {
	rec := &recorder{}
	o, tp := newTestPrinter(t, func() (paper, error) {
		time.Sleep(300 * time.Millisecond) // a printer slow to answer
		return paper{out: rec}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tp.Run(ctx)
	if _, err := o.Do(dispenser.Issue{Service: "oac"}); err == nil {
		t.Fatal("a ticket for paper was issued before the printer was connected")
	}
	waitPrinterState(t, o, true)
	if _, err := o.Do(dispenser.Issue{Service: "oac"}); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownPrintsCommittedTickets: tickets committed just before the
// printer is told to stop are still printed.
func TestShutdownPrintsCommittedTickets(t *testing.T) {
	for i := 0; i < 20; i++ {
		rec := &recorder{}
		o, tp := newTestPrinter(t, func() (paper, error) { return paper{out: rec}, nil })
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { tp.Run(ctx); close(done) }()
		waitPrinterState(t, o, true)
		if _, err := o.Do(dispenser.Issue{Service: "oac"}); err != nil {
			t.Fatal(err)
		}
		cancel()
		<-done
		rec.mu.Lock()
		n := rec.writes
		rec.mu.Unlock()
		if n != 1 {
			t.Fatalf("run %d: %d writes after a ticket committed before the stop, want 1", i, n)
		}
	}
}

// TestReprint: refused while the printer cannot print, an error when the
// write fails, one more ticket on paper when it works.
func TestReprint(t *testing.T) {
	rec := &recorder{}
	o, tp := newTestPrinter(t, func() (paper, error) { return paper{out: rec}, nil })
	startPrinter(t, o, tp)
	evs, err := o.Do(dispenser.Issue{Service: "oac"})
	if err != nil {
		t.Fatal(err)
	}
	id := evs[len(evs)-1].Ticket.ID
	if err := tp.Reprint("nope"); !errors.Is(err, dispenser.ErrUnknownTicket) {
		t.Errorf("reprint of an unknown ticket: %v", err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		rec.mu.Lock()
		n := rec.writes
		rec.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the ticket was not printed")
		}
	}
	if err := tp.Reprint(id); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	rec.broken = true
	rec.mu.Unlock()
	if err := tp.Reprint(id); err == nil {
		t.Error("a failed reprint reported success")
	}
	waitPrinterState(t, o, false)
	var ref *dispenser.Refusal
	if err := tp.Reprint(id); !errors.As(err, &ref) || ref.Reason != dispenser.RefusedOutOfService {
		t.Errorf("reprint while out of service: %v", err)
	}
	rec.mu.Lock()
	if rec.writes != 2 {
		t.Errorf("%d writes, want the ticket and one reprint", rec.writes)
	}
	rec.mu.Unlock()
}

func TestFailedPrintIsNotRetried(t *testing.T) {
	rec := &recorder{broken: true}
	var opens int
	var mu sync.Mutex
	o, tp := newTestPrinter(t, func() (paper, error) {
		mu.Lock()
		opens++
		mu.Unlock()
		return paper{out: rec}, nil
	})
	startPrinter(t, o, tp)
	evs, err := o.Do(dispenser.Issue{Service: "oac"})
	if err != nil {
		t.Fatal(err)
	}
	first := evs[len(evs)-1].Ticket
	waitPrinterState(t, o, false)
	if _, err := o.Do(dispenser.Issue{Service: "oac"}); err == nil {
		t.Fatal("a ticket was issued for paper while the printer was failing")
	}
	rec.mu.Lock()
	rec.broken = false
	rec.mu.Unlock()
	waitPrinterState(t, o, true) // reopened
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
