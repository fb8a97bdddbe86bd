package estimate

import (
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
	var h dispenser.Hours
	for wd := range h.Weekly {
		h.Weekly[wd] = []dispenser.Range{{From: 0, To: 24 * 60}}
	}
	cfg := dispenser.Config{
		Office: "o", Location: time.UTC, Rules: dispenser.Rules{NoCutOff: true},
		Services: []dispenser.Service{
			{ID: "a", Prefix: "A", Names: map[dispenser.Lang]string{"ca": "A"}, ServiceTime: 5 * time.Minute, Hours: h},
			{ID: "b", Prefix: "B", Names: map[dispenser.Lang]string{"ca": "B"}, ServiceTime: 5 * time.Minute, Hours: h},
		},
		Desks: []dispenser.Desk{{ID: "d1", Profile: []dispenser.ServiceID{"a"}}, {ID: "d2", Profile: []dispenser.ServiceID{"b", "a"}}},
	}
	d, err := dispenser.New(cfg, dispenser.Snapshot{})
	if err != nil {
		t.Fatal(err)
	}
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
