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

// Simple returns fresh instances of the simple estimators, in the order of
// the reports: QL, LES, HOL and the rolling mean. Torn's own (the
// dispenser's, [NewTorn]) joins them in cmd torn-sim's reports.
func Simple() []Estimator {
	return []Estimator{NewQL(), NewLES(), NewHOL(), NewRolling()}
}
