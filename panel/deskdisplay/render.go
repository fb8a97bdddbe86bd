package deskdisplay

import (
	"fmt"
	"image"
	"image/draw"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The layout of a picture, in pixels.
const (
	// nameBand is the height of the band at the bottom of a screen of
	// nameMinHeight rows or more that holds the desk's name.
	nameBand      = 16
	nameMinHeight = 48
	// margin is kept clear at the left and right of the number and the
	// name.
	margin = 2
	// minSize is the smallest font size, in pixels, text shrinks to;
	// below it, text is cut and ends with "…".
	minSize = 8
)

// The two values of a rendered picture's pixels.
const (
	off uint8 = 0x00
	on  uint8 = 0xFF
)

// fonts holds the parsed fonts: Go Bold for the number, Go Medium for the
// name. Faces are made per size and are not safe for concurrent use, so
// mu serialises the rendering.
var fonts struct {
	once         sync.Once
	err          error
	number, name *opentype.Font
	mu           sync.Mutex
}

func loadFonts() error {
	fonts.once.Do(func() {
		var err error
		if fonts.number, err = opentype.Parse(gobold.TTF); err != nil {
			fonts.err = fmt.Errorf("load the desk display's font Go Bold: %w", err)
			return
		}
		if fonts.name, err = opentype.Parse(gomedium.TTF); err != nil {
			fonts.err = fmt.Errorf("load the desk display's font Go Medium: %w", err)
		}
	})
	return fonts.err
}

// Render draws c on a width × height screen: every pixel 0xFF (lit) or 0.
// The number is as large as fits, centred: above the desk's name when
// height is nameMinHeight (48) or more, which takes the bottom 16 rows,
// and alone on the whole screen otherwise. A Call with no Number gives a
// blank picture. Text too wide for the screen at the smallest size (8
// pixels) is cut and ends with "…". The same arguments always give the
// same picture.
func Render(c Call, width, height int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, width, height))
	if c.Number == "" || width <= 2*margin || height <= 0 {
		return img
	}
	if err := loadFonts(); err != nil {
		// The fonts are embedded: this is a broken build, not a state
		// of the display.
		panic(err)
	}
	fonts.mu.Lock()
	defer fonts.mu.Unlock()
	numberArea := image.Rect(margin, 0, width-margin, height)
	if height >= nameMinHeight {
		numberArea.Max.Y = height - nameBand
		drawName(img, c.DeskName, image.Rect(margin, height-nameBand, width-margin, height))
	}
	drawNumber(img, c.Number, numberArea)
	return img
}

// drawNumber draws s as large as it fits area. Its advance, not its ink,
// is centred across, and its capital height down: with the Go fonts'
// figures all as wide as each other, A024 then differs from A023 in the
// last figure only, at the same size and place, and the numbers called at
// a desk do not jump about.
func drawNumber(dst *image.Gray, s string, area image.Rectangle) {
	fits := func(face font.Face, s string) bool {
		b, _ := font.BoundString(face, s)
		ink := image.Rect(b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil())
		return ink.Add(numberOrigin(face, s, area)).In(area)
	}
	face, s := fit(fonts.number, s, 2*area.Dy(), fits)
	defer face.Close()
	ink, box, origin := rasterise(face, s)
	at := numberOrigin(face, s, area)
	r := box.Sub(origin).Add(at).Intersect(area)
	draw.Draw(dst, r, ink, r.Min.Sub(at).Add(origin), draw.Over)
}

// numberOrigin is the whole-pixel origin (left end of the baseline) that
// centres s's advance across area and face's capital height down it.
func numberOrigin(face font.Face, s string, area image.Rectangle) image.Point {
	adv := font.MeasureString(face, s).Round()
	capHeight := face.Metrics().CapHeight.Round()
	if capHeight <= 0 {
		b, _ := font.BoundString(face, "H")
		capHeight = (-b.Min.Y).Round()
	}
	return image.Pt(area.Min.X+(area.Dx()-adv)/2, area.Min.Y+(area.Dy()+capHeight)/2)
}

// drawName draws s in a font whose ascent and descent fit area's height,
// smaller if needed for its ink to fit area's width. Its baseline does not
// depend on the letters, so that names with and without descenders line
// up; its ink is centred across.
func drawName(dst *image.Gray, s string, area image.Rectangle) {
	if s == "" {
		return
	}
	fits := func(face font.Face, s string) bool {
		m := face.Metrics()
		b, _ := font.BoundString(face, s)
		return m.Ascent.Ceil()+m.Descent.Ceil() <= area.Dy() && (b.Max.X.Ceil()-b.Min.X.Floor()) <= area.Dx()
	}
	face, s := fit(fonts.name, s, area.Dy(), fits)
	defer face.Close()
	ink, box, origin := rasterise(face, s)
	m := face.Metrics()
	asc, desc := m.Ascent.Ceil(), m.Descent.Ceil()
	baseline := area.Min.Y + (area.Dy()-asc-desc)/2 + asc
	// at is where box's top left corner goes.
	at := image.Pt(area.Min.X+(area.Dx()-box.Dx())/2, baseline-origin.Y+box.Min.Y)
	r := box.Sub(box.Min).Add(at).Intersect(area)
	draw.Draw(dst, r, ink, box.Min.Add(r.Min.Sub(at)), draw.Over)
}

// fit returns a face of f at the largest size from maxSize down to minSize
// at which fits(face, s) holds, and s; at minSize, if s does not fit, it
// returns s cut short and ending with "…", as long as fits.
func fit(f *opentype.Font, s string, maxSize int, fits func(font.Face, string) bool) (font.Face, string) {
	for size := maxSize; ; size-- {
		face := newFace(f, size)
		if size <= minSize {
			for !fits(face, s) && s != "" {
				s = shorten(s)
			}
			return face, s
		}
		if fits(face, s) {
			return face, s
		}
		face.Close()
	}
}

// shorten takes the last letter before the ellipsis off s: "Taula 12" →
// "Taula 1…" → "Taula …" → … → "".
func shorten(s string) string {
	const ellipsis = "…"
	body := s
	if len(s) > len(ellipsis) && s[len(s)-len(ellipsis):] == ellipsis {
		body = s[:len(s)-len(ellipsis)]
	}
	_, n := utf8.DecodeLastRuneInString(body)
	if len(body) <= n {
		return ""
	}
	return body[:len(body)-n] + ellipsis
}

func newFace(f *opentype.Font, size int) font.Face {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		// Only a size below zero fails.
		panic(fmt.Sprintf("deskdisplay: font at %d px: %v", size, err))
	}
	return face
}

// rasterise draws s with face at a whole-pixel origin, so that the
// anti-aliased coverage is always the same, and thresholds it: a pixel is
// lit where the glyphs cover at least half of it. It returns the picture,
// the bounds of its lit pixels (empty if none) and the origin the text
// was drawn at, the left end of its baseline.
func rasterise(face font.Face, s string) (img *image.Gray, ink image.Rectangle, origin image.Point) {
	b, _ := font.BoundString(face, s)
	x0, y0 := b.Min.X.Floor()-1, b.Min.Y.Floor()-1
	img = image.NewGray(image.Rect(0, 0, b.Max.X.Ceil()-x0+1, b.Max.Y.Ceil()-y0+1))
	origin = image.Pt(-x0, -y0)
	d := font.Drawer{Dst: img, Src: image.White, Face: face, Dot: fixed.P(origin.X, origin.Y)}
	d.DrawString(s)
	ink = image.Rectangle{}
	for y := range img.Rect.Dy() {
		for x := range img.Rect.Dx() {
			i := img.PixOffset(x, y)
			if img.Pix[i] >= 0x80 {
				img.Pix[i] = on
				ink = ink.Union(image.Rect(x, y, x+1, y+1))
			} else {
				img.Pix[i] = off
			}
		}
	}
	return img, ink, origin
}
