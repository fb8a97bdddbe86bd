// Package deskdisplaytest fakes desk displays for tests of the code that
// shows calls: a Display that records what it is shown, and (on Linux) a
// pseudo-terminal that stands in for a serial desk display and records
// every byte it is sent.
package deskdisplaytest

import (
	"os"
	"sync"

	"torn.cat/torn/panel/deskdisplay"
)

// Display is a fake deskdisplay.Display. Set its fields before use; its
// methods are safe for concurrent use.
type Display struct {
	// Calls, if not nil, receives every call shown, after it is
	// recorded; Show blocks until the test takes it.
	Calls chan deskdisplay.Call
	// Err is what Show returns, after recording the call.
	Err error

	mu     sync.Mutex
	shown  []deskdisplay.Call
	closed bool
}

// Show records c, sends it on Calls and returns Err; after Close, it
// returns os.ErrClosed and records nothing.
func (d *Display) Show(c deskdisplay.Call) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return os.ErrClosed
	}
	d.shown = append(d.shown, c)
	err := d.Err
	d.mu.Unlock()
	if d.Calls != nil {
		d.Calls <- c
	}
	return err
}

// Close marks the display closed; a second Close returns os.ErrClosed.
func (d *Display) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return os.ErrClosed
	}
	d.closed = true
	return nil
}

// Shown returns the calls shown so far, oldest first.
func (d *Display) Shown() []deskdisplay.Call {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]deskdisplay.Call(nil), d.shown...)
}

// Last returns the call shown last, and false if none was.
func (d *Display) Last() (deskdisplay.Call, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.shown) == 0 {
		return deskdisplay.Call{}, false
	}
	return d.shown[len(d.shown)-1], true
}

// Closed reports whether Close was called.
func (d *Display) Closed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

var _ deskdisplay.Display = (*Display)(nil)
