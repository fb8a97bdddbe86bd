package idcard

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by Parse, ParseMRZ and ParseNationalID, wrapped with the
// details (which line and column, which check). Callers test them with
// errors.Is. No error message holds a document number or a check digit's
// expected value, so messages can be logged and shown on a kiosk.
var (
	// ErrFormat: the text is not a document this package reads: wrong
	// number of lines or line lengths, lines in the wrong order,
	// characters outside A–Z 0–9 '<' (lower case included), a field that
	// cannot be what its position holds, or a filler '<' that looks
	// misread. Reading the document again may help; typing it again
	// will, if the person mistyped.
	ErrFormat = errors.New("wrong format")
	// ErrCheckDigit: the text is shaped right but a check digit (or a
	// DNI/NIE check letter) does not match its data: the read is wrong,
	// or the document forged. Read it again. The returned Document's
	// Checks say which check failed.
	ErrCheckDigit = errors.New("check digit mismatch")
)

// Format of a read document.
type Format string

// The formats Parse reads.
const (
	TD1   Format = "TD1"   // 3 × 30 ID cards (DNI 3.0/4.0, foreign ID cards, TIE)
	TD2   Format = "TD2"   // 2 × 36
	TD3   Format = "TD3"   // 2 × 44 passports
	Typed Format = "typed" // a DNI or NIE number typed or read as one line (barcode)
)

// A Check is one check digit (or, for a DNI or NIE number, its check
// letter) and its result. Want may be shown to staff in a diagnostic
// command, never on a kiosk.
type Check struct {
	// Name is "document_number", "birth", "expiry", "personal_number",
	// "composite" or "dni_letter".
	Name string `json:"name"`
	// Want is the digit or letter computed from the data; "<" for the
	// check digit of an unused TD3 personal number read as '<', which
	// ICAO 9303 allows.
	Want string `json:"want"`
	Got  string `json:"got"` // the character read
	OK   bool   `json:"ok"`
}

// A Document is what was read. Fields are trimmed of '<' fillers; names
// have '<' turned into spaces. It holds document numbers in clear: never
// log it, print it with %v or store it; store the keyed hash of its
// Identifier.
type Document struct {
	Format Format `json:"format"`
	// Type is the document code, fillers trimmed: "ID", "IR", "P", "I",
	// "A", "C"… For Typed, "DNI" or "NIE".
	Type string `json:"type,omitempty"`
	// Issuer is the issuing state: "ESP", "UTO", "D" (Germany's "D<<").
	// For Typed, "ESP".
	Issuer string `json:"issuer,omitempty"`
	// Number is the document-number field; on a DNI, the card's support
	// number, not the person's DNI. A TD1 or TD2 number longer than 9
	// characters (continued in the optional data) is given whole.
	Number string `json:"number,omitempty"`
	// PersonalNumber is, on a Spanish TD1 card (issuer ESP), the DNI or
	// NIE from the optional data ("12345678Z", "X1234567L"); on TD3, the
	// personal number field (on Spanish passports, the DNI); for Typed,
	// the canonical DNI or NIE.
	PersonalNumber string `json:"personal_number,omitempty"`
	// Optional is the optional data as read, fillers trimmed from both
	// ends, inner fillers kept: TD1 line 1 columns 16–30 followed by
	// line 2 columns 19–29; TD2 line 2 columns 29–35. Empty for TD3
	// (see PersonalNumber) and Typed. A long document number's
	// continuation and check digit, which ICAO 9303 puts there, stay in
	// it.
	Optional string `json:"optional,omitempty"`
	Birth    string `json:"birth,omitempty"`  // YYMMDD as read ('<' for unknown parts; trailing ones trimmed)
	Sex      string `json:"sex,omitempty"`    // "F", "M", "X", or "" for '<'
	Expiry   string `json:"expiry,omitempty"` // YYMMDD as read
	// Nationality is the holder's nationality code, like Issuer.
	Nationality string  `json:"nationality,omitempty"`
	Surnames    string  `json:"surnames,omitempty"`
	GivenNames  string  `json:"given_names,omitempty"`
	Checks      []Check `json:"checks"`
}

// Identifier is the number that identifies the person, the one
// appointments are booked with: for a Spanish TD1 card (issuer ESP) the
// DNI or NIE in the optional data (PersonalNumber), never the card's
// support number; for Typed the canonical DNI or NIE; otherwise the
// document number (for passports, the passport number). It is upper case,
// without fillers or spaces, and "" if there is none.
func (d *Document) Identifier() string {
	if d == nil {
		return ""
	}
	var id string
	switch {
	case d.Format == Typed:
		id = d.PersonalNumber
	case d.Format == TD1 && d.Issuer == "ESP":
		id = d.PersonalNumber
	default:
		id = d.Number
	}
	return strings.ToUpper(strings.NewReplacer("<", "", " ", "").Replace(id))
}

// Identifiers returns the numbers the holder may have booked with, most
// likely first: Identifier, and for a Spanish passport also the DNI or NIE
// in its personal number, ahead of the passport number (Spaniards book
// with their DNI, and their passport carries it).
func (d *Document) Identifiers() []string {
	id := d.Identifier()
	if id == "" {
		return nil
	}
	if d.Format == TD3 && d.Issuer == "ESP" && isNationalID(d.PersonalNumber) {
		if dni, err := ParseNationalID(d.PersonalNumber); err == nil && dni.Number != id {
			return []string{dni.Number, id}
		}
	}
	return []string{id}
}

// Parse takes what a reader sent or a person typed: a machine-readable
// zone (as ParseMRZ), or a single line that is a DNI or NIE number (as
// ParseNationalID; the Document then has Format Typed). It decides by
// shape: one line shorter than an MRZ line and without fillers '<' is a
// DNI or NIE; anything else is an MRZ.
//
// Errors wrap ErrFormat or ErrCheckDigit. With ErrCheckDigit the
// Document is returned as far as it was read, its failing Checks with
// OK false; with ErrFormat it is nil.
func Parse(text string) (*Document, error) {
	lines := splitLines(text)
	if len(lines) == 1 && len(lines[0]) < td1Len && !strings.Contains(lines[0], "<") {
		return parseTyped(lines[0])
	}
	return ParseMRZ(text)
}

// parseTyped reads one line holding a DNI or NIE number.
func parseTyped(line string) (*Document, error) {
	id, check, err := parseNationalID(line)
	if err != nil && check.Name == "" {
		return nil, err
	}
	return &Document{
		Format:         Typed,
		Type:           id.Kind,
		Issuer:         "ESP",
		Number:         id.Number,
		PersonalNumber: id.Number,
		Checks:         []Check{check},
	}, err
}

// formatError returns an error wrapping ErrFormat, saying what op was
// doing.
func formatError(op, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", op, ErrFormat, fmt.Sprintf(format, args...))
}

// checkError returns an error wrapping ErrCheckDigit, saying what op was
// doing.
func checkError(op, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", op, ErrCheckDigit, fmt.Sprintf(format, args...))
}
