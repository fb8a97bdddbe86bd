package printertest

import (
	"net"
	"sync"
	"testing"
)

// NewTCP starts a fake network printer on 127.0.0.1 at a free port, until
// the test ends. Like a real one it serves one connection at a time: a
// second waits until the first is closed. All connections feed the same
// Printer.
func NewTCP(t testing.TB) (addr string, p *Printer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("printertest: listen: %v", err)
	}
	p = newPrinter()
	var (
		mu   sync.Mutex
		cur  net.Conn // the connection being served
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			cur = c
			mu.Unlock()
			p.serve(c) // returns at once once the printer has stopped
			c.Close()
			mu.Lock()
			cur = nil
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		p.stop()
		ln.Close()
		mu.Lock()
		if cur != nil {
			cur.Close()
		}
		mu.Unlock()
		<-done
	})
	return ln.Addr().String(), p
}
