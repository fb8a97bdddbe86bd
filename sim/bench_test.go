package sim

import "testing"

// BenchmarkDay simulates El Masnou's days; days/s is the figure for
// docs/performance.md.
func BenchmarkDay(b *testing.B) {
	sc := load(b, "elmasnou")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(sc, uint64(i), monday, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "days/s")
}

// BenchmarkForecast forecasts every ticket of the big office's day with 50
// futures; futures/s is the oracle's speed.
func BenchmarkForecast(b *testing.B) {
	sc := load(b, "big")
	futures := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fc := newForecaster(b, nil, 50)
		if _, err := Run(sc, uint64(i), monday, fc); err != nil {
			b.Fatal(err)
		}
		futures += 50 * fc.seen
	}
	b.ReportMetric(float64(futures)/b.Elapsed().Seconds(), "futures/s")
}
