package printer_test

import (
	"bytes"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/printer"
	"torn.cat/torn/printer/printertest"
)

// twoWay is what Serial, USB and TCP all are.
type twoWay interface {
	printer.Transport
	printer.Querier
}

// link opens one kind of transport to a fake printer.
type link struct {
	name string
	open func(t *testing.T, writeTimeout time.Duration) (twoWay, *printertest.Printer)
	// async: writes run in a goroutine (serial, USB without polling), so
	// after a timeout up to one chunk more may reach the printer.
	async bool
}

// A USB printer class device cannot be had here: OpenUSB opens the
// pseudo-terminal's path instead, which to it is just another character
// device opened O_RDWR.
var links = []link{
	{name: "serial 9600", open: openSerial(9600), async: true},
	{name: "serial 115200", open: openSerial(115200), async: true},
	{name: "usb", open: func(t *testing.T, wt time.Duration) (twoWay, *printertest.Printer) {
		path, p := printertest.NewPTY(t)
		u, err := printer.OpenUSB(path, printer.USBOptions{WriteTimeout: wt})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { u.Close() })
		return u, p
	}},
	{name: "usb unpolled", async: true, open: func(t *testing.T, wt time.Duration) (twoWay, *printertest.Printer) {
		path, p := printertest.NewPTY(t)
		u, err := printer.OpenUSBUnpolled(path, printer.USBOptions{WriteTimeout: wt})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { u.Close() })
		return u, p
	}},
	{name: "tcp", open: func(t *testing.T, wt time.Duration) (twoWay, *printertest.Printer) {
		addr, p := printertest.NewTCP(t)
		c, err := printer.DialTCP(addr, printer.TCPOptions{WriteTimeout: wt})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, p
	}},
}

func openSerial(baud int) func(t *testing.T, wt time.Duration) (twoWay, *printertest.Printer) {
	return func(t *testing.T, wt time.Duration) (twoWay, *printertest.Printer) {
		path, p := printertest.NewPTY(t)
		s, err := printer.OpenSerial(path, printer.SerialOptions{BaudRate: baud, WriteTimeout: wt})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if got, err := p.BaudRate(); err != nil || got != baud {
			t.Fatalf("line speed %d (%v), want %d", got, err, baud)
		}
		return s, p
	}
}

// pattern is n bytes counting modulo m; with m = 256 it holds every byte
// value, and no DLE EOT.
func pattern(n, m int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % m)
	}
	return b
}

func TestBytesArriveExactly(t *testing.T) {
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			tr, p := l.open(t, time.Second)
			want := pattern(4096, 256) // CR, LF, XON, XOFF, DEL, … untouched
			for i := 0; i < len(want); i += 1000 {
				if n, err := tr.Write(want[i:min(i+1000, len(want))]); err != nil || n != min(1000, len(want)-i) {
					t.Fatalf("write at %d: %d, %v", i, n, err)
				}
			}
			if err := p.WaitFor(len(want), 2*time.Second); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond) // anything extra would show
			if got := p.Bytes(); !bytes.Equal(got, want) {
				t.Fatalf("printer got %d bytes, first difference at %d", len(got), firstDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestStatusAnswersParsed(t *testing.T) {
	cases := []struct {
		name   string
		status printer.Status
	}{
		{"ready", printer.Status{Online: true}},
		{"paper out", printer.Status{PaperOut: true}}, // offline too, as real printers
		{"cover open", printer.Status{CoverOpen: true}},
		{"paper near end", printer.Status{Online: true, PaperNearEnd: true}},
		{"error", printer.Status{Error: true}},
		{"offline", printer.Status{}},
	}
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			tr, p := l.open(t, time.Second)
			for _, c := range cases {
				p.SetStatus(c.status)
				got, err := printer.QueryStatus(tr, time.Second)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				if got != c.status || got.String() != c.name {
					t.Errorf("%s: got %+v (%s)", c.name, got, got)
				}
			}
			// Three queries per status, one at a time, nothing else.
			if got, want := p.Bytes(), bytes.Repeat([]byte{0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 4}, len(cases)); !bytes.Equal(got, want) {
				t.Errorf("printer got % x\nwant % x", got, want)
			}
		})
	}
}

func TestMutedPrinterGivesNoAnswerInTime(t *testing.T) {
	const timeout = 150 * time.Millisecond
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			tr, p := l.open(t, time.Second)
			p.Mute(true)
			start := time.Now()
			_, err := printer.QueryStatus(tr, timeout)
			took := time.Since(start)
			if !errors.Is(err, printer.ErrNoAnswer) {
				t.Fatalf("err = %v, want ErrNoAnswer", err)
			}
			if took < timeout || took > timeout+time.Second {
				t.Errorf("took %v, want about %v", took, timeout)
			}
			if !strings.Contains(err.Error(), "DLE EOT 1") {
				t.Errorf("error %q does not say which query", err)
			}
			// It gave up after the first query.
			if err := p.WaitFor(3, time.Second); err != nil {
				t.Fatal(err)
			}
			if got := p.Bytes(); !bytes.Equal(got, []byte{0x10, 4, 1}) {
				t.Errorf("printer got % x", got)
			}
			// And it answers again once unmuted.
			p.Mute(false)
			if _, err := printer.QueryStatus(tr, time.Second); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestStaleBytesAreNotTakenForAnswers(t *testing.T) {
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			tr, p := l.open(t, time.Second)
			if _, err := printer.QueryStatus(tr, time.Second); err != nil {
				t.Fatal(err)
			}
			// Automatic status back, or late answers: bytes nobody asked for.
			if err := p.Send([]byte{0x00, 0xff, 0x08, 0x7f}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond) // let them arrive
			p.SetStatus(printer.Status{Online: true, PaperNearEnd: true})
			got, err := printer.QueryStatus(tr, time.Second)
			if err != nil || got != (printer.Status{Online: true, PaperNearEnd: true}) {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}

func TestStalledPrinterTimesOutWrite(t *testing.T) {
	const timeout = 200 * time.Millisecond
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			tr, p := l.open(t, timeout)
			p.Stall(true)
			// More than the kernel buffers between the two ends: a few
			// KiB on a pseudo-terminal, the socket buffers on TCP.
			big := pattern(16<<20, 251)
			if l.name != "tcp" {
				big = big[:1<<20]
			}
			start := time.Now()
			n, err := tr.Write(big)
			took := time.Since(start)
			if !errors.Is(err, printer.ErrTimeout) {
				t.Fatalf("write of %d bytes: %d, %v; want ErrTimeout", len(big), n, err)
			}
			t.Logf("%d bytes taken before the stall; %v", n, err)
			if n >= len(big) || took < timeout || took > timeout+3*time.Second {
				t.Errorf("wrote %d bytes in %v", n, took)
			}
			// The printer reads again: the next write waits for nothing
			// and nothing is interleaved.
			p.Stall(false)
			after := []byte("after the stall\n")
			if _, err := tr.Write(after); err != nil {
				t.Fatal(err)
			}
			got := waitSuffix(t, p, after)
			body := got[:len(got)-len(after)]
			if len(body) < n || !bytes.Equal(body, big[:len(body)]) {
				t.Fatalf("printer got %d bytes before %q, %d were taken; first difference at %d", len(body), after, n, firstDiff(body, big))
			}
			extra := len(body) - n
			if extra != 0 && (!l.async || extra > 256) {
				t.Errorf("%d bytes went out after the write returned", extra)
			}
		})
	}
}

// waitSuffix waits for the printer's bytes to end with suffix.
func waitSuffix(t *testing.T, p *printertest.Printer, suffix []byte) []byte {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := p.Bytes()
		if bytes.HasSuffix(got, suffix) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("printer's %d bytes do not end with %q", len(got), suffix)
		}
		p.WaitFor(len(got)+1, 100*time.Millisecond)
	}
}

// A query after a ticket waits for the ticket to leave the port: at 9600
// baud 96 bytes take 100 ms on the wire.
func TestSerialQueryWaitsForBytesOnTheWire(t *testing.T) {
	path, p := printertest.NewPTY(t)
	s, err := printer.OpenSerial(path, printer.SerialOptions{BaudRate: 9600})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p.Mute(true)
	if _, err := s.Write(pattern(96, 256)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Query([]byte{0x10, 4, 1}, 1, 100*time.Millisecond)
	took := time.Since(start)
	if !errors.Is(err, printer.ErrNoAnswer) {
		t.Fatalf("err = %v", err)
	}
	if took < 190*time.Millisecond || took > 2*time.Second {
		t.Errorf("gave up after %v, want 100 ms on the wire + 100 ms", took)
	}
}

func TestSerialOpenErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "ttyUSB9")
	_, err := printer.OpenSerial(missing, printer.SerialOptions{})
	if err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing device: %v", err)
	}
	t.Log(err)
	if _, err := printer.OpenSerial(missing, printer.SerialOptions{FlowControl: "xonxoff"}); !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "xonxoff") {
		t.Errorf("flow control xonxoff: %v", err)
	}
	if _, err := printer.OpenSerial(missing, printer.SerialOptions{FlowControl: "rtscts"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("flow control rtscts on a missing device: %v", err)
	}
	if _, err := printer.OpenSerial(missing, printer.SerialOptions{FlowControl: "hardware"}); err == nil || !strings.Contains(err.Error(), `"hardware"`) {
		t.Errorf("unknown flow control: %v", err)
	}
}

func TestSerialDefaultsTo115200(t *testing.T) {
	path, p := printertest.NewPTY(t)
	s, err := printer.OpenSerial(path, printer.SerialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := p.BaudRate(); err != nil || got != 115200 {
		t.Errorf("line speed %d, %v", got, err)
	}
	if got := s.String(); got != "serial "+path {
		t.Errorf("String() = %q", got)
	}
}

func TestClosedTransportRefuses(t *testing.T) {
	for _, l := range links {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			tr, _ := l.open(t, time.Second)
			if err := tr.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := tr.Write([]byte("x")); err == nil {
				t.Error("write after close succeeded")
			}
			if _, err := tr.Query([]byte{0x10, 4, 1}, 1, 100*time.Millisecond); err == nil {
				t.Error("query after close succeeded")
			}
		})
	}
}

func TestUSBOpenErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "lp0")
	_, err := printer.OpenUSB(missing, printer.USBOptions{})
	if err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing device: %v", err)
	}
	t.Log(err)
}

func TestTCPReconnect(t *testing.T) {
	addr, p := printertest.NewTCP(t)
	for i, ticket := range []string{"first\n", "second\n"} {
		c, err := printer.DialTCP(addr, printer.TCPOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte(ticket)); err != nil {
			t.Fatal(err)
		}
		if _, err := printer.QueryStatus(c, time.Second); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	q := "\x10\x04\x01\x10\x04\x02\x10\x04\x04"
	if got, want := string(p.Bytes()), "first\n"+q+"second\n"+q; got != want {
		t.Errorf("printer got %q, want %q", got, want)
	}
}

func TestDialTCPErrors(t *testing.T) {
	// A port that was free a moment ago: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = printer.DialTCP(addr, printer.TCPOptions{DialTimeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("closed port: %v", err)
	}
	t.Log(err)

	// No port: 9100.
	_, err = printer.DialTCP("127.0.0.1", printer.TCPOptions{DialTimeout: time.Second})
	if err != nil && !strings.Contains(err.Error(), "127.0.0.1:9100") {
		t.Errorf("default port: %v", err)
	}
}

func TestFileAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tickets.bin")
	for _, s := range []string{"one\n", "two\n"} {
		f, err := printer.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "one\ntwo\n" {
		t.Errorf("file holds %q", got)
	}
	var tr printer.Transport
	tr, err = printer.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, ok := tr.(printer.Querier); ok {
		t.Error("a file answers queries")
	}

	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "x.bin")
	if _, err := printer.OpenFile(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing directory: %v", err)
	}
}
