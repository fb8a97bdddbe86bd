package printer

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	qrcode "github.com/skip2/go-qrcode"
)

const qrTypicalURL = "https://torn.example.cat/t/XkJKjCs-hWhoPoWJcYh2vg"

// TestQRCapacityTable: the byte-mode capacities at level M are the ones
// go-qrcode uses to choose a version.
func TestQRCapacityTable(t *testing.T) {
	for v := 1; v <= 40; v++ {
		c := qrBytesM[v-1]
		q, err := qrcode.New(strings.Repeat("a", c), qrcode.Medium)
		if err != nil || q.VersionNumber != v {
			t.Errorf("%d bytes: version %v (%v), want %d", c, q, err, v)
			continue
		}
		if v < 40 {
			if q, _ := qrcode.New(strings.Repeat("a", c+1), qrcode.Medium); q.VersionNumber != v+1 {
				t.Errorf("%d bytes: version %d, want %d", c+1, q.VersionNumber, v+1)
			}
		} else if _, err := qrcode.New(strings.Repeat("a", c+1), qrcode.Medium); err == nil {
			t.Errorf("%d bytes fit a QR code at M", c+1)
		}
	}
	if qrBytesM[39] != MaxQRBytes {
		t.Errorf("MaxQRBytes %d, table %d", MaxQRBytes, qrBytesM[39])
	}
}

func TestQRModuleSize(t *testing.T) {
	tests := []struct{ width, modules, want int }{
		{Width80, 33, 10}, // the typical URL, version 4: 330 dots of 576
		{Width58, 33, 6},  // 198 dots of 384
		{width512, 33, 9},
		{Width80, 177, 1}, // version 40
		{Width80, 21, 16}, // capped
		{Width58, 400, 1}, // at least 1
	}
	for _, tt := range tests {
		if got := qrDots(tt.width, tt.modules); got != tt.want {
			t.Errorf("width %d, %d modules: %d dots, want %d", tt.width, tt.modules, got, tt.want)
		}
	}
}

func TestNativeQRBytes(t *testing.T) {
	var b Buffer
	if err := b.NativeQR(qrTypicalURL, Width80); err != nil {
		t.Fatal(err)
	}
	var want Buffer
	want.Raw(escposHex(t, "1D 28 6B 04 00 31 41 32 00")...)
	want.Raw(escposHex(t, "1D 28 6B 03 00 31 43 0A")...) // 10 dots a module
	want.Raw(escposHex(t, "1D 28 6B 03 00 31 45 31")...) // M
	want.Raw(0x1D, 0x28, 0x6B, byte(len(qrTypicalURL)+3), 0x00, 0x31, 0x50, 0x30)
	want.Raw([]byte(qrTypicalURL)...)
	want.Raw(escposHex(t, "1D 28 6B 03 00 31 51 30")...)
	if !bytes.Equal(b.Bytes(), want.Bytes()) {
		t.Errorf("got\n% X\nwant\n% X", b.Bytes(), want.Bytes())
	}
}

func TestQRErrors(t *testing.T) {
	var b Buffer
	for _, data := range []string{"", strings.Repeat("a", MaxQRBytes+1)} {
		if err := b.NativeQR(data, Width80); err == nil {
			t.Errorf("native, %d bytes: no error", len(data))
		}
		if err := b.RasterQR(data, Width80); err == nil {
			t.Errorf("raster, %d bytes: no error", len(data))
		}
	}
	if b.Len() != 0 {
		t.Errorf("refused QR codes appended %d bytes", b.Len())
	}
	if err := b.NativeQR(strings.Repeat("a", MaxQRBytes), Width58); err != nil {
		t.Errorf("the largest QR code: %v", err)
	}
}

// qrDecodeRaster reads the QR code in r, with a white quiet zone added.
func qrDecodeRaster(t *testing.T, r *Raster) string {
	t.Helper()
	const quiet = 40
	img := image.NewGray(image.Rect(0, 0, r.Width+2*quiet, r.Height+2*quiet))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(img, r.Bounds().Add(image.Pt(quiet, quiet)), r, image.Point{}, draw.Src)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	return res.GetText()
}

// TestQRRasterReads: the raster QR code decodes to its data, at the size
// the layout asks for, on both papers.
func TestQRRasterReads(t *testing.T) {
	for _, width := range []int{Width58, width512, Width80} {
		for _, data := range []string{qrTypicalURL, "https://torn.example.cat/t/" + strings.Repeat("Xk", 200)} {
			r, err := QRRaster(data, width)
			if err != nil {
				t.Fatal(err)
			}
			if r.Width != r.Height || r.Width > width*3/5 {
				t.Errorf("width %d: %d×%d dots, over 60 %%", width, r.Width, r.Height)
			}
			if got := qrDecodeRaster(t, r); got != data {
				t.Errorf("width %d: decoded %q, want %q", width, got, data)
			}
		}
	}
	r, _ := QRRaster(qrTypicalURL, Width80)
	if r.Width != 33*rasterQRMaxDots {
		t.Errorf("typical URL on 80 mm: %d dots wide, want %d (version 4, %d dots a module: the raster cap)", r.Width, 33*rasterQRMaxDots, rasterQRMaxDots)
	}
}
