package estimate

import (
	"math"
	"slices"
	"time"
)

// A Pair is one served ticket's estimate, made at issue, and actual wait.
type Pair struct {
	Estimate, Wait time.Duration
}

// Metrics are an estimator's errors over a set of served tickets.
type Metrics struct {
	// Tickets is how many tickets were scored.
	Tickets int
	// MAE is the mean absolute error, in minutes.
	MAE float64
	// RRMSE is the root mean squared error divided by the mean actual
	// wait; +Inf when every wait was zero but not every estimate.
	RRMSE float64
	// P90 is the 90th percentile of the absolute error, in minutes, by
	// nearest rank (the ⌈0.9·n⌉-th smallest).
	P90 float64
	// Surprises is the share, 0 to 1, of tickets whose wait exceeded the
	// estimate by more than max(2 min, 15 % of the estimate).
	Surprises float64
}

// SurpriseMargin is the least excess of wait over estimate that counts as a
// surprise; above 2/0.15 minutes of estimate, 15 % of it counts instead.
const SurpriseMargin = 2 * time.Minute

// Surprise reports whether wait exceeds estimate by more than
// max(SurpriseMargin, 15 % of estimate).
func Surprise(estimate, wait time.Duration) bool {
	margin := max(SurpriseMargin, estimate*15/100)
	return wait-estimate > margin
}

// Measure computes the metrics of pairs. The zero Metrics for none.
func Measure(pairs []Pair) Metrics {
	n := len(pairs)
	if n == 0 {
		return Metrics{}
	}
	abs := make([]float64, n)
	var sumAbs, sumSq, sumWait float64
	surprises := 0
	for i, p := range pairs {
		e := (p.Estimate - p.Wait).Minutes()
		abs[i] = math.Abs(e)
		sumAbs += abs[i]
		sumSq += e * e
		sumWait += p.Wait.Minutes()
		if Surprise(p.Estimate, p.Wait) {
			surprises++
		}
	}
	slices.Sort(abs)
	m := Metrics{
		Tickets:   n,
		MAE:       sumAbs / float64(n),
		P90:       abs[int(math.Ceil(0.9*float64(n)))-1],
		Surprises: float64(surprises) / float64(n),
	}
	rmse := math.Sqrt(sumSq / float64(n))
	switch meanWait := sumWait / float64(n); {
	case meanWait > 0:
		m.RRMSE = rmse / meanWait
	case rmse > 0:
		m.RRMSE = math.Inf(1)
	}
	return m
}
