package tomlconf

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

type testDuration struct{ time.Duration }

func (d *testDuration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q: want a duration such as \"5m\"", b)
	}
	d.Duration = v
	return nil
}

type embedded struct {
	Early testDuration `toml:"early"`
}

type testFile struct {
	Office struct {
		ID   string  `toml:"id"`
		Size int8    `toml:"size"`
		Rate float64 `toml:"rate"`
		Open *bool   `toml:"open"`
	} `toml:"office"`
	Rules struct {
		Wait testDuration `toml:"wait"`
		embedded
	} `toml:"rules"`
	Service []struct {
		ID    string            `toml:"id"`
		Name  map[string]string `toml:"name"`
		Hours *struct {
			Mon []string `toml:"mon"`
		} `toml:"hours"`
	} `toml:"service"`
	Port uint16 `toml:"port"`
}

// TestDecodeEveryProblem: a file with a problem of each kind gets all of
// them, by line, each naming the key; the keys that are right are decoded.
func TestDecodeEveryProblem(t *testing.T) {
	doc := `port = -1

[office]
id = 8121
size = 300
rate = 2
open = "yes"
colour = "red"

[rules]
wait = "five minutes"
early = "30m"

[[service]]
id = "oac"
name = { ca = "OAC", es = 3 }
hours = { mon = "08:00-14:00" }

[[service]]
id = "padro"
[service.hours]
mon = ["08:00-14:00"]
tue = []
`
	var v testFile
	f := Decode("t.toml", []byte(doc), &v)
	f.Bad("service.1.hours.mon.0", "a check after decoding")
	f.Bad("office.id", "dropped: the value could not be decoded")
	f.Bad("office", "dropped too: the table holds a key that could not be decoded")
	f.Bad("rules.missing", "a missing key: its table's line")
	f.Bad("", "the whole file")
	var got []string
	for _, p := range f.Problems() {
		got = append(got, p.Error())
	}
	want := []string{
		`t.toml: the whole file`,
		`t.toml:1: port: -1: out of range`,
		`t.toml:4: office.id: 8121 is a number: want a string (in quotes)`,
		`t.toml:5: office.size: 300: too large`,
		`t.toml:7: office.open: "yes" is a string: want true or false`,
		`t.toml:8: office.colour: unknown key`,
		`t.toml:10: rules.missing: a missing key: its table's line`,
		`t.toml:11: rules.wait: "five minutes": want a duration such as "5m"`,
		`t.toml:16: service[1].name.es: 3 is a number: want a string (in quotes)`,
		`t.toml:17: service[1].hours.mon: "08:00-14:00" is a string: want an array, [ … ]`,
		`t.toml:22: service[2].hours.mon[1]: a check after decoding`,
		`t.toml:23: service[2].hours.tue: unknown key`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if v.Office.Rate != 2 || v.Rules.Early.Duration != 30*time.Minute || len(v.Service) != 2 ||
		v.Service[0].Name["ca"] != "OAC" || v.Service[1].Hours == nil || v.Service[1].Hours.Mon[0] != "08:00-14:00" {
		t.Errorf("the good keys are not decoded: %+v", v)
	}
	if err := f.Err(); err == nil || strings.Count(err.Error(), "\n") != len(want)-1 {
		t.Errorf("Err: %v", err)
	}
}

func TestDecodeSyntaxError(t *testing.T) {
	var v testFile
	f := Decode("t.toml", []byte("[office]\nid = \"x\"\n[[service]\n"), &v)
	ps := f.Problems()
	if len(ps) != 1 || ps[0].Line != 3 || !strings.HasPrefix(ps[0].Error(), "t.toml:3: column ") {
		t.Errorf("problems %v", ps)
	}
}

func TestDecodeTableTypes(t *testing.T) {
	var v testFile
	f := Decode("t.toml", []byte("office = 3\nservice = \"x\"\n"), &v)
	want := []string{
		"t.toml:1: office: 3 is a number: want a table",
		`t.toml:2: service: "x" is a string: want [[service]] tables`,
	}
	var got []string
	for _, p := range f.Problems() {
		got = append(got, p.Error())
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestKeys(t *testing.T) {
	want := []string{"office.id", "office.open", "office.rate", "office.size", "port", "rules.early", "rules.wait",
		"service.hours.mon", "service.id", "service.name"}
	if got := Keys(&testFile{}); !slices.Equal(got, want) {
		t.Errorf("Keys:\n got %v\nwant %v", got, want)
	}
}

func TestCheckDocs(t *testing.T) {
	md := "# The file\n\n## `[office]`\n\n" + DocHeader + "\n| --- | --- | --- | --- | --- |\n" +
		"| `id` | string | required | `\"08-121\"` | the id |\n" +
		"| `size`, `rate` | number | 0 | `2` | sizes |\n" +
		"| `open` | bool | `false` | `\"yes\"` | a bad example |\n" +
		"| `colour` | string | none | `\"red\"` | not a key |\n\n" +
		"## `[rules]`\n\n" + DocHeader + "\n| --- | --- | --- | --- | --- |\n" +
		"| `wait`, `early` | duration | | `\"5m\"` | no default |\n\n" +
		"## `[[service]]`\n\n" + DocHeader + "\n| --- | --- | --- | --- | --- |\n" +
		"| `id` | string | required | `\"oac\"` | |\n" +
		"| `hours` | table | none | `{ mon = [\"08:00-14:00\"] }` | the table as a whole |\n"
	var got []string
	for _, err := range CheckDocs([]byte(md), testFile{}) {
		got = append(got, err.Error())
	}
	want := []string{
		`line 9: the example of office.open: example:2: office.open: "yes" is a string: want true or false`,
		`line 10: the example of office.colour: example:2: office.colour: unknown key`,
		`line 16: rules.wait: no type or default`,
		`line 16: rules.early: no type or default`,
		`port is not documented`,
		`service.name is not documented`,
		`office.colour is documented, but not a key of the file`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("CheckDocs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
