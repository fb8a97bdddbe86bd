package deskdisplaytest

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"torn.cat/torn/internal/ptytest"
)

// Serial is the far end of a pseudo-terminal made by NewSerial: the
// serial desk display's side of the line. It records every byte it is
// sent; its methods are safe for concurrent use.
type Serial struct {
	slave *os.File

	mu      sync.Mutex
	got     []byte
	changed chan struct{} // closed, and replaced, when got grows
}

// NewSerial makes a pseudo-terminal that stands in for a serial desk
// display until the test ends: the code under test opens path (with
// deskdisplay.OpenSerial) and s records what it sends. The line is raw
// (no echo, no CR/LF translation, no flow control), so every byte passes
// untouched.
func NewSerial(t testing.TB) (path string, s *Serial) {
	t.Helper()
	master, slave, err := ptytest.Open()
	if err != nil {
		t.Fatalf("deskdisplaytest: %v", err)
	}
	if master, err = pollable(master); err != nil {
		slave.Close()
		t.Fatalf("deskdisplaytest: %v", err)
	}
	s = &Serial{slave: slave, changed: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		b := make([]byte, 256)
		for {
			n, err := master.Read(b)
			if n > 0 {
				s.mu.Lock()
				s.got = append(s.got, b[:n]...)
				close(s.changed)
				s.changed = make(chan struct{})
				s.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	// The test keeps the slave open, so that the line and its settings
	// outlive the code under test's open and close.
	t.Cleanup(func() {
		master.Close()
		<-done
		slave.Close()
	})
	return slave.Name(), s
}

// pollable returns f as a non-blocking file served by Go's poller, so
// that closing it ends a Read in progress, and closes f.
func pollable(f *os.File) (*os.File, error) {
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	if cerr := rc.Control(func(old uintptr) { fd, err = unix.Dup(int(old)) }); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, fmt.Errorf("duplicate %s: %w", f.Name(), err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("make %s non-blocking: %w", f.Name(), err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// Bytes returns a copy of every byte the display has been sent.
func (s *Serial) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.got...)
}

// WaitFor waits up to timeout for the display to have been sent n bytes
// in all, and returns them.
func (s *Serial) WaitFor(n int, timeout time.Duration) ([]byte, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		s.mu.Lock()
		got, changed := append([]byte(nil), s.got...), s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-t.C:
			return got, fmt.Errorf("deskdisplaytest: %d of %d bytes after %v", len(got), n, timeout)
		}
	}
}

// Baud returns the line speed the code under test set.
func (s *Serial) Baud() (int, error) {
	baud, err := ptytest.Speed(s.slave)
	if err != nil {
		return 0, fmt.Errorf("deskdisplaytest: %w", err)
	}
	return baud, nil
}
