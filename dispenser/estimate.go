package dispenser

import "time"

// This is the first wait estimate: people ahead in the ticket's own service
// queue × the service's mean service time ÷ the desks that serve it. It
// ignores tickets of other services competing for shared desks and the time
// left on the tickets being served; the estimator issue measures and
// replaces it.

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
	wait := time.Duration(ahead) * d.serviceTime(t.Service) / time.Duration(d.desksFor(t.Service))
	if t.Kind == Appointment && t.Transfers == 0 {
		if until := t.Slot.Sub(now); until > wait {
			wait = until
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

// serviceTime is the mean of the service's recent completions today, or its
// configured service time before there are any.
func (d *Dispenser) serviceTime(id ServiceID) time.Duration {
	if m, ok := d.learned[id].mean(); ok {
		return m
	}
	return d.services[id].ServiceTime
}

// learn records the service time of done ticket t.
func (d *Dispenser) learn(t *Ticket) {
	l := d.learned[t.Service]
	if l == nil || t.State != Done {
		return
	}
	from := t.Started
	if from.IsZero() {
		from = t.Called
	}
	if from.IsZero() || t.Ended.Before(from) {
		return
	}
	l.add(t.Ended.Sub(from))
}

// learner keeps the last n service times of a service.
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

func (l *learner) mean() (time.Duration, bool) {
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
