package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var bootDB = flag.String("boot.db", filepath.Join(os.TempDir(), "torn-store-bench-year-s2-v2.db"),
	"database with a year of history for BenchmarkProcessBoot (built by `go test ./store -bench BootYear`)")

// BenchmarkProcessBoot starts the real tornd on a database holding a year of
// a busy office and measures the time from exec to serving: Go's start, the
// config, the store's checks, rebuilding the day, listening.
func BenchmarkProcessBoot(b *testing.B) {
	if _, err := os.Stat(*bootDB); err != nil {
		b.Fatalf("%v: build it first with: go test ./store -run '^$' -bench BootYear -benchtime 1x", err)
	}
	cfg := writeConfigB(b, alwaysOpen)
	bin := tornBinary(b)
	var total time.Duration
	for range b.N {
		t0 := time.Now()
		p := startTornd(b, cfg, *bootDB, bin)
		total += time.Since(t0)
		p.cmd.Process.Kill()
		<-p.done
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/boot")
}
