package sim

import (
	"math"
	"math/rand/v2"

	"torn.cat/torn/dispenser"
)

// A purpose says what a random draw is for.
type purpose string

// The purposes of the draws. Those about one ticket's future (its
// service time, its patience) are drawn only after the ticket is issued.
const (
	drawArrival  purpose = "arrival"  // the next walk-in candidate's time
	drawAccept   purpose = "accept"   // thinning
	drawPriority purpose = "priority" // the walk-in's kind
	drawBook     purpose = "book"     // a booking's no-show and punctuality
	drawPatience purpose = "patience" // ticket's patience
	drawService  purpose = "service"  // ticket's service time, at call
)

// drawObserver is an Observer that also hears of every random draw: a
// test's window on when the engine draws what.
type drawObserver interface {
	drew(p purpose, t dispenser.TicketID, n uint64)
}

// rng counts its draws and reports them to hook.
type rng struct {
	r    *rand.Rand
	n    uint64
	hook drawObserver
}

func (g *rng) note(p purpose, t dispenser.TicketID) {
	g.n++
	if g.hook != nil {
		g.hook.drew(p, t, g.n)
	}
}

func (g *rng) float(p purpose, t dispenser.TicketID) float64 {
	g.note(p, t)
	return g.r.Float64()
}

func (g *rng) exp(p purpose, t dispenser.TicketID) float64 {
	g.note(p, t)
	return g.r.ExpFloat64()
}

func (g *rng) norm(p purpose, t dispenser.TicketID) float64 {
	g.note(p, t)
	return g.r.NormFloat64()
}

// lognormal draws exp(mu + sigma·Z).
func (g *rng) lognormal(p purpose, t dispenser.TicketID, mu, sigma float64) float64 {
	return math.Exp(mu + sigma*g.norm(p, t))
}

// splitmix64 derives a day's seed from a run's.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
