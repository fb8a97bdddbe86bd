package sqlstore

import (
	"testing"

	"torn.cat/torn/central"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/syncproto"
)

// BenchmarkIngest ingests one batch of 500 events (syncproto.MaxBatch)
// per op, the events of real mornings of an office (tickets issued,
// called, served, desks changing), in order, as a device streams them:
// the budget is 50,000 events/s on SQLite. PostgreSQL's figure is on
// pgtest's server, which runs without fsync.
func BenchmarkIngest(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkIngest(b, openSQLiteT(b)) })
	b.Run("postgres", func(b *testing.B) { benchmarkIngest(b, openPostgresT(b)) })
}

func benchmarkIngest(b *testing.B, s central.Store) {
	// The dispenser's work is not the store's: make the events first.
	o := newOffice(b, 7)
	for len(o.evs) < b.N*syncproto.MaxBatch {
		o.morning(500)
		o.nextDay()
	}
	batches := make([][]dispenser.Event, b.N)
	for i := range batches {
		batches[i] = o.evs[i*syncproto.MaxBatch : (i+1)*syncproto.MaxBatch]
	}
	b.ResetTimer()
	for i, evs := range batches {
		acked, err := s.Ingest(ctx, "masnou-1", o.cfg.Office, evs)
		if err != nil {
			b.Fatal(err)
		}
		if acked != evs[len(evs)-1].Seq {
			b.Fatalf("batch %d: acked %d, want %d", i+1, acked, evs[len(evs)-1].Seq)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*syncproto.MaxBatch)/b.Elapsed().Seconds(), "events/s")
}
