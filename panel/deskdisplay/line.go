package deskdisplay

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"text/template"

	"torn.cat/torn/internal/serialline"
)

// DefaultTemplate is the line a Line sends when given no template: the
// number and the desk's name, ended by CR LF.
const DefaultTemplate = "{{.Number}} {{.DeskName}}\r\n"

// DefaultBaud is OpenSerial's line speed when given none.
const DefaultBaud = 9600

// Line sends one line per call to a serial display (or any writer): the
// bytes of a text/template executed over the Call, UTF-8, with nothing
// added. Its methods are safe for concurrent use.
type Line struct {
	name string // for errors: the device, or "line"
	w    io.WriteCloser
	tmpl *template.Template

	mu     sync.Mutex
	closed bool
}

// NewLine makes a Line that writes to w with tmpl, a text/template over
// Call ({{.Number}}, {{.Desk}}, {{.DeskName}}, {{.Service}}); ""
// means DefaultTemplate. A template that does not parse, or fails on a
// sample call, is an error naming the template. The Line owns w: Close
// closes it.
func NewLine(w io.WriteCloser, tmpl string) (*Line, error) {
	return newLine("line", w, tmpl)
}

func newLine(name string, w io.WriteCloser, tmpl string) (*Line, error) {
	t, err := parseTemplate(tmpl)
	if err != nil {
		return nil, err
	}
	if w == nil {
		return nil, errors.New("desk display line: no writer")
	}
	return &Line{name: name, w: w, tmpl: t}, nil
}

// parseTemplate parses tmpl and executes it once on a sample call, so that
// a field that Call does not have ({{.Numero}}) fails now, not at the
// first call.
func parseTemplate(tmpl string) (*template.Template, error) {
	if tmpl == "" {
		tmpl = DefaultTemplate
	}
	t, err := template.New("line").Parse(tmpl)
	if err == nil {
		err = t.Execute(io.Discard, Call{Number: "A000", Desk: "1", DeskName: "Taula 1", Service: "Servei"})
	}
	if err != nil {
		return nil, fmt.Errorf("desk display line template %q: %w", tmpl, err)
	}
	return t, nil
}

// OpenSerial opens device (/dev/ttyUSB0, /dev/serial0) at baud, 8N1, and
// returns a Line that writes to it with tmpl; baud 0 means DefaultBaud
// (9600) and tmpl "" DefaultTemplate. The template is checked before the
// port is opened.
func OpenSerial(device string, baud int, tmpl string) (*Line, error) {
	t, err := parseTemplate(tmpl)
	if err != nil {
		return nil, fmt.Errorf("open desk display %s: %w", device, err)
	}
	if baud <= 0 {
		baud = DefaultBaud
	}
	port, err := serialline.Open(device, baud, "desk display")
	if err != nil {
		return nil, fmt.Errorf("open desk display %w", err)
	}
	return &Line{name: device, w: port, tmpl: t}, nil
}

// Format returns the bytes Show sends for c.
func (l *Line) Format(c Call) ([]byte, error) {
	var buf bytes.Buffer
	if err := l.tmpl.Execute(&buf, c); err != nil {
		return nil, fmt.Errorf("desk display %s: format %q: %w", l.name, c.Number, err)
	}
	return buf.Bytes(), nil
}

// Show sends the line for c in one write.
func (l *Line) Show(c Call) error {
	b, err := l.Format(c)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("desk display %s: send %q: %w", l.name, b, os.ErrClosed)
	}
	n, err := l.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("desk display %s: send %q: %d of %d bytes written: %w", l.name, b, n, len(b), err)
	}
	return nil
}

// Close closes the writer. Show and Close after Close return an error
// wrapping os.ErrClosed.
func (l *Line) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("close desk display %s: %w", l.name, os.ErrClosed)
	}
	l.closed = true
	if err := l.w.Close(); err != nil {
		return fmt.Errorf("close desk display %s: %w", l.name, err)
	}
	return nil
}
