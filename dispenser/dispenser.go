package dispenser

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Snapshot is what the store keeps of a dispenser and hands back at boot: the
// business day, the last recorded time, today's tickets, the desks, and the
// appointment books of today and later days.
type Snapshot struct {
	Day     Date
	Last    time.Time
	Tickets []Ticket
	Desks   []DeskStatus
	Books   []Book
}

// A Dispenser is an office's queue. See the package documentation.
type Dispenser struct {
	cfg      Config
	services map[ServiceID]*Service
	desks    map[DeskID]*Desk

	day      Date
	last     time.Time
	tickets  map[TicketID]*Ticket
	tokens   map[string]TicketID
	waiting  map[TicketID]*Ticket
	counters map[string]int // by prefix: display numbers are what must not repeat
	status   map[DeskID]*DeskStatus
	learned  learned
	printer  PrinterStatus
	books    map[Date]*Book
	// checkedIn maps today's checked-in appointments to their tickets.
	checkedIn map[AppointmentID]*Ticket
}

// New returns the dispenser of the office cfg, from snapshot st (the zero Snapshot
// for a new office). It reports every problem of cfg at once.
func New(cfg Config, st Snapshot) (*Dispenser, error) {
	cfg = cfg.clone()
	if err := cfg.fill(); err != nil {
		return nil, fmt.Errorf("office config: %w", err)
	}
	d := &Dispenser{
		cfg:       cfg,
		services:  map[ServiceID]*Service{},
		desks:     map[DeskID]*Desk{},
		day:       st.Day,
		last:      st.Last,
		tickets:   map[TicketID]*Ticket{},
		tokens:    map[string]TicketID{},
		waiting:   map[TicketID]*Ticket{},
		counters:  map[string]int{},
		status:    map[DeskID]*DeskStatus{},
		learned:   newLearned(cfg.Rules.LearnFrom),
		printer:   PrinterStatus{Ready: true},
		books:     map[Date]*Book{},
		checkedIn: map[AppointmentID]*Ticket{},
	}
	for _, b := range st.Books {
		if b.Day >= st.Day {
			b := b.clone()
			d.books[b.Day] = &b
		}
	}
	for i := range d.cfg.Services {
		s := &d.cfg.Services[i]
		d.services[s.ID] = s
	}
	for i := range d.cfg.Desks {
		dk := &d.cfg.Desks[i]
		d.desks[dk.ID] = dk
		d.status[dk.ID] = &DeskStatus{ID: dk.ID, State: DeskClosed}
	}
	ts := append([]Ticket(nil), st.Tickets...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Ended.Before(ts[j].Ended) })
	for i := range ts {
		d.put(ts[i])
		if ts[i].Day == d.day {
			d.learned.ticket("", &ts[i])
		}
	}
	for _, ds := range st.Desks {
		if _, ok := d.desks[ds.ID]; !ok {
			continue // desk removed from the config
		}
		ds := ds
		if t := d.tickets[ds.Current]; t == nil || t.Desk != ds.ID || (t.State != Called && t.State != Serving) {
			ds.Current = ""
		}
		d.status[ds.ID] = &ds
	}
	return d, nil
}

// Config returns the office's config with its defaults filled in.
func (d *Dispenser) Config() *Config { return &d.cfg }

// Service returns the service id, or nil.
func (d *Dispenser) Service(id ServiceID) *Service { return d.services[id] }

// Desk returns the desk id, or nil.
func (d *Dispenser) Desk(id DeskID) *Desk { return d.desks[id] }

// Day is the current business day.
func (d *Dispenser) Day() Date { return d.day }

// Last is the time of the last change; the dispenser never records an
// earlier one.
func (d *Dispenser) Last() time.Time { return d.last }

// DayOf returns the business day of t in the office's time zone.
func (d *Dispenser) DayOf(t time.Time) Date {
	return Date(t.In(d.cfg.Location).Format(time.DateOnly))
}

// Ticket returns a copy of ticket id of today.
func (d *Dispenser) Ticket(id TicketID) (Ticket, bool) {
	t := d.tickets[id]
	if t == nil {
		return Ticket{}, false
	}
	return *t, true
}

// TicketByToken returns a copy of today's ticket with tracking token tok.
func (d *Dispenser) TicketByToken(tok string) (Ticket, bool) {
	return d.Ticket(d.tokens[tok])
}

// Tickets returns copies of today's tickets in the order they were issued.
func (d *Dispenser) Tickets() []Ticket {
	out := make([]Ticket, 0, len(d.tickets))
	for _, t := range d.tickets {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Issued.Equal(out[j].Issued) {
			return out[i].Issued.Before(out[j].Issued)
		}
		return out[i].Number < out[j].Number
	})
	return out
}

// Desks returns the desks' states in config order.
func (d *Dispenser) Desks() []DeskStatus {
	out := make([]DeskStatus, 0, len(d.cfg.Desks))
	for _, dk := range d.cfg.Desks {
		out = append(out, *d.status[dk.ID])
	}
	return out
}

// Handle decides what cmd changes at time now, applies it and returns the
// events, which the caller must make durable before acting on them.
//
// A now earlier than the last change is taken as the last change: recorded
// time never goes backwards. When now is in a new business day, the old day
// is closed first; those events are returned even if cmd is then refused,
// with the error. A refused command changes nothing else, but an Issue or
// a late CheckIn refused for the cut-off (RefusedCutOff) is recorded: a
// TicketRefused event is returned with the *Refusal, and the last change
// becomes now.
func (d *Dispenser) Handle(cmd Command, now time.Time) ([]Event, error) {
	if now.Before(d.last) {
		now = d.last
	}
	var evs []Event
	if day := d.DayOf(now); day != d.day {
		evs = d.rollover(day, now)
		d.applyAll(evs)
		d.last = now
	}
	more, err := d.decide(cmd, now)
	d.applyAll(more)
	if len(more) > 0 {
		d.last = now
	}
	return append(evs, more...), err
}

func (d *Dispenser) decide(cmd Command, now time.Time) ([]Event, error) {
	switch c := cmd.(type) {
	case Issue:
		return d.issue(c, now)
	case CallNext:
		return d.callNext(c, now)
	case Recall:
		return d.recall(c, now)
	case Start:
		return d.start(c, now)
	case Finish:
		return d.finish(c, now)
	case MarkNoShow:
		return d.markNoShow(c, now)
	case Transfer:
		return d.transfer(c, now)
	case Cancel:
		return d.cancel(c, now)
	case SetDesk:
		return d.setDesk(c, now)
	case SetPrinter:
		return d.setPrinter(c, now)
	case LoadBook:
		return d.loadBook(c, now)
	case CheckIn:
		return d.checkIn(c, now)
	case Tick:
		return nil, nil
	case nil:
		return nil, fmt.Errorf("%w: no command", ErrInvalid)
	}
	return nil, fmt.Errorf("%w: unknown command %T", ErrInvalid, cmd)
}

// Apply makes d's state what event e says, as decided by the office's own
// dispenser elsewhere: for a mirror of a queue (central's), which never
// decides. Events must come in sequence order.
func (d *Dispenser) Apply(e Event) {
	d.apply(&e)
	if e.Time.After(d.last) {
		d.last = e.Time
	}
}

func (d *Dispenser) applyAll(evs []Event) {
	for i := range evs {
		d.apply(&evs[i])
	}
}

// apply makes the state what the event says. The event's snapshots are
// copied, never shared. A TicketRefused has none: it changes nothing.
func (d *Dispenser) apply(e *Event) {
	if e.Type == DayStarted {
		d.day = e.Day
		for id, t := range d.tickets {
			if t.Day != e.Day {
				delete(d.tickets, id)
				delete(d.tokens, t.Token)
				delete(d.waiting, id)
			}
		}
		clear(d.counters)
		clear(d.checkedIn)
		for day := range d.books {
			if day < e.Day {
				delete(d.books, day)
			}
		}
		d.learned = newLearned(d.cfg.Rules.LearnFrom)
	}
	if e.Ticket != nil {
		d.put(*e.Ticket)
		d.learned.ticket(e.Type, e.Ticket)
	}
	if e.Desk != nil {
		ds := *e.Desk
		d.learned.desk(d.status[ds.ID], ds)
		d.status[ds.ID] = &ds
	}
	if e.Printer != nil {
		d.printer = *e.Printer
	}
	if e.Book != nil {
		b := e.Book.clone()
		d.books[b.Day] = &b
	}
}

func (d *Dispenser) put(t Ticket) {
	p := &t
	d.tickets[t.ID] = p
	d.tokens[t.Token] = t.ID
	if t.Appointment != "" && t.Day == d.day {
		d.checkedIn[t.Appointment] = p
	}
	if t.State == Waiting {
		d.waiting[t.ID] = p
	} else {
		delete(d.waiting, t.ID)
	}
	// The prefix, not the service: a transferred ticket keeps its number.
	if prefix := strings.TrimRight(t.Number, "0123456789"); t.Day == d.day && t.Counter > d.counters[prefix] {
		d.counters[prefix] = t.Counter
	}
}
