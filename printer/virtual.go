package printer

import (
	"bytes"
	"fmt"
	"image"
	"slices"
	"sync"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// Virtual is a printer that prints on images: an interpreter of the
// ESC/POS that Torn and the common libraries send. Render turns a byte
// stream into pages; Write, Read and Pages make it a two-way printer for
// the demo and for tests, answering status queries as a real one does.
//
// It is also a Querier and a Transport, so that tornd's demo prints on it
// and polls its status as it does a real printer's.
//
// What it renders: text in fonts A (12 × 24 dots) and B (9 × 17) with
// Go Mono, bold, underline, reverse, sizes 1–8 (ESC !, GS !, ESC E, ESC G,
// ESC -, GS B, ESC M), the code pages of CodePages (ESC t), alignment
// (ESC a), line spacing and feeds (ESC 2, ESC 3, ESC J, ESC d), tabs (HT,
// ESC D), character spacing (ESC SP), positions (ESC $, ESC \), margins
// (GS L, GS W), cuts (GS V, ESC i, ESC m), raster images (GS v 0, GS ( L,
// GS 8 L), bit images (ESC *) and QR codes (GS ( k). Text wraps at the end
// of the print area and prints at LF, ESC d, ESC J or a wrap, as on paper;
// ESC @ clears a line not yet printed. Everything else is consumed by its
// length where ESC/POS defines one, and reported (see RenderError).
// Not modelled: the distance from the head to the cutter (the paper is
// cut where printing stopped), page mode, barcodes, NV images, and
// real-time commands inside another command's data, which some printers
// obey.
//
// The methods are safe for concurrent use. Set the fields before the
// first Write, or call Reset after changing them; SetStatus changes the
// status at any time.
type Virtual struct {
	// Width is the paper's printable width in dots; default Width80.
	Width int
	// CodePages maps ESC t n to a table; default Epson's numbers: 0
	// CP437, 2 CP850, 16 Windows-1252, 19 CP858. An unknown n prints as
	// CP437 and is reported.
	CodePages map[byte]*charmap.Charmap
	// Status is what DLE EOT answers.
	Status Status
	// Keep is how many finished pages Pages and PNGs return, the last
	// ones; default 20.
	Keep int

	mu      sync.Mutex
	m       *vpMachine
	pending []byte // the start of a command not yet complete
}

// Virtual is a Querier, like the printers it stands for, so that
// QueryStatus polls it.
var (
	_ Transport = (*Virtual)(nil)
	_ Querier   = (*Virtual)(nil)
)

// vpMaxPending bounds a command still waiting for its bytes: past it,
// Write interprets what it has as if the stream had ended.
const vpMaxPending = 16 << 20

// Write prints p. Commands may be split across writes; each one runs
// when its last byte arrives, and DLE EOT n (n = 1 to 4) and GS r n then
// queue their answer for Read, from the Status of that moment. Write
// fails only when Width is out of range.
func (v *Virtual) Write(p []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (v *Virtual) write(p []byte) error {
	if v.m == nil {
		keep := v.Keep
		if keep <= 0 {
			keep = 20
		}
		m, err := vpNewMachine(v.Width, v.CodePages, keep)
		if err != nil {
			return err
		}
		m.status = func() Status { return v.Status }
		v.m = m
	}
	v.pending = append(v.pending, p...)
	n := v.m.run(v.pending, len(v.pending) > vpMaxPending)
	v.pending = append(v.pending[:0], v.pending[n:]...)
	return nil
}

// Read copies queued status answers into p. It never blocks: with none
// queued it returns 0 and ErrNoAnswer at once, as a printer that has not
// answered looks to a reader whose timeout has passed.
func (v *Virtual) Read(p []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m.answers) == 0 {
		return 0, ErrNoAnswer
	}
	n := copy(p, v.m.answers)
	v.m.answers = v.m.answers[n:]
	return n, nil
}

// Query discards the answers waiting, writes req and returns the n answer
// bytes it produced, at once: the timeout is not needed. Fewer than n
// give an error wrapping ErrNoAnswer, as a printer that does not answer.
func (v *Virtual) Query(req []byte, n int, _ time.Duration) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m != nil {
		v.m.answers = v.m.answers[:0]
	}
	if err := v.write(req); err != nil {
		return nil, err
	}
	got := len(v.m.answers)
	if got < n {
		v.m.answers = v.m.answers[:0]
		return nil, fmt.Errorf("virtual printer: got %d of %d answer bytes: %w", got, n, ErrNoAnswer)
	}
	a := slices.Clone(v.m.answers[:n])
	v.m.answers = v.m.answers[n:]
	return a, nil
}

// Close does nothing: a Virtual holds no resources. It makes Virtual a
// Transport.
func (v *Virtual) Close() error { return nil }

// SetStatus sets what the next status queries answer.
func (v *Virtual) SetStatus(s Status) {
	v.mu.Lock()
	v.Status = s
	v.mu.Unlock()
}

// Pages returns the last Keep pages cut and the paper printed since the
// last cut, if any; a line not yet ended by LF has not printed. The
// images are not changed afterwards. The error is nil or a *RenderError
// of everything written since the last Reset, as Render's.
func (v *Virtual) Pages() ([]*image.Gray, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		return nil, nil
	}
	pages := slices.Clone(v.m.pages)
	if v.m.paper.rows > 0 {
		pages = append(pages, v.m.paper.image())
	}
	return pages, v.m.err()
}

// PNGs returns Pages as PNG files (1 bit a dot), oldest first, with
// Pages' error.
func (v *Virtual) PNGs() ([][]byte, error) {
	pages, err := v.Pages()
	out := make([][]byte, 0, len(pages))
	for _, p := range pages {
		var buf bytes.Buffer
		if err := vpEncodePNG(&buf, p); err != nil {
			return nil, err
		}
		out = append(out, buf.Bytes())
	}
	return out, err
}

// Reset forgets everything written: pages, answers, problems and modes,
// as a printer switched off and on. The fields stay.
func (v *Virtual) Reset() {
	v.mu.Lock()
	v.m, v.pending = nil, nil
	v.mu.Unlock()
}
