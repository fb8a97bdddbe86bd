package tomlconf

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A Problem is one thing wrong in a config file.
type Problem struct {
	File string
	// Line is the line the key is set on, or its table's when the key is
	// missing; 0 when neither is in the file.
	Line int
	// Key is the key as the technician reads it: "printer.baud",
	// "desk[2].services" (arrays of tables count from 1); "" for the file
	// as a whole.
	Key string
	Msg string
}

func (p *Problem) Error() string {
	where := p.File
	if p.Line > 0 {
		where += ":" + strconv.Itoa(p.Line)
	}
	if p.Key == "" {
		return where + ": " + p.Msg
	}
	return where + ": " + p.Key + ": " + p.Msg
}

// A File is a config file being read: where its keys are, and the
// problems found so far.
type File struct {
	Path  string
	lines map[string]int
	// decoded are the keys whose values could not be decoded: checks on
	// them or on what holds them would only repeat the problem.
	decoded  map[string]bool
	problems []*Problem
	// fatal is a syntax error: nothing else can be said.
	fatal bool
}

// Has says whether the file sets key (in the dotted form with 0-based
// indices, "desk.1.services").
func (f *File) Has(key string) bool {
	_, ok := f.lines[key]
	return ok
}

// Line is the line key is set on, or the line of the nearest table that
// holds it; 0 when none is in the file.
func (f *File) Line(key string) int {
	for k := key; k != ""; k = parent(k) {
		if line, ok := f.lines[k]; ok {
			return line
		}
	}
	return 0
}

// Bad records a problem with key, given in the dotted form with 0-based
// indices ("desk.1.services.0"), or "" for the whole file. A problem with
// a key whose value could not be decoded, or with a table that holds it,
// is dropped: the decoding problem says it already.
func (f *File) Bad(key, format string, args ...any) {
	for k := range f.decoded {
		if k == key || strings.HasPrefix(k, key+".") || strings.HasPrefix(key, k+".") {
			return
		}
	}
	f.add(key, fmt.Sprintf(format, args...))
}

func (f *File) add(key, msg string) {
	f.problems = append(f.problems, &Problem{File: f.Path, Line: f.Line(key), Key: Human(key), Msg: msg})
}

// Problems are the problems found so far, by line: those of the file as a
// whole or of keys it lacks first, then from the top of the file down. At
// a line, the order they were found in.
func (f *File) Problems() []*Problem {
	ps := slices.Clone(f.problems)
	slices.SortStableFunc(ps, func(a, b *Problem) int { return cmp.Compare(a.Line, b.Line) })
	return ps
}

// Err joins the problems, one a line, or returns nil when there are none.
func (f *File) Err() error {
	var errs []error
	for _, p := range f.Problems() {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// OK says whether no problem was found so far.
func (f *File) OK() bool { return len(f.problems) == 0 }

// Human writes a dotted key as the technician reads it: an index into an
// array counts from 1 in brackets, "panel.button.0.pin" is
// "panel.button[1].pin".
func Human(key string) string {
	parts := strings.Split(key, ".")
	out := parts[0]
	for _, p := range parts[1:] {
		if n, err := strconv.Atoi(p); err == nil {
			out += "[" + strconv.Itoa(n+1) + "]"
			continue
		}
		out += "." + p
	}
	return out
}

// Join makes a dotted key of its parts: Join("desk", 1, "services") is
// "desk.1.services".
func Join(parts ...any) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		fmt.Fprint(&b, p)
	}
	return b.String()
}

func parent(key string) string {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return ""
	}
	return key[:i]
}
