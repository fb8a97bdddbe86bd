package estimate

import (
	"slices"
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
// Its range comes from how wrong the estimate was today: the errors of the
// last RangeOf tickets called, each relative to its estimate plus
// rangeFloor (so a short estimate still gets a range of minutes), give the
// 10th and 90th percentiles the range spans.
type Torn struct {
	errs []float64 // relative errors of the last RangeOf first calls
	next int
}

// RangeOf is how many recent first calls Torn's range is learned from.
const RangeOf = 60

// The range before enough calls were seen today, as relative errors, and
// the least estimate errors are taken relative to.
const (
	rangeLow, rangeHigh = -0.3, 0.5
	rangeLearnFrom      = 10
	rangeFloor          = 5 * time.Minute
)

// NewTorn returns Torn's estimator for a new day.
func NewTorn() *Torn { return &Torn{} }

// Name is "Torn".
func (*Torn) Name() string { return "Torn" }

// Observe learns, for the range, how far off the estimates of the tickets
// called were; the estimate itself is learned by the dispenser.
func (e *Torn) Observe(ev dispenser.Event) {
	t := ev.Ticket
	if ev.Type != dispenser.TicketCalled || t == nil || t.Calls != 1 || !t.Called.Equal(t.FirstCalled) {
		return
	}
	rel := float64(t.FirstCalled.Sub(t.Issued)-t.Estimate) / float64(t.Estimate+rangeFloor)
	if len(e.errs) < RangeOf {
		e.errs = append(e.errs, rel)
		return
	}
	e.errs[e.next] = rel
	e.next = (e.next + 1) % RangeOf
}

// Range returns the range t's wait should fall in, 8 times out of 10.
func (e *Torn) Range(_ *dispenser.Dispenser, t dispenser.Ticket, _ time.Time) (low, high time.Duration) {
	lo, hi := rangeLow, rangeHigh
	if len(e.errs) >= rangeLearnFrom {
		s := slices.Clone(e.errs)
		slices.Sort(s)
		lo, hi = quantile(s, 0.1), quantile(s, 0.9)
	}
	scale := float64(t.Estimate + rangeFloor)
	low = max(t.Estimate+time.Duration(lo*scale), 0)
	high = max(t.Estimate+time.Duration(hi*scale), low)
	return low.Round(time.Second), high.Round(time.Second)
}

// quantile is the q-quantile of sorted s, interpolated.
func quantile(s []float64, q float64) float64 {
	x := q * float64(len(s)-1)
	i := int(x)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (x-float64(i))*(s[i+1]-s[i])
}

// Estimate returns what the dispenser printed on t.
func (*Torn) Estimate(_ *dispenser.Dispenser, t dispenser.Ticket, _ time.Time) time.Duration {
	return t.Estimate
}
