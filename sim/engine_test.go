package sim

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"reflect"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

var monday = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func load(t testing.TB, name string) Scenario {
	t.Helper()
	sc, err := LoadScenario("testdata/scenarios/" + name + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// hashObserver hashes everything it is told.
type hashObserver struct{ h hash.Hash }

func (o *hashObserver) Issued(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time) {
	fmt.Fprintf(o.h, "issued %s %s %v %d\n", t.ID, now.Format(time.RFC3339Nano), t.Estimate, d.Last().UnixNano())
}

func (o *hashObserver) Event(e dispenser.Event) {
	b, _ := json.Marshal(e)
	o.h.Write(b)
}

func runHashed(t *testing.T, sc Scenario, seed uint64) (Result, string) {
	t.Helper()
	o := &hashObserver{h: sha256.New()}
	r, err := Run(sc, seed, monday, o)
	if err != nil {
		t.Fatal(err)
	}
	return r, fmt.Sprintf("%x", o.h.Sum(nil))
}

func TestDeterministic(t *testing.T) {
	for _, f := range scenarioFiles(t) {
		sc, err := LoadScenario(f)
		if err != nil {
			t.Fatal(err)
		}
		a, ha := runHashed(t, sc, 7)
		b, hb := runHashed(t, sc, 7)
		if !reflect.DeepEqual(a, b) || ha != hb {
			t.Errorf("%s: two runs with seed 7 differ", f)
		}
		c, hc := runHashed(t, sc, 8)
		if reflect.DeepEqual(a.Tickets, c.Tickets) || ha == hc {
			t.Errorf("%s: seeds 7 and 8 give the same day", f)
		}
		if a.Issued == 0 || a.Served == 0 {
			t.Errorf("%s: an empty day: %+v", f, a)
		}
	}
}

func TestRunDays(t *testing.T) {
	sc := load(t, "small")
	rs, err := RunDays(sc, 1, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 7 {
		t.Fatalf("%d days, want 7", len(rs))
	}
	seen := map[dispenser.Date]bool{}
	seeds := map[uint64]bool{}
	for _, r := range rs {
		d, _ := time.Parse(time.DateOnly, string(r.Day))
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("simulated %s, a %s", r.Day, wd)
		}
		if seen[r.Day] || seeds[r.Seed] {
			t.Errorf("day %s or seed %d twice", r.Day, r.Seed)
		}
		seen[r.Day], seeds[r.Seed] = true, true
	}
	again, _ := RunDays(sc, 1, 7, nil)
	if !reflect.DeepEqual(rs, again) {
		t.Error("RunDays is not reproducible")
	}
}

// TestEveryTicketEnds checks that every ticket is called and served, or
// its citizen left, or the day ended with it, and that the results agree
// with the events.
func TestEveryTicketEnds(t *testing.T) {
	for _, f := range scenarioFiles(t) {
		sc, err := LoadScenario(f)
		if err != nil {
			t.Fatal(err)
		}
		o := &countObserver{final: map[dispenser.TicketID]dispenser.State{}}
		rs, err := RunDays(sc, 3, 10, o)
		if err != nil {
			t.Fatal(err)
		}
		var issued, served, left, ended int
		for _, r := range rs {
			if r.Served+r.Left+r.DayEnded != r.Issued || len(r.Tickets) != r.Issued {
				t.Errorf("%s %s: %d served + %d left + %d day ended ≠ %d issued", f, r.Day, r.Served, r.Left, r.DayEnded, r.Issued)
			}
			for _, tr := range r.Tickets {
				switch tr.Outcome {
				case Served:
					if tr.Called.IsZero() || tr.Wait != tr.Called.Sub(tr.Issued) || tr.Wait < 0 {
						t.Errorf("%s: served ticket %+v", f, tr)
					}
				case Left:
					if !tr.Called.IsZero() || tr.Wait != 0 {
						t.Errorf("%s: ticket %+v left after its call", f, tr)
					}
				case DayEnded:
				default:
					t.Errorf("%s: ticket %+v has no outcome", f, tr)
				}
			}
			issued += r.Issued
			served += r.Served
			left += r.Left
			ended += r.DayEnded
		}
		if o.issued != issued || o.issuedEvents != issued {
			t.Errorf("%s: %d tickets, Issued called %d times, %d issued events", f, issued, o.issued, o.issuedEvents)
		}
		for id, s := range o.final {
			if !s.Final() {
				t.Errorf("%s: ticket %s ends the day %s", f, id, s)
			}
		}
		if ended > issued/50 {
			t.Errorf("%s: %d of %d tickets cancelled by the day's end: the drain is too short", f, ended, issued)
		}
		t.Logf("%s: 10 days: %d issued, %d served, %d left, %d day ended", f, issued, served, left, ended)
	}
}

type countObserver struct {
	issued, issuedEvents int
	final                map[dispenser.TicketID]dispenser.State
}

func (o *countObserver) Issued(*dispenser.Dispenser, dispenser.Ticket, time.Time) { o.issued++ }

func (o *countObserver) Event(e dispenser.Event) {
	if e.Type == dispenser.TicketIssued {
		o.issuedEvents++
	}
	if e.Ticket != nil {
		// Ticket ids repeat across days: key them by day.
		o.final[dispenser.TicketID(string(e.Ticket.Day)+"/"+string(e.Ticket.ID))] = e.Ticket.State
	}
}

const stationary = `
name = "stationary"
hours = ["06:00-22:00"]
no_cutoff = true
walk_up_seconds = 20

[[service]]
id = "oac"
prefix = "A"
walkins_per_hour = [24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24]
service_minutes = 6
service_cv = 1

[[desk]]
id = "t1"
profile = ["oac"]
[[desk]]
id = "t2"
profile = ["oac"]
[[desk]]
id = "t3"
profile = ["oac"]
`

// TestLittlesLaw checks L = λW on a stationary day: the time-average number
// waiting, measured from the events over the steady hours, against the
// configured arrival rate times the mean wait of the tickets issued then.
func TestLittlesLaw(t *testing.T) {
	sc, err := ParseScenario([]byte(stationary))
	if err != nil {
		t.Fatal(err)
	}
	const lambda = 24.0 // per hour
	o := &queueObserver{}
	rs, err := RunDays(sc, 11, 30, o)
	if err != nil {
		t.Fatal(err)
	}
	var area, span float64 // waiting × hours, hours
	var waits []float64
	for _, r := range rs {
		day, _ := time.ParseInLocation(time.DateOnly, string(r.Day), o.loc())
		from, to := day.Add(8*time.Hour), day.Add(20*time.Hour)
		area += o.days[r.Day].integral(from, to)
		span += to.Sub(from).Hours()
		for _, tr := range r.Tickets {
			if tr.Issued.Before(from) || !tr.Issued.Before(to) {
				continue
			}
			if tr.Outcome != Served {
				t.Fatalf("ticket %+v not served on a day with enough desks", tr)
			}
			waits = append(waits, tr.Wait.Hours())
		}
	}
	var w float64
	for _, x := range waits {
		w += x
	}
	w /= float64(len(waits))
	l := area / span
	t.Logf("L = %.3f waiting, λW = %.3f (λ = %g/h, W = %.2f min, %d tickets)", l, lambda*w, lambda, w*60, len(waits))
	if math.Abs(l-lambda*w) > 0.1*lambda*w {
		t.Errorf("L = %.3f, λW = %.3f: more than 10%% apart", l, lambda*w)
	}
	if w*60 < 0.5 {
		t.Errorf("mean wait %.2f min: the scenario is too light to test anything", w*60)
	}
}

// queueObserver records, per business day, the number waiting after each
// event.
type queueObserver struct {
	days  map[dispenser.Date]*queueDay
	where *time.Location
}

type queueDay struct {
	at []time.Time
	n  []int
}

func (o *queueObserver) loc() *time.Location {
	if o.where == nil {
		o.where, _ = time.LoadLocation("Europe/Madrid")
	}
	return o.where
}

func (o *queueObserver) Issued(*dispenser.Dispenser, dispenser.Ticket, time.Time) {}

func (o *queueObserver) Event(e dispenser.Event) {
	if e.Ticket == nil {
		return
	}
	if o.days == nil {
		o.days = map[dispenser.Date]*queueDay{}
	}
	q := o.days[e.Ticket.Day]
	if q == nil {
		q = &queueDay{}
		o.days[e.Ticket.Day] = q
	}
	n := 0
	if len(q.n) > 0 {
		n = q.n[len(q.n)-1]
	}
	switch {
	case e.Type == dispenser.TicketIssued:
		n++
	case e.Type == dispenser.TicketCalled && e.Ticket.Calls == 1 && e.Ticket.FirstCalled.Equal(e.Ticket.Called):
		n--
	case e.Type == dispenser.TicketCancelled && e.Ticket.FirstCalled.IsZero():
		n--
	default:
		return
	}
	q.at = append(q.at, e.Time)
	q.n = append(q.n, n)
}

// integral is the number waiting integrated over [from, to), in hours.
func (q *queueDay) integral(from, to time.Time) float64 {
	var sum float64
	n := 0
	prev := from
	for i, at := range q.at {
		if at.After(to) {
			break
		}
		if at.After(prev) {
			sum += float64(n) * at.Sub(prev).Hours()
			prev = at
		}
		n = q.n[i]
	}
	if to.After(prev) {
		sum += float64(n) * to.Sub(prev).Hours()
	}
	return sum
}
