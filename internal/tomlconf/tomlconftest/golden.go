// Package tomlconftest runs a program's broken config files against the
// problems they must give, exactly.
package tomlconftest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// problemForm is the form of a problem: file:line: key: message, arrays
// of tables counted from 1 in brackets; or file:line: column N: message
// for a syntax error.
var problemForm = regexp.MustCompile(`^[a-z-]+\.toml:[0-9]+: ([a-z_]+(\[[0-9]+\])?(\.[a-z_0-9]+(\[[0-9]+\])?)*|column [0-9]+): \S`)

// Broken parses each file dir/*.toml (but *-good.toml) with parse, named
// by its base name, and wants exactly the problems of its .want file, each
// of the form file:line: key: message; with update it writes the .want
// files instead (read the diff before committing it). check, when not
// nil, looks further at each file's problems. It fails when there are
// fewer than min files.
func Broken(t *testing.T, dir string, min int, update bool, parse func(name string, b []byte) error, check func(t *testing.T, problems string)) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, file := range files {
		if strings.HasSuffix(file, "-good.toml") {
			continue
		}
		n++
		wantFile := strings.TrimSuffix(file, ".toml") + ".want"
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			err = parse(name, b)
			if err == nil {
				t.Fatal("accepted")
			}
			got := err.Error() + "\n"
			if update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
			for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
				if !problemForm.MatchString(line) {
					t.Errorf("a problem without the file, line and key: %q", line)
				}
			}
			if check != nil {
				check(t, got)
			}
		})
	}
	if n < min {
		t.Errorf("%d broken configs in %s, want at least %d", n, dir, min)
	}
}
