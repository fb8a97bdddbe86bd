package idcard

import (
	"strconv"
	"unicode"
)

// dniLetters maps a DNI number modulo 23 to its check letter (Real
// Decreto 1553/2005; a NIE's X, Y, Z count as 0, 1, 2).
const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// shapeHint ends every ErrFormat message of ParseNationalID. The examples
// are the textbook numbers of REFERENCES.md, nobody's real ones.
const shapeHint = "a DNI is 8 digits and a letter (12345678Z), a NIE is X, Y or Z, 7 digits and a letter (X1234567L)"

// NationalID is a validated Spanish DNI or NIE number.
type NationalID struct {
	Kind string // "DNI" or "NIE"
	// Number is canonical: a DNI's 8 digits (padded with zeros) and its
	// letter, "01234567L"; a NIE's X, Y or Z, 7 digits and its letter,
	// "X1234567L".
	Number string
}

// ParseNationalID reads a DNI or NIE number as a person types it. It
// drops spaces, dashes and dots, upper-cases letters, and pads with zeros
// a DNI of 6 or 7 digits to 8 and a NIE of 6 digits to 7 (a NIE written
// with 8 digits, as before 2008, loses its leading zero). Numbers with
// fewer digits are refused: they are fragments far more often than the
// DNI of someone over ninety, whose card the reader reads anyway.
//
// It then checks the letter: DNI number modulo 23 into
// "TRWAGMYFPDXBNJZSQVHLCKE"; for a NIE, X, Y, Z stand for 0, 1, 2 in
// front of its digits.
//
// Errors wrap ErrFormat (not shaped like a DNI or NIE; the message says
// what is expected) or ErrCheckDigit (the letter does not match). The
// messages never say which letter would match, so that a kiosk showing
// them does not help anyone make up a valid number; Parse's Document
// carries it in its Check for staff.
func ParseNationalID(s string) (NationalID, error) {
	id, _, err := parseNationalID(s)
	if err != nil {
		return NationalID{}, err
	}
	return id, nil
}

// parseNationalID is ParseNationalID. When only the letter is wrong it
// also returns the number as read and the failed check; on a format error
// the Check is zero.
func parseNationalID(s string) (NationalID, Check, error) {
	const op = "parse DNI/NIE"
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r == '-' || r == '.' || unicode.IsSpace(r):
		case r >= 'a' && r <= 'z':
			b = append(b, byte(r-'a'+'A'))
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b = append(b, byte(r))
		default:
			return NationalID{}, Check{}, formatError(op, "%q is not a digit or a letter; %s", r, shapeHint)
		}
	}
	if len(b) == 0 {
		return NationalID{}, Check{}, formatError(op, "empty; %s", shapeHint)
	}

	kind, prefix, body := "DNI", "", b
	switch b[0] {
	case 'X', 'Y', 'Z':
		kind, prefix, body = "NIE", string(b[0]), b[1:]
	default:
		if isLetter(b[0]) && len(b) > 1 {
			return NationalID{}, Check{}, formatError(op, "starts with %q: only a NIE starts with a letter, and that is X, Y or Z; %s", b[0], shapeHint)
		}
	}
	if len(body) == 0 {
		return NationalID{}, Check{}, formatError(op, "too short: no digits; %s", shapeHint)
	}
	if !isLetter(body[len(body)-1]) {
		return NationalID{}, Check{}, formatError(op, "no letter at the end; %s", shapeHint)
	}
	letter, digits := body[len(body)-1], string(body[:len(body)-1])
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return NationalID{}, Check{}, formatError(op, "a letter where a digit belongs; %s", shapeHint)
		}
	}

	width := 8
	if kind == "NIE" {
		width = 7
		if len(digits) == 8 && digits[0] == '0' {
			digits = digits[1:]
		}
	}
	switch {
	case len(digits) < 6:
		return NationalID{}, Check{}, formatError(op, "too short: %d digits; %s", len(digits), shapeHint)
	case len(digits) > width:
		return NationalID{}, Check{}, formatError(op, "too long: %d digits; %s", len(digits), shapeHint)
	}
	for len(digits) < width {
		digits = "0" + digits
	}

	id := NationalID{Kind: kind, Number: prefix + digits + string(letter)}
	want := nationalIDLetter(prefix + digits)
	check := Check{Name: "dni_letter", Want: string(want), Got: string(letter), OK: letter == want}
	if !check.OK {
		// The same words for every number: never which letter would match.
		return id, check, checkError(op, "the letter does not match the number")
	}
	return id, check, nil
}

// nationalIDLetter computes the check letter of a DNI's 8 digits or a
// NIE's X, Y or Z and 7 digits. body must have that shape.
func nationalIDLetter(body string) byte {
	digits := body
	switch body[0] {
	case 'X':
		digits = "0" + body[1:]
	case 'Y':
		digits = "1" + body[1:]
	case 'Z':
		digits = "2" + body[1:]
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		panic("idcard: nationalIDLetter called on a body that is not a DNI's or NIE's")
	}
	return dniLetters[n%23]
}

// isNationalID reports whether s is a canonical DNI or NIE as printed in
// an MRZ: 8 digits and a letter, or X, Y or Z, 7 digits and a letter.
func isNationalID(s string) bool {
	if len(s) != 9 || !isLetter(s[8]) {
		return false
	}
	from := 0
	if s[0] == 'X' || s[0] == 'Y' || s[0] == 'Z' {
		from = 1
	}
	for i := from; i < 8; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
