package printer

import (
	"fmt"
	"image"
	"strings"
	"time"

	"torn.cat/torn/catalog"
)

// Layout lays tickets out for one printer. The zero Layout is an 80 mm
// printer with Epson's CP858, a raster QR code, no logo and no cut.
type Layout struct {
	// Width is the printable width in dots: 384 (58 mm paper), 512 (80 mm
	// clones that print less) or 576 (80 mm). Default Width80.
	Width int
	// CodePage is the printer's character table. Default: epson pc858.
	CodePage CodePage
	// NativeQR draws the QR code with the printer's GS ( k command
	// instead of a raster image. Default false (raster: every printer
	// has it, at about ten times the bytes).
	NativeQR bool
	// Logo is printed centred at the top, at its own size or scaled down
	// to Width. It is dithered on every ticket unless it is already
	// Dither's result: pass Dither(logo, Width) to do that once. Default
	// none.
	Logo image.Image
	// Cut cuts the paper partially after the ticket. Default false.
	Cut bool
	// FeedBeforeCut is the lines fed after the ticket, before the cut
	// or for tearing it off. Default (0) 4; negative feeds none.
	FeedBeforeCut int
}

// width512 is the printable width of 80 mm clones that print less than 576
// dots.
const width512 = 512

// defaults returns l with its defaults filled, or an error for a width
// Torn does not lay out for.
func (l Layout) defaults() (Layout, error) {
	if l.Width == 0 {
		l.Width = Width80
	}
	switch l.Width {
	case Width58, width512, Width80:
	default:
		return l, fmt.Errorf("paper width %d dots: want %d (58 mm), %d or %d (80 mm)", l.Width, Width58, width512, Width80)
	}
	if l.CodePage.Charmap == nil {
		cp, err := CodePageFor("epson", DefaultCodePage)
		if err != nil {
			return l, err
		}
		l.CodePage = cp
	}
	if l.FeedBeforeCut == 0 {
		l.FeedBeforeCut = 4
	}
	return l, nil
}

// Columns is how many characters of font A (12 dots wide) fit a line:
// 32 on 58 mm paper, 42 on 512 dots, 48 on 80 mm.
func (l Layout) Columns() int {
	if l.Width == 0 {
		return Width80 / 12
	}
	return l.Width / 12
}

// numberSize is the GS ! magnification of the display number: the
// largest that still fits 8 characters on the line.
func (l Layout) numberSize() int {
	switch l.Width {
	case Width58:
		return 4
	case width512:
		return 5
	}
	return 6
}

// Ticket returns the bytes that print t: reset and code page, the logo,
// the office (bold), "your number" and the number (bold, 4 to 6 times the
// normal size, the larger the paper), the service (double height), the
// people ahead, the estimated wait (its range when t.WaitHigh is set; left
// out when t.Wait is negative: no estimate), the appointment time, the issue date and time, the QR code
// of t.URL with t.ShortURL under it (t.URL without "https://" when
// empty), and t.Footer; then the feed and the
// cut. Everything is centred and wrapped at the paper's columns; the fixed
// words come from the catalogue in t.Lang. It reports an error for an
// empty number, a URL one QR code cannot hold, or a width other than 384,
// 512 or 576.
func (l Layout) Ticket(t Ticket) ([]byte, error) {
	l, err := l.defaults()
	if err != nil {
		return nil, fmt.Errorf("lay out ticket %s: %w", t.Number, err)
	}
	if strings.TrimSpace(t.Number) == "" {
		return nil, fmt.Errorf("lay out ticket: no number")
	}
	var qr *Raster
	if t.URL != "" {
		if err := checkQR(t.URL); err != nil {
			return nil, fmt.Errorf("lay out ticket %s: tracking URL: %w", t.Number, err)
		}
		if !l.NativeQR {
			if qr, err = QRRaster(t.URL, l.Width); err != nil {
				return nil, fmt.Errorf("lay out ticket %s: tracking URL: %w", t.Number, err)
			}
		}
	}
	var logo *Raster
	if l.Logo != nil {
		logo = Dither(l.Logo, l.Width)
	}

	w := layoutWriter{cp: l.CodePage}
	size := 512 + 2*(len(t.Office)+len(t.Service)+len(t.Footer)+len(t.URL)+len(t.ShortURL))
	if qr != nil {
		size += len(qr.Bits) + 8
	}
	if logo != nil {
		size += len(logo.Bits) + 8*(logo.Height/rasterBand+1)
	}
	w.b.Grow(size)
	cols := l.Columns()
	lang := t.Lang

	w.b.Init()
	w.b.SelectCodePage(l.CodePage.Number)
	w.b.Align(AlignCenter)
	if logo != nil && logo.Height > 0 {
		w.b.Raster(logo)
		w.b.LF()
	}
	if t.Office != "" {
		w.b.Bold(true)
		w.wrapped(t.Office, cols)
		w.b.Bold(false)
	}
	w.b.LF()

	w.wrapped(catalog.T(lang, "ticket.your_number"), cols)
	n := l.numberSize()
	w.scratch = w.cp.Append(w.scratch[:0], t.Number)
	n = max(1, min(n, cols/max(1, len(w.scratch))))
	w.b.Size(n, n)
	w.b.Bold(true)
	w.wrapped(t.Number, cols/n)
	w.b.Bold(false)
	if t.Service != "" {
		w.b.Size(1, 2)
		w.wrapped(t.Service, cols)
	}
	w.b.Size(1, 1)
	w.b.LF()

	w.wrapped(catalog.Ahead(lang, t.Ahead), cols)
	switch {
	case t.WaitHigh > 0:
		w.wrapped(catalog.WaitRange(lang, t.WaitLow, t.WaitHigh), cols)
	case t.Wait >= 0:
		w.wrapped(catalog.Wait(lang, t.Wait), cols)
	}
	if !t.Slot.IsZero() {
		at := t.Slot.Format("15:04")
		if !t.Issued.IsZero() && !sameDay(t.Slot, t.Issued.In(t.Slot.Location())) {
			at = t.Slot.Format("02/01/2006 15:04")
		}
		w.wrapped(catalog.T(lang, "ticket.appointment", at), cols)
	}
	if !t.Issued.IsZero() {
		w.wrapped(catalog.T(lang, "ticket.issued", t.Issued.Format("02/01/2006 15:04")), cols)
	}

	if t.URL != "" {
		w.b.LF()
		w.wrapped(catalog.T(lang, "ticket.follow"), cols)
		// An empty line above and under the code: its quiet zone.
		w.b.LF()
		if l.NativeQR {
			if err := w.b.NativeQR(t.URL, l.Width); err != nil {
				return nil, fmt.Errorf("lay out ticket %s: tracking URL: %w", t.Number, err)
			}
		} else {
			w.b.Raster(qr)
		}
		w.b.LF()
		short := t.ShortURL
		if short == "" {
			// Browsers take it without the scheme, and it often fits
			// one line then.
			short = strings.TrimPrefix(t.URL, "https://")
		}
		w.wrapped(short, cols)
	}
	if t.Footer != "" {
		w.b.LF()
		w.wrapped(t.Footer, cols)
	}
	l.finish(&w.b)
	return w.b.Bytes(), nil
}

// finish feeds the paper out and cuts it.
func (l Layout) finish(b *Buffer) {
	if l.FeedBeforeCut > 0 {
		b.Feed(l.FeedBeforeCut)
	}
	if l.Cut {
		b.FeedCut(0)
	}
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// layoutWriter appends text to a Buffer, wrapped at a number of columns.
type layoutWriter struct {
	b       Buffer
	cp      CodePage
	scratch []byte
}

// wrapped appends s encoded, as lines of at most cols characters, each
// ending in a line feed: broken at spaces, or inside a word longer than a
// line (after a slash or hyphen if it can). A newline in s starts a new line; an empty s appends nothing.
func (w *layoutWriter) wrapped(s string, cols int) {
	cols = max(cols, 1)
	for s != "" {
		para, rest, _ := strings.Cut(s, "\n")
		s = rest
		w.scratch = w.cp.Append(w.scratch[:0], strings.TrimRight(para, "\r"))
		w.b.b = appendWrapped(w.b.b, w.scratch, cols)
	}
}

// appendWrapped appends the encoded paragraph p to dst as lines of at most
// cols bytes (one byte is one column in the single-byte code pages), each
// ending in LF. An empty paragraph is an empty line.
func appendWrapped(dst, p []byte, cols int) []byte {
	p = trimSpaces(p)
	for len(p) > cols {
		end, next := wrapPoint(p, cols)
		dst = append(dst, trimSpaces(p[:end])...)
		dst = append(dst, 0x0A)
		p = trimSpaces(p[next:])
	}
	dst = append(dst, p...)
	return append(dst, 0x0A)
}

// wrapPoint returns where the first line of p, longer than cols, ends and
// where the rest begins: at the last space that leaves at most cols
// columns; else, inside a word longer than the line, after its last slash
// or hyphen that fits (URLs); else at the column.
func wrapPoint(p []byte, cols int) (end, next int) {
	for i := cols; i > 0; i-- {
		if p[i] == ' ' {
			return i, i + 1
		}
	}
	for i := cols - 1; i > 0; i-- {
		if p[i] == '/' || p[i] == '-' {
			return i + 1, i + 1
		}
	}
	return cols, cols
}

func trimSpaces(p []byte) []byte {
	for len(p) > 0 && p[0] == ' ' {
		p = p[1:]
	}
	for len(p) > 0 && p[len(p)-1] == ' ' {
		p = p[:len(p)-1]
	}
	return p
}
