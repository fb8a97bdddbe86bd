package printer

import (
	"errors"
	"fmt"
	"time"
)

// ErrBadAnswer: the printer answered a status query with a byte that is
// not a status byte (bits 1 and 4, 0x12, are set in every real one).
var ErrBadAnswer = errors.New("not a status answer")

// DLE EOT n, the real-time status queries, and the bits of their answers.
const (
	statusDLE = 0x10
	statusEOT = 0x04

	statusFixed = 0x12 // bits 1 and 4: set in every answer

	statusOffline   = 0x08 // n = 1
	statusCoverOpen = 0x04 // n = 2
	statusPaperStop = 0x20 // n = 2: printing stopped at paper end
	statusError     = 0x40 // n = 2
	statusNearEnd   = 0x0C // n = 4: paper roll near-end sensor
	statusPaperOut  = 0x60 // n = 4: paper roll end sensor
)

// ParseStatus reads the answers to DLE EOT 1 (printer), 2 (offline cause)
// and 4 (paper roll sensor). It does not check that they are status bytes
// at all: QueryStatus does.
func ParseStatus(n1, n2, n4 byte) Status {
	return Status{
		Online:       n1&statusOffline == 0,
		CoverOpen:    n2&statusCoverOpen != 0,
		PaperOut:     n4&statusPaperOut != 0 || n2&statusPaperStop != 0,
		PaperNearEnd: n4&statusNearEnd != 0,
		Error:        n2&statusError != 0,
	}
}

// QueryStatus asks the printer for its status with DLE EOT 1, 2 and 4,
// one at a time, each answer awaited up to timeout. A printer that does
// not answer the first gives an error wrapping ErrNoAnswer after timeout
// (some clones never answer); a byte that is not a status byte gives one
// wrapping ErrBadAnswer.
func QueryStatus(q Querier, timeout time.Duration) (Status, error) {
	var answers [3]byte
	for i, n := range [3]byte{1, 2, 4} {
		b, err := q.Query([]byte{statusDLE, statusEOT, n}, 1, timeout)
		if err != nil {
			return Status{}, fmt.Errorf("read printer status (DLE EOT %d): %w", n, err)
		}
		if len(b) < 1 {
			return Status{}, fmt.Errorf("read printer status (DLE EOT %d): %w", n, ErrNoAnswer)
		}
		if b[0]&statusFixed != statusFixed {
			return Status{}, fmt.Errorf("read printer status (DLE EOT %d): answer %#02x: %w", n, b[0], ErrBadAnswer)
		}
		answers[i] = b[0]
	}
	return ParseStatus(answers[0], answers[1], answers[2]), nil
}

// StatusByte is the answer to DLE EOT n for s, the inverse of ParseStatus, as Epson's printers give
// it: bits 1 and 4 always set; n = 1 bit 3 offline; n = 2 bit 2 cover
// open, bit 5 stopped at paper end, bit 6 error; n = 3 bit 5 unrecoverable
// error; n = 4 bits 2–3 paper near end, bits 5–6 paper out. Each field
// sets its own bits only (a real printer also goes offline when its cover
// opens). Other n have no answer.
func StatusByte(s Status, n byte) (byte, bool) {
	a := byte(0x12)
	switch n {
	case 1:
		if !s.Online {
			a |= 0x08
		}
	case 2:
		if s.CoverOpen {
			a |= 0x04
		}
		if s.PaperOut {
			a |= 0x20
		}
		if s.Error {
			a |= 0x40
		}
	case 3:
		if s.Error {
			a |= 0x20
		}
	case 4:
		if s.PaperNearEnd {
			a |= 0x0C
		}
		if s.PaperOut {
			a |= 0x60
		}
	default:
		return 0, false
	}
	return a, true
}
