package dispenser_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Madrid on machines without a zoneinfo database

	"torn.cat/torn/dispenser"
)

// madrid is the default office time zone.
var madrid = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err)
	}
	return loc
}()

// local is the instant of a wall-clock time in Madrid.
func local(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, madrid)
}

// utc is the instant of a UTC time.
func utc(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// Days of the El Masnou calendar used throughout (2026).
var (
	thursday = local(2026, time.March, 26, 0, 0, 0)
	friday   = local(2026, time.March, 27, 0, 0, 0)
	monday   = local(2026, time.March, 30, 0, 0, 0) // after the spring DST change
)

// at is the instant hh:mm on the local day of day.
func at(day time.Time, hh, mm int) time.Time {
	y, m, d := day.In(madrid).Date()
	return local(y, m, d, hh, mm, 0)
}

// mustNew returns the dispenser of cfg from snapshot st, failing the test
// on an error.
func mustNew(t testing.TB, cfg dispenser.Config, st dispenser.Snapshot) *dispenser.Dispenser {
	t.Helper()
	d, err := dispenser.New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func rng(s string) dispenser.Range {
	r, err := dispenser.ParseRange(s)
	if err != nil {
		panic(err)
	}
	return r
}

// elMasnou are El Masnou's hours: Monday to Friday 8:30-14:00, Thursday
// also 16:00-19:00, closed on Christmas Day 2026.
func elMasnou() dispenser.Hours {
	var h dispenser.Hours
	for wd := time.Monday; wd <= time.Friday; wd++ {
		h.Weekly[wd] = []dispenser.Range{rng("08:30-14:00")}
	}
	h.Weekly[time.Thursday] = append(h.Weekly[time.Thursday], rng("16:00-19:00"))
	h.Closed = []dispenser.Date{"2026-12-25"}
	return h
}

// allDay is open every day around the clock.
func allDay() dispenser.Hours {
	var h dispenser.Hours
	for wd := range h.Weekly {
		h.Weekly[wd] = []dispenser.Range{rng("00:00-24:00")}
	}
	return h
}

// service returns a walk-in service with priority tickets, names in the
// three languages and a 5-minute service time.
func service(id dispenser.ServiceID, prefix string, h dispenser.Hours) dispenser.Service {
	return dispenser.Service{
		ID:     id,
		Prefix: prefix,
		Names: map[dispenser.Lang]string{
			dispenser.Catalan: "Servei " + prefix,
			dispenser.Spanish: "Servicio " + prefix,
			dispenser.English: "Service " + prefix,
		},
		Priority:    true,
		ServiceTime: 5 * time.Minute,
		Hours:       h,
	}
}

func desk(id dispenser.DeskID, profile ...dispenser.ServiceID) dispenser.Desk {
	return dispenser.Desk{ID: id, Name: "Taula " + string(id), Profile: profile}
}

// Services and desks of the usual test office.
const (
	svcA dispenser.ServiceID = "oac"
	svcB dispenser.ServiceID = "padro"

	desk1 dispenser.DeskID = "1"
	desk2 dispenser.DeskID = "2"
)

// configBuilder builds an office config: by default services A (oac) and B
// (padro) open all day and one desk "1" serving [A, B].
type configBuilder struct{ cfg dispenser.Config }

func newConfig() *configBuilder {
	return &configBuilder{cfg: dispenser.Config{
		Office:   "08-121",
		Name:     "OAC El Masnou",
		Services: []dispenser.Service{service(svcA, "A", allDay()), service(svcB, "B", allDay())},
		Desks:    []dispenser.Desk{desk(desk1, svcA, svcB)},
	}}
}

// hours sets the hours of every service.
func (b *configBuilder) hours(h dispenser.Hours) *configBuilder {
	for i := range b.cfg.Services {
		b.cfg.Services[i].Hours = h
	}
	return b
}

// desks replaces the desks.
func (b *configBuilder) desks(ds ...dispenser.Desk) *configBuilder {
	b.cfg.Desks = ds
	return b
}

// rules sets the rules.
func (b *configBuilder) rules(r dispenser.Rules) *configBuilder {
	b.cfg.Rules = r
	return b
}

// service changes service id.
func (b *configBuilder) service(id dispenser.ServiceID, fn func(*dispenser.Service)) *configBuilder {
	for i := range b.cfg.Services {
		if b.cfg.Services[i].ID == id {
			fn(&b.cfg.Services[i])
			return b
		}
	}
	panic("no service " + id)
}

func (b *configBuilder) build() dispenser.Config { return b.cfg }

// fixture is a dispenser driven on a fake clock.
type fixture struct {
	t   testing.TB
	d   *dispenser.Dispenser
	now time.Time
	seq int
}

// newFixture returns a new office's dispenser whose business day has
// started at start, so that the commands of a test carry no rollover.
func newFixture(t testing.TB, cfg dispenser.Config, start time.Time) *fixture {
	t.Helper()
	d := mustNew(t, cfg, dispenser.Snapshot{})
	f := &fixture{t: t, d: d, now: start}
	f.do(dispenser.Tick{})
	return f
}

// at sets the fake clock.
func (f *fixture) at(now time.Time) *fixture {
	f.now = now
	return f
}

// advance moves the fake clock forward.
func (f *fixture) advance(d time.Duration) *fixture {
	f.now = f.now.Add(d)
	return f
}

// try handles cmd now.
func (f *fixture) try(cmd dispenser.Command) ([]dispenser.Event, error) {
	return f.d.Handle(cmd, f.now)
}

// do handles cmd now and fails the test on an error.
func (f *fixture) do(cmd dispenser.Command) []dispenser.Event {
	f.t.Helper()
	evs, err := f.d.Handle(cmd, f.now)
	if err != nil {
		f.t.Fatalf("%T%+v at %s: %v", cmd, cmd, f.now.In(madrid), err)
	}
	return evs
}

// newIssue returns an Issue of service id with a unique ID and Token.
func (f *fixture) newIssue(id dispenser.ServiceID) dispenser.Issue {
	f.seq++
	return dispenser.Issue{
		Service: id,
		ID:      dispenser.TicketID(fmt.Sprintf("t%05d", f.seq)),
		Token:   fmt.Sprintf("token-%05d-0123456789abcdef0123456789abcdef", f.seq),
	}
}

// issue issues a walk-in of service id now and returns it.
func (f *fixture) issue(id dispenser.ServiceID) dispenser.Ticket {
	f.t.Helper()
	return f.issueCmd(f.newIssue(id))
}

// issueKind issues a ticket of a kind now; slot is for appointments.
func (f *fixture) issueKind(id dispenser.ServiceID, kind dispenser.Kind, slot time.Time) dispenser.Ticket {
	f.t.Helper()
	c := f.newIssue(id)
	c.Kind, c.Slot = kind, slot
	return f.issueCmd(c)
}

func (f *fixture) issueCmd(c dispenser.Issue) dispenser.Ticket {
	f.t.Helper()
	evs := f.do(c)
	e := lastEvent(f.t, evs, dispenser.TicketIssued)
	return *e.Ticket
}

// call calls the next ticket at desk id and returns it.
func (f *fixture) call(id dispenser.DeskID) dispenser.Ticket {
	f.t.Helper()
	evs := f.do(dispenser.CallNext{Desk: id, Clerk: "clerk-" + string(id)})
	return *lastEvent(f.t, evs, dispenser.TicketCalled).Ticket
}

// ticket returns today's ticket id.
func (f *fixture) ticket(id dispenser.TicketID) dispenser.Ticket {
	f.t.Helper()
	t, ok := f.d.Ticket(id)
	if !ok {
		f.t.Fatalf("no ticket %s", id)
	}
	return t
}

// desk returns desk id's status.
func (f *fixture) desk(id dispenser.DeskID) dispenser.DeskStatus {
	f.t.Helper()
	for _, ds := range f.d.Desks() {
		if ds.ID == id {
			return ds
		}
	}
	f.t.Fatalf("no desk %s", id)
	return dispenser.DeskStatus{}
}

// state is what a refused command must leave alone.
type state struct {
	Tickets []dispenser.Ticket
	Desks   []dispenser.DeskStatus
	Day     dispenser.Date
	Last    time.Time
}

func (f *fixture) state() state {
	return state{f.d.Tickets(), f.d.Desks(), f.d.Day(), f.d.Last()}
}

// snapshot is what a store would hand back at boot.
func (f *fixture) snapshot() dispenser.Snapshot {
	return dispenser.Snapshot{Day: f.d.Day(), Last: f.d.Last(), Tickets: f.d.Tickets(), Desks: f.d.Desks(), Books: f.d.Books()}
}

// unchanged fails the test if the state differs from before.
func (f *fixture) unchanged(before state) {
	f.t.Helper()
	if after := f.state(); !reflect.DeepEqual(before, after) {
		f.t.Errorf("state changed:\nbefore %+v\nafter  %+v", before, after)
	}
}

// wantIssuedOrRefused checks the answer to an Issue: a ticket when until is
// zero, else a refusal for reason, service and until with no events but,
// for the cut-off, its record (see wantTurnedAway). It reports whether the
// ticket was refused.
func wantIssuedOrRefused(t testing.TB, evs []dispenser.Event, err error, reason dispenser.RefusalReason, service dispenser.ServiceID, until time.Time) bool {
	t.Helper()
	if until.IsZero() {
		if err != nil {
			t.Fatalf("Issue: %v, want a ticket", err)
		}
		lastEvent(t, evs, dispenser.TicketIssued)
		return false
	}
	var r *dispenser.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("Issue: %v, want a refusal", err)
	}
	if r.Reason != reason || r.Service != service || !r.Until.Equal(until) {
		t.Errorf("refusal %+v, want %s until %s", r, reason, until)
	}
	if reason != dispenser.RefusedCutOff && len(evs) != 0 {
		t.Errorf("events %v, want none", types(evs))
	}
	return true
}

// wantTurnedAway checks that evs is the record of a ticket of service and
// kind refused for the cut-off at now: one TicketRefused event, with
// nothing but its time and what was refused.
func wantTurnedAway(t testing.TB, evs []dispenser.Event, service dispenser.ServiceID, kind dispenser.Kind, now time.Time) dispenser.Event {
	t.Helper()
	want := dispenser.Event{Time: now, Type: dispenser.TicketRefused,
		Refused: &dispenser.Refused{Service: service, Kind: kind, Reason: dispenser.RefusedCutOff}}
	if len(evs) != 1 || !reflect.DeepEqual(evs[0], want) {
		t.Fatalf("events %+v, want only %+v with %+v", evs, want, *want.Refused)
	}
	return evs[0]
}

// lastEvent returns the last event of type typ in evs.
func lastEvent(t testing.TB, evs []dispenser.Event, typ dispenser.EventType) dispenser.Event {
	t.Helper()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			return evs[i]
		}
	}
	t.Fatalf("no %s event in %v", typ, types(evs))
	return dispenser.Event{}
}

func types(evs []dispenser.Event) []dispenser.EventType {
	out := make([]dispenser.EventType, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

func numbers(ts []dispenser.Ticket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Number
	}
	return out
}
