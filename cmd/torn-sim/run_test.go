package main

import (
	"bytes"
	"strings"
	"testing"
)

const scenarios = "../../sim/testdata/scenarios/"

func TestScoreTable(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"score", "-days", "3", "-seed", "2", scenarios + "small.toml", scenarios + "elmasnou.toml"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	table := out.String()
	if !strings.Contains(table, "| scenario | estimator | tickets | MAE min | rRMSE | P90 min | surprises % | coverage % | width min |") {
		t.Errorf("no table header in\n%s", table)
	}
	for _, sc := range []string{"small office", "El Masnou", "overall"} {
		for _, est := range []string{"QL", "LES", "HOL", "rolling", "Torn", "oracle"} {
			if !strings.Contains(table, "| "+sc+" | "+est+" | ") {
				t.Errorf("no row for %s, %s in\n%s", sc, est, table)
			}
		}
	}
	// Coverage and width for the estimators with ranges, blank otherwise.
	for _, line := range strings.Split(table, "\n") {
		switch {
		case strings.Contains(line, " | oracle | "):
			if strings.HasSuffix(line, " |  |  |") {
				t.Errorf("no coverage for the oracle: %s", line)
			}
		case strings.Contains(line, " | QL | "):
			if !strings.HasSuffix(line, " |  |  |") {
				t.Errorf("coverage for QL, which has no range: %s", line)
			}
		}
	}
	var off bytes.Buffer
	run([]string{"score", "-days", "1", "-oracle", "0", scenarios + "small.toml"}, &off, &errb)
	if strings.Contains(off.String(), "| oracle |") || !strings.Contains(off.String(), "| QL |") {
		t.Errorf("-oracle 0 gave\n%s", off.String())
	}
	var again bytes.Buffer
	run([]string{"score", "-days", "3", "-seed", "2", scenarios + "small.toml", scenarios + "elmasnou.toml"}, &again, &errb)
	if again.String() != table {
		t.Error("the same seed gave another table")
	}
}

func TestRunDay(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"run", "-seed", "3", scenarios + "small.toml"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	for _, want := range []string{"small office", "tickets", "served", "left", "mean wait", "longest"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		args    []string
		code    int
		message string
	}{
		{nil, 2, "usage"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"score"}, 2, "usage"},
		{[]string{"score", "-days", "0", scenarios + "small.toml"}, 2, "usage"},
		{[]string{"score", "-nope", scenarios + "small.toml"}, 2, "-nope"},
		{[]string{"score", "-oracle", "-1", scenarios + "small.toml"}, 2, "usage"},
		{[]string{"run", scenarios + "small.toml", scenarios + "rush.toml"}, 2, "usage"},
		{[]string{"score", "-days", "1", scenarios + "small.toml", "testdata/missing.toml"}, 1, "testdata/missing.toml"},
		{[]string{"run", "testdata/missing.toml"}, 1, "testdata/missing.toml"},
	} {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb); code != c.code || !strings.Contains(errb.String(), c.message) {
			t.Errorf("run %q: exit %d, stderr %q; want %d and %q", c.args, code, errb.String(), c.code, c.message)
		}
	}
}
