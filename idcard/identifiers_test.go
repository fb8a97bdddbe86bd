package idcard_test

import (
	"slices"
	"testing"

	"torn.cat/torn/idcard"
)

// TestIdentifiers: who the document's holder may have booked as. A
// Spanish DNI card: its DNI, never the card's support number; a Spanish
// passport: the DNI it carries, then the passport number; another
// country's passport: its number.
func TestIdentifiers(t *testing.T) {
	for _, tt := range []struct {
		name, mrz string
		want      []string
	}{
		{"DNI card", "IDESPBAA000589599999999R<<<<<<\n8001014F2501017ESP<<<<<<<<<<<7\nESPANOLA<ESPANOLA<<CARMEN<<<<<", []string{"99999999R"}},
		{"Spanish passport with its DNI", "P<ESPESPANOLA<ESPANOLA<<CARMEN<<<<<<<<<<<<<<\nPAA1234560ESP8001014F300101999999999R<<<<<52", []string{"99999999R", "PAA123456"}},
		{"ICAO specimen passport", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10", []string{"L898902C3"}},
		{"typed NIE", "x-1234567-l", []string{"X1234567L"}},
	} {
		d, err := idcard.Parse(tt.mrz)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := d.Identifiers(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: identifiers %v, want %v", tt.name, got, tt.want)
		}
	}
}
