package idcard_test

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/idcard"
	"torn.cat/torn/idcard/idcardtest"
)

func init() {
	// -update rewrites the recordings under testdata/ (evdev_test.go).
	// Defined here unless another test file of the package defines it:
	// every golden test of the package shares the one flag.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the files under testdata/")
	}
}

// Specimens, as in reader_test.go (a package of its own).
var (
	serialTD1 = []string{
		"I<UTOD231458907<<<<<<<<<<<<<<<",
		"7408122F1204159UTO<<<<<<<<<<<6",
		"ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
	}
	serialDNI = []string{
		"IDESPBAA000589599999999R<<<<<<",
		"8001014F2501017ESP<<<<<<<<<<<7",
		"ESPANOLA<ESPANOLA<<CARMEN<<<<<",
	}
	serialTD3 = []string{
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	}
)

// serialWait bounds every wait of these tests: far longer than anything
// takes, so that a slow machine does not fail them.
const serialWait = 10 * time.Second

// openPTYSerial opens a serial reader on a pseudo-terminal at 19200 baud;
// the test writes what the reader sends to dev.
func openPTYSerial(t *testing.T, timeout time.Duration) (*idcard.Serial, *idcardtest.Serial) {
	t.Helper()
	path, dev := idcardtest.NewSerial(t)
	r, err := idcard.OpenSerial(path, 19200, idcard.Options{Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, dev
}

func serialSend(t *testing.T, dev *idcardtest.Serial, s string) {
	t.Helper()
	if _, err := dev.Write([]byte(s)); err != nil {
		t.Fatalf("write to the pseudo-terminal: %v", err)
	}
}

// serialNext waits for the reader's next scan.
func serialNext(t *testing.T, r idcard.Reader) idcard.Scan {
	t.Helper()
	select {
	case s, ok := <-r.Scans():
		if !ok {
			t.Fatalf("Scans closed: %v", r.Err())
		}
		return s
	case <-time.After(serialWait):
		t.Fatalf("no scan within %v", serialWait)
	}
	panic("unreachable")
}

// serialExpect waits for a scan of lines whose error wraps want (nil: none).
func serialExpect(t *testing.T, r idcard.Reader, want error, lines ...string) idcard.Scan {
	t.Helper()
	s := serialNext(t, r)
	if !slices.Equal(s.Lines, lines) {
		t.Errorf("lines %q, want %q", s.Lines, lines)
	}
	if want == nil && s.Err != nil || !errors.Is(s.Err, want) {
		t.Errorf("scan error %v, want %v", s.Err, want)
	}
	return s
}

// serialExpectNone checks the reader delivers nothing more for a while.
func serialExpectNone(t *testing.T, r idcard.Reader, d time.Duration) {
	t.Helper()
	select {
	case s, ok := <-r.Scans():
		t.Errorf("unexpected scan %q (err %v, open %v)", s.Lines, s.Err, ok)
	case <-time.After(d):
	}
}

func serialCRLF(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

func TestSerialBaud(t *testing.T) {
	_, dev := openPTYSerial(t, 0)
	baud, err := dev.Baud()
	if err != nil {
		t.Fatal(err)
	}
	if baud != 19200 {
		t.Errorf("line speed %d, want 19200", baud)
	}
}

func TestSerialDefaultBaud(t *testing.T) {
	path, dev := idcardtest.NewSerial(t)
	r, err := idcard.OpenSerial(path, 0, idcard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if baud, err := dev.Baud(); err != nil || baud != idcard.DefaultBaud {
		t.Errorf("line speed %d, %v; want %d", baud, err, idcard.DefaultBaud)
	}
}

func TestSerialDocuments(t *testing.T) {
	r, dev := openPTYSerial(t, 0)
	t.Run("TD1 with CRLF", func(t *testing.T) {
		serialSend(t, dev, serialCRLF(serialTD1...))
		s := serialExpect(t, r, nil, serialTD1...)
		if time.Since(s.Time) > serialWait || s.Time.After(time.Now()) {
			t.Errorf("scan time %v, not a moment ago", s.Time)
		}
	})
	t.Run("TD3 with LF", func(t *testing.T) {
		serialSend(t, dev, strings.Join(serialTD3, "\n")+"\n")
		serialExpect(t, r, nil, serialTD3...)
	})
	t.Run("STX and ETX", func(t *testing.T) {
		serialSend(t, dev, "\x02"+serialCRLF(serialDNI...)+"\x03")
		serialExpect(t, r, nil, serialDNI...)
		serialSend(t, dev, "\x0299999999R\x03")
		serialExpect(t, r, nil, "99999999R")
	})
	t.Run("barcode", func(t *testing.T) {
		serialSend(t, dev, "X1234567L\r")
		serialExpect(t, r, nil, "X1234567L")
	})
	t.Run("back to back", func(t *testing.T) {
		serialSend(t, dev, serialCRLF(serialTD1...)+serialCRLF(serialDNI...)+"12345678Z\r\n"+serialCRLF(serialTD3...))
		serialExpect(t, r, nil, serialTD1...)
		serialExpect(t, r, nil, serialDNI...)
		serialExpect(t, r, nil, "12345678Z")
		serialExpect(t, r, nil, serialTD3...)
	})
	t.Run("split at odd places", func(t *testing.T) {
		text := "\x02" + serialCRLF(serialTD1...) + "\x03" + serialCRLF("99999999R")
		// Cut between CR and LF, inside lines, around STX and ETX.
		cuts := []int{1, 2, 29, 31, 32, 33, 60, 95, 96, 97, 101}
		prev := 0
		for _, c := range append(cuts, len(text)) {
			serialSend(t, dev, text[prev:c])
			prev = c
			// Give the reader time to read each piece by itself
			// (if it reads two at once, the test only checks less).
			time.Sleep(5 * time.Millisecond)
		}
		serialExpect(t, r, nil, serialTD1...)
		serialExpect(t, r, nil, "99999999R")
	})
	t.Run("overlong line", func(t *testing.T) {
		serialSend(t, dev, strings.Repeat("<", 300)+"\r\n"+"99999999R\r\n")
		serialExpect(t, r, idcard.ErrLineTooLong)
		serialExpect(t, r, nil, "99999999R")
	})
	t.Run("line noise", func(t *testing.T) {
		serialSend(t, dev, "\x00\x11\x13\x1b"+serialCRLF(serialTD3...)+"\x7f")
		serialExpect(t, r, nil, serialTD3...)
	})
	serialExpectNone(t, r, 50*time.Millisecond)
}

func TestSerialHalfRead(t *testing.T) {
	const timeout = 100 * time.Millisecond
	r, dev := openPTYSerial(t, timeout)
	start := time.Now()
	serialSend(t, dev, serialCRLF(serialTD1[:2]...))
	s := serialExpect(t, r, idcard.ErrIncomplete, serialTD1[:2]...)
	// The reader read the lines after they were written, and waited
	// the timeout after that.
	if waited := time.Since(start); waited < timeout {
		t.Errorf("incomplete scan after %v, before the timeout (%v)", waited, timeout)
	}
	if s.Time.Before(start) {
		t.Errorf("scan time %v, before the lines were sent (%v)", s.Time, start)
	}
	// The reader goes on: the next document is whole.
	serialSend(t, dev, serialCRLF(serialTD1...))
	serialExpect(t, r, nil, serialTD1...)
}

func TestSerialDeviceGone(t *testing.T) {
	r, dev := openPTYSerial(t, 0)
	serialSend(t, dev, "99999999R\n")
	serialExpect(t, r, nil, "99999999R")
	if err := dev.Hangup(); err != nil {
		t.Fatal(err)
	}
	select {
	case s, ok := <-r.Scans():
		if ok {
			t.Fatalf("scan %q after the hang-up, want Scans closed", s.Lines)
		}
	case <-time.After(serialWait):
		t.Fatalf("Scans still open %v after the hang-up", serialWait)
	}
	err := r.Err()
	if err == nil {
		t.Fatal("Err() = nil after the device went away")
	}
	if !strings.Contains(err.Error(), "/dev/") {
		t.Errorf("Err() = %q, does not name the device", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close after the device went away: %v", err)
	}
}

func TestSerialClose(t *testing.T) {
	path, dev := idcardtest.NewSerial(t)
	r, err := idcard.OpenSerial(path, 9600, idcard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	serialSend(t, dev, serialTD1[0]+"\r\n")
	done := make(chan error)
	go func() { done <- r.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(serialWait):
		t.Fatalf("Close still running after %v", serialWait)
	}
	if _, ok := <-r.Scans(); ok {
		t.Error("Scans open after Close")
	}
	if err := r.Err(); err != nil {
		t.Errorf("Err() after Close = %v, want nil", err)
	}
	if err := r.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close: %v, want os.ErrClosed", err)
	}
	// The line is free again.
	r2, err := idcard.OpenSerial(path, 9600, idcard.Options{})
	if err != nil {
		t.Fatalf("open again after Close: %v", err)
	}
	r2.Close()
}

func TestOpenSerialErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "ttyACM9")
	_, err := idcard.OpenSerial(missing, 9600, idcard.Options{})
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("open %s: %v, want an error naming it", missing, err)
	}
	if runtime.GOOS != "windows" && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("open %s: %v, want fs.ErrNotExist", missing, err)
	}
	notTTY := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notTTY, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if r, err := idcard.OpenSerial(notTTY, 9600, idcard.Options{}); err == nil {
		r.Close()
		t.Errorf("opened a plain file as a serial line")
	}
	if _, err := idcard.OpenSerial(missing, -1, idcard.Options{}); err == nil {
		t.Error("a negative baud rate was taken")
	}
}

func ExampleOpenSerial() {
	r, err := idcard.OpenSerial("/dev/ttyACM0", 9600, idcard.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for s := range r.Scans() {
		if errors.Is(s.Err, idcard.ErrIncomplete) {
			fmt.Println("read the document again, please")
			continue
		}
		fmt.Println(len(s.Lines), "lines")
	}
	if err := r.Err(); err != nil {
		fmt.Println(err)
	}
}
