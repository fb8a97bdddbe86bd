// Package catalog holds every text a citizen or a clerk sees, one catalogue
// per language: Catalan first, Spanish and English beside it. Templates and
// layouts ask for a key; no text is written in them by hand.
package catalog

import (
	"fmt"
	"time"
)

// Lang is a language code: "ca", "es", "en".
type Lang = string

// Default is the language used when a text has no translation.
const Default Lang = "ca"

// Langs lists the languages in the order they are offered.
var Langs = []Lang{"ca", "es", "en"}

var catalogs = map[Lang]map[string]string{
	"ca": ca,
	"es": es,
	"en": en,
}

// T returns the text for key in lang, formatted with args (fmt verbs), or
// the Catalan text when lang lacks it. A key missing everywhere comes back
// as "!key", visible on the page or paper, and the catalogue test fails.
func T(lang Lang, key string, args ...any) string {
	s, ok := catalogs[lang][key]
	if !ok {
		s, ok = catalogs[Default][key]
	}
	if !ok {
		return "!" + key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Keys returns every key of lang's catalogue.
func Keys(lang Lang) []string {
	var out []string
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	return out
}

// Ahead is the "people ahead" line for n people.
func Ahead(lang Lang, n int) string {
	switch {
	case n <= 0:
		return T(lang, "ticket.ahead.none")
	case n == 1:
		return T(lang, "ticket.ahead.one")
	}
	return T(lang, "ticket.ahead.many", n)
}

// Wait is the estimated-wait line, rounded to the minute.
func Wait(lang Lang, wait time.Duration) string {
	if wait < time.Minute {
		return T(lang, "ticket.wait.none")
	}
	return T(lang, "ticket.wait", duration(lang, minutes(wait)))
}

// WaitRange is the estimated-wait line for a wait between low and high,
// rounded to the minute: "10-17 min", "up to 4 min" when low rounds to
// none, as Wait when both round to the same minute.
func WaitRange(lang Lang, low, high time.Duration) string {
	lo, hi := minutes(low), minutes(high)
	switch {
	case hi < 1:
		return T(lang, "ticket.wait.none")
	case lo >= hi:
		return Wait(lang, high)
	case lo < 1:
		return T(lang, "ticket.wait.upto", duration(lang, hi))
	case hi < 60:
		return T(lang, "ticket.wait", T(lang, "duration.range", lo, hi))
	}
	return T(lang, "ticket.wait", duration(lang, lo)+" - "+duration(lang, hi))
}

func minutes(d time.Duration) int { return int((d + 30*time.Second) / time.Minute) }

// duration is m minutes in words: "13 min", "1 h 05 min".
func duration(lang Lang, m int) string {
	if m < 60 {
		return T(lang, "duration.minutes", m)
	}
	return T(lang, "duration.hours", m/60, m%60)
}
