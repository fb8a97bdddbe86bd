package dispenser

import "time"

// class is the first part of the calling order: lower classes go first.
type class int

const (
	classDueAppointment class = iota
	classPriority
	classWalkIn
	classEarlyAppointment
)

// place is where a waiting ticket stands in a desk's calling order.
type place struct {
	class class
	key   time.Time
	rank  int // position of the ticket's service in the desk's profile
	t     *Ticket
}

func (a place) before(b place) bool {
	if a.class != b.class {
		return a.class < b.class
	}
	if !a.key.Equal(b.key) {
		return a.key.Before(b.key)
	}
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	if !a.t.Queued.Equal(b.t.Queued) {
		return a.t.Queued.Before(b.t.Queued)
	}
	// Issued in the same instant (a coarse clock): the lower number first.
	if a.t.Counter != b.t.Counter {
		return a.t.Counter < b.t.Counter
	}
	return a.t.ID < b.t.ID
}

// placeOf returns where t stands for a desk on which its service has the
// given rank. An appointment ticket that was transferred has had its
// appointment: in its new service it queues by Queued like a walk-in.
func (d *Dispenser) placeOf(t *Ticket, rank int, now time.Time) place {
	r := &d.cfg.Rules
	switch {
	case t.Kind == Appointment && t.Transfers == 0:
		if !now.Before(t.Slot.Add(-r.DueBefore)) {
			return place{classDueAppointment, t.Slot, rank, t}
		}
		return place{classEarlyAppointment, t.Slot, rank, t}
	case t.Kind == Priority:
		return place{classPriority, t.Queued, rank, t}
	}
	handicap := time.Duration(rank) * r.ProfileStep
	if handicap > r.MaxOvertake {
		handicap = r.MaxOvertake
	}
	return place{classWalkIn, t.Queued.Add(handicap), rank, t}
}

// next returns the ticket desk dk calls next at now, or nil.
func (d *Dispenser) next(dk *Desk, now time.Time) *Ticket {
	return d.nextOf(d.waiting, dk, now)
}

// nextOf returns the ticket of waiting that desk dk calls next at now, or
// nil.
func (d *Dispenser) nextOf(waiting map[TicketID]*Ticket, dk *Desk, now time.Time) *Ticket {
	var best place
	var found bool
	for rank, sid := range dk.Profile {
		for _, t := range waiting {
			if t.Service != sid {
				continue
			}
			p := d.placeOf(t, rank, now)
			if !found || p.before(best) {
				best, found = p, true
			}
		}
	}
	if !found {
		return nil
	}
	return best.t
}

// Next returns a copy of the ticket desk id would call at now.
func (d *Dispenser) Next(id DeskID, now time.Time) (Ticket, bool) {
	dk := d.desks[id]
	if dk == nil {
		return Ticket{}, false
	}
	t := d.next(dk, now)
	if t == nil {
		return Ticket{}, false
	}
	return *t, true
}
