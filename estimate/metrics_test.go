package estimate

import (
	"math"
	"testing"
	"time"
)

func TestMeasure(t *testing.T) {
	mins := func(x float64) time.Duration { return time.Duration(x * float64(time.Minute)) }
	pairs := []Pair{
		{Estimate: mins(5), Wait: mins(5)},   // error 0
		{Estimate: mins(5), Wait: mins(8)},   // 3 late: a surprise (> 2 min)
		{Estimate: mins(10), Wait: mins(9)},  // 1 early
		{Estimate: mins(0), Wait: mins(3)},   // 3 late: a surprise
		{Estimate: mins(20), Wait: mins(30)}, // 10 late: a surprise (> 15 % of 20 = 3 min)
	}
	got := Measure(pairs)
	// By hand: |errors| 0, 3, 1, 3, 10; squares sum 119; waits sum 55.
	want := Metrics{
		Tickets:   5,
		MAE:       17.0 / 5,
		RRMSE:     math.Sqrt(119.0/5) / 11,
		P90:       10, // ⌈4.5⌉ = 5th smallest
		Surprises: 3.0 / 5,
	}
	const eps = 1e-9
	if got.Tickets != want.Tickets || math.Abs(got.MAE-want.MAE) > eps || math.Abs(got.RRMSE-want.RRMSE) > eps ||
		math.Abs(got.P90-want.P90) > eps || math.Abs(got.Surprises-want.Surprises) > eps {
		t.Errorf("Measure = %+v, want %+v", got, want)
	}
	if got := Measure(nil); got != (Metrics{}) {
		t.Errorf("Measure(nil) = %+v, want zero", got)
	}
	if got := Measure([]Pair{{Estimate: mins(1)}}); !math.IsInf(got.RRMSE, 1) {
		t.Errorf("rRMSE with no wait = %v, want +Inf", got.RRMSE)
	}
}

func TestMeasureRanges(t *testing.T) {
	m := time.Minute
	pairs := []Pair{
		{Estimate: 5 * m, Wait: 5 * m, Low: 2 * m, High: 8 * m},     // in
		{Estimate: 5 * m, Wait: 8 * m, Low: 2 * m, High: 8 * m},     // on the bound: in
		{Estimate: 5 * m, Wait: 9 * m, Low: 2 * m, High: 8 * m},     // out
		{Estimate: 0, Wait: 1 * m, Low: 0, High: 4 * m},             // in, from 0
		{Estimate: 10 * m, Wait: 30 * m},                            // no range: not counted
		{Estimate: 10 * m, Wait: 30 * m, Low: 20 * m, High: 20 * m}, // a point, missed
	}
	got := Measure(pairs)
	if got.Ranged != 5 || math.Abs(got.Coverage-3.0/5) > 1e-9 || math.Abs(got.Width-(6+6+6+4+0)/5.0) > 1e-9 {
		t.Errorf("ranged %d, coverage %v, width %v; want 5, 0.6, 4.4", got.Ranged, got.Coverage, got.Width)
	}
	if got := Measure(pairs[4:5]); got.Ranged != 0 || got.Coverage != 0 || got.Width != 0 {
		t.Errorf("no range: %+v", got)
	}
}

func TestMeasureP90(t *testing.T) {
	var pairs []Pair
	for i := 1; i <= 20; i++ {
		pairs = append(pairs, Pair{Estimate: 0, Wait: time.Duration(i) * time.Minute})
	}
	// Nearest rank: the 18th of 20 absolute errors, 1..20 min.
	if got := Measure(pairs).P90; got != 18 {
		t.Errorf("P90 = %v, want 18", got)
	}
}

func TestSurprise(t *testing.T) {
	m := time.Minute
	for _, c := range []struct {
		est, wait time.Duration
		want      bool
	}{
		{5 * m, 7 * m, false},              // exactly 2 min late
		{5 * m, 7*m + time.Second, true},   // just over
		{20 * m, 23 * m, false},            // exactly 15 %
		{20 * m, 23*m + time.Second, true}, // just over 15 %
		{10 * m, 0, false},                 // early is never a surprise
		{0, 2*m + time.Second, true},       // "no wait" and then some
		{60 * m, 68 * m, false},            // 8 min late, under 15 % of 60
		{60 * m, 69*m + time.Second, true}, // over 9 min
	} {
		if got := Surprise(c.est, c.wait); got != c.want {
			t.Errorf("Surprise(%v, %v) = %v, want %v", c.est, c.wait, got, c.want)
		}
	}
}
