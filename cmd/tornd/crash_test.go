package main

import (
	"flag"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var crashRuns = flag.Int("crash.runs", 100, "SIGKILLs in TestCrashKeepsEveryIssuedTicket")

// TestCrashKeepsEveryIssuedTicket kills a real tornd with SIGKILL at random
// moments while clients issue tickets through its API, and restarts it.
// After each restart, every ticket whose issue call returned is there with
// the number it was given, and no number was handed out twice.
func TestCrashKeepsEveryIssuedTicket(t *testing.T) {
	runs := *crashRuns
	if testing.Short() {
		runs = 10
	}
	cfg := writeConfig(t, alwaysOpen)
	db := filepath.Join(t.TempDir(), "torn.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))

	type issued struct{ id, number, day string }
	var (
		mu       sync.Mutex
		returned []issued
	)
	byNumber := map[string]string{} // day/number → id, over all runs
	total, kills := 0, 0
	for run := 0; run <= runs; run++ {
		p := startTornd(t, cfg, db)

		// What came back before the last kill must all be here.
		day, ts := listTickets(t, p.base)
		have := map[string]string{}
		for _, tk := range ts {
			if prev, dup := have[tk.Number]; dup {
				t.Fatalf("run %d: number %s held by tickets %s and %s", run, tk.Number, prev, tk.ID)
			}
			have[tk.Number] = tk.ID
		}
		mu.Lock()
		for _, is := range returned {
			if key := is.day + "/" + is.number; byNumber[key] != "" && byNumber[key] != is.id {
				t.Fatalf("run %d: number %s on %s handed out to %s and %s", run, is.number, is.day, byNumber[key], is.id)
			} else {
				byNumber[key] = is.id
			}
			if is.day != day {
				continue // the day rolled over during the test
			}
			if got := have[is.number]; got != is.id {
				t.Fatalf("run %d: ticket %s (%s) was issued and is gone after a SIGKILL (found %q)\n%s", run, is.number, is.id, got, p.log())
			}
		}
		total += len(returned)
		returned = returned[:0]
		mu.Unlock()

		if run == runs {
			break // the last start only checks
		}

		// Clients issue tickets until tornd dies under them.
		var wg sync.WaitGroup
		for c := 0; c < 3; c++ {
			wg.Add(1)
			go func(service string) {
				defer wg.Done()
				for {
					var tk apiTicket
					st, err := call(p.base, "POST", "/api/tickets", `{"service":"`+service+`"}`, &tk)
					if err != nil {
						return
					}
					if st != 201 {
						t.Errorf("issue: status %d", st)
						return
					}
					mu.Lock()
					returned = append(returned, issued{tk.ID, tk.Number, tk.Day})
					mu.Unlock()
				}
			}([]string{"oac", "padro", "oac"}[c])
		}
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-p.done
		kills++
		wg.Wait()
	}
	t.Logf("%d SIGKILLs, %d tickets issued and all found after restart", kills, total)
	if kills < runs || total == 0 {
		t.Fatalf("only %d kills and %d tickets", kills, total)
	}
}
