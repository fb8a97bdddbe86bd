package estimate

import (
	"math"
	"slices"
	"time"
)

// A Pair is one served ticket's estimate, made at issue, and actual wait,
// with the range the estimator gave, if any.
type Pair struct {
	Estimate, Wait time.Duration
	// Low and High are the range; both zero for none (see Ranger).
	Low, High time.Duration
}

// Ranged reports whether p has a range.
func (p Pair) Ranged() bool { return p.Low != 0 || p.High != 0 }

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
	// Ranged counts the tickets with a range (see Ranger); Coverage is the
	// share, 0 to 1, of those whose wait fell within it, bounds included,
	// and Width the ranges' mean width, in minutes. Zero when none.
	Ranged          int
	Coverage, Width float64
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
	var m Metrics
	abs := make([]float64, n)
	var sumAbs, sumSq, sumWait float64
	surprises, covered := 0, 0
	var width float64
	for i, p := range pairs {
		if p.Ranged() {
			m.Ranged++
			width += (p.High - p.Low).Minutes()
			if p.Low <= p.Wait && p.Wait <= p.High {
				covered++
			}
		}
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
	m.Tickets = n
	m.MAE = sumAbs / float64(n)
	m.P90 = abs[int(math.Ceil(0.9*float64(n)))-1]
	m.Surprises = float64(surprises) / float64(n)
	if m.Ranged > 0 {
		m.Coverage = float64(covered) / float64(m.Ranged)
		m.Width = width / float64(m.Ranged)
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
