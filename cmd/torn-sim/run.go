package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"time"

	"torn.cat/torn/estimate"
	"torn.cat/torn/sim"
)

const usage = `usage:
  torn-sim score [-days N] [-seed S] FILE.toml...
  torn-sim run [-seed S] FILE.toml
`

// estimators returns a fresh set of the estimators scored: the simple ones
// for now. Torn's own estimator is appended here when it exists.
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
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 || *days < 1 {
		fmt.Fprint(stderr, usage)
		return 2
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
		ts, err := estimate.Score(sc, *seed, *days, estimators)
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
	fmt.Fprintf(stdout, "%d days per scenario, seed %d; served tickets only (left / day ended are not scored)\n\n", *days, *seed)
	fmt.Fprintln(stdout, "| scenario | estimator | tickets | MAE min | rRMSE | P90 min | surprises % |")
	fmt.Fprintln(stdout, "|---|---|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		m := r.t.Metrics()
		fmt.Fprintf(stdout, "| %s | %s | %d | %.2f | %s | %.2f | %.1f |\n",
			r.scenario, r.t.Estimator, m.Tickets, m.MAE, ratio(m.RRMSE), m.P90, 100*m.Surprises)
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
