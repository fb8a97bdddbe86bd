package catalog

import (
	"sort"
	"testing"
	"time"
)

// TestEveryLanguageHasEveryKey: no text is missing in any language.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	all := map[string]bool{}
	for _, l := range Langs {
		for _, k := range Keys(l) {
			all[k] = true
		}
	}
	var keys []string
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, l := range Langs {
		for _, k := range keys {
			if _, ok := catalogs[l][k]; !ok {
				t.Errorf("%s: no text for %q", l, k)
			}
		}
	}
}

func TestFallbackAndMissing(t *testing.T) {
	if got := T("fr", "ticket.your_number"); got != "El vostre torn" {
		t.Errorf("unknown language: %q, want the Catalan text", got)
	}
	if got := T("ca", "ticket.ahead.many", 3); got != "3 persones davant" {
		t.Errorf("formatted: %q", got)
	}
	if got := T("es", "no.such.key"); got != "!no.such.key" {
		t.Errorf("missing key: %q", got)
	}
}

func TestWaitRange(t *testing.T) {
	m := time.Minute
	for _, tc := range []struct {
		lang      Lang
		low, high time.Duration
		want      string
	}{
		{"ca", 10 * m, 17 * m, "Espera aproximada: 10-17 min"},
		{"es", 10*m + 20*time.Second, 16*m + 40*time.Second, "Espera aproximada: 10-17 min"},
		{"en", 0, 4 * m, "Estimated wait: up to 4 min"},
		{"ca", 20 * time.Second, 4 * m, "Espera aproximada: fins a 4 min"},
		{"es", 0, 20 * time.Second, "Espera aproximada: menos de 1 minuto"},
		{"en", 5 * m, 5*m + 10*time.Second, "Estimated wait: 5 min"},
		{"ca", 45 * m, 70 * m, "Espera aproximada: 45 min - 1 h 10 min"},
		{"en", 65 * m, 95 * m, "Estimated wait: 1 h 05 min - 1 h 35 min"},
	} {
		if got := WaitRange(tc.lang, tc.low, tc.high); got != tc.want {
			t.Errorf("WaitRange(%s, %s, %s) = %q, want %q", tc.lang, tc.low, tc.high, got, tc.want)
		}
	}
}
