package deskdisplay

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
)

// fakeWriter records what it is sent; it fails with err, or takes only
// short bytes of each write when short > 0.
type fakeWriter struct {
	bytes.Buffer
	err    error
	short  int
	closed bool
}

func (w *fakeWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.short > 0 && len(p) > w.short {
		return w.Buffer.Write(p[:w.short])
	}
	return w.Buffer.Write(p)
}

func (w *fakeWriter) Close() error {
	w.closed = true
	return nil
}

// TestLineTemplates: the bytes sent for a call, with the default and a
// custom template.
func TestLineTemplates(t *testing.T) {
	for _, tc := range []struct {
		tmpl string
		call Call
		want string
	}{
		{"", callA023, "A023 Taula 1\r\n"},
		{DefaultTemplate, callA023, "A023 Taula 1\r\n"},
		{"\x1b[2J{{.Number}}\n", callA023, "\x1b[2JA023\n"},
		{"{{.Desk}}|{{.Number}}|{{.Service}}\r", callA023, "1|A023|Atenció ciutadana\r"},
		{"{{if .Number}}{{.Number}}{{else}}----{{end}}\n", Call{}, "----\n"},
		{DefaultTemplate, Call{}, " \r\n"},
	} {
		w := &fakeWriter{}
		l, err := NewLine(w, tc.tmpl)
		if err != nil {
			t.Fatalf("%q: %v", tc.tmpl, err)
		}
		if err := l.Show(tc.call); err != nil {
			t.Fatalf("%q: %v", tc.tmpl, err)
		}
		if got := w.String(); got != tc.want {
			t.Errorf("template %q, call %+v: sent %q, want %q", tc.tmpl, tc.call, got, tc.want)
		}
		if got, err := l.Format(tc.call); err != nil || string(got) != tc.want {
			t.Errorf("template %q: Format gives %q, %v; want %q", tc.tmpl, got, err, tc.want)
		}
	}
}

// TestLineBadTemplate: a template that does not parse, or names a field
// Call does not have, fails at NewLine and OpenSerial, naming it.
func TestLineBadTemplate(t *testing.T) {
	for _, tmpl := range []string{"{{.Number", "{{.Numero}}\r\n", "{{template \"x\"}}"} {
		w := &fakeWriter{}
		_, err := NewLine(w, tmpl)
		if err == nil || !strings.Contains(err.Error(), "desk display line template "+strconv.Quote(tmpl)) {
			t.Errorf("NewLine(%q) returns %v, want an error naming the template", tmpl, err)
		}
		// The template is checked before the port is opened.
		_, err = OpenSerial("/nonexistent/ttyUSB9", 9600, tmpl)
		if err == nil || !strings.Contains(err.Error(), "template") || strings.Contains(err.Error(), "plugged in") {
			t.Errorf("OpenSerial with %q returns %v, want the template's error", tmpl, err)
		}
	}
	if _, err := NewLine(nil, ""); err == nil {
		t.Error("NewLine takes no writer")
	}
}

// TestLineWriteError: a write that fails, or takes only part of the line,
// comes back wrapped with what was being sent.
func TestLineWriteError(t *testing.T) {
	eio := errors.New("input/output error")
	w := &fakeWriter{err: eio}
	l, err := NewLine(w, "")
	if err != nil {
		t.Fatal(err)
	}
	err = l.Show(callA023)
	if want := `desk display line: send "A023 Taula 1\r\n": 0 of 14 bytes written: input/output error`; !errors.Is(err, eio) || err.Error() != want {
		t.Errorf("Show returns %v, want %s", err, want)
	}

	w = &fakeWriter{short: 5}
	l, _ = NewLine(w, "")
	if err := l.Show(callA023); !errors.Is(err, io.ErrShortWrite) {
		t.Errorf("a short write: Show returns %v, want io.ErrShortWrite", err)
	}

	if err := l.Close(); err != nil || !w.closed {
		t.Errorf("Close returns %v and closes the writer: %v", err, w.closed)
	}
	if err := l.Show(callA023); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Show after Close returns %v, want os.ErrClosed", err)
	}
	if err := l.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Close after Close returns %v, want os.ErrClosed", err)
	}
}

// TestOpenSerialMissing: a device that is not there says so.
func TestOpenSerialMissing(t *testing.T) {
	_, err := OpenSerial("/nonexistent/ttyUSB9", 0, "")
	if err == nil || !strings.HasPrefix(err.Error(), "open desk display /nonexistent/ttyUSB9 at 9600 baud: ") {
		t.Errorf("OpenSerial returns %v", err)
	}
}
