// Package idcardtest fakes document readers for tests of package idcard
// and of the code that takes documents: Reader is an idcard.Reader that a
// test feeds Scans through a channel, and NewSerial makes a
// pseudo-terminal that stands in for a serial reader's line.
package idcardtest

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"torn.cat/torn/idcard"
)

// ErrGone is what a Reader's Err reports after its In channel is closed,
// unless the test set GoneErr.
var ErrGone = errors.New("idcardtest: reader gone")

// Reader is a fake idcard.Reader. A test sends on In the Scans it
// delivers, and closes In to make the reader stop as an unplugged device
// would: Scans then closes and Err reports GoneErr. Close stops it too,
// with Err nil; after Close, a send on In blocks for ever, so a test
// that may race with Close sends in a select with Closed.
type Reader struct {
	// In takes the Scans to deliver, one at a time: a send returns
	// once the code under test has taken the Scan before, and Close
	// drops one not yet taken, as a real reader drops a document
	// half-read.
	In chan idcard.Scan
	// GoneErr is what Err reports after In is closed; default ErrGone.
	// Set it before closing In.
	GoneErr error

	out    chan idcard.Scan
	closed chan struct{}
	done   chan struct{}
	once   sync.Once

	mu  sync.Mutex
	err error
}

// NewReader starts a fake reader; the test's cleanup closes it, if the
// code under test has not, and checks its goroutine has ended.
func NewReader(t testing.TB) *Reader {
	t.Helper()
	r := &Reader{
		In:     make(chan idcard.Scan),
		out:    make(chan idcard.Scan),
		closed: make(chan struct{}),
		done:   make(chan struct{}),
	}
	go r.forward()
	t.Cleanup(func() {
		r.once.Do(func() { close(r.closed) })
		<-r.done
	})
	return r
}

// forward passes Scans from In to Scans until In closes or Close.
func (r *Reader) forward() {
	defer close(r.done)
	defer close(r.out)
	for {
		var s idcard.Scan
		var ok bool
		select {
		case s, ok = <-r.In:
		case <-r.closed:
			return
		}
		if !ok {
			r.mu.Lock()
			r.err = r.GoneErr
			if r.err == nil {
				r.err = ErrGone
			}
			r.mu.Unlock()
			return
		}
		select {
		case r.out <- s:
		case <-r.closed:
			return
		}
	}
}

// Scans returns the channel of the Scans sent on In.
func (r *Reader) Scans() <-chan idcard.Scan { return r.out }

// Err reports GoneErr once In has been closed and Scans has closed; nil
// before, and after Close.
func (r *Reader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close stops the reader: Scans closes. A second Close fails, as the
// real readers' do.
func (r *Reader) Close() error {
	err := fmt.Errorf("close idcardtest reader: %w", os.ErrClosed)
	r.once.Do(func() {
		close(r.closed)
		err = nil
	})
	<-r.done
	return err
}

// Closed returns a channel closed once Close has been called.
func (r *Reader) Closed() <-chan struct{} { return r.closed }

var _ idcard.Reader = (*Reader)(nil)
