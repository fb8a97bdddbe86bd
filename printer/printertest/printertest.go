// Package printertest fakes an ESC/POS printer for tests of package
// printer and of the code that prints: a Printer serves one end of a
// connection (a pseudo-terminal standing in for a serial line, or a TCP
// socket standing in for port 9100), records every byte it is sent, and
// answers the real-time status queries DLE EOT n from a status the test
// sets. It can be muted, like the clones that never answer, and stalled,
// like a printer whose buffer is full.
package printertest

import (
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"torn.cat/torn/printer"
)

// Printer is a fake ESC/POS printer. Its methods are safe for concurrent
// use. It starts ready: Status{Online: true}.
type Printer struct {
	mu sync.Mutex
	// changed is closed, and replaced, whenever got or a setting changes.
	changed chan struct{}
	got     []byte
	status  printer.Status
	muted   bool
	stalled bool
	stopped bool
	// seen is how much of DLE EOT n the last bytes began: 0, 1 (DLE) or
	// 2 (DLE EOT).
	seen int
	// host is the connection being served, for Send; wmu orders the
	// writes to it.
	host io.Writer
	wmu  sync.Mutex

	baud func() (int, error) // NewPTY's line speed
}

func newPrinter() *Printer {
	return &Printer{changed: make(chan struct{}), status: printer.Status{Online: true}}
}

// Serve makes a Printer of rw, one end of a connection, until the test
// ends, when it closes rw.
func Serve(t testing.TB, rw io.ReadWriteCloser) *Printer {
	t.Helper()
	p := newPrinter()
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.serve(rw)
	}()
	t.Cleanup(func() {
		p.stop()
		rw.Close()
		<-done
	})
	return p
}

// Bytes returns a copy of every byte the printer has been sent, status
// queries included.
func (p *Printer) Bytes() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]byte(nil), p.got...)
}

// WaitFor waits up to timeout for the printer to have been sent n bytes
// in all.
func (p *Printer) WaitFor(n int, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		p.mu.Lock()
		got, changed := len(p.got), p.changed
		p.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-t.C:
			return fmt.Errorf("printertest: %d of %d bytes after %v", got, n, timeout)
		}
	}
}

// SetStatus sets what the next status queries answer.
func (p *Printer) SetStatus(s printer.Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status = s
}

// Mute makes the printer answer no status query while on, as some clones
// never do. The queries are still recorded.
func (p *Printer) Mute(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.muted = on
}

// Stall makes the printer stop reading while on, so that the kernel's
// buffers between it and the host fill and the host's writes block. It
// takes effect after the read in progress, which may still take a few
// KiB.
func (p *Printer) Stall(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = on
	p.signal()
}

// Send writes b to the host unasked, as a printer with automatic status
// back enabled does, or as a late answer arrives.
func (p *Printer) Send(b []byte) error {
	p.mu.Lock()
	host := p.host
	p.mu.Unlock()
	if host == nil {
		return fmt.Errorf("printertest: no connection to send on")
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err := host.Write(b)
	return err
}

// BaudRate is the line speed the host set, for a printer made by NewPTY.
func (p *Printer) BaudRate() (int, error) {
	if p.baud == nil {
		return 0, fmt.Errorf("printertest: not a pseudo-terminal: no baud rate")
	}
	return p.baud()
}

// signal wakes WaitFor and a stalled serve; p.mu is held.
func (p *Printer) signal() {
	close(p.changed)
	p.changed = make(chan struct{})
}

func (p *Printer) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	p.signal()
}

// serve reads rw until it fails or the printer stops, and answers the
// status queries on rw.
func (p *Printer) serve(rw io.ReadWriter) {
	p.mu.Lock()
	p.host = rw
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.host = nil
		p.mu.Unlock()
	}()
	buf := make([]byte, 4096)
	for {
		if !p.waitUnstalled() {
			return
		}
		n, err := rw.Read(buf)
		if answer := p.take(buf[:n]); len(answer) > 0 {
			p.wmu.Lock()
			_, werr := rw.Write(answer)
			p.wmu.Unlock()
			if werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// waitUnstalled reports false when the printer has stopped.
func (p *Printer) waitUnstalled() bool {
	for {
		p.mu.Lock()
		stalled, stopped, changed := p.stalled, p.stopped, p.changed
		p.mu.Unlock()
		switch {
		case stopped:
			return false
		case !stalled:
			return true
		}
		<-changed
	}
}

// take records b and returns the answers to the status queries it ends.
// Like a real printer, it answers DLE EOT n wherever it appears in the
// stream, even inside another command's data.
func (p *Printer) take(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, b...)
	var answer []byte
	for _, c := range b {
		switch {
		case p.seen == 2:
			p.seen = 0
			if a, ok := printer.StatusByte(p.status, c); ok && !p.muted {
				answer = append(answer, a)
			}
		case c == 0x10:
			p.seen = 1
		case p.seen == 1 && c == 0x04:
			p.seen = 2
		default:
			p.seen = 0
		}
	}
	p.signal()
	return answer
}
