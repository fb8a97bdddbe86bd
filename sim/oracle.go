package sim

import (
	"container/heap"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"torn.cat/torn/dispenser"
)

// A Forecaster is an Observer that is also handed the simulator's present
// at each issue: right after Issued, before any further random draw.
type Forecaster interface {
	Observer
	Forecast(p *Present, t dispenser.Ticket)
}

// A Present is a simulated day stopped at a ticket's issue. It is valid
// only during the Forecast call that hands it over.
type Present struct {
	e   *engine
	now time.Time
}

// Now is the present's time: the ticket's issue.
func (p *Present) Now() time.Time { return p.now }

// End is when the simulated day stops calling: the last closing plus
// DrainMinutes.
func (p *Present) End() time.Time { return p.e.stop() }

// redrawTries bounds the rejection sampling of a future conditioned on the
// present (a service time longer than the time already spent, an arrival
// not before now).
const redrawTries = 16

// Waits simulates n futures of the present, with random numbers from seed,
// and returns the waits (first call − issue) of waiting ticket id in those
// in which it is called, in the order simulated, and how many futures end
// the day before calling it. The day itself is untouched: no draw from its
// generator, no change to its dispenser, nothing told to its observer.
//
// Each future knows the scenario's parameters and the present, nothing of
// what the day has already drawn of its future; what is drawn is drawn
// again, conditioned on the present:
//
//   - walk-in arrivals, from now (a Poisson process forgets);
//   - the service times of the citizens at the desks, from the service's
//     lognormal conditioned on the time already spent;
//   - the patience of the citizens waiting, from now (exponential); id's
//     own citizen never leaves: the wait forecast is the wait if they stay;
//   - whether and when the bookings whose citizen has not come yet come,
//     conditioned on their not having come before now.
//
// The citizens already in the building are known and kept: walk-ins at the
// door before the opening, appointment holders refused as too early who
// come back when their window opens, citizens walking up to a desk. So are
// the desks' openings, breaks and closings, which are the scenario's.
//
// A future stops at id's first call, or at [Present.End].
func (p *Present) Waits(id dispenser.TicketID, n int, seed uint64) (waits []time.Duration, uncalled int, err error) {
	e := p.e
	k, ok := e.index[id]
	if t, in := e.d.Ticket(id); !ok || !in || t.State != dispenser.Waiting {
		return nil, 0, fmt.Errorf("forecast %s: not a waiting ticket", id)
	}
	fp := p.plan(id)
	stop := e.stop()
	// The futures run in parallel, future i with generator stream i: the
	// same seed gives the same waits however they are scheduled.
	type future struct {
		wait   time.Duration
		called bool
		err    error
	}
	out := make([]future, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f, err := p.fork(rng{r: rand.New(rand.NewPCG(seed, uint64(i)))}, fp, id, k)
				if err == nil {
					out[i].called, err = f.untilCalled(p.now, stop)
					out[i].wait = f.res.Tickets[0].Wait
				}
				out[i].err = err
			}
		})
	}
	wg.Wait()
	for i, f := range out {
		switch {
		case f.err != nil:
			return nil, 0, fmt.Errorf("forecast %s, future %d: %w", id, i, f.err)
		case f.called:
			waits = append(waits, f.wait)
		default:
			uncalled++
		}
	}
	return waits, uncalled, nil
}

// futurePlan is what every future of a present starts from.
type futurePlan struct {
	snap dispenser.Snapshot
	// kept are the pending events kept as they are.
	kept []event
	// serving are the citizens at a desk whose service time is drawn again.
	serving []serving
	// patient are the waiting tickets whose patience is drawn again.
	patient []dispenser.TicketID
	// booked are the bookings whose citizen has not come yet.
	booked []int
}

type serving struct {
	desk    int
	svc     int
	ticket  dispenser.TicketID
	started time.Time // or when the citizen will reach the desk
}

// plan sorts the present's pending events into kept and drawn again.
func (p *Present) plan(id dispenser.TicketID) *futurePlan {
	e := p.e
	d := e.d
	fp := &futurePlan{snap: dispenser.Snapshot{Day: d.Day(), Last: d.Last(), Tickets: d.Tickets(), Desks: d.Desks(), Books: d.Books()}}
	// dispenser.New restores the tickets in the order they ended: sorted
	// once here, not in every future.
	slices.SortStableFunc(fp.snap.Tickets, func(a, b dispenser.Ticket) int { return a.Ended.Compare(b.Ended) })
	for _, ev := range e.q {
		switch ev.kind {
		case evWalkIn:
			// Drawn again below.
		case evAppt:
			if e.books[ev.i].came {
				fp.kept = append(fp.kept, ev) // back when their window opens
			}
		case evFinish:
			cur, ok := d.Ticket(fp.snap.Desks[ev.i].Current)
			if !ok {
				fp.kept = append(fp.kept, ev) // cannot happen: finish as drawn
				continue
			}
			started := cur.Started
			if started.IsZero() {
				started = cur.Called.Add(e.p.walkUp)
			}
			fp.serving = append(fp.serving, serving{desk: ev.i, svc: e.svcIndex[cur.Service], ticket: cur.ID, started: started})
		case evAbandon:
			if _, waiting := e.waiting[ev.ticket]; waiting && ev.ticket != id {
				fp.patient = append(fp.patient, ev.ticket)
			}
		default:
			fp.kept = append(fp.kept, ev)
		}
	}
	for i, b := range e.books {
		if !b.came {
			fp.booked = append(fp.booked, i)
		}
	}
	return fp
}

// fork returns a copy of the present's engine with its own generator g and
// the future of fp drawn again. Its result holds ticket id alone.
func (p *Present) fork(g rng, fp *futurePlan, id dispenser.TicketID, k int) (*engine, error) {
	e, now := p.e, p.now
	d, err := dispenser.New(*e.d.Config(), fp.snap)
	if err != nil {
		return nil, err
	}
	f := &engine{p: e.p, d: d, g: g, seq: e.seq, y: e.y, m: e.m, dd: e.dd,
		res:      Result{Tickets: []TicketResult{e.res.Tickets[k]}},
		index:    map[dispenser.TicketID]int{id: 0},
		svcIndex: e.svcIndex,
		desks:    slices.Clone(e.desks),
		books:    slices.Clone(e.books),
		next:     e.next,
		waiting:  maps.Clone(e.waiting),
		queued:   maps.Clone(e.queued),
	}
	f.q = make(evHeap, len(fp.kept), len(e.q)+len(fp.booked)+len(e.p.svcs))
	copy(f.q, fp.kept)
	heap.Init(&f.q)
	for i := range f.p.svcs {
		if sp := &f.p.svcs[i]; sp.maxRate > 0 {
			f.nextWalkIn(i, maxTime(now, f.at(sp.from)))
		}
	}
	for _, s := range fp.serving {
		f.push(event{at: s.started.Add(f.serviceTimeAfter(s.svc, s.ticket, now.Sub(s.started))), kind: evFinish, i: s.desk})
	}
	for _, t := range fp.patient {
		pt := f.g.exp(drawPatience, t) * float64(f.p.patience)
		f.push(event{at: now.Add(time.Duration(pt)), kind: evAbandon, ticket: t})
	}
	day := time.Date(f.y, f.m, f.dd, 0, 0, 0, 0, f.p.loc)
	for _, i := range fp.booked {
		for range redrawTries {
			at, comes := f.arrival(f.books[i], day)
			if !comes {
				break
			}
			if !at.Before(now) {
				f.push(event{at: at, kind: evAppt, i: i})
				break
			}
		}
		// After redrawTries arrivals before now: a no-show.
	}
	return f, nil
}

// serviceTimeAfter draws a service time of service i for ticket id, given
// that it is at least elapsed: by rejection, then, if that takes too many
// tries (elapsed far in the tail), by inverting the lognormal's
// distribution function above elapsed.
func (e *engine) serviceTimeAfter(i int, id dispenser.TicketID, elapsed time.Duration) time.Duration {
	for range redrawTries {
		if st := e.serviceTime(i, id); st >= elapsed {
			return st
		}
	}
	sp := &e.p.svcs[i]
	x := elapsed.Minutes()
	if sp.sigma > 0 {
		a := (math.Log(x) - sp.mu) / sp.sigma
		// Q(a) = P(Z > a); draw v uniformly in (0, Q(a)] and solve Q(z) = v.
		if q := 0.5 * math.Erfc(a/math.Sqrt2); q > 0 {
			v := q * (1 - e.g.float(drawService, id))
			x = math.Exp(sp.mu + sp.sigma*math.Sqrt2*math.Erfcinv(2*v))
		}
	}
	return max(time.Duration(x*float64(time.Minute)).Round(time.Second), elapsed, time.Second)
}

// untilCalled runs forked engine f from now, where the day stood at the
// issue, until its one ticket of interest is first called (true) or the day
// stops calling at stop (false).
func (f *engine) untilCalled(now, stop time.Time) (bool, error) {
	// The rest of the issuing step.
	if err := f.callAll(now); err != nil {
		return false, err
	}
	for f.res.Tickets[0].Called.IsZero() {
		if f.q.Len() == 0 {
			return false, nil
		}
		ev := heap.Pop(&f.q).(event)
		if ev.at.After(stop) {
			return false, nil
		}
		if err := f.step(ev); err != nil {
			return false, err
		}
	}
	return true, nil
}
