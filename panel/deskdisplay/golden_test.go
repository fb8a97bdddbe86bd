package deskdisplay

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"periph.io/x/conn/v3/i2c/i2ctest"
)

// dumpTx writes the I2C writes of ops as text, one per line: the address
// and every byte written, in hex. The golden files hold this, so that a
// difference says which write and which byte.
func dumpTx(ops []i2ctest.IO) []byte {
	var b bytes.Buffer
	for _, op := range ops {
		fmt.Fprintf(&b, "%02X W % X", op.Addr, op.W)
		if len(op.R) > 0 {
			fmt.Fprintf(&b, " R % X", op.R)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// goldenBytes compares got with testdata/name.golden, or writes it with
// -update.
func goldenBytes(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./panel/deskdisplay -update writes it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	line := 1 + bytes.Count(got[:i], []byte("\n"))
	lo := max(0, i-24)
	t.Errorf("%s: %d bytes, golden %d; first difference at byte %d (line %d):\n got  %q\n want %q\n(go test ./panel/deskdisplay -update rewrites the golden files)",
		path, len(got), len(want), i, line, got[lo:min(len(got), i+24)], want[lo:min(len(want), i+24)])
}

// goldenPNG compares img with testdata/name.png pixel for pixel, or
// writes it with -update. The PNG is there for a human to look at.
func goldenPNG(t *testing.T, name string, img *image.Gray) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	if *update {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (go test ./panel/deskdisplay -update writes it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if want.Bounds() != img.Rect {
		t.Fatalf("%s: %v, the picture is %v", path, want.Bounds(), img.Rect)
	}
	diff, first := 0, image.Pt(-1, -1)
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			r, _, _, _ := want.At(x, y).RGBA()
			if uint8(r>>8) != img.GrayAt(x, y).Y {
				if diff == 0 {
					first = image.Pt(x, y)
				}
				diff++
			}
		}
	}
	if diff > 0 {
		t.Errorf("%s: %d pixels differ, first at %v (go test ./panel/deskdisplay -update rewrites the golden files)", path, diff, first)
	}
}
