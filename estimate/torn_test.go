package estimate

import (
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestTornReplaysTheDesks: two desks, both busy with a citizen who
// started at 9:00 (5-minute services), one serving A only, the other
// preferring B; a B and the new A wait. QL halves the A ticket's wait over
// the two desks (2.5 min); Torn replays the desks and finds the A-only
// desk calls it when it frees up, at 9:05.
func TestTornReplaysTheDesks(t *testing.T) {
	d := testOffice(t, []dispenser.ServiceID{"a", "b"},
		dispenser.Desk{ID: "d1", Profile: []dispenser.ServiceID{"a"}}, dispenser.Desk{ID: "d2", Profile: []dispenser.ServiceID{"b", "a"}})
	nine := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	n := 0
	do := func(cmd dispenser.Command) []dispenser.Event {
		t.Helper()
		evs, err := d.Handle(cmd, nine)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return evs
	}
	issue := func(svc dispenser.ServiceID) dispenser.Ticket {
		n++
		evs := do(dispenser.Issue{Service: svc, ID: dispenser.TicketID(string(svc) + string(rune('0'+n))), Token: "token-0123456789abcdef" + string(rune('a'+n))})
		return *evs[len(evs)-1].Ticket
	}
	issue("b")
	issue("b")
	issue("a")
	for _, desk := range []dispenser.DeskID{"d1", "d2"} {
		do(dispenser.SetDesk{Desk: desk, State: dispenser.DeskOpen})
		do(dispenser.CallNext{Desk: desk})
		do(dispenser.Start{Desk: desk})
	}
	tk := issue("a")
	if got := NewQL().Estimate(d, tk, nine); got != 150*time.Second {
		t.Fatalf("QL %v, want 2m30s: the test's office is not what it says", got)
	}
	if got := NewTorn().Estimate(d, tk, nine); got != 5*time.Minute {
		t.Errorf("Torn %v, want 5m0s: the A-only desk frees up at 9:05 and calls it", got)
	}
	// The replay leaves the real dispenser alone.
	if got, _ := d.Ticket(tk.ID); got.State != dispenser.Waiting {
		t.Errorf("the ticket is %s after the estimate, want waiting", got.State)
	}
}

// TestTornWaitsOutABreak: the only desk went on a break at 10:00; the
// replay expects it back after a pause as long as today's (15 minutes
// before any was seen), so a ticket issued at 10:05 with nobody ahead
// waits 10 minutes; after a 20-minute pause was seen, 15.
func TestTornWaitsOutABreak(t *testing.T) {
	d := testOffice(t, []dispenser.ServiceID{"a"}, dispenser.Desk{ID: "d1", Profile: []dispenser.ServiceID{"a"}})
	e := NewTorn()
	at := func(hh, mm int) time.Time { return time.Date(2026, 3, 2, hh, mm, 0, 0, time.UTC) }
	do := func(cmd dispenser.Command, now time.Time) []dispenser.Event {
		t.Helper()
		evs, err := d.Handle(cmd, now)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		for _, ev := range evs {
			e.Observe(ev)
		}
		return evs
	}
	do(dispenser.SetDesk{Desk: "d1", State: dispenser.DeskOpen}, at(9, 0))
	do(dispenser.SetDesk{Desk: "d1", State: dispenser.DeskPaused}, at(10, 0))
	evs := do(dispenser.Issue{Service: "a", ID: "t1", Token: "token-1-0123456789abcdef"}, at(10, 5))
	if got := e.Estimate(d, *evs[len(evs)-1].Ticket, at(10, 5)); got != 10*time.Minute {
		t.Errorf("during the first break: %v, want 10m0s", got)
	}
	do(dispenser.SetDesk{Desk: "d1", State: dispenser.DeskOpen}, at(10, 20))
	do(dispenser.CallNext{Desk: "d1"}, at(10, 20))
	do(dispenser.Finish{Desk: "d1"}, at(10, 25))
	do(dispenser.SetDesk{Desk: "d1", State: dispenser.DeskPaused}, at(12, 0))
	evs = do(dispenser.Issue{Service: "a", ID: "t2", Token: "token-2-0123456789abcdef"}, at(12, 5))
	if got := e.Estimate(d, *evs[len(evs)-1].Ticket, at(12, 5)); got != 15*time.Minute {
		t.Errorf("during the second break, after a 20-minute one: %v, want 15m0s", got)
	}
}

// testOffice is an office open around the clock with services of
// 5-minute service times (prefix: the id upper-cased) and desks.
func testOffice(t *testing.T, services []dispenser.ServiceID, desks ...dispenser.Desk) *dispenser.Dispenser {
	t.Helper()
	var h dispenser.Hours
	for wd := range h.Weekly {
		h.Weekly[wd] = []dispenser.Range{{From: 0, To: 24 * 60}}
	}
	cfg := dispenser.Config{Office: "o", Location: time.UTC, Rules: dispenser.Rules{NoCutOff: true}, Desks: desks}
	for _, id := range services {
		cfg.Services = append(cfg.Services, dispenser.Service{ID: id, Prefix: strings.ToUpper(string(id)),
			Names: map[dispenser.Lang]string{"ca": string(id)}, ServiceTime: 5 * time.Minute, Hours: h})
	}
	d, err := dispenser.New(cfg, dispenser.Snapshot{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestTornNoWorseWhereQLIsNearOptimal: one desk, one service, exponential
// service times, steady arrivals below capacity: QL is near-optimal there
// (TestQLNearOptimal), and Torn's estimate must not be worse than 1.05×
// QL's mean absolute error.
func TestTornNoWorseWhereQLIsNearOptimal(t *testing.T) {
	sc := loadScenario(t, "testdata/exponential.toml")
	ts, err := Score(sc, 1, 40, func() []Estimator { return []Estimator{NewQL(), NewTorn()} })
	if err != nil {
		t.Fatal(err)
	}
	ql, torn := ts[0].Metrics(), ts[1].Metrics()
	t.Logf("%d tickets: QL MAE %.2f min, Torn %.2f min (%.3f×)", ql.Tickets, ql.MAE, torn.MAE, torn.MAE/ql.MAE)
	if torn.MAE > 1.05*ql.MAE {
		t.Errorf("Torn's MAE %.2f min > 1.05 × QL's %.2f min", torn.MAE, ql.MAE)
	}
}
