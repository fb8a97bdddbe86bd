package printer

import (
	"fmt"
	"image"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The virtual printer's two character fonts, in dots, as on Epson's TM
// printers: font A 12 × 24, font B 9 × 17.
const (
	vpFontAW, vpFontAH = 12, 24
	vpFontBW, vpFontBH = 9, 17
)

// vpGlyph is one character cell of a font at size 1 × 1: w × h bytes, 1
// where the printer puts a dot.
type vpGlyph struct {
	w, h int
	ink  []byte
}

type vpGlyphKey struct {
	r     rune
	fontB bool
	bold  bool
}

// vpFace is Go Mono (or Go Mono Bold) at the largest whole pixel size whose
// advance and height fit a cell.
type vpFace struct {
	face           font.Face
	w, h           int
	xoff, baseline int
}

// vpFonts holds the faces and the glyph cache. Faces are not safe for
// concurrent use, so one mutex guards both; the cache holds at most the
// 224 printable bytes of each code page in use, four ways.
var vpFonts struct {
	mu    sync.Mutex
	faces [2][2]*vpFace // [fontB][bold]
	cache map[vpGlyphKey]*vpGlyph
	err   error
	once  sync.Once
}

func vpLoadFonts() error {
	vpFonts.once.Do(func() {
		vpFonts.cache = make(map[vpGlyphKey]*vpGlyph)
		for bold, ttf := range [2][]byte{gomono.TTF, gomonobold.TTF} {
			f, err := opentype.Parse(ttf)
			if err != nil {
				vpFonts.err = fmt.Errorf("load the virtual printer's font: %w", err)
				return
			}
			for fontB, cell := range [2][2]int{{vpFontAW, vpFontAH}, {vpFontBW, vpFontBH}} {
				face, err := vpFitFace(f, cell[0], cell[1])
				if err != nil {
					vpFonts.err = err
					return
				}
				vpFonts.faces[fontB][bold] = face
			}
		}
	})
	return vpFonts.err
}

// vpFitFace finds the largest size of f whose advance fits w and whose
// ascent plus descent fits h.
func vpFitFace(f *opentype.Font, w, h int) (*vpFace, error) {
	for size := 2 * h; size >= 4; size-- {
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return nil, fmt.Errorf("load the virtual printer's font at %d px: %w", size, err)
		}
		adv, _ := face.GlyphAdvance('M')
		m := face.Metrics()
		if adv.Ceil() <= w && m.Ascent.Ceil()+m.Descent.Ceil() <= h {
			return &vpFace{face: face, w: w, h: h, xoff: (w - adv.Ceil()) / 2, baseline: m.Ascent.Ceil()}, nil
		}
		face.Close()
	}
	return nil, fmt.Errorf("load the virtual printer's font: nothing fits a %d × %d cell", w, h)
}

// vpGlyphFor returns the cell of r, rasterised once and cached. Dots are
// where the anti-aliased glyph covers at least half of a pixel, as a
// thermal head prints dots or nothing.
func vpGlyphFor(r rune, fontB, bold bool) *vpGlyph {
	k := vpGlyphKey{r, fontB, bold}
	vpFonts.mu.Lock()
	defer vpFonts.mu.Unlock()
	if g, ok := vpFonts.cache[k]; ok {
		return g
	}
	f := vpFonts.faces[vpB2i(fontB)][vpB2i(bold)]
	g := &vpGlyph{w: f.w, h: f.h, ink: make([]byte, f.w*f.h)}
	if unicode.IsGraphic(r) && !unicode.IsSpace(r) {
		dst := image.NewAlpha(image.Rect(0, 0, f.w, f.h))
		d := font.Drawer{Dst: dst, Src: image.Opaque, Face: f.face, Dot: fixed.P(f.xoff, f.baseline)}
		d.DrawString(string(r))
		for i, a := range dst.Pix {
			if a >= 0x80 {
				g.ink[i] = 1
			}
		}
	}
	vpFonts.cache[k] = g
	return g
}

func vpB2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
