package printer

import (
	"bytes"
	"strings"
	"testing"
)

// escposHex parses "1B 40" into bytes, for tests that copy the sequences of
// ../shared/REFERENCES.md as they are written there.
func escposHex(t testing.TB, s string) []byte {
	t.Helper()
	var out []byte
	for _, f := range strings.Fields(s) {
		var b byte
		for _, c := range []byte(f) {
			switch {
			case c >= '0' && c <= '9':
				b = b<<4 | (c - '0')
			case c >= 'A' && c <= 'F':
				b = b<<4 | (c - 'A' + 10)
			default:
				t.Fatalf("bad hex %q", f)
			}
		}
		out = append(out, b)
	}
	return out
}

func TestBuilderBytes(t *testing.T) {
	cp, err := CodePageFor("epson", "pc858")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		build func(*Buffer)
		want  string
	}{
		{"ESC @", func(b *Buffer) { b.Init() }, "1B 40"},
		{"ESC t 19", func(b *Buffer) { b.SelectCodePage(19) }, "1B 74 13"},
		{"ESC a 0", func(b *Buffer) { b.Align(AlignLeft) }, "1B 61 00"},
		{"ESC a 1", func(b *Buffer) { b.Align(AlignCenter) }, "1B 61 01"},
		{"ESC a 2", func(b *Buffer) { b.Align(AlignRight) }, "1B 61 02"},
		{"ESC ! bold double", func(b *Buffer) { b.PrintMode(ModeBold | ModeDoubleHeight | ModeDoubleWidth) }, "1B 21 38"},
		{"ESC E 1", func(b *Buffer) { b.Bold(true) }, "1B 45 01"},
		{"ESC E 0", func(b *Buffer) { b.Bold(false) }, "1B 45 00"},
		{"GS ! normal", func(b *Buffer) { b.Size(1, 1) }, "1D 21 00"},
		{"GS ! double height", func(b *Buffer) { b.Size(1, 2) }, "1D 21 01"},
		{"GS ! double width", func(b *Buffer) { b.Size(2, 1) }, "1D 21 10"},
		{"GS ! 6x6", func(b *Buffer) { b.Size(6, 6) }, "1D 21 55"},
		{"GS ! clamped", func(b *Buffer) { b.Size(0, 9) }, "1D 21 07"},
		{"ESC d 4", func(b *Buffer) { b.Feed(4) }, "1B 64 04"},
		{"ESC d clamped", func(b *Buffer) { b.Feed(300) }, "1B 64 FF"},
		{"GS V 66 0", func(b *Buffer) { b.FeedCut(0) }, "1D 56 42 00"},
		{"GS V 66 3", func(b *Buffer) { b.FeedCut(3) }, "1D 56 42 03"},
		{"QR model 2", func(b *Buffer) { b.QRModel2() }, "1D 28 6B 04 00 31 41 32 00"},
		{"QR module size", func(b *Buffer) { b.QRModuleSize(6) }, "1D 28 6B 03 00 31 43 06"},
		{"QR module size clamped", func(b *Buffer) { b.QRModuleSize(40) }, "1D 28 6B 03 00 31 43 10"},
		{"QR module size at least 1", func(b *Buffer) { b.QRModuleSize(0) }, "1D 28 6B 03 00 31 43 01"},
		{"QR level L", func(b *Buffer) { b.QRErrorCorrection(QRLevelL) }, "1D 28 6B 03 00 31 45 30"},
		{"QR level M", func(b *Buffer) { b.QRErrorCorrection(QRLevelM) }, "1D 28 6B 03 00 31 45 31"},
		{"QR level Q", func(b *Buffer) { b.QRErrorCorrection(QRLevelQ) }, "1D 28 6B 03 00 31 45 32"},
		{"QR level H", func(b *Buffer) { b.QRErrorCorrection(QRLevelH) }, "1D 28 6B 03 00 31 45 33"},
		{"QR store", func(b *Buffer) {
			if err := b.QRStore("AB"); err != nil {
				t.Fatal(err)
			}
		}, "1D 28 6B 05 00 31 50 30 41 42"},
		{"QR print", func(b *Buffer) { b.QRPrint() }, "1D 28 6B 03 00 31 51 30"},
		{"DLE EOT 1", func(b *Buffer) { b.StatusRequest(1) }, "10 04 01"},
		{"DLE EOT 4", func(b *Buffer) { b.StatusRequest(4) }, "10 04 04"},
		{"LF", func(b *Buffer) { b.LF() }, "0A"},
		{"line", func(b *Buffer) { b.Line(cp, "Núm") }, "4E A3 6D 0A"},
		{"text", func(b *Buffer) { b.Text(cp, "ç·") }, "87 FA"},
		{"raster 10x2", func(b *Buffer) {
			r := NewRaster(10, 2)
			r.Set(0, 0)
			r.Set(9, 0)
			r.Set(8, 1)
			b.Raster(r)
		}, "1D 76 30 00 02 00 02 00 80 40 00 80"},
		{"raster empty", func(b *Buffer) { b.Raster(NewRaster(0, 5)) }, ""},
		{"raster nil", func(b *Buffer) { b.Raster(nil) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Buffer
			tt.build(&b)
			if want := escposHex(t, tt.want); !bytes.Equal(b.Bytes(), want) {
				t.Errorf("got % X, want % X", b.Bytes(), want)
			}
		})
	}
}

// TestQRStoreLength: pL + 256·pH = len(data) + 3, around the byte boundary.
func TestQRStoreLength(t *testing.T) {
	for _, n := range []int{1, 250, 251, 252, 253, 254, 255, 256, 257, 1000, MaxQRStore} {
		var b Buffer
		data := strings.Repeat("x", n)
		if err := b.QRStore(data); err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		got := b.Bytes()
		if len(got) != 8+n {
			t.Fatalf("%d bytes: command is %d bytes, want %d", n, len(got), 8+n)
		}
		if !bytes.Equal(got[:3], []byte{0x1D, 0x28, 0x6B}) || !bytes.Equal(got[5:8], []byte{0x31, 0x50, 0x30}) {
			t.Errorf("%d bytes: header % X", n, got[:8])
		}
		if p := int(got[3]) + 256*int(got[4]); p != n+3 {
			t.Errorf("%d bytes: pL pH = %02X %02X = %d, want %d", n, got[3], got[4], p, n+3)
		}
		if string(got[8:]) != data {
			t.Errorf("%d bytes: data changed", n)
		}
	}
	// 253 + 3 = 256: pL 00, pH 01; 252 + 3 = 255: pL FF, pH 00.
	var b Buffer
	_ = b.QRStore(strings.Repeat("x", 253))
	if got := b.Bytes()[3:5]; got[0] != 0x00 || got[1] != 0x01 {
		t.Errorf("253 bytes: pL pH % X, want 00 01", got)
	}
	b.Reset()
	_ = b.QRStore(strings.Repeat("x", 252))
	if got := b.Bytes()[3:5]; got[0] != 0xFF || got[1] != 0x00 {
		t.Errorf("252 bytes: pL pH % X, want FF 00", got)
	}
}

func TestQRStoreErrors(t *testing.T) {
	var b Buffer
	if err := b.QRStore(""); err == nil {
		t.Error("empty data: no error")
	}
	err := b.QRStore(strings.Repeat("x", MaxQRStore+1))
	if err == nil || !strings.Contains(err.Error(), "7090 bytes") {
		t.Errorf("too long: %v", err)
	}
	if b.Len() != 0 {
		t.Errorf("a refused store appended % X", b.Bytes())
	}
}

// TestRasterBands: a tall image goes out as several GS v 0 commands whose
// rows add up to the image.
func TestRasterBands(t *testing.T) {
	r := NewRaster(16, rasterBand*2+5)
	for y := range r.Height {
		r.Set(y%16, y)
	}
	var b Buffer
	b.Raster(r)
	p := b.Bytes()
	var rows int
	var bits []byte
	for len(p) > 0 {
		if !bytes.Equal(p[:4], []byte{0x1D, 0x76, 0x30, 0x00}) {
			t.Fatalf("at row %d: % X, want GS v 0", rows, p[:4])
		}
		x, y := int(p[4])+256*int(p[5]), int(p[6])+256*int(p[7])
		if x != 2 || y > rasterBand || y == 0 {
			t.Fatalf("band of %d×%d bytes", x, y)
		}
		bits = append(bits, p[8:8+x*y]...)
		rows += y
		p = p[8+x*y:]
	}
	if rows != r.Height || !bytes.Equal(bits, r.Bits) {
		t.Errorf("bands carry %d rows, want %d, same bits %v", rows, r.Height, bytes.Equal(bits, r.Bits))
	}
}

func TestRasterImage(t *testing.T) {
	r := NewRaster(9, 3)
	r.Set(8, 2)
	r.Set(-1, 0)
	r.Set(9, 0)
	if r.Stride() != 2 || len(r.Bits) != 6 {
		t.Fatalf("stride %d, %d bytes", r.Stride(), len(r.Bits))
	}
	if !r.Black(8, 2) || r.Black(0, 0) || r.Black(9, 2) {
		t.Error("Black")
	}
	if y, _, _, _ := r.At(8, 2).RGBA(); y != 0 {
		t.Error("At(8, 2) is not black")
	}
	if y, _, _, _ := r.At(0, 0).RGBA(); y != 0xFFFF {
		t.Error("At(0, 0) is not white")
	}
	if !bytes.Equal(r.Bits, []byte{0, 0, 0, 0, 0, 0x80}) {
		t.Errorf("bits % X", r.Bits)
	}
}

func TestBufferReuse(t *testing.T) {
	var b Buffer
	b.Init()
	b.Reset()
	b.Grow(64)
	allocs := testing.AllocsPerRun(100, func() {
		b.Reset()
		b.Init()
		b.Size(6, 6)
		b.Feed(4)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per reuse", allocs)
	}
}
