package estimate

import (
	"time"

	"torn.cat/torn/dispenser"
)

// Torn is Torn's own estimator: the one the dispenser prints on the ticket
// (t.Estimate) and shows on the TV, the kiosk and the tracking page. Where
// QL divides the queue by the desks, the dispenser replays the office
// forward with its own calling rules: each open desk freeing up when its
// current citizen is expected to be done, a paused desk after a break as
// long as today's, each desk then calling next exactly as the real one
// would (its profile, the appointments due ahead of walk-ins, the priority
// tickets, the ageing bound), each citizen called taking the walk-up and
// service time learned today for their service, shortened by the share of
// that service's citizens who leave before their turn. See
// dispenser/estimate.go and docs/estimator.md.
//
// Its range is the dispenser's too: see dispenser.Dispenser.Range.
type Torn struct{}

// NewTorn returns Torn's estimator for a new day.
func NewTorn() *Torn { return &Torn{} }

// Name is "Torn".
func (*Torn) Name() string { return "Torn" }

// Observe does nothing: the dispenser learns by itself.
func (*Torn) Observe(dispenser.Event) {}

// Estimate returns what the dispenser printed on t.
func (*Torn) Estimate(_ *dispenser.Dispenser, t dispenser.Ticket, _ time.Time) time.Duration {
	return t.Estimate
}

// Range returns the dispenser's range around t's estimate.
func (*Torn) Range(d *dispenser.Dispenser, t dispenser.Ticket, _ time.Time) (low, high time.Duration) {
	return d.Range(t.Estimate)
}
