package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"time"

	"torn.cat/torn/estimate"
	"torn.cat/torn/sim"
)

const usage = `usage:
  torn-sim score [-days N] [-seed S] [-oracle N] FILE.toml...
  torn-sim run [-seed S] FILE.toml
`

// defaultOracle is -oracle's default: futures per ticket. With 20 the
// oracle's MAE per scenario is within 0.1 min of what 50 give (its median
// is a little noisier), and its ranges cover about what they should at any
// count (see estimate.ScoreOptions). The five scenarios of sim/testdata
// over 50 days took 45 s on two cores; 1.6 s with -oracle 0, 107 s with 50.
const defaultOracle = 20

// estimators returns a fresh set of the estimators scored: the simple ones
// and Torn's, the dispenser's own.
func estimators() []estimate.Estimator {
	return append(estimate.Simple(), estimate.NewTorn())
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "score":
		return score(args[1:], stdout, stderr)
	case "run":
		return runDay(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "torn-sim: unknown command %q\n%s", args[0], usage)
	return 2
}

func score(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("torn-sim score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	days := fs.Int("days", 50, "simulated days per scenario")
	seed := fs.Uint64("seed", 1, "random seed")
	oracle := fs.Int("oracle", defaultOracle, "futures the oracle simulates per ticket; 0: no oracle")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 || *days < 1 || *oracle < 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if *oracle > 0 && os.Getenv("GOGC") == "" {
		// The oracle copies the office for every future: mostly garbage,
		// collected half as often at little cost in memory (a few
		// hundred MB). Twice as fast.
		debug.SetGCPercent(400)
	}
	type row struct {
		scenario string
		t        estimate.Tally
	}
	var rows []row
	var overall []estimate.Tally
	for _, path := range fs.Args() {
		sc, err := sim.LoadScenario(path)
		if err != nil {
			fmt.Fprintf(stderr, "torn-sim: %v\n", err)
			return 1
		}
		ts, err := estimate.ScoreWith(sc, *seed, *days, estimators, estimate.ScoreOptions{OracleSamples: *oracle})
		if err != nil {
			fmt.Fprintf(stderr, "torn-sim: %s: %v\n", path, err)
			return 1
		}
		if overall == nil {
			overall = make([]estimate.Tally, len(ts))
		}
		for i, t := range ts {
			rows = append(rows, row{sc.Name, t})
			overall[i].Estimator = t.Estimator
			overall[i].Add(t)
		}
	}
	if len(fs.Args()) > 1 {
		for _, t := range overall {
			rows = append(rows, row{"overall", t})
		}
	}
	fmt.Fprintf(stdout, "%d days per scenario, seed %d; served tickets only (left / day ended are not scored)", *days, *seed)
	if *oracle > 0 {
		fmt.Fprintf(stdout, "; oracle: %d futures per ticket", *oracle)
	}
	fmt.Fprint(stdout, "\n\n")
	fmt.Fprintln(stdout, "| scenario | estimator | tickets | MAE min | rRMSE | P90 min | surprises % | coverage % | width min |")
	fmt.Fprintln(stdout, "|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		m := r.t.Metrics()
		cover, width := "", ""
		if m.Ranged > 0 {
			cover, width = fmt.Sprintf("%.1f", 100*m.Coverage), fmt.Sprintf("%.2f", m.Width)
		}
		fmt.Fprintf(stdout, "| %s | %s | %d | %.2f | %s | %.2f | %.1f | %s | %s |\n",
			r.scenario, r.t.Estimator, m.Tickets, m.MAE, ratio(m.RRMSE), m.P90, 100*m.Surprises, cover, width)
	}
	return 0
}

func ratio(x float64) string {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}

func runDay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("torn-sim run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	path := fs.Arg(0)
	sc, err := sim.LoadScenario(path)
	if err != nil {
		fmt.Fprintf(stderr, "torn-sim: %v\n", err)
		return 1
	}
	rs, err := sim.RunDays(sc, *seed, 1, nil)
	if err != nil {
		fmt.Fprintf(stderr, "torn-sim: %s: %v\n", path, err)
		return 1
	}
	r := rs[0]
	var sum, longest time.Duration
	for _, t := range r.Tickets {
		if t.Outcome != sim.Served {
			continue
		}
		sum += t.Wait
		longest = max(longest, t.Wait)
	}
	mean := time.Duration(0)
	if r.Served > 0 {
		mean = sum / time.Duration(r.Served)
	}
	fmt.Fprintf(stdout, "%s, %s, seed %d\n", r.Scenario, r.Day, *seed)
	fmt.Fprintf(stdout, "tickets   %d\nserved    %d\nleft      %d\nday ended %d\nrefused   %d\nno-shows  %d\n",
		r.Issued, r.Served, r.Left, r.DayEnded, r.Refused, r.NoShows)
	fmt.Fprintf(stdout, "mean wait %.1f min (served)\nlongest   %.1f min\n", mean.Minutes(), longest.Minutes())
	return 0
}
