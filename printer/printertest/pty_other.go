//go:build !linux

package printertest

import "testing"

// NewPTY skips the test: the pseudo-terminal fakes are written for Linux.
func NewPTY(t testing.TB) (path string, p *Printer) {
	t.Helper()
	t.Skip("printertest: pseudo-terminals are faked on Linux only")
	return "", nil
}
