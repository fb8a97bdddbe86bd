package printer

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// logoTestImage is a small deterministic logo: a black frame, a grey gradient
// and a transparent corner, 120×40 pixels.
func logoTestImage() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 120, 40))
	for y := range 40 {
		for x := range 120 {
			c := color.NRGBA{R: uint8(x * 2), G: uint8(x * 2), B: uint8(255 - x), A: 255}
			switch {
			case x < 3 || y < 3 || x >= 117 || y >= 37:
				c = color.NRGBA{A: 255}
			case x > 90 && y > 25:
				c = color.NRGBA{R: 0, G: 0, B: 0, A: 0} // transparent black: paper
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// logoWritePNG writes img as a PNG file in a temporary directory.
func logoWritePNG(t *testing.T, img image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadLogo(t *testing.T) {
	path := logoWritePNG(t, logoTestImage())
	img, err := LoadLogo(path)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 120 || img.Bounds().Dy() != 40 {
		t.Errorf("bounds %v", img.Bounds())
	}
}

func TestLoadLogoErrors(t *testing.T) {
	dir := t.TempDir()
	notPNG := filepath.Join(dir, "logo.jpg")
	if err := os.WriteFile(notPNG, []byte("\xff\xd8\xff\xe0 a JPEG, say"), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "cut.png")
	var full bytes.Buffer
	_ = png.Encode(&full, logoTestImage())
	if err := os.WriteFile(truncated, full.Bytes()[:full.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	huge := logoWritePNG(t, image.NewGray(image.Rect(0, 0, MaxLogoSide+1, 1)))
	tall := logoWritePNG(t, image.NewGray(image.Rect(0, 0, 1, MaxLogoSide+1)))
	missing := filepath.Join(dir, "none.png")

	tests := []struct {
		path string
		want []string
	}{
		{missing, []string{missing, "no such file"}},
		{notPNG, []string{notPNG, "not a PNG"}},
		{truncated, []string{truncated, "not a valid PNG"}},
		{huge, []string{huge, "4097×1 pixels", "more than 4096"}},
		{tall, []string{tall, "1×4097 pixels"}},
		{dir, []string{dir, "directory"}},
	}
	for _, tt := range tests {
		_, err := LoadLogo(tt.path)
		if err == nil {
			t.Errorf("%s: no error", tt.path)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", tt.path, err, w)
			}
		}
	}
	if _, err := LoadLogo(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v is not fs.ErrNotExist", err)
	}
}

func logoUniform(w, h int, c color.Color) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	return img
}

func logoBlackDots(r *Raster) int {
	n := 0
	for y := range r.Height {
		for x := range r.Width {
			if r.Black(x, y) {
				n++
			}
		}
	}
	return n
}

func TestDither(t *testing.T) {
	tests := []struct {
		name      string
		img       image.Image
		maxWidth  int
		w, h      int
		minBlack  float64 // share of black dots
		maxBlack  float64
		untouched bool
	}{
		{"white", logoUniform(40, 10, color.White), 576, 40, 10, 0, 0, false},
		{"black", logoUniform(40, 10, color.Black), 576, 40, 10, 1, 1, false},
		{"transparent is paper", logoUniform(40, 10, color.NRGBA{A: 0}), 576, 40, 10, 0, 0, false},
		{"mid grey is half black", logoUniform(64, 64, color.Gray{Y: 128}), 576, 64, 64, 0.45, 0.55, false},
		{"light grey is sparse", logoUniform(64, 64, color.Gray{Y: 224}), 576, 64, 64, 0.08, 0.18, false},
		{"half-transparent black is grey", logoUniform(64, 64, color.NRGBA{A: 128}), 576, 64, 64, 0.45, 0.55, false},
		{"scaled down, aspect kept", logoUniform(1000, 500, color.Black), 384, 384, 192, 1, 1, false},
		{"never scaled up", logoUniform(10, 7, color.Black), 576, 10, 7, 1, 1, false},
		{"thin stays a dot high", logoUniform(4000, 2, color.Black), 384, 384, 1, 1, 1, false},
		{"empty", image.NewGray(image.Rect(0, 0, 0, 0)), 384, 0, 0, 0, 0, false},
		{"paletted", image.NewPaletted(image.Rect(0, 0, 8, 8), []color.Color{color.Black}), 384, 8, 8, 1, 1, false},
		{"a raster that fits is kept", NewRaster(100, 3), 384, 100, 3, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Dither(tt.img, tt.maxWidth)
			if r.Width != tt.w || r.Height != tt.h {
				t.Fatalf("%d×%d, want %d×%d", r.Width, r.Height, tt.w, tt.h)
			}
			if len(r.Bits) != r.Stride()*r.Height {
				t.Fatalf("%d bytes for %d rows of %d", len(r.Bits), r.Height, r.Stride())
			}
			if tt.untouched && r != tt.img {
				t.Error("a raster that fits was copied")
			}
			if r.Width == 0 {
				return
			}
			share := float64(logoBlackDots(r)) / float64(r.Width*r.Height)
			if share < tt.minBlack || share > tt.maxBlack {
				t.Errorf("%.2f black, want %.2f–%.2f", share, tt.minBlack, tt.maxBlack)
			}
			// Padding bits past Width stay 0.
			if pad := r.Width % 8; pad != 0 {
				for y := range r.Height {
					if last := r.Bits[y*r.Stride()+r.Stride()-1]; last&(0xFF>>pad) != 0 {
						t.Fatalf("row %d: padding bits set: %08b", y, last)
					}
				}
			}
		})
	}
}

// TestDitherOffsetBounds: an image whose bounds do not start at 0, 0 (a
// sub-image) dithers as the part it shows.
func TestDitherOffsetBounds(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 20, 20))
	for y := 10; y < 20; y++ {
		for x := 10; x < 20; x++ {
			img.SetGray(x, y, color.Gray{Y: 255})
		}
	}
	sub := img.SubImage(image.Rect(10, 10, 20, 20))
	if r := Dither(sub, 384); r.Width != 10 || logoBlackDots(r) != 0 {
		t.Errorf("%d wide, %d black dots, want 10 and 0", r.Width, logoBlackDots(r))
	}
}

// TestDitherLogo: the test logo halved keeps its black frame and its
// transparent corner is paper. (The layout goldens pin its exact dots.)
func TestDitherLogo(t *testing.T) {
	r := Dither(logoTestImage(), 60)
	if r.Width != 60 || r.Height != 20 {
		t.Fatalf("%d×%d", r.Width, r.Height)
	}
	var sb strings.Builder
	for y := range r.Height {
		for x := range r.Width {
			if r.Black(x, y) {
				sb.WriteByte('#')
			} else {
				sb.WriteByte('.')
			}
		}
		sb.WriteByte('\n')
	}
	got := sb.String()
	if !strings.HasPrefix(got, strings.Repeat("#", 60)+"\n") {
		t.Errorf("the frame's top row is not black:\n%s", got)
	}
	// The transparent corner (x > 45, y > 12 after halving) is white
	// except the frame.
	lines := strings.Split(got, "\n")
	for y := 14; y < 18; y++ {
		if strings.Contains(lines[y][47:58], "#") {
			t.Errorf("row %d: black dots in the transparent corner: %s", y, lines[y])
		}
	}
}
