package estimate

import (
	"time"

	"torn.cat/torn/dispenser"
)

// RollingOf is how many recent waits of a service Rolling averages.
const RollingOf = 10

// QL is the queue-length estimator. For ticket t of service s,
//
//	wait = max(0, t.Ahead + 1 − idle) × S ÷ k
//
// where t.Ahead is the number of waiting tickets of s that go before t (as
// the dispenser counted them at issue); k the open desks whose profile
// includes s, or when none is open the paused ones, or when none is paused
// every desk that serves s; idle those of the k open desks with no current
// ticket; and S the dispenser's mean service time of s (of the last
// Rules.LearnFrom completions today, from the start, or the call when it
// did not start, to the end; s's configured ServiceTime before the first). The +1 is the departure
// that frees a desk for t when all are busy (Ibrahim & Whitt's (n+1)/sμ);
// an idle desk calls t at once.
type QL struct{}

// NewQL returns a QL estimator.
func NewQL() *QL { return &QL{} }

// Name is "QL".
func (*QL) Name() string { return "QL" }

// Observe does nothing: the dispenser learns the service times.
func (*QL) Observe(dispenser.Event) {}

// Estimate returns QL's estimate; see the type's documentation.
func (*QL) Estimate(d *dispenser.Dispenser, t dispenser.Ticket, _ time.Time) time.Duration {
	s := d.ServiceTime(t.Service)
	k, idle := desksFor(d, t.Service)
	n := t.Ahead + 1 - idle
	if n <= 0 {
		return 0
	}
	return (time.Duration(n) * s / time.Duration(k)).Round(time.Second)
}

// desksFor returns k, the open desks that serve service id (or the paused
// ones when none is open, or all of them when none is paused either; never
// less than 1), and how many of the open ones have no current ticket.
func desksFor(d *dispenser.Dispenser, id dispenser.ServiceID) (k, idle int) {
	var open, paused, all int
	for _, ds := range d.Desks() {
		dk := d.Desk(ds.ID)
		if dk == nil || !serves(dk, id) {
			continue
		}
		all++
		switch ds.State {
		case dispenser.DeskOpen:
			open++
			if ds.Current == "" {
				idle++
			}
		case dispenser.DeskPaused:
			paused++
		}
	}
	switch {
	case open > 0:
		return open, idle
	case paused > 0:
		return paused, 0
	case all > 0:
		return all, 0
	}
	return 1, 0
}

func serves(dk *dispenser.Desk, id dispenser.ServiceID) bool {
	for _, s := range dk.Profile {
		if s == id {
			return true
		}
	}
	return false
}

// LES is the last-to-enter-service estimator: the wait (first call −
// issue) of the last ticket of t's service to be called for the first
// time today; zero before the first.
type LES struct {
	last map[dispenser.ServiceID]time.Duration
}

// NewLES returns a LES estimator for a new day.
func NewLES() *LES { return &LES{last: map[dispenser.ServiceID]time.Duration{}} }

// Name is "LES".
func (*LES) Name() string { return "LES" }

// Observe records the waits of first calls.
func (l *LES) Observe(e dispenser.Event) {
	if w, ok := firstCallWait(e); ok {
		l.last[e.Ticket.Service] = w
	}
}

// Estimate returns the last first-called wait of t's service.
func (l *LES) Estimate(_ *dispenser.Dispenser, t dispenser.Ticket, _ time.Time) time.Duration {
	return l.last[t.Service]
}

// firstCallWait returns the wait of the ticket e calls for the first time.
func firstCallWait(e dispenser.Event) (time.Duration, bool) {
	if e.Type != dispenser.TicketCalled || e.Ticket == nil || e.Ticket.Calls != 1 || e.Ticket.FirstCalled.IsZero() {
		return 0, false
	}
	return e.Ticket.FirstCalled.Sub(e.Ticket.Issued), true
}

// HOL is the head-of-the-line estimator: how long the ticket of t's
// service that has waited longest, t apart, has waited so far (now − its
// issue); zero when no other ticket of the service waits.
type HOL struct{}

// NewHOL returns a HOL estimator.
func NewHOL() *HOL { return &HOL{} }

// Name is "HOL".
func (*HOL) Name() string { return "HOL" }

// Observe does nothing: HOL reads only the queue.
func (*HOL) Observe(dispenser.Event) {}

// Estimate returns the head of the line's elapsed wait.
func (*HOL) Estimate(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time) time.Duration {
	var head time.Time
	for _, w := range d.Tickets() {
		if w.State != dispenser.Waiting || w.Service != t.Service || w.ID == t.ID {
			continue
		}
		if head.IsZero() || w.Issued.Before(head) {
			head = w.Issued
		}
	}
	if head.IsZero() || now.Before(head) {
		return 0
	}
	return now.Sub(head)
}

// Rolling is the mean of the waits (first call − issue) of the last
// RollingOf tickets of t's service called for the first time today; zero
// before the first.
type Rolling struct {
	// waits are each service's last RollingOf waits, oldest first.
	waits map[dispenser.ServiceID][]time.Duration
}

// NewRolling returns a rolling-mean estimator for a new day.
func NewRolling() *Rolling { return &Rolling{waits: map[dispenser.ServiceID][]time.Duration{}} }

// Name is "rolling".
func (*Rolling) Name() string { return "rolling" }

// Observe records the waits of first calls.
func (r *Rolling) Observe(e dispenser.Event) {
	w, ok := firstCallWait(e)
	if !ok {
		return
	}
	ws := append(r.waits[e.Ticket.Service], w)
	r.waits[e.Ticket.Service] = ws[max(0, len(ws)-RollingOf):]
}

// Estimate returns the mean of the service's recent waits, to the second.
func (r *Rolling) Estimate(_ *dispenser.Dispenser, t dispenser.Ticket, _ time.Time) time.Duration {
	ws := r.waits[t.Service]
	if len(ws) == 0 {
		return 0
	}
	var sum time.Duration
	for _, w := range ws {
		sum += w
	}
	return (sum / time.Duration(len(ws))).Round(time.Second)
}
