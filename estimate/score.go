package estimate

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/sim"
)

// A Tally is one estimator's record over simulated days: its estimate and
// the actual wait of every served ticket, and the tickets left out.
type Tally struct {
	Estimator string
	// Pairs are the served tickets' estimates and waits, in the order
	// the tickets were issued.
	Pairs []Pair
	// Left counts the tickets whose citizen left before being called;
	// DayEnded those still open when the day ended. Neither is scored.
	Left, DayEnded int
}

// Metrics measures t's pairs.
func (t Tally) Metrics() Metrics { return Measure(t.Pairs) }

// Add pools o into t.
func (t *Tally) Add(o Tally) {
	t.Pairs = append(t.Pairs, o.Pairs...)
	t.Left += o.Left
	t.DayEnded += o.DayEnded
}

// ScoreOptions are ScoreWith's settings; the zero value is Score's.
type ScoreOptions struct {
	// OracleSamples, when above zero, adds the oracle's tally, named
	// "oracle", after the estimators': at each issue the oracle simulates
	// this many futures of the office's present with the scenario's true
	// parameters (sim.Present.Waits) and estimates their median wait,
	// within the range of their 10th to 90th percentiles (see oraclePair). What no
	// estimator can beat by much, and what the ranges' coverage should
	// come near. Default 0: no oracle.
	OracleSamples int
}

// OracleName names the oracle's tally.
const OracleName = "oracle"

// Score is ScoreWith with the zero ScoreOptions: no oracle.
func Score(sc sim.Scenario, seed uint64, days int, newEstimators func() []Estimator) ([]Tally, error) {
	return ScoreWith(sc, seed, days, newEstimators, ScoreOptions{})
}

// ScoreWith simulates days days of sc with sim.RunDays from seed and
// returns a Tally per estimator, in the order newEstimators gives them,
// then the oracle's if opt asks for it. newEstimators is called for every
// day (at each dispenser.DayStarted) and must return fresh instances with
// the same names in the same order. Estimators that are Rangers have their
// ranges in their pairs.
func ScoreWith(sc sim.Scenario, seed uint64, days int, newEstimators func() []Estimator, opt ScoreOptions) ([]Tally, error) {
	o := &observer{newEstimators: newEstimators, estimates: map[ticketKey][]Pair{}}
	o.ests = newEstimators()
	tallies := make([]Tally, len(o.ests))
	for i, e := range o.ests {
		tallies[i].Estimator = e.Name()
	}
	var obs sim.Observer = o
	if opt.OracleSamples > 0 {
		obs = &oracle{observer: o, samples: opt.OracleSamples, seed: seed}
		tallies = append(tallies, Tally{Estimator: OracleName})
	}
	results, err := sim.RunDays(sc, seed, days, obs)
	if err != nil {
		return nil, fmt.Errorf("score %s: %w", sc.Name, err)
	}
	if o.err != nil {
		return nil, fmt.Errorf("score %s: %w", sc.Name, o.err)
	}
	for _, r := range results {
		for _, tr := range r.Tickets {
			switch tr.Outcome {
			case sim.Left:
				for i := range tallies {
					tallies[i].Left++
				}
				continue
			case sim.DayEnded:
				for i := range tallies {
					tallies[i].DayEnded++
				}
				continue
			}
			est, ok := o.estimates[ticketKey{r.Day, tr.ID}]
			if !ok || len(est) != len(tallies) {
				return nil, fmt.Errorf("score %s: %s ticket %s: never estimated", sc.Name, r.Day, tr.ID)
			}
			for i := range tallies {
				p := est[i]
				p.Wait = tr.Wait
				tallies[i].Pairs = append(tallies[i].Pairs, p)
			}
		}
	}
	return tallies, nil
}

type ticketKey struct {
	day dispenser.Date
	id  dispenser.TicketID
}

// observer asks every estimator at each issue and feeds them every event.
type observer struct {
	newEstimators func() []Estimator
	ests          []Estimator
	// estimates are the pairs of each ticket, without the wait.
	estimates map[ticketKey][]Pair
	err       error
}

func (o *observer) Issued(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time) {
	est := make([]Pair, len(o.ests), len(o.ests)+1)
	for i, e := range o.ests {
		est[i].Estimate = e.Estimate(d, t, now)
		if r, ok := e.(Ranger); ok {
			est[i].Low, est[i].High = r.Range(d, t, now)
		}
	}
	o.estimates[ticketKey{t.Day, t.ID}] = est
}

func (o *observer) Event(e dispenser.Event) {
	if e.Type == dispenser.DayStarted {
		ests := o.newEstimators()
		if len(ests) != len(o.ests) && o.err == nil {
			o.err = fmt.Errorf("%d estimators on a new day, %d before", len(ests), len(o.ests))
		} else {
			o.ests = ests
		}
	}
	for _, est := range o.ests {
		est.Observe(e)
	}
}

// oracle is the observer that also forecasts each ticket at its issue, after
// the estimators, and adds the forecast's pair to theirs.
type oracle struct {
	*observer
	samples int
	seed    uint64
}

func (o *oracle) Forecast(p *sim.Present, t dispenser.Ticket) {
	k := ticketKey{t.Day, t.ID}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d %s %s", o.seed, t.Day, t.ID)
	waits, uncalled, err := p.Waits(t.ID, o.samples, h.Sum64())
	if err != nil {
		if o.err == nil {
			o.err = err
		}
		return
	}
	o.estimates[k] = append(o.estimates[k], oraclePair(waits, uncalled, p.End().Sub(t.Issued)))
}

// oraclePair is the oracle's estimate and range from the waits of the
// futures that called the ticket and the count of those whose day ended
// first, whose waits count as end, the longest the day allows. Of the n
// waits sorted, quantile p is the one of rank p·(n+1), rounded: the median
// is the estimate, and the 10th and 90th percentiles bound a range that
// holds a further draw with probability near 80 % whatever n (the range
// of ranks i to j holds it with probability (j−i)/(n+1)).
func oraclePair(waits []time.Duration, uncalled int, end time.Duration) Pair {
	all := slices.Clone(waits)
	for range uncalled {
		all = append(all, end)
	}
	slices.Sort(all)
	n := len(all)
	q := func(p float64) time.Duration { return all[min(max(int(math.Round(p*float64(n+1))), 1), n)-1] }
	return Pair{Estimate: q(0.5), Low: q(0.1), High: q(0.9)}
}
