package dispenser

import (
	"fmt"
	"time"
)

// deskAndCurrent returns desk id's config and status and its current ticket
// (nil when it has none).
func (d *Dispenser) deskAndCurrent(id DeskID) (*Desk, DeskStatus, *Ticket, error) {
	dk := d.desks[id]
	if dk == nil {
		return nil, DeskStatus{}, nil, fmt.Errorf("%w %q", ErrUnknownDesk, id)
	}
	ds := *d.status[id]
	return dk, ds, d.tickets[ds.Current], nil
}

// current is deskAndCurrent for actions that need a current ticket in one of
// the states ok.
func (d *Dispenser) current(id DeskID, action string, ok ...State) (DeskStatus, Ticket, error) {
	_, ds, t, err := d.deskAndCurrent(id)
	if err != nil {
		return ds, Ticket{}, err
	}
	if t == nil {
		return ds, Ticket{}, fmt.Errorf("%w: %s: desk %s has no ticket called", ErrWrongState, action, id)
	}
	for _, s := range ok {
		if t.State == s {
			return ds, *t, nil
		}
	}
	return ds, Ticket{}, fmt.Errorf("%w: %s: ticket %s at desk %s is %s", ErrWrongState, action, t.Number, id, t.State)
}

func (d *Dispenser) callNext(c CallNext, now time.Time) ([]Event, error) {
	dk, ds, cur, err := d.deskAndCurrent(c.Desk)
	if err != nil {
		return nil, err
	}
	t := d.next(dk, now)
	if t == nil {
		return nil, fmt.Errorf("%w at desk %s", ErrNobodyWaiting, c.Desk)
	}
	var evs []Event
	if c.Clerk == "" {
		c.Clerk = ds.Clerk
	}
	if ds.State != DeskOpen || ds.Clerk != c.Clerk {
		ds.State, ds.Since, ds.Clerk = DeskOpen, now, c.Clerk
		evs = append(evs, Event{Time: now, Type: DeskChanged, Desk: ptr(ds)})
	}
	if cur != nil {
		done := *cur
		done.State, done.Ended = Done, now
		ds.Current = ""
		evs = append(evs, Event{Time: now, Type: TicketDone, Ticket: &done, Desk: ptr(ds)})
	}
	called := *t
	called.State, called.Desk, called.Clerk = Called, dk.ID, c.Clerk
	called.Calls, called.Called = 1, now
	if called.FirstCalled.IsZero() {
		called.FirstCalled = now
	}
	ds.Current = called.ID
	evs = append(evs, Event{Time: now, Type: TicketCalled, Ticket: &called, Desk: ptr(ds)})
	return evs, nil
}

func (d *Dispenser) recall(c Recall, now time.Time) ([]Event, error) {
	ds, t, err := d.current(c.Desk, "recall", Called)
	if err != nil {
		return nil, err
	}
	if t.Calls >= d.cfg.Rules.MaxCalls {
		t.State, t.Ended = NoShow, now
		ds.Current = ""
		return []Event{{Time: now, Type: TicketNoShow, Ticket: &t, Desk: &ds}}, nil
	}
	t.Calls++
	t.Called = now
	return []Event{{Time: now, Type: TicketRecalled, Ticket: &t}}, nil
}

func (d *Dispenser) start(c Start, now time.Time) ([]Event, error) {
	_, t, err := d.current(c.Desk, "start", Called)
	if err != nil {
		return nil, err
	}
	t.State, t.Started = Serving, now
	return []Event{{Time: now, Type: TicketStarted, Ticket: &t}}, nil
}

func (d *Dispenser) finish(c Finish, now time.Time) ([]Event, error) {
	ds, t, err := d.current(c.Desk, "done", Called, Serving)
	if err != nil {
		return nil, err
	}
	t.State, t.Ended = Done, now
	ds.Current = ""
	return []Event{{Time: now, Type: TicketDone, Ticket: &t, Desk: &ds}}, nil
}

func (d *Dispenser) markNoShow(c MarkNoShow, now time.Time) ([]Event, error) {
	ds, t, err := d.current(c.Desk, "no-show", Called)
	if err != nil {
		return nil, err
	}
	t.State, t.Ended = NoShow, now
	ds.Current = ""
	return []Event{{Time: now, Type: TicketNoShow, Ticket: &t, Desk: &ds}}, nil
}

func (d *Dispenser) transfer(c Transfer, now time.Time) ([]Event, error) {
	ds, t, err := d.current(c.Desk, "transfer", Called, Serving)
	if err != nil {
		return nil, err
	}
	if d.services[c.To] == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownService, c.To)
	}
	if c.To == t.Service {
		return nil, fmt.Errorf("%w: ticket %s is already in service %s", ErrInvalid, t.Number, c.To)
	}
	t.Queued = now
	if !d.cfg.Rules.TransferToTail {
		for _, w := range d.waiting {
			if w.Service == c.To && !w.Queued.After(t.Queued) {
				t.Queued = w.Queued.Add(-time.Nanosecond)
			}
		}
	}
	t.From, t.Service = t.Service, c.To
	t.State, t.Desk, t.Clerk, t.Calls = Waiting, "", "", 0
	t.Called, t.Started = time.Time{}, time.Time{}
	t.Transfers++
	ds.Current = ""
	return []Event{{Time: now, Type: TicketTransferred, Ticket: &t, Desk: &ds}}, nil
}

func (d *Dispenser) cancel(c Cancel, now time.Time) ([]Event, error) {
	p := d.tickets[c.Ticket]
	if p == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownTicket, c.Ticket)
	}
	if p.State != Waiting {
		return nil, fmt.Errorf("%w: cancel: ticket %s is %s", ErrWrongState, p.Number, p.State)
	}
	t := *p
	t.State, t.Ended, t.Reason = Cancelled, now, c.Reason
	return []Event{{Time: now, Type: TicketCancelled, Ticket: &t}}, nil
}

func (d *Dispenser) setDesk(c SetDesk, now time.Time) ([]Event, error) {
	_, ds, cur, err := d.deskAndCurrent(c.Desk)
	if err != nil {
		return nil, err
	}
	if !c.State.valid() {
		return nil, fmt.Errorf("%w: unknown desk state %q", ErrInvalid, c.State)
	}
	if c.State != DeskOpen && cur != nil {
		return nil, fmt.Errorf("%w: desk %s still has ticket %s: finish it first", ErrWrongState, c.Desk, cur.Number)
	}
	clerk := c.Clerk
	if c.State == DeskClosed {
		clerk = ""
	} else if clerk == "" {
		clerk = ds.Clerk
	}
	if ds.State == c.State && ds.Clerk == clerk {
		return nil, nil
	}
	ds.State, ds.Clerk, ds.Since = c.State, clerk, now
	return []Event{{Time: now, Type: DeskChanged, Desk: &ds}}, nil
}

func ptr[T any](v T) *T { return &v }
