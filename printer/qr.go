package printer

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// MaxQRBytes is the most bytes one QR code holds at error correction
// level M, the level Torn prints (version 40, byte mode).
const MaxQRBytes = 2331

// qrBytesM[v-1] is how many bytes a version v QR code holds in byte mode
// at level M (ISO/IEC 18004, table 7; checked against go-qrcode by
// TestQRCapacityTable).
var qrBytesM = [40]int{
	14, 26, 42, 62, 84, 106, 122, 152, 180, 213,
	251, 287, 331, 362, 412, 450, 504, 560, 624, 666,
	711, 779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370,
	1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
}

// qrVersionFor returns the smallest QR version holding n bytes at level
// M, or 0 when none does.
func qrVersionFor(n int) int {
	for v, c := range qrBytesM {
		if n <= c {
			return v + 1
		}
	}
	return 0
}

// qrDots returns the dots per module that make a QR code of modules
// modules about 60 % of a paper width dots wide, within 1–16 (the range
// of GS ( k's module size).
// rasterQRMaxDots caps the module size of a raster QR code: its bytes grow
// with the square of it, and printers without a native QR command are often
// the slow serial ones. Six dots (0.75 mm at 203 dpi) scan easily on any
// phone and keep an 80 mm ticket near 5 KB (0.46 s at 115200 baud) instead
// of 14 KB at 10 dots.
const rasterQRMaxDots = 6

func qrDots(width, modules int) int {
	return clampArg(width*3/5/max(modules, 1), 1, 16)
}

// checkQR reports an error when data does not fit one QR code at level M.
func checkQR(data string) error {
	if data == "" {
		return fmt.Errorf("QR code: no data")
	}
	if len(data) > MaxQRBytes {
		return fmt.Errorf("QR code: %d bytes, more than the %d one QR code holds at error correction M", len(data), MaxQRBytes)
	}
	return nil
}

// NativeQR appends data as a QR code the printer draws itself (GS ( k):
// model 2, error correction M, a module size that makes the code about
// 60 % of width dots wide (the printer picks the version; the size assumes
// byte mode, the largest), then store and print. It appends nothing and
// reports an error when data is empty or does not fit a QR code. The
// current alignment (ESC a) applies.
func (b *Buffer) NativeQR(data string, width int) error {
	if err := checkQR(data); err != nil {
		return err
	}
	modules := 17 + 4*qrVersionFor(len(data))
	b.QRModel2()
	b.QRModuleSize(qrDots(width, modules))
	b.QRErrorCorrection(QRLevelM)
	if err := b.QRStore(data); err != nil {
		return err
	}
	b.QRPrint()
	return nil
}

// QRRaster returns data as a QR code image (model 2, error correction M)
// scaled by a whole number of dots per module so that it is about 60 % of
// width dots wide, but at most rasterQRMaxDots a module. It has no quiet
// zone: the paper around it is white.
func QRRaster(data string, width int) (*Raster, error) {
	if err := checkQR(data); err != nil {
		return nil, err
	}
	q, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	n := len(bm)
	s := min(qrDots(width, n), rasterQRMaxDots)
	r := NewRaster(n*s, n*s)
	stride := r.Stride()
	for my, row := range bm {
		line := r.Bits[my*s*stride : (my*s+1)*stride]
		for mx, black := range row {
			if black {
				for x := mx * s; x < (mx+1)*s; x++ {
					line[x/8] |= 0x80 >> (x % 8)
				}
			}
		}
		for k := 1; k < s; k++ {
			copy(r.Bits[(my*s+k)*stride:(my*s+k+1)*stride], line)
		}
	}
	return r, nil
}

// RasterQR appends data as a QR code image (GS v 0), for printers without
// GS ( k: see QRRaster. It appends nothing and reports an error when data
// is empty or does not fit a QR code. The current alignment (ESC a)
// applies.
func (b *Buffer) RasterQR(data string, width int) error {
	r, err := QRRaster(data, width)
	if err != nil {
		return err
	}
	b.Raster(r)
	return nil
}
