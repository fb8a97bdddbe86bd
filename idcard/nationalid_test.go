package idcard_test

import (
	"errors"
	"strings"
	"testing"

	"torn.cat/torn/idcard"
)

func TestParseNationalID(t *testing.T) {
	// Letters worked out by hand (n mod 23 into TRWAGMYFPDXBNJZSQVHLCKE):
	// 12345678 = 23·536768 + 14 → Z; 99999999 = 23·4347826 + 1 → R;
	// X1234567 → 1234567 = 23·53676 + 19 → L (so 01234567 → L too);
	// Y1234567 → 11234567 = 23·488459 + 10 → X;
	// Z1234567 → 21234567 = 23·923242 + 1 → R;
	// Y7654321 → 17654321 = 23·767579 + 4 → G;
	// 123456 = 23·5367 + 15 → S.
	for _, tc := range []struct {
		in, kind, number string
	}{
		{"12345678Z", "DNI", "12345678Z"},
		{"99999999R", "DNI", "99999999R"},
		{"X1234567L", "NIE", "X1234567L"},
		{"Y1234567X", "NIE", "Y1234567X"},
		{"Z1234567R", "NIE", "Z1234567R"},
		{"Y7654321G", "NIE", "Y7654321G"},
		{"12.345.678-z", "DNI", "12345678Z"},
		{" 1234 5678 Z ", "DNI", "12345678Z"},
		{"x-1234567-l", "NIE", "X1234567L"},
		{"\t12345678\u00a0Z\n", "DNI", "12345678Z"},
		{"1234567L", "DNI", "01234567L"},
		{"01234567L", "DNI", "01234567L"},
		{"123456S", "DNI", "00123456S"},
		{"X123456S", "NIE", "X0123456S"},
		{"X01234567L", "NIE", "X1234567L"}, // the 8 digits of NIEs before 2008
	} {
		id, err := idcard.ParseNationalID(tc.in)
		if err != nil {
			t.Errorf("ParseNationalID(%q): %v", tc.in, err)
			continue
		}
		if want := (idcard.NationalID{Kind: tc.kind, Number: tc.number}); id != want {
			t.Errorf("ParseNationalID(%q) = %+v, want %+v", tc.in, id, want)
		}
	}
}

func TestParseNationalIDErrors(t *testing.T) {
	for _, tc := range []struct {
		in      string
		wantErr error
		mention string
	}{
		{"12345678A", idcard.ErrCheckDigit, "the letter does not match the number"},
		{"12345678I", idcard.ErrCheckDigit, "the letter does not match the number"}, // I is never a check letter
		{"X1234567Z", idcard.ErrCheckDigit, "the letter does not match the number"},
		{"1234567Z", idcard.ErrCheckDigit, "the letter does not match the number"}, // a digit left out: 01234567 is L
		{"", idcard.ErrFormat, "empty"},
		{" -. ", idcard.ErrFormat, "empty"},
		{"12345Z", idcard.ErrFormat, "too short: 5 digits"},
		{"X12345L", idcard.ErrFormat, "too short: 5 digits"},
		{"Z", idcard.ErrFormat, "too short: no digits"},
		{"123456789Z", idcard.ErrFormat, "too long: 9 digits"},
		{"X12345678L", idcard.ErrFormat, "too long: 8 digits"},
		{"1234A678Z", idcard.ErrFormat, "a letter where a digit belongs"},
		{"12345678ZZ", idcard.ErrFormat, "a letter where a digit belongs"},
		{"12345678", idcard.ErrFormat, "no letter at the end"},
		{"K1234567L", idcard.ErrFormat, "starts with 'K'"},
		{"12345678Z!", idcard.ErrFormat, "'!' is not a digit or a letter"},
		{"１２３４５６７８Z", idcard.ErrFormat, "'１' is not a digit or a letter"},
		{"12345678Ñ", idcard.ErrFormat, "'Ñ' is not a digit or a letter"},
	} {
		id, err := idcard.ParseNationalID(tc.in)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("ParseNationalID(%q) = %+v, %v; want an error wrapping %v", tc.in, id, err, tc.wantErr)
			continue
		}
		if id != (idcard.NationalID{}) {
			t.Errorf("ParseNationalID(%q) = %+v with an error", tc.in, id)
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("ParseNationalID(%q): error %q does not mention %q", tc.in, err, tc.mention)
		}
		if errors.Is(err, idcard.ErrFormat) && !strings.Contains(err.Error(), "a DNI is 8 digits and a letter") {
			t.Errorf("ParseNationalID(%q): error %q does not say what is expected", tc.in, err)
		}
	}
}

// TestParseNationalIDErrorHidesLetter: every wrong letter of a number
// gives the same message, so the message cannot tell the right one.
func TestParseNationalIDErrorHidesLetter(t *testing.T) {
	messages := map[string][]byte{}
	for c := byte('A'); c <= 'Z'; c++ {
		_, err := idcard.ParseNationalID("12345678" + string(c))
		if c == 'Z' {
			if err != nil {
				t.Fatalf("12345678Z: %v", err)
			}
			continue
		}
		if err == nil {
			t.Fatalf("12345678%c accepted", c)
		}
		messages[err.Error()] = append(messages[err.Error()], c)
	}
	if len(messages) != 1 {
		t.Errorf("wrong letters give %d different messages, want 1: %q", len(messages), messages)
	}
}
