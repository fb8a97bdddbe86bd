package printer

import (
	"bufio"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
)

// MaxLogoSide is the most pixels a logo may have on either side. A ticket
// is at most 576 dots wide; a larger file is a mistake, or a decompression
// bomb.
const MaxLogoSide = 4096

// LoadLogo reads the PNG file at path. Its errors name the file: missing or
// unreadable, not a PNG, empty, or larger than MaxLogoSide on a side (found
// from the header, before decoding the pixels). The image is returned as it
// is: Dither makes it printable, and Layout does so on every ticket unless
// it is given Dither's result.
func LoadLogo(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load logo: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("load logo %s: is a directory, not a PNG file", path)
	}
	cfg, err := png.DecodeConfig(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("load logo %s: not a PNG image: %w", path, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("load logo %s: the image is empty (%d×%d pixels)", path, cfg.Width, cfg.Height)
	}
	if cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return nil, fmt.Errorf("load logo %s: %d×%d pixels, more than %d on a side: scale it to the ticket's width (at most 576 dots)",
			path, cfg.Width, cfg.Height, MaxLogoSide)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("load logo: %w", err)
	}
	img, err := png.Decode(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("load logo %s: not a valid PNG image: %w", path, err)
	}
	return img, nil
}

// Dither returns img as a one-bit raster at most maxWidth dots wide: scaled
// down (never up) with a box filter, keeping its aspect ratio, then
// dithered with Floyd–Steinberg error diffusion on luminance (Rec. 601
// weights); transparent pixels count as white paper. A *Raster already no
// wider than maxWidth is returned as it is. The arithmetic is integer, so
// the dots are the same on every machine.
func Dither(img image.Image, maxWidth int) *Raster {
	if r, ok := img.(*Raster); ok && r.Width <= maxWidth {
		return r
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 || maxWidth <= 0 {
		return NewRaster(0, 0)
	}
	nw := min(w, maxWidth)
	nh := max(1, (h*nw+w/2)/w)

	// Luminance of each output dot, 0 black to 65535 white: the mean of
	// the source pixels it covers.
	lum := make([]int32, nw*nh)
	rgba64, fast := img.(image.RGBA64Image)
	for y := range nh {
		y0, y1 := y*h/nh, (y+1)*h/nh
		y1 = max(y1, y0+1)
		for x := range nw {
			x0, x1 := x*w/nw, (x+1)*w/nw
			x1 = max(x1, x0+1)
			var sum int64
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					var r, g, bl, a uint32
					if fast {
						c := rgba64.RGBA64At(b.Min.X+sx, b.Min.Y+sy)
						r, g, bl, a = uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
					} else {
						r, g, bl, a = img.At(b.Min.X+sx, b.Min.Y+sy).RGBA()
					}
					// Premultiplied colour over white paper.
					r, g, bl = r+0xFFFF-a, g+0xFFFF-a, bl+0xFFFF-a
					sum += int64((19595*r + 38470*g + 7471*bl + 1<<15) >> 16)
				}
			}
			lum[y*nw+x] = int32(sum / int64((y1-y0)*(x1-x0)))
		}
	}

	out := NewRaster(nw, nh)
	for y := range nh {
		for x := range nw {
			i := y*nw + x
			v := lum[i]
			var e int32
			if v < 0x8000 {
				out.Set(x, y)
				e = v
			} else {
				e = v - 0xFFFF
			}
			if x+1 < nw {
				lum[i+1] += e * 7 / 16
			}
			if y+1 < nh {
				if x > 0 {
					lum[i+nw-1] += e * 3 / 16
				}
				lum[i+nw] += e * 5 / 16
				if x+1 < nw {
					lum[i+nw+1] += e / 16
				}
			}
		}
	}
	return out
}
