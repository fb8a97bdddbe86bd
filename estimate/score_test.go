package estimate

import (
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
