package estimate

import (
	"container/heap"
	"errors"
	"time"

	"torn.cat/torn/dispenser"
)

// Torn is Torn's own estimator. Where QL divides the queue by the desks,
// Torn replays the office forward with the dispenser's own rules: a copy
// of today's dispenser, each open desk freeing up when its current citizen
// is expected to be done, each desk then calling next exactly as the real
// one would (its profile, the appointments due ahead of walk-ins, the
// priority tickets, the ageing bound), each citizen called taking the
// mean service time learned for their service, until the ticket is
// called. So it sees what the simple estimators ignore: which desks serve
// the ticket's service and which other services compete for them, and the
// appointments that will go first.
//
// It knows nothing of the future (no arrivals after t, no breaks, no desk
// opening later): those make the real wait longer than the replay, which
// the next version should learn to allow for.
type Torn struct {
	learned map[dispenser.ServiceID]*ring
	// walkUp is the learned time from a call to the start of the service.
	walkUp *ring
	// pauses are the learned lengths of desks' pauses (breaks), and
	// paused when each desk's current pause began.
	pauses *ring
	paused map[dispenser.DeskID]time.Time
	// called and left count, per service, today's tickets called and
	// those cancelled while waiting (the citizen left): a queue shrinks by
	// the leavers before it is served.
	called, left map[dispenser.ServiceID]int
}

// defaultPause is a desk's expected pause before one was seen today.
const defaultPause = 15 * time.Minute

// NewTorn returns Torn's estimator for a new day.
func NewTorn() *Torn {
	return &Torn{learned: map[dispenser.ServiceID]*ring{}, walkUp: newRing(LearnFrom),
		pauses: newRing(LearnFrom), paused: map[dispenser.DeskID]time.Time{},
		called: map[dispenser.ServiceID]int{}, left: map[dispenser.ServiceID]int{}}
}

// Name is "Torn".
func (*Torn) Name() string { return "Torn" }

// Observe learns service times from completions, and walk-up times from
// starts.
func (e *Torn) Observe(ev dispenser.Event) {
	if ds := ev.Desk; ds != nil && ev.Type == dispenser.DeskChanged {
		switch began, was := e.paused[ds.ID]; {
		case ds.State == dispenser.DeskPaused && !was:
			e.paused[ds.ID] = ds.Since
		case ds.State != dispenser.DeskPaused && was:
			if ds.Since.After(began) {
				e.pauses.add(ds.Since.Sub(began))
			}
			delete(e.paused, ds.ID)
		}
	}
	t := ev.Ticket
	if t == nil {
		return
	}
	switch ev.Type {
	case dispenser.TicketCalled:
		if t.Calls == 1 {
			e.called[t.Service]++
		}
	case dispenser.TicketCancelled:
		if t.Called.IsZero() {
			e.left[t.Service]++
		}
	case dispenser.TicketStarted:
		if !t.Called.IsZero() && !t.Started.Before(t.Called) {
			e.walkUp.add(t.Started.Sub(t.Called))
		}
	case dispenser.TicketDone:
		from := t.Started
		if from.IsZero() {
			from = t.Called
		}
		if from.IsZero() || t.Ended.Before(from) {
			return
		}
		r := e.learned[t.Service]
		if r == nil {
			r = newRing(LearnFrom)
			e.learned[t.Service] = r
		}
		r.add(t.Ended.Sub(from))
	}
}

// maxReplay bounds the calls one estimate replays.
const maxReplay = 2000

// Estimate replays the office from now until t is called; see the type.
// When no open desk serves t's service it falls back to QL's reasoning
// over every desk that serves it.
func (e *Torn) Estimate(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time) time.Duration {
	if w, ok := e.replay(d, t, now); ok {
		return w.Round(time.Second)
	}
	q := &QL{learned: e.learned}
	return q.Estimate(d, t, now)
}

// deskFree is when a desk of the replay is free to call.
type deskFree struct {
	id dispenser.DeskID
	at time.Time
}

type freeHeap []deskFree

func (h freeHeap) Len() int { return len(h) }
func (h freeHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].id < h[j].id
}
func (h freeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *freeHeap) Push(x any)   { *h = append(*h, x.(deskFree)) }
func (h *freeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (e *Torn) replay(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time) (time.Duration, bool) {
	cfg := *d.Config()
	snap := dispenser.Snapshot{Day: d.Day(), Last: d.Last(), Tickets: d.Tickets(), Desks: d.Desks(), Books: d.Books()}
	r, err := dispenser.New(cfg, snap)
	if err != nil {
		return 0, false
	}
	var free freeHeap
	for _, ds := range d.Desks() {
		if ds.State == dispenser.DeskPaused {
			// On a break: back after a pause as long as today's.
			free = append(free, deskFree{id: ds.ID, at: laterOf(now, ds.Since.Add(e.pauseTime()))})
			continue
		}
		if ds.State != dispenser.DeskOpen {
			continue
		}
		at := now
		if cur, ok := d.Ticket(ds.Current); ok {
			begun := cur.Started
			if begun.IsZero() {
				begun = cur.Called.Add(e.walkUpTime())
			}
			at = begun.Add(e.serviceTime(d, cur.Service))
			if at.Before(now) {
				// Longer than the mean already: expect what is left of
				// an exponential-ish tail, half a mean.
				at = now.Add(e.serviceTime(d, cur.Service) / 2)
			}
		}
		free = append(free, deskFree{id: ds.ID, at: at})
	}
	if len(free) == 0 {
		return 0, false
	}
	heap.Init(&free)
	for range maxReplay {
		if free.Len() == 0 {
			return 0, false // no open desk will ever call t
		}
		f := heap.Pop(&free).(deskFree)
		evs, err := r.Handle(dispenser.CallNext{Desk: f.id}, f.at)
		if errors.Is(err, dispenser.ErrNobodyWaiting) {
			continue // this desk has nobody of its services left: it drops out
		}
		if err != nil {
			return 0, false
		}
		var called *dispenser.Ticket
		for i := range evs {
			if evs[i].Type == dispenser.TicketCalled {
				called = evs[i].Ticket
			}
		}
		if called == nil {
			return 0, false
		}
		if called.ID == t.ID {
			return max(f.at.Sub(now), 0), true
		}
		// Some of those ahead will have left by their turn: their desk
		// time counts for those who stay.
		stay := 1 - e.leaveShare(called.Service)
		busy := time.Duration(float64(e.walkUpTime()+e.serviceTime(d, called.Service)) * stay)
		heap.Push(&free, deskFree{id: f.id, at: f.at.Add(busy)})
	}
	return 0, false
}

func (e *Torn) serviceTime(d *dispenser.Dispenser, id dispenser.ServiceID) time.Duration {
	if m, ok := e.learned[id].mean(); ok {
		return m
	}
	if s := d.Service(id); s != nil {
		return s.ServiceTime
	}
	return 5 * time.Minute
}

// leaveShare is the share of service id's citizens today who left before
// their call, once enough have been seen.
func (e *Torn) leaveShare(id dispenser.ServiceID) float64 {
	c, l := e.called[id], e.left[id]
	if c+l < 10 {
		return 0
	}
	return float64(l) / float64(c+l)
}

func (e *Torn) pauseTime() time.Duration {
	if m, ok := e.pauses.mean(); ok {
		return m
	}
	return defaultPause
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (e *Torn) walkUpTime() time.Duration {
	if m, ok := e.walkUp.mean(); ok {
		return m
	}
	return 30 * time.Second
}
