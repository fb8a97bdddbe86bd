package sim

import (
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// drawLog hears of every draw, issue and call, in the order they happen.
type drawLog struct {
	t       *testing.T
	n       uint64                        // draws so far
	issued  map[dispenser.TicketID]uint64 // draws made before Issued(ticket)
	called  map[dispenser.TicketID]uint64 // draws made before the ticket's call
	drawn   map[dispenser.TicketID][]purpose
	errs    int
	tickets int
}

func (l *drawLog) drew(p purpose, id dispenser.TicketID, n uint64) {
	l.n = n
	switch p {
	case drawPatience, drawService:
		if id == "" {
			l.fail("a %s draw (#%d) for no ticket", p, n)
			return
		}
	default:
		if id != "" {
			l.fail("a %s draw (#%d) tagged with ticket %s", p, n, id)
		}
		return
	}
	before, ok := l.issued[id]
	if !ok || before >= n {
		l.fail("draw #%d (%s) for ticket %s before its Issued", n, p, id)
	}
	if p == drawService {
		if c, ok := l.called[id]; !ok || c != n-1 {
			l.fail("service time of %s drawn (#%d) but not right at its call", id, n)
		}
	}
	l.drawn[id] = append(l.drawn[id], p)
}

func (l *drawLog) Issued(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time) {
	l.tickets++
	if _, dup := l.issued[t.ID]; dup {
		l.fail("Issued(%s) twice", t.ID)
	}
	if len(l.drawn[t.ID]) > 0 {
		l.fail("ticket %s had draws %v before its Issued", t.ID, l.drawn[t.ID])
	}
	l.issued[t.ID] = l.n
	if got, ok := d.Ticket(t.ID); !ok || got.State != dispenser.Waiting || !d.Last().Equal(now) {
		l.fail("Issued(%s) at %v: the dispenser holds %+v, last change %v", t.ID, now, got, d.Last())
	}
}

func (l *drawLog) Event(e dispenser.Event) {
	if e.Type == dispenser.TicketCalled {
		l.called[e.Ticket.ID] = l.n
	}
	if e.Type == dispenser.DayStarted {
		// Ticket ids start again each day.
		clear(l.issued)
		clear(l.called)
		clear(l.drawn)
	}
}

func (l *drawLog) fail(format string, args ...any) {
	if l.errs++; l.errs <= 10 {
		l.t.Errorf(format, args...)
	}
}

// TestNoFutureBeforeIssued checks, through a hook on every random draw,
// that nothing about a ticket's future (its patience, its service time) is
// drawn before the Observer's Issued has seen it, and that its service time
// is drawn right at its call; so an estimator run in Issued cannot depend
// on the future, not even through the generator's state.
func TestNoFutureBeforeIssued(t *testing.T) {
	for _, name := range []string{"elmasnou", "big", "rush"} {
		l := &drawLog{t: t, issued: map[dispenser.TicketID]uint64{}, called: map[dispenser.TicketID]uint64{}, drawn: map[dispenser.TicketID][]purpose{}}
		rs, err := RunDays(load(t, name), 5, 3, l)
		if err != nil {
			t.Fatal(err)
		}
		var draws uint64
		for _, r := range rs {
			draws += r.Draws
		}
		services := 0
		for _, r := range rs {
			services += r.Served
		}
		if l.tickets == 0 || draws == 0 || services == 0 {
			t.Errorf("%s: %d tickets, %d draws, %d served: nothing tested", name, l.tickets, draws, services)
		}
	}
}
