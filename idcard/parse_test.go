package idcard_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"torn.cat/torn/idcard"
)

// TestParseDecidesByShape: one short line without fillers is a typed
// DNI or NIE; anything else is an MRZ.
func TestParseDecidesByShape(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		format     idcard.Format
		id         string
		wantErr    error
		mention    string
	}{
		{"DNI", "12345678Z", idcard.Typed, "12345678Z", nil, ""},
		{"NIE with spaces and a line end", " x-1234567-l \r\n", idcard.Typed, "X1234567L", nil, ""},
		{"DNI after blank lines", "\n\n1234567L\n", idcard.Typed, "01234567L", nil, ""},
		{"DNI specimen MRZ", dniSpecimen, idcard.TD1, "99999999R", nil, ""},
		{"wrong DNI letter", "12345678A", idcard.Typed, "", idcard.ErrCheckDigit, "parse DNI/NIE: check digit mismatch"},
		{"a word", "hello", "", "", idcard.ErrFormat, "parse DNI/NIE: wrong format"},
		{"nothing", " \n ", "", "", idcard.ErrFormat, "parse MRZ: wrong format: nothing to read"},
		{"short line with fillers", "IDESP<<<", "", "", idcard.ErrFormat, "line 1: 8 characters; an MRZ line has 30 (TD1), 36 (TD2) or 44 (TD3)"},
		{"one MRZ line", strings.Split(dniSpecimen, "\n")[0], "", "", idcard.ErrFormat, "TD1 needs 3 lines, got 1"},
		{"two DNIs", "12345678Z\n99999999R", "", "", idcard.ErrFormat, "parse MRZ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := idcard.Parse(tc.text)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Parse(%q) = %+v, %v; want an error wrapping %v", tc.text, d, err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.mention) {
					t.Errorf("Parse(%q): error %q does not mention %q", tc.text, err, tc.mention)
				}
				if tc.format == "" {
					return
				}
			} else if err != nil {
				t.Fatalf("Parse(%q): %v", tc.text, err)
			}
			if d.Format != tc.format {
				t.Errorf("Parse(%q).Format = %q, want %q", tc.text, d.Format, tc.format)
			}
			if tc.wantErr == nil && d.Identifier() != tc.id {
				t.Errorf("Parse(%q).Identifier() = %q, want %q", tc.text, d.Identifier(), tc.id)
			}
		})
	}
}

// TestParseTyped: a typed number's Document, and its Check, which says
// the letter computed for staff even when the error does not.
func TestParseTyped(t *testing.T) {
	d, err := idcard.Parse("y 1234567 x")
	if err != nil {
		t.Fatal(err)
	}
	want := idcard.Document{
		Format: idcard.Typed, Type: "NIE", Issuer: "ESP", Number: "Y1234567X", PersonalNumber: "Y1234567X",
		Checks: []idcard.Check{{Name: "dni_letter", Want: "X", Got: "X", OK: true}},
	}
	if !equalDocs(d, &want) {
		t.Errorf("Parse = %+v, want %+v", d, want)
	}

	d, err = idcard.Parse("12345678A")
	if !errors.Is(err, idcard.ErrCheckDigit) || d == nil {
		t.Fatalf("Parse(12345678A) = %+v, %v; want a document and ErrCheckDigit", d, err)
	}
	if got, want := d.Checks, []idcard.Check{{Name: "dni_letter", Want: "Z", Got: "A"}}; !slices.Equal(got, want) {
		t.Errorf("Checks = %+v, want %+v", got, want)
	}
}

func TestIdentifier(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  *idcard.Document
		want string
	}{
		{"nil", nil, ""},
		{"Spanish card: the DNI", &idcard.Document{Format: idcard.TD1, Issuer: "ESP", Number: "BAA000589", PersonalNumber: "99999999R"}, "99999999R"},
		{"Spanish card without DNI: none, never the support number", &idcard.Document{Format: idcard.TD1, Issuer: "ESP", Number: "BAA000589"}, ""},
		{"TIE: the NIE", &idcard.Document{Format: idcard.TD1, Issuer: "ESP", Type: "IR", Number: "E01234567", PersonalNumber: "X1234567L"}, "X1234567L"},
		{"foreign card: its number", &idcard.Document{Format: idcard.TD1, Issuer: "D", Number: "L01X00T47"}, "L01X00T47"},
		{"Spanish passport: the passport number", &idcard.Document{Format: idcard.TD3, Issuer: "ESP", Number: "PAA000589", PersonalNumber: "99999999R"}, "PAA000589"},
		{"TD2", &idcard.Document{Format: idcard.TD2, Issuer: "UTO", Number: "D23145890"}, "D23145890"},
		{"typed", &idcard.Document{Format: idcard.Typed, Number: "X1234567L", PersonalNumber: "X1234567L"}, "X1234567L"},
		{"normalised", &idcard.Document{Format: idcard.TD3, Number: "ab 12<<"}, "AB12"},
	} {
		if got := tc.doc.Identifier(); got != tc.want {
			t.Errorf("%s: Identifier() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestDocumentJSON: the field names tornd's diagnostic command and the
// other packages rely on.
func TestDocumentJSON(t *testing.T) {
	d, err := idcard.Parse(dniSpecimen)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"birth", "checks", "expiry", "format", "given_names", "issuer", "nationality", "number", "optional", "personal_number", "sex", "surnames", "type"}
	if !slices.Equal(keys, want) {
		t.Errorf("JSON keys %q, want %q", keys, want)
	}
	check := m["checks"].([]any)[0].(map[string]any)
	if _, ok := check["want"]; !ok || len(check) != 4 {
		t.Errorf("a check in JSON is %v, want name, want, got, ok", check)
	}
}

func equalDocs(a, b *idcard.Document) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
