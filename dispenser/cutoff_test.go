package dispenser_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestCutOff: a walk-in is refused when the estimate says it would not be
// called before the current opening range ends; the refusal says the
// closing time. El Masnou hours, 5-minute service time.
func TestCutOff(t *testing.T) {
	thu := func(hh, mm int) time.Time { return at(thursday, hh, mm) }
	for _, tc := range []struct {
		name    string
		rules   dispenser.Rules
		desks   int       // open desks serving A: 1 or 2
		ahead   int       // walk-ins waiting, issued at queueAt
		queueAt time.Time // default 13:30
		learn   bool      // two A tickets served in 2 minutes each before queueAt
		kind    dispenser.Kind
		now     time.Time
		until   time.Time // zero: issued
	}{
		{name: "Thursday morning: called before 14:00: issued", desks: 1, ahead: 2, now: thu(13, 49)},
		{name: "Thursday morning: called after 14:00: cut off until 14:00", desks: 1, ahead: 3, now: thu(13, 50), until: thu(14, 0)},
		{name: "Thursday morning: cut off though the afternoon session follows", desks: 1, ahead: 1, now: thu(13, 56), until: thu(14, 0)},
		{name: "Thursday morning: nobody ahead at 13:59: issued", desks: 1, now: thu(13, 59)},
		{name: "two open desks halve the wait: issued", desks: 2, ahead: 4, now: thu(13, 49)},
		{name: "two open desks: cut off", desks: 2, ahead: 5, now: thu(13, 50), until: thu(14, 0)},
		{name: "Thursday afternoon session: called before 19:00: issued", desks: 1, ahead: 3, queueAt: thu(18, 30), now: thu(18, 44)},
		{name: "Thursday afternoon session: cut off until 19:00", desks: 1, ahead: 4, queueAt: thu(18, 30), now: thu(18, 45), until: thu(19, 0)},
		{name: "NoCutOff issues until closing", rules: dispenser.Rules{NoCutOff: true}, desks: 1, ahead: 10, now: thu(13, 59)},
		{name: "priority ticket goes before the walk-ins: issued", desks: 1, ahead: 5, kind: dispenser.Priority, now: thu(13, 55)},
		{name: "learned service time lifts the cut-off", desks: 1, ahead: 4, learn: true, queueAt: thu(13, 40), now: thu(13, 51)},
		{name: "configured service time before any is learned", desks: 1, ahead: 4, queueAt: thu(13, 40), now: thu(13, 51), until: thu(14, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newConfig().hours(elMasnou()).rules(tc.rules).
				desks(desk(desk1, svcA), desk(desk2, svcA, svcB)).build()
			f := newFixture(t, cfg, thu(8, 30))
			f.do(dispenser.SetDesk{Desk: desk1, State: dispenser.DeskOpen, Clerk: "anna"})
			if tc.desks == 2 {
				f.do(dispenser.SetDesk{Desk: desk2, State: dispenser.DeskOpen, Clerk: "pere"})
			}
			if tc.learn {
				for range 2 {
					f.issue(svcA)
					f.call(desk1)
					f.advance(2 * time.Minute).do(dispenser.Finish{Desk: desk1})
				}
			}
			queueAt := tc.queueAt
			if queueAt.IsZero() {
				queueAt = thu(13, 30)
			}
			f.at(queueAt)
			for range tc.ahead {
				f.issue(svcA)
			}
			f.at(tc.now)
			c := f.newIssue(svcA)
			c.Kind = tc.kind
			admits := f.d.Admits(svcA, c.Kind, f.now)
			before := f.state()
			evs, err := f.try(c)
			if (admits == nil) != (err == nil) {
				t.Errorf("Admits = %v but Issue = %v", admits, err)
			}
			if !wantIssuedOrRefused(t, evs, err, dispenser.RefusedCutOff, svcA, tc.until) {
				return
			}
			if want := tc.until.In(madrid).Format("15:04"); !strings.Contains(err.Error(), want) {
				t.Errorf("refusal says %q, want it to name the closing time %s", err, want)
			}
			kind := c.Kind
			if kind == "" {
				kind = dispenser.WalkIn
			}
			wantTurnedAway(t, evs, svcA, kind, f.now)
			// Recorded, so the last change is now; nothing else changed.
			before.Last = f.now
			f.unchanged(before)
		})
	}
}

// cutOffFixture is El Masnou on a Thursday at 13:50, one desk open for
// service A with four priority tickets waiting since 13:30 (5 minutes
// each): a walk-in or a priority ticket is cut off, as it would be called
// at 14:10 or later. It returns the events of the day so far.
func cutOffFixture(t *testing.T) (*fixture, []dispenser.Event) {
	t.Helper()
	cfg := newConfig().hours(elMasnou()).desks(desk(desk1, svcA), desk(desk2, svcB)).build()
	f := newFixture(t, cfg, at(thursday, 8, 0))
	f.at(at(thursday, 8, 30))
	evs := f.do(dispenser.SetDesk{Desk: desk1, State: dispenser.DeskOpen, Clerk: "anna"})
	f.at(at(thursday, 13, 30))
	for range 4 {
		c := f.newIssue(svcA)
		c.Kind = dispenser.Priority
		evs = append(evs, f.do(c)...)
	}
	f.at(at(thursday, 13, 50))
	return f, evs
}

// TestCutOffRecorded: a walk-in or priority ticket refused for the cut-off
// is recorded as one TicketRefused event, returned with the refusal; it
// takes no number, and a mirror or a restart fed the log has the same
// queue as the dispenser that made it. Admits, which only asks, records
// nothing.
func TestCutOffRecorded(t *testing.T) {
	f, log := cutOffFixture(t)
	cfg := *f.d.Config()
	// The mirror starts from the snapshot of the day's start, as central's
	// has the events of the day.
	mirror := mustNew(t, cfg, dispenser.Snapshot{Day: f.d.Day()})
	for _, e := range log {
		mirror.Apply(e)
	}

	before := f.state()
	for _, kind := range []dispenser.Kind{dispenser.WalkIn, dispenser.Priority} {
		var r *dispenser.Refusal
		if err := f.d.Admits(svcA, kind, f.now); !errors.As(err, &r) || r.Reason != dispenser.RefusedCutOff {
			t.Fatalf("Admits(%s) = %v, want the cut-off", kind, err)
		}
	}
	f.unchanged(before)

	evs, err := f.try(f.newIssue(svcA))
	if !wantIssuedOrRefused(t, evs, err, dispenser.RefusedCutOff, svcA, at(thursday, 14, 0)) {
		t.Fatal("issued")
	}
	walkIn := wantTurnedAway(t, evs, svcA, dispenser.WalkIn, f.now)

	f.advance(time.Minute)
	c := f.newIssue(svcA)
	c.Kind = dispenser.Priority
	evs, err = f.try(c)
	if !wantIssuedOrRefused(t, evs, err, dispenser.RefusedCutOff, svcA, at(thursday, 14, 0)) {
		t.Fatal("issued")
	}
	priority := wantTurnedAway(t, evs, svcA, dispenser.Priority, f.now)
	before.Last = f.now
	f.unchanged(before)

	// Applied, they change nothing but the last time.
	for _, e := range []dispenser.Event{walkIn, priority} {
		mirror.Apply(e)
	}
	if got, want := (state{mirror.Tickets(), mirror.Desks(), mirror.Day(), mirror.Last()}), f.state(); !reflect.DeepEqual(got, want) {
		t.Errorf("mirror fed the events:\n got %+v\nwant %+v", got, want)
	}
	fresh := mustNew(t, cfg, dispenser.Snapshot{})
	fresh.Apply(walkIn)
	if len(fresh.Tickets()) != 0 || !fresh.Last().Equal(walkIn.Time) || fresh.Day() != "" {
		t.Errorf("a fresh dispenser applying %s: tickets %v, last %v, day %q", walkIn.Type, numbers(fresh.Tickets()), fresh.Last(), fresh.Day())
	}
	restarted := mustNew(t, cfg, f.snapshot())
	if got, want := (state{restarted.Tickets(), restarted.Desks(), restarted.Day(), restarted.Last()}), f.state(); !reflect.DeepEqual(got, want) {
		t.Errorf("restarted:\n got %+v\nwant %+v", got, want)
	}

	// No number was taken: the next ticket, an appointment (which the
	// cut-off lets in), is A005 in each.
	slot := at(thursday, 13, 45)
	if tk := f.issueKind(svcA, dispenser.Appointment, slot); tk.Number != "A005" {
		t.Errorf("next ticket %s, want A005", tk.Number)
	}
	for name, d := range map[string]*dispenser.Dispenser{"mirror": mirror, "restarted": restarted} {
		c := f.newIssue(svcA)
		c.Kind, c.Slot = dispenser.Appointment, slot
		evs, err := d.Handle(c, f.now)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := evs[len(evs)-1].Ticket.Number; n != "A005" {
			t.Errorf("%s: next ticket %s, want A005", name, n)
		}
	}
}

// TestCutOffRecordedLateCheckIn: a late arrival whose walk-in ticket the
// cut-off refuses is turned away by the queue too, and recorded as a
// walk-in refused.
func TestCutOffRecordedLateCheckIn(t *testing.T) {
	f, _ := cutOffFixture(t)
	f.loadBook(thursday, booking("c1", svcA, at(thursday, 12, 0), "12345678Z"))
	evs, err := f.checkIn("12345678Z")
	if r := refusal(t, err); r.Reason != dispenser.RefusedCutOff || r.Service != svcA {
		t.Fatalf("late check-in: %+v, want the cut-off", r)
	}
	wantTurnedAway(t, evs, svcA, dispenser.WalkIn, f.now)
}
