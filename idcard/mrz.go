package idcard

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line lengths of the ICAO 9303 formats.
const (
	td1Len = 30
	td2Len = 36
	td3Len = 44
)

// mrzOp starts every error of ParseMRZ.
const mrzOp = "parse MRZ"

// lineContents says what each line of a format holds, for the messages
// about missing lines.
var lineContents = map[Format][]string{
	TD1: {"document code, issuer and number", "birth, sex, expiry and nationality", "name"},
	TD2: {"document code, issuer and name", "number, birth, sex and expiry"},
	TD3: {"document code, issuer and name", "number, birth, sex and expiry"},
}

// ParseMRZ parses the lines of a machine-readable zone (ICAO 9303): 3
// lines of 30 characters (TD1), 2 of 36 (TD2) or 2 of 44 (TD3).
//
// text may hold CR, LF or CRLF line ends, white space around lines and
// blank lines, which are ignored; a reader that drops the line ends and
// sends 90, 72 or 88 characters in one line is read too. Anything else is
// the MRZ: upper-case letters, digits and '<' only. Lower case is an
// error, not corrected: an MRZ is printed in upper case, and a reader that
// sends lower case is misconfigured.
//
// Every check digit is verified: document number, birth, expiry, the TD3
// personal number (whose check digit may be '<' when the field is all
// fillers) and the composite. On a Spanish TD1 card (issuer ESP) the DNI
// or NIE at the start of the optional data is required and its letter
// verified too (check "dni_letter"); a DNI or NIE in a Spanish passport's
// personal number is verified likewise. ParseMRZ never corrects a
// character.
//
// Errors wrap ErrFormat (with a nil Document) for structural problems —
// number of lines, their lengths and order, characters, fields that
// cannot be what their position holds, fillers that look misread — naming
// the line and column; or ErrCheckDigit when any check fails, naming the
// failing checks, with the Document as far as it was read.
//
// A filler '<' misread as 'K' never changes a check digit: '<' counts 0
// and 'K' 20, which is 0 modulo 10 (so do 'A' and 'U'). ParseMRZ looks for
// it by shape instead, where the layout allows: see the package
// documentation.
func ParseMRZ(text string) (*Document, error) {
	f, lines, err := mrzStructure(splitLines(text))
	if err != nil {
		return nil, err
	}
	switch f {
	case TD1:
		return readTD1(lines[0], lines[1], lines[2])
	case TD2:
		return readTD2(lines[0], lines[1])
	default:
		return readTD3(lines[0], lines[1])
	}
}

// splitLines returns the non-blank lines of text, trimmed of white space.
func splitLines(text string) []string {
	var lines []string
	for _, l := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// mrzStructure checks the characters, lengths, number and order of lines
// and says which format they are.
func mrzStructure(lines []string) (Format, []string, error) {
	if len(lines) == 0 {
		return "", nil, formatError(mrzOp, "nothing to read")
	}
	for i, l := range lines {
		if err := mrzChars(i+1, l); err != nil {
			return "", nil, err
		}
	}
	if len(lines) == 1 {
		switch n := len(lines[0]); n {
		case 3 * td1Len:
			lines = []string{lines[0][:td1Len], lines[0][td1Len : 2*td1Len], lines[0][2*td1Len:]}
		case 2 * td2Len, 2 * td3Len:
			lines = []string{lines[0][:n/2], lines[0][n/2:]}
		}
	}

	var f Format
	for _, l := range lines {
		if f = formatOfLength(len(l)); f != "" {
			break
		}
	}
	if f == "" {
		return "", nil, formatError(mrzOp, "line 1: %d characters; an MRZ line has 30 (TD1), 36 (TD2) or 44 (TD3)", len(lines[0]))
	}
	for i, l := range lines {
		if want := lineLength(f); len(l) != want {
			return "", nil, formatError(mrzOp, "line %d: %d characters; a %s line has %d", i+1, len(l), f, want)
		}
	}
	if f == TD2 && strings.HasPrefix(lines[0], "IDFRA") && hasDigit(cols(lines[0], 31, 36)) {
		// France's identity cards issued before 2021 have two lines of
		// 36 that are not a TD2: surname, office code, then card number,
		// given names, birth. Read as TD2 they would fail their checks on
		// every try. Not verified on a real card.
		return "", nil, formatError(mrzOp, "a French identity card of the layout used before 2021: not an ICAO TD2, not read")
	}

	need := len(lineContents[f])
	if len(lines) > need {
		return "", nil, formatError(mrzOp, "%s has %d lines, got %d", f, need, len(lines))
	}
	roles, known := lineRoles(f, lines)
	if len(lines) < need {
		msg := fmt.Sprintf("%s needs %d lines, got %d", f, need, len(lines))
		if known {
			msg += ": " + missingLines(f, roles)
		}
		return "", nil, formatError(mrzOp, "%s", msg)
	}
	if known {
		for i, r := range roles {
			if r != i+1 {
				read := make([]string, len(roles))
				for j, r := range roles {
					read[j] = fmt.Sprint(r)
				}
				return "", nil, formatError(mrzOp, "lines in the wrong order: read as lines %s of a %s", strings.Join(read, ", "), f)
			}
		}
	}
	return f, lines, nil
}

// mrzChars checks that line n holds only MRZ characters.
func mrzChars(n int, l string) error {
	for i, r := range l {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '<':
			continue
		case r >= 'a' && r <= 'z':
			return formatError(mrzOp, "line %d column %d: lower-case %q: an MRZ is upper case only", n, utf8.RuneCountInString(l[:i])+1, r)
		default:
			return formatError(mrzOp, "line %d column %d: %q is not an MRZ character (A–Z, 0–9, <)", n, utf8.RuneCountInString(l[:i])+1, r)
		}
	}
	return nil
}

func formatOfLength(n int) Format {
	switch n {
	case td1Len:
		return TD1
	case td2Len:
		return TD2
	case td3Len:
		return TD3
	}
	return ""
}

func lineLength(f Format) int {
	switch f {
	case TD1:
		return td1Len
	case TD2:
		return td2Len
	}
	return td3Len
}

// lineRoles guesses which line of the document each line is, by what a
// line of each kind always holds. known is false if some line fits no
// role or two fit the same.
func lineRoles(f Format, lines []string) (roles []int, known bool) {
	roles = make([]int, len(lines))
	seen := map[int]bool{}
	known = true
	for i, l := range lines {
		roles[i] = lineRole(f, l)
		if roles[i] == 0 || seen[roles[i]] {
			known = false
		}
		seen[roles[i]] = true
	}
	return roles, known
}

// lineRole says which line of format f l looks like: 1, 2, 3, or 0 for
// none.
func lineRole(f Format, l string) int {
	if f == TD1 {
		switch {
		case isDate(l[0:6]) && isDigit(l[6]) && isDate(l[8:14]) && isDigit(l[14]):
			return 2 // birth and its check digit, sex, expiry and its check digit
		case strings.IndexByte("ACI", l[0]) >= 0 && hasDigit(l):
			return 1 // a document code, and digits in the number or its check
		case !hasDigit(l) && strings.Trim(l, "<") != "":
			return 3 // a name
		}
		return 0
	}
	switch {
	case isDigit(l[19]) && isDigit(l[27]):
		return 2 // the check digits of birth and expiry
	case isLetter(l[0]) && !hasDigit(l):
		return 1 // a document code and a name
	}
	return 0
}

// missingLines names the lines of f that roles lacks.
func missingLines(f Format, roles []int) string {
	var missing []string
	for n, what := range lineContents[f] {
		found := false
		for _, r := range roles {
			found = found || r == n+1
		}
		if !found {
			missing = append(missing, fmt.Sprintf("line %d (%s)", n+1, what))
		}
	}
	if len(missing) == 1 {
		return missing[0] + " is missing"
	}
	return strings.Join(missing, " and ") + " are missing"
}

// An mrzRead collects a Document's fields, the first format problem found
// and the checks, with where each check digit is.
type mrzRead struct {
	doc   *Document
	err   error
	where []string // parallel to doc.Checks
}

// fail records a format problem at line, col unless one is recorded.
func (r *mrzRead) fail(line, col int, format string, args ...any) {
	if r.err == nil {
		r.err = formatError(mrzOp, "line %d column %d: %s", line, col, fmt.Sprintf(format, args...))
	}
}

// check records the check digit got, read at line, col, of data.
func (r *mrzRead) check(name, data string, got byte, line, col int) {
	want := checkDigit(data)
	r.add(Check{Name: name, Want: string(want), Got: string(got), OK: got == want}, line, col)
}

func (r *mrzRead) add(c Check, line, col int) {
	r.doc.Checks = append(r.doc.Checks, c)
	r.where = append(r.where, fmt.Sprintf("line %d column %d", line, col))
}

// dniLetter records the check of the letter of id, a canonical DNI or NIE
// whose letter is at line, col.
func (r *mrzRead) dniLetter(id string, line, col int) {
	want := nationalIDLetter(id[:8])
	r.add(Check{Name: "dni_letter", Want: string(want), Got: id[8:], OK: id[8] == want}, line, col)
}

// checkError returns the error naming the failed checks, if any.
func (r *mrzRead) checkError() error {
	var bad []string
	for i, c := range r.doc.Checks {
		if !c.OK {
			bad = append(bad, c.Name+" ("+r.where[i]+")")
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return checkError(mrzOp, "%s; read the document again", strings.Join(bad, ", "))
}

// docCode reads the document code at line 1 columns 1–2, whose first
// character must be one of first ("ACI" and "A, C or I" say the same).
func (r *mrzRead) docCode(l1 string, f Format, first, firstWords string) {
	c := cols(l1, 1, 2)
	switch {
	case strings.IndexByte(first, c[0]) < 0:
		r.fail(1, 1, "document code %q: a %s document's code starts with %s", c, f, firstWords)
	case c[1] != '<' && !isLetter(c[1]):
		r.fail(1, 2, "document code %q: its second character is a letter or '<'", c)
	}
	r.doc.Type = strings.TrimRight(c, "<")
}

// state reads a state code (issuer or nationality) at line, col: three
// letters, or D<< for Germany.
func (r *mrzRead) state(code string, line, col int, what string) string {
	if code == "D<<" {
		return "D"
	}
	if isLetter(code[0]) && isLetter(code[1]) && isLetter(code[2]) {
		return code
	}
	for i := 1; i < len(code); i++ {
		if code[i-1] == '<' && code[i] != '<' {
			r.fail(line, col+i, "%s %q: %q after a filler (filler '<' misread?)", what, code, code[i])
			return ""
		}
	}
	r.fail(line, col, "%s %q is not a state code: three letters, or D<< for Germany", what, code)
	return ""
}

// number reads the document-number field at line, col: left-aligned,
// padded with fillers.
func (r *mrzRead) number(field string, line, col int) {
	t := strings.TrimRight(field, "<")
	if t == "" {
		r.fail(line, col, "the document number is empty")
		return
	}
	if i := strings.IndexByte(t, '<'); i >= 0 {
		j := i + strings.IndexFunc(t[i:], func(r rune) bool { return r != '<' })
		r.fail(line, col+j, "%q after the document number's fillers (filler '<' misread?)", t[j])
	}
}

// date reads a YYMMDD field at line, col: digits, or '<' for unknown.
func (r *mrzRead) date(field string, line, col int, what string) string {
	for i := 0; i < len(field); i++ {
		if !isDigit(field[i]) && field[i] != '<' {
			r.fail(line, col+i, "%q in the %s: a date is digits, YYMMDD%s", field[i], what, misreadHint(field[i]))
			break
		}
	}
	return strings.TrimRight(field, "<")
}

// sex reads the sex at line, col.
func (r *mrzRead) sex(c byte, line, col int) string {
	switch c {
	case 'F', 'M', 'X':
		return string(c)
	case '<':
		return ""
	}
	r.fail(line, col, "sex %q: expected F, M, X or '<'%s", c, misreadHint(c))
	return ""
}

// name reads a name field at line, col: primary identifier (surnames),
// "<<", secondary identifier (given names), fillers to the end. A name is
// not covered by any check digit, so its shape is all there is to catch a
// misread: no digits, no leading filler, and nothing but fillers after the
// "<<" that ends the given names (CARMEN<<K<<).
func (r *mrzRead) name(field string, line, col int) {
	for i := 0; i < len(field); i++ {
		if isDigit(field[i]) {
			r.fail(line, col+i, "digit %q in the name", field[i])
			return
		}
	}
	if field[0] == '<' {
		if strings.Trim(field, "<") == "" {
			r.fail(line, col, "the name is empty")
		} else {
			r.fail(line, col, "the name starts with a filler '<'")
		}
		return
	}
	surnames, rest, found := strings.Cut(field, "<<")
	if !found {
		surnames = strings.TrimRight(field, "<") // truncated, or one single filler at the end
	}
	r.doc.Surnames = strings.ReplaceAll(surnames, "<", " ")
	if !found {
		return
	}
	given := ""
	if rest != "" && rest[0] != '<' {
		given = rest
		if i := strings.Index(rest, "<<"); i >= 0 {
			given = rest[:i]
		}
		given = strings.TrimRight(given, "<")
	}
	r.doc.GivenNames = strings.ReplaceAll(given, "<", " ")
	tail := rest[len(given):]
	if i := strings.IndexFunc(tail, func(r rune) bool { return r != '<' }); i >= 0 {
		at := len(field) - len(tail) + i
		r.fail(line, col+at, "%q after the fillers that end the name (filler '<' misread?)", field[at])
	}
}

// strayK refuses a lone 'K' among the fillers of an optional-data field
// at line, col: '<' misread as 'K' there leaves every check digit right.
// A K is lone when fillers (or the field's ends) stand on both sides of
// it and two fillers on at least one.
func (r *mrzRead) strayK(field string, line, col int, what string) {
	for i := 0; i < len(field); i++ {
		if field[i] != 'K' {
			continue
		}
		before := i == 0 || field[i-1] == '<'
		after := i == len(field)-1 || field[i+1] == '<'
		run := (i >= 2 && field[i-2:i] == "<<") || (i+3 <= len(field) && field[i+1:i+3] == "<<")
		if before && after && run {
			r.fail(line, col+i, "a lone 'K' among the fillers of the %s (filler '<' misread?)", what)
			return
		}
	}
}

// longNumber finds the rest of a TD1 or TD2 document number longer than
// nine characters. ICAO 9303 puts its first nine in the number field,
// '<' where the check digit goes, and the rest at the start of the
// optional data, followed by the check digit and a filler. It returns
// the rest and the index of the check digit in optional, or ok false if
// the fields are not so.
func longNumber(field string, check byte, optional string) (rest string, at int, ok bool) {
	if check != '<' || field[len(field)-1] == '<' {
		return "", 0, false
	}
	k := strings.IndexByte(optional, '<')
	if k < 0 {
		k = len(optional)
	}
	if k < 2 {
		return "", 0, false
	}
	return optional[:k-1], k - 1, true
}

// readTD1 reads the three lines of a TD1 (ICAO 9303 part 5).
func readTD1(l1, l2, l3 string) (*Document, error) {
	r := &mrzRead{doc: &Document{Format: TD1}}
	d := r.doc

	r.docCode(l1, TD1, "ACI", "A, C or I")
	d.Issuer = r.state(cols(l1, 3, 5), 1, 3, "issuing state")
	field, opt1 := cols(l1, 6, 14), cols(l1, 16, 30)
	number, check, checkCol := field, l1[14], 15
	if rest, at, ok := longNumber(field, l1[14], opt1); ok {
		number, check, checkCol = field+rest, opt1[at], 16+at
	}
	r.number(field, 1, 6)
	d.Number = strings.TrimRight(number, "<")
	r.strayK(opt1, 1, 16, "optional data")

	d.Birth = r.date(cols(l2, 1, 6), 2, 1, "date of birth")
	d.Sex = r.sex(l2[7], 2, 8)
	d.Expiry = r.date(cols(l2, 9, 14), 2, 9, "date of expiry")
	d.Nationality = r.state(cols(l2, 16, 18), 2, 16, "nationality")
	opt2 := cols(l2, 19, 29)
	r.strayK(opt2, 2, 19, "optional data")
	d.Optional = strings.Trim(opt1+opt2, "<")
	r.name(l3, 3, 1)
	if r.err != nil {
		return nil, r.err
	}

	r.check("document_number", number, check, 1, checkCol)
	r.check("birth", cols(l2, 1, 6), l2[6], 2, 7)
	r.check("expiry", cols(l2, 9, 14), l2[14], 2, 15)
	r.check("composite", cols(l1, 6, 30)+cols(l2, 1, 7)+cols(l2, 9, 15)+cols(l2, 19, 29), l2[29], 2, 30)
	spanish := d.Issuer == "ESP" && isNationalID(opt1[:9])
	if spanish {
		d.PersonalNumber = opt1[:9]
		r.dniLetter(d.PersonalNumber, 1, 24)
	}
	if err := r.checkError(); err != nil {
		return d, err
	}
	if d.Issuer == "ESP" && !spanish {
		return nil, formatError(mrzOp, "line 1 columns 16–24: a Spanish card without a DNI or NIE number there (8 digits and a letter, or X, Y or Z, 7 digits and a letter)")
	}
	return d, nil
}

// readTD2 reads the two lines of a TD2 (ICAO 9303 part 6).
func readTD2(l1, l2 string) (*Document, error) {
	r := &mrzRead{doc: &Document{Format: TD2}}
	d := r.doc

	r.docCode(l1, TD2, "ACI", "A, C or I")
	d.Issuer = r.state(cols(l1, 3, 5), 1, 3, "issuing state")
	r.name(cols(l1, 6, 36), 1, 6)

	field, opt := cols(l2, 1, 9), cols(l2, 29, 35)
	number, check, checkCol := field, l2[9], 10
	if rest, at, ok := longNumber(field, l2[9], opt); ok {
		number, check, checkCol = field+rest, opt[at], 29+at
	}
	r.number(field, 2, 1)
	d.Number = strings.TrimRight(number, "<")
	d.Nationality = r.state(cols(l2, 11, 13), 2, 11, "nationality")
	d.Birth = r.date(cols(l2, 14, 19), 2, 14, "date of birth")
	d.Sex = r.sex(l2[20], 2, 21)
	d.Expiry = r.date(cols(l2, 22, 27), 2, 22, "date of expiry")
	r.strayK(opt, 2, 29, "optional data")
	d.Optional = strings.Trim(opt, "<")
	if r.err != nil {
		return nil, r.err
	}

	r.check("document_number", number, check, 2, checkCol)
	r.check("birth", cols(l2, 14, 19), l2[19], 2, 20)
	r.check("expiry", cols(l2, 22, 27), l2[27], 2, 28)
	r.check("composite", cols(l2, 1, 10)+cols(l2, 14, 20)+cols(l2, 22, 35), l2[35], 2, 36)
	if err := r.checkError(); err != nil {
		return d, err
	}
	return d, nil
}

// readTD3 reads the two lines of a TD3, a passport (ICAO 9303 part 4).
func readTD3(l1, l2 string) (*Document, error) {
	r := &mrzRead{doc: &Document{Format: TD3}}
	d := r.doc

	r.docCode(l1, TD3, "P", "P")
	d.Issuer = r.state(cols(l1, 3, 5), 1, 3, "issuing state")
	r.name(cols(l1, 6, 44), 1, 6)

	r.number(cols(l2, 1, 9), 2, 1)
	d.Number = strings.TrimRight(cols(l2, 1, 9), "<")
	d.Nationality = r.state(cols(l2, 11, 13), 2, 11, "nationality")
	d.Birth = r.date(cols(l2, 14, 19), 2, 14, "date of birth")
	d.Sex = r.sex(l2[20], 2, 21)
	d.Expiry = r.date(cols(l2, 22, 27), 2, 22, "date of expiry")
	personal := cols(l2, 29, 42)
	r.strayK(personal, 2, 29, "personal number")
	d.PersonalNumber = strings.TrimRight(personal, "<")
	if r.err != nil {
		return nil, r.err
	}

	r.check("document_number", cols(l2, 1, 9), l2[9], 2, 10)
	r.check("birth", cols(l2, 14, 19), l2[19], 2, 20)
	r.check("expiry", cols(l2, 22, 27), l2[27], 2, 28)
	if d.PersonalNumber == "" && l2[42] == '<' {
		// ICAO 9303 part 4: an unused personal number's check digit is
		// 0 or '<'.
		r.add(Check{Name: "personal_number", Want: "<", Got: "<", OK: true}, 2, 43)
	} else {
		r.check("personal_number", personal, l2[42], 2, 43)
	}
	r.check("composite", cols(l2, 1, 10)+cols(l2, 14, 20)+cols(l2, 22, 43), l2[43], 2, 44)
	if d.Issuer == "ESP" && isNationalID(d.PersonalNumber) {
		r.dniLetter(d.PersonalNumber, 2, 37)
	}
	if err := r.checkError(); err != nil {
		return d, err
	}
	return d, nil
}

// checkDigit computes the ICAO 9303 check digit of s: 0–9 count as
// themselves, A–Z as 10–35, '<' as 0; weights 7, 3, 1 repeating; the sum
// modulo 10.
func checkDigit(s string) byte {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += charValue(s[i]) * weights[i%3]
	}
	return byte('0' + sum%10)
}

func charValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case isLetter(c):
		return int(c-'A') + 10
	}
	return 0
}

// cols returns columns from to to of l, counted from 1 as ICAO 9303 does.
func cols(l string, from, to int) string { return l[from-1 : to] }

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// isDate reports whether s could be a YYMMDD field: digits or '<'.
func isDate(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && s[i] != '<' {
			return false
		}
	}
	return true
}

// misreadHint adds a hint to a message about an unexpected 'K'.
func misreadHint(c byte) string {
	if c == 'K' {
		return " (filler '<' misread as K?)"
	}
	return ""
}
