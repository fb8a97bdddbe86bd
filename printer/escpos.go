package printer

import (
	"fmt"
	"image"
	"image/color"
)

// Buffer collects the ESC/POS commands and text of one print job. Every
// method appends to it; the zero value is empty and ready to use, and a
// Buffer reused after Reset allocates nothing once it has grown.
//
// Each builder's comment gives the bytes it appends (hex; n is the
// argument). ESC/POS references: Epson's command reference, and
// ../shared/REFERENCES.md, "ESC/POS".
type Buffer struct{ b []byte }

// Bytes returns the bytes appended so far. They alias the Buffer's storage
// until the next append or Reset.
func (b *Buffer) Bytes() []byte { return b.b }

// Len is the number of bytes appended so far.
func (b *Buffer) Len() int { return len(b.b) }

// Reset empties the Buffer and keeps its storage.
func (b *Buffer) Reset() { b.b = b.b[:0] }

// Grow makes room for n more bytes without another allocation.
func (b *Buffer) Grow(n int) {
	if cap(b.b)-len(b.b) < n {
		nb := make([]byte, len(b.b), 2*cap(b.b)+n)
		copy(nb, b.b)
		b.b = nb
	}
}

// Raw appends p as it is. Text must go through Text or Line instead, which
// encode it and keep command bytes out of it.
func (b *Buffer) Raw(p ...byte) { b.b = append(b.b, p...) }

// Text appends s encoded in cp, without a line feed.
func (b *Buffer) Text(cp CodePage, s string) { b.b = cp.Append(b.b, s) }

// Line appends s encoded in cp and a line feed (0A).
func (b *Buffer) Line(cp CodePage, s string) {
	b.b = cp.Append(b.b, s)
	b.b = append(b.b, 0x0A)
}

// LF appends a line feed: 0A. It prints the line buffered so far, or feeds
// one empty line.
func (b *Buffer) LF() { b.b = append(b.b, 0x0A) }

// Init appends ESC @ (1B 40): clear the print buffer and reset every mode to
// its power-on default (left aligned, normal size, no bold, code page 0).
func (b *Buffer) Init() { b.b = append(b.b, 0x1B, 0x40) }

// SelectCodePage appends ESC t n (1B 74 n): select character code table n.
// The table numbers differ between printer models: see CodePageFor.
func (b *Buffer) SelectCodePage(n byte) { b.b = append(b.b, 0x1B, 0x74, n) }

// Alignment is the n of ESC a.
type Alignment byte

// Alignments for Buffer.Align.
const (
	AlignLeft   Alignment = 0
	AlignCenter Alignment = 1
	AlignRight  Alignment = 2
)

// Align appends ESC a n (1B 61 n): justify the following lines, raster
// images and QR codes; n = 0 left, 1 centre, 2 right. It takes effect only
// at the start of a line.
func (b *Buffer) Align(a Alignment) { b.b = append(b.b, 0x1B, 0x61, byte(a)) }

// Print mode bits for Buffer.PrintMode (ESC ! n).
const (
	ModeFontB        byte = 0x01
	ModeBold         byte = 0x08
	ModeDoubleHeight byte = 0x10
	ModeDoubleWidth  byte = 0x20
	ModeUnderline    byte = 0x80
)

// PrintMode appends ESC ! n (1B 21 n): select font, bold, double height,
// double width and underline at once (the Mode bits, ORed).
func (b *Buffer) PrintMode(n byte) { b.b = append(b.b, 0x1B, 0x21, n) }

// Bold appends ESC E n (1B 45 n): emphasized on (n = 1) or off (n = 0).
func (b *Buffer) Bold(on bool) {
	var n byte
	if on {
		n = 1
	}
	b.b = append(b.b, 0x1B, 0x45, n)
}

// Size appends GS ! n (1D 21 n): character size, width w and height h
// times the normal size, each clamped to 1–8; n = (w−1)<<4 | (h−1).
// Size(1, 1) is 1D 21 00, Size(1, 2) double height 1D 21 01, Size(6, 6)
// 1D 21 55.
func (b *Buffer) Size(w, h int) {
	w, h = clampArg(w, 1, 8), clampArg(h, 1, 8)
	b.b = append(b.b, 0x1D, 0x21, byte(w-1)<<4|byte(h-1))
}

// Feed appends ESC d n (1B 64 n): print the buffer and feed n lines, n
// clamped to 0–255.
func (b *Buffer) Feed(lines int) { b.b = append(b.b, 0x1B, 0x64, byte(clampArg(lines, 0, 255))) }

// FeedCut appends GS V 66 n (1D 56 42 n): feed the paper to the cutter
// plus n vertical motion units (n clamped to 0–255), then cut it partially
// (one point left uncut). Only valid at the start of a line. Printers
// without a cutter feed and ignore the cut, or ignore the command.
func (b *Buffer) FeedCut(n int) { b.b = append(b.b, 0x1D, 0x56, 0x42, byte(clampArg(n, 0, 255))) }

// Raster is a one-bit image laid out as GS v 0 sends it: Height rows of
// Stride() bytes, most significant bit leftmost, 1 = black, the bits past
// Width in each row 0. It is an image.Image (black and white gray), so a
// Raster can stand wherever an image is taken, e.g. as Layout.Logo.
type Raster struct {
	Width, Height int // dots
	Bits          []byte
}

// NewRaster returns a white raster of w×h dots.
func NewRaster(w, h int) *Raster {
	w, h = max(w, 0), max(h, 0)
	return &Raster{Width: w, Height: h, Bits: make([]byte, (w+7)/8*h)}
}

// Stride is the bytes per row: Width rounded up to whole bytes.
func (r *Raster) Stride() int { return (r.Width + 7) / 8 }

// Black reports whether the dot at x, y is black.
func (r *Raster) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= r.Width || y >= r.Height {
		return false
	}
	return r.Bits[y*r.Stride()+x/8]&(0x80>>(x%8)) != 0
}

// Set makes the dot at x, y black; dots outside the raster are ignored.
func (r *Raster) Set(x, y int) {
	if x < 0 || y < 0 || x >= r.Width || y >= r.Height {
		return
	}
	r.Bits[y*r.Stride()+x/8] |= 0x80 >> (x % 8)
}

// ColorModel is color.GrayModel.
func (r *Raster) ColorModel() color.Model { return color.GrayModel }

// Bounds is (0, 0)–(Width, Height).
func (r *Raster) Bounds() image.Rectangle { return image.Rect(0, 0, r.Width, r.Height) }

// At is black or white.
func (r *Raster) At(x, y int) color.Color {
	if r.Black(x, y) {
		return color.Gray{Y: 0}
	}
	return color.Gray{Y: 0xFF}
}

// rasterBand is the most rows one GS v 0 command carries. Epson documents
// per-model limits of a few thousand rows per command; taller images go
// out as several commands, one under the other, which print as one image.
const rasterBand = 2048

// Raster appends r as GS v 0 (1D 76 30 m xL xH yL yH d…) with m = 0
// (normal scale): x = xL + 256·xH bytes per row, y = yL + 256·yH rows,
// then x·y bytes, most significant bit leftmost, 1 = black. An image
// taller than 2048 rows goes out as several commands. An empty raster
// appends nothing. The current alignment (ESC a) applies.
func (b *Buffer) Raster(r *Raster) {
	if r == nil || r.Width <= 0 || r.Height <= 0 {
		return
	}
	stride := r.Stride()
	b.Grow(len(r.Bits) + 8*(r.Height/rasterBand+1))
	for y := 0; y < r.Height; y += rasterBand {
		rows := min(rasterBand, r.Height-y)
		b.b = append(b.b, 0x1D, 0x76, 0x30, 0x00,
			byte(stride), byte(stride>>8), byte(rows), byte(rows>>8))
		b.b = append(b.b, r.Bits[y*stride:(y+rows)*stride]...)
	}
}

// QRLevel is the n of the QR error correction command: 48–51 for L, M, Q, H.
type QRLevel byte

// QR error correction levels: about 7, 15, 25 and 30 % of the code can be
// lost and still read.
const (
	QRLevelL QRLevel = 48
	QRLevelM QRLevel = 49
	QRLevelQ QRLevel = 50
	QRLevelH QRLevel = 51
)

// QRModel2 appends GS ( k, function 165 (1D 28 6B 04 00 31 41 32 00):
// select QR model 2.
func (b *Buffer) QRModel2() {
	b.b = append(b.b, 0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00)
}

// QRModuleSize appends GS ( k, function 167 (1D 28 6B 03 00 31 43 n): each
// QR module is n×n dots, n clamped to 1–16.
func (b *Buffer) QRModuleSize(n int) {
	b.b = append(b.b, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, byte(clampArg(n, 1, 16)))
}

// QRErrorCorrection appends GS ( k, function 169 (1D 28 6B 03 00 31 45 n):
// error correction level n, 48–51 = L, M, Q, H.
func (b *Buffer) QRErrorCorrection(l QRLevel) {
	b.b = append(b.b, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, byte(l))
}

// MaxQRStore is the most data GS ( k function 180 accepts (Epson: k ≤
// 7089, numeric data at level L). What one QR code holds is less for
// bytes and higher levels: see MaxQRBytes.
const MaxQRStore = 7089

// QRStore appends GS ( k, function 180 (1D 28 6B pL pH 31 50 30 d…): store
// data in the symbol storage area, with pL + 256·pH = len(data) + 3. It
// reports an error, and appends nothing, for empty data or data longer than
// MaxQRStore.
func (b *Buffer) QRStore(data string) error {
	if len(data) == 0 {
		return fmt.Errorf("QR store: no data")
	}
	if len(data) > MaxQRStore {
		return fmt.Errorf("QR store: %d bytes of data, more than the %d the command takes", len(data), MaxQRStore)
	}
	n := len(data) + 3
	b.b = append(b.b, 0x1D, 0x28, 0x6B, byte(n), byte(n>>8), 0x31, 0x50, 0x30)
	b.b = append(b.b, data...)
	return nil
}

// QRPrint appends GS ( k, function 181 (1D 28 6B 03 00 31 51 30): print
// the stored QR code. Printers without the command print nothing, or the
// parameters as text.
func (b *Buffer) QRPrint() {
	b.b = append(b.b, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30)
}

// StatusRequest appends DLE EOT n (10 04 n): ask for real-time status n: 1
// printer (online), 2 offline cause (cover, paper end stop, error), 3 error
// cause, 4 roll paper (near end, out). The printer answers one byte at
// once, even mid-job; some clones never answer.
func (b *Buffer) StatusRequest(n byte) { b.b = append(b.b, 0x10, 0x04, n) }

func clampArg(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
