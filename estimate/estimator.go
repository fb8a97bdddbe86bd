package estimate

import (
	"time"

	"torn.cat/torn/dispenser"
)

// An Estimator estimates how long a ticket just issued will wait to be
// called. An instance serves one office day; see the package documentation.
type Estimator interface {
	// Name names the estimator in reports.
	Name() string
	// Observe learns from event e, in the order the dispenser returned
	// the day's events.
	Observe(e dispenser.Event)
	// Estimate returns the expected wait, from now to its first call, of
	// ticket t, issued by d at now. It may read d's present state and what
	// Observe has seen, nothing else.
	Estimate(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time) time.Duration
}

// A Ranger is an Estimator that also gives a range the wait should fall
// in. The scorer asks Range at the same moment as Estimate, with the same
// arguments; low ≤ high, and a range [0, 0] counts as none.
type Ranger interface {
	Range(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time) (low, high time.Duration)
}

// Simple returns fresh instances of the simple estimators, in the order of
// the reports: QL, LES, HOL and the rolling mean. Torn's own (the
// dispenser's, [NewTorn]) joins them in cmd torn-sim's reports.
func Simple() []Estimator {
	return []Estimator{NewQL(), NewLES(), NewHOL(), NewRolling()}
}
