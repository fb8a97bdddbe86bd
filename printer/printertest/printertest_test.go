package printertest

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/printer"
)

// host is the other end of a Printer served on a net.Pipe, which has no
// buffer: a write returns when the printer has read it.
func host(t *testing.T) (net.Conn, *Printer) {
	h, d := net.Pipe()
	t.Cleanup(func() { h.Close() })
	return h, Serve(t, d)
}

func readAnswer(t *testing.T, h net.Conn, n int) []byte {
	t.Helper()
	h.SetReadDeadline(time.Now().Add(time.Second))
	b := make([]byte, n)
	if _, err := io.ReadFull(h, b); err != nil {
		t.Fatalf("reading %d answer bytes: %v", n, err)
	}
	return b
}

func TestAnswersQueriesSplitAcrossWrites(t *testing.T) {
	h, p := host(t)
	p.SetStatus(printer.Status{Online: true, PaperNearEnd: true})
	h.Write([]byte("text\x10"))
	h.Write([]byte{0x04})
	go h.Write([]byte{0x04, 0x10, 0x10, 0x04, 0x01})
	if got := readAnswer(t, h, 2); !bytes.Equal(got, []byte{0x1E, 0x12}) {
		t.Errorf("answers % x, want 1e 12", got)
	}
	if err := p.WaitFor(11, time.Second); err != nil {
		t.Fatal(err)
	}
	if got := p.Bytes(); string(got) != "text\x10\x04\x04\x10\x10\x04\x01" {
		t.Errorf("recorded %q", got)
	}
}

func TestStatusBytes(t *testing.T) {
	cases := []struct {
		s          printer.Status
		n1, n2, n4 byte
	}{
		{printer.Status{Online: true}, 0x12, 0x12, 0x12},
		{printer.Status{}, 0x1A, 0x12, 0x12},
		{printer.Status{CoverOpen: true}, 0x1A, 0x16, 0x12},
		{printer.Status{PaperOut: true}, 0x1A, 0x32, 0x72},
		{printer.Status{Online: true, PaperNearEnd: true}, 0x12, 0x12, 0x1E},
		{printer.Status{Error: true}, 0x1A, 0x52, 0x12},
	}
	for _, c := range cases {
		n1, _ := printer.StatusByte(c.s, 1)
		n2, _ := printer.StatusByte(c.s, 2)
		n4, _ := printer.StatusByte(c.s, 4)
		if n1 != c.n1 || n2 != c.n2 || n4 != c.n4 {
			t.Errorf("%+v: % x % x % x, want % x % x % x", c.s, n1, n2, n4, c.n1, c.n2, c.n4)
		}
		if got := printer.ParseStatus(n1, n2, n4); got != c.s {
			t.Errorf("%+v parses back as %+v", c.s, got)
		}
	}
	if _, ok := printer.StatusByte(printer.Status{}, 7); ok {
		t.Error("answers DLE EOT 7")
	}
}

func TestMuteAndStall(t *testing.T) {
	h, p := host(t)
	p.Mute(true)
	h.Write([]byte{0x10, 0x04, 0x01})
	h.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, err := h.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("muted printer answered: %d, %v", n, err)
	}
	p.Mute(false)

	p.Stall(true)
	// The read in progress takes the next write; then it stops reading.
	if _, err := h.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	h.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := h.Write([]byte("y")); err == nil {
		t.Error("a stalled printer read on")
	}
	p.Stall(false)
	h.SetWriteDeadline(time.Time{})
	if _, err := h.Write([]byte("z")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(5, time.Second); err != nil {
		t.Fatal(err)
	}
	if got := p.Bytes(); string(got[3:]) != "xz" {
		t.Errorf("recorded %q", got)
	}
}

func TestWaitForTimesOut(t *testing.T) {
	_, p := host(t)
	err := p.WaitFor(1, 20*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "0 of 1 bytes") {
		t.Errorf("err = %v", err)
	}
	if _, err := p.BaudRate(); err == nil {
		t.Error("a pipe has a baud rate")
	}
}

func TestNewTCPServesOneAtATime(t *testing.T) {
	addr, p := NewTCP(t)
	a, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	b, err := net.Dial("tcp", addr) // waits in the backlog
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a.Write([]byte("a"))
	b.Write([]byte("b"))
	if err := p.WaitFor(1, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(2, 50*time.Millisecond); err == nil {
		t.Fatal("served two connections at once")
	}
	a.Close()
	if err := p.WaitFor(2, time.Second); err != nil {
		t.Fatal(err)
	}
	if got := string(p.Bytes()); got != "ab" {
		t.Errorf("recorded %q", got)
	}
	b.Write([]byte{0x10, 0x04, 0x02})
	if got := readAnswer(t, b, 1); got[0] != 0x12 {
		t.Errorf("answer % x", got)
	}
}
