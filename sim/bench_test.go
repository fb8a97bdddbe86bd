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
