package dispenser_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// arrival is a ticket issued at ten o'clock on Thursday plus At; Slot, for
// appointments, is also after ten.
type arrival struct {
	label string
	at    time.Duration
	svc   dispenser.ServiceID
	kind  dispenser.Kind
	slot  time.Duration
}

func walkIn(label string, svc dispenser.ServiceID, at time.Duration) arrival {
	return arrival{label: label, at: at, svc: svc, kind: dispenser.WalkIn}
}

func priority(label string, svc dispenser.ServiceID, at time.Duration) arrival {
	return arrival{label: label, at: at, svc: svc, kind: dispenser.Priority}
}

// appointment is a citizen who checked in at at for the slot at slot.
func appointment(label string, svc dispenser.ServiceID, at, slot time.Duration) arrival {
	return arrival{label: label, at: at, svc: svc, kind: dispenser.Appointment, slot: slot}
}

const minute = time.Minute

// callOrder issues the arrivals in order, then at callAt calls desk 1
// until nobody waits for it, and returns the labels in calling order. It
// checks that Next always announces the ticket CallNext then calls.
func callOrder(t *testing.T, cfg dispenser.Config, arrivals []arrival, callAt time.Duration) []string {
	t.Helper()
	ten := at(thursday, 10, 0)
	f := newFixture(t, cfg, ten)
	labels := map[dispenser.TicketID]string{}
	for _, a := range arrivals {
		f.at(ten.Add(a.at))
		var slot time.Time
		if a.kind == dispenser.Appointment {
			slot = ten.Add(a.slot)
		}
		tk := f.issueKind(a.svc, a.kind, slot)
		labels[tk.ID] = a.label
	}
	f.at(ten.Add(callAt))
	var got []string
	for range len(arrivals) + 1 {
		next, ok := f.d.Next(desk1, f.now)
		evs, err := f.try(dispenser.CallNext{Desk: desk1})
		if errors.Is(err, dispenser.ErrNobodyWaiting) {
			if ok {
				t.Errorf("Next announced %s, but CallNext found nobody waiting", labels[next.ID])
			}
			return got
		}
		if err != nil {
			t.Fatalf("CallNext: %v", err)
		}
		called := lastEvent(t, evs, dispenser.TicketCalled).Ticket
		if !ok || next.ID != called.ID {
			t.Errorf("Next announced %s (%v), CallNext called %s", labels[next.ID], ok, labels[called.ID])
		}
		got = append(got, labels[called.ID])
	}
	t.Fatalf("desk 1 called more tickets than were issued: %v", got)
	return nil
}

func TestNextUp(t *testing.T) {
	a, b := svcA, svcB
	for _, tc := range []struct {
		name     string
		rules    dispenser.Rules
		profile  []dispenser.ServiceID // desk 1's; default [A, B]
		arrivals []arrival
		callAt   time.Duration
		want     []string
	}{
		{
			name:     "walk-ins in order of arrival",
			arrivals: []arrival{walkIn("a1", a, 0), walkIn("a2", a, 1*minute), walkIn("a3", a, 2*minute)},
			callAt:   5 * minute,
			want:     []string{"a1", "a2", "a3"},
		},
		{
			name:     "priority before walk-ins",
			arrivals: []arrival{walkIn("w", a, 0), priority("p", a, 10*minute)},
			callAt:   15 * minute,
			want:     []string{"p", "w"},
		},
		{
			name:     "priority tickets by queue time",
			arrivals: []arrival{priority("p1", a, 0), priority("p2", a, 1*minute), walkIn("w", a, 2*minute)},
			callAt:   5 * minute,
			want:     []string{"p1", "p2", "w"},
		},
		{
			name:     "priority tickets by queue time whatever the profile",
			rules:    dispenser.Rules{ProfileStep: time.Hour, MaxOvertake: time.Hour},
			arrivals: []arrival{priority("pB", b, 0), priority("pA", a, 5*minute)},
			callAt:   10 * minute,
			want:     []string{"pB", "pA"},
		},
		{
			name:     "due appointment before priority before walk-ins",
			arrivals: []arrival{walkIn("w", a, 0), priority("p", a, 1*minute), appointment("appt", a, 2*minute, 30*minute)},
			callAt:   26 * minute,
			want:     []string{"appt", "p", "w"},
		},
		{
			name: "due appointments by slot time, not check-in time",
			arrivals: []arrival{
				appointment("slot40", a, 0, 40*minute),
				appointment("slot30", b, 5*minute, 30*minute),
				walkIn("w", a, 6*minute),
			},
			callAt: 36 * minute,
			want:   []string{"slot30", "slot40", "w"},
		},
		{
			name:     "due appointments at the same slot: profile order",
			arrivals: []arrival{appointment("apptB", b, 0, 30*minute), appointment("apptA", a, 1*minute, 30*minute)},
			callAt:   30 * minute,
			want:     []string{"apptA", "apptB"},
		},
		{
			name:     "appointment due from DueBefore before its slot",
			arrivals: []arrival{appointment("appt", a, 0, 30*minute), walkIn("w", a, 1*minute)},
			callAt:   25 * minute, // default DueBefore 5 minutes
			want:     []string{"appt", "w"},
		},
		{
			name:     "appointment not due a second before DueBefore",
			arrivals: []arrival{appointment("appt", a, 0, 30*minute), walkIn("w", a, 1*minute)},
			callAt:   25*minute - time.Second,
			want:     []string{"w", "appt"},
		},
		{
			name:     "DueBefore is configurable",
			rules:    dispenser.Rules{DueBefore: 15 * minute},
			arrivals: []arrival{appointment("appt", a, 0, 30*minute), walkIn("w", a, 1*minute)},
			callAt:   15 * minute,
			want:     []string{"appt", "w"},
		},
		{
			name: "not-yet-due appointment only when nothing else waits",
			arrivals: []arrival{
				appointment("early", a, 0, 60*minute),
				walkIn("wB", b, 1*minute),
				priority("p", a, 2*minute),
				walkIn("wA", a, 3*minute),
			},
			callAt: 10 * minute,
			want:   []string{"p", "wA", "wB", "early"},
		},
		{
			name:     "not-yet-due appointment called by an idle desk",
			arrivals: []arrival{appointment("early", a, 0, 60*minute)},
			callAt:   1 * minute,
			want:     []string{"early"},
		},
		{
			name:     "profile order breaks ties between services",
			rules:    dispenser.Rules{ProfileStep: -1},
			arrivals: []arrival{walkIn("b", b, 0), walkIn("a", a, 0)},
			callAt:   5 * minute,
			want:     []string{"a", "b"},
		},
		{
			name:     "profile order breaks ties between services, other profile",
			rules:    dispenser.Rules{ProfileStep: -1},
			profile:  []dispenser.ServiceID{b, a},
			arrivals: []arrival{walkIn("a", a, 0), walkIn("b", b, 0)},
			callAt:   5 * minute,
			want:     []string{"b", "a"},
		},
		{
			name:     "negative ProfileStep is pure arrival order",
			rules:    dispenser.Rules{ProfileStep: -1},
			arrivals: []arrival{walkIn("b", b, 0), walkIn("a", a, 1*time.Second)},
			callAt:   5 * minute,
			want:     []string{"b", "a"},
		},
		{
			name:     "ProfileStep handicap: second service counts as queued ProfileStep later",
			arrivals: []arrival{walkIn("b", b, 0), walkIn("a9", a, 9*minute), walkIn("a11", a, 11*minute)},
			callAt:   15 * minute, // default ProfileStep 10 minutes
			want:     []string{"a9", "b", "a11"},
		},
		{
			name:    "ProfileStep handicap grows per step down the profile",
			rules:   dispenser.Rules{ProfileStep: 5 * minute, MaxOvertake: time.Hour},
			profile: []dispenser.ServiceID{a, b, "cens"},
			arrivals: []arrival{
				walkIn("c", "cens", 0),     // third: counts as queued at 10m
				walkIn("b", b, 1*minute),   // second: counts as queued at 6m
				walkIn("a", a, 9*minute),   // first: 9m
				walkIn("a2", a, 11*minute), // first: 11m
			},
			callAt: 15 * minute,
			want:   []string{"b", "a", "c", "a2"},
		},
		{
			name:     "a desk calls only the services of its profile",
			profile:  []dispenser.ServiceID{b},
			arrivals: []arrival{walkIn("a", a, 0), priority("pa", a, 1*minute), walkIn("b", b, 2*minute)},
			callAt:   5 * minute,
			want:     []string{"b"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb := newConfig().rules(tc.rules)
			cb.cfg.Services = append(cb.cfg.Services, service("cens", "C", allDay()))
			profile := tc.profile
			if profile == nil {
				profile = []dispenser.ServiceID{a, b}
			}
			cb.desks(desk(desk1, profile...), desk(desk2, a, b, "cens"))
			got := callOrder(t, cb.build(), tc.arrivals, tc.callAt)
			if !slices.Equal(got, tc.want) {
				t.Errorf("calling order %v, want %v", got, tc.want)
			}
		})
	}
}

// TestNextUpAgeingBound: at a desk with profile [A, B], a large ProfileStep
// (1h) and MaxOvertake 20m, a B walk-in is passed by A walk-ins that joined
// the queue less than 20 minutes after it, and is called before any A
// walk-in that joined more than 20 minutes after it.
func TestNextUpAgeingBound(t *testing.T) {
	rules := dispenser.Rules{ProfileStep: time.Hour, MaxOvertake: 20 * minute}
	cfg := newConfig().rules(rules).build()
	for _, tc := range []struct {
		name   string
		aAfter time.Duration // when A arrives after B
		first  string
	}{
		{name: "A 1m after B passes it", aAfter: 1 * minute, first: "A"},
		{name: "A 19m59s after B passes it", aAfter: 20*minute - time.Second, first: "A"},
		{name: "A exactly 20m after B passes it (not more than MaxOvertake)", aAfter: 20 * minute, first: "A"},
		{name: "A 20m01s after B does not pass it", aAfter: 20*minute + time.Second, first: "B"},
		{name: "A 40m after B does not pass it", aAfter: 40 * minute, first: "B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := callOrder(t, cfg, []arrival{walkIn("B", svcB, 0), walkIn("A", svcA, tc.aAfter)}, 45*minute)
			if len(got) != 2 || got[0] != tc.first {
				t.Errorf("calling order %v, want %s first", got, tc.first)
			}
		})
	}
	t.Run("over a morning no B walk-in is passed by an A walk-in queued more than 20m after it", func(t *testing.T) {
		arrivals := []arrival{
			walkIn("B0", svcB, 0),
			walkIn("A5", svcA, 5*minute),
			walkIn("A15", svcA, 15*minute),
			walkIn("A21", svcA, 21*minute),
			walkIn("A30", svcA, 30*minute),
			walkIn("B31", svcB, 31*minute),
			walkIn("A50", svcA, 50*minute),
			walkIn("A52", svcA, 52*minute),
		}
		got := callOrder(t, cfg, arrivals, 60*minute)
		want := []string{"A5", "A15", "B0", "A21", "A30", "A50", "B31", "A52"}
		if !slices.Equal(got, want) {
			t.Errorf("calling order %v, want %v", got, want)
		}
	})
	t.Run("with a larger bound the B walk-in waits behind later A walk-ins", func(t *testing.T) {
		cfg := newConfig().rules(dispenser.Rules{ProfileStep: time.Hour, MaxOvertake: time.Hour}).build()
		got := callOrder(t, cfg, []arrival{walkIn("B", svcB, 0), walkIn("A", svcA, 40*minute)}, 45*minute)
		if !slices.Equal(got, []string{"A", "B"}) {
			t.Errorf("calling order %v, want [A B]", got)
		}
	})
}

// TestNextUpSkipsTicketsNotWaiting: cancelled tickets and tickets called
// at another desk are not called again.
func TestNextUpSkipsTicketsNotWaiting(t *testing.T) {
	cfg := newConfig().desks(desk(desk1, svcA), desk(desk2, svcA, svcB)).build()
	f := newFixture(t, cfg, at(thursday, 10, 0))
	a1 := f.issue(svcA)
	a2 := f.issue(svcA)
	a3 := f.issue(svcA)
	f.do(dispenser.Cancel{Ticket: a1.ID, Reason: "left"})
	if got := f.call(desk2); got.ID != a2.ID {
		t.Fatalf("desk 2 called %s, want %s", got.Number, a2.Number)
	}
	if got := f.call(desk1); got.ID != a3.ID {
		t.Fatalf("desk 1 called %s, want %s", got.Number, a3.Number)
	}
	if _, err := f.try(dispenser.CallNext{Desk: desk1}); !errors.Is(err, dispenser.ErrNobodyWaiting) {
		t.Errorf("CallNext with nobody waiting = %v, want ErrNobodyWaiting", err)
	}
	if _, ok := f.d.Next(desk1, f.now); ok {
		t.Errorf("Next with nobody waiting found a ticket")
	}
	if _, ok := f.d.Next("nope", f.now); ok {
		t.Errorf("Next of an unknown desk found a ticket")
	}
}
