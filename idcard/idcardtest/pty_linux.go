package idcardtest

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"torn.cat/torn/internal/ptytest"
)

// Serial is the far end of a pseudo-terminal made by NewSerial: the
// document reader's side of the line.
type Serial struct {
	master *os.File
	slave  *os.File
	once   sync.Once
}

// NewSerial makes a pseudo-terminal that stands in for a serial document
// reader until the test ends: the code under test opens path (with
// idcard.OpenSerial) and the test writes what the reader sends to dev.
// The line is raw (no echo, no CR/LF translation, no flow control, no
// signal characters), so STX, ETX and every other byte pass untouched.
func NewSerial(t testing.TB) (path string, dev *Serial) {
	t.Helper()
	master, slave, err := ptytest.Open()
	if err != nil {
		t.Fatalf("idcardtest: %v", err)
	}
	dev = &Serial{master: master, slave: slave}
	// The test keeps the slave open, so that the line and its settings
	// outlive the code under test's open and close.
	t.Cleanup(func() {
		dev.Hangup()
		slave.Close()
	})
	return slave.Name(), dev
}

// Write sends p to the code under test, as the reader's bytes.
func (s *Serial) Write(p []byte) (int, error) { return s.master.Write(p) }

// Hangup closes the reader's end of the line, as when a USB reader is
// unplugged: reads at the other end fail.
func (s *Serial) Hangup() error {
	err := os.ErrClosed
	s.once.Do(func() { err = s.master.Close() })
	return err
}

// Baud returns the line speed the code under test set.
func (s *Serial) Baud() (int, error) {
	baud, err := ptytest.Speed(s.slave)
	if err != nil {
		return 0, fmt.Errorf("idcardtest: %w", err)
	}
	return baud, nil
}
