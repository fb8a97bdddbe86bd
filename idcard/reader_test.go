package idcard

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// Specimen documents (ICAO 9303 and the Spanish DNI 3.0): no real
// person's.
var (
	readerTD1 = []string{
		"I<UTOD231458907<<<<<<<<<<<<<<<",
		"7408122F1204159UTO<<<<<<<<<<<6",
		"ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
	}
	readerDNI = []string{
		"IDESPBAA000589599999999R<<<<<<",
		"8001014F2501017ESP<<<<<<<<<<<7",
		"ESPANOLA<ESPANOLA<<CARMEN<<<<<",
	}
	readerTD2 = []string{
		"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
		"D231458907UTO7408122F1204159<<<<<<<6",
	}
	readerTD3 = []string{
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	}
)

// scanWant is a Scan a test expects: its lines and the sentinel its
// error wraps (nil for a whole document).
type scanWant struct {
	lines []string
	err   error
}

func scanWhole(lines ...string) scanWant { return scanWant{lines: lines} }

func scanCut(lines ...string) scanWant { return scanWant{lines: lines, err: ErrIncomplete} }

func scanTooLong(lines ...string) scanWant { return scanWant{lines: lines, err: ErrLineTooLong} }

// joinLines ends each line with end.
func joinLines(end string, lines ...string) string {
	return strings.Join(lines, end) + end
}

// compareScans fails the test unless got are the scans in want, and
// checks that no error repeats a line of its document.
func compareScans(t *testing.T, got []Scan, want []scanWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d scans, want %d:\n%s", len(got), len(want), describeScans(got))
		return
	}
	for i, w := range want {
		g := got[i]
		if !slices.Equal(g.Lines, w.lines) {
			t.Errorf("scan %d: lines %q, want %q", i, g.Lines, w.lines)
		}
		switch {
		case w.err == nil && g.Err != nil:
			t.Errorf("scan %d: error %v, want none", i, g.Err)
		case w.err != nil && !errors.Is(g.Err, w.err):
			t.Errorf("scan %d: error %v, want %v", i, g.Err, w.err)
		}
		if g.Err != nil {
			for _, l := range g.Lines {
				if len(l) > 3 && strings.Contains(g.Err.Error(), l) {
					t.Errorf("scan %d: error %q holds the text of a line", i, g.Err)
				}
			}
		}
	}
}

func describeScans(scans []Scan) string {
	var b strings.Builder
	for i, s := range scans {
		fmt.Fprintf(&b, "  %d: %q err=%v\n", i, s.Lines, s.Err)
	}
	return b.String()
}

func TestAssembler(t *testing.T) {
	long := strings.Repeat("A", MaxLineLen+1)
	tests := []struct {
		name  string
		input string
		want  []scanWant
	}{
		{"TD1 with CRLF", joinLines("\r\n", readerTD1...), []scanWant{scanWhole(readerTD1...)}},
		{"TD1 with CR", joinLines("\r", readerDNI...), []scanWant{scanWhole(readerDNI...)}},
		{"TD2 with LF", joinLines("\n", readerTD2...), []scanWant{scanWhole(readerTD2...)}},
		{"TD3 with LF", joinLines("\n", readerTD3...), []scanWant{scanWhole(readerTD3...)}},
		{"barcode", "99999999R\r\n", []scanWant{scanWhole("99999999R")}},
		{"barcode framed, no line end", "\x0299999999R\x03", []scanWant{scanWhole("99999999R")}},
		{"TD1 framed", "\x02" + joinLines("\r\n", readerTD1...) + "\x03", []scanWant{scanWhole(readerTD1...)}},
		{"TD1 framed without a last line end", "\x02" + strings.Join(readerTD1, "\r") + "\x03", []scanWant{scanWhole(readerTD1...)}},
		{
			"two documents back to back",
			joinLines("\r\n", readerTD1...) + joinLines("\r\n", readerDNI...),
			[]scanWant{scanWhole(readerTD1...), scanWhole(readerDNI...)},
		},
		{
			"a barcode, then a passport",
			"X1234567L\n" + joinLines("\n", readerTD3...),
			[]scanWant{scanWhole("X1234567L"), scanWhole(readerTD3...)},
		},
		{
			"a line of another length ends a document",
			joinLines("\r\n", readerTD1[:2]...) + joinLines("\r\n", readerTD3...),
			[]scanWant{scanCut(readerTD1[:2]...), scanWhole(readerTD3...)},
		},
		{
			"a barcode in the middle of a document",
			joinLines("\n", readerTD1[0], "12345678Z", readerTD1[1]),
			[]scanWant{scanCut(readerTD1[0]), scanWhole("12345678Z")},
		},
		{
			"ETX early",
			"\x02" + joinLines("\r\n", readerTD1[:2]...) + "\x03" + "\x02" + joinLines("\r\n", readerTD1...) + "\x03",
			[]scanWant{scanCut(readerTD1[:2]...), scanWhole(readerTD1...)},
		},
		{
			"STX in the middle of a document",
			joinLines("\n", readerTD3[0]) + "\x02" + joinLines("\n", readerTD3...),
			[]scanWant{scanCut(readerTD3[0]), scanWhole(readerTD3...)},
		},
		{
			"overlong line",
			long + "\r\n" + "99999999R\r\n",
			[]scanWant{scanTooLong(), scanWhole("99999999R")},
		},
		{
			"overlong line in a document",
			joinLines("\n", readerTD1[0], long, readerTD1[1]),
			[]scanWant{scanTooLong(readerTD1[0])}, // and readerTD1[1] begins a document
		},
		{
			"overlong line dropped to its end, framing included",
			long + long + "\x03" + "99999999R\n",
			[]scanWant{scanTooLong(), scanWhole("99999999R")},
		},
		{
			"longest line",
			strings.Repeat("B", MaxLineLen) + "\n",
			[]scanWant{scanWhole(strings.Repeat("B", MaxLineLen))},
		},
		{
			"control bytes ignored",
			"\x00\x07" + strings.Join(readerTD1, "\t\x1b\r\n\x7f") + "\x11\x13\r\n",
			[]scanWant{scanWhole(readerTD1...)},
		},
		{
			"spaces around lines trimmed",
			"  " + joinLines(" \r\n", readerTD3...) + "  12 34  \r\n",
			[]scanWant{scanWhole(readerTD3...), scanWhole("12 34")},
		},
		{
			"blank lines skipped",
			"\r\n\n" + joinLines("\n\r\n", readerTD1...) + "\n\n",
			[]scanWant{scanWhole(readerTD1...)},
		},
		{
			"LF CR",
			joinLines("\n\r", readerTD1...),
			[]scanWant{scanWhole(readerTD1...)},
		},
		{"nothing", "\r\n\x02\x03\x00", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			var a assembler
			a.write([]byte(tt.input), now)
			got := a.take()
			compareScans(t, got, tt.want)
			for _, s := range got {
				if !s.Time.Equal(now) {
					t.Errorf("scan time %v, want %v", s.Time, now)
				}
			}
			// Byte by byte, each a moment later: the same.
			var b assembler
			for i := range len(tt.input) {
				b.write([]byte{tt.input[i]}, now.Add(time.Duration(i)*time.Millisecond))
			}
			compareScans(t, b.take(), tt.want)
		})
	}
}

func TestAssemblerExpire(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var a assembler
	if _, ok := a.deadline(time.Second); ok {
		t.Fatal("deadline before anything arrived")
	}
	a.write([]byte(readerTD1[0]+"\r\n"), start)
	a.write([]byte(readerTD1[1][:10]), start.Add(time.Second))
	d, ok := a.deadline(time.Second)
	if !ok || !d.Equal(start.Add(2*time.Second)) {
		t.Fatalf("deadline %v %v, want %v true", d, ok, start.Add(2*time.Second))
	}
	a.expire()
	got := a.take()
	compareScans(t, got, []scanWant{scanCut(readerTD1[0], readerTD1[1][:10])})
	if len(got) == 1 && !got[0].Time.Equal(start.Add(time.Second)) {
		t.Errorf("scan time %v, want the time of the last byte, %v", got[0].Time, start.Add(time.Second))
	}
	if _, ok := a.deadline(time.Second); ok {
		t.Error("deadline after the document expired")
	}
	// The rest of the line, too late, is a line of its own.
	a.write([]byte(readerTD1[1][10:]+"\r\n"), start.Add(3*time.Second))
	compareScans(t, a.take(), []scanWant{scanWhole(readerTD1[1][10:])})

	// An overlong line without an end expires without a Scan of its own.
	a.write([]byte(strings.Repeat("x", 3*MaxLineLen)), start)
	compareScans(t, a.take(), []scanWant{scanTooLong()})
	if _, ok := a.deadline(time.Second); !ok {
		t.Fatal("no deadline while dropping an overlong line")
	}
	a.expire()
	compareScans(t, a.take(), nil)
	a.write([]byte("short\n"), start)
	compareScans(t, a.take(), []scanWant{scanWhole("short")})
}

func TestSplitScans(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []scanWant
	}{
		{"TD1", joinLines("\n", readerTD1...), []scanWant{scanWhole(readerTD1...)}},
		{"without the last line end", strings.Join(readerTD3, "\n"), []scanWant{scanWhole(readerTD3...)}},
		{"CRLF", joinLines("\r\n", readerDNI...), []scanWant{scanWhole(readerDNI...)}},
		{
			"several, blank lines between",
			joinLines("\n", readerTD1...) + "\n\n" + joinLines("\n", readerTD3...) + "\n99999999R\nX1234567L\n",
			[]scanWant{scanWhole(readerTD1...), scanWhole(readerTD3...), scanWhole("99999999R"), scanWhole("X1234567L")},
		},
		{
			"a blank line cuts a document short",
			joinLines("\n", readerTD1[:2]...) + "\n" + joinLines("\n", readerTD2...),
			[]scanWant{scanCut(readerTD1[:2]...), scanWhole(readerTD2...)},
		},
		{"cut short by the end", joinLines("\n", readerTD1[:2]...) + "\n\n", []scanWant{scanCut(readerTD1[:2]...)}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitScans(strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			compareScans(t, got, tt.want)
		})
	}
}

func TestSplitScansReadError(t *testing.T) {
	_, err := SplitScans(&failingReader{})
	if !errors.Is(err, syscall.EIO) {
		t.Errorf("error %v, want one wrapping EIO", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, syscall.EIO }

// fakeDevice stands in for a device under a lineReader: a test sends
// bytes on in, or an error on fail; closing it makes read fail.
type fakeDevice struct {
	in     chan []byte
	fail   chan error
	closed chan struct{}
}

func newFakeDevice() *fakeDevice {
	return &fakeDevice{in: make(chan []byte), fail: make(chan error), closed: make(chan struct{})}
}

func (d *fakeDevice) read() ([]byte, error) {
	select {
	case b := <-d.in:
		return b, nil
	case err := <-d.fail:
		return nil, err
	case <-d.closed:
		return nil, os.ErrClosed
	}
}

func (d *fakeDevice) Close() error {
	close(d.closed)
	return nil
}

// startFakeReader runs a lineReader on a fake device; call it in a synctest
// bubble.
func startFakeReader(t *testing.T, opts Options) (*lineReader, *fakeDevice) {
	d := newFakeDevice()
	r := newLineReader("fake reader", opts, d.Close)
	r.start(d.read)
	return r, d
}

// receiveScans returns the scans the reader has delivered: every goroutine of
// the synctest bubble is then blocked.
func receiveScans(r Reader) (scans []Scan, closed bool) {
	synctest.Wait()
	for {
		select {
		case s, ok := <-r.Scans():
			if !ok {
				return scans, true
			}
			scans = append(scans, s)
			synctest.Wait()
		default:
			return scans, false
		}
	}
}

func TestReaderTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, dev := startFakeReader(t, Options{})
		defer r.Close()
		dev.in <- []byte(joinLines("\r\n", readerTD1[:2]...))
		sent := time.Now()
		time.Sleep(DefaultTimeout - time.Nanosecond)
		if got, _ := receiveScans(r); len(got) != 0 {
			t.Fatalf("scan before the timeout: %s", describeScans(got))
		}
		time.Sleep(time.Nanosecond)
		got, _ := receiveScans(r)
		compareScans(t, got, []scanWant{scanCut(readerTD1[:2]...)})
		if len(got) == 1 && !got[0].Time.Equal(sent) {
			t.Errorf("scan time %v, want when the last line came, %v", got[0].Time, sent)
		}

		// A document typed slowly, each byte within the timeout of the
		// one before, is whole.
		for _, c := range []byte(joinLines("\r\n", readerTD3...)) {
			time.Sleep(DefaultTimeout - time.Millisecond)
			dev.in <- []byte{c}
		}
		got, _ = receiveScans(r)
		compareScans(t, got, []scanWant{scanWhole(readerTD3...)})

		// A line without its end expires with what came of it.
		dev.in <- []byte("9999")
		time.Sleep(DefaultTimeout)
		got, _ = receiveScans(r)
		compareScans(t, got, []scanWant{scanCut("9999")})
	})
}

func TestReaderTimeoutOption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, dev := startFakeReader(t, Options{Timeout: 100 * time.Millisecond})
		defer r.Close()
		dev.in <- []byte(readerTD3[0] + "\n")
		time.Sleep(99 * time.Millisecond)
		if got, _ := receiveScans(r); len(got) != 0 {
			t.Fatalf("scan before the timeout: %s", describeScans(got))
		}
		time.Sleep(time.Millisecond)
		got, _ := receiveScans(r)
		compareScans(t, got, []scanWant{scanCut(readerTD3[0])})
	})
}

func TestReaderDeviceGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, dev := startFakeReader(t, Options{})
		dev.in <- []byte(joinLines("\n", readerDNI...) + readerTD1[0] + "\n" + readerTD1[1][:5])
		dev.fail <- syscall.EIO
		got, closed := receiveScans(r)
		if !closed {
			t.Fatal("Scans still open after the device failed")
		}
		compareScans(t, got, []scanWant{scanWhole(readerDNI...), scanCut(readerTD1[0], readerTD1[1][:5])})
		if err := r.Err(); !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), "fake reader") {
			t.Errorf("Err() = %v, want an error naming the reader and wrapping EIO", err)
		}
		select {
		case <-dev.closed:
		default:
			t.Error("the device is still open after it failed")
		}
		if err := r.Close(); err != nil {
			t.Errorf("Close after the device failed: %v", err)
		}
	})
}

func TestReaderClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, dev := startFakeReader(t, Options{})
		// Scans nobody reads (as many as the reader holds before its
		// device goroutine blocks), and half a document.
		for range 5 {
			dev.in <- []byte("99999999R\n")
		}
		dev.in <- []byte(readerTD1[0] + "\n")
		if err := r.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		n := 0
		for range r.Scans() {
			n++
		}
		if n == 0 || n > 5 {
			t.Errorf("%d scans left after Close, want 1 to 5", n)
		}
		if err := r.Err(); err != nil {
			t.Errorf("Err() after Close = %v, want nil", err)
		}
		if err := r.Close(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("second Close: %v, want os.ErrClosed", err)
		}
		// synctest.Test fails if a goroutine of the reader is left.
	})
}

func TestReaderLogsNoText(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		r, dev := startFakeReader(t, Options{Log: log})
		dev.in <- []byte(joinLines("\r\n", readerDNI...) + "\x0099999999R\n" + readerTD1[0] + "\n")
		time.Sleep(DefaultTimeout)
		got, _ := receiveScans(r)
		r.Close()
		compareScans(t, got, []scanWant{scanWhole(readerDNI...), scanWhole("99999999R"), scanCut(readerTD1[0])})
		if !strings.Contains(logs.String(), "lengths=\"[30 30 30]\"") {
			t.Errorf("the log does not give the line lengths:\n%s", logs.String())
		}
		for _, text := range append(slices.Concat(readerDNI, readerTD1), "99999999", "BAA000589", "ESPANOLA", "ERIKSSON") {
			if strings.Contains(logs.String(), text) {
				t.Errorf("the log holds document text %q:\n%s", text, logs.String())
			}
		}
	})
}
