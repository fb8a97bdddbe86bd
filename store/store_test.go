package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// mustOpen opens a new store in a real file under t.TempDir(). When the test
// ends it closes the store and runs bbolt's consistency check on the file,
// failing the test on any problem.
func mustOpen(t testing.TB) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "torn.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		checkFile(t, path)
	})
	return s
}

// checkFile runs bbolt's consistency check on the database at path.
func checkFile(t testing.TB, path string) {
	t.Helper()
	if err := Verify(path); err != nil {
		t.Error(err)
	}
}

// reopen closes s and opens its file again; the new store is closed when
// the test ends, before mustOpen's check.
func reopen(t testing.TB, s *Store) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(s.Path(), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s2.Close(); err != nil {
			t.Error(err)
		}
	})
	return s2
}

// madrid is the offices' time zone.
var madrid = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err)
	}
	return loc
}()

// monday is a Monday morning at the office.
var monday = time.Date(2025, 3, 3, 9, 0, 0, 0, madrid)

// testConfig is an office open round the clock with two services, one of
// them taking priority tickets, and the given number of desks (at least 1)
// serving both in alternating order of preference.
func testConfig(t testing.TB, desks int) dispenser.Config {
	t.Helper()
	all, err := dispenser.ParseRange("00:00-24:00")
	if err != nil {
		t.Fatal(err)
	}
	var h dispenser.Hours
	for wd := range h.Weekly {
		h.Weekly[wd] = []dispenser.Range{all}
	}
	cfg := dispenser.Config{
		Office:   "test",
		Name:     "OAC de prova",
		Location: madrid,
		Services: []dispenser.Service{
			{ID: "oac", Prefix: "A", Names: map[dispenser.Lang]string{dispenser.Catalan: "Atenció ciutadana"}, Priority: true, Hours: h},
			{ID: "padro", Prefix: "B", Names: map[dispenser.Lang]string{dispenser.Catalan: "Padró"}, Hours: h},
		},
	}
	for i := range desks {
		p := []dispenser.ServiceID{"oac", "padro"}
		if i%2 == 1 {
			p[0], p[1] = p[1], p[0]
		}
		id := fmt.Sprintf("taula%d", i+1)
		cfg.Desks = append(cfg.Desks, dispenser.Desk{ID: dispenser.DeskID(id), Name: fmt.Sprintf("Taula %d", i+1), Profile: p})
	}
	return cfg
}

// office drives a real dispenser and commits every event it returns, as
// tornd does.
type office struct {
	t   testing.TB
	cfg dispenser.Config
	d   *dispenser.Dispenser
	s   *Store
	n   int
	// evs holds every event committed, with its Seq.
	evs []dispenser.Event
}

// newOffice starts a three-desk office from what s holds.
func newOffice(t testing.TB, s *Store) *office {
	t.Helper()
	cfg := testConfig(t, 3)
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	d, err := dispenser.New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	return &office{t: t, cfg: cfg, d: d, s: s}
}

// do handles cmd at now and commits its events.
func (o *office) do(cmd dispenser.Command, now time.Time) []dispenser.Event {
	o.t.Helper()
	evs, err := o.d.Handle(cmd, now)
	if err != nil {
		o.t.Fatalf("%T at %s: %v", cmd, now, err)
	}
	if err := o.s.Commit(evs); err != nil {
		o.t.Fatal(err)
	}
	o.evs = append(o.evs, evs...)
	return evs
}

// issue issues a ticket of service svc with a fresh id and token: a
// walk-in, or an appointment checked in with document hash doc when doc is
// not empty.
func (o *office) issue(svc dispenser.ServiceID, doc string, now time.Time) dispenser.Ticket {
	o.t.Helper()
	o.n++
	c := dispenser.Issue{
		Service: svc,
		ID:      dispenser.TicketID(fmt.Sprintf("t%06d", o.n)),
		Token:   fmt.Sprintf("%032x", o.n),
	}
	if doc != "" {
		c.Kind, c.Slot, c.DocumentHash = dispenser.Appointment, now.Add(10*time.Minute), doc
	}
	evs := o.do(c, now)
	return *evs[len(evs)-1].Ticket
}

// hashOf is a stand-in for the office's keyed hash of a document number.
func hashOf(doc string) string {
	h := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(h[:])
}

// loadBook loads at now the book of day's day: appointments at 10:00,
// 11:00... of the documents given, named.
func (o *office) loadBook(now, day time.Time, docs ...string) {
	o.t.Helper()
	b := dispenser.Book{Day: o.d.DayOf(day), Version: "v1"}
	y, m, d := day.In(madrid).Date()
	for i, doc := range docs {
		b.Appointments = append(b.Appointments, dispenser.Booking{
			ID:           dispenser.AppointmentID(fmt.Sprintf("%s-%d", b.Day, i)),
			Slot:         time.Date(y, m, d, 10+i, 0, 0, 0, madrid),
			Service:      "oac",
			DocumentHash: hashOf(doc),
			Name:         "Citizen " + doc,
		})
	}
	o.do(dispenser.LoadBook{Book: b}, now)
}

// asJSON is v in JSON, for messages.
func asJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stored returns what the store gives back of a time it was given: the same
// instant in UTC, without a monotonic clock reading. storedTicket,
// storedDesk and storedEvent do that to every time of a value, so that the
// value compares equal, with == or reflect.DeepEqual, to what Load and
// Outbox return of it.
func stored(t time.Time) time.Time { return t.Round(0).UTC() }

func storedTicket(t dispenser.Ticket) dispenser.Ticket {
	for _, p := range []*time.Time{&t.Issued, &t.Queued, &t.Slot, &t.FirstCalled, &t.Called, &t.Started, &t.Ended} {
		*p = stored(*p)
	}
	return t
}

func storedDesk(d dispenser.DeskStatus) dispenser.DeskStatus {
	d.Since = stored(d.Since)
	return d
}

func storedEvent(e dispenser.Event) dispenser.Event {
	e.Time = stored(e.Time)
	if e.Ticket != nil {
		t := storedTicket(*e.Ticket)
		e.Ticket = &t
	}
	if e.Desk != nil {
		d := storedDesk(*e.Desk)
		e.Desk = &d
	}
	if e.Printer != nil {
		p := *e.Printer
		p.Since = stored(p.Since)
		e.Printer = &p
	}
	return e
}

func storedTickets(ts []dispenser.Ticket) []dispenser.Ticket {
	out := make([]dispenser.Ticket, len(ts))
	for i := range ts {
		out[i] = storedTicket(ts[i])
	}
	return out
}

func storedDesks(ds []dispenser.DeskStatus) []dispenser.DeskStatus {
	out := make([]dispenser.DeskStatus, len(ds))
	for i := range ds {
		out[i] = storedDesk(ds[i])
	}
	return out
}
