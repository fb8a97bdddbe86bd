package idcard_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"torn.cat/torn/idcard"
)

// Named apart from other packages' -update: the other idcard tests may
// define their own.
var updateMRZ = flag.Bool("mrz.update", false, "rewrite testdata/mrz/*.json from what Parse returns")

// A sample is one file of testdata/mrz: '#' lines, then the text a reader
// sent. The '#' lines hold comments and what the test expects:
//
//	# want: ok | format | check
//	# identifier: 99999999R          (ok: what Identifier returns)
//	# failing: composite dni_letter  (check: the failing checks, in order)
//	# mentions: line 3 column 28     (error: words the message holds; repeatable)
//	# check digits: right            (the independent check-digit reading finds them all right)
//
// Samples that Parse returns a Document for have it in NAME.json, written
// by go test ./idcard -run Corpus -mrz.update and read by a person before
// it is committed.
type sample struct {
	name        string
	text        string
	want        string
	identifier  string
	failing     []string
	mentions    []string
	rightDigits bool
}

func parseSample(name, file string) sample {
	s := sample{name: strings.TrimSuffix(name, ".txt")}
	var text []string
	for _, l := range strings.SplitAfter(file, "\n") {
		h, ok := strings.CutPrefix(l, "#")
		if !ok {
			text = append(text, l)
			continue
		}
		key, value, _ := strings.Cut(strings.TrimSpace(h), ":")
		value = strings.TrimSpace(value)
		switch key {
		case "want":
			s.want = value
		case "identifier":
			s.identifier = value
		case "failing":
			s.failing = strings.Fields(value)
		case "mentions":
			s.mentions = append(s.mentions, value)
		case "check digits":
			s.rightDigits = value == "right"
		}
	}
	s.text = strings.Join(text, "")
	return s
}

func loadCorpus(t *testing.T) []sample {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "mrz", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus in testdata/mrz: %v", err)
	}
	var samples []sample
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := parseSample(filepath.Base(p), string(b))
		switch s.want {
		case "ok", "format", "check":
		default:
			t.Fatalf("%s: '# want:' is %q, not ok, format or check", p, s.want)
		}
		samples = append(samples, s)
	}
	return samples
}

// TestCorpus parses every sample of testdata/mrz and compares what Parse
// says with what the sample expects and its golden document.
func TestCorpus(t *testing.T) {
	for _, s := range loadCorpus(t) {
		t.Run(s.name, func(t *testing.T) {
			d, err := idcard.Parse(s.text)
			switch s.want {
			case "ok":
				if err != nil {
					t.Fatalf("Parse: %v; want a document", err)
				}
				if got := d.Identifier(); got != s.identifier {
					t.Errorf("Identifier() = %q, want %q", got, s.identifier)
				}
			case "format":
				if !errors.Is(err, idcard.ErrFormat) {
					t.Fatalf("Parse: error %v; want one wrapping ErrFormat", err)
				}
				if d != nil {
					t.Errorf("Parse returned a document with ErrFormat: %+v", d)
				}
			case "check":
				if !errors.Is(err, idcard.ErrCheckDigit) {
					t.Fatalf("Parse: error %v; want one wrapping ErrCheckDigit", err)
				}
				if d == nil {
					t.Fatal("Parse returned no document with ErrCheckDigit")
				}
				var failing []string
				for _, c := range d.Checks {
					if !c.OK {
						failing = append(failing, c.Name)
					}
				}
				if !slices.Equal(failing, s.failing) {
					t.Errorf("failing checks %q, want %q", failing, s.failing)
				}
			}
			for _, m := range s.mentions {
				if err == nil || !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if err != nil {
				noNumberIn(t, err.Error(), s.text)
			}
			golden(t, s.name, d)
		})
	}
}

// noNumberIn fails if msg holds 5 characters in a row of the document
// text, one of them a digit: a message may be logged or shown, and must
// not carry a document number.
func noNumberIn(t *testing.T, msg, text string) {
	t.Helper()
	for _, l := range testLines(text) {
		for i := 0; i+5 <= len(l); i++ {
			w := l[i : i+5]
			if strings.ContainsAny(w, "0123456789") && !strings.Contains(w, "<") && strings.Contains(msg, w) {
				t.Errorf("error %q holds %q from the document", msg, w)
			}
		}
	}
}

// golden compares d with testdata/mrz/name.json, or writes it with
// -mrz.update. A nil d must have no golden file.
func golden(t *testing.T, name string, d *idcard.Document) {
	t.Helper()
	path := filepath.Join("testdata", "mrz", name+".json")
	if d == nil {
		if *updateMRZ {
			os.Remove(path)
		} else if _, err := os.Stat(path); err == nil {
			t.Errorf("%s exists but Parse returns no document; run with -mrz.update", path)
		}
		return
	}
	got, err := json.MarshalIndent(d, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *updateMRZ {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (new sample? run go test ./idcard -run Corpus -mrz.update and read the file)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("document differs from %s\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestCorpusCheckDigits checks the corpus itself with the independent
// reading of fuzz_test.go: accepted samples, and the misreads that check
// digits cannot see, have every check digit right; samples expected to
// fail a check fail exactly those checks.
func TestCorpusCheckDigits(t *testing.T) {
	for _, s := range loadCorpus(t) {
		if s.want == "format" && !s.rightDigits {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			res, id := independentChecks(testLines(s.text))
			if res == nil {
				t.Fatalf("not 3 × 30, 2 × 36 or 2 × 44: %q", testLines(s.text))
			}
			var failing []string
			for _, name := range []string{"document_number", "birth", "expiry", "personal_number", "composite", "dni_letter"} {
				if ok, made := res[name]; made && !ok {
					failing = append(failing, name)
				}
			}
			if !slices.Equal(failing, s.failing) {
				t.Errorf("independently, failing checks are %q; the sample says %q", failing, s.failing)
			}
			if s.want == "ok" && id != s.identifier {
				t.Errorf("independently, the identifier is %q; the sample says %q", id, s.identifier)
			}
		})
	}
}

// dniSpecimen is the Spanish DNI 3.0 specimen of REFERENCES.md.
const dniSpecimen = "IDESPBAA000589599999999R<<<<<<\n8001014F2501017ESP<<<<<<<<<<<7\nESPANOLA<ESPANOLA<<CARMEN<<<<<"

// TestDNIIdentifierIsTheDNI: a Spanish card's identifier is the DNI in
// the optional data, never the support number of the document-number
// field.
func TestDNIIdentifierIsTheDNI(t *testing.T) {
	d, err := idcard.ParseMRZ(dniSpecimen)
	if err != nil {
		t.Fatal(err)
	}
	if d.Number != "BAA000589" {
		t.Errorf("Number = %q, want the support number BAA000589", d.Number)
	}
	if d.PersonalNumber != "99999999R" {
		t.Errorf("PersonalNumber = %q, want 99999999R", d.PersonalNumber)
	}
	if id := d.Identifier(); id != "99999999R" {
		t.Errorf("Identifier() = %q, want the DNI 99999999R, not the support number", id)
	}
	want := []idcard.Check{
		{Name: "document_number", Want: "5", Got: "5", OK: true},
		{Name: "birth", Want: "4", Got: "4", OK: true},
		{Name: "expiry", Want: "7", Got: "7", OK: true},
		{Name: "composite", Want: "7", Got: "7", OK: true},
		{Name: "dni_letter", Want: "R", Got: "R", OK: true},
	}
	if !slices.Equal(d.Checks, want) {
		t.Errorf("Checks = %+v\nwant %+v", d.Checks, want)
	}
}

// TestWrongDNILetterCheck: the check says which letter was computed (for
// staff), the error does not.
func TestWrongDNILetterCheck(t *testing.T) {
	// The specimen with T for R and its composite recomputed (1).
	d, err := idcard.ParseMRZ("IDESPBAA000589599999999T<<<<<<\n8001014F2501017ESP<<<<<<<<<<<1\nESPANOLA<ESPANOLA<<CARMEN<<<<<")
	if !errors.Is(err, idcard.ErrCheckDigit) {
		t.Fatalf("ParseMRZ: %v, want ErrCheckDigit", err)
	}
	want := idcard.Check{Name: "dni_letter", Want: "R", Got: "T"}
	if got := d.Checks[len(d.Checks)-1]; got != want {
		t.Errorf("last check %+v, want %+v", got, want)
	}
	if msg := err.Error(); msg != "parse MRZ: check digit mismatch: dni_letter (line 1 column 24); read the document again" {
		t.Errorf("error %q", msg)
	}
}

// TestParseMRZLayouts: line ends, blank lines and white space around the
// lines do not change what is read.
func TestParseMRZLayouts(t *testing.T) {
	want, err := idcard.ParseMRZ(dniSpecimen)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(dniSpecimen, "\n")
	for _, tc := range []struct{ name, text string }{
		{"LF and a final LF", dniSpecimen + "\n"},
		{"CRLF", strings.Join(lines, "\r\n") + "\r\n"},
		{"CR", strings.Join(lines, "\r")},
		{"trailing spaces", strings.Join(lines, "   \n") + " "},
		{"leading spaces and tabs", " \t" + strings.Join(lines, "\n\t ")},
		{"blank lines", "\n\n" + strings.Join(lines, "\n \n\r\n") + "\n\n\n"},
		{"one line of 90", strings.Join(lines, "")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := idcard.ParseMRZ(tc.text)
			if err != nil {
				t.Fatalf("ParseMRZ(%q): %v", tc.text, err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			if !bytes.Equal(gj, wj) {
				t.Errorf("ParseMRZ(%q) =\n%s\nwant\n%s", tc.text, gj, wj)
			}
		})
	}
}

// TestParseMRZFormatErrors: structural problems, each with a message
// that names what is wrong and where.
func TestParseMRZFormatErrors(t *testing.T) {
	lines := strings.Split(dniSpecimen, "\n")
	l1, l2, l3 := lines[0], lines[1], lines[2]
	td3 := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	for _, tc := range []struct {
		name, text, mention string
	}{
		{"empty", "", "nothing to read"},
		{"blank lines only", "\n \r\n\t\n", "nothing to read"},
		{"one line of a TD1", l1, "TD1 needs 3 lines, got 1: line 2 (birth, sex, expiry and nationality) and line 3 (name) are missing"},
		{"name line only", l3, "TD1 needs 3 lines, got 1: line 1 (document code, issuer and number) and line 2 (birth, sex, expiry and nationality) are missing"},
		{"line 2 missing", l1 + "\n" + l3, "TD1 needs 3 lines, got 2: line 2 (birth, sex, expiry and nationality) is missing"},
		{"same line twice", l1 + "\n" + l1, "TD1 needs 3 lines, got 2"},
		{"name first", l3 + "\n" + l1 + "\n" + l2, "lines in the wrong order: read as lines 3, 1, 2 of a TD1"},
		{"TD3 line 2 only", strings.Split(td3, "\n")[1], "TD3 needs 2 lines, got 1: line 1 (document code, issuer and name) is missing"},
		{"TD3 with a TD1 line", strings.Split(td3, "\n")[0] + "\n" + l1, "line 2: 30 characters; a TD3 line has 44"},
		{"a line of 31", l1 + "<\n" + l2 + "\n" + l3, "line 1: 31 characters; a TD1 line has 30"},
		{"a tab inside", l1[:10] + "\t" + l1[11:] + "\n" + l2 + "\n" + l3, `line 1 column 11: '\t' is not an MRZ character`},
		{"non-ASCII", "IDESPBAA000589599999999R<<<<<<\n8001014F2501017ESP<<<<<<<<<<<7\nESPAÑOLA<ESPANOLA<<CARMEN<<<<<", "line 3 column 5: 'Ñ' is not an MRZ character"},
		{"lower case", strings.ToLower(l1) + "\n" + l2 + "\n" + l3, "line 1 column 1: lower-case 'i': an MRZ is upper case only"},
		{"passport code V", strings.Replace(td3, "P<", "V<", 1), "line 1 column 1: document code \"V<\": a TD3 document's code starts with P"},
		{"ID card code P", "P" + l1[1:] + "\n" + l2 + "\n" + l3, "a TD1 document's code starts with A, C or I"},
		{"empty number", "IDESP<<<<<<<<<0" + l1[15:] + "\n" + l2 + "\n" + l3, "line 1 column 6: the document number is empty"},
		{"not a state", strings.Replace(td3, "P<UTO", "P<U1O", 1), "issuing state \"U1O\" is not a state code"},
		{"name starts with a filler", l1 + "\n" + l2 + "\n<ESPANOLA<ESPANOLA<<CARMEN<<<<", "line 3 column 1: the name starts with a filler"},
		{"name empty", l1 + "\n" + l2 + "\n" + strings.Repeat("<", 30), "line 3 column 1: the name is empty"},
		{"letters after three fillers", l1 + "\n" + l2 + "\nESPANOLA<ESPANOLA<<<CARMEN<<<<", "line 3 column 21: 'C' after the fillers that end the name"},
		{"letter in a date", l1 + "\n8001O14F2501017ESP<<<<<<<<<<<7\n" + l3, "line 2 column 5: 'O' in the date of birth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := idcard.ParseMRZ(tc.text)
			if !errors.Is(err, idcard.ErrFormat) {
				t.Fatalf("ParseMRZ(%q) = %+v, %v; want ErrFormat", tc.text, d, err)
			}
			if d != nil {
				t.Errorf("ParseMRZ(%q) returned a document with ErrFormat", tc.text)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("ParseMRZ(%q): error %q does not mention %q", tc.text, err, tc.mention)
			}
		})
	}
}

// TestMisreadKInvisibleToCheckDigits records why the filler checks exist:
// a '<' read as K, A or U leaves every check digit as it was.
func TestMisreadKInvisibleToCheckDigits(t *testing.T) {
	for _, field := range []string{"<<<<<<<<<", "D2314<<<<", "99999999R<<<<<<"} {
		for i := range len(field) {
			if field[i] != '<' {
				continue
			}
			for _, c := range "KAU" {
				misread := field[:i] + string(c) + field[i+1:]
				if icaoCheck(misread) != icaoCheck(field) {
					t.Errorf("check digit of %q differs from %q's: the premise of the filler checks is wrong", misread, field)
				}
			}
		}
	}
}
