package catalog

import (
	"sort"
	"testing"
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
