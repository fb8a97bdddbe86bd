package idcard_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"torn.cat/torn/idcard"
)

// FuzzParse feeds Parse any text. It must not panic, must return only
// errors wrapping ErrFormat or ErrCheckDigit, and must never accept a
// document that a second, independent reading of the ICAO 9303 rules
// (below, written from ../shared/REFERENCES.md without the package's code)
// finds a wrong check digit or DNI letter in.
//
//	go test ./idcard -run '^$' -fuzz FuzzParse -fuzztime 20s
func FuzzParse(f *testing.F) {
	for _, s := range corpusTexts(f) {
		f.Add(s)
		f.Add(strings.ReplaceAll(s, "\n", "\r\n"))
		f.Add(strings.ReplaceAll(s, "<", "K"))
	}
	for _, s := range []string{
		"", "\n\n", "12345678Z", " x-1234567-l ", "12345678A", "1234567L", "HELLO",
		strings.Repeat("<", 30), strings.Repeat("<", 90), strings.Repeat("9", 88),
		"IDESP<<<<<<<<<<<<<<<<<<<<<<<<<\n" + strings.Repeat("<", 30) + "\n" + strings.Repeat("<", 30),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, err := idcard.Parse(text)
		switch {
		case errors.Is(err, idcard.ErrCheckDigit):
			if d == nil {
				t.Fatalf("Parse(%q): %v with no document", text, err)
			}
			bad := 0
			for _, c := range d.Checks {
				if !c.OK {
					bad++
				}
			}
			if bad == 0 {
				t.Fatalf("Parse(%q): %v but every check passed: %+v", text, err, d.Checks)
			}
			return
		case errors.Is(err, idcard.ErrFormat):
			if d != nil {
				t.Fatalf("Parse(%q): %v with a document", text, err)
			}
			return
		case err != nil:
			t.Fatalf("Parse(%q): %v wraps neither ErrFormat nor ErrCheckDigit", text, err)
		}
		verifyAccepted(t, text, d)
	})
}

// FuzzNationalID feeds ParseNationalID any text. It must not panic; a
// number it accepts must have the canonical shape, re-parse to itself and
// carry the letter of the mod-23 rule.
//
//	go test ./idcard -run '^$' -fuzz FuzzNationalID -fuzztime 20s
func FuzzNationalID(f *testing.F) {
	for _, s := range []string{
		"12345678Z", "99999999R", "X1234567L", "Y1234567X", "Z1234567R", "12.345.678-z",
		" 1234 5678 Z ", "x-1234567-l", "1234567L", "X01234567L", "123456S", "12345678A",
		"12345678I", "12345Z", "123456789Z", "1234A678Z", "12345678", "", "Z", "K1234567L",
		"１２３４５６７８Z", "12345678Z\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := idcard.ParseNationalID(s)
		if err != nil {
			if !errors.Is(err, idcard.ErrFormat) && !errors.Is(err, idcard.ErrCheckDigit) {
				t.Fatalf("ParseNationalID(%q): %v wraps neither ErrFormat nor ErrCheckDigit", s, err)
			}
			if id != (idcard.NationalID{}) {
				t.Fatalf("ParseNationalID(%q): %v and %+v", s, err, id)
			}
			return
		}
		if !canonicalNationalID(id.Number) {
			t.Fatalf("ParseNationalID(%q) = %+v: not canonical", s, id)
		}
		wantKind := "DNI"
		if strings.ContainsRune("XYZ", rune(id.Number[0])) {
			wantKind = "NIE"
		}
		if id.Kind != wantKind {
			t.Fatalf("ParseNationalID(%q) = %+v: kind should be %s", s, id, wantKind)
		}
		if !letterRight(id.Number) {
			t.Fatalf("ParseNationalID(%q) = %+v: wrong letter accepted", s, id)
		}
		again, err := idcard.ParseNationalID(id.Number)
		if err != nil || again != id {
			t.Fatalf("ParseNationalID(%q) = %+v, but it re-parses to %+v, %v", s, id, again, err)
		}
	})
}

// verifyAccepted checks a document Parse accepted from text against an
// independent reading of the rules.
func verifyAccepted(t *testing.T, text string, d *idcard.Document) {
	t.Helper()
	if d == nil {
		t.Fatalf("Parse(%q): no error and no document", text)
	}
	for _, c := range d.Checks {
		if !c.OK {
			t.Fatalf("Parse(%q) accepted a failed check: %+v", text, c)
		}
	}
	if d.Identifier() == "" {
		t.Fatalf("Parse(%q) accepted a document without identifier: %+v", text, d)
	}
	if d.Format == idcard.Typed {
		if !canonicalNationalID(d.Identifier()) || !letterRight(d.Identifier()) {
			t.Fatalf("Parse(%q) accepted %q as a DNI or NIE", text, d.Identifier())
		}
		return
	}

	lines := testLines(text)
	want, wantID := independentChecks(lines)
	if len(want) == 0 {
		t.Fatalf("Parse(%q) accepted %s, but the lines are no MRZ: %q", text, d.Format, lines)
	}
	got := map[string]idcard.Check{}
	for _, c := range d.Checks {
		got[c.Name] = c
	}
	for name, ok := range want {
		if _, done := got[name]; !done {
			t.Errorf("Parse(%q): check %s was not made", text, name)
		}
		if !ok {
			t.Errorf("Parse(%q) accepted it, but its %s check fails", text, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("Parse(%q): check %s is not one of the document's", text, name)
		}
	}

	// The returned fields, padded back to their widths, give the check
	// digits read.
	width := 9
	if len(d.Number) > 9 {
		width = len(d.Number) // a long TD1 or TD2 number, checked whole
	}
	for name, value := range map[string]string{
		"document_number": pad(d.Number, width),
		"birth":           pad(d.Birth, 6),
		"expiry":          pad(d.Expiry, 6),
	} {
		if c := got[name]; string(icaoCheck(value)) != c.Got {
			t.Errorf("Parse(%q): %s %q has check digit %c, the document %s", text, name, value, icaoCheck(value), c.Got)
		}
	}

	if d.Identifier() != wantID {
		t.Errorf("Parse(%q): identifier %q, want %q", text, d.Identifier(), wantID)
	}
}

// The independent reading of the rules.

const icaoAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// icaoCheck: values 0–35 by position in icaoAlphabet, '<' 0, weights
// 7 3 1, sum mod 10.
func icaoCheck(s string) byte {
	weights := []int{7, 3, 1}
	total := 0
	for i, r := range s {
		if v := strings.IndexRune(icaoAlphabet, r); v > 0 {
			total += v * weights[i%3]
		}
	}
	return icaoAlphabet[total%10]
}

// testLines splits text as a reader sends it: CR, LF or CRLF, blank
// lines and surrounding space ignored; one line of 90, 72 or 88 is three
// or two lines without their ends.
func testLines(text string) []string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 1 {
		switch l := lines[0]; len(l) {
		case 90:
			return []string{l[:30], l[30:60], l[60:]}
		case 72, 88:
			return []string{l[:len(l)/2], l[len(l)/2:]}
		}
	}
	return lines
}

// independentChecks computes from the lines of an MRZ whether each of its
// checks holds, by name as in idcard.Check, and the identifier: the
// document number, or on a Spanish TD1 card the DNI or NIE at line 1
// columns 16–24. It returns nil if the lines are not 3 × 30, 2 × 36 or
// 2 × 44.
func independentChecks(lines []string) (res map[string]bool, id string) {
	res = map[string]bool{}
	digit := func(name, data string, got byte) { res[name] = icaoCheck(data) == got }
	switch {
	case len(lines) == 3 && len(lines[0]) == 30 && len(lines[1]) == 30 && len(lines[2]) == 30:
		a, b := lines[0], lines[1]
		num, check := a[5:14], a[14]
		if a[14] == '<' && a[13] != '<' {
			// Long number: continues at column 16, then its check digit.
			if end := strings.IndexByte(a[15:]+"<", '<'); end >= 2 {
				num, check = num+a[15:15+end-1], a[15+end-1]
			}
		}
		digit("document_number", num, check)
		digit("birth", b[0:6], b[6])
		digit("expiry", b[8:14], b[14])
		digit("composite", a[5:30]+b[0:7]+b[8:15]+b[18:29], b[29])
		id = strings.TrimRight(num, "<")
		if a[2:5] == "ESP" {
			id = ""
			if canonicalNationalID(a[15:24]) {
				res["dni_letter"] = letterRight(a[15:24])
				id = a[15:24]
			}
		}
	case len(lines) == 2 && len(lines[0]) == 36 && len(lines[1]) == 36:
		b := lines[1]
		num, check := b[0:9], b[9]
		if b[9] == '<' && b[8] != '<' {
			if end := strings.IndexByte(b[28:35]+"<", '<'); end >= 2 {
				num, check = num+b[28:28+end-1], b[28+end-1]
			}
		}
		digit("document_number", num, check)
		digit("birth", b[13:19], b[19])
		digit("expiry", b[21:27], b[27])
		digit("composite", b[0:10]+b[13:20]+b[21:35], b[35])
		id = strings.TrimRight(num, "<")
	case len(lines) == 2 && len(lines[0]) == 44 && len(lines[1]) == 44:
		a, b := lines[0], lines[1]
		digit("document_number", b[0:9], b[9])
		digit("birth", b[13:19], b[19])
		digit("expiry", b[21:27], b[27])
		if b[28:43] == strings.Repeat("<", 15) {
			res["personal_number"] = true // unused: check digit '<' (or 0)
		} else {
			digit("personal_number", b[28:42], b[42])
		}
		digit("composite", b[0:10]+b[13:20]+b[21:43], b[43])
		if a[2:5] == "ESP" && canonicalNationalID(strings.TrimRight(b[28:42], "<")) {
			res["dni_letter"] = letterRight(b[28:37])
		}
		id = strings.TrimRight(b[0:9], "<")
	default:
		return nil, ""
	}
	return res, id
}

// canonicalNationalID: 8 digits and a letter, or X, Y or Z, 7 digits and
// a letter.
func canonicalNationalID(s string) bool {
	if len(s) != 9 || s[8] < 'A' || s[8] > 'Z' {
		return false
	}
	digits := s[:8]
	if strings.IndexByte("XYZ", s[0]) >= 0 {
		digits = s[1:8]
	}
	_, err := strconv.ParseUint(digits, 10, 32)
	return err == nil
}

// letterRight applies Real Decreto 1553/2005 to a canonical DNI or NIE.
func letterRight(s string) bool {
	n, err := strconv.Atoi(strings.NewReplacer("X", "0", "Y", "1", "Z", "2").Replace(s[:8]))
	return err == nil && "TRWAGMYFPDXBNJZSQVHLCKE"[n%23] == s[8]
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat("<", n-len(s))
}

// corpusTexts returns the MRZ text of every sample in testdata/mrz.
func corpusTexts(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "mrz", "*.txt"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no corpus in testdata/mrz: %v", err)
	}
	var texts []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		texts = append(texts, parseSample(filepath.Base(p), string(b)).text)
	}
	return texts
}
