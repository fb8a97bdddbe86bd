package printer

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestTestPageGolden(t *testing.T) {
	now := time.Date(2025, 3, 14, 9, 31, 0, 0, layoutZone)
	pos5890, err := CodePageFor("pos5890", "wpc1252")
	if err != nil {
		t.Fatal(err)
	}
	pc850, err := CodePageFor("epson", "pc850")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		l    Layout
		st   *Status
		lang string
	}{
		{"80-ca-nostatus", Layout{Width: Width80, Cut: true}, nil, "ca"},
		{"80-es-paperout", Layout{Width: Width80, Cut: true}, &Status{Online: true, PaperOut: true}, "es"},
		{"58-en-ready-pos5890", Layout{Width: Width58, CodePage: pos5890}, &Status{Online: true}, "en"},
		{"512-ca-pc850", Layout{Width: width512, CodePage: pc850}, &Status{Online: true, PaperNearEnd: true}, "ca"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.l.TestPage(tt.st, tt.lang, now)
			if err != nil {
				t.Fatal(err)
			}
			layoutGolden(t, "testpage-"+tt.name, got)

			l, _ := tt.l.defaults()
			j := layoutParse(t, got, l.CodePage.Charmap)
			j.checkFits(t, l.Width/12)
			if len(j.qrData) != 1 || j.qrPrint != 1 || len(j.rasters) != 1 {
				t.Errorf("%d native QR codes stored, %d printed, %d rasters; want one of each", len(j.qrData), j.qrPrint, len(j.rasters))
			}
			if len(j.pages) != 1 || j.pages[0] != l.CodePage.Number {
				t.Errorf("ESC t %v, want %d", j.pages, l.CodePage.Number)
			}
			if (j.cuts == 1) != tt.l.Cut {
				t.Errorf("%d cuts, Cut %v", j.cuts, tt.l.Cut)
			}
			text := strings.ReplaceAll(j.text(), "\u00a0", " ")
			joined := strings.Join(strings.Fields(text), " ")
			chars := "à é è í ï ò ó ú ü ç Ç l·l ñ Ñ · ¿ ¡ €"
			if l.CodePage.Name == "pc850" {
				chars = strings.Replace(chars, "€", "EUR", 1)
			}
			if n := strings.Count(joined, chars); n != 3 {
				t.Errorf("the characters printed %d times, want 3 (plain, bold, large):\n%s", n, text)
			}
			for _, w := range []string{
				fmt.Sprintf("%s (ESC t %d)", l.CodePage.Name, l.CodePage.Number), // spaces unbreakable
				l.CodePage.Model,
				"GS ( k", "GS v 0",
				"14/03/2025 09:31",
			} {
				if !strings.Contains(text, w) {
					t.Errorf("no %q in\n%s", w, text)
				}
			}
			if tt.st == nil && !strings.Contains(joined, map[string]string{"ca": "Sense estat", "es": "Sin estado", "en": "No status: one-way transport"}[tt.lang]) {
				t.Errorf("no 'no status' line in\n%s", text)
			}
			if tt.st != nil && !strings.Contains(text, ": "+tt.st.String()) {
				t.Errorf("no status %q in\n%s", tt.st, text)
			}
			bold, large := 0, 0
			for _, ln := range j.lines {
				if strings.HasPrefix(ln.text, "à é") {
					if ln.bold {
						bold++
					}
					if ln.width == 2 && ln.high == 2 {
						large++
					}
				}
			}
			if bold != 1 || large != 1 {
				t.Errorf("character lines: %d bold, %d double size; want 1 and 1", bold, large)
			}
		})
	}
}

func TestTestPageErrors(t *testing.T) {
	if _, err := (Layout{Width: 100}).TestPage(nil, "ca", time.Now()); err == nil || !strings.Contains(err.Error(), "test page: paper width 100") {
		t.Errorf("bad width: %v", err)
	}
}
