//go:build !linux

package deskdisplaytest

import (
	"testing"
	"time"

	"torn.cat/torn/internal/ptytest"
)

// Serial is the far end of a pseudo-terminal made by NewSerial; on this
// system there is none.
type Serial struct{}

// NewSerial ends the test: see ptytest.Unavailable.
func NewSerial(t testing.TB) (path string, s *Serial) {
	t.Helper()
	ptytest.Unavailable(t, "deskdisplaytest")
	return "", nil
}

// Bytes returns nothing.
func (s *Serial) Bytes() []byte { return nil }

// WaitFor returns nothing.
func (s *Serial) WaitFor(n int, timeout time.Duration) ([]byte, error) { return nil, nil }

// Baud returns 0.
func (s *Serial) Baud() (int, error) { return 0, nil }
