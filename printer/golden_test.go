package printer

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Madrid on any machine
)

// vpGoldenTicket is the ticket of the rendered golden files, in lang.
func vpGoldenTicket(t *testing.T, lang string) Ticket {
	t.Helper()
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	tk := Ticket{
		Lang:   lang,
		Office: "OAC El Masnou",
		Number: "A023",
		Ahead:  4,
		Wait:   12 * time.Minute,
		Issued: time.Date(2025, 3, 14, 9, 26, 0, 0, madrid),
		URL:    "https://torn.example.cat/t/XkJKjCs-hWhoPoWJcYh2vg",
	}
	switch lang {
	case "ca":
		tk.Service = "Atenció ciutadana"
		tk.Footer = "Gràcies per la vostra paciència. Plaça de la Vil·la, 1 · Col·legi de l'Església"
	case "es":
		tk.Service = "Atención ciudadana"
		tk.Footer = "Gracias por su paciencia. Plaça de la Vil·la, 1 · Col·legi de l'Església"
	default:
		tk.Service = "Citizen service"
		tk.Footer = "Thank you for waiting. Plaça de la Vil·la, 1 · Col·legi de l'Església"
	}
	return tk
}

// TestRenderTicketGolden renders the ticket on 58 and 80 mm paper, in
// the three languages, with a native and a raster QR code; compares the
// paper with testdata/render/*.png dot for dot (go test ./printer -update
// rewrites them), and reads the QR code back.
func TestRenderTicketGolden(t *testing.T) {
	total := 0
	for _, width := range []int{Width58, Width80} {
		for _, lang := range []string{"ca", "es", "en"} {
			for _, native := range []bool{true, false} {
				mode := "raster"
				if native {
					mode = "native"
				}
				name := fmt.Sprintf("ticket-%d-%s-%s", map[int]int{Width58: 58, Width80: 80}[width], lang, mode)
				t.Run(name, func(t *testing.T) {
					tk := vpGoldenTicket(t, lang)
					stream, err := Layout{Width: width, NativeQR: native, Cut: true}.Ticket(tk)
					if err != nil {
						t.Fatal(err)
					}
					pages, err := (&Virtual{Width: width}).Render(stream)
					var re *RenderError
					if errors.As(err, &re) {
						for _, p := range re.Problems {
							t.Errorf("the layout's bytes: %v", p)
						}
					} else if err != nil {
						t.Fatal(err)
					}
					if len(pages) != 1 {
						t.Fatalf("%d pages, want one ticket", len(pages))
					}
					page := pages[0]
					if got, err := vpDecodeQR(page); err != nil || got != tk.URL {
						t.Errorf("QR code reads %q, %v; want %q", got, err, tk.URL)
					}
					total += vpGolden(t, name, page)
				})
			}
		}
	}
	if total > 300<<10 {
		t.Errorf("the golden PNGs take %d KiB, want under 300", total>>10)
	}
}

// vpGolden compares page with testdata/render/name.png, or writes it
// with -update, and returns the file's size. A page that differs is
// written to the temporary directory, and the test says where.
func vpGolden(t *testing.T, name string, page *image.Gray) int {
	t.Helper()
	var buf bytes.Buffer
	if err := vpEncodePNG(&buf, page); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "render", name+".png")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return buf.Len()
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (go test ./printer -update writes it)", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	want, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	diff, first := 0, image.Point{-1, -1}
	if want.Bounds() == page.Rect {
		for y := range page.Rect.Dy() {
			for x := range page.Rect.Dx() {
				r, _, _, _ := want.At(x, y).RGBA()
				if uint8(r>>8) != page.GrayAt(x, y).Y {
					if diff == 0 {
						first = image.Pt(x, y)
					}
					diff++
				}
			}
		}
		if diff == 0 {
			return int(st.Size())
		}
	}
	out := filepath.Join(os.TempDir(), "torn-render-golden", name+".png")
	err = os.MkdirAll(filepath.Dir(out), 0o755)
	if err == nil {
		err = os.WriteFile(out, buf.Bytes(), 0o644)
	}
	if err != nil {
		out = fmt.Sprintf("nowhere: %v", err)
	}
	t.Errorf("%s: the paper (%v) differs from the golden (%v) at %d dots, first at %v; the new one is in %s (go test ./printer -update rewrites the golden files)",
		path, page.Rect, want.Bounds(), diff, first, out)
	return int(st.Size())
}
