package idcard

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A Scan is one document as a reader sent it: its lines in order, with no
// line ends and no spaces around them.
type Scan struct {
	Lines []string
	// Time is when the last line arrived (for a half-read document, its
	// last byte). SplitScans leaves it zero.
	Time time.Time
	// Err is non-nil for a document read only in part (it wraps
	// ErrIncomplete, and the last line may be cut short) or a line over
	// MaxLineLen bytes (it wraps ErrLineTooLong). Lines then holds what
	// arrived. Err never holds the document's text, only lengths.
	Err error
}

var (
	// ErrIncomplete is wrapped by the Err of a Scan that lacks lines or
	// part of a line: the reader stopped sending for Timeout, or a line
	// of another length, the end of a frame (ETX), a blank line
	// (SplitScans) or the end of the input came first. The kiosk asks
	// for the document to be read again.
	ErrIncomplete = errors.New("idcard: document read only in part")
	// ErrLineTooLong is wrapped by the Err of a Scan delivered as soon as
	// a line goes over MaxLineLen bytes; its bytes are dropped up to the
	// next line end, and Lines holds the lines of the document before it.
	ErrLineTooLong = errors.New("idcard: line too long")
)

// DefaultTimeout is how long a reader waits for the rest of a document
// once part of it has arrived. A serial reader sends a whole TD1 MRZ (93
// bytes) in about 0.1 s at 9600 baud, and a keyboard-wedge scanner types a
// key every few milliseconds, so a silence of 1.5 s means the reading
// stopped (the card was pulled out), while the person is still at the
// reader to be asked to read it again.
const DefaultTimeout = 1500 * time.Millisecond

// MaxLineLen is the longest line accepted, in bytes. MRZ lines have 30,
// 36 or 44 characters and identity barcodes fewer than 100.
const MaxLineLen = 128

// Options are the settings common to every reader.
type Options struct {
	// Timeout is how long a document may stay half-read before it is
	// delivered with ErrIncomplete; default DefaultTimeout.
	Timeout time.Duration
	// Log receives the reader's diagnostics: line lengths and counts,
	// never their text. Default: discarded.
	Log *slog.Logger
}

// A Reader delivers the documents a reader device sends. *Serial and
// *Evdev are Readers; so is idcardtest's fake.
type Reader interface {
	// Scans returns the channel of documents, closed when the reader
	// stops: after Close, or when the device fails or disappears.
	Scans() <-chan Scan
	// Err reports why the reader stopped, once Scans is closed: nil
	// after Close.
	Err() error
	// Close stops the reader, releases the device and returns once the
	// reader's goroutines have ended.
	Close() error
}

// Control bytes some readers frame a document with.
const (
	stx = 0x02 // start of text: a document begins
	etx = 0x03 // end of text: the document is whole
)

// mrzLineCount is how many lines a document whose first line has n
// characters has: the MRZ of an ID card (TD1, 3 × 30), of a TD2 document
// (2 × 36) or of a passport (TD3, 2 × 44), or else one line (a barcode or
// a typed number).
func mrzLineCount(n int) int {
	switch n {
	case 30:
		return 3
	case 36, 44:
		return 2
	}
	return 1
}

// assembler turns the bytes a reader sends into Scans. It is the one
// implementation behind the serial reader, the keyboard-wedge reader (fed
// with the decoded keystrokes) and SplitScans. It does not read the clock:
// every call is given the time, and a reader calls expire when deadline
// has passed.
//
// CR, LF and CRLF end a line; STX and ETX end a line and the document in
// progress; other control bytes are ignored. Lines are grouped into
// documents by their length (mrzLineCount); a line of another length in
// the middle of a document ends that document as incomplete and starts
// the next. Lengths are in bytes: every character of an MRZ or an
// identity number is ASCII.
type assembler struct {
	// blankEnds makes a blank line end the document in progress (text
	// input); readers skip blank lines, which some send after a document
	// or make of LF CR.
	blankEnds bool

	line     []byte   // the line being received
	overlong bool     // the line went over MaxLineLen: dropped to its end
	afterCR  bool     // the last byte was CR, so an LF is the same line end
	doc      []string // the lines of the document in progress
	last     time.Time
	ignored  int    // control bytes ignored since the last Scan
	out      []Scan // Scans made and not yet taken
}

// write takes bytes the reader sent at now. Every byte but an ignored
// one counts as the reader still sending, for the timeout.
func (a *assembler) write(p []byte, now time.Time) {
	for _, c := range p {
		ignored := (c < 0x20 || c == 0x7f) && c != '\r' && c != '\n' && c != stx && c != etx
		if ignored {
			a.ignored++
			continue
		}
		a.last = now
		afterCR := a.afterCR
		a.afterCR = false
		switch {
		case c == '\r':
			a.afterCR = true
			a.endLine(now)
		case c == '\n':
			if !afterCR {
				a.endLine(now)
			}
		case c == stx:
			a.endLine(now)
			a.endDoc(now, "then the start of another")
		case c == etx:
			a.endLine(now)
			a.endDoc(now, "at the end of its frame")
		case a.overlong:
		case len(a.line) == MaxLineLen:
			a.overlong = true
			a.emit(Scan{Lines: a.doc, Time: now,
				Err: fmt.Errorf("%w: more than %d bytes without a line end", ErrLineTooLong, MaxLineLen)})
			a.doc = nil
			a.line = a.line[:0]
		default:
			a.line = append(a.line, c)
		}
	}
}

// endLine ends the line being received.
func (a *assembler) endLine(now time.Time) {
	if a.overlong {
		a.overlong = false
		a.line = a.line[:0]
		return
	}
	s := strings.Trim(string(a.line), " ")
	a.line = a.line[:0]
	if s == "" {
		if a.blankEnds {
			a.endDoc(now, "then a blank line")
		}
		return
	}
	if len(a.doc) > 0 && len(s) != len(a.doc[0]) {
		a.endDoc(now, fmt.Sprintf("then a line of %d characters", len(s)))
	}
	a.doc = append(a.doc, s)
	if len(a.doc) == mrzLineCount(len(a.doc[0])) {
		a.emit(Scan{Lines: a.doc, Time: now})
		a.doc = nil
	}
}

// endDoc delivers the document in progress, which lacks lines, as
// incomplete; why says what ended it.
func (a *assembler) endDoc(now time.Time, why string) {
	if len(a.doc) == 0 {
		return
	}
	want := mrzLineCount(len(a.doc[0]))
	a.emit(Scan{Lines: a.doc, Time: now,
		Err: fmt.Errorf("%w: %d of %d lines, %s", ErrIncomplete, len(a.doc), want, why)})
	a.doc = nil
}

// pending reports whether part of a document has arrived.
func (a *assembler) pending() bool {
	return len(a.doc) > 0 || len(a.line) > 0 || a.overlong
}

// deadline is when the part of a document that has arrived expires, if
// any has.
func (a *assembler) deadline(timeout time.Duration) (time.Time, bool) {
	return a.last.Add(timeout), a.pending()
}

// expire delivers the part of a document that has arrived, with a line
// cut short if one is, as incomplete: nothing more came for the timeout.
func (a *assembler) expire() {
	a.cut("then nothing more")
}

// flush delivers what is left at the end of the input: a last line
// without its line end counts as whole.
func (a *assembler) flush(now time.Time) {
	a.endLine(now)
	a.endDoc(now, "at the end of the input")
}

// cut delivers whatever part of a document has arrived as incomplete,
// at the time of its last byte; why says what ended it.
func (a *assembler) cut(why string) {
	at := a.last
	if a.overlong {
		a.overlong = false
		a.line = a.line[:0]
	}
	part := strings.Trim(string(a.line), " ")
	a.line = a.line[:0]
	if part == "" {
		a.endDoc(at, why)
		return
	}
	lines := append(a.doc, part)
	got := "part of a line"
	if len(a.doc) > 0 {
		got = fmt.Sprintf("%d of %d lines and part of another", len(a.doc), mrzLineCount(len(a.doc[0])))
	}
	a.emit(Scan{Lines: lines, Time: at, Err: fmt.Errorf("%w: %s, %s", ErrIncomplete, got, why)})
	a.doc = nil
}

func (a *assembler) emit(s Scan) { a.out = append(a.out, s) }

// take returns the Scans made since the last take.
func (a *assembler) take() []Scan {
	out := a.out
	a.out = nil
	return out
}

// SplitScans reads text as a reader would send it and groups its lines
// into documents as the readers do; a blank line also ends a document,
// and the end of the input ends the last one. It is for text typed or
// pasted by hand (tornd reader parse). The Scans have no Time; a document
// cut short has an Err, as from a reader. The error is r's, if reading it
// failed.
func SplitScans(r io.Reader) ([]Scan, error) {
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("split scans: read: %w", err)
	}
	a := assembler{blankEnds: true}
	a.write(text, time.Time{})
	a.flush(time.Time{})
	return a.take(), nil
}

// lineReader runs a reader device: one goroutine reads the device, and
// another assembles its bytes into Scans and keeps the timeout. *Serial
// and *Evdev embed it for Scans, Err and Close.
type lineReader struct {
	name    string // "serial reader /dev/ttyACM0", for errors and logs
	log     *slog.Logger
	timeout time.Duration
	scans   chan Scan
	stop    chan struct{} // closed by Close
	closing atomic.Bool
	wg      sync.WaitGroup

	closeDev  func() error
	closeOnce sync.Once
	closeErr  error

	mu  sync.Mutex
	err error
}

func newLineReader(name string, opts Options, closeDev func() error) *lineReader {
	r := &lineReader{
		name:     name,
		log:      opts.Log,
		timeout:  opts.Timeout,
		scans:    make(chan Scan, 4),
		stop:     make(chan struct{}),
		closeDev: closeDev,
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	return r
}

// chunk is what the device goroutine hands the assembling one: bytes
// read, or the error that stopped the reading.
type chunk struct {
	b   []byte
	err error
}

// start runs the reader. read returns the next bytes from the device,
// blocking until there are some; it may return none. Once closeDev has
// been called, read must return an error.
func (r *lineReader) start(read func() ([]byte, error)) {
	chunks := make(chan chunk)
	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		for {
			b, err := read()
			if len(b) == 0 && err == nil {
				continue
			}
			select {
			case chunks <- chunk{b, err}:
			case <-r.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		defer r.wg.Done()
		defer close(r.scans)
		r.assemble(chunks)
	}()
}

// assemble runs the assembler on the chunks until Close or a read error.
func (r *lineReader) assemble(chunks <-chan chunk) {
	var a assembler
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		var readErr error
		select {
		case c := <-chunks:
			now := time.Now()
			a.write(c.b, now)
			if c.err != nil {
				readErr = c.err
				a.cut("then the reader stopped")
			}
		case now := <-timer.C:
			if d, ok := a.deadline(r.timeout); ok && !now.Before(d) {
				a.expire()
			}
		case <-r.stop:
			return
		}
		for _, s := range a.take() {
			r.logScan(s, a.ignored)
			a.ignored = 0
			select {
			case r.scans <- s:
			case <-r.stop:
				return
			}
		}
		if readErr != nil {
			if !r.closing.Load() {
				r.mu.Lock()
				r.err = fmt.Errorf("read %s: %w", r.name, readErr)
				r.mu.Unlock()
			}
			r.closeDevice()
			return
		}
		if d, ok := a.deadline(r.timeout); ok {
			timer.Reset(time.Until(d))
		} else {
			timer.Stop()
		}
	}
}

// logScan notes a Scan for diagnostics, without its text.
func (r *lineReader) logScan(s Scan, ignored int) {
	lengths := make([]int, len(s.Lines))
	for i, l := range s.Lines {
		lengths[i] = len(l)
	}
	r.log.Debug("idcard: document read", "reader", r.name, "lines", len(s.Lines),
		"lengths", lengths, "whole", s.Err == nil, "ignored_bytes", ignored)
}

// Scans returns the channel of documents read, closed when the reader
// stops.
func (r *lineReader) Scans() <-chan Scan { return r.scans }

// Err reports why the reader stopped, once Scans is closed: the device's
// error, or nil after Close.
func (r *lineReader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close stops the reader and closes the device; it returns once the
// reader's goroutines have ended. A document half-read is dropped.
func (r *lineReader) Close() error {
	if !r.closing.CompareAndSwap(false, true) {
		return fmt.Errorf("close %s: %w", r.name, os.ErrClosed)
	}
	close(r.stop)
	err := r.closeDevice()
	r.wg.Wait()
	if err != nil {
		return fmt.Errorf("close %s: %w", r.name, err)
	}
	return nil
}

// closeDevice closes the device once: at Close, or when reading it
// failed. It returns the error of the first close.
func (r *lineReader) closeDevice() error {
	r.closeOnce.Do(func() { r.closeErr = r.closeDev() })
	return r.closeErr
}

var _ Reader = (*lineReader)(nil)
