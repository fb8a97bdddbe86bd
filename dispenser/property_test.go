package dispenser

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var (
	propSeqs  = flag.Int("prop.seqs", 2000, "random command sequences in TestProperties")
	propSteps = flag.Int("prop.steps", 150, "commands per sequence in TestProperties")
	propSeed  = flag.Uint64("prop.seed", 1, "first seed of TestProperties; sequence i uses seed+i")
)

// TestProperties drives the dispenser with random command sequences and
// checks the queue's invariants after every command:
//   - no display number twice in a business day;
//   - each ticket in exactly one state, consistent with the desks;
//   - a due checked-in appointment is called before any walk-in or priority
//     ticket of the desk's services;
//   - no walk-in is passed at a desk by a walk-in queued more than
//     Rules.MaxOvertake after it;
//   - a check-in takes only its own document's appointment of today, once,
//     and an appointment ticket has the booked slot and service;
//   - a refused command changes no ticket, and records a TicketRefused
//     when, and only when, it is refused for the cut-off;
//   - recorded time never goes backwards, a restart from a snapshot
//     changes nothing, and a mirror fed the events (Apply) has the same
//     tickets, desks, day, numbering and last time.
//
// A failure names its seed: rerun it with -prop.seed=N -prop.seqs=1.
func TestProperties(t *testing.T) {
	seqs := *propSeqs
	if testing.Short() {
		seqs = 200
	}
	propCheckIns = 0
	for i := 0; i < seqs; i++ {
		seed := *propSeed + uint64(i)
		if err := runSequence(seed, *propSteps); err != nil {
			t.Fatalf("seed %d: %v\nrerun: go test ./dispenser -run TestProperties -prop.seed=%d -prop.seqs=1", seed, err, seed)
		}
	}
	if seqs >= 100 && propCheckIns < seqs/10 {
		t.Errorf("%d check-ins went through in %d sequences: the check-in invariants were hardly tested", propCheckIns, seqs)
	}
	t.Logf("%d sequences, %d check-ins", seqs, propCheckIns)
}

// propCheckIns counts the check-ins that issued a ticket.
var propCheckIns int

func propConfig(rng *rand.Rand) Config {
	madrid, _ := time.LoadLocation("Europe/Madrid")
	var h Hours
	for wd := time.Monday; wd <= time.Friday; wd++ {
		h.Weekly[wd] = []Range{{8*60 + 30, 14 * 60}}
	}
	h.Weekly[time.Thursday] = append(h.Weekly[time.Thursday], Range{16 * 60, 19 * 60})
	names := func(n string) map[Lang]string { return map[Lang]string{Catalan: n} }
	return Config{
		Office:   "prop",
		Location: madrid,
		Services: []Service{
			{ID: "a", Prefix: "A", Names: names("A"), Priority: true, ServiceTime: time.Duration(2+rng.IntN(10)) * time.Minute, Hours: h},
			{ID: "b", Prefix: "B", Names: names("B"), ServiceTime: time.Duration(2+rng.IntN(10)) * time.Minute, Hours: h},
			{ID: "c", Prefix: "C", Names: names("C"), AppointmentOnly: true, Hours: h},
		},
		Desks: []Desk{
			{ID: "d1", Profile: []ServiceID{"a", "b"}},
			{ID: "d2", Profile: []ServiceID{"b", "a", "c"}},
			{ID: "d3", Profile: []ServiceID{"c", "a"}},
		},
		Rules: Rules{
			DueBefore:      time.Duration(rng.IntN(15)) * time.Minute,
			ProfileStep:    []time.Duration{-1, 5 * time.Minute, time.Hour, 24 * time.Hour}[rng.IntN(4)],
			MaxOvertake:    time.Duration(1+rng.IntN(40)) * time.Minute,
			MaxCalls:       1 + rng.IntN(4),
			TransferToTail: rng.IntN(2) == 0,
			NoCutOff:       rng.IntN(4) == 0,
		},
	}
}

func runSequence(seed uint64, steps int) error {
	rng := rand.New(rand.NewPCG(seed, 0x70726f70))
	cfg := propConfig(rng)
	d, err := New(cfg, Snapshot{})
	if err != nil {
		return err
	}
	rules := d.Config().Rules
	// mirror is fed the events, as central's is.
	mirror, err := New(cfg, Snapshot{})
	if err != nil {
		return err
	}
	// A weekday morning in 2026, some of them around the DST changes.
	start := []time.Time{
		time.Date(2026, 3, 26, 8, 0, 0, 0, cfg.Location),
		time.Date(2026, 10, 22, 8, 0, 0, 0, cfg.Location),
		time.Date(2026, 11, 23, 8, 0, 0, 0, cfg.Location),
	}[rng.IntN(3)]
	now := start
	numbers := map[Date]map[string]bool{}
	var lastEvent time.Time
	n := 0
	for step := 0; step < steps; step++ {
		switch r := rng.IntN(100); {
		case r < 2: // next morning
			y, m, dd := now.In(cfg.Location).Date()
			now = time.Date(y, m, dd+1, 8, rng.IntN(60), 0, 0, cfg.Location)
		case r < 4: // the clock jumps back
			now = now.Add(-time.Duration(rng.IntN(3600)) * time.Second)
		default:
			now = now.Add(time.Duration(rng.IntN(300)) * time.Second)
		}
		cmd := randomCommand(rng, d, now, &n)
		if ci, ok := cmd.(CheckIn); ok && !d.Printer().Ready && !ci.NoPaper && d.DayOf(now) == d.Day() {
			if _, err := d.Handle(cmd, now); err == nil {
				return fmt.Errorf("step %d: a check-in to print was issued while the printer was %q", step, d.Printer().Reason)
			}
			continue
		}
		if is, ok := cmd.(Issue); ok && !d.Printer().Ready && !is.NoPaper && d.DayOf(now) == d.Day() {
			if _, err := d.Handle(cmd, now); err == nil {
				return fmt.Errorf("step %d: a ticket to print was issued while the printer was %q", step, d.Printer().Reason)
			}
			continue
		}
		before := d.Tickets()
		evs, err := d.Handle(cmd, now)
		if err != nil {
			rollover, cerr := checkRefused(cmd, err, evs, d.Last())
			if cerr != nil {
				return fmt.Errorf("step %d: %v", step, cerr)
			}
			if !rollover && !sameTickets(before, d.Tickets()) {
				return fmt.Errorf("step %d: refused %T (%v) changed the tickets", step, cmd, err)
			}
		}
		for _, e := range evs {
			mirror.Apply(e)
		}
		if !sameTickets(d.Tickets(), mirror.Tickets()) || fmt.Sprint(d.Desks()) != fmt.Sprint(mirror.Desks()) ||
			!d.Last().Equal(mirror.Last()) || d.Day() != mirror.Day() || fmt.Sprint(d.counters) != fmt.Sprint(mirror.counters) {
			return fmt.Errorf("step %d after %T: the mirror fed the events differs: last %v, day %s, counters %v; mirror's %v, %s, %v",
				step, cmd, d.Last(), d.Day(), d.counters, mirror.Last(), mirror.Day(), mirror.counters)
		}
		for _, e := range evs {
			if e.Time.Before(lastEvent) {
				return fmt.Errorf("step %d: event %s at %v before the previous one at %v", step, e.Type, e.Time, lastEvent)
			}
			lastEvent = e.Time
			if e.Type == TicketIssued {
				day := e.Ticket.Day
				if numbers[day] == nil {
					numbers[day] = map[string]bool{}
				}
				if numbers[day][e.Ticket.Number] {
					return fmt.Errorf("step %d: number %s issued twice on %s", step, e.Ticket.Number, day)
				}
				numbers[day][e.Ticket.Number] = true
				if e.Ticket.Day != d.DayOf(e.Time) {
					return fmt.Errorf("step %d: ticket %s has day %s, issued on %s", step, e.Ticket.Number, e.Ticket.Day, d.DayOf(e.Time))
				}
			}
			if e.Type == TicketCalled {
				if err := checkCall(d, rules, before, e); err != nil {
					return fmt.Errorf("step %d: %v", step, err)
				}
			}
		}
		if err := checkStates(d); err != nil {
			return fmt.Errorf("step %d after %T: %v", step, cmd, err)
		}
		if err := checkCheckIns(d); err != nil {
			return fmt.Errorf("step %d after %T: %v", step, cmd, err)
		}
		if ci, ok := cmd.(CheckIn); ok && err == nil {
			propCheckIns++
			t := evs[len(evs)-1].Ticket
			b, _ := d.Book(d.Day())
			var booked *Booking
			for i := range b.Appointments {
				if b.Appointments[i].ID == t.Appointment {
					booked = &b.Appointments[i]
				}
			}
			switch {
			case booked == nil:
				return fmt.Errorf("step %d: check-in issued %s for appointment %q, not in today's book", step, t.Number, t.Appointment)
			case booked.DocumentHash != ci.DocumentHash || t.Service != booked.Service:
				return fmt.Errorf("step %d: check-in of one document took another's appointment %s", step, booked.ID)
			case t.Kind == Appointment && !t.Slot.Equal(booked.Slot):
				return fmt.Errorf("step %d: appointment ticket %s has slot %v, booked %v", step, t.Number, t.Slot, booked.Slot)
			}
		}
		if rng.IntN(50) == 0 { // restart from what a store would keep
			snap := Snapshot{Day: d.Day(), Last: d.Last(), Tickets: d.Tickets(), Desks: d.Desks(), Books: d.Books()}
			d2, err := New(cfg, snap)
			if err != nil {
				return fmt.Errorf("step %d: restart: %v", step, err)
			}
			if !sameTickets(d.Tickets(), d2.Tickets()) || fmt.Sprint(d.Desks()) != fmt.Sprint(d2.Desks()) || d.counters[("a")] != d2.counters["a"] || fmt.Sprint(d.Books()) != fmt.Sprint(d2.Books()) || fmt.Sprint(checkedInIDs(d)) != fmt.Sprint(checkedInIDs(d2)) {
				return fmt.Errorf("step %d: restart changed the state:\nbooks %v\n   vs %v\nchecked in %v\n        vs %v", step, d.Books(), d2.Books(), checkedInIDs(d), checkedInIDs(d2))
			}
			d = d2
		}
	}
	return nil
}

// checkRefused checks the events of cmd, refused with err: those of a day
// rollover, if any, and then one TicketRefused, at last, when and only
// when err is a refusal for the cut-off. It reports whether the day rolled
// over.
func checkRefused(cmd Command, err error, evs []Event, last time.Time) (rollover bool, _ error) {
	var r *Refusal
	cutOff := errors.As(err, &r) && r.Reason == RefusedCutOff
	if n := len(evs); n > 0 && evs[n-1].Type == TicketRefused {
		e := evs[n-1]
		kind := WalkIn
		if is, ok := cmd.(Issue); ok && is.Kind != "" {
			kind = is.Kind
		}
		switch {
		case !cutOff:
			return false, fmt.Errorf("%T refused (%v) but recorded %s", cmd, err, e.Type)
		case e.Refused == nil || *e.Refused != (Refused{Service: r.Service, Kind: kind, Reason: RefusedCutOff}) || e.Ticket != nil:
			return false, fmt.Errorf("%T refused (%v): recorded %+v, ticket %v", cmd, err, e.Refused, e.Ticket)
		case !e.Time.Equal(last):
			return false, fmt.Errorf("%T refused (%v): recorded at %v, last change %v", cmd, err, e.Time, last)
		}
		evs = evs[:n-1]
	} else if cutOff {
		return false, fmt.Errorf("%T refused for the cut-off (%v) but not recorded", cmd, err)
	}
	if len(evs) > 0 && evs[len(evs)-1].Type != DayStarted {
		return false, fmt.Errorf("%T refused (%v) but returned %d events", cmd, err, len(evs))
	}
	return len(evs) > 0, nil
}

// checkCall checks the calling order for the ticket called by e, against
// the tickets as they were before the command.
func checkCall(d *Dispenser, r Rules, before []Ticket, e Event) error {
	y := e.Ticket
	dk := d.Desk(y.Desk)
	inProfile := map[ServiceID]bool{}
	for _, s := range dk.Profile {
		inProfile[s] = true
	}
	now := e.Time
	for _, x := range before {
		if x.State != Waiting || x.ID == y.ID || !inProfile[x.Service] {
			continue
		}
		xDue := x.Kind == Appointment && x.Transfers == 0 && !now.Before(x.Slot.Add(-r.DueBefore))
		yDue := y.Kind == Appointment && y.Transfers == 0 && !now.Before(y.Slot.Add(-r.DueBefore))
		if xDue && !yDue {
			return fmt.Errorf("desk %s called %s (%s) while appointment %s (slot %v) was due", dk.ID, y.Number, y.Kind, x.Number, x.Slot)
		}
		// A transferred appointment has had its appointment: it queues as
		// a walk-in.
		yWalkIn := y.Kind == WalkIn || (y.Kind == Appointment && y.Transfers > 0)
		xWalkIn := x.Kind == WalkIn || (x.Kind == Appointment && x.Transfers > 0)
		if yWalkIn && x.Kind == Priority {
			return fmt.Errorf("desk %s called walk-in %s while priority %s waited", dk.ID, y.Number, x.Number)
		}
		if yWalkIn && xWalkIn && y.Queued.Sub(x.Queued) > r.MaxOvertake {
			return fmt.Errorf("desk %s called walk-in %s (queued %v) over walk-in %s queued %v earlier, more than the bound %v",
				dk.ID, y.Number, y.Queued, x.Number, y.Queued.Sub(x.Queued), r.MaxOvertake)
		}
	}
	return nil
}

// checkStates checks that each ticket is in exactly one state and that the
// desks agree with the tickets.
// checkCheckIns: an appointment of today is checked in by one ticket at
// most, whose document is the booking's, and a checked-in appointment
// ticket has the booking's slot and service.
func checkCheckIns(d *Dispenser) error {
	seen := map[AppointmentID]TicketID{}
	for _, t := range d.Tickets() {
		if t.Appointment == "" {
			continue
		}
		if other, dup := seen[t.Appointment]; dup {
			return fmt.Errorf("appointment %s checked in by %s and %s", t.Appointment, other, t.ID)
		}
		seen[t.Appointment] = t.ID
		if t.DocumentHash == "" {
			return fmt.Errorf("ticket %s of appointment %s has no document", t.Number, t.Appointment)
		}
	}
	return nil
}

func checkStates(d *Dispenser) error {
	atDesk := map[TicketID]DeskID{}
	for _, ds := range d.Desks() {
		if !ds.State.valid() {
			return fmt.Errorf("desk %s in state %q", ds.ID, ds.State)
		}
		if ds.Current == "" {
			continue
		}
		if other, dup := atDesk[ds.Current]; dup {
			return fmt.Errorf("ticket %s is current at desks %s and %s", ds.Current, other, ds.ID)
		}
		atDesk[ds.Current] = ds.ID
	}
	waiting := 0
	for _, t := range d.Tickets() {
		switch t.State {
		case Waiting:
			waiting++
			if _, ok := atDesk[t.ID]; ok {
				return fmt.Errorf("waiting ticket %s is current at a desk", t.Number)
			}
		case Called, Serving:
			if atDesk[t.ID] != t.Desk || t.Desk == "" {
				return fmt.Errorf("%s ticket %s says desk %q, desks say %q", t.State, t.Number, t.Desk, atDesk[t.ID])
			}
			delete(atDesk, t.ID)
		case Done, NoShow, Cancelled:
			if _, ok := atDesk[t.ID]; ok {
				return fmt.Errorf("%s ticket %s is current at a desk", t.State, t.Number)
			}
			if t.Ended.IsZero() {
				return fmt.Errorf("%s ticket %s has no end time", t.State, t.Number)
			}
		default:
			return fmt.Errorf("ticket %s in unknown state %q", t.Number, t.State)
		}
		if t.Day != d.Day() {
			return fmt.Errorf("ticket %s of day %s kept on day %s", t.Number, t.Day, d.Day())
		}
	}
	if len(atDesk) > 0 {
		return fmt.Errorf("desks point at tickets that are not called or serving: %v", atDesk)
	}
	if waiting != len(d.waiting) {
		return fmt.Errorf("%d waiting tickets, waiting index has %d", waiting, len(d.waiting))
	}
	return nil
}

func sameTickets(a, b []Ticket) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkedInIDs maps d's checked-in appointments to their tickets' ids.
func checkedInIDs(d *Dispenser) map[AppointmentID]TicketID {
	out := map[AppointmentID]TicketID{}
	for a, t := range d.checkedIn {
		out[a] = t.ID
	}
	return out
}

// propDocs is how many documents the books of the sequences hold.
const propDocs = 4

// propHash is document i's hash; propHash(propDocs) is booked nowhere.
func propHash(i int) string { return fmt.Sprintf("%064x", i+1) }

func randomCommand(rng *rand.Rand, d *Dispenser, now time.Time, n *int) Command {
	desks := []DeskID{"d1", "d2", "d3", "nope"}
	desk := desks[rng.IntN(len(desks))]
	if rng.IntN(20) != 0 {
		desk = desks[rng.IntN(3)]
	}
	switch r := rng.IntN(100); {
	case r < 35:
		*n++
		is := Issue{Service: []ServiceID{"a", "a", "b", "b", "c", "x"}[rng.IntN(6)], ID: TicketID(fmt.Sprint("t", *n)), Token: fmt.Sprint("tok", *n)}
		switch k := rng.IntN(10); {
		case k < 2:
			is.Kind = Priority
		case k < 4:
			is.Kind = Appointment
			is.Slot = now.Add(time.Duration(rng.IntN(120)-40) * time.Minute).Truncate(5 * time.Minute)
		}
		if rng.IntN(50) == 0 {
			is.ID = "t1" // a duplicate
		}
		is.NoPaper = rng.IntN(5) == 0
		if is.Kind == Appointment && rng.IntN(2) == 0 {
			return CheckIn{DocumentHash: propHash(rng.IntN(propDocs + 1)), NoPaper: is.NoPaper, ID: is.ID, Token: is.Token}
		}
		return is
	case r < 60:
		return CallNext{Desk: desk}
	case r < 66:
		return Recall{Desk: desk}
	case r < 71:
		return Start{Desk: desk}
	case r < 80:
		return Finish{Desk: desk}
	case r < 84:
		return MarkNoShow{Desk: desk}
	case r < 88:
		return Transfer{Desk: desk, To: []ServiceID{"a", "b", "c", "x"}[rng.IntN(4)]}
	case r < 91:
		ts := d.Tickets()
		if len(ts) == 0 {
			return Cancel{Ticket: "none"}
		}
		return Cancel{Ticket: ts[rng.IntN(len(ts))].ID, Reason: "left"}
	case r < 92:
		// A book for today (or, now and then, tomorrow or yesterday) of
		// slots around now for a few documents, some twice.
		day := now
		if k := rng.IntN(10); k == 0 {
			day = now.AddDate(0, 0, 1)
		} else if k == 1 {
			day = now.AddDate(0, 0, -1)
		}
		b := Book{Day: d.DayOf(day)}
		for i := range rng.IntN(6) {
			slot := day.Add(time.Duration(rng.IntN(180)-60) * time.Minute).Truncate(5 * time.Minute)
			b.Appointments = append(b.Appointments, Booking{ID: AppointmentID(fmt.Sprint("c", i)), Slot: slot,
				Service: []ServiceID{"a", "b", "c"}[rng.IntN(3)], DocumentHash: propHash(rng.IntN(propDocs))})
		}
		return LoadBook{Book: b}
	case r < 94:
		return SetPrinter{Ready: rng.IntN(2) == 0, Reason: []string{"paper out", "cover open"}[rng.IntN(2)]}
	case r < 98:
		return SetDesk{Desk: desk, State: []DeskState{DeskOpen, DeskPaused, DeskClosed, "bogus"}[rng.IntN(4)]}
	}
	return Tick{}
}
