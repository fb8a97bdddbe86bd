package dispenser_test

import (
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestEstimate checks the first wait estimate, told at issue: the people
// ahead in the ticket's own service × the service's learned mean service
// time (the configured one before any is learned) ÷ the desks that serve it
// (the open ones; if none, the paused ones; if none, all of them).
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
		{name: "people ahead × service time ÷ one desk", setup: func(f *fixture) { issueN(f, a, 3) }, ahead: 3, wait: 15 * time.Minute},
		{name: "configured service time", svcTime: 8 * time.Minute, setup: func(f *fixture) { issueN(f, a, 2) }, ahead: 2, wait: 16 * time.Minute},
		{
			name:  "divided by the open desks that serve the service",
			desks: []dispenser.Desk{desk(desk1, a), desk("2", b, a), desk("3", b)},
			setup: func(f *fixture) { setDesks(f, open, open, open); issueN(f, a, 3) },
			ahead: 3, wait: 7*time.Minute + 30*time.Second,
		},
		{
			name:  "open desks only, when some are open",
			desks: []dispenser.Desk{desk(desk1, a), desk("2", a), desk("3", a, b)},
			setup: func(f *fixture) { setDesks(f, open, paused, closed); issueN(f, a, 3) },
			ahead: 3, wait: 15 * time.Minute,
		},
		{
			name:  "paused desks when none is open",
			desks: []dispenser.Desk{desk(desk1, a), desk("2", a), desk("3", a, b)},
			setup: func(f *fixture) { setDesks(f, paused, closed, closed); issueN(f, a, 3) },
			ahead: 3, wait: 15 * time.Minute,
		},
		{
			name:  "every desk that serves it when none is open or paused",
			desks: []dispenser.Desk{desk(desk1, a), desk("2", a), desk("3", a, b)},
			setup: func(f *fixture) { issueN(f, a, 3) },
			ahead: 3, wait: 5 * time.Minute,
		},
		{name: "only the ticket's own service counts", setup: func(f *fixture) { issueN(f, b, 3) }, ahead: 0, wait: 0},
		{
			name:  "priority ticket: only what goes before it",
			setup: func(f *fixture) { issueN(f, a, 3); f.issueKind(a, dispenser.Priority, time.Time{}) },
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
			name:  "learned mean of the completions, from the start",
			setup: func(f *fixture) { serve(f, 4*time.Minute, true); serve(f, 8*time.Minute, true); issueN(f, a, 3) },
			ahead: 3, wait: 18 * time.Minute,
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
			ahead: 1, wait: 3 * time.Minute,
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
		{name: "appointment waits at least until its slot", kind: dispenser.Appointment, slot: 30 * time.Minute, ahead: 0, wait: 30 * time.Minute},
		{
			name:  "due appointment: the queue ahead if longer",
			setup: func(f *fixture) { issueN(f, a, 3); f.issueKind(a, dispenser.Appointment, f.now.Add(-time.Minute)) },
			kind:  dispenser.Appointment, slot: 2 * time.Minute,
			ahead: 1, wait: 5 * time.Minute,
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
		{name: "one called", do: func() { f.call(desk1) }, ahead: 1, wait: 5 * time.Minute, ok: true},
		{name: "served in 1 minute: learned", do: func() { f.advance(time.Minute).call(desk1) }, ahead: 0, wait: 0, ok: true},
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
