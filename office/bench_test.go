package office

import (
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/store"
)

// BenchmarkIssue issues tickets through the office into a real store with
// fsync on: the dispenser's decision, the commit to disk, the publication.
// It reports the latency percentiles of single issues and tickets per
// second. Issue after issue the day fills up, as at a busy office.
func BenchmarkIssue(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "torn.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	o, err := Open(testConfig(), st, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	o.Do(dispenser.Tick{}) // start the day outside the measurement
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := o.Do(dispenser.Issue{Service: "a"}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tickets/s")
}
