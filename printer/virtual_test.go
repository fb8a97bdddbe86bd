package printer

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// vpCat joins strings, byte slices, bytes and ints (as one byte each)
// into a stream.
func vpCat(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			b = append(b, p...)
		case []byte:
			b = append(b, p...)
		case byte:
			b = append(b, p)
		case int:
			b = append(b, byte(p))
		default:
			panic(fmt.Sprintf("vpCat: %T", p))
		}
	}
	return b
}

// vpRender renders stream on paper width dots wide and fails on any
// problem.
func vpRender(t *testing.T, width int, stream []byte) []*image.Gray {
	t.Helper()
	pages, err := (&Virtual{Width: width}).Render(stream)
	if err != nil {
		t.Fatalf("Render(%q): %v", stream, err)
	}
	return pages
}

// vpOnePage renders stream, which must give exactly one page.
func vpOnePage(t *testing.T, width int, stream []byte) *image.Gray {
	t.Helper()
	pages := vpRender(t, width, stream)
	if len(pages) != 1 {
		t.Fatalf("Render(%q): %d pages, want 1", stream, len(pages))
	}
	return pages[0]
}

// vpProblems renders stream and returns its problems, failing when the
// error is not a *RenderError.
func vpProblems(t *testing.T, stream []byte) ([]*image.Gray, []RenderProblem) {
	t.Helper()
	pages, err := (&Virtual{}).Render(stream)
	if err == nil {
		return pages, nil
	}
	var re *RenderError
	if !errors.As(err, &re) {
		t.Fatalf("Render(%q): %v, want a *RenderError", stream, err)
	}
	return pages, re.Problems
}

func vpHasProblem(problems []RenderProblem, substr string) bool {
	for _, p := range problems {
		if strings.Contains(p.What, substr) {
			return true
		}
	}
	return false
}

// vpInk returns the bounding box of the black dots in r and their number.
func vpInk(img *image.Gray, r image.Rectangle) (image.Rectangle, int) {
	var box image.Rectangle
	n := 0
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			switch img.GrayAt(x, y).Y {
			case 0:
				box = box.Union(image.Rect(x, y, x+1, y+1))
				n++
			case 0xFF:
			default:
				panic(fmt.Sprintf("grey dot %d at %d,%d", img.GrayAt(x, y).Y, x, y))
			}
		}
	}
	return box, n
}

// vpDecodeQR reads the QR code in img, with white paper added around it
// as a quiet zone at the page's edges.
func vpDecodeQR(img image.Image) (string, error) {
	b := img.Bounds()
	padded := image.NewGray(image.Rect(0, 0, b.Dx()+80, b.Dy()+80))
	draw.Draw(padded, padded.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(padded, b.Sub(b.Min).Add(image.Pt(40, 40)), img, b.Min, draw.Src)
	bmp, err := gozxing.NewBinaryBitmapFromImage(padded)
	if err != nil {
		return "", err
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

func TestRenderTextSizes(t *testing.T) {
	normal := vpOnePage(t, Width80, vpCat("\x1b@MMMM\n"))
	if normal.Rect.Dx() != Width80 || normal.Rect.Dy() != vpDefaultSpacing {
		t.Fatalf("one line of text: page %v, want 576 × %d", normal.Rect, vpDefaultSpacing)
	}
	nbox, nink := vpInk(normal, normal.Rect)
	if nbox.Min.X < 0 || nbox.Max.X > 4*vpFontAW || nbox.Max.Y > vpFontAH || nbox.Dx() < 3*vpFontAW || nbox.Dy() < vpFontAH/2 {
		t.Fatalf("MMMM in font A: ink in %v, want it to fill most of 4 cells of 12 × 24", nbox)
	}
	for _, tc := range []struct {
		name   string
		mode   string
		sx, sy int
	}{
		{"ESC ! double width", "\x1b!\x20", 2, 1},
		{"ESC ! double height", "\x1b!\x10", 1, 2},
		{"ESC ! double both", "\x1b!\x30", 2, 2},
		{"GS ! 3 × 2", "\x1d!\x21", 3, 2},
		{"GS ! 8 × 8", "\x1d!\x77", 8, 8},
		{"GS ! then ESC ! 0 resets", "\x1d!\x77\x1b!\x00", 1, 1},
		{"GS ! then ESC @ resets", "\x1d!\x77\x1b@", 1, 1},
		{"GS ! 10 × 1 is ignored", "\x1d!\x90", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pages, _ := vpProblems(t, vpCat("\x1b@", tc.mode, "MMMM\n"))
			img := pages[0]
			box, ink := vpInk(img, img.Rect)
			want := image.Rect(nbox.Min.X*tc.sx, nbox.Min.Y*tc.sy, nbox.Max.X*tc.sx, nbox.Max.Y*tc.sy)
			if box != want || ink != nink*tc.sx*tc.sy {
				t.Errorf("ink in %v, %d dots; want %v, %d dots (normal %v scaled %d × %d)", box, ink, want, nink*tc.sx*tc.sy, nbox, tc.sx, tc.sy)
			}
			if want := max(vpDefaultSpacing, vpFontAH*tc.sy); img.Rect.Dy() != want {
				t.Errorf("page %d dots high, want %d", img.Rect.Dy(), want)
			}
		})
	}
	_, problems := vpProblems(t, vpCat("\x1b@\x1d!\x90MMMM\n"))
	if !vpHasProblem(problems, "GS ! 0x90") {
		t.Errorf("GS ! 0x90: problems %v, want one naming it", problems)
	}

	fontB := vpOnePage(t, Width80, vpCat("\x1b@\x1b!\x01MMMM\n"))
	if box, _ := vpInk(fontB, fontB.Rect); box.Max.X > 4*vpFontBW || box.Max.Y > vpFontBH || box.Dx() < 3*vpFontBW {
		t.Errorf("MMMM in font B (ESC ! 1): ink in %v, want it within 4 cells of 9 × 17", box)
	}
	fontBM := vpOnePage(t, Width80, vpCat("\x1b@\x1bM\x01MMMM\n"))
	if !bytes.Equal(fontB.Pix, fontBM.Pix) {
		t.Errorf("ESC M 1 and ESC ! 1 print differently")
	}

	for _, mode := range []string{"\x1bE\x01", "\x1b!\x08", "\x1bG\x01"} {
		img := vpOnePage(t, Width80, vpCat("\x1b@", mode, "MMMM\n"))
		if _, ink := vpInk(img, img.Rect); ink <= nink*11/10 {
			t.Errorf("bold (%q): %d dots of ink, want clearly more than normal's %d", mode, ink, nink)
		}
	}
}

func TestRenderUnderlineReverse(t *testing.T) {
	for _, tc := range []struct {
		mode string
		rows int
	}{{"\x1b-\x01", 1}, {"\x1b-1", 1}, {"\x1b-\x02", 2}, {"\x1b!\x80", 1}} {
		img := vpOnePage(t, Width80, vpCat("\x1b@", tc.mode, "ab c\n"))
		for y := vpFontAH - tc.rows; y < vpFontAH; y++ {
			if box, n := vpInk(img, image.Rect(0, y, Width80, y+1)); n != 4*vpFontAW {
				t.Errorf("underline %q: row %d has ink in %v (%d dots), want under all 4 cells", tc.mode, y, box, n)
			}
		}
		if _, n := vpInk(img, image.Rect(0, vpFontAH, Width80, img.Rect.Dy())); n != 0 {
			t.Errorf("underline %q: ink below the line's cells", tc.mode)
		}
	}
	img := vpOnePage(t, Width80, vpCat("\x1b@\x1dB\x01ab\x1dB\x00cd\n"))
	if _, n := vpInk(img, image.Rect(0, 0, 2*vpFontAW, vpFontAH)); n < 2*vpFontAW*vpFontAH*2/3 {
		t.Errorf("reverse (GS B 1): %d black dots in the first two cells, want most of %d", n, 2*vpFontAW*vpFontAH)
	}
	if _, n := vpInk(img, image.Rect(2*vpFontAW, 0, 4*vpFontAW, vpFontAH)); n > 2*vpFontAW*vpFontAH/3 {
		t.Errorf("GS B 0: %d black dots in cells 3 and 4, want ordinary text", n)
	}
}

func TestRenderAlign(t *testing.T) {
	for _, width := range []int{Width58, Width80} {
		for _, tc := range []struct {
			n    string
			want string
		}{{"\x00", "left"}, {"0", "left"}, {"\x01", "centre"}, {"1", "centre"}, {"\x02", "right"}, {"2", "right"}} {
			img := vpOnePage(t, width, vpCat("\x1b@\x1ba", tc.n, "MMMM\n"))
			box, _ := vpInk(img, img.Rect)
			var ok bool
			switch tc.want {
			case "left":
				ok = box.Min.X < vpFontAW/2
			case "centre":
				ok = abs(box.Min.X+box.Max.X-width) <= 2
			case "right":
				ok = box.Max.X > width-vpFontAW/2
			}
			if !ok {
				t.Errorf("%d dots, ESC a %q: ink in %v, want it %s", width, tc.n, box, tc.want)
			}
		}
	}
	// Alignment is that of the line's start; a raster image follows
	// the alignment too.
	img := vpOnePage(t, Width80, vpCat("\x1b@\x1ba\x01MM\x1ba\x02\n"))
	if box, _ := vpInk(img, img.Rect); abs(box.Min.X+box.Max.X-Width80) > 2 {
		t.Errorf("ESC a 2 after the line started: ink in %v, want the line centred", box)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestRenderWrapAndFeeds(t *testing.T) {
	full := strings.Repeat("X", 48)
	img := vpOnePage(t, Width80, vpCat("\x1b@", full, "\n"))
	if img.Rect.Dy() != vpDefaultSpacing {
		t.Errorf("48 characters and LF on 80 mm: page %d dots high, want one line", img.Rect.Dy())
	}
	img = vpOnePage(t, Width80, vpCat("\x1b@", full, "Y\n"))
	if img.Rect.Dy() != 2*vpDefaultSpacing {
		t.Fatalf("49 characters and LF on 80 mm: page %d dots high, want two lines", img.Rect.Dy())
	}
	if box, _ := vpInk(img, image.Rect(0, vpDefaultSpacing, Width80, 2*vpDefaultSpacing)); box.Min.X >= vpFontAW || box.Max.X > vpFontAW {
		t.Errorf("the 49th character printed at %v, want at the start of the second line", box)
	}
	img = vpOnePage(t, Width58, vpCat("\x1b@\x1d!\x11", strings.Repeat("X", 17), "\n"))
	if img.Rect.Dy() != 2*2*vpFontAH {
		t.Errorf("17 double-size characters on 58 mm: page %d dots high, want two lines of 48", img.Rect.Dy())
	}

	for _, tc := range []struct {
		stream string
		h      int
	}{
		{"\x1b@\n\n", 2 * vpDefaultSpacing},
		{"\x1b@\x1b3\x28a\nb\n", 2 * 40},
		{"\x1b@\x1b3\x10a\n", vpFontAH}, // spacing below the text's height
		{"\x1b@\x1b3\x28\x1b2a\n", vpDefaultSpacing},
		{"\x1b@\x1bd\x03", 3 * vpDefaultSpacing},
		{"\x1b@a\x1bd\x02", 2 * vpDefaultSpacing},
		{"\x1b@\x1bJ\x32", 50},
		{"\x1b@a\x1bJ\x05", vpFontAH},
		{"\x1b@a\r\n", vpDefaultSpacing},
	} {
		if img := vpOnePage(t, Width80, []byte(tc.stream)); img.Rect.Dy() != tc.h {
			t.Errorf("%q: page %d dots high, want %d", tc.stream, img.Rect.Dy(), tc.h)
		}
	}
}

func TestRenderPositions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stream string
		x      int // where the ink of B starts, at least
		limit  int // and before this
	}{
		{"HT", "\x1b@.\tB\n", 8 * vpFontAW, 9 * vpFontAW},
		{"ESC D", "\x1b@\x1bD\x03\x0a\x00.\tB\n", 3 * vpFontAW, 4 * vpFontAW},
		{"ESC $", "\x1b@.\x1b$\x64\x00B\n", 100, 100 + vpFontAW},
		{"ESC \\", "\x1b@.\x1b\\\x0a\x00B\n", vpFontAW + 10, 2*vpFontAW + 10},
		{"GS L", "\x1b@\x1dL\x64\x00.B\n", 100 + vpFontAW, 100 + 2*vpFontAW},
		{"ESC SP", "\x1b@\x1b \x06.B\n", vpFontAW + 6, 2*vpFontAW + 6},
	} {
		img := vpOnePage(t, Width80, []byte(tc.stream))
		box, _ := vpInk(img, image.Rect(tc.x-1, 0, Width80, img.Rect.Dy()))
		if box.Min.X < tc.x || box.Max.X > tc.limit {
			t.Errorf("%s: the second character's ink in %v, want within %d–%d", tc.name, box, tc.x, tc.limit)
		}
	}
	// GS W narrows the print area: 10 characters a line.
	img := vpOnePage(t, Width80, vpCat("\x1b@\x1dW\x78\x00", strings.Repeat("X", 11), "\n"))
	if img.Rect.Dy() != 2*vpDefaultSpacing {
		t.Errorf("GS W 120, 11 characters: page %d dots high, want two lines", img.Rect.Dy())
	}
}

func TestRenderCodePages(t *testing.T) {
	catalan := []rune{'à', 'è', 'ç', 'Ç'}
	for _, tc := range []struct {
		name  string
		n     byte
		bytes string
		runes []rune
	}{
		{"CP858", 19, "\x85\x8A\x87\x80\xFA\xD5", append(catalan, '·', '€')},
		{"CP850", 2, "\x85\x8A\x87\x80\xFA\xD5", append(catalan, '·', 'ı')},
		{"Windows-1252", 16, "\xE0\xE8\xE7\xC7\xB7\x80", append(catalan, '·', '€')},
		{"CP437", 0, "\x85\x8A\x87\x80", catalan},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := vpOnePage(t, Width80, vpCat("\x1b@\x1bt", tc.n, tc.bytes, "\n"))
			for i, r := range tc.runes {
				want := vpGlyphFor(r, false, false)
				if q := vpGlyphFor('?', false, false); bytes.Equal(want.ink, q.ink) {
					t.Fatalf("%q has the glyph of '?'", r)
				}
				for y := range vpFontAH {
					for x := range vpFontAW {
						ink := img.GrayAt(i*vpFontAW+x, y).Y == 0
						if ink != (want.ink[y*vpFontAW+x] == 1) {
							t.Fatalf("byte 0x%02X: dot %d,%d differs from %q's", tc.bytes[i], x, y, r)
						}
					}
				}
			}
		})
	}
	// A table the virtual printer does not know prints as CP437 (0xD5 is
	// ╒ there), and says so.
	pages, problems := vpProblems(t, vpCat("\x1b@\x1bt\x63\xD5\n"))
	if !vpHasProblem(problems, "ESC t 99") {
		t.Errorf("ESC t 99: problems %v, want one naming it", problems)
	}
	want := vpGlyphFor('╒', false, false)
	for i, v := range want.ink {
		if (pages[0].GrayAt(i%vpFontAW, i/vpFontAW).Y == 0) != (v == 1) {
			t.Fatalf("ESC t 99, 0xD5: not printed as CP437's ╒")
		}
	}
	// ESC @ goes back to code page 0.
	a := vpOnePage(t, Width80, vpCat("\x1b@\x1bt\x13\x1b@\xD5\n"))
	b := vpOnePage(t, Width80, vpCat("\x1b@\xD5\n"))
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Errorf("ESC @ did not reset the code page")
	}
}

// vpChecker is a raster stride bytes wide and h rows high of 4 × 4
// squares, the top left one black.
func vpChecker(stride, h int) []byte {
	data := make([]byte, stride*h)
	for y := range h {
		for x := range stride * 8 {
			if (x/4+y/4)%2 == 0 {
				data[y*stride+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return data
}

func TestRenderRaster(t *testing.T) {
	data := vpChecker(2, 16)
	for _, tc := range []struct {
		name   string
		pre    string
		mode   byte
		x0, s  int
		sx, sy int
	}{
		{"left", "", 0, 0, 1, 1, 1},
		{"centre", "\x1ba\x01", 0, (Width80 - 16) / 2, 1, 1, 1},
		{"right", "\x1ba\x02", '0', Width80 - 16, 1, 1, 1},
		{"double width", "", 1, 0, 1, 2, 1},
		{"double height", "", '2', 0, 1, 1, 2},
		{"quadruple", "\x1dL\x0a\x00", 3, 10, 1, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := vpOnePage(t, Width80, vpCat("\x1b@", tc.pre, "\x1dv0", tc.mode, 2, 0, 16, 0, data))
			if img.Rect.Dy() != 16*tc.sy {
				t.Fatalf("page %d dots high, want %d", img.Rect.Dy(), 16*tc.sy)
			}
			for y := range img.Rect.Dy() {
				for x := range Width80 {
					sx, sy := (x-tc.x0)/tc.sx, y/tc.sy
					want := x >= tc.x0 && sx < 16 && (sx/4+sy/4)%2 == 0
					if got := img.GrayAt(x, y).Y == 0; got != want {
						t.Fatalf("dot %d,%d: ink %v, want %v", x, y, got, want)
					}
				}
			}
		})
	}
	// The same image as graphics (GS ( L), and as an ESC * bit image in a
	// line: 24 dots a column, 16 columns.
	gfx := vpOnePage(t, Width80, vpCat("\x1b@\x1d(L", 10+len(data), 0, "0p0", 1, 1, "1", 16, 0, 16, 0, data, "\x1d(L\x02\x000\x32"))
	ras := vpOnePage(t, Width80, vpCat("\x1b@\x1dv0", 0, 2, 0, 16, 0, data))
	if !bytes.Equal(gfx.Pix, ras.Pix) {
		t.Errorf("GS ( L graphics print differently from the same GS v 0 raster")
	}
	var cols []byte
	for x := range 16 {
		var c [3]byte
		for y := range 16 {
			if (x/4+y/4)%2 == 0 {
				c[y/8] |= 0x80 >> (y % 8)
			}
		}
		cols = append(cols, c[:]...)
	}
	bit := vpOnePage(t, Width80, vpCat("\x1b@\x1b3\x18\x1b*\x21\x10\x00", cols, "\n"))
	if bit.Rect.Dy() != 24 || !bytes.Equal(bit.Pix[:16*Width80], ras.Pix) {
		t.Errorf("ESC * 33 prints differently from the same GS v 0 raster")
	}
}

func TestRenderQR(t *testing.T) {
	const url = "https://torn.example.cat/t/XkJKjCs-hWhoPoWJcYh2vg"
	store := vpCat("\x1d(k", len(url)+3, 0, "1P0", url)
	for _, tc := range []struct {
		name  string
		align string
		size  int
		level byte
	}{
		{"centre M 4", "\x1ba\x01", 4, 49},
		{"left L 3", "", 3, 48},
		{"right H 6", "\x1ba\x02", 6, 51},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := vpOnePage(t, Width80, vpCat("\x1b@", tc.align, "\x1d(k\x04\x001A2\x00",
				"\x1d(k\x03\x001C", tc.size, "\x1d(k\x03\x001E", tc.level, store, "\x1d(k\x03\x001Q0"))
			got, err := vpDecodeQR(img)
			if err != nil || got != url {
				t.Fatalf("decoded %q, %v; want %q", got, err, url)
			}
			box, _ := vpInk(img, img.Rect)
			modules := box.Dx() / tc.size
			if box.Dx() != box.Dy() || box.Dx()%tc.size != 0 || (modules-17)%4 != 0 || img.Rect.Dy() != box.Dx() {
				t.Errorf("symbol %v on a page %d high: want a square of 21, 25… modules of %d dots filling the page", box, img.Rect.Dy(), tc.size)
			}
			switch tc.align {
			case "":
				if box.Min.X != 0 {
					t.Errorf("left: symbol at %v", box)
				}
			case "\x1ba\x01":
				if abs(box.Min.X+box.Max.X-Width80) > 1 {
					t.Errorf("centre: symbol at %v", box)
				}
			default:
				if box.Max.X != Width80 {
					t.Errorf("right: symbol at %v", box)
				}
			}
		})
	}
	// Higher error correction, bigger symbol.
	sizes := map[byte]int{}
	for _, level := range []byte{48, 51} {
		img := vpOnePage(t, Width80, vpCat("\x1b@\x1d(k\x03\x001C\x01\x1d(k\x03\x001E", level, store, "\x1d(k\x03\x001Q0"))
		sizes[level] = img.Rect.Dy()
	}
	if sizes[51] <= sizes[48] {
		t.Errorf("QR level H %d modules, level L %d: want H bigger", sizes[51], sizes[48])
	}
	// A symbol wider than the paper does not print; PDF417 is consumed.
	_, err := (&Virtual{Width: Width58}).Render(vpCat("\x1b@\x1d(k\x03\x001C\x10", store, "\x1d(k\x03\x001Q0", "A\n"))
	if re := (*RenderError)(nil); !errors.As(err, &re) || !vpHasProblem(re.Problems, "wider than the print area") {
		t.Errorf("QR of 16-dot modules on 58 mm: %v", err)
	}
	pages, problems := vpProblems(t, vpCat("\x1b@\x1d(k\x05\x000P0ab\x1d(k\x03\x000Q0A\n"))
	if !vpHasProblem(problems, "PDF417") || len(pages) != 1 || pages[0].Rect.Dy() != vpDefaultSpacing {
		t.Errorf("PDF417 then A: %d pages, problems %v; want one line and a problem", len(pages), problems)
	}
}

func TestRenderCuts(t *testing.T) {
	for _, tc := range []struct {
		stream  string
		heights []int
	}{
		{"\x1b@A\n\x1dV\x42\x03B\n\x1biC\n\x1dV\x00", []int{33, 30, 30}},
		{"A\n\x1dV\x01\x1dV\x30\x1bm\x1dVA\x00B\n", []int{30, 30}},
		{"A\n\x1dV1\x1bd\x02", []int{30, 60}},
		{"\x1dV\x00\x1dV\x00", nil},
		{"A\n\x1bi", []int{30}},
	} {
		pages := vpRender(t, Width80, []byte(tc.stream))
		var heights []int
		for _, p := range pages {
			heights = append(heights, p.Rect.Dy())
		}
		if fmt.Sprint(heights) != fmt.Sprint(tc.heights) {
			t.Errorf("%q: pages %v dots high, want %v", tc.stream, heights, tc.heights)
		}
	}
}

func TestRenderProblems(t *testing.T) {
	for _, tc := range []struct {
		stream string
		want   []string // in the problems, in order
		lines  int      // lines printed
	}{
		{"\x1b\x99A\n", []string{"ESC 0x99"}, 1},
		{"\x1d\xffA\n\x1c\x01B\n", []string{"GS 0xFF", "FS 0x01"}, 2},
		{"\x07A\n", []string{"control byte 0x07"}, 1},
		{"\x1dk\x04ABC\x00A\n", []string{"barcode"}, 1},
		{"\x1dkI\x03ABCA\n", []string{"barcode"}, 1},
		{"AB", []string{"2 characters at the end"}, 0},
		{"AB\x1b@C\n", []string{"ESC @ cleared 2 characters"}, 1},
		{"AB\x1dV\x00", []string{"cut with 2 characters"}, 1},
		{"\x1b{\x01A\n", []string{"upside-down"}, 1},
		{"\x1cp\x01\x00A\n", []string{"FS p"}, 1},
	} {
		pages, problems := vpProblems(t, []byte(tc.stream))
		if len(problems) != len(tc.want) {
			t.Errorf("%q: problems %v, want %d", tc.stream, problems, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(problems[i].What, w) {
				t.Errorf("%q: problem %d is %v, want it to mention %q", tc.stream, i, problems[i], w)
			}
		}
		h := 0
		for _, p := range pages {
			h += p.Rect.Dy()
		}
		if h != tc.lines*vpDefaultSpacing {
			t.Errorf("%q: %d dots of paper, want %d lines", tc.stream, h, tc.lines)
		}
	}
	_, problems := vpProblems(t, []byte("AB\n\x1b\x99"))
	if len(problems) != 1 || problems[0].Offset != 3 {
		t.Errorf("problems %v, want one at offset 3", problems)
	}
}

// vpCommands are complete commands of every shape the interpreter knows,
// for the truncation test and the fuzz corpus.
var vpCommands = []string{
	"\x1b@", "\x1b!\x38", "\x1bE\x01", "\x1b-\x02", "\x1ba\x01", "\x1bt\x13", "\x1bd\x02",
	"\x1bJ\x10", "\x1b3\x28", "\x1b2", "\x1bi", "\x1bm", "\x1b$\x10\x00", "\x1b\\\xf0\xff",
	"\x1bD\x02\x04\x00", "\x1b*\x21\x02\x00\xff\x00\xff\x00\xff\x00", "\x1b*\x00\x01\x00\xaa",
	"\x1b&\x03\x41\x42\x02\x01\x02\x03\x04\x05\x06\x01\x07\x08\x09", "\x1b(A\x02\x00\x01\x02",
	"\x1bp\x00\x19\xfa", "\x1bW\x00\x00\x00\x00\x00\x02\x00\x02",
	"\x1d!\x11", "\x1dB\x01", "\x1dL\x10\x00", "\x1dW\x00\x01", "\x1dV\x00", "\x1dVB\x05",
	"\x1dv0\x00\x01\x00\x02\x00\xf0\x0f", "\x1d(k\x04\x001A2\x00", "\x1d(k\x03\x001C\x04",
	"\x1d(k\x03\x001E1", "\x1d(k\x06\x001P0abc", "\x1d(k\x03\x001Q0",
	"\x1d(L\x0c\x000p0\x01\x011\x08\x00\x02\x00\xff\x81", "\x1d(L\x02\x0002",
	"\x1d8L\x0c\x00\x00\x000p0\x01\x011\x08\x00\x02\x00\xff\x81",
	"\x1dk\x04123\x00", "\x1dkI\x02ab", "\x1d*\x01\x01\x01\x02\x03\x04\x05\x06\x07\x08", "\x1dr\x01",
	"\x1cq\x01\x01\x00\x01\x00\x01\x02\x03\x04\x05\x06\x07\x08", "\x1cp\x01\x00", "\x1c(A\x01\x00\x00",
	"\x10\x04\x01", "\x10\x04\x07\x01", "\x10\x05\x02", "\x10\x14\x01\x00\x01",
	"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08",
}

func TestRenderTruncated(t *testing.T) {
	line := vpOnePage(t, Width80, []byte("A\n"))
	for _, cmd := range vpCommands {
		for n := 1; n < len(cmd); n++ {
			stream := vpCat("A\n", cmd[:n])
			pages, err := (&Virtual{}).Render(stream)
			var re *RenderError
			if !errors.As(err, &re) || !vpHasProblem(re.Problems, "cut short") {
				t.Errorf("%q: %v, want a problem saying it was cut short", stream, err)
			}
			// A raster cut short prints the rows it holds.
			if len(pages) != 1 || !bytes.Equal(pages[0].Pix[:len(line.Pix)], line.Pix) ||
				(pages[0].Rect.Dy() != vpDefaultSpacing && !strings.HasPrefix(cmd, "\x1dv0")) {
				t.Errorf("%q: the line before the truncated command did not print alone", stream)
			}
		}
	}
	// A raster claiming 65535 × 65535 bytes with 10 left prints the row
	// it has and allocates nothing like its claim.
	stream := vpCat("\x1dv0\x00\xff\xff\xff\xff", strings.Repeat("\xff", 10))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	pages, problems := vpProblems(t, stream)
	runtime.ReadMemStats(&after)
	if len(pages) != 1 || pages[0].Rect.Dy() != 1 || !vpHasProblem(problems, "cut short") {
		t.Errorf("huge raster with 10 bytes: %d pages, problems %v; want one row and a problem", len(pages), problems)
	}
	if box, _ := vpInk(pages[0], pages[0].Rect); box != image.Rect(0, 0, 80, 1) {
		t.Errorf("huge raster with 10 bytes: ink in %v, want the 80 dots it holds", box)
	}
	if a := after.TotalAlloc - before.TotalAlloc; a > 1<<20 {
		t.Errorf("huge raster with 10 bytes: %d bytes allocated", a)
	}
}

func TestRenderLimits(t *testing.T) {
	long := strings.Repeat("\x1bJ\xff", 100) // 25,500 dots
	pages, problems := vpProblems(t, vpCat(long, "\x1dV\x00A\n"))
	if len(pages) != 2 || pages[0].Rect.Dy() != vpMaxPage || pages[1].Rect.Dy() != vpDefaultSpacing || !vpHasProblem(problems, "page longer") {
		t.Errorf("25,500 dots then a cut: %d pages, problems %v; want one cut at %d dots, then the next", len(pages), problems, vpMaxPage)
	}
	pages, problems = vpProblems(t, []byte(strings.Repeat(long+"\x1dV\x00", 8)))
	total := 0
	for _, p := range pages {
		total += p.Rect.Dy()
	}
	if total > vpMaxPixels/Width80 || !vpHasProblem(problems, "the rest is not rendered") {
		t.Errorf("8 pages of 25,500 dots: %d dots rendered, problems %v", total, problems)
	}
	pages, _ = vpProblems(t, []byte(strings.Repeat("A\n\x1bi", vpMaxPages+10)))
	if len(pages) != vpMaxPages {
		t.Errorf("%d tickets: %d pages, want %d", vpMaxPages+10, len(pages), vpMaxPages)
	}
	for _, w := range []int{-1, 4, vpMaxWidth + 1} {
		if _, err := (&Virtual{Width: w}).Render([]byte("A\n")); err == nil {
			t.Errorf("Width %d: no error", w)
		}
		if _, err := (&Virtual{Width: w}).Write([]byte("A\n")); err == nil {
			t.Errorf("Width %d: Write gave no error", w)
		}
	}
}

func TestVirtualStatus(t *testing.T) {
	for _, tc := range []struct {
		s    Status
		want []byte // DLE EOT 1, 2, 3, 4
	}{
		{Status{Online: true}, []byte{0x12, 0x12, 0x12, 0x12}},
		{Status{}, []byte{0x1A, 0x12, 0x12, 0x12}},
		{Status{Online: true, CoverOpen: true}, []byte{0x12, 0x16, 0x12, 0x12}},
		{Status{Online: true, PaperNearEnd: true}, []byte{0x12, 0x12, 0x12, 0x1E}},
		{Status{Online: true, PaperOut: true}, []byte{0x12, 0x32, 0x12, 0x72}},
		{Status{Online: true, Error: true}, []byte{0x12, 0x52, 0x32, 0x12}},
		{Status{CoverOpen: true, PaperOut: true, PaperNearEnd: true, Error: true}, []byte{0x1A, 0x76, 0x32, 0x7E}},
	} {
		v := &Virtual{Status: tc.s}
		if _, err := v.Write([]byte("\x10\x04\x01\x10\x04\x02A\n\x10\x04\x03\x10\x04\x04\x10\x04\x05")); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 8)
		n, err := v.Read(got)
		if err != nil || !bytes.Equal(got[:n], tc.want) {
			t.Errorf("%+v: answers % X, %v; want % X", tc.s, got[:n], err, tc.want)
		}
		if n, err := v.Read(got); n != 0 || !errors.Is(err, ErrNoAnswer) {
			t.Errorf("%+v: second Read %d, %v; want ErrNoAnswer", tc.s, n, err)
		}
		v.SetStatus(Status{Online: true})
		v.SetStatus(tc.s)
		if s, err := QueryStatus(v, 0); err != nil || s != tc.s {
			t.Errorf("QueryStatus: %+v, %v; want %+v", s, err, tc.s)
		}
	}

	// A query split across writes is answered when complete; answers
	// follow the status at the moment each query runs.
	v := &Virtual{Status: Status{Online: true}}
	v.Write([]byte{0x10})
	if _, err := v.Read(make([]byte, 1)); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("half a DLE EOT answered")
	}
	v.Write([]byte{0x04, 0x01})
	v.SetStatus(Status{})
	v.Write([]byte{0x10, 0x04, 0x01})
	got := make([]byte, 4)
	if n, _ := v.Read(got); !bytes.Equal(got[:n], []byte{0x12, 0x1A}) {
		t.Errorf("split query then offline: % X, want 12 1A", got[:n])
	}
	v.SetStatus(Status{Online: true, PaperOut: true})
	v.Write([]byte("\x1dr\x01\x1dr1\x1dr\x02"))
	if n, _ := v.Read(got); !bytes.Equal(got[:n], []byte{0x0C, 0x0C, 0x00}) {
		t.Errorf("GS r 1, 1, 2 with paper out: % X, want 0C 0C 00", got[:n])
	}
	if _, err := v.Query([]byte{0x10, 0x04, 0x09}, 1, 0); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("Query of DLE EOT 9: %v, want ErrNoAnswer", err)
	}
	// Status queries print nothing.
	if pages := vpRender(t, Width80, []byte("\x10\x04\x01\x10\x04\x04")); len(pages) != 0 {
		t.Errorf("DLE EOT printed %d pages", len(pages))
	}
}

// vpSampleStream is a ticket-like stream using most of what the
// interpreter knows.
func vpSampleStream() []byte {
	const url = "https://torn.example.cat/t/XkJKjCs-hWhoPoWJcYh2vg"
	return vpCat(
		"\x1b@\x1bt\x13\x1ba\x01\x1bE\x01OAC El Masnou\n\x1bE\x00",
		"\x1d!\x33A023\n\x1d!\x00\x1b!\x10Atenci\xa2 ciutadana\n\x1b!\x00",
		"\x1b-\x01Pla\x87a de l'Esgl\x82sia\x1b-\x00\n\x1dB\x01 4 \x1dB\x00 persones\n",
		"\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x05\x1d(k\x03\x001E1",
		"\x1d(k", len(url)+3, 0, "1P0", url, "\x1d(k\x03\x001Q0\n",
		"\x1ba\x00\x1b!\x01Gr\x85cies\tper\tvenir\n\x1b3\x18",
		"\x1dv0\x01\x02\x00\x10\x00", vpChecker(2, 16),
		"\x1b2\x1bd\x03\x1dVB\x10",
		"\x1b@\x1ba\x02", strings.Repeat("Segon tiquet ", 8), "\n\x1bi",
	)
}

func TestVirtualWriteMatchesRender(t *testing.T) {
	stream := vpSampleStream()
	want := vpRender(t, Width80, stream)
	if len(want) != 2 {
		t.Fatalf("sample: %d pages, want 2", len(want))
	}
	if got, err := vpDecodeQR(want[0]); err != nil || !strings.HasPrefix(got, "https://") {
		t.Errorf("sample's QR code: %q, %v", got, err)
	}
	for _, chunk := range []int{1, 3, 7, 64, len(stream)} {
		v := &Virtual{}
		for i := 0; i < len(stream); i += chunk {
			if _, err := v.Write(stream[i:min(i+chunk, len(stream))]); err != nil {
				t.Fatal(err)
			}
		}
		got, err := v.Pages()
		if err != nil || len(got) != len(want) {
			t.Fatalf("written %d bytes at a time: %d pages, %v; want %d", chunk, len(got), err, len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i].Pix, want[i].Pix) {
				t.Errorf("written %d bytes at a time: page %d differs from Render's", chunk, i)
			}
		}
	}
}

func TestVirtualPagesKeepReset(t *testing.T) {
	v := &Virtual{Width: Width58, Keep: 2}
	for i := range 5 {
		fmt.Fprintf(v, "\x1b@Ticket %d\n\x1dVB\x00", i)
	}
	fmt.Fprintf(v, "Half\n")
	pages, err := v.Pages()
	if err != nil || len(pages) != 3 {
		t.Fatalf("5 tickets and a line, Keep 2: %d pages, %v; want 3", len(pages), err)
	}
	for _, p := range pages {
		if p.Rect.Dx() != Width58 {
			t.Errorf("page %v, want %d dots wide", p.Rect, Width58)
		}
	}
	last := vpOnePage(t, Width58, []byte("\x1b@Ticket 4\n"))
	if !bytes.Equal(pages[1].Pix, last.Pix) {
		t.Errorf("the second page kept is not the last ticket")
	}
	pngs, err := v.PNGs()
	if err != nil || len(pngs) != 3 {
		t.Fatalf("PNGs: %d, %v", len(pngs), err)
	}
	for i, b := range pngs {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for y := range pages[i].Rect.Dy() {
			for x := range Width58 {
				if r, _, _, _ := img.At(x, y).RGBA(); uint8(r>>8) != pages[i].GrayAt(x, y).Y {
					t.Fatalf("PNG %d differs from its page at %d,%d", i, x, y)
				}
			}
		}
	}
	v.Reset()
	if pages, err := v.Pages(); len(pages) != 0 || err != nil {
		t.Errorf("after Reset: %d pages, %v", len(pages), err)
	}

	// On the widest paper, Keep still keeps pages, within the budget.
	wide := &Virtual{Width: vpMaxWidth, Keep: 3}
	for range 5 {
		wide.Write([]byte("\x1bJ\xff\x1bJ\xff\x1bJ\xff\x1bi"))
	}
	if pages, _ := wide.Pages(); len(pages) != 3 {
		t.Errorf("%d dots wide, Keep 3: %d pages", vpMaxWidth, len(pages))
	}
}

func TestVirtualConcurrent(t *testing.T) {
	v := &Virtual{}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 20 {
				fmt.Fprintf(v, "\x1b@Writer %d line %d\n\x10\x04\x01", i, j)
				v.Read(make([]byte, 4))
				v.SetStatus(Status{Online: j%2 == 0})
				if _, err := QueryStatus(v, 0); err != nil {
					t.Error(err)
				}
				v.Pages()
			}
		})
	}
	wg.Wait()
}

func TestRenderPNG(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderPNG([]byte("A\n\x1bi\x1bd\x02\x1bi"), &buf, Width58); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, Width58, 30+vpGap+60) {
		t.Errorf("two pages of 30 and 60 dots: PNG %v", img.Bounds())
	}
	if r, _, _, _ := img.At(0, 30+vpGap/2).RGBA(); r == 0 || r == 0xFFFF {
		t.Errorf("no grey between the pages")
	}
	buf.Reset()
	var re *RenderError
	if err := RenderPNG([]byte("A"), &buf, 0); !errors.As(err, &re) || buf.Len() == 0 {
		t.Errorf("text never printed: %v, %d bytes of PNG; want a PNG and a *RenderError", err, buf.Len())
	}
	if err := RenderPNG(nil, &buf, 1); err == nil || errors.As(err, &re) {
		t.Errorf("width 1: %v, want a plain error", err)
	}
}
