//go:build !linux

package idcardtest

import (
	"testing"

	"torn.cat/torn/internal/ptytest"
)

// Serial is the far end of a pseudo-terminal: faked on Linux only.
type Serial struct{}

// NewSerial ends the test: see ptytest.Unavailable.
func NewSerial(t testing.TB) (path string, dev *Serial) {
	t.Helper()
	ptytest.Unavailable(t, "idcardtest")
	return "", nil
}

// Write is never called: NewSerial skips the test.
func (s *Serial) Write(p []byte) (int, error) { panic("idcardtest: no pseudo-terminal") }

// Hangup is never called: NewSerial skips the test.
func (s *Serial) Hangup() error { panic("idcardtest: no pseudo-terminal") }

// Baud is never called: NewSerial skips the test.
func (s *Serial) Baud() (int, error) { panic("idcardtest: no pseudo-terminal") }
