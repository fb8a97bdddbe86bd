package estimate

import (
	"reflect"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/sim"
)

func loadScenario(t *testing.T, path string) sim.Scenario {
	t.Helper()
	sc, err := sim.LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// counter records the days its instance saw.
type counter struct {
	days map[dispenser.Date]bool
}

func (c *counter) Name() string { return "counter" }
func (c *counter) Observe(e dispenser.Event) {
	if e.Ticket != nil {
		c.days[e.Ticket.Day] = true
	}
}
func (c *counter) Estimate(_ *dispenser.Dispenser, t dispenser.Ticket, _ time.Time) time.Duration {
	if len(c.days) > 1 {
		return -time.Hour // saw two days: flagged below
	}
	return 0
}

func TestScoreCountsAndFreshDays(t *testing.T) {
	sc := loadScenario(t, "../sim/testdata/scenarios/small.toml")
	const days = 5
	made := 0
	newEsts := func() []Estimator {
		made++
		return append(append([]Estimator{NewTorn()}, Simple()...), &counter{days: map[dispenser.Date]bool{}})
	}
	ts, err := Score(sc, 7, days, newEsts)
	if err != nil {
		t.Fatal(err)
	}
	results, err := sim.RunDays(sc, 7, days, nil)
	if err != nil {
		t.Fatal(err)
	}
	var served, left, ended int
	for _, r := range results {
		served += r.Served
		left += r.Left
		ended += r.DayEnded
	}
	if left == 0 {
		t.Error("no citizen left in 5 days of the small office: the test checks nothing about leavers")
	}
	names := []string{"Torn", "QL", "LES", "HOL", "rolling", "counter"}
	if len(ts) != len(names) {
		t.Fatalf("%d tallies, want %d", len(ts), len(names))
	}
	for i, tl := range ts {
		if tl.Estimator != names[i] {
			t.Errorf("tally %d is %q, want %q", i, tl.Estimator, names[i])
		}
		if len(tl.Pairs) != served || tl.Left != left || tl.DayEnded != ended {
			t.Errorf("%s: %d pairs, %d left, %d day ended; want %d, %d, %d", tl.Estimator, len(tl.Pairs), tl.Left, tl.DayEnded, served, left, ended)
		}
	}
	// The waits are the simulator's, ticket by ticket.
	k := 0
	for _, r := range results {
		for _, tr := range r.Tickets {
			if tr.Outcome != sim.Served {
				continue
			}
			if ts[0].Pairs[k].Wait != tr.Wait || ts[0].Pairs[k].Estimate != tr.Estimate {
				t.Fatalf("pair %d = %+v, want wait %v and the printed %v", k, ts[0].Pairs[k], tr.Wait, tr.Estimate)
			}
			k++
		}
	}
	for _, p := range ts[len(ts)-1].Pairs {
		if p.Estimate < 0 {
			t.Fatal("an estimator instance saw two days")
		}
	}
	if made < days {
		t.Errorf("%d estimator sets made for %d days", made, days)
	}
}

// TestQLNearOptimal: on one desk and one service with exponential service
// times and steady arrivals below capacity, QL does at least as well as
// the history-based estimators (Ibrahim & Whitt 2009).
func TestQLNearOptimal(t *testing.T) {
	sc := loadScenario(t, "testdata/exponential.toml")
	ts, err := Score(sc, 1, 20, Simple)
	if err != nil {
		t.Fatal(err)
	}
	mae := map[string]float64{}
	for _, tl := range ts {
		m := tl.Metrics()
		mae[tl.Estimator] = m.MAE
		t.Logf("%-9s tickets %d  MAE %.2f min  rRMSE %.2f  P90 %.2f min  surprises %.1f %%", tl.Estimator, m.Tickets, m.MAE, m.RRMSE, m.P90, 100*m.Surprises)
	}
	for _, other := range []string{"LES", "HOL", "rolling"} {
		if mae["QL"] > mae[other] {
			t.Errorf("QL's MAE %.2f min > %s's %.2f min", mae["QL"], other, mae[other])
		}
	}
}

// ranger is a counter that also gives a range around its estimate.
type ranger struct{ counter }

func (r *ranger) Name() string { return "ranger" }
func (r *ranger) Range(_ *dispenser.Dispenser, t dispenser.Ticket, _ time.Time) (time.Duration, time.Duration) {
	return time.Minute, time.Duration(t.Counter) * time.Minute
}

// TestScoreOracle: the oracle's tally comes last, pairs every served ticket
// with a median inside its range, and beats the simple estimators; a
// Ranger's ranges reach the pairs, and the other estimators have none.
func TestScoreOracle(t *testing.T) {
	sc := loadScenario(t, "../sim/testdata/scenarios/small.toml")
	newEsts := func() []Estimator {
		return append(Simple(), &ranger{counter{days: map[dispenser.Date]bool{}}})
	}
	ts, err := ScoreWith(sc, 3, 4, newEsts, ScoreOptions{OracleSamples: 15})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Score(sc, 3, 4, newEsts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != len(plain)+1 || ts[len(ts)-1].Estimator != OracleName {
		t.Fatalf("%d tallies, the last %q; want %d, the last %q", len(ts), ts[len(ts)-1].Estimator, len(plain)+1, OracleName)
	}
	for i, tl := range plain {
		if !reflect.DeepEqual(tl, ts[i]) {
			t.Errorf("%s: the oracle changed its tally", tl.Estimator)
		}
	}
	or := ts[len(ts)-1]
	if len(or.Pairs) != len(plain[0].Pairs) || len(or.Pairs) == 0 {
		t.Fatalf("oracle: %d pairs, want %d", len(or.Pairs), len(plain[0].Pairs))
	}
	for _, p := range or.Pairs {
		if p.Low > p.Estimate || p.Estimate > p.High {
			t.Fatalf("oracle pair %+v: estimate outside its range", p)
		}
	}
	mo := or.Metrics()
	t.Logf("oracle: MAE %.2f min, coverage %.0f %% (of %d), width %.1f min", mo.MAE, 100*mo.Coverage, mo.Ranged, mo.Width)
	if mo.Ranged < len(or.Pairs)/2 || mo.Coverage < 0.6 || mo.Coverage > 0.95 {
		t.Errorf("oracle: %d of %d ranged, coverage %.2f; want most ranged and near 0.8", mo.Ranged, len(or.Pairs), mo.Coverage)
	}
	for _, tl := range ts[:len(ts)-1] {
		m := tl.Metrics()
		switch tl.Estimator {
		case "ranger":
			if m.Ranged != m.Tickets {
				t.Errorf("ranger: %d of %d pairs ranged", m.Ranged, m.Tickets)
			}
			for k, p := range tl.Pairs {
				if p.Low != time.Minute || p.High < time.Minute {
					t.Fatalf("ranger pair %d: %+v", k, p)
				}
			}
			continue
		default:
			if m.Ranged != 0 {
				t.Errorf("%s: %d ranged pairs, gives no range", tl.Estimator, m.Ranged)
			}
		}
		if m.MAE < mo.MAE {
			t.Errorf("%s's MAE %.2f min < the oracle's %.2f", tl.Estimator, m.MAE, mo.MAE)
		}
	}
}

func TestOraclePair(t *testing.T) {
	// Ten waits: ranks 0.1·11 → 1, 0.5·11 → 6, 0.9·11 → 10.
	m := time.Minute
	waits := []time.Duration{9 * m, 1 * m, 5 * m, 3 * m, 7 * m, 2 * m, 4 * m, 8 * m, 6 * m, 10 * m}
	if got, want := oraclePair(waits, 0, time.Hour), (Pair{Estimate: 6 * m, Low: 1 * m, High: 10 * m}); got != want {
		t.Errorf("oraclePair = %+v, want %+v", got, want)
	}
	// Two of ten futures end the day first: they count as the longest wait.
	if got, want := oraclePair(waits[:8], 2, time.Hour), (Pair{Estimate: 7 * m, Low: 1 * m, High: time.Hour}); got != want {
		t.Errorf("oraclePair with uncalled = %+v, want %+v", got, want)
	}
}
