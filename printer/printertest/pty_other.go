//go:build !linux

package printertest

import (
	"testing"

	"torn.cat/torn/internal/ptytest"
)

// NewPTY ends the test: see ptytest.Unavailable.
func NewPTY(t testing.TB) (path string, p *Printer) {
	t.Helper()
	ptytest.Unavailable(t, "printertest")
	return "", nil
}
