package dispenser_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestTicketLifeCycle walks a ticket through waiting → called → serving →
// done, checking each step's events, ticket and desk.
func TestTicketLifeCycle(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	tk := f.issue(svcA)
	if tk.State != dispenser.Waiting {
		t.Fatalf("issued ticket is %s, want waiting", tk.State)
	}
	for _, step := range []struct {
		name   string
		at     time.Time
		cmd    dispenser.Command
		events []dispenser.EventType
		state  dispenser.State
		check  func(t *testing.T, tk dispenser.Ticket, ds dispenser.DeskStatus)
	}{
		{
			name: "called", at: at(thursday, 9, 5), cmd: dispenser.CallNext{Desk: desk1, Clerk: "anna"},
			events: []dispenser.EventType{dispenser.DeskChanged, dispenser.TicketCalled}, state: dispenser.Called,
			check: func(t *testing.T, tk dispenser.Ticket, ds dispenser.DeskStatus) {
				if tk.Desk != desk1 || tk.Clerk != "anna" || tk.Calls != 1 || !tk.Called.Equal(at(thursday, 9, 5)) || !tk.FirstCalled.Equal(tk.Called) {
					t.Errorf("called ticket %+v", tk)
				}
				if ds.State != dispenser.DeskOpen || ds.Current != tk.ID || ds.Clerk != "anna" || !ds.Since.Equal(at(thursday, 9, 5)) {
					t.Errorf("desk %+v, want open by anna at 9:05 with %s", ds, tk.ID)
				}
			},
		},
		{
			name: "serving", at: at(thursday, 9, 6), cmd: dispenser.Start{Desk: desk1},
			events: []dispenser.EventType{dispenser.TicketStarted}, state: dispenser.Serving,
			check: func(t *testing.T, tk dispenser.Ticket, ds dispenser.DeskStatus) {
				if !tk.Started.Equal(at(thursday, 9, 6)) || ds.Current != tk.ID {
					t.Errorf("started %s, desk current %s", tk.Started, ds.Current)
				}
			},
		},
		{
			name: "done", at: at(thursday, 9, 12), cmd: dispenser.Finish{Desk: desk1},
			events: []dispenser.EventType{dispenser.TicketDone}, state: dispenser.Done,
			check: func(t *testing.T, tk dispenser.Ticket, ds dispenser.DeskStatus) {
				if !tk.Ended.Equal(at(thursday, 9, 12)) || ds.Current != "" || ds.State != dispenser.DeskOpen {
					t.Errorf("ended %s, desk %+v: want ended 9:12 and the desk open and free", tk.Ended, ds)
				}
				if !tk.State.Final() {
					t.Errorf("done is not final")
				}
			},
		},
	} {
		t.Run(step.name, func(t *testing.T) {
			evs := f.at(step.at).do(step.cmd)
			if got := types(evs); !slices.Equal(got, step.events) {
				t.Errorf("events %v, want %v", got, step.events)
			}
			for _, e := range evs {
				if !e.Time.Equal(step.at) {
					t.Errorf("%s event at %s, want %s", e.Type, e.Time, step.at)
				}
			}
			got := f.ticket(tk.ID)
			if got.State != step.state {
				t.Errorf("ticket is %s, want %s", got.State, step.state)
			}
			step.check(t, got, f.desk(desk1))
		})
	}
}

func TestCallNextFinishesCurrentAsDone(t *testing.T) {
	for _, tc := range []struct {
		name    string
		started bool
	}{
		{name: "current ticket called"},
		{name: "current ticket being served", started: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
			a1 := f.issue(svcA)
			a2 := f.issue(svcA)
			f.at(at(thursday, 9, 1)).call(desk1)
			if tc.started {
				f.do(dispenser.Start{Desk: desk1})
			}
			evs := f.at(at(thursday, 9, 7)).do(dispenser.CallNext{Desk: desk1})
			if got, want := types(evs), []dispenser.EventType{dispenser.TicketDone, dispenser.TicketCalled}; !slices.Equal(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
			if e := evs[0]; e.Ticket.ID != a1.ID || e.Ticket.State != dispenser.Done || !e.Ticket.Ended.Equal(f.now) {
				t.Errorf("first event ticket %+v, want %s done at 9:07", e.Ticket, a1.Number)
			}
			if got := f.ticket(a1.ID); got.State != dispenser.Done {
				t.Errorf("%s is %s, want done", a1.Number, got.State)
			}
			if ds := f.desk(desk1); ds.Current != a2.ID {
				t.Errorf("desk current %s, want %s", ds.Current, a2.ID)
			}
		})
	}
	t.Run("nobody else waiting: refused, current ticket kept", func(t *testing.T) {
		f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
		a1 := f.issue(svcA)
		f.call(desk1)
		before := f.state()
		evs, err := f.advance(time.Minute).try(dispenser.CallNext{Desk: desk1})
		if !errors.Is(err, dispenser.ErrNobodyWaiting) || len(evs) != 0 {
			t.Fatalf("CallNext = %v, %v; want ErrNobodyWaiting and no events", types(evs), err)
		}
		f.unchanged(before)
		if got := f.ticket(a1.ID); got.State != dispenser.Called {
			t.Errorf("%s is %s, want still called", a1.Number, got.State)
		}
	})
}

func TestCallNextOpensDesk(t *testing.T) {
	for _, tc := range []struct {
		name      string
		setup     []dispenser.Command // before anyone waits
		clerk     string
		opens     bool // a DeskChanged event comes first
		wantClerk string
	}{
		{name: "closed desk with someone waiting opens", clerk: "anna", opens: true, wantClerk: "anna"},
		{name: "paused desk with someone waiting opens and keeps its clerk",
			setup: []dispenser.Command{dispenser.SetDesk{Desk: desk1, State: dispenser.DeskPaused, Clerk: "anna"}},
			opens: true, wantClerk: "anna"},
		{name: "open desk stays open",
			setup: []dispenser.Command{dispenser.SetDesk{Desk: desk1, State: dispenser.DeskOpen, Clerk: "anna"}},
			clerk: "anna", wantClerk: "anna"},
		{name: "open desk changes clerk",
			setup: []dispenser.Command{dispenser.SetDesk{Desk: desk1, State: dispenser.DeskOpen, Clerk: "anna"}},
			clerk: "pere", opens: true, wantClerk: "pere"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
			for _, c := range tc.setup {
				f.do(c)
			}
			f.issue(svcA)
			evs := f.at(at(thursday, 9, 3)).do(dispenser.CallNext{Desk: desk1, Clerk: tc.clerk})
			want := []dispenser.EventType{dispenser.TicketCalled}
			if tc.opens {
				want = append([]dispenser.EventType{dispenser.DeskChanged}, want...)
			}
			if got := types(evs); !slices.Equal(got, want) {
				t.Errorf("events %v, want %v", got, want)
			}
			ds := f.desk(desk1)
			if ds.State != dispenser.DeskOpen || ds.Clerk != tc.wantClerk {
				t.Errorf("desk %+v, want open by %q", ds, tc.wantClerk)
			}
			if tc.opens && !ds.Since.Equal(f.now) {
				t.Errorf("desk since %s, want %s", ds.Since, f.now)
			}
		})
	}
	t.Run("closed desk with nobody waiting stays closed", func(t *testing.T) {
		f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
		before := f.state()
		evs, err := f.try(dispenser.CallNext{Desk: desk1, Clerk: "anna"})
		if !errors.Is(err, dispenser.ErrNobodyWaiting) || len(evs) != 0 {
			t.Fatalf("CallNext = %v, %v; want ErrNobodyWaiting and no events", types(evs), err)
		}
		f.unchanged(before)
		if ds := f.desk(desk1); ds.State != dispenser.DeskClosed {
			t.Errorf("desk is %s, want closed", ds.State)
		}
	})
}

// TestRecallUntilMaxCallsThenNoShow: a ticket is called MaxCalls times in
// all; the recall after that makes it a no-show.
func TestRecallUntilMaxCallsThenNoShow(t *testing.T) {
	for _, tc := range []struct {
		name     string
		maxCalls int
		want     int
	}{
		{name: "default 3 calls", want: 3},
		{name: "1 call", maxCalls: 1, want: 1},
		{name: "2 calls", maxCalls: 2, want: 2},
		{name: "5 calls", maxCalls: 5, want: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, newConfig().rules(dispenser.Rules{MaxCalls: tc.maxCalls}).build(), at(thursday, 9, 0))
			tk := f.issue(svcA)
			f.issue(svcA) // someone else waits: the desk does not call them
			f.advance(time.Minute).call(desk1)
			for calls := 2; calls <= tc.want; calls++ {
				evs := f.advance(time.Minute).do(dispenser.Recall{Desk: desk1})
				e := lastEvent(t, evs, dispenser.TicketRecalled)
				if len(evs) != 1 || e.Ticket.Calls != calls || e.Ticket.State != dispenser.Called || !e.Ticket.Called.Equal(f.now) {
					t.Fatalf("recall %d: events %v, ticket %+v", calls, types(evs), e.Ticket)
				}
			}
			evs := f.advance(time.Minute).do(dispenser.Recall{Desk: desk1})
			if got := types(evs); !slices.Equal(got, []dispenser.EventType{dispenser.TicketNoShow}) {
				t.Fatalf("recall after %d calls: events %v, want [ticket.noshow]", tc.want, got)
			}
			got := f.ticket(tk.ID)
			if got.State != dispenser.NoShow || !got.Ended.Equal(f.now) || got.Calls != tc.want {
				t.Errorf("ticket %+v, want a no-show ended now after %d calls", got, tc.want)
			}
			if ds := f.desk(desk1); ds.Current != "" || ds.State != dispenser.DeskOpen {
				t.Errorf("desk %+v, want open and free", ds)
			}
			if _, err := f.try(dispenser.Recall{Desk: desk1}); !errors.Is(err, dispenser.ErrWrongState) {
				t.Errorf("recall with no ticket = %v, want ErrWrongState", err)
			}
		})
	}
}

// TestDeskActionStates: each desk action needs a current ticket in the
// right state.
func TestDeskActionStates(t *testing.T) {
	type setup int
	const (
		none setup = iota
		called
		serving
	)
	for _, tc := range []struct {
		name  string
		setup setup
		cmd   dispenser.Command
		want  error // nil: accepted
		event dispenser.EventType
		state dispenser.State // of the ticket after
	}{
		{name: "start a called ticket", setup: called, cmd: dispenser.Start{Desk: desk1}, event: dispenser.TicketStarted, state: dispenser.Serving},
		{name: "start a ticket being served", setup: serving, cmd: dispenser.Start{Desk: desk1}, want: dispenser.ErrWrongState},
		{name: "start with no ticket", setup: none, cmd: dispenser.Start{Desk: desk1}, want: dispenser.ErrWrongState},
		{name: "finish a called ticket", setup: called, cmd: dispenser.Finish{Desk: desk1}, event: dispenser.TicketDone, state: dispenser.Done},
		{name: "finish a ticket being served", setup: serving, cmd: dispenser.Finish{Desk: desk1}, event: dispenser.TicketDone, state: dispenser.Done},
		{name: "finish with no ticket", setup: none, cmd: dispenser.Finish{Desk: desk1}, want: dispenser.ErrWrongState},
		{name: "no-show of a called ticket", setup: called, cmd: dispenser.MarkNoShow{Desk: desk1}, event: dispenser.TicketNoShow, state: dispenser.NoShow},
		{name: "no-show of a ticket being served", setup: serving, cmd: dispenser.MarkNoShow{Desk: desk1}, want: dispenser.ErrWrongState},
		{name: "no-show with no ticket", setup: none, cmd: dispenser.MarkNoShow{Desk: desk1}, want: dispenser.ErrWrongState},
		{name: "recall a ticket being served", setup: serving, cmd: dispenser.Recall{Desk: desk1}, want: dispenser.ErrWrongState},
		{name: "transfer a called ticket", setup: called, cmd: dispenser.Transfer{Desk: desk1, To: svcB}, event: dispenser.TicketTransferred, state: dispenser.Waiting},
		{name: "transfer a ticket being served", setup: serving, cmd: dispenser.Transfer{Desk: desk1, To: svcB}, event: dispenser.TicketTransferred, state: dispenser.Waiting},
		{name: "transfer with no ticket", setup: none, cmd: dispenser.Transfer{Desk: desk1, To: svcB}, want: dispenser.ErrWrongState},
		{name: "start at an unknown desk", setup: called, cmd: dispenser.Start{Desk: "nope"}, want: dispenser.ErrUnknownDesk},
		{name: "finish at an unknown desk", setup: called, cmd: dispenser.Finish{Desk: "nope"}, want: dispenser.ErrUnknownDesk},
		{name: "recall at an unknown desk", setup: called, cmd: dispenser.Recall{Desk: "nope"}, want: dispenser.ErrUnknownDesk},
		{name: "no-show at an unknown desk", setup: called, cmd: dispenser.MarkNoShow{Desk: "nope"}, want: dispenser.ErrUnknownDesk},
		{name: "transfer at an unknown desk", setup: called, cmd: dispenser.Transfer{Desk: "nope", To: svcB}, want: dispenser.ErrUnknownDesk},
		{name: "transfer to an unknown service", setup: called, cmd: dispenser.Transfer{Desk: desk1, To: "nope"}, want: dispenser.ErrUnknownService},
		{name: "transfer to its own service", setup: called, cmd: dispenser.Transfer{Desk: desk1, To: svcA}, want: dispenser.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
			tk := f.issue(svcA)
			if tc.setup >= called {
				f.call(desk1)
			}
			if tc.setup >= serving {
				f.do(dispenser.Start{Desk: desk1})
			}
			before := f.state()
			evs, err := f.advance(time.Minute).try(tc.cmd)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("error %v, want %v", err, tc.want)
				}
				if len(evs) != 0 {
					t.Errorf("events %v, want none", types(evs))
				}
				f.unchanged(before)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := types(evs); !slices.Equal(got, []dispenser.EventType{tc.event}) {
				t.Errorf("events %v, want [%s]", got, tc.event)
			}
			if got := f.ticket(tk.ID); got.State != tc.state {
				t.Errorf("ticket is %s, want %s", got.State, tc.state)
			}
			if tc.state != dispenser.Serving && f.desk(desk1).Current != "" {
				t.Errorf("desk still has ticket %s", f.desk(desk1).Current)
			}
		})
	}
}

// TestTransfer: a transferred ticket waits again in the new service, at
// the head of its queue by default, at the tail with TransferToTail.
func TestTransfer(t *testing.T) {
	// Desk 1 serves A, desk 2 serves B. B has b1 (9:00) and b2 (9:05)
	// waiting when desk 1 transfers a1 to B at 9:12; b3 comes at 9:13.
	for _, tc := range []struct {
		name   string
		toTail bool
		a1     arrival // relative to 9:00
		b      []arrival
		callAt time.Duration // desk 1 calls a1, relative to 9:00
		want   []string      // desk 2's calling order at 9:20
	}{
		{
			name: "walk-in to the head of the new queue", a1: walkIn("a1", svcA, 6*minute),
			b:    []arrival{walkIn("b1", svcB, 0), walkIn("b2", svcB, 5*minute)},
			want: []string{"a1", "b1", "b2", "b3"},
		},
		{
			name: "walk-in to the tail of the new queue with TransferToTail", toTail: true, a1: walkIn("a1", svcA, 6*minute),
			b:    []arrival{walkIn("b1", svcB, 0), walkIn("b2", svcB, 5*minute)},
			want: []string{"b1", "b2", "a1", "b3"},
		},
		{
			name: "walk-in to the head of an empty queue", a1: walkIn("a1", svcA, 6*minute),
			want: []string{"a1", "b3"},
		},
		{
			name: "priority ticket to the head of the new service's priority tickets", a1: priority("a1", svcA, 6*minute),
			b:    []arrival{priority("p1", svcB, 0), walkIn("b1", svcB, 1*minute)},
			want: []string{"a1", "p1", "b1", "b3"},
		},
		{
			name: "priority ticket to the tail of the new service's priority tickets", toTail: true, a1: priority("a1", svcA, 6*minute),
			b:    []arrival{priority("p1", svcB, 0), walkIn("b1", svcB, 1*minute)},
			want: []string{"p1", "a1", "b1", "b3"},
		},
		// Appointments are ordered by slot, not by Queued, which is all
		// that a transfer changes.
		{
			name: "appointment not due yet to the head of the new queue",
			a1:   appointment("a1", svcA, 6*minute, 60*minute), callAt: 8 * minute, // an idle desk 1 takes it early
			b:    []arrival{walkIn("b1", svcB, 0), walkIn("b2", svcB, 5*minute)},
			want: []string{"a1", "b1", "b2", "b3"},
		},
		{
			name: "due appointment to the tail of the new queue with TransferToTail", toTail: true,
			a1:   appointment("a1", svcA, 1*minute, 5*minute),
			b:    []arrival{appointment("b1", svcB, 0, 10*minute), walkIn("b2", svcB, 5*minute)},
			want: []string{"b1", "b2", "a1", "b3"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newConfig().desks(desk(desk1, svcA), desk(desk2, svcB)).rules(dispenser.Rules{TransferToTail: tc.toTail}).build()
			nine := at(thursday, 9, 0)
			f := newFixture(t, cfg, nine)
			labels := map[dispenser.TicketID]string{}
			arrivals := append(slices.Clone(tc.b), tc.a1)
			slices.SortStableFunc(arrivals, func(x, y arrival) int { return int(x.at - y.at) })
			for _, a := range arrivals {
				var slot time.Time
				if a.kind == dispenser.Appointment {
					slot = nine.Add(a.slot)
				}
				labels[f.at(nine.Add(a.at)).issueKind(a.svc, a.kind, slot).ID] = a.label
			}
			callAt := tc.callAt
			if callAt == 0 {
				callAt = 10 * minute
			}
			a1 := f.at(nine.Add(callAt)).call(desk1)
			f.do(dispenser.Start{Desk: desk1})
			evs := f.at(nine.Add(12 * minute)).do(dispenser.Transfer{Desk: desk1, To: svcB})
			e := lastEvent(t, evs, dispenser.TicketTransferred)
			moved := *e.Ticket
			if moved.ID != a1.ID || moved.Number != a1.Number || moved.Service != svcB || moved.From != svcA ||
				moved.State != dispenser.Waiting || moved.Transfers != 1 || moved.Calls != 0 ||
				moved.Desk != "" || moved.Clerk != "" || !moved.Started.IsZero() || !moved.FirstCalled.Equal(a1.FirstCalled) {
				t.Errorf("transferred ticket %+v", moved)
			}
			if e.Desk == nil || e.Desk.Current != "" || f.desk(desk1).Current != "" || f.desk(desk1).State != dispenser.DeskOpen {
				t.Errorf("desk 1 after the transfer %+v, want open and free", f.desk(desk1))
			}
			labels[f.at(nine.Add(13*minute)).issue(svcB).ID] = "b3"
			f.at(nine.Add(20 * minute))
			var got []string
			for range tc.want {
				got = append(got, labels[f.call(desk2).ID])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("desk 2 calls %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPauseOrCloseWithCurrentTicketRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state dispenser.DeskState
		want  error
	}{
		{name: "pause", state: dispenser.DeskPaused, want: dispenser.ErrWrongState},
		{name: "close", state: dispenser.DeskClosed, want: dispenser.ErrWrongState},
		{name: "open again is fine", state: dispenser.DeskOpen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
			f.issue(svcA)
			f.call(desk1)
			before := f.state()
			evs, err := f.advance(time.Minute).try(dispenser.SetDesk{Desk: desk1, State: tc.state})
			if !errors.Is(err, tc.want) {
				t.Fatalf("SetDesk %s = %v, want %v", tc.state, err, tc.want)
			}
			if len(evs) != 0 {
				t.Errorf("events %v, want none", types(evs))
			}
			f.unchanged(before)
		})
	}
}

func TestSetDesk(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	for _, step := range []struct {
		name   string
		cmd    dispenser.SetDesk
		want   error
		events int
		state  dispenser.DeskState
		clerk  string
	}{
		{name: "open with a clerk", cmd: dispenser.SetDesk{Desk: desk1, State: dispenser.DeskOpen, Clerk: "anna"}, events: 1, state: dispenser.DeskOpen, clerk: "anna"},
		{name: "open again changes nothing", cmd: dispenser.SetDesk{Desk: desk1, State: dispenser.DeskOpen}, state: dispenser.DeskOpen, clerk: "anna"},
		{name: "pause keeps the clerk", cmd: dispenser.SetDesk{Desk: desk1, State: dispenser.DeskPaused}, events: 1, state: dispenser.DeskPaused, clerk: "anna"},
		{name: "close forgets the clerk", cmd: dispenser.SetDesk{Desk: desk1, State: dispenser.DeskClosed, Clerk: "anna"}, events: 1, state: dispenser.DeskClosed},
		{name: "close again changes nothing", cmd: dispenser.SetDesk{Desk: desk1, State: dispenser.DeskClosed}, state: dispenser.DeskClosed},
		{name: "unknown state", cmd: dispenser.SetDesk{Desk: desk1, State: "lunch"}, want: dispenser.ErrInvalid, state: dispenser.DeskClosed},
		{name: "unknown desk", cmd: dispenser.SetDesk{Desk: "nope", State: dispenser.DeskOpen}, want: dispenser.ErrUnknownDesk, state: dispenser.DeskClosed},
	} {
		t.Run(step.name, func(t *testing.T) {
			before := f.d.Desks()
			evs, err := f.advance(time.Minute).try(step.cmd)
			if !errors.Is(err, step.want) {
				t.Fatalf("SetDesk = %v, want %v", err, step.want)
			}
			if len(evs) != step.events {
				t.Fatalf("events %v, want %d", types(evs), step.events)
			}
			ds := f.desk(desk1)
			if ds.State != step.state || ds.Clerk != step.clerk {
				t.Errorf("desk %+v, want %s by %q", ds, step.state, step.clerk)
			}
			if step.events == 1 && (evs[0].Type != dispenser.DeskChanged || !ds.Since.Equal(f.now)) {
				t.Errorf("event %s, desk since %s; want desk.changed now", evs[0].Type, ds.Since)
			}
			if step.events == 0 && !slices.Equal(before, f.d.Desks()) {
				t.Errorf("desks changed: %+v → %+v", before, f.d.Desks())
			}
		})
	}
}

func TestCancel(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	a1 := f.issue(svcA)
	a2 := f.issue(svcA)
	f.call(desk1) // a1
	for _, step := range []struct {
		name string
		id   dispenser.TicketID
		want error
	}{
		{name: "waiting ticket is cancelled", id: a2.ID},
		{name: "cancelled ticket cannot be cancelled again", id: a2.ID, want: dispenser.ErrWrongState},
		{name: "called ticket cannot be cancelled", id: a1.ID, want: dispenser.ErrWrongState},
		{name: "unknown ticket", id: "nope", want: dispenser.ErrUnknownTicket},
	} {
		t.Run(step.name, func(t *testing.T) {
			before := f.state()
			evs, err := f.advance(time.Minute).try(dispenser.Cancel{Ticket: step.id, Reason: "left"})
			if !errors.Is(err, step.want) {
				t.Fatalf("Cancel = %v, want %v", err, step.want)
			}
			if step.want != nil {
				if len(evs) != 0 {
					t.Errorf("events %v, want none", types(evs))
				}
				f.unchanged(before)
				return
			}
			e := lastEvent(t, evs, dispenser.TicketCancelled)
			got := f.ticket(step.id)
			if len(evs) != 1 || got.State != dispenser.Cancelled || got.Reason != "left" || !got.Ended.Equal(f.now) || *e.Ticket != got {
				t.Errorf("events %v, ticket %+v: want cancelled now for %q", types(evs), got, "left")
			}
		})
	}
}

// bogus is a command the dispenser does not know.
type bogus struct{ dispenser.Tick }

// TestRefusedCommandChangesNothing: every refused command returns its
// documented sentinel (or a Refusal), no events, and leaves the tickets,
// the desks, the day and the last recorded time as they were.
func TestRefusedCommandChangesNothing(t *testing.T) {
	cfg := newConfig().
		desks(desk(desk1, svcA, svcB), desk(desk2, svcB)).
		service(svcB, func(s *dispenser.Service) { s.Priority = false }).
		build()
	for _, tc := range []struct {
		name string
		cmd  dispenser.Command
		want error // nil: a *Refusal
	}{
		{name: "issue: unknown service", cmd: dispenser.Issue{Service: "nope", ID: "x", Token: "y"}, want: dispenser.ErrUnknownService},
		{name: "issue: refused by the rules", cmd: dispenser.Issue{Service: svcB, Kind: dispenser.Priority, ID: "x", Token: "y"}},
		{name: "issue: duplicate id", cmd: dispenser.Issue{Service: svcA, ID: "t00001", Token: "y"}, want: dispenser.ErrDuplicate},
		{name: "call next: unknown desk", cmd: dispenser.CallNext{Desk: "nope"}, want: dispenser.ErrUnknownDesk},
		{name: "call next: nobody waiting", cmd: dispenser.CallNext{Desk: desk2, Clerk: "pere"}, want: dispenser.ErrNobodyWaiting},
		{name: "recall: no ticket at the desk", cmd: dispenser.Recall{Desk: desk2}, want: dispenser.ErrWrongState},
		{name: "start: no ticket at the desk", cmd: dispenser.Start{Desk: desk2}, want: dispenser.ErrWrongState},
		{name: "finish: no ticket at the desk", cmd: dispenser.Finish{Desk: desk2}, want: dispenser.ErrWrongState},
		{name: "no-show: unknown desk", cmd: dispenser.MarkNoShow{Desk: "nope"}, want: dispenser.ErrUnknownDesk},
		{name: "transfer: unknown service", cmd: dispenser.Transfer{Desk: desk1, To: "nope"}, want: dispenser.ErrUnknownService},
		{name: "transfer: same service", cmd: dispenser.Transfer{Desk: desk1, To: svcA}, want: dispenser.ErrInvalid},
		{name: "cancel: unknown ticket", cmd: dispenser.Cancel{Ticket: "nope"}, want: dispenser.ErrUnknownTicket},
		{name: "cancel: ticket called", cmd: dispenser.Cancel{Ticket: "t00001"}, want: dispenser.ErrWrongState},
		{name: "set desk: pause with a ticket", cmd: dispenser.SetDesk{Desk: desk1, State: dispenser.DeskPaused}, want: dispenser.ErrWrongState},
		{name: "set desk: close with a ticket", cmd: dispenser.SetDesk{Desk: desk1, State: dispenser.DeskClosed}, want: dispenser.ErrWrongState},
		{name: "set desk: unknown state", cmd: dispenser.SetDesk{Desk: desk2, State: "lunch"}, want: dispenser.ErrInvalid},
		{name: "set desk: unknown desk", cmd: dispenser.SetDesk{Desk: "nope", State: dispenser.DeskOpen}, want: dispenser.ErrUnknownDesk},
		{name: "no command", cmd: nil, want: dispenser.ErrInvalid},
		{name: "unknown command", cmd: bogus{}, want: dispenser.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, cfg, at(thursday, 10, 0))
			f.issue(svcA) // t00001, called at desk 1
			f.issue(svcA) // t00002, waiting
			f.call(desk1)
			before := f.state()
			evs, err := f.at(at(thursday, 10, 30)).try(tc.cmd)
			if tc.want == nil {
				var r *dispenser.Refusal
				if !errors.As(err, &r) {
					t.Fatalf("error %v, want a *Refusal", err)
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if len(evs) != 0 {
				t.Errorf("events %v, want none", types(evs))
			}
			f.unchanged(before)
		})
	}
}
