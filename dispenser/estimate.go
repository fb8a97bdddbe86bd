package dispenser

import (
	"container/heap"
	"slices"
	"time"
)

// The wait estimate (Torn's estimator, measured in package estimate and
// docs/estimator.md) replays the office forward with the dispenser's own
// calling rules: each open desk frees up when its current citizen is
// expected to be done, a paused desk when its break is expected to end,
// and each then calls next exactly as the real one would (its profile, the
// appointments due ahead of walk-ins, the priority tickets, the ageing
// bound), every citizen called taking the learned walk-up and service time
// of their service, shortened by the share of that service's citizens who
// leave before their turn. The estimate is when the replay calls the
// ticket. Nobody arrives in the replay, and no desk opens in it.
//
// When no open or paused desk serves the ticket's service, the replay
// cannot call it: the estimate is then the people ahead × the service's
// mean service time ÷ the desks that serve it.

// Learned-from-today defaults, before the day has shown any.
//
// Until a start is recorded the walk-up is taken as none: an office whose
// clerks never press "start" learns its service times from the call, walk-up
// included.
const (
	defaultWalkUp = 0
	defaultPause  = 15 * time.Minute
	// leaveAfter is how many of a service's tickets must have been called
	// or have left before the share who leave is used.
	leaveAfter = 10
)

// estimate returns how many waiting tickets of t's service go before t and
// how long t is expected to wait from now. t need not be in the queue yet.
func (d *Dispenser) estimate(t *Ticket, now time.Time) (int, time.Duration) {
	me := d.placeOf(t, 0, now)
	ahead := 0
	for _, w := range d.waiting {
		if w.ID == t.ID || w.Service != t.Service {
			continue
		}
		if d.placeOf(w, 0, now).before(me) {
			ahead++
		}
	}
	wait, ok := d.replay(t, now)
	if !ok {
		wait = time.Duration(ahead) * d.serviceTime(t.Service) / time.Duration(d.desksFor(t.Service))
		if t.Kind == Appointment && t.Transfers == 0 {
			wait = max(wait, t.Slot.Sub(now))
		}
	}
	return ahead, wait.Round(time.Second)
}

// Estimate returns the people ahead of waiting ticket id and its expected
// wait from now.
func (d *Dispenser) Estimate(id TicketID, now time.Time) (ahead int, wait time.Duration, ok bool) {
	t := d.waiting[id]
	if t == nil {
		return 0, 0, false
	}
	ahead, wait = d.estimate(t, now)
	return ahead, wait, true
}

// deskFree is when a desk of the replay is free to call.
type deskFree struct {
	desk *Desk
	at   time.Time
}

type freeHeap []deskFree

func (h freeHeap) Len() int { return len(h) }
func (h freeHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].desk.ID < h[j].desk.ID
}
func (h freeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *freeHeap) Push(x any)   { *h = append(*h, x.(deskFree)) }
func (h *freeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// replay returns when the office, replayed forward from now, calls t; see
// the top of the file. False when no desk of the replay ever calls it.
func (d *Dispenser) replay(t *Ticket, now time.Time) (time.Duration, bool) {
	var free freeHeap
	for i := range d.cfg.Desks {
		dk := &d.cfg.Desks[i]
		ds := d.status[dk.ID]
		switch ds.State {
		case DeskPaused:
			free = append(free, deskFree{dk, later(now, ds.Since.Add(d.pauseTime()))})
		case DeskOpen:
			at := now
			if cur := d.tickets[ds.Current]; cur != nil {
				mean := d.serviceTime(cur.Service)
				begun := cur.Started
				if begun.IsZero() {
					begun = cur.Called.Add(d.walkUpTime())
				}
				if at = begun.Add(mean); at.Before(now) {
					// Longer than the mean already: expect what is left
					// of an exponential-ish tail, half a mean.
					at = now.Add(mean / 2)
				}
			}
			free = append(free, deskFree{dk, at})
		}
	}
	if len(free) == 0 {
		return 0, false
	}
	heap.Init(&free)
	q := d.queues(t, now)
	// Each turn calls a ticket or drops a desk: the replay ends.
	for free.Len() > 0 {
		f := heap.Pop(&free).(deskFree)
		c := q.next(d, f.desk, f.at)
		if c == nil {
			continue // nobody of this desk's services left: it drops out
		}
		if c.ID == t.ID {
			return max(f.at.Sub(now), 0), true
		}
		// Some of those ahead will have left by their turn: their desk
		// time counts for those who stay.
		stay := 1 - d.leaveShare(c.Service)
		busy := time.Duration(float64(d.walkUpTime()+d.serviceTime(c.Service)) * stay)
		heap.Push(&free, deskFree{f.desk, f.at.Add(busy)})
	}
	return 0, false // no desk of the replay ever calls t
}

// replayQueues are the waiting tickets of a replay per service, each
// service's in three lines that keep their order whatever the desk and the
// time: appointments by slot, priority tickets and walk-ins by when they
// queued. A desk's next ticket is the first in its calling order of the
// lines' heads, so a replay of n calls costs n log n, not n².
type replayQueues map[ServiceID]*[3]replayLine

type replayLine struct {
	ts   []*Ticket
	head int
}

// queues returns the replay's lines: today's waiting tickets and t.
func (d *Dispenser) queues(t *Ticket, now time.Time) replayQueues {
	q := replayQueues{}
	add := func(w *Ticket) {
		lines := q[w.Service]
		if lines == nil {
			lines = &[3]replayLine{}
			q[w.Service] = lines
		}
		i := 2
		switch {
		case w.Kind == Appointment && w.Transfers == 0:
			i = 0
		case w.Kind == Priority:
			i = 1
		}
		lines[i].ts = append(lines[i].ts, w)
	}
	for _, w := range d.waiting {
		if w.ID != t.ID {
			add(w)
		}
	}
	add(t)
	for _, lines := range q {
		for i := range lines {
			ts := lines[i].ts
			slices.SortFunc(ts, func(a, b *Ticket) int {
				if d.placeOf(a, 0, now).before(d.placeOf(b, 0, now)) {
					return -1
				}
				return 1
			})
		}
	}
	return q
}

// next takes from q the ticket desk dk calls at now, as Dispenser.next
// would; nil if none.
func (q replayQueues) next(d *Dispenser, dk *Desk, now time.Time) *Ticket {
	var best place
	var from *replayLine
	for rank, sid := range dk.Profile {
		lines := q[sid]
		if lines == nil {
			continue
		}
		for i := range lines {
			l := &lines[i]
			if l.head == len(l.ts) {
				continue
			}
			if p := d.placeOf(l.ts[l.head], rank, now); from == nil || p.before(best) {
				best, from = p, l
			}
		}
	}
	if from == nil {
		return nil
	}
	from.head++
	return best.t
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// desksFor counts the open desks that serve service id; when none is open,
// the paused ones; when none is paused either, every desk that serves it,
// on the bet that they will open. Never zero: every service has a desk.
func (d *Dispenser) desksFor(id ServiceID) int {
	var open, paused, all int
	for _, dk := range d.cfg.Desks {
		for _, sid := range dk.Profile {
			if sid != id {
				continue
			}
			all++
			switch d.status[dk.ID].State {
			case DeskOpen:
				open++
			case DeskPaused:
				paused++
			}
		}
	}
	switch {
	case open > 0:
		return open
	case paused > 0:
		return paused
	case all > 0:
		return all
	}
	return 1
}

// ServiceTime returns service id's mean service time: of its recent
// completions today, or its configured one before there are any.
func (d *Dispenser) ServiceTime(id ServiceID) time.Duration { return d.serviceTime(id) }

func (d *Dispenser) serviceTime(id ServiceID) time.Duration {
	if m, ok := d.learned.service[id].mean(); ok {
		return m
	}
	if s := d.services[id]; s != nil {
		return s.ServiceTime
	}
	return 5 * time.Minute
}

func (d *Dispenser) walkUpTime() time.Duration {
	if m, ok := d.learned.walkUp.mean(); ok {
		return m
	}
	return defaultWalkUp
}

func (d *Dispenser) pauseTime() time.Duration {
	if m, ok := d.learned.pauses.mean(); ok {
		return m
	}
	return defaultPause
}

// leaveShare is the share of service id's citizens today who left before
// their call, once enough have been seen.
func (d *Dispenser) leaveShare(id ServiceID) float64 {
	c, l := d.learned.called[id], d.learned.left[id]
	if c+l < leaveAfter {
		return 0
	}
	return float64(l) / float64(c+l)
}

// The range of an estimate comes from how wrong today's estimates were: the
// errors of the last RangeOf tickets called, each relative to its estimate
// plus rangeFloor (so that a short estimate still gets minutes of range),
// give the 5th and 95th percentiles the range spans. Before rangeLearnFrom
// calls it is −30 % to +50 %. Measured on the simulated days it holds the
// wait about 8 times out of 10 (docs/estimator.md).
const (
	// RangeOf is how many recent first calls the range is learned from.
	RangeOf             = 60
	rangeLearnFrom      = 10
	rangeLow, rangeHigh = -0.3, 0.5
	rangeFloor          = 5 * time.Minute
)

// Range returns the range a wait estimated as wait should fall in.
func (d *Dispenser) Range(wait time.Duration) (low, high time.Duration) {
	lo, hi := rangeLow, rangeHigh
	if errs := d.learned.errs; len(errs) >= rangeLearnFrom {
		s := slices.Clone(errs)
		slices.Sort(s)
		lo, hi = quantile(s, 0.05), quantile(s, 0.95)
	}
	scale := float64(wait + rangeFloor)
	low = max(wait+time.Duration(lo*scale), 0)
	high = max(wait+time.Duration(hi*scale), low)
	return low.Round(time.Second), high.Round(time.Second)
}

// quantile is the q-quantile of sorted s, interpolated.
func quantile(s []float64, q float64) float64 {
	x := q * float64(len(s)-1)
	i := int(x)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (x-float64(i))*(s[i+1]-s[i])
}

// learned is what the dispenser learns of today for its estimates.
type learned struct {
	n int // how many recent values each learner keeps
	// service holds the service times (start, or call, to end) per service;
	// walkUp the times from a call to the start; pauses the desks' breaks.
	service        map[ServiceID]*learner
	walkUp, pauses *learner
	// called and left count per service the tickets called for the first
	// time and those that left (were cancelled) before any call.
	called, left map[ServiceID]int
	// errs holds the relative errors of the estimates of the last RangeOf
	// tickets called for the first time; see Range.
	errs []float64
	next int
}

func newLearned(n int) learned {
	return learned{n: n, service: map[ServiceID]*learner{}, walkUp: newLearner(n), pauses: newLearner(n),
		called: map[ServiceID]int{}, left: map[ServiceID]int{}}
}

// ticket learns from t, the state of a ticket after an event of type typ,
// or from a restored ticket when typ is "".
func (l *learned) ticket(typ EventType, t *Ticket) {
	switch {
	case typ == TicketDone || (typ == "" && t.State == Done):
		from := t.Started
		if from.IsZero() {
			from = t.Called
		}
		if from.IsZero() || t.Ended.Before(from) {
			break
		}
		s := l.service[t.Service]
		if s == nil {
			s = newLearner(l.n)
			l.service[t.Service] = s
		}
		s.add(t.Ended.Sub(from))
	case typ == TicketCancelled || (typ == "" && t.State == Cancelled):
		if t.FirstCalled.IsZero() && t.Reason != ReasonDayEnded {
			l.left[t.Service]++
		}
	}
	if (typ == TicketCalled && t.Calls == 1 && t.Called.Equal(t.FirstCalled)) || (typ == "" && !t.FirstCalled.IsZero()) {
		l.called[t.Service]++
		l.err(float64(t.FirstCalled.Sub(t.Issued)-t.Estimate) / float64(t.Estimate+rangeFloor))
	}
	if (typ == TicketStarted || (typ == "" && !t.Started.IsZero())) && !t.Called.IsZero() && !t.Started.Before(t.Called) {
		l.walkUp.add(t.Started.Sub(t.Called))
	}
}

// err records the relative error of a first call's estimate.
func (l *learned) err(rel float64) {
	if len(l.errs) < RangeOf {
		l.errs = append(l.errs, rel)
		return
	}
	l.errs[l.next] = rel
	l.next = (l.next + 1) % RangeOf
}

// desk learns from desk status now, which was was.
func (l *learned) desk(was *DeskStatus, now DeskStatus) {
	if was != nil && was.State == DeskPaused && now.State != DeskPaused && now.Since.After(was.Since) {
		l.pauses.add(now.Since.Sub(was.Since))
	}
}

// learner keeps the last n values of something.
type learner struct {
	ring []time.Duration
	next int
	full bool
}

func newLearner(n int) *learner { return &learner{ring: make([]time.Duration, n)} }

func (l *learner) add(v time.Duration) {
	l.ring[l.next] = v
	l.next++
	if l.next == len(l.ring) {
		l.next, l.full = 0, true
	}
}

// mean is the mean of what l holds; false when l is nil or empty.
func (l *learner) mean() (time.Duration, bool) {
	if l == nil {
		return 0, false
	}
	n := l.next
	if l.full {
		n = len(l.ring)
	}
	if n == 0 {
		return 0, false
	}
	var sum time.Duration
	for _, v := range l.ring[:n] {
		sum += v
	}
	return sum / time.Duration(n), true
}
