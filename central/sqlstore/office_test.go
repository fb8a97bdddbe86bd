package sqlstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Madrid on machines without a zoneinfo database

	"torn.cat/torn/dispenser"
)

// madrid is the offices' time zone.
var madrid = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err)
	}
	return loc
}()

// monday is a Monday at the office, before opening.
var monday = time.Date(2026, 3, 2, 8, 0, 0, 0, madrid)

// testConfig is an office open round the clock with two services, one
// taking priority tickets, and three desks serving both.
func testConfig(t testing.TB) dispenser.Config {
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
		Office:   "masnou-oac",
		Name:     "OAC del Masnou",
		Location: madrid,
		Services: []dispenser.Service{
			{ID: "oac", Prefix: "A", Names: map[dispenser.Lang]string{dispenser.Catalan: "Atenció ciutadana"}, Priority: true, Hours: h},
			{ID: "padro", Prefix: "B", Names: map[dispenser.Lang]string{dispenser.Catalan: "Padró"}, Hours: h},
		},
		Rules: dispenser.Rules{NoCutOff: true},
	}
	for i := range 3 {
		p := []dispenser.ServiceID{"oac", "padro"}
		if i%2 == 1 {
			p[0], p[1] = p[1], p[0]
		}
		cfg.Desks = append(cfg.Desks, dispenser.Desk{ID: dispenser.DeskID(fmt.Sprintf("taula%d", i+1)), Name: fmt.Sprintf("Taula %d", i+1), Profile: p})
	}
	return cfg
}

// An office drives a real dispenser as tornd does and keeps every event
// it made, numbered as the device's store numbers them.
type office struct {
	t   testing.TB
	cfg dispenser.Config
	d   *dispenser.Dispenser
	rnd *rand.Rand
	now time.Time
	n   int // tickets issued
	evs []dispenser.Event
}

func newOffice(t testing.TB, seed uint64) *office {
	t.Helper()
	cfg := testConfig(t)
	d, err := dispenser.New(cfg, dispenser.Snapshot{})
	if err != nil {
		t.Fatal(err)
	}
	return &office{t: t, cfg: cfg, d: d, rnd: rand.New(rand.NewPCG(seed, 1)), now: monday}
}

// do handles cmd now and keeps its events, refused or not (a refused
// command may still have closed the day).
func (o *office) do(cmd dispenser.Command) error {
	evs, err := o.d.Handle(cmd, o.now)
	for _, e := range evs {
		e.Seq = uint64(len(o.evs) + 1)
		o.evs = append(o.evs, e)
	}
	return err
}

// must does cmd, failing the test if it is refused.
func (o *office) must(cmd dispenser.Command) {
	o.t.Helper()
	if err := o.do(cmd); err != nil {
		o.t.Fatalf("%T at %s: %v", cmd, o.now, err)
	}
}

// hashOf stands for the office's keyed hash of a document number.
func hashOf(doc string) string {
	h := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(h[:])
}

// book is the book of the day of day: an appointment for oac every half
// hour from 9:00 for each of docs.
func (o *office) book(day time.Time, docs ...string) dispenser.Book {
	y, m, d := day.In(madrid).Date()
	b := dispenser.Book{Day: dispenser.Date(day.In(madrid).Format(time.DateOnly)), Version: "file-1"}
	for i, doc := range docs {
		b.Appointments = append(b.Appointments, dispenser.Booking{
			ID:           dispenser.AppointmentID(fmt.Sprintf("%s-%d", b.Day, i)),
			Slot:         time.Date(y, m, d, 9, 30*i, 0, 0, madrid),
			Service:      "oac",
			DocumentHash: hashOf(doc),
			Name:         "Citizen " + doc,
		})
	}
	return b
}

// morning runs a random morning of the office from now: desks opening and
// pausing, walk-ins, check-ins, calls, recalls, no-shows, transfers and
// cancellations, steps commands a few seconds to minutes apart.
func (o *office) morning(steps int) {
	o.t.Helper()
	desks := []dispenser.DeskID{"taula1", "taula2", "taula3"}
	services := []dispenser.ServiceID{"oac", "padro"}
	docs := []string{"12345678Z", "X1234567L", "99999999R", "11111111H"}
	o.must(dispenser.LoadBook{Book: o.book(o.now, docs...)})
	o.must(dispenser.LoadBook{Book: o.book(o.now.AddDate(0, 0, 1), docs[:2]...)})
	for _, dk := range desks[:2] {
		o.must(dispenser.SetDesk{Desk: dk, State: dispenser.DeskOpen, Clerk: "clerk-" + string(dk)})
	}
	pick := func(n int) int { return o.rnd.IntN(n) }
	for range steps {
		o.now = o.now.Add(time.Duration(5+pick(120)) * time.Second)
		dk := desks[pick(len(desks))]
		switch r := pick(100); {
		case r < 35:
			o.n++
			kind := dispenser.WalkIn
			if pick(10) == 0 {
				kind = dispenser.Priority
			}
			svc := services[pick(2)]
			if kind == dispenser.Priority {
				svc = "oac"
			}
			o.do(dispenser.Issue{Service: svc, Kind: kind, Lang: dispenser.Langs[pick(3)],
				ID: dispenser.TicketID(fmt.Sprintf("t%05d", o.n)), Token: fmt.Sprintf("tok%029d", o.n)})
		case r < 40:
			o.n++
			o.do(dispenser.CheckIn{DocumentHash: hashOf(docs[pick(len(docs))]), Lang: dispenser.Catalan,
				ID: dispenser.TicketID(fmt.Sprintf("t%05d", o.n)), Token: fmt.Sprintf("tok%029d", o.n)})
		case r < 65:
			o.do(dispenser.CallNext{Desk: dk, Clerk: "clerk-" + string(dk)})
		case r < 75:
			o.do(dispenser.Start{Desk: dk})
		case r < 83:
			o.do(dispenser.Finish{Desk: dk})
		case r < 87:
			o.do(dispenser.Recall{Desk: dk})
		case r < 89:
			o.do(dispenser.MarkNoShow{Desk: dk})
		case r < 91:
			o.do(dispenser.Transfer{Desk: dk, To: services[pick(2)]})
		case r < 94:
			for _, tk := range o.d.Tickets() {
				if tk.State == dispenser.Waiting {
					o.do(dispenser.Cancel{Ticket: tk.ID, Reason: "left"})
					break
				}
			}
		case r < 97:
			o.do(dispenser.SetDesk{Desk: dk, State: dispenser.DeskOpen, Clerk: "clerk-" + string(dk)})
		default:
			o.do(dispenser.SetDesk{Desk: dk, State: dispenser.DeskPaused, Clerk: "clerk-" + string(dk)})
		}
	}
}

// nextDay moves the clock to 8:00 the next day and ticks: the rollover.
func (o *office) nextDay() {
	o.t.Helper()
	y, m, d := o.now.In(madrid).Date()
	o.now = time.Date(y, m, d+1, 8, 0, 0, 0, madrid)
	o.must(dispenser.Tick{})
}

// asJSON is v as JSON with every time in UTC, for comparisons.
func asJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func utcTickets(ts []dispenser.Ticket) []dispenser.Ticket {
	out := make([]dispenser.Ticket, len(ts))
	for i := range ts {
		out[i] = *inUTC(dispenser.Event{Ticket: &ts[i]}).Ticket
	}
	return out
}

func utcDesks(ds []dispenser.DeskStatus) []dispenser.DeskStatus {
	out := make([]dispenser.DeskStatus, len(ds))
	for i := range ds {
		out[i] = *inUTC(dispenser.Event{Desk: &ds[i]}).Desk
	}
	return out
}

func utcBooks(bs []dispenser.Book) []dispenser.Book {
	out := make([]dispenser.Book, len(bs))
	for i := range bs {
		out[i] = *inUTC(dispenser.Event{Book: &bs[i]}).Book
	}
	return out
}

// splits cuts evs into batches of 1 to max events.
func splits(rnd *rand.Rand, evs []dispenser.Event, max int) [][]dispenser.Event {
	var out [][]dispenser.Event
	for len(evs) > 0 {
		n := min(1+rnd.IntN(max), len(evs))
		out = append(out, evs[:n])
		evs = evs[n:]
	}
	return out
}
