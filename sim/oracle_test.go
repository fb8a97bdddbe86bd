package sim

import (
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// forecaster forecasts every ticket at its issue with n futures.
type forecaster struct {
	Observer
	t     testing.TB
	n     int
	waits map[ticketKey][]time.Duration
	never map[ticketKey]int
	// seen counts the forecasts; errs the errors reported.
	seen, errs int
}

func newForecaster(t testing.TB, obs Observer, n int) *forecaster {
	if obs == nil {
		obs = nopObserver{}
	}
	return &forecaster{Observer: obs, t: t, n: n, waits: map[ticketKey][]time.Duration{}, never: map[ticketKey]int{}}
}

func (f *forecaster) Forecast(p *Present, t dispenser.Ticket) {
	f.seen++
	if !p.Now().Equal(t.Issued) {
		f.t.Errorf("forecast of %s at %v, issued at %v", t.ID, p.Now(), t.Issued)
	}
	w, never, err := p.Waits(t.ID, f.n, uint64(f.seen))
	if err != nil {
		if f.errs++; f.errs < 10 {
			f.t.Error(err)
		}
		return
	}
	if len(w)+never != f.n {
		f.t.Errorf("%s: %d waits and %d uncalled of %d futures", t.ID, len(w), never, f.n)
	}
	f.waits[ticketKey{t.Day, t.ID}], f.never[ticketKey{t.Day, t.ID}] = w, never
}

// ticketKey names a ticket across days: ids start again each day.
type ticketKey struct {
	day dispenser.Date
	id  dispenser.TicketID
}

type nopObserver struct{}

func (nopObserver) Issued(*dispenser.Dispenser, dispenser.Ticket, time.Time) {}
func (nopObserver) Event(dispenser.Event)                                    {}

// TestForecastLeavesTheDayAlone: forecasting every ticket of a day changes
// nothing of the day: the same result, the same draws, the same events and
// issues told to the observer.
func TestForecastLeavesTheDayAlone(t *testing.T) {
	for _, f := range scenarioFiles(t) {
		sc, err := LoadScenario(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, seed := range []uint64{1, 2} {
			plain, hp := runHashed(t, sc, seed)
			o := &hashObserver{h: sha256.New()}
			fc := newForecaster(t, o, 3)
			r, err := Run(sc, seed, monday, fc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(plain, r) || hp != fmt.Sprintf("%x", o.h.Sum(nil)) {
				t.Errorf("%s, seed %d: the day differs when forecast", f, seed)
			}
			if fc.seen != r.Issued || r.Issued == 0 {
				t.Errorf("%s, seed %d: %d forecasts of %d tickets", f, seed, fc.seen, r.Issued)
			}
		}
	}
}

// TestForecastDrawsNothingOfTheDay: with the draw hook of future_test.go,
// no draw of the day's generator happens during a forecast.
func TestForecastDrawsNothingOfTheDay(t *testing.T) {
	l := &drawLog{t: t, issued: map[dispenser.TicketID]uint64{}, called: map[dispenser.TicketID]uint64{}, drawn: map[dispenser.TicketID][]purpose{}}
	fc := &hookedForecaster{forecaster: newForecaster(t, l, 2), l: l}
	rs, err := RunDays(load(t, "elmasnou"), 5, 2, fc)
	if err != nil {
		t.Fatal(err)
	}
	if fc.seen == 0 || rs[0].Draws == 0 {
		t.Fatal("nothing forecast")
	}
}

type hookedForecaster struct {
	*forecaster
	l *drawLog
}

func (h *hookedForecaster) drew(p purpose, id dispenser.TicketID, n uint64) { h.l.drew(p, id, n) }

func (h *hookedForecaster) Forecast(p *Present, t dispenser.Ticket) {
	before := h.l.n
	h.forecaster.Forecast(p, t)
	if h.l.n != before {
		h.t.Errorf("forecast of %s drew %d numbers from the day's generator", t.ID, h.l.n-before)
	}
}

// clockwork: one desk, one service, service times of 10 min to the second
// (cv 1e-6), no priority, nobody leaves; a desk break. Whatever arrives
// after a ticket cannot go before it, so its wait is known at its issue.
const clockwork = `
name = "clockwork"
hours = ["09:00-13:00"]
drain_minutes = 600

[[service]]
id = "oac"
prefix = "A"
walkins_from = "08:30"
walkins_per_hour = [8, 7, 7, 7, 7]
service_minutes = 10
service_cv = 0.000001

[[desk]]
id = "t1"
profile = ["oac"]
breaks = ["10:30-10:45"]
`

func parse(t *testing.T, toml string) Scenario {
	t.Helper()
	sc, err := ParseScenario([]byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestForecastKnownWait: on clockwork every future gives the wait that
// followed, to the nanosecond, and that is the wait worked out by hand.
func TestForecastKnownWait(t *testing.T) {
	fc := newForecaster(t, nil, 4)
	checked := 0
	for day := range 3 {
		r, err := Run(parse(t, clockwork), uint64(day), monday.AddDate(0, 0, day), fc)
		if err != nil {
			t.Fatal(err)
		}
		var free time.Time // when the desk is next free
		for _, tr := range r.Tickets {
			w, never := fc.waits[ticketKey{r.Day, tr.ID}], fc.never[ticketKey{r.Day, tr.ID}]
			if tr.Outcome != Served {
				t.Fatalf("ticket %+v not served", tr)
			}
			if never != 0 || len(w) != 4 {
				t.Fatalf("%s: %d futures uncalled", tr.ID, never)
			}
			for _, x := range w {
				if x != tr.Wait {
					t.Errorf("%s %s: forecast waits %v, waited %v", r.Day, tr.ID, w, tr.Wait)
					break
				}
			}
			// By hand: one desk, first come first served, 10 min 30 s
			// from a call to the next (walk-up and service), no call before
			// 9:00 nor during the break.
			at := func(h, m int) time.Time { return time.Date(2026, 3, 2+day, h, m, 0, 0, tr.Issued.Location()) }
			call := tr.Issued
			if !free.IsZero() && free.After(call) {
				call = free
			}
			if call.Before(at(9, 0)) {
				call = at(9, 0)
			}
			if !call.Before(at(10, 30)) && call.Before(at(10, 45)) {
				call = at(10, 45)
			}
			if !tr.Called.Equal(call) {
				t.Errorf("%s %s: called at %v, want %v by hand", r.Day, tr.ID, tr.Called, call)
			}
			free = tr.Called.Add(630 * time.Second)
			checked++
		}
	}
	if checked < 60 {
		t.Errorf("%d tickets checked", checked)
	}
}

// busy has most of what the oracle draws again: walk-ins of two services
// with priority, appointments with no-shows and punctuality, two desks with
// breaks and lognormal service times. Nobody leaves (a leaver's wait is
// not seen) and the desks drain the queue, so every ticket is served and
// its wait is a draw from what the oracle forecasts.
const busy = `
name = "busy"
hours = ["09:00-14:00"]
drain_minutes = 600

[[service]]
id = "oac"
prefix = "A"
walkins_from = "08:45"
walkins_per_hour = [6, 6, 6, 6, 6, 6]
service_minutes = 8
service_cv = 0.8
priority_share = 0.1

[[service]]
id = "padro"
prefix = "P"
walkins_per_hour = [3, 3, 3, 3, 3]
service_minutes = 6
service_cv = 0.5
[service.appointments]
per_hour = 2
punctuality_mean_minutes = -5
punctuality_sd_minutes = 8
no_show_share = 0.2

[[desk]]
id = "t1"
profile = ["oac", "padro"]
breaks = ["10:30-10:45"]

[[desk]]
id = "t2"
profile = ["padro", "oac"]
breaks = ["11:30-11:45"]
`

// TestForecastMeanMatchesWaits: over many tickets, the mean of the
// forecasts' samples is the mean of the waits that followed. Each ticket's
// wait is one draw of what its forecast samples, so the difference of the
// means has mean zero; the tolerance is 3 standard errors estimated from
// the days' differences (the tickets of a day are correlated, the days are
// not). The seeds are fixed: the test cannot flake; a forecast that ignores
// the time already spent at the desks, or the arrivals to come, fails it.
func TestForecastMeanMatchesWaits(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 100 days with 10 futures per ticket")
	}
	sc := parse(t, busy)
	fc := newForecaster(t, nil, 10)
	const days = 100
	var diffs []float64 // per day: mean wait − mean forecast, minutes
	var sumWait, sumFore float64
	n := 0
	rs, err := RunDays(sc, 100, days, fc)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		var dw, df float64
		for _, tr := range r.Tickets {
			w, never := fc.waits[ticketKey{r.Day, tr.ID}], fc.never[ticketKey{r.Day, tr.ID}]
			if tr.Outcome != Served || never != 0 {
				t.Fatalf("%s %s: %s, %d futures uncalled", r.Day, tr.ID, tr.Outcome, never)
			}
			var m float64
			for _, x := range w {
				m += x.Minutes()
			}
			m /= float64(len(w))
			dw += tr.Wait.Minutes()
			df += m
		}
		k := float64(len(r.Tickets))
		diffs = append(diffs, (dw-df)/k)
		sumWait += dw
		sumFore += df
		n += len(r.Tickets)
	}
	var mean, ss float64
	for _, d := range diffs {
		mean += d
	}
	mean /= days
	for _, d := range diffs {
		ss += (d - mean) * (d - mean)
	}
	se := math.Sqrt(ss / (days - 1) / days)
	t.Logf("%d tickets: mean wait %.2f min, mean forecast %.2f min; per day, difference %.2f ± %.2f min (s.e.)",
		n, sumWait/float64(n), sumFore/float64(n), mean, se)
	if !(math.Abs(mean) <= 3*se && se < 1) {
		t.Errorf("mean wait − mean forecast = %.2f min, s.e. %.2f min: want within 3 s.e. of 0", mean, se)
	}
}

// TestServiceTimeAfter: a service time drawn given the time spent is at
// least that, and the draws far in the tail (where rejection gives up)
// follow the lognormal's tail: their mean is the conditional mean.
func TestServiceTimeAfter(t *testing.T) {
	sc := parse(t, busy)
	p, err := sc.compile()
	if err != nil {
		t.Fatal(err)
	}
	e := &engine{p: p, g: rng{r: rand.New(rand.NewPCG(1, 2))}}
	sp := &p.svcs[0] // mean 8 min, cv 0.8
	for _, elapsed := range []time.Duration{0, 5 * time.Minute, 40 * time.Minute, 3 * time.Hour} {
		var sum float64
		const n = 20000
		for range n {
			st := e.serviceTimeAfter(0, "T1", elapsed)
			if st < elapsed {
				t.Fatalf("after %v: drew %v", elapsed, st)
			}
			sum += st.Minutes()
		}
		// E[S | S > x] for a lognormal: e^(μ+σ²/2)·Φ(σ−a)/Φ(−a), a = (ln x − μ)/σ.
		want := math.Exp(sp.mu+sp.sigma*sp.sigma/2) * phi(sp.sigma-(math.Log(elapsed.Minutes())-sp.mu)/sp.sigma) /
			phi(-(math.Log(elapsed.Minutes())-sp.mu)/sp.sigma)
		if got := sum / n; math.Abs(got-want) > 0.03*want {
			t.Errorf("after %v: mean %.2f min, want %.2f", elapsed, got, want)
		}
	}
}

func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
