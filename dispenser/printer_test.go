package dispenser_test

import (
	"errors"
	"testing"

	"torn.cat/torn/dispenser"
)

// TestPrinterOutOfService: a printer that is not ready takes the dispenser
// out of service: tickets to be printed are refused with the printer's
// reason, tickets already issued stand and are called, a ticket the kiosk
// shows on screen is still issued, and a ready printer brings it back.
func TestPrinterOutOfService(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	a1 := f.issue(svcA)

	evs := f.do(dispenser.SetPrinter{Ready: false, Reason: "paper out"})
	e := lastEvent(t, evs, dispenser.PrinterChanged)
	if e.Printer == nil || e.Printer.Ready || e.Printer.Reason != "paper out" || !e.Printer.Since.Equal(f.now) {
		t.Fatalf("printer event %+v", e.Printer)
	}
	if evs := f.do(dispenser.SetPrinter{Ready: false, Reason: "paper out"}); len(evs) != 0 {
		t.Fatalf("the same state again gave events %v", types(evs))
	}

	before := f.state()
	_, err := f.try(f.newIssue(svcA))
	var r *dispenser.Refusal
	if !errors.As(err, &r) || r.Reason != dispenser.RefusedOutOfService || r.Detail != "paper out" {
		t.Fatalf("issue while out of paper: %v", err)
	}
	f.unchanged(before)
	if err := f.d.Admits(svcB, dispenser.WalkIn, f.now); !errors.As(err, &r) || r.Reason != dispenser.RefusedOutOfService {
		t.Fatalf("Admits while out of paper: %v", err)
	}

	onScreen := f.newIssue(svcA)
	onScreen.NoPaper = true
	if a2 := f.issueCmd(onScreen); a2.Number != "A002" {
		t.Fatalf("ticket shown on screen: %s, want A002", a2.Number)
	}
	if got := f.call(desk1); got.ID != a1.ID {
		t.Fatalf("desk called %s, want the ticket issued before the outage", got.Number)
	}

	lastEvent(t, f.do(dispenser.SetPrinter{Ready: true}), dispenser.PrinterChanged)
	if a3 := f.issue(svcA); a3.Number != "A003" {
		t.Fatalf("after the paper is back: %s, want A003", a3.Number)
	}
	if p := f.d.Printer(); !p.Ready || p.Reason != "" {
		t.Fatalf("printer %+v", p)
	}
}

// TestAppointmentSlotIsToday: an appointment ticket is for a slot of the
// current business day; another day's slot is refused, so no client can
// jump the queue with an old or future "appointment".
func TestAppointmentSlotIsToday(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	for _, slot := range []dispenser.Issue{
		{Service: svcA, Kind: dispenser.Appointment, Slot: at(friday, 9, 30)},
		{Service: svcA, Kind: dispenser.Appointment, Slot: at(thursday, 9, 0).AddDate(-26, 0, 0)},
	} {
		c := f.newIssue(svcA)
		c.Kind, c.Slot = slot.Kind, slot.Slot
		before := f.state()
		if _, err := f.try(c); !errors.Is(err, dispenser.ErrInvalid) {
			t.Errorf("slot %v: %v, want ErrInvalid", c.Slot, err)
		}
		f.unchanged(before)
	}
	if tk := f.issueKind(svcA, dispenser.Appointment, at(thursday, 11, 0)); tk.Kind != dispenser.Appointment {
		t.Fatalf("today's slot: %+v", tk)
	}
}
