package sim

import (
	"container/heap"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"torn.cat/torn/dispenser"
)

// An Observer watches a simulated day. Issued is called right after each
// ticket is issued, before any further random draw, so that what it
// computes from d can depend only on the present; Event is called for every
// event the dispenser returns, in order.
type Observer interface {
	Issued(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time)
	Event(e dispenser.Event)
}

// Outcome is how a ticket's day ended.
type Outcome string

// The outcomes.
const (
	Served   Outcome = "served"    // called and done
	Left     Outcome = "left"      // the citizen left before being called
	DayEnded Outcome = "day_ended" // still open at the end of the day
)

// TicketResult is one ticket's day.
type TicketResult struct {
	ID      dispenser.TicketID
	Number  string
	Service dispenser.ServiceID
	Kind    dispenser.Kind
	Issued  time.Time
	// Called is when the ticket was first called; zero if never.
	Called time.Time
	// Wait is Called − Issued; zero if never called.
	Wait time.Duration
	// Ahead and Estimate are what the dispenser printed on the ticket.
	Ahead    int
	Estimate time.Duration
	Outcome  Outcome
}

// Result is a simulated day.
type Result struct {
	Scenario string
	Day      dispenser.Date
	Seed     uint64
	// Tickets in the order they were issued.
	Tickets []TicketResult
	// Issued counts the tickets; Refused the walk-ins and check-ins the
	// dispenser refused; NoShows the bookings nobody came for.
	Issued, Refused, NoShows int
	// Served, Left and DayEnded count the tickets by outcome.
	Served, Left, DayEnded int
	// Events counts the events the dispenser returned.
	Events int
	// Draws counts the random numbers drawn.
	Draws uint64
}

// Run simulates the day of day's calendar date (in day's own location) of
// scenario sc, with random numbers from seed, and reports to obs, which may
// be nil. The same scenario, seed and day give the same result.
func Run(sc Scenario, seed uint64, day time.Time, obs Observer) (Result, error) {
	p, err := sc.compile()
	if err != nil {
		return Result{}, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	y, m, d := day.Date()
	return run(p, seed, y, m, d, obs)
}

// RunDays simulates n successive open days of sc from its start date, day
// i with a seed derived from seed and i.
func RunDays(sc Scenario, seed uint64, n int, obs Observer) ([]Result, error) {
	p, err := sc.compile()
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	if !anyDay(p.days) {
		return nil, fmt.Errorf("scenario %s: no open day", sc.Name)
	}
	t, _ := time.Parse(time.DateOnly, string(p.start))
	out := make([]Result, 0, n)
	for i := 0; len(out) < n; i++ {
		day := t.AddDate(0, 0, i)
		if !p.days[day.Weekday()] {
			continue
		}
		y, m, d := day.Date()
		r, err := run(p, splitmix64(seed+uint64(len(out))), y, m, d, obs)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func anyDay(days [7]bool) bool {
	for _, d := range days {
		if d {
			return true
		}
	}
	return false
}

type evKind uint8

const (
	evWalkIn  evKind = iota // a walk-in candidate of service i (thinning)
	evAppt                  // booking i's citizen arrives
	evDesk                  // desk i's schedule changes
	evStart                 // desk i's citizen arrives at the desk
	evFinish                // desk i's citizen is done
	evAbandon               // ticket's citizen loses patience
	evDoor                  // a walk-in of service i who came before opening
)

type event struct {
	at     time.Time
	seq    uint64
	kind   evKind
	i      int
	ticket dispenser.TicketID
	walkIn dispenser.Kind
}

type evHeap []event

func (h evHeap) Len() int { return len(h) }
func (h evHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h evHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *evHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *evHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

type booking struct {
	id   dispenser.AppointmentID
	hash string
	svc  int       // index of the service in plan.svcs
	slot time.Time // the appointment's time
	// came is set when the citizen first arrives (evAppt), whether or not
	// the check-in succeeds.
	came bool
}

type deskSim struct {
	state dispenser.DeskState
	busy  bool
	clerk string
}

type engine struct {
	p        *plan
	d        *dispenser.Dispenser
	obs      Observer
	fc       Forecaster // obs, when it is one
	g        rng
	q        evHeap
	seq      uint64
	y        int
	m        time.Month
	dd       int
	res      Result
	index    map[dispenser.TicketID]int
	svcIndex map[dispenser.ServiceID]int
	desks    []deskSim
	books    []booking
	next     int
	// waiting holds the waiting tickets' services, queued the count per
	// service: a desk tries to call only when one of its services has
	// someone waiting.
	waiting map[dispenser.TicketID]dispenser.ServiceID
	queued  map[dispenser.ServiceID]int
}

func run(p *plan, seed uint64, y int, m time.Month, dd int, obs Observer) (Result, error) {
	d, err := dispenser.New(p.cfg, dispenser.Snapshot{})
	if err != nil {
		return Result{}, err
	}
	e := &engine{p: p, d: d, obs: obs, y: y, m: m, dd: dd,
		g:        rng{r: rand.New(rand.NewPCG(seed, 0x746f726e73696d))},
		index:    map[dispenser.TicketID]int{},
		svcIndex: map[dispenser.ServiceID]int{},
		waiting:  map[dispenser.TicketID]dispenser.ServiceID{},
		queued:   map[dispenser.ServiceID]int{},
		desks:    make([]deskSim, len(p.desks)),
	}
	if h, ok := obs.(drawObserver); ok {
		e.g.hook = h
	}
	e.fc, _ = obs.(Forecaster)
	e.res.Scenario, e.res.Seed = p.cfg.Name, seed
	if err := e.day(); err != nil {
		return Result{}, fmt.Errorf("simulate %s, seed %d, %04d-%02d-%02d: %w", p.cfg.Name, seed, y, m, dd, err)
	}
	e.res.Draws = e.g.n
	return e.res, nil
}

// at is time of day t of the simulated day.
func (e *engine) at(t dispenser.TimeOfDay) time.Time {
	return time.Date(e.y, e.m, e.dd, int(t)/60, int(t)%60, 0, 0, e.p.loc)
}

func (e *engine) push(ev event) {
	e.seq++
	ev.seq = e.seq
	heap.Push(&e.q, ev)
}

func (e *engine) day() error {
	start := time.Date(e.y, e.m, e.dd, 0, 0, 0, 0, e.p.loc)
	e.res.Day = e.d.DayOf(start)
	open := e.p.days[start.Weekday()]
	for i := range e.p.svcs {
		e.svcIndex[e.p.svcs[i].id] = i
	}
	if err := e.loadBook(start, open); err != nil {
		return err
	}
	stop := e.stop()
	if open {
		for i := range e.p.svcs {
			if e.p.svcs[i].maxRate > 0 {
				e.nextWalkIn(i, e.at(e.p.svcs[i].from))
			}
		}
		for i, dp := range e.p.desks {
			e.push(event{at: e.at(dp.open), kind: evDesk, i: i})
			if dp.close >= 0 {
				e.push(event{at: e.at(dp.close), kind: evDesk, i: i})
			}
			for _, b := range dp.breaks {
				e.push(event{at: e.at(b.From), kind: evDesk, i: i})
				e.push(event{at: e.at(b.To), kind: evDesk, i: i})
			}
		}
	}
	for e.q.Len() > 0 {
		ev := heap.Pop(&e.q).(event)
		if ev.at.After(stop) {
			break
		}
		if err := e.step(ev); err != nil {
			return err
		}
	}
	// The first command of the next day cancels what is still open.
	if _, err := e.handle(dispenser.Tick{}, time.Date(e.y, e.m, e.dd+1, 0, 0, 0, 0, e.p.loc)); err != nil {
		return err
	}
	for _, t := range e.res.Tickets {
		switch t.Outcome {
		case Served:
			e.res.Served++
		case Left:
			e.res.Left++
		case DayEnded:
			e.res.DayEnded++
		}
	}
	e.res.Issued = len(e.res.Tickets)
	return nil
}

// loadBook books the day's appointments and draws who comes when.
func (e *engine) loadBook(start time.Time, open bool) error {
	book := dispenser.Book{Day: e.res.Day}
	type arrival struct {
		at time.Time
		i  int
	}
	var arrivals []arrival
	if open {
		for j, sp := range e.p.svcs {
			if sp.appt == nil {
				continue
			}
			for _, slot := range sp.slots {
				i := len(e.books)
				b := booking{id: dispenser.AppointmentID(fmt.Sprintf("B%04d", i+1)), hash: fmt.Sprintf("%064x", i+1), svc: j, slot: e.at(slot)}
				e.books = append(e.books, b)
				book.Appointments = append(book.Appointments, dispenser.Booking{ID: b.id, Slot: b.slot, Service: sp.id, DocumentHash: b.hash})
				at, comes := e.arrival(b, start)
				if !comes {
					e.res.NoShows++
					continue
				}
				arrivals = append(arrivals, arrival{at, i})
			}
		}
	}
	if _, err := e.handle(dispenser.LoadBook{Book: book}, start); err != nil {
		return err
	}
	for _, a := range arrivals {
		e.push(event{at: a.at, kind: evAppt, i: a.i})
	}
	return nil
}

// arrival draws whether booking b's citizen comes and, if so, when: the
// slot plus a normal punctuality, not before start.
func (e *engine) arrival(b booking, start time.Time) (time.Time, bool) {
	a := e.p.svcs[b.svc].appt
	if a.NoShowShare > 0 && e.g.float(drawBook, "") < a.NoShowShare {
		return time.Time{}, false
	}
	off := a.PunctualityMeanMinutes
	if a.PunctualitySDMinutes > 0 {
		off += a.PunctualitySDMinutes * e.g.norm(drawBook, "")
	}
	return maxTime(b.slot.Add(minutes(off)).Round(time.Second), start), true
}

// stop is when the day's desks stop calling: the last closing plus the
// drain.
func (e *engine) stop() time.Time {
	return e.at(e.p.ranges[len(e.p.ranges)-1].To).Add(e.p.drain)
}

func maxTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

// nextWalkIn schedules service i's next walk-in candidate after t.
func (e *engine) nextWalkIn(i int, t time.Time) {
	sp := &e.p.svcs[i]
	end := e.at(sp.from).Add(time.Duration(len(sp.rates)) * time.Hour)
	if last := e.at(e.p.ranges[len(e.p.ranges)-1].To); last.Before(end) {
		end = last
	}
	gap := e.g.exp(drawArrival, "") / sp.maxRate
	next := t.Add(time.Duration(gap * float64(time.Hour)))
	if next.Before(end) {
		e.push(event{at: next, kind: evWalkIn, i: i})
	}
}

// rate is service i's walk-in rate at t.
func (e *engine) rate(i int, t time.Time) float64 {
	sp := &e.p.svcs[i]
	h := int(t.Sub(e.at(sp.from)) / time.Hour)
	if h < 0 || h >= len(sp.rates) {
		return 0
	}
	return sp.rates[h]
}

func (e *engine) step(ev event) error {
	now := ev.at
	switch ev.kind {
	case evWalkIn:
		sp := &e.p.svcs[ev.i]
		if e.g.float(drawAccept, "")*sp.maxRate < e.rate(ev.i, now) {
			kind := dispenser.WalkIn
			if sp.priority > 0 && e.g.float(drawPriority, "") < sp.priority {
				kind = dispenser.Priority
			}
			if open := e.at(e.p.ranges[0].From); now.Before(open) {
				// Waits at the door for the opening.
				e.push(event{at: open, kind: evDoor, i: ev.i, walkIn: kind})
			} else if err := e.issue(ev.i, kind, now); err != nil {
				return err
			}
		}
		e.nextWalkIn(ev.i, now)
	case evDoor:
		if err := e.issue(ev.i, ev.walkIn, now); err != nil {
			return err
		}
	case evAppt:
		e.books[ev.i].came = true
		b := e.books[ev.i]
		id, tok := e.ids()
		evs, err := e.handle(dispenser.CheckIn{DocumentHash: b.hash, ID: id, Token: tok}, now)
		var r *dispenser.Refusal
		if errors.As(err, &r) && r.Reason == dispenser.RefusedTooEarly {
			e.push(event{at: r.Until, kind: evAppt, i: ev.i})
			return nil
		}
		if err := e.issued(evs, err, now); err != nil {
			return err
		}
	case evDesk:
		if err := e.settle(ev.i, now); err != nil {
			return err
		}
	case evStart:
		if _, err := e.handle(dispenser.Start{Desk: e.p.desks[ev.i].id}, now); err != nil {
			return err
		}
		return nil
	case evFinish:
		if _, err := e.handle(dispenser.Finish{Desk: e.p.desks[ev.i].id}, now); err != nil {
			return err
		}
		e.desks[ev.i].busy = false
		if err := e.settle(ev.i, now); err != nil {
			return err
		}
	case evAbandon:
		if t, ok := e.d.Ticket(ev.ticket); !ok || t.State != dispenser.Waiting {
			return nil
		}
		if _, err := e.handle(dispenser.Cancel{Ticket: ev.ticket, Reason: "left"}, now); err != nil {
			return err
		}
		if k, ok := e.index[ev.ticket]; ok {
			e.res.Tickets[k].Outcome = Left
		}
		return nil
	}
	return e.callAll(now)
}

// issue issues a walk-in ticket of kind of service i.
func (e *engine) issue(i int, kind dispenser.Kind, now time.Time) error {
	id, tok := e.ids()
	evs, err := e.handle(dispenser.Issue{Service: e.p.svcs[i].id, Kind: kind, ID: id, Token: tok}, now)
	return e.issued(evs, err, now)
}

func (e *engine) ids() (dispenser.TicketID, string) {
	n := e.next + 1
	return dispenser.TicketID(fmt.Sprintf("T%05d", n)), fmt.Sprintf("tok%029d", n)
}

// issued records the ticket that evs issued, tells the observer, and only
// then draws the citizen's patience. A refusal counts as refused.
func (e *engine) issued(evs []dispenser.Event, err error, now time.Time) error {
	var r *dispenser.Refusal
	if errors.As(err, &r) {
		e.res.Refused++
		return nil
	}
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if ev.Type != dispenser.TicketIssued {
			continue
		}
		t := *ev.Ticket
		e.next++
		e.index[t.ID] = len(e.res.Tickets)
		e.res.Tickets = append(e.res.Tickets, TicketResult{ID: t.ID, Number: t.Number, Service: t.Service, Kind: t.Kind, Issued: t.Issued, Ahead: t.Ahead, Estimate: t.Estimate})
		if e.obs != nil {
			e.obs.Issued(e.d, t, now)
		}
		if e.fc != nil {
			e.fc.Forecast(&Present{e: e, now: now}, t)
		}
		if e.p.patience > 0 && t.Kind != dispenser.Appointment {
			p := e.g.exp(drawPatience, t.ID) * float64(e.p.patience)
			e.push(event{at: now.Add(time.Duration(p)), kind: evAbandon, ticket: t.ID})
		}
	}
	return nil
}

// want is the state desk i's schedule gives it at now.
func (e *engine) want(i int, now time.Time) dispenser.DeskState {
	dp := &e.p.desks[i]
	if now.Before(e.at(dp.open)) || (dp.close >= 0 && !now.Before(e.at(dp.close))) {
		return dispenser.DeskClosed
	}
	for _, b := range dp.breaks {
		if !now.Before(e.at(b.From)) && now.Before(e.at(b.To)) {
			return dispenser.DeskPaused
		}
	}
	return dispenser.DeskOpen
}

// settle puts idle desk i in the state its schedule wants.
func (e *engine) settle(i int, now time.Time) error {
	ds := &e.desks[i]
	if ds.busy {
		return nil // after the citizen at the desk
	}
	w := e.want(i, now)
	if w == ds.state {
		return nil
	}
	ds.clerk = "clerk-" + string(e.p.desks[i].id)
	if _, err := e.handle(dispenser.SetDesk{Desk: e.p.desks[i].id, State: w, Clerk: ds.clerk}, now); err != nil {
		return err
	}
	ds.state = w
	return nil
}

// callAll has every open idle desk call the next citizen, if any waits.
func (e *engine) callAll(now time.Time) error {
	for i := range e.desks {
		ds := &e.desks[i]
		if ds.busy || ds.state != dispenser.DeskOpen || !e.anyWaiting(i) {
			continue
		}
		evs, err := e.handle(dispenser.CallNext{Desk: e.p.desks[i].id, Clerk: ds.clerk}, now)
		if errors.Is(err, dispenser.ErrNobodyWaiting) {
			continue
		}
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if ev.Type != dispenser.TicketCalled {
				continue
			}
			ds.busy = true
			// The service time is drawn now, at the call, never earlier.
			st := e.serviceTime(e.svcIndex[ev.Ticket.Service], ev.Ticket.ID)
			start := now.Add(e.p.walkUp)
			e.push(event{at: start, kind: evStart, i: i})
			e.push(event{at: start.Add(st), kind: evFinish, i: i})
		}
	}
	return nil
}

// serviceTime draws the service time of ticket id of service i: from the
// service's lognormal, to the second, at least one.
func (e *engine) serviceTime(i int, id dispenser.TicketID) time.Duration {
	sp := &e.p.svcs[i]
	st := time.Duration(e.g.lognormal(drawService, id, sp.mu, sp.sigma) * float64(time.Minute))
	return max(st.Round(time.Second), time.Second)
}

// anyWaiting reports whether someone waits for a service of desk i.
func (e *engine) anyWaiting(i int) bool {
	for _, s := range e.p.cfg.Desks[i].Profile {
		if e.queued[s] > 0 {
			return true
		}
	}
	return false
}

// handle runs cmd through the dispenser, tells the observer of the events
// and keeps the tickets' results up to date.
func (e *engine) handle(cmd dispenser.Command, now time.Time) ([]dispenser.Event, error) {
	evs, err := e.d.Handle(cmd, now)
	for _, ev := range evs {
		e.res.Events++
		if e.obs != nil {
			e.obs.Event(ev)
		}
		if ev.Ticket == nil {
			continue
		}
		if s, ok := e.waiting[ev.Ticket.ID]; ok {
			delete(e.waiting, ev.Ticket.ID)
			e.queued[s]--
		}
		if ev.Ticket.State == dispenser.Waiting {
			e.waiting[ev.Ticket.ID] = ev.Ticket.Service
			e.queued[ev.Ticket.Service]++
		}
		k, ok := e.index[ev.Ticket.ID]
		if !ok {
			continue
		}
		tr := &e.res.Tickets[k]
		switch ev.Type {
		case dispenser.TicketCalled:
			if tr.Called.IsZero() {
				tr.Called = ev.Ticket.FirstCalled
				tr.Wait = tr.Called.Sub(tr.Issued)
			}
		case dispenser.TicketDone:
			tr.Outcome = Served
		case dispenser.TicketCancelled:
			if ev.Ticket.Reason == dispenser.ReasonDayEnded {
				tr.Outcome = DayEnded
			}
		}
	}
	if err != nil {
		var r *dispenser.Refusal
		if !errors.As(err, &r) && !errors.Is(err, dispenser.ErrNobodyWaiting) {
			return evs, fmt.Errorf("%T at %s: %w", cmd, now.In(e.p.loc).Format("15:04:05"), err)
		}
	}
	return evs, err
}
