package estimate

import (
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// office is a dispenser driven by hand, feeding its events to estimators.
type office struct {
	t    *testing.T
	d    *dispenser.Dispenser
	ests []Estimator
	n    int
}

func newOffice(t *testing.T) *office {
	t.Helper()
	var h dispenser.Hours
	for wd := range h.Weekly {
		h.Weekly[wd] = []dispenser.Range{{From: 0, To: 24 * 60}}
	}
	cfg := dispenser.Config{
		Office:   "08-121",
		Name:     "test office",
		Location: time.UTC,
		Services: []dispenser.Service{{
			ID: "a", Prefix: "A", Names: map[dispenser.Lang]string{dispenser.Catalan: "A"},
			ServiceTime: 10 * time.Minute, Hours: h,
		}},
		Desks: []dispenser.Desk{{ID: "1", Profile: []dispenser.ServiceID{"a"}}, {ID: "2", Profile: []dispenser.ServiceID{"a"}}},
	}
	d, err := dispenser.New(cfg, dispenser.Snapshot{})
	if err != nil {
		t.Fatal(err)
	}
	return &office{t: t, d: d, ests: append(Simple(), NewTorn())}
}

// at is hh:mm on the test day.
func at(hh, mm int) time.Time { return time.Date(2026, 3, 2, hh, mm, 0, 0, time.UTC) }

func (o *office) do(cmd dispenser.Command, now time.Time) []dispenser.Event {
	o.t.Helper()
	evs, err := o.d.Handle(cmd, now)
	if err != nil {
		o.t.Fatalf("%T at %s: %v", cmd, now.Format("15:04"), err)
	}
	for _, e := range evs {
		for _, est := range o.ests {
			est.Observe(e)
		}
	}
	return evs
}

// issue issues a walk-in at now and returns every estimator's estimate by
// name.
func (o *office) issue(now time.Time) map[string]time.Duration {
	o.t.Helper()
	o.n++
	id := dispenser.TicketID(string(rune('a'+o.n)) + "-ticket")
	evs := o.do(dispenser.Issue{Service: "a", ID: id, Token: string(id) + "-token-0123456789abcdef"}, now)
	for _, e := range evs {
		if e.Type != dispenser.TicketIssued {
			continue
		}
		got := map[string]time.Duration{}
		for _, est := range o.ests {
			got[est.Name()] = est.Estimate(o.d, *e.Ticket, now)
		}
		return got
	}
	o.t.Fatal("no ticket issued")
	return nil
}

func TestSimpleEstimators(t *testing.T) {
	o := newOffice(t)
	m := time.Minute
	steps := []struct {
		name string
		run  func() map[string]time.Duration
		want map[string]time.Duration
	}{
		{"no desk open: configured service time, one departure, over both desks", func() map[string]time.Duration {
			return o.issue(at(9, 0))
		}, map[string]time.Duration{"Torn": 0, "QL": 5 * m, "LES": 0, "HOL": 0, "rolling": 0}},
		{"idle desk: called at once", func() map[string]time.Duration {
			o.do(dispenser.SetDesk{Desk: "1", State: dispenser.DeskOpen, Clerk: "c1"}, at(9, 0))
			o.do(dispenser.CallNext{Desk: "1", Clerk: "c1"}, at(9, 1)) // waited 1 min
			o.do(dispenser.Start{Desk: "1"}, at(9, 2))
			o.do(dispenser.Finish{Desk: "1"}, at(9, 8)) // served 6 min
			return o.issue(at(9, 10))
		}, map[string]time.Duration{"Torn": 0, "QL": 0, "LES": m, "HOL": 0, "rolling": m}},
		{"desk busy, nobody ahead: learned service time", func() map[string]time.Duration {
			o.do(dispenser.CallNext{Desk: "1", Clerk: "c1"}, at(9, 10)) // waited 0
			o.do(dispenser.Start{Desk: "1"}, at(9, 11))
			return o.issue(at(9, 12))
		}, map[string]time.Duration{"Torn": 5 * m, "QL": 6 * m, "LES": 0, "HOL": 0, "rolling": 30 * time.Second}},
		{"one ahead", func() map[string]time.Duration {
			return o.issue(at(9, 15))
		}, map[string]time.Duration{"Torn": 9 * m, "QL": 12 * m, "LES": 0, "HOL": 3 * m, "rolling": 30 * time.Second}},
		{"two ahead, a second desk open and idle", func() map[string]time.Duration {
			o.do(dispenser.SetDesk{Desk: "2", State: dispenser.DeskOpen, Clerk: "c2"}, at(9, 16))
			return o.issue(at(9, 16))
		}, map[string]time.Duration{"Torn": 7 * m, "QL": 6 * m, "LES": 0, "HOL": 4 * m, "rolling": 30 * time.Second}},
		{"desk 2 calls the head: two ahead, both desks busy", func() map[string]time.Duration {
			o.do(dispenser.CallNext{Desk: "2", Clerk: "c2"}, at(9, 18)) // 09:12 ticket waited 6 min
			return o.issue(at(9, 20))
		}, map[string]time.Duration{"Torn": 10 * m, "QL": 9 * m, "LES": 6 * m, "HOL": 5 * m, "rolling": 2*m + 20*time.Second}},
	}
	for _, s := range steps {
		got := s.run()
		for name, want := range s.want {
			if got[name] != want {
				t.Errorf("%s: %s = %v, want %v", s.name, name, got[name], want)
			}
		}
	}
}

func TestRollingKeepsTheLastTen(t *testing.T) {
	r := NewRolling()
	issued := at(9, 0)
	for i := 1; i <= 12; i++ {
		called := issued.Add(time.Duration(i) * time.Minute)
		r.Observe(dispenser.Event{Type: dispenser.TicketCalled, Ticket: &dispenser.Ticket{
			Service: "a", Issued: issued, Calls: 1, FirstCalled: called, Called: called,
		}})
	}
	// A recall is not a new wait.
	r.Observe(dispenser.Event{Type: dispenser.TicketCalled, Ticket: &dispenser.Ticket{
		Service: "a", Issued: issued, Calls: 2, FirstCalled: issued, Called: at(12, 0),
	}})
	if got, want := r.Estimate(nil, dispenser.Ticket{Service: "a"}, at(10, 0)), 7*time.Minute+30*time.Second; got != want {
		t.Errorf("rolling = %v, want %v (mean of 3..12 min)", got, want)
	}
	if got := r.Estimate(nil, dispenser.Ticket{Service: "b"}, at(10, 0)); got != 0 {
		t.Errorf("rolling of a service never called = %v, want 0", got)
	}
}
