package estimate

import (
	"fmt"
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

// Score simulates days days of sc with sim.RunDays from seed and returns a
// Tally per estimator, in the order newEstimators gives them.
// newEstimators is called for every day (at each dispenser.DayStarted) and
// must return fresh instances with the same names in the same order.
func Score(sc sim.Scenario, seed uint64, days int, newEstimators func() []Estimator) ([]Tally, error) {
	o := &observer{newEstimators: newEstimators, estimates: map[ticketKey][]time.Duration{}}
	o.ests = newEstimators()
	tallies := make([]Tally, len(o.ests))
	for i, e := range o.ests {
		tallies[i].Estimator = e.Name()
	}
	results, err := sim.RunDays(sc, seed, days, o)
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
			if !ok {
				return nil, fmt.Errorf("score %s: %s ticket %s: never estimated", sc.Name, r.Day, tr.ID)
			}
			for i := range tallies {
				tallies[i].Pairs = append(tallies[i].Pairs, Pair{Estimate: est[i], Wait: tr.Wait})
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
	estimates     map[ticketKey][]time.Duration
	err           error
}

func (o *observer) Issued(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time) {
	est := make([]time.Duration, len(o.ests))
	for i, e := range o.ests {
		est[i] = e.Estimate(d, t, now)
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
