package dispenser_test

import (
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestEstimate checks the wait estimate told at issue: the office replayed
// forward with the calling rules, each desk freeing when its citizen is
// expected to be done (the learned walk-up and service time, or the
// configured service time before any is learned), a paused desk after a
// break; when no open or paused desk serves the service, the people ahead
// × the service time ÷ every desk that serves it.
func TestEstimate(t *testing.T) {
	a, b := svcA, svcB
	// serve has desk 1 serve one A ticket that takes d at the desk.
	serve := func(f *fixture, d time.Duration, start bool) {
		f.issue(a)
		f.call(desk1)
		if start {
			f.advance(30 * time.Second).do(dispenser.Start{Desk: desk1})
		}
		f.advance(d).do(dispenser.Finish{Desk: desk1})
	}
	issueN := func(f *fixture, svc dispenser.ServiceID, n int) {
		for range n {
			f.issue(svc)
		}
	}
	setDesks := func(f *fixture, states ...dispenser.DeskState) {
		for i, s := range states {
			if s != dispenser.DeskClosed {
				f.do(dispenser.SetDesk{Desk: dispenser.DeskID(string(rune('1' + i))), State: s, Clerk: "x"})
			}
		}
	}
	open, paused, closed := dispenser.DeskOpen, dispenser.DeskPaused, dispenser.DeskClosed
	for _, tc := range []struct {
		name    string
		rules   dispenser.Rules
		svcTime time.Duration    // A's configured service time; default 5m
		desks   []dispenser.Desk // default: desk 1 [A, B]
		setup   func(f *fixture) // before the ticket
		kind    dispenser.Kind   // of the ticket
		slot    time.Duration    // for an appointment, after now
		ahead   int
		wait    time.Duration
	}{
		{name: "nobody ahead: no wait", ahead: 0, wait: 0},
		{name: "every desk closed: people ahead × service time", setup: func(f *fixture) { issueN(f, a, 3) }, ahead: 3, wait: 15 * time.Minute},
		{name: "configured service time", svcTime: 8 * time.Minute, setup: func(f *fixture) { issueN(f, a, 2) }, ahead: 2, wait: 16 * time.Minute},
		{
			name:  "every desk closed: divided by the desks that serve it",
			desks: []dispenser.Desk{desk(desk1, a), desk("2", a), desk("3", a, b)},
			setup: func(f *fixture) { issueN(f, a, 3) },
			ahead: 3, wait: 5 * time.Minute,
		},
		{
			name:  "an open idle desk calls at once",
			setup: func(f *fixture) { setDesks(f, open) },
			ahead: 0, wait: 0,
		},
		{
			name:  "open desks each call the next as they free up",
			desks: []dispenser.Desk{desk(desk1, a), desk("2", b, a), desk("3", b)},
			setup: func(f *fixture) { setDesks(f, open, open, open); issueN(f, a, 3) },
			// 9:01 desks 1 and 2 call A1, A2; 9:06 desk 1 calls A3, desk 2 the ticket.
			ahead: 3, wait: 5 * time.Minute,
		},
		{
			name:  "another service first on a shared desk's profile",
			desks: []dispenser.Desk{desk(desk1, b, a)},
			setup: func(f *fixture) { setDesks(f, open); issueN(f, b, 2); issueN(f, a, 1) },
			// B1, B2, then A1, then the ticket: 3 × 5 min.
			ahead: 1, wait: 15 * time.Minute,
		},
		{
			name:  "the citizen at the desk: what is left of the mean",
			setup: func(f *fixture) { setDesks(f, open); issueN(f, a, 2); f.call(desk1) },
			// A1 called at 9:00, done at 9:05; A2 until 9:10.
			ahead: 1, wait: 9 * time.Minute,
		},
		{
			name: "the citizen at the desk past the mean: half a mean more",
			setup: func(f *fixture) {
				setDesks(f, open)
				issueN(f, a, 1)
				f.call(desk1)
				f.advance(20 * time.Minute)
			},
			ahead: 0, wait: 2*time.Minute + 30*time.Second,
		},
		{
			name:  "a paused desk comes back after a break",
			desks: []dispenser.Desk{desk(desk1, a), desk("2", a), desk("3", a, b)},
			setup: func(f *fixture) { setDesks(f, open, paused, closed); issueN(f, a, 3) },
			// Desk 1: 9:01 A1, 9:06 A2, 9:11 A3; desk 2 back at 9:15 calls the ticket.
			ahead: 3, wait: 14 * time.Minute,
		},
		{
			name:  "only paused desks: after the break",
			desks: []dispenser.Desk{desk(desk1, a), desk("2", a), desk("3", a, b)},
			setup: func(f *fixture) { setDesks(f, paused, closed, closed); issueN(f, a, 3) },
			ahead: 3, wait: 29 * time.Minute,
		},
		{
			name: "the break learned today",
			setup: func(f *fixture) {
				setDesks(f, paused)
				f.advance(6 * time.Minute)
				setDesks(f, open)
				setDesks(f, paused)
				issueN(f, a, 1)
			},
			// Back at 9:12 after a 6-minute break; A1 until 9:17.
			ahead: 1, wait: 10 * time.Minute,
		},
		{name: "only the ticket's own service counts", setup: func(f *fixture) { issueN(f, b, 3) }, ahead: 0, wait: 0},
		{
			name:  "priority ticket: only what goes before it",
			setup: func(f *fixture) { setDesks(f, open); issueN(f, a, 3); f.issueKind(a, dispenser.Priority, time.Time{}) },
			kind:  dispenser.Priority, ahead: 1, wait: 5 * time.Minute,
		},
		{
			name:    "rounded to the second",
			svcTime: 100 * time.Second,
			desks:   []dispenser.Desk{desk(desk1, a, b), desk("2", a), desk("3", a)},
			setup:   func(f *fixture) { issueN(f, a, 1) },
			ahead:   1, wait: 33 * time.Second,
		},
		{
			name:  "learned walk-up and service time, from the start",
			setup: func(f *fixture) { serve(f, 4*time.Minute, true); serve(f, 8*time.Minute, true); issueN(f, a, 3) },
			// Three ahead at 30 s + 6 min each.
			ahead: 3, wait: 19*time.Minute + 30*time.Second,
		},
		{
			name:  "learned from the call when never started",
			setup: func(f *fixture) { serve(f, 3*time.Minute, false); issueN(f, a, 2) },
			ahead: 2, wait: 6 * time.Minute,
		},
		{
			name:  "learned from the LearnFrom most recent completions",
			rules: dispenser.Rules{LearnFrom: 2},
			setup: func(f *fixture) {
				serve(f, 10*time.Minute, true)
				serve(f, 2*time.Minute, true)
				serve(f, 4*time.Minute, true)
				issueN(f, a, 1)
			},
			ahead: 1, wait: 3*time.Minute + 30*time.Second,
		},
		{
			name: "completions of other services do not count",
			setup: func(f *fixture) {
				f.issue(b)
				f.call(desk1)
				f.advance(time.Minute).do(dispenser.Finish{Desk: desk1})
				issueN(f, a, 1)
			},
			ahead: 1, wait: 5 * time.Minute,
		},
		{
			name: "the share who leave before their turn",
			setup: func(f *fixture) {
				// 10 A tickets: 6 served, 4 left: 40 % of those ahead leave.
				for i := range 10 {
					tk := f.issue(a)
					if i < 4 {
						f.do(dispenser.Cancel{Ticket: tk.ID, Reason: "left"})
						continue
					}
					f.call(desk1)
					f.advance(5 * time.Minute).do(dispenser.Finish{Desk: desk1})
				}
				f.advance(time.Minute)
				issueN(f, a, 5)
			},
			// Five ahead at 5 min × 60 %.
			ahead: 5, wait: 15 * time.Minute,
		},
		{
			name:  "appointment due: called first by an open desk",
			setup: func(f *fixture) { setDesks(f, open); issueN(f, a, 3) },
			kind:  dispenser.Appointment, slot: 2 * time.Minute,
			ahead: 0, wait: 0,
		},
		{
			name: "appointment due: after the appointment due before it",
			setup: func(f *fixture) {
				setDesks(f, open)
				issueN(f, a, 3)
				f.issueKind(a, dispenser.Appointment, f.now.Add(-time.Minute))
			},
			kind: dispenser.Appointment, slot: 2 * time.Minute,
			ahead: 1, wait: 5 * time.Minute,
		},
		{
			name:  "appointment before it is due: after the walk-ins",
			setup: func(f *fixture) { setDesks(f, open); issueN(f, a, 2) },
			kind:  dispenser.Appointment, slot: 30 * time.Minute,
			ahead: 2, wait: 10 * time.Minute,
		},
		{
			name: "every desk closed: an appointment waits at least until its slot",
			kind: dispenser.Appointment, slot: 30 * time.Minute, ahead: 0, wait: 30 * time.Minute,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb := newConfig().rules(tc.rules)
			if tc.svcTime != 0 {
				cb.service(a, func(s *dispenser.Service) { s.ServiceTime = tc.svcTime })
			}
			if tc.desks != nil {
				cb.desks(tc.desks...)
			}
			f := newFixture(t, cb.build(), at(thursday, 9, 0))
			if tc.setup != nil {
				tc.setup(f)
			}
			f.advance(time.Minute)
			var slot time.Time
			if tc.kind == dispenser.Appointment {
				slot = f.now.Add(tc.slot)
			}
			kind := tc.kind
			if kind == "" {
				kind = dispenser.WalkIn
			}
			tk := f.issueKind(a, kind, slot)
			if tk.Ahead != tc.ahead || tk.Estimate != tc.wait {
				t.Errorf("ticket told %d ahead, %s; want %d, %s", tk.Ahead, tk.Estimate, tc.ahead, tc.wait)
			}
			ahead, wait, ok := f.d.Estimate(tk.ID, f.now)
			if !ok || ahead != tk.Ahead || wait != tk.Estimate {
				t.Errorf("Estimate = %d, %s, %v; want what the ticket was told", ahead, wait, ok)
			}
		})
	}
}

// TestEstimateAsTheQueueMoves: the estimate of a waiting ticket follows the
// queue; tickets not waiting have none.
func TestEstimateAsTheQueueMoves(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	f.issue(svcA)
	f.issue(svcA)
	tk := f.issue(svcA)
	for _, step := range []struct {
		name  string
		do    func()
		ahead int
		wait  time.Duration
		ok    bool
	}{
		{name: "at issue", do: func() {}, ahead: 2, wait: 10 * time.Minute, ok: true},
		// A1 at the desk until 9:05, A2 until 9:10.
		{name: "one called", do: func() { f.call(desk1) }, ahead: 1, wait: 10 * time.Minute, ok: true},
		// A1 served in a minute: A2, called at 9:01, is expected done at 9:02.
		{name: "served in 1 minute: learned", do: func() { f.advance(time.Minute).call(desk1) }, ahead: 0, wait: time.Minute, ok: true},
		{name: "called: no estimate", do: func() { f.call(desk1) }},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.do()
			ahead, wait, ok := f.d.Estimate(tk.ID, f.now)
			if ahead != step.ahead || wait != step.wait || ok != step.ok {
				t.Errorf("Estimate = %d, %s, %v; want %d, %s, %v", ahead, wait, ok, step.ahead, step.wait, step.ok)
			}
		})
	}
	if _, _, ok := f.d.Estimate("nope", f.now); ok {
		t.Errorf("Estimate of an unknown ticket: ok")
	}
}

// TestEstimateLearnedSurvives: what the estimate has learned today (service
// and walk-up times, the share who leave) is the same in a dispenser
// restored from the store's snapshot and in a mirror fed the events, as in
// the one that made them.
func TestEstimateLearnedSurvives(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	mirror, err := dispenser.New(newConfig().build(), dispenser.Snapshot{})
	if err != nil {
		t.Fatal(err)
	}
	do := func(cmd dispenser.Command) {
		for _, e := range f.do(cmd) {
			mirror.Apply(e)
		}
	}
	issue := func() dispenser.Ticket {
		t.Helper()
		c := f.newIssue(svcA)
		evs := f.do(c)
		for _, e := range evs {
			mirror.Apply(e)
		}
		return *evs[len(evs)-1].Ticket
	}
	for i := range 12 {
		tk := issue()
		if i%3 == 0 {
			do(dispenser.Cancel{Ticket: tk.ID, Reason: "left"})
			continue
		}
		do(dispenser.CallNext{Desk: desk1, Clerk: "anna"})
		f.advance(40 * time.Second)
		do(dispenser.Start{Desk: desk1})
		f.advance(time.Duration(3+i) * time.Minute)
		do(dispenser.Finish{Desk: desk1})
	}
	for range 4 {
		issue()
	}
	last := issue()
	f.advance(time.Minute)
	_, want, ok := f.d.Estimate(last.ID, f.now)
	if !ok {
		t.Fatal("no estimate")
	}
	restored, err := dispenser.New(newConfig().build(), f.snapshot())
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]*dispenser.Dispenser{"restored": restored, "mirror": mirror} {
		if _, got, _ := d.Estimate(last.ID, f.now); got != want {
			t.Errorf("%s: estimate %s, want %s", name, got, want)
		}
		lo, hi := f.d.Range(want)
		if l, h := d.Range(want); l != lo || h != hi {
			t.Errorf("%s: range %s–%s, want %s–%s", name, l, h, lo, hi)
		}
	}
	// Four ahead of 40 s + 9 min (the mean of 4, 5, 7, 8, 10, 11, 13 and
	// 14 min), of whom 1 − 4/12 stay.
	if w := 4 * (40*time.Second + 9*time.Minute) * 2 / 3; want != w.Round(time.Second) {
		t.Errorf("estimate %s, want %s", want, w.Round(time.Second))
	}
}

// TestRange: before ten first calls the range is −30 % to +50 % of the
// estimate plus 5 minutes; then the 5th and 95th percentiles of today's
// errors, each relative to its estimate plus 5 minutes.
func TestRange(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	if lo, hi := f.d.Range(10 * time.Minute); lo != 5*time.Minute+30*time.Second || hi != 17*time.Minute+30*time.Second {
		t.Errorf("range of 10 min before any call: %s–%s, want 5m30s–17m30s", lo, hi)
	}
	if lo, hi := f.d.Range(0); lo != 0 || hi != 2*time.Minute+30*time.Second {
		t.Errorf("range of no wait: %s–%s, want 0s–2m30s", lo, hi)
	}
	f.do(dispenser.SetDesk{Desk: desk1, State: dispenser.DeskOpen, Clerk: "anna"})
	// 21 tickets, each estimated at no wait (an idle desk), called after
	// 0, 30 s, … 10 min: relative errors 0, 0.1, … 2.
	for i := range 21 {
		f.issue(svcA)
		f.advance(time.Duration(i) * 30 * time.Second)
		f.call(desk1)
		f.do(dispenser.Finish{Desk: desk1})
	}
	// 5th percentile 0.1, 95th 1.9: of (10 + 5) min, 1.5 and 28.5 min.
	if lo, hi := f.d.Range(10 * time.Minute); lo != 11*time.Minute+30*time.Second || hi != 38*time.Minute+30*time.Second {
		t.Errorf("range of 10 min: %s–%s, want 11m30s–38m30s", lo, hi)
	}
}
