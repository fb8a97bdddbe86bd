package dispenser

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestReplayQueuesCallAsTheDesksDo: on random queues (walk-ins, priority
// tickets, appointments due and early, transferred appointments, tickets
// queued in the same instant) and random desk profiles, the replay's lines
// give every desk, turn after turn, the ticket the dispenser's own next
// would call.
func TestReplayQueuesCallAsTheDesksDo(t *testing.T) {
	loc := time.UTC
	var h Hours
	for wd := range h.Weekly {
		h.Weekly[wd] = []Range{{From: 0, To: 24 * 60}}
	}
	svcs := []ServiceID{"a", "b", "c"}
	cfg := Config{Office: "o", Location: loc, Rules: Rules{ProfileStep: 3 * time.Minute, MaxOvertake: 8 * time.Minute}}
	for _, id := range svcs {
		cfg.Services = append(cfg.Services, Service{ID: id, Prefix: strings.ToUpper(string(id)), Names: map[Lang]string{Catalan: string(id)}, Hours: h, Priority: true})
	}
	nine := time.Date(2026, 3, 2, 9, 0, 0, 0, loc)
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		// The last desk serves every service: each must have one.
		desks := make([]Desk, 1+r.IntN(3))
		for i := range desks {
			desks[i].ID = DeskID(fmt.Sprint("d", i))
			k := 1 + r.IntN(len(svcs))
			if i == len(desks)-1 {
				k = len(svcs)
			}
			for _, j := range r.Perm(len(svcs))[:k] {
				desks[i].Profile = append(desks[i].Profile, svcs[j])
			}
		}
		c := cfg
		c.Desks = desks
		d, err := New(c, Snapshot{Day: "2026-03-02"})
		if err != nil {
			t.Fatal(err)
		}
		n := 1 + r.IntN(40)
		for i := range n {
			tk := Ticket{ID: TicketID(fmt.Sprint("t", i)), Token: fmt.Sprint("tok", i), Day: "2026-03-02",
				Service: svcs[r.IntN(len(svcs))], Kind: WalkIn, State: Waiting, Counter: i + 1,
				Queued: nine.Add(-time.Duration(r.IntN(6)) * time.Minute)}
			switch r.IntN(4) {
			case 0:
				tk.Kind = Priority
			case 1:
				tk.Kind = Appointment
				tk.Slot = nine.Add(time.Duration(r.IntN(12)-4) * 5 * time.Minute)
				tk.Transfers = r.IntN(4) / 3
			}
			d.put(tk)
		}
		probe := Ticket{ID: "new", Service: svcs[r.IntN(len(svcs))], Kind: WalkIn, State: Waiting, Queued: nine}
		q := d.queues(&probe, nine)
		waiting := maps.Clone(d.waiting)
		waiting[probe.ID] = &probe
		at := nine
		for turn := 0; len(waiting) > 0 && turn < 200; turn++ {
			dk := &desks[turn%len(desks)]
			at = at.Add(time.Duration(r.IntN(5)) * time.Minute)
			want := d.nextOf(waiting, dk, at)
			got := q.next(d, dk, at)
			if want != got {
				t.Fatalf("round %d, turn %d, desk %v at %s: replay calls %v, the dispenser %v", round, turn, dk.Profile, at.Format("15:04"), got, want)
			}
			if want != nil {
				delete(waiting, want.ID)
			}
		}
	}
}
