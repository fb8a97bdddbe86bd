package dispenser_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// docHash stands in for the office's keyed hash of a document number: the
// dispenser only ever compares hashes.
func docHash(number string) string {
	h := sha256.Sum256([]byte(number))
	return hex.EncodeToString(h[:])
}

// booking is an appointment of document doc for service svc at slot.
func booking(id string, svc dispenser.ServiceID, slot time.Time, doc string) dispenser.Booking {
	return dispenser.Booking{ID: dispenser.AppointmentID(id), Service: svc, Slot: slot, DocumentHash: docHash(doc)}
}

// loadBook loads the book of day's appointments.
func (f *fixture) loadBook(day time.Time, appts ...dispenser.Booking) {
	f.t.Helper()
	f.do(dispenser.LoadBook{Book: dispenser.Book{Day: dispenser.Date(day.In(madrid).Format(time.DateOnly)), Appointments: appts}})
}

// checkIn checks in document doc now.
func (f *fixture) checkIn(doc string) ([]dispenser.Event, error) {
	c := f.newIssue("")
	return f.try(dispenser.CheckIn{DocumentHash: docHash(doc), ID: c.ID, Token: c.Token, Lang: dispenser.Spanish})
}

func refusal(t testing.TB, err error) *dispenser.Refusal {
	t.Helper()
	var r *dispenser.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("check-in: %v, want a refusal", err)
	}
	return r
}

// TestCheckInWindow runs one appointment at 10:00 (window 30 minutes
// before, grace 10 after) through the day on a fake clock.
func TestCheckInWindow(t *testing.T) {
	slot := at(thursday, 10, 0)
	tests := []struct {
		name  string
		now   time.Time
		late  dispenser.Offer
		kind  dispenser.Kind // the ticket's kind, "" for a refusal
		want  dispenser.RefusalReason
		until time.Time
	}{
		{name: "an hour early", now: at(thursday, 9, 0), want: dispenser.RefusedTooEarly, until: at(thursday, 9, 30)},
		{name: "one second before the window", now: at(thursday, 9, 30).Add(-time.Second), want: dispenser.RefusedTooEarly, until: at(thursday, 9, 30)},
		{name: "window opens", now: at(thursday, 9, 30), kind: dispenser.Appointment},
		{name: "early within the window", now: at(thursday, 9, 45), kind: dispenser.Appointment},
		{name: "on time", now: slot, kind: dispenser.Appointment},
		{name: "late within grace", now: at(thursday, 10, 10), kind: dispenser.Appointment},
		{name: "late beyond grace: walk-in", now: at(thursday, 10, 10).Add(time.Second), kind: dispenser.WalkIn},
		{name: "much later: walk-in", now: at(thursday, 12, 0), kind: dispenser.WalkIn},
		{name: "late beyond grace: ask at the desk", now: at(thursday, 10, 11), late: dispenser.OfferDesk, want: dispenser.RefusedLate},
		{name: "late within grace, desk rule", now: at(thursday, 10, 5), late: dispenser.OfferDesk, kind: dispenser.Appointment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := newConfig().build()
			cfg.Services[0].CheckIn.Late = tt.late
			f := newFixture(t, cfg, at(thursday, 8, 0))
			f.loadBook(thursday, booking("c1", svcA, slot, "12345678Z"))
			f.at(tt.now)
			before := f.state()
			evs, err := f.checkIn("12345678Z")
			if tt.kind == "" {
				r := refusal(t, err)
				if r.Reason != tt.want || r.Service != svcA || !r.Until.Equal(tt.until) || !r.Slot.Equal(slot) {
					t.Errorf("refusal %+v, want %s until %v, slot %v", r, tt.want, tt.until, slot)
				}
				if len(evs) != 0 {
					t.Errorf("refused check-in made events %v", types(evs))
				}
				f.unchanged(before)
				return
			}
			if err != nil {
				t.Fatalf("check-in at %s: %v", tt.now.In(madrid).Format("15:04:05"), err)
			}
			tk := *lastEvent(t, evs, dispenser.TicketIssued).Ticket
			if tk.Kind != tt.kind || tk.Service != svcA || tk.Appointment != "c1" || tk.DocumentHash != docHash("12345678Z") || tk.Lang != dispenser.Spanish {
				t.Errorf("ticket %+v, want a %s ticket of %s for appointment c1", tk, tt.kind, svcA)
			}
			if tt.kind == dispenser.Appointment && !tk.Slot.Equal(slot) {
				t.Errorf("appointment ticket's slot %v, want %v", tk.Slot, slot)
			}
			if tt.kind == dispenser.WalkIn && !tk.Slot.IsZero() {
				t.Errorf("late walk-in ticket has a slot %v", tk.Slot)
			}
			// A second scan of the same document is told its ticket.
			_, err = f.checkIn("12345678Z")
			if r := refusal(t, err); r.Reason != dispenser.RefusedCheckedIn || r.Detail != tk.Number {
				t.Errorf("second check-in: %+v, want checked_in with %s", r, tk.Number)
			}
		})
	}
}

// TestCheckInAppointmentGoesAheadOfWalkIns: a checked-in appointment is
// called before walk-ins that came earlier once its slot is due.
func TestCheckInAppointmentGoesAheadOfWalkIns(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	f.loadBook(thursday, booking("c1", svcA, at(thursday, 9, 40), "X1234567L"))
	f.at(at(thursday, 9, 10))
	w1 := f.issue(svcA)
	w2 := f.issue(svcA)
	f.at(at(thursday, 9, 20))
	evs, err := f.checkIn("X1234567L")
	if err != nil {
		t.Fatal(err)
	}
	appt := *lastEvent(t, evs, dispenser.TicketIssued).Ticket
	f.do(dispenser.SetDesk{Desk: desk1, State: dispenser.DeskOpen})
	// Not due yet (due from 5 minutes before the slot): walk-in first.
	if got := f.call(desk1); got.ID != w1.ID {
		t.Errorf("9:20 called %s, want walk-in %s", got.Number, w1.Number)
	}
	f.at(at(thursday, 9, 35))
	if got := f.call(desk1); got.ID != appt.ID {
		t.Errorf("9:35 called %s, want the appointment %s ahead of %s", got.Number, appt.Number, w2.Number)
	}
}

// TestCheckInTwoAppointmentsSameDay: one document with appointments at 9:00
// and 12:00 checks in the one whose window is open, then the other.
func TestCheckInTwoAppointmentsSameDay(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 8, 0))
	f.loadBook(thursday,
		booking("pm", svcB, at(thursday, 12, 0), "12345678Z"),
		booking("am", svcA, at(thursday, 9, 0), "12345678Z"),
		booking("other", svcA, at(thursday, 9, 0), "99999999R"),
	)
	f.at(at(thursday, 8, 50))
	evs, err := f.checkIn("12345678Z")
	if err != nil {
		t.Fatal(err)
	}
	if tk := lastEvent(t, evs, dispenser.TicketIssued).Ticket; tk.Appointment != "am" || tk.Service != svcA {
		t.Errorf("first check-in took %s (%s), want am", tk.Appointment, tk.Service)
	}
	// Back at 10:00 with the first one checked in: the second is too early.
	f.at(at(thursday, 10, 0))
	_, err = f.checkIn("12345678Z")
	if r := refusal(t, err); r.Reason != dispenser.RefusedTooEarly || !r.Until.Equal(at(thursday, 11, 30)) || r.Service != svcB {
		t.Errorf("refusal %+v, want too early until 11:30 for %s", r, svcB)
	}
	f.at(at(thursday, 11, 45))
	evs, err = f.checkIn("12345678Z")
	if err != nil {
		t.Fatal(err)
	}
	if tk := lastEvent(t, evs, dispenser.TicketIssued).Ticket; tk.Appointment != "pm" || tk.Kind != dispenser.Appointment {
		t.Errorf("second check-in took %s (%s), want the pm appointment", tk.Appointment, tk.Kind)
	}
}

// TestCheckInMissedOneAndUpcomingOne: a document that missed its 9:00
// appointment and has another at 12:00 gets a walk-in for the missed one
// when it turns up at 10:00 (it is here now), and the 12:00 one is left.
func TestCheckInMissedOneAndUpcomingOne(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 8, 0))
	f.loadBook(thursday,
		booking("am", svcA, at(thursday, 9, 0), "12345678Z"),
		booking("pm", svcB, at(thursday, 12, 0), "12345678Z"),
	)
	f.at(at(thursday, 10, 0))
	evs, err := f.checkIn("12345678Z")
	if err != nil {
		t.Fatal(err)
	}
	if tk := lastEvent(t, evs, dispenser.TicketIssued).Ticket; tk.Appointment != "am" || tk.Kind != dispenser.WalkIn {
		t.Errorf("got %s %s, want a walk-in for am", tk.Kind, tk.Appointment)
	}
	if _, ok := f.d.CheckedIn("pm"); ok {
		t.Error("the 12:00 appointment was checked in too")
	}
}

// TestCheckInDesksAllClosed: an appointment of a service whose desks are
// all closed is still checked in; the ticket waits for a desk and is the
// first called when one opens.
func TestCheckInDesksAllClosed(t *testing.T) {
	cfg := newConfig().desks(desk(desk1, svcA), desk(desk2, svcB)).build()
	f := newFixture(t, cfg, at(thursday, 8, 0))
	f.loadBook(thursday, booking("c1", svcB, at(thursday, 9, 0), "12345678Z"))
	f.at(at(thursday, 8, 55))
	w := f.issue(svcB)
	for _, ds := range f.d.Desks() {
		if ds.State != dispenser.DeskClosed {
			t.Fatalf("desk %s is %s, want closed", ds.ID, ds.State)
		}
	}
	evs, err := f.checkIn("12345678Z")
	if err != nil {
		t.Fatalf("check-in with every desk of the service closed: %v", err)
	}
	tk := *lastEvent(t, evs, dispenser.TicketIssued).Ticket
	if tk.Ahead != 0 || tk.Estimate != 5*time.Minute {
		t.Errorf("ahead %d, estimate %v; want 0 ahead and the time to the slot (5m0s)", tk.Ahead, tk.Estimate)
	}
	f.at(at(thursday, 9, 30))
	f.do(dispenser.SetDesk{Desk: desk2, State: dispenser.DeskOpen})
	if got := f.call(desk2); got.ID != tk.ID {
		t.Errorf("the desk that opened called %s, want the appointment %s before walk-in %s", got.Number, tk.Number, w.Number)
	}
}

// TestCheckInNoAppointment: a document that matches nothing, one whose
// appointment is another day, and the office's and the service's offers.
func TestCheckInNoAppointment(t *testing.T) {
	cfg := newConfig().build()
	cfg.Rules.CheckIn.NoAppointment = dispenser.OfferDesk
	cfg.Services[1].CheckIn.NoAppointment = dispenser.OfferWalkIn
	f := newFixture(t, cfg, at(thursday, 8, 0))
	f.loadBook(thursday, booking("c1", svcA, at(thursday, 9, 0), "12345678Z"))
	f.loadBook(friday, booking("f1", svcB, at(friday, 11, 15), "99999999R"))
	f.at(at(thursday, 9, 0))
	before := f.state()

	_, err := f.checkIn("00000000T")
	if r := refusal(t, err); r.Reason != dispenser.RefusedNoAppointment || r.Offer != dispenser.OfferDesk || r.Service != "" {
		t.Errorf("unknown document: %+v, want no_appointment offering the desk", r)
	}
	_, err = f.checkIn("99999999R")
	if r := refusal(t, err); r.Reason != dispenser.RefusedNotToday || !r.Until.Equal(at(friday, 11, 15)) || r.Service != svcB || r.Offer != dispenser.OfferWalkIn {
		t.Errorf("tomorrow's appointment: %+v, want not_today until Friday 11:15 offering a walk-in", r)
	}
	if msg := err.Error(); strings.Contains(msg, "99999999") {
		t.Errorf("refusal message %q carries the document", msg)
	}
	f.unchanged(before)
	// Friday: the book of Thursday is gone, Friday's appointment checks in.
	f.at(at(friday, 11, 0))
	if _, err := f.checkIn("12345678Z"); refusal(t, err).Reason != dispenser.RefusedNoAppointment {
		t.Errorf("yesterday's appointment on Friday: %v, want no_appointment", err)
	}
	if _, ok := f.d.Book("2026-03-26"); ok {
		t.Error("Thursday's book is kept after the rollover")
	}
	if _, err := f.checkIn("99999999R"); err != nil {
		t.Errorf("Friday's appointment: %v", err)
	}
}

func TestCheckInBadHash(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 8, 0))
	for _, h := range []string{"", "12345678Z", strings.ToUpper(docHash("1")), docHash("1")[:63]} {
		_, err := f.try(dispenser.CheckIn{DocumentHash: h, ID: "x", Token: "tok-0123456789abcdef0123456789"})
		if !errors.Is(err, dispenser.ErrInvalid) {
			t.Errorf("hash %q: %v, want ErrInvalid", h, err)
		}
		if h != "" && strings.Contains(err.Error(), h) {
			t.Errorf("error %q quotes what may be a number in clear", err)
		}
	}
}

// TestCheckInPrinterOut: with the printer out of service a check-in is
// refused unless the kiosk shows the ticket on screen.
func TestCheckInPrinterOut(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 8, 0))
	f.loadBook(thursday, booking("c1", svcA, at(thursday, 9, 0), "12345678Z"))
	f.do(dispenser.SetPrinter{Ready: false, Reason: "paper out"})
	f.at(at(thursday, 9, 0))
	_, err := f.checkIn("12345678Z")
	if r := refusal(t, err); r.Reason != dispenser.RefusedOutOfService {
		t.Errorf("%+v, want out_of_service", r)
	}
	c := f.newIssue("")
	if _, err := f.try(dispenser.CheckIn{DocumentHash: docHash("12345678Z"), NoPaper: true, ID: c.ID, Token: c.Token}); err != nil {
		t.Errorf("check-in shown on screen: %v", err)
	}
}

// TestCheckInLateToAppointmentOnlyService: a late arrival's walk-in ticket
// is issued even by a service that takes appointments only, but not after
// it closes.
func TestCheckInLateToAppointmentOnlyService(t *testing.T) {
	cfg := newConfig().hours(elMasnou()).service(svcA, func(s *dispenser.Service) { s.AppointmentOnly = true }).build()
	f := newFixture(t, cfg, at(thursday, 8, 0))
	f.loadBook(thursday,
		booking("c1", svcA, at(thursday, 9, 0), "12345678Z"),
		booking("c2", svcA, at(thursday, 13, 30), "99999999R"),
	)
	f.at(at(thursday, 10, 0))
	evs, err := f.checkIn("12345678Z")
	if err != nil {
		t.Fatalf("late arrival to an appointment-only service: %v", err)
	}
	if tk := lastEvent(t, evs, dispenser.TicketIssued).Ticket; tk.Kind != dispenser.WalkIn {
		t.Errorf("kind %s, want walkin", tk.Kind)
	}
	if _, err := f.try(f.newIssue(svcA)); refusal(t, err).Reason != dispenser.RefusedAppointmentOnly {
		t.Errorf("plain walk-in: %v, want appointment_only", err)
	}
	f.at(at(thursday, 14, 30))
	_, err = f.checkIn("99999999R")
	if r := refusal(t, err); r.Reason != dispenser.RefusedClosed {
		t.Errorf("late arrival after closing: %+v, want closed", r)
	}
}

func TestLoadBookRefusals(t *testing.T) {
	day := thursday
	good := booking("c1", svcA, at(day, 9, 0), "12345678Z")
	tests := []struct {
		name string
		book dispenser.Book
		want []string
	}{
		{"bad day", dispenser.Book{Day: "26/03/2026"}, []string{"want YYYY-MM-DD"}},
		{"past day", dispenser.Book{Day: "2026-03-25"}, []string{"has passed"}},
		{"number in clear", dispenser.Book{Day: "2026-03-26", Appointments: []dispenser.Booking{{ID: "c1", Service: svcA, Slot: at(day, 9, 0), DocumentHash: "12345678Z"}}}, []string{"appointment 1 (\"c1\")", "in clear is never accepted"}},
		{"every problem at once", dispenser.Book{Day: "2026-03-26", Appointments: []dispenser.Booking{
			good,
			good,
			{ID: "", Service: svcA, Slot: at(day, 9, 0), DocumentHash: docHash("1")},
			{ID: "c4", Service: "nope", Slot: at(day, 9, 0), DocumentHash: docHash("1")},
			{ID: "c5", Service: svcA, Slot: at(friday, 9, 0), DocumentHash: docHash("1")},
			{ID: "c6", Service: svcA, DocumentHash: docHash("1")},
		}}, []string{"appointment 2 (\"c1\"): id used twice", "appointment 3 (\"\"): no id", `appointment 4 ("c4"): unknown service "nope"`, `appointment 5 ("c5"): slot 2026-03-27 09:00 is on 2026-03-27`, `appointment 6 ("c6"): no slot time`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, newConfig().build(), at(day, 8, 0))
			before := f.state()
			_, err := f.try(dispenser.LoadBook{Book: tt.book})
			if !errors.Is(err, dispenser.ErrInvalid) {
				t.Fatalf("%v, want ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "12345678Z") {
				t.Errorf("error %q carries the number", err)
			}
			f.unchanged(before)
			if len(f.d.Books()) != 0 {
				t.Error("a refused book was kept")
			}
		})
	}
}

// TestBookSurvivesRestart: the book and the check-ins come back from the
// snapshot, so a check-in after a restart is not taken twice.
func TestBookSurvivesRestart(t *testing.T) {
	cfg := newConfig().build()
	f := newFixture(t, cfg, at(thursday, 8, 0))
	f.loadBook(thursday, booking("c1", svcA, at(thursday, 9, 0), "12345678Z"), booking("c2", svcA, at(thursday, 9, 30), "99999999R"))
	f.loadBook(friday, booking("f1", svcA, at(friday, 9, 0), "12345678Z"))
	f.at(at(thursday, 9, 0))
	if _, err := f.checkIn("12345678Z"); err != nil {
		t.Fatal(err)
	}
	g := &fixture{t: t, d: mustNew(t, cfg, f.snapshot()), now: f.now, seq: f.seq}
	if got := len(g.d.Books()); got != 2 {
		t.Errorf("%d books after restart, want 2", got)
	}
	if _, err := g.checkIn("12345678Z"); refusal(t, err).Reason != dispenser.RefusedCheckedIn {
		t.Errorf("check-in again after restart: %v, want checked_in", err)
	}
	if _, err := g.checkIn("99999999R"); err != nil {
		t.Errorf("other appointment after restart: %v", err)
	}
}

// TestLoadBookReplaces: a new edition replaces the day's book; a ticket
// checked in for an appointment the new book drops keeps its place.
func TestLoadBookReplaces(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 8, 0))
	f.loadBook(thursday, booking("c1", svcA, at(thursday, 9, 0), "12345678Z"))
	f.at(at(thursday, 9, 0))
	evs, err := f.checkIn("12345678Z")
	if err != nil {
		t.Fatal(err)
	}
	tk := lastEvent(t, evs, dispenser.TicketIssued).Ticket
	f.loadBook(thursday, booking("c2", svcA, at(thursday, 10, 0), "99999999R"))
	if got, _ := f.d.Book("2026-03-26"); len(got.Appointments) != 1 || got.Appointments[0].ID != "c2" {
		t.Errorf("book after reload %+v, want c2 only", got)
	}
	if got := f.ticket(tk.ID); got.State != dispenser.Waiting || got.Appointment != "c1" {
		t.Errorf("checked-in ticket after reload %+v", got)
	}
	if _, err := f.checkIn("12345678Z"); refusal(t, err).Reason != dispenser.RefusedNoAppointment {
		t.Errorf("dropped appointment: %v, want no_appointment", err)
	}
}
