package printer

import (
	"bytes"
	"errors"
	"image"
	"testing"
	"time"
)

// FuzzRender feeds the virtual printer any bytes: it must not panic,
// must keep within its limits, and must print the same whether the
// stream comes in one write or two.
//
//	go test ./printer -run '^$' -fuzz FuzzRender -fuzztime 60s
func FuzzRender(f *testing.F) {
	f.Add(vpSampleStream())
	for _, cmd := range vpCommands {
		f.Add(vpCat("\x1b@A\n", cmd, "B\n\x1dV\x00"))
	}
	f.Add(vpCat("\x1dv0\x00\xff\xff\xff\xff", "\xff\xff\xff\xff\xff"))
	f.Add(vpCat("\x1d!\x77\x1b \xff", "MMMMMMMM\n"))
	for _, native := range []bool{true, false} {
		for _, w := range []int{Width58, Width80} {
			b, err := Layout{Width: w, NativeQR: native, Cut: true}.Ticket(Ticket{
				Lang: "ca", Office: "OAC El Masnou", Number: "A023", Service: "Atenció ciutadana",
				Ahead: 4, Wait: 12 * time.Minute, Issued: time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC),
				URL: "https://torn.example.cat/t/XkJKjCs-hWhoPoWJcYh2vg", Footer: "Gràcies · l·l",
			})
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		width := Width80
		if len(stream)%2 == 1 {
			width = Width58
		}
		pages, err := (&Virtual{Width: width}).Render(stream)
		var re *RenderError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("Render: %v", err)
		}
		vpCheckLimits(t, pages, width)

		// One write, or two split anywhere, print the same.
		whole, split := &Virtual{Width: width, Keep: vpMaxPages}, &Virtual{Width: width, Keep: vpMaxPages}
		whole.Write(stream)
		cut := 0
		if len(stream) > 0 {
			cut = int(stream[0]) % (len(stream) + 1)
		}
		split.Write(stream[:cut])
		split.Write(stream[cut:])
		a, _ := whole.Pages()
		b, _ := split.Pages()
		vpCheckLimits(t, a, width)
		if len(a) != len(b) {
			t.Fatalf("one write: %d pages; split at %d: %d", len(a), cut, len(b))
		}
		for i := range a {
			if !bytes.Equal(a[i].Pix, b[i].Pix) {
				t.Fatalf("page %d differs when the stream is split at %d", i, cut)
			}
		}
		ra := make([]byte, 64)
		rb := make([]byte, 64)
		na, _ := whole.Read(ra)
		nb, _ := split.Read(rb)
		if !bytes.Equal(ra[:na], rb[:nb]) {
			t.Fatalf("answers % X in one write, % X split at %d", ra[:na], rb[:nb], cut)
		}
	})
}

func vpCheckLimits(t *testing.T, pages []*image.Gray, width int) {
	t.Helper()
	if len(pages) > vpMaxPages {
		t.Fatalf("%d pages", len(pages))
	}
	total := 0
	for _, p := range pages {
		if p.Rect.Dx() != width || p.Rect.Dy() < 1 || p.Rect.Dy() > vpMaxPage {
			t.Fatalf("page %v", p.Rect)
		}
		total += p.Rect.Dy()
	}
	if total > vpMaxPixels/width {
		t.Fatalf("%d dots of paper", total)
	}
}
