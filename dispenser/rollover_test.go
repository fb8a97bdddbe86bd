package dispenser_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestRolloverAtLocalMidnightAcrossDST issues a ticket at each step, given
// in UTC, and checks which local business day it falls in: the day turns at
// local midnight in Europe/Madrid, which is 23:00 UTC in winter and 22:00
// UTC in summer, and the days of the 2026 DST changes last 23 and 25 hours.
func TestRolloverAtLocalMidnightAcrossDST(t *testing.T) {
	type step struct {
		utc      time.Time
		local    string // the same instant on a Madrid wall clock
		rollover bool   // this command starts a new business day
		day      dispenser.Date
		number   string
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{
			name: "spring forward 2026-03-29: first command of the day at 00:00:01 local",
			steps: []step{
				{utc(2026, 3, 28, 22, 58, 0), "2026-03-28 23:58:00 CET", false, "2026-03-28", "A001"},
				{utc(2026, 3, 28, 22, 59, 0), "2026-03-28 23:59:00 CET", false, "2026-03-28", "A002"},
				{utc(2026, 3, 28, 22, 59, 59), "2026-03-28 23:59:59 CET", false, "2026-03-28", "A003"},
				{utc(2026, 3, 28, 23, 0, 1), "2026-03-29 00:00:01 CET", true, "2026-03-29", "A001"},
				{utc(2026, 3, 28, 23, 30, 0), "2026-03-29 00:30:00 CET", false, "2026-03-29", "A002"},
				{utc(2026, 3, 29, 0, 59, 59), "2026-03-29 01:59:59 CET", false, "2026-03-29", "A003"},
				{utc(2026, 3, 29, 1, 0, 0), "2026-03-29 03:00:00 CEST", false, "2026-03-29", "A004"},
				{utc(2026, 3, 29, 21, 59, 59), "2026-03-29 23:59:59 CEST", false, "2026-03-29", "A005"},
				{utc(2026, 3, 29, 22, 0, 0), "2026-03-30 00:00:00 CEST", true, "2026-03-30", "A001"},
			},
		},
		{
			name: "spring forward 2026-03-29: first command of the day at 23:30 UTC on the 28th",
			steps: []step{
				{utc(2026, 3, 28, 22, 59, 0), "2026-03-28 23:59:00 CET", false, "2026-03-28", "A001"},
				{utc(2026, 3, 28, 23, 30, 0), "2026-03-29 00:30:00 CET", true, "2026-03-29", "A001"},
				{utc(2026, 3, 28, 23, 31, 0), "2026-03-29 00:31:00 CET", false, "2026-03-29", "A002"},
			},
		},
		{
			name: "fall back 2026-10-25: midnight local is 22:00 UTC the day before",
			steps: []step{
				{utc(2026, 10, 24, 21, 58, 0), "2026-10-24 23:58:00 CEST", false, "2026-10-24", "A001"},
				{utc(2026, 10, 24, 21, 59, 59), "2026-10-24 23:59:59 CEST", false, "2026-10-24", "A002"},
				{utc(2026, 10, 24, 22, 0, 1), "2026-10-25 00:00:01 CEST", true, "2026-10-25", "A001"},
				{utc(2026, 10, 25, 0, 30, 0), "2026-10-25 02:30:00 CEST", false, "2026-10-25", "A002"},
				{utc(2026, 10, 25, 1, 30, 0), "2026-10-25 02:30:00 CET", false, "2026-10-25", "A003"},
				{utc(2026, 10, 25, 22, 59, 59), "2026-10-25 23:59:59 CET", false, "2026-10-25", "A004"},
				{utc(2026, 10, 25, 23, 0, 0), "2026-10-26 00:00:00 CET", true, "2026-10-26", "A001"},
			},
		},
		{
			name: "fall back 2026-10-25: 23:30 UTC on the 24th is already the 25th",
			steps: []step{
				{utc(2026, 10, 24, 21, 59, 0), "2026-10-24 23:59:00 CEST", false, "2026-10-24", "A001"},
				{utc(2026, 10, 24, 23, 30, 0), "2026-10-25 01:30:00 CEST", true, "2026-10-25", "A001"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newConfig().rules(dispenser.Rules{NoCutOff: true}).build()
			f := newFixture(t, cfg, tc.steps[0].utc.Add(-time.Hour))
			for _, s := range tc.steps {
				if got := s.utc.In(madrid).Format("2006-01-02 15:04:05 MST"); got != s.local {
					t.Fatalf("test data: %s is %s in Madrid, not %s", s.utc, got, s.local)
				}
				evs := f.at(s.utc).do(f.newIssue(svcA))
				started := slices.IndexFunc(evs, func(e dispenser.Event) bool { return e.Type == dispenser.DayStarted })
				if s.rollover != (started >= 0) {
					t.Errorf("%s: events %v, want a new day: %v", s.local, types(evs), s.rollover)
				}
				if started >= 0 && evs[started].Day != s.day {
					t.Errorf("%s: day started %s, want %s", s.local, evs[started].Day, s.day)
				}
				tk := lastEvent(t, evs, dispenser.TicketIssued).Ticket
				if tk.Number != s.number || tk.Day != s.day || f.d.Day() != s.day || f.d.DayOf(s.utc) != s.day {
					t.Errorf("%s: ticket %s of %s (dispenser day %s), want %s of %s", s.local, tk.Number, tk.Day, f.d.Day(), s.number, s.day)
				}
			}
		})
	}
}

// TestRolloverClosesTheDay: the first command of a new business day
// cancels the tickets still open with ReasonDayEnded, closes the desks,
// starts the day with DayStarted and restarts the counters at 1; the new
// day forgets the old tickets and the service times learned.
func TestRolloverClosesTheDay(t *testing.T) {
	cfg := newConfig().desks(desk(desk1, svcA, svcB), desk(desk2, svcB)).build()
	f := newFixture(t, cfg, at(thursday, 9, 0))
	a1 := f.issue(svcA)
	a2 := f.issue(svcA)
	a3 := f.issue(svcA)
	b1 := f.issue(svcB)
	f.call(desk1) // a1
	f.advance(2 * time.Minute).call(desk1)
	// a1 is done after 2 minutes; a2 is called at desk 1; a3 and b1 wait.
	f.do(dispenser.SetDesk{Desk: desk2, State: dispenser.DeskPaused, Clerk: "pere"})

	friday8 := at(friday, 8, 0)
	evs := f.at(friday8).do(dispenser.Tick{})
	want := []dispenser.EventType{
		dispenser.TicketCancelled, dispenser.TicketCancelled, dispenser.TicketCancelled,
		dispenser.DeskChanged, dispenser.DeskChanged, dispenser.DayStarted,
	}
	if got := types(evs); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	t.Run("open tickets cancelled with ReasonDayEnded", func(t *testing.T) {
		var got []dispenser.TicketID
		for _, e := range evs[:3] {
			got = append(got, e.Ticket.ID)
			if e.Ticket.State != dispenser.Cancelled || e.Ticket.Reason != dispenser.ReasonDayEnded || !e.Ticket.Ended.Equal(friday8) {
				t.Errorf("%s: state %s reason %q ended %s", e.Ticket.Number, e.Ticket.State, e.Ticket.Reason, e.Ticket.Ended)
			}
		}
		slices.Sort(got)
		if want := []dispenser.TicketID{a2.ID, a3.ID, b1.ID}; !slices.Equal(got, want) {
			t.Errorf("cancelled %v, want %v (not the done %s)", got, want, a1.ID)
		}
	})
	t.Run("desks closed", func(t *testing.T) {
		for _, e := range evs[3:5] {
			if e.Desk.State != dispenser.DeskClosed || e.Desk.Current != "" || e.Desk.Clerk != "" || !e.Desk.Since.Equal(friday8) {
				t.Errorf("desk event %+v, want closed now with no ticket or clerk", *e.Desk)
			}
		}
		for _, ds := range f.d.Desks() {
			if ds.State != dispenser.DeskClosed || ds.Current != "" || ds.Clerk != "" {
				t.Errorf("desk %+v, want closed", ds)
			}
		}
	})
	t.Run("DayStarted", func(t *testing.T) {
		e := evs[5]
		if e.Day != "2026-03-27" || !e.Time.Equal(friday8) || f.d.Day() != "2026-03-27" || !f.d.Last().Equal(friday8) {
			t.Errorf("day started %s at %s; dispenser day %s last %s", e.Day, e.Time, f.d.Day(), f.d.Last())
		}
	})
	t.Run("old tickets forgotten", func(t *testing.T) {
		if ts := f.d.Tickets(); len(ts) != 0 {
			t.Errorf("Tickets() = %v, want none", numbers(ts))
		}
		if _, ok := f.d.Ticket(a3.ID); ok {
			t.Errorf("Ticket(%s) of yesterday found", a3.ID)
		}
		if _, ok := f.d.TicketByToken(a3.Token); ok {
			t.Errorf("TicketByToken of yesterday found")
		}
	})
	t.Run("counters restart at 1, learned times forgotten", func(t *testing.T) {
		f.at(at(friday, 9, 0))
		if tk := f.issue(svcB); tk.Number != "B001" {
			t.Errorf("first B = %s, want B001", tk.Number)
		}
		if tk := f.issue(svcA); tk.Number != "A001" {
			t.Errorf("first A = %s, want A001", tk.Number)
		}
		// Only desk 1 serves A: one A ahead × the configured 5 minutes,
		// not yesterday's learned 2.
		if tk := f.issue(svcA); tk.Number != "A002" || tk.Ahead != 1 || tk.Estimate != 5*time.Minute {
			t.Errorf("second A = %s, %d ahead, %s; want A002, 1 ahead, 5m", tk.Number, tk.Ahead, tk.Estimate)
		}
	})
	t.Run("no second rollover the same day", func(t *testing.T) {
		if evs := f.at(at(friday, 23, 59)).do(dispenser.Tick{}); len(evs) != 0 {
			t.Errorf("Tick later the same day: events %v, want none", types(evs))
		}
	})
}

// TestRolloverTicketAtTheDesk: a ticket called or being served at a desk at
// the rollover is cancelled with ReasonDayEnded, so that no made-up service
// time enters the figures.
func TestRolloverTicketAtTheDesk(t *testing.T) {
	for _, tc := range []struct {
		name    string
		started bool
		state   dispenser.State
		event   dispenser.EventType
	}{
		{name: "called ticket is cancelled", state: dispenser.Cancelled, event: dispenser.TicketCancelled},
		{name: "ticket being served is cancelled", started: true, state: dispenser.Cancelled, event: dispenser.TicketCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, newConfig().build(), at(thursday, 18, 50))
			tk := f.issue(svcA)
			f.call(desk1)
			if tc.started {
				f.do(dispenser.Start{Desk: desk1})
			}
			evs := f.at(at(friday, 0, 0)).do(dispenser.Tick{})
			e := evs[0]
			if e.Type != tc.event || e.Ticket.ID != tk.ID || e.Ticket.State != tc.state || !e.Ticket.Ended.Equal(f.now) {
				t.Errorf("first event %s with ticket %s %s, want %s with %s", e.Type, e.Ticket.Number, e.Ticket.State, tc.event, tc.state)
			}
			if tc.state == dispenser.Cancelled && e.Ticket.Reason != dispenser.ReasonDayEnded {
				t.Errorf("reason %q, want %q", e.Ticket.Reason, dispenser.ReasonDayEnded)
			}
		})
	}
}

// TestRolloverWithRefusedCommand: the day rollover happens even if the
// command that brings it is refused; its events come back with the error.
func TestRolloverWithRefusedCommand(t *testing.T) {
	cfg := newConfig().hours(elMasnou()).build()
	f := newFixture(t, cfg, at(thursday, 13, 0))
	f.issue(svcA)
	evs, err := f.at(at(friday, 16, 30)).try(f.newIssue(svcA))
	var r *dispenser.Refusal
	if !errors.As(err, &r) || r.Reason != dispenser.RefusedClosed || !r.Until.Equal(at(monday, 8, 30)) {
		t.Fatalf("Issue on Friday 16:30 = %v, want closed until Monday 8:30", err)
	}
	want := []dispenser.EventType{dispenser.TicketCancelled, dispenser.DayStarted}
	if got := types(evs); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if f.d.Day() != "2026-03-27" || len(f.d.Tickets()) != 0 || !f.d.Last().Equal(f.now) {
		t.Errorf("day %s, tickets %v, last %s: want Friday, none, now", f.d.Day(), numbers(f.d.Tickets()), f.d.Last())
	}
}

// TestRolloverAfterRestart: a dispenser restored from yesterday's snapshot
// closes yesterday at its first command; one restored from today's goes on.
func TestRolloverAfterRestart(t *testing.T) {
	cfg := newConfig().build()
	for _, tc := range []struct {
		name     string
		now      time.Time
		rollover bool
		number   string
	}{
		{name: "same day: numbers carry on", now: at(thursday, 17, 0), number: "A003"},
		{name: "next day: yesterday closed, numbers restart", now: at(friday, 9, 0), rollover: true, number: "A001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, cfg, at(thursday, 16, 0))
			f.issue(svcA)
			f.issue(svcA)
			f.call(desk1)
			g := &fixture{t: t, d: mustNew(t, cfg, f.snapshot()), now: tc.now, seq: f.seq}
			if !reflect.DeepEqual(f.state(), g.state()) {
				t.Fatalf("restored state differs:\n%+v\n%+v", f.state(), g.state())
			}
			evs := g.do(g.newIssue(svcA))
			want := []dispenser.EventType{dispenser.TicketIssued}
			if tc.rollover {
				want = []dispenser.EventType{dispenser.TicketCancelled, dispenser.TicketCancelled, dispenser.DeskChanged, dispenser.DayStarted, dispenser.TicketIssued}
			}
			if got := types(evs); !slices.Equal(got, want) {
				t.Errorf("events %v, want %v", got, want)
			}
			if tk := lastEvent(t, evs, dispenser.TicketIssued).Ticket; tk.Number != tc.number {
				t.Errorf("ticket %s, want %s", tk.Number, tc.number)
			}
		})
	}
}

func TestFirstCommandStartsTheDay(t *testing.T) {
	d := mustNew(t, newConfig().build(), dispenser.Snapshot{})
	now := at(thursday, 9, 0)
	evs, err := d.Handle(dispenser.Issue{Service: svcA, ID: "x", Token: "y"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := types(evs), []dispenser.EventType{dispenser.DayStarted, dispenser.TicketIssued}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if evs[0].Day != "2026-03-26" || d.Day() != "2026-03-26" || evs[1].Ticket.Number != "A001" {
		t.Errorf("day %s, ticket %s; want 2026-03-26, A001", d.Day(), evs[1].Ticket.Number)
	}
}

// TestRecordedTimeNeverGoesBackwards: a command with a clock behind the
// last change is recorded at the last change (DESIGN.md, "Time on a Pi").
func TestRecordedTimeNeverGoesBackwards(t *testing.T) {
	ten := at(thursday, 10, 0)
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, f *fixture)
	}{
		{name: "issue with an earlier clock is recorded at the last time", run: func(t *testing.T, f *fixture) {
			f.at(ten).issue(svcA)
			tk := f.at(ten.Add(-time.Hour)).issue(svcA)
			if !tk.Issued.Equal(ten) || !tk.Queued.Equal(ten) || !f.d.Last().Equal(ten) {
				t.Errorf("issued %s queued %s last %s, want all %s", tk.Issued, tk.Queued, f.d.Last(), ten)
			}
		}},
		{name: "desk action with an earlier clock is recorded at the last time", run: func(t *testing.T, f *fixture) {
			f.at(ten).issue(svcA)
			f.call(desk1)
			evs := f.at(ten.Add(-time.Minute)).do(dispenser.Finish{Desk: desk1})
			if e := evs[0]; !e.Time.Equal(ten) || !e.Ticket.Ended.Equal(ten) {
				t.Errorf("event at %s, ended %s; want %s", e.Time, e.Ticket.Ended, ten)
			}
		}},
		{name: "an earlier clock does not go back to the previous day", run: func(t *testing.T, f *fixture) {
			midnight := local(2026, time.March, 27, 0, 0, 1)
			f.at(thursday.Add(23 * time.Hour)).issue(svcA)
			f.at(midnight).issue(svcA) // Friday's A001
			evs := f.at(local(2026, time.March, 26, 23, 59, 0)).do(f.newIssue(svcA))
			tk := lastEvent(t, evs, dispenser.TicketIssued).Ticket
			if len(evs) != 1 || tk.Day != "2026-03-27" || tk.Number != "A002" || !tk.Issued.Equal(midnight) {
				t.Errorf("events %v, ticket %s of %s issued %s; want only A002 of Friday at %s", types(evs), tk.Number, tk.Day, tk.Issued, midnight)
			}
		}},
		{name: "a tick with an earlier clock changes nothing", run: func(t *testing.T, f *fixture) {
			f.at(ten).issue(svcA)
			before := f.state()
			if evs := f.at(ten.Add(-24 * time.Hour)).do(dispenser.Tick{}); len(evs) != 0 {
				t.Errorf("events %v, want none", types(evs))
			}
			f.unchanged(before)
		}},
		{name: "a later clock moves the last time", run: func(t *testing.T, f *fixture) {
			f.at(ten).issue(svcA)
			f.at(ten.Add(time.Minute)).issue(svcA)
			if !f.d.Last().Equal(ten.Add(time.Minute)) {
				t.Errorf("last %s, want %s", f.d.Last(), ten.Add(time.Minute))
			}
		}},
		{name: "a refused command does not move the last time", run: func(t *testing.T, f *fixture) {
			f.at(ten).issue(svcA)
			if _, err := f.at(ten.Add(time.Hour)).try(dispenser.Finish{Desk: desk1}); err == nil {
				t.Fatal("Finish with no ticket accepted")
			}
			if tk := f.at(ten.Add(time.Minute)).issue(svcA); !tk.Issued.Equal(ten.Add(time.Minute)) {
				t.Errorf("issued %s, want %s", tk.Issued, ten.Add(time.Minute))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newFixture(t, newConfig().build(), at(thursday, 8, 0)))
		})
	}
}
