package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/store"
)

// firstByte is a printer connection that reports when bytes arrive.
type firstByte chan time.Time

func (f firstByte) Write(p []byte) (int, error) { f <- time.Now(); return len(p), nil }
func (f firstByte) Close() error                { return nil }

// BenchmarkPressToPrinter measures DESIGN.md's budget: from a button
// press (an Issue handed to the office) to the first ticket byte handed to
// the printer's connection, the durable commit (fsync on) and the layout
// included. Reports p50 and p99.
func BenchmarkPressToPrinter(b *testing.B) {
	cfg, err := ParseConfig("bench.toml", []byte(withPrinter("file", "/dev/null")))
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(filepath.Join(b.TempDir(), "torn.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o, err := office.Open(cfg.Office, st, office.Options{Log: log})
	if err != nil {
		b.Fatal(err)
	}
	arrived := make(firstByte, 1)
	tp, err := newTicketPrinter(o, cfg.Printer, cfg.TrackingURL, func() (paper, error) { return paper{out: arrived}, nil }, log)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tp.Run(ctx)
	o.Do(dispenser.Tick{})
	time.Sleep(50 * time.Millisecond) // the connection opens
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := o.Do(dispenser.Issue{Service: "oac"}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, (<-arrived).Sub(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}
