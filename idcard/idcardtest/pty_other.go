//go:build !linux

package idcardtest

import (
	"os"
	"testing"
)

// Serial is the far end of a pseudo-terminal: faked on Linux only.
type Serial struct{}

// NewSerial fails the test in CI (CI=true), where a missing part must be
// loud, and skips it on a developer's non-Linux laptop: the
// pseudo-terminal fake is written for Linux.
func NewSerial(t testing.TB) (path string, dev *Serial) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("idcardtest: pseudo-terminals are faked on Linux only, and CI must run the serial tests")
	}
	t.Skip("idcardtest: pseudo-terminals are faked on Linux only")
	return "", nil
}

// Write is never called: NewSerial skips the test.
func (s *Serial) Write(p []byte) (int, error) { panic("idcardtest: no pseudo-terminal") }

// Hangup is never called: NewSerial skips the test.
func (s *Serial) Hangup() error { panic("idcardtest: no pseudo-terminal") }

// Baud is never called: NewSerial skips the test.
func (s *Serial) Baud() (int, error) { panic("idcardtest: no pseudo-terminal") }
