package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// memoryBudget is DESIGN.md's budget for tornd's resident memory, idle and
// after a 2,000-ticket day.
const memoryBudget = 40 << 20

// rss reads a process's resident set size from /proc.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// TestMemoryDay runs a real tornd through a 2,000-ticket day (every ticket
// issued, called and finished through the API) and checks its resident
// memory, idle and at the end of the day, against the 40 MiB budget.
func TestMemoryDay(t *testing.T) {
	tickets := 2000
	if testing.Short() {
		tickets = 200
	}
	p := startTornd(t, writeConfig(t, alwaysOpen), filepath.Join(t.TempDir(), "torn.db"))
	idle, err := rss(p.cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var called atomic.Int64
	errs := make(chan error, 4)
	for c, svc := range []string{"oac", "padro"} {
		wg.Add(2)
		go func() { // the dispenser
			defer wg.Done()
			for i := 0; i < tickets/2; i++ {
				if st, err := call(p.base, "POST", "/api/tickets", `{"service":"`+svc+`"}`, nil); err != nil || st != 201 {
					errs <- fmt.Errorf("issue: %d %v", st, err)
					return
				}
			}
		}()
		go func() { // a desk, calling until every ticket of the day was called
			defer wg.Done()
			desk := []string{"taula1", "taula2"}[c]
			for called.Load() < int64(tickets) {
				st, err := call(p.base, "POST", "/api/desks/"+desk+"/next", "", nil)
				if err != nil {
					errs <- err
					return
				}
				if st == 200 {
					called.Add(1)
				}
			}
			call(p.base, "POST", "/api/desks/"+desk+"/done", "", nil)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	day, ts := listTickets(t, p.base)
	done := 0
	for _, tk := range ts {
		if tk.State == "done" {
			done++
		}
	}
	after, err := rss(p.cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tornd resident memory: idle %.1f MiB, after a %d-ticket day (%d done on %s) %.1f MiB (budget %d MiB)",
		float64(idle)/(1<<20), len(ts), done, day, float64(after)/(1<<20), memoryBudget>>20)
	if len(ts) < tickets || done < tickets {
		t.Fatalf("the day had %d tickets, %d done; want %d", len(ts), done, tickets)
	}
	if idle > memoryBudget || after > memoryBudget {
		t.Fatalf("resident memory over budget: idle %d, after the day %d bytes", idle, after)
	}
}
