package central

import (
	"maps"
	"slices"
	"testing"
	"time"
)

// TestDashboardTexts: every language of the dashboard has every text.
func TestDashboardTexts(t *testing.T) {
	for _, l := range dashLangs {
		for key := range dashTexts["ca"] {
			if _, ok := dashTexts[l][key]; !ok {
				t.Errorf("%s lacks %q", l, key)
			}
		}
		for key := range dashTexts[l] {
			if _, ok := dashTexts["ca"][key]; !ok {
				t.Errorf("%s has %q, which Catalan lacks", l, key)
			}
		}
	}
	if got := slices.Sorted(maps.Keys(dashTexts)); !slices.Equal(got, []string{"ca", "en", "es"}) {
		t.Errorf("languages %v", got)
	}
}

// TestDashboardFormats: durations, counts, shares, dates and names the way
// each language writes them.
func TestDashboardFormats(t *testing.T) {
	for _, c := range []struct {
		l         lang
		got, want string
	}{
		{"ca", lang("ca").Dur(45 * time.Second), "45 s"},
		{"ca", lang("ca").Dur(12*time.Minute + 30*time.Second), "12 min 30 s"},
		{"ca", lang("ca").Dur(20 * time.Minute), "20 min"},
		{"ca", lang("ca").Dur(65*time.Minute + 20*time.Second), "1 h 05 min"},
		{"ca", lang("ca").Dur(0), "0 s"},
		{"ca", lang("ca").Int(1234), "1234"},
		{"ca", lang("ca").Int(12345), "12.345"},
		{"es", lang("es").Int(1234567), "1.234.567"},
		{"en", lang("en").Int(1234), "1,234"},
		{"en", lang("en").Int(999), "999"},
		{"ca", lang("ca").Pct(0.8534), "85,3 %"},
		{"es", lang("es").Pct(1), "100 %"},
		{"en", lang("en").Pct(0.8534), "85.3%"},
		{"ca", lang("ca").Date("2026-03-02"), "02/03/2026"},
		{"en", lang("en").Date("2026-03-02"), "2 Mar 2026"},
		{"ca", lang("ca").Weekday(1), "dilluns"},
		{"es", lang("es").Weekday(3), "miércoles"},
		{"en", lang("en").Weekday(0), "Sunday"},
		{"ca", lang("ca").Month("2026-03"), "març de 2026"},
		{"es", lang("es").Month("2026-09"), "septiembre de 2026"},
		{"en", lang("en").Month("2026-12"), "December 2026"},
		{"es", lang("es").Bias(90 * time.Second), "(de media, 1 min 30 s más de lo indicado)"},
		{"en", lang("en").Bias(-2 * time.Minute), "(on average 2 min shorter than told)"},
		{"en", lang("en").Bias(0), ""},
		{"fr", lang("fr").T("today.title"), "Avui"},
		{"en", lang("en").T("no.such.key"), "!no.such.key"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.l, c.got, c.want)
		}
	}
	var d dashboard
	d.L = "ca"
	for by, keys := range map[Dimension][2]string{
		ByWeekday: {"6", "dissabte"}, ByHour: {"9", "9 h"}, ByDay: {"2026-03-02", "dilluns 02/03/2026"},
		ByMonth: {"2026-03", "març de 2026"}, ByClerk: {"", "(sense persona)"},
		ByService: {"oac", "Atenció (oac)"}, ByDesk: {"taula3", "Taula 3"}, ByOffice: {"oac1", "oac1"},
	} {
		n := names{services: map[string]string{"oac": "Atenció"}, desks: map[string]string{"taula3": "Taula 3"}}
		if got := d.label(n, by, keys[0]); got != keys[1] {
			t.Errorf("label of %s %q: %q, want %q", by, keys[0], got, keys[1])
		}
	}
	if got := d.label(names{}, ByDesk, ""); got != "(sense taula)" {
		t.Errorf("tickets without a desk: %q", got)
	}
}
