package tomlconf

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// docSection is a Markdown heading naming a table: "## `[office]`",
// "### `[[panel.button]]` (one per service button)".
var docSection = regexp.MustCompile("^#+ `\\[\\[?([a-z_.-]+)\\]\\]?`")

// docKeys are the backquoted names in a row's first cell.
var docKeys = regexp.MustCompile("`([a-z_0-9]+)`")

// DocHeader is the header row of a key table in a config's docs.
const DocHeader = "| key | type | default | example | meaning |"

// A DocRow is a key's row in a config's Markdown docs.
type DocRow struct {
	Table, Key string // "panel.desk", "next"
	Array      bool   // the table is an array of tables
	Type       string
	Default    string
	Example    string // a TOML value
	Line       int
}

// CheckDocs checks the Markdown docs md of the config file struct v: each
// table's keys are in a table with the columns of DocHeader, under a
// heading naming the table ("## `[office]`"); every key of v has a row
// (or its table has one: a map or a sub-table documented as a whole), no
// row names a key v does not take, every row has a type and a default,
// and its example, set in its table, decodes into v. It returns what is
// wrong, each naming the docs' line.
func CheckDocs(md []byte, v any) []error {
	rows, errs := readDocs(md)
	documented := map[string]bool{}
	for _, r := range rows {
		full := r.Table + "." + r.Key
		documented[full] = true
		if r.Type == "" || r.Default == "" {
			errs = append(errs, fmt.Errorf("line %d: %s: no type or default", r.Line, full))
		}
		head := "[" + r.Table + "]"
		if r.Array {
			head = "[" + head + "]"
		}
		// A table in an array of tables ([panel.desk.display]) needs
		// its array's table first.
		for t := parent(r.Table); t != ""; t = parent(t) {
			if slices.ContainsFunc(rows, func(o DocRow) bool { return o.Table == t && o.Array }) {
				head = "[[" + t + "]]\n" + head
				break
			}
		}
		doc := head + "\n" + r.Key + " = " + r.Example + "\n"
		target := newOf(v)
		if f := Decode("example", []byte(doc), target); !f.OK() {
			errs = append(errs, fmt.Errorf("line %d: the example of %s: %v", r.Line, full, f.Err()))
		}
	}
	keys := Keys(v)
	for _, k := range keys {
		ok := false
		for a := k; a != "" && !ok; a = parent(a) {
			ok = documented[a]
		}
		if !ok {
			errs = append(errs, fmt.Errorf("%s is not documented", k))
		}
	}
	var stale []string
	for k := range documented {
		if !slices.ContainsFunc(keys, func(s string) bool { return s == k || strings.HasPrefix(s, k+".") }) {
			stale = append(stale, k)
		}
	}
	slices.Sort(stale)
	for _, k := range stale {
		errs = append(errs, fmt.Errorf("%s is documented, but not a key of the file", k))
	}
	return errs
}

// readDocs reads the rows of md's key tables.
func readDocs(md []byte) ([]DocRow, []error) {
	var rows []DocRow
	var errs []error
	bad := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("line %d: "+format, append([]any{line}, args...)...))
	}
	table, array, inTable := "", false, false
	for i, line := range strings.Split(string(md), "\n") {
		n := i + 1
		if m := docSection.FindStringSubmatch(line); m != nil {
			table, array = m[1], strings.Contains(line, "[[")
			continue
		}
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		if strings.HasPrefix(line, "| key |") {
			if line != DocHeader {
				bad(n, "a key table's columns: want %s", DocHeader)
			}
			inTable = true
			continue
		}
		if !inTable || strings.HasPrefix(line, "| ---") {
			continue
		}
		cells := splitRow(line)
		if len(cells) != 5 {
			bad(n, "%d cells, want 5", len(cells))
			continue
		}
		if table == "" {
			bad(n, "a key table outside a `[table]` section")
		}
		keys := docKeys.FindAllStringSubmatch(cells[0], -1)
		if len(keys) == 0 {
			bad(n, "no `key` in the first cell")
		}
		ex, ok := strings.CutPrefix(cells[3], "`")
		ex, ok2 := strings.CutSuffix(ex, "`")
		if !ok || !ok2 || strings.Contains(ex, "`") {
			bad(n, "the example %q is not one `value`", cells[3])
		}
		for _, k := range keys {
			rows = append(rows, DocRow{Table: table, Key: k[1], Array: array, Type: cells[1], Default: cells[2], Example: ex, Line: n})
		}
	}
	return rows, errs
}

// splitRow splits a Markdown table row into its cells; "\|" is a pipe in
// a cell.
func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "|"), "|")
	var cells []string
	for _, c := range strings.Split(strings.ReplaceAll(line, `\|`, "\x00"), "|") {
		cells = append(cells, strings.ReplaceAll(strings.TrimSpace(c), "\x00", "|"))
	}
	return cells
}
