package dispenser

import (
	"fmt"
	"time"
)

func (d *Dispenser) issue(c Issue, now time.Time) ([]Event, error) {
	return d.issueFor(c, "", now)
}

// issueFor issues the ticket of c, checked in for appointment appt if that
// is not "". A walk-in ticket for an appointment (a late arrival) is let
// into a service that takes appointments only.
func (d *Dispenser) issueFor(c Issue, appt AppointmentID, now time.Time) ([]Event, error) {
	s := d.services[c.Service]
	if s == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownService, c.Service)
	}
	if c.Kind == "" {
		c.Kind = WalkIn
	}
	if !c.Kind.valid() {
		return nil, fmt.Errorf("%w: unknown ticket kind %q", ErrInvalid, c.Kind)
	}
	if c.Lang == "" {
		c.Lang = Catalan
	}
	if c.ID == "" || c.Token == "" {
		return nil, fmt.Errorf("%w: ticket id and token are required", ErrInvalid)
	}
	if _, dup := d.tickets[c.ID]; dup {
		return nil, fmt.Errorf("%w: ticket id %q", ErrDuplicate, c.ID)
	}
	if _, dup := d.tokens[c.Token]; dup {
		return nil, fmt.Errorf("%w: tracking token", ErrDuplicate)
	}
	if c.Kind == Appointment && c.Slot.IsZero() {
		return nil, fmt.Errorf("%w: an appointment ticket needs its slot time", ErrInvalid)
	}
	if c.Kind == Appointment && d.DayOf(c.Slot) != d.day {
		return nil, fmt.Errorf("%w: the appointment's slot %s is not today (%s)", ErrInvalid, c.Slot.In(d.cfg.Location).Format("2006-01-02 15:04"), d.day)
	}
	if c.Kind != Appointment && !c.Slot.IsZero() {
		return nil, fmt.Errorf("%w: only appointment tickets have a slot", ErrInvalid)
	}
	n, number := d.nextNumber(s)
	t := Ticket{
		ID:           c.ID,
		Number:       number,
		Counter:      n,
		Day:          d.day,
		Service:      s.ID,
		Kind:         c.Kind,
		State:        Waiting,
		Token:        c.Token,
		Lang:         c.Lang,
		Issued:       now,
		Queued:       now,
		Slot:         c.Slot,
		NoPaper:      c.NoPaper,
		DocumentHash: c.DocumentHash,
		Appointment:  appt,
	}
	t.Ahead, t.Estimate = d.estimate(&t, now)
	if !d.printer.Ready && !c.NoPaper {
		return nil, &Refusal{Reason: RefusedOutOfService, Service: s.ID, Detail: d.printer.Reason}
	}
	if c.Kind != Appointment {
		if err := d.admit(s, &t, appt != "", now); err != nil {
			return turnedAway(c.Kind, err, now), err
		}
	}
	return []Event{{Time: now, Type: TicketIssued, Ticket: &t}}, nil
}

// turnedAway returns the record of refusal err of a ticket of kind k, made
// at now: a TicketRefused event when the cut-off refused it, else none.
//
// Only the cut-off is recorded, because only it turns a citizen away for
// the queue's length, which is what the service managers count. The other
// refusals are not about the queue: a closed or appointment-only service,
// a service without priority tickets, or a dispenser out of service (out
// of paper) turn away whoever comes, however short the queue.
func turnedAway(k Kind, err error, now time.Time) []Event {
	r, ok := err.(*Refusal)
	if !ok || r.Reason != RefusedCutOff {
		return nil
	}
	return []Event{{Time: now, Type: TicketRefused, Refused: &Refused{Service: r.Service, Kind: k, Reason: r.Reason}}}
}

// admit checks that a walk-in or priority ticket t of service s may be
// issued at now: the service takes them (or booked is set: the citizen has
// an appointment), is open, and would call t before it closes.
func (d *Dispenser) admit(s *Service, t *Ticket, booked bool, now time.Time) error {
	if s.AppointmentOnly && !booked {
		return &Refusal{Reason: RefusedAppointmentOnly, Service: s.ID}
	}
	if t.Kind == Priority && !s.Priority {
		return &Refusal{Reason: RefusedNoPriority, Service: s.ID}
	}
	sess, open := s.Hours.SessionAt(now, d.cfg.Location)
	if !open {
		next, _ := s.Hours.NextOpen(now, d.cfg.Location)
		return &Refusal{Reason: RefusedClosed, Service: s.ID, Until: next}
	}
	if !d.cfg.Rules.NoCutOff && !now.Add(t.Estimate).Before(sess.Close) {
		return &Refusal{Reason: RefusedCutOff, Service: s.ID, Until: sess.Close}
	}
	return nil
}

// Admits reports whether a walk-in (or priority) ticket of service id would
// be issued and printed now, and if not the refusal: what the dispenser
// shows on its buttons before anyone presses them. It only asks: nobody is
// turned away, and nothing is recorded.
func (d *Dispenser) Admits(id ServiceID, kind Kind, now time.Time) error {
	s := d.services[id]
	if s == nil {
		return fmt.Errorf("%w %q", ErrUnknownService, id)
	}
	if !d.printer.Ready {
		return &Refusal{Reason: RefusedOutOfService, Service: id, Detail: d.printer.Reason}
	}
	t := Ticket{Service: id, Kind: kind, State: Waiting, Issued: now, Queued: now}
	t.Ahead, t.Estimate = d.estimate(&t, now)
	return d.admit(s, &t, false, now)
}
