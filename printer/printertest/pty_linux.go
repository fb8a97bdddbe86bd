package printertest

import (
	"fmt"
	"testing"

	"torn.cat/torn/internal/ptytest"
)

// NewPTY makes a pseudo-terminal that stands in for a serial printer
// until the test ends: the code under test opens path (with
// printer.OpenSerial, or printer.OpenUSB as any character device) and p
// serves the other end. The line is raw (no echo, no CR/LF translation,
// no flow control), so every byte passes untouched whoever opens it.
func NewPTY(t testing.TB) (path string, p *Printer) {
	t.Helper()
	master, slave, err := ptytest.Open()
	if err != nil {
		t.Fatalf("printertest: %v", err)
	}
	p = Serve(t, master)
	// The test keeps the slave open, so that the line and its settings
	// outlive the opens and closes of the code under test.
	t.Cleanup(func() { slave.Close() })
	p.baud = func() (int, error) {
		baud, err := ptytest.Speed(slave)
		if err != nil {
			return 0, fmt.Errorf("printertest: %w", err)
		}
		return baud, nil
	}
	return slave.Name(), p
}
