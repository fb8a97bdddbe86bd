package tomlconf

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps the keys set in the TOML document b to the lines they are
// set on, so that a check made after decoding can name the line:
// "panel.button.2.pin" is the pin of the third [[panel.button]], and a
// table's own line is under its name ("panel.desk.0"). It returns what it
// found before any syntax error (the decoder reports those).
func keyLines(b []byte) map[string]int {
	lines := map[string]int{}
	counts := map[string]int{} // array tables: elements seen
	var p unstable.Parser
	p.Reset(b)
	prefix := ""
	// resolve joins key parts, putting each array table's current index
	// after its name: [panel.desk.display] belongs to the last
	// [[panel.desk]].
	resolve := func(parts []string, array bool) string {
		path := ""
		for i, part := range parts {
			if path != "" {
				path += "."
			}
			path += part
			last := i == len(parts)-1
			if last && array {
				n := counts[path]
				counts[path] = n + 1
				path += "." + strconv.Itoa(n)
			} else if n, ok := counts[path]; ok {
				path += "." + strconv.Itoa(n-1)
			}
		}
		return path
	}
	for p.NextExpression() {
		e := p.Expression()
		parts, line := keyOf(&p, e)
		switch e.Kind {
		case unstable.Table:
			prefix = resolve(parts, false)
			lines[prefix] = line
		case unstable.ArrayTable:
			prefix = resolve(parts, true)
			lines[prefix] = line
		case unstable.KeyValue:
			k := strings.Join(parts, ".")
			if prefix != "" {
				k = prefix + "." + k
			}
			lines[k] = line
		}
	}
	return lines
}

// keyOf returns the parts of expression e's key and the line it is on.
func keyOf(p *unstable.Parser, e *unstable.Node) ([]string, int) {
	var parts []string
	line := 0
	it := e.Key()
	for it.Next() {
		n := it.Node()
		if line == 0 {
			line = p.Shape(n.Raw).Start.Line
		}
		parts = append(parts, string(n.Data))
	}
	return parts, line
}
