package printer

import (
	"time"
)

// Ticket is what one printed ticket shows. Texts are already in the
// citizen's language, except the fixed words, which Layout takes from the
// catalogue in Lang.
type Ticket struct {
	// Lang is the citizen's language: "ca", "es", "en".
	Lang string
	// Office is the office's name, printed at the top.
	Office string
	// Number is the display number, printed very large: "A023".
	Number string
	// Service is the service's name in Lang.
	Service string
	// Ahead and Wait are the people ahead and the estimated wait; when
	// WaitHigh is set, the wait is printed as the range WaitLow to
	// WaitHigh instead.
	Ahead             int
	Wait              time.Duration
	WaitLow, WaitHigh time.Duration
	// Issued is the issue time, printed in its own location (the caller
	// converts it to the office's zone).
	Issued time.Time
	// Slot is an appointment's time, or zero.
	Slot time.Time
	// URL is the tracking page the QR code opens; ShortURL is printed in
	// text under it (the URL itself when empty).
	URL, ShortURL string
	// Footer is a line or two of the office's own, in Lang.
	Footer string
}

// Paper widths in dots at 203 dpi.
const (
	Width58 = 384
	Width80 = 576
)

// Status is what the printer said of itself (DLE EOT).
type Status struct {
	Online       bool
	CoverOpen    bool
	PaperNearEnd bool
	PaperOut     bool
	// Error is a mechanical, cutter or unrecoverable error.
	Error bool
}

// Ready reports whether the printer can print a ticket.
func (s Status) Ready() bool { return s.Online && !s.CoverOpen && !s.PaperOut && !s.Error }

// String names the worst condition, for logs and /healthz: "ready",
// "paper out", "cover open", "error", "offline", "paper near end".
func (s Status) String() string {
	switch {
	case s.PaperOut:
		return "paper out"
	case s.CoverOpen:
		return "cover open"
	case s.Error:
		return "error"
	case !s.Online:
		return "offline"
	case s.PaperNearEnd:
		return "paper near end"
	}
	return "ready"
}
