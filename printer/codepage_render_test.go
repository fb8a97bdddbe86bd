package printer

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// TestCatalanSeenOnPaper: every Catalan and Spanish letter, encoded for
// each supported model and code page and selected with that model's ESC t
// number, comes out of the virtual printer as the letter's own glyph, not
// as '?' nor another letter. With TestCatalanSpanishRoundTrip (the bytes
// against the tables), this is the character check of the printer issue.
func TestCatalanSeenOnPaper(t *testing.T) {
	const letters = "àéèíïòóúüçÇñÑ·¿¡ÀÉÈÍÏÒÓÚÜ"
	if err := vpLoadFonts(); err != nil {
		t.Fatal(err)
	}
	question := vpGlyphFor('?', false, false)
	for _, cp := range cpSupported(t) {
		t.Run(cp.Model+"/"+cp.Name, func(t *testing.T) {
			v := &Virtual{Width: Width80, CodePages: map[byte]*charmap.Charmap{cp.Number: cp.Charmap}}
			stream := vpCat("\x1b@\x1bt", cp.Number, cp.Encode(letters), "\n")
			pages, err := v.Render(stream)
			if err != nil || len(pages) != 1 {
				t.Fatalf("render: %d pages, %v", len(pages), err)
			}
			img := pages[0]
			for i, r := range []rune(letters) {
				want := vpGlyphFor(r, false, false)
				if bytes.Equal(want.ink, question.ink) {
					t.Fatalf("%q has the glyph of '?'", r)
				}
				for y := range vpFontAH {
					for x := range vpFontAW {
						if (img.GrayAt(i*vpFontAW+x, y).Y == 0) != (want.ink[y*vpFontAW+x] == 1) {
							t.Fatalf("%q: dot %d,%d is not the letter's", r, x, y)
						}
					}
				}
			}
		})
	}
}
