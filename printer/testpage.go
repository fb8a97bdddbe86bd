package printer

import (
	"fmt"
	"time"

	"torn.cat/torn/catalog"
)

// testChars are the letters and signs Catalan and Spanish need: each must
// print as itself (€ prints EUR on CP850, which lacks it).
var testChars = []string{
	"à é è í ï ò ó ú ü ç Ç l·l ñ Ñ · ¿ ¡ €",
	"À É È Í Ï Ò Ó Ú Ü",
}

// TestPage returns the bytes of a page for technicians, in lang: the
// title; the model, code page name and ESC t number, and the width; every
// Catalan and Spanish character, plain, bold and double size; the same QR
// code drawn by the printer (GS ( k) and as an image (GS v 0), each
// labelled, so a technician sees at once which the printer can do; the
// status st (nil for a transport that cannot read one); the date now; the
// feed and, if the Layout cuts, the cut.
func (l Layout) TestPage(st *Status, lang string, now time.Time) ([]byte, error) {
	l, err := l.defaults()
	if err != nil {
		return nil, fmt.Errorf("lay out test page: %w", err)
	}
	cp := l.CodePage
	cols := l.Columns()
	model := cp.Model
	if model == "" {
		model = "?"
	}
	qrData := fmt.Sprintf("Torn %s %s %d %s", model, cp.Name, cp.Number, now.Format("2006-01-02 15:04"))
	qr, err := QRRaster(qrData, l.Width)
	if err != nil {
		return nil, fmt.Errorf("lay out test page: %w", err)
	}

	w := layoutWriter{cp: cp}
	w.b.Grow(2048 + len(qr.Bits))
	w.b.Init()
	w.b.SelectCodePage(cp.Number)
	w.b.Align(AlignCenter)
	w.b.Bold(true)
	w.b.Size(2, 2)
	w.wrapped(catalog.T(lang, "printer.test.title"), cols/2)
	w.b.Size(1, 1)
	w.b.Bold(false)
	w.b.LF()

	w.b.Align(AlignLeft)
	w.wrapped(catalog.T(lang, "printer.test.model", model), cols)
	w.wrapped(catalog.T(lang, "printer.test.codepage", cp.Name, cp.Number), cols)
	w.wrapped(catalog.T(lang, "printer.test.width", l.Width, cols), cols)
	w.b.LF()

	w.wrapped(catalog.T(lang, "printer.test.chars")+":", cols)
	for _, s := range testChars {
		w.wrapped(s, cols)
	}
	w.wrapped(catalog.T(lang, "printer.test.bold"), cols)
	w.b.Bold(true)
	for _, s := range testChars {
		w.wrapped(s, cols)
	}
	w.b.Bold(false)
	w.wrapped(catalog.T(lang, "printer.test.large"), cols)
	w.b.Size(2, 2)
	for _, s := range testChars {
		w.wrapped(s, cols/2)
	}
	w.b.Size(1, 1)
	w.b.LF()

	w.wrapped(catalog.T(lang, "printer.test.qr.native"), cols)
	w.b.Align(AlignCenter)
	w.b.LF()
	if err := w.b.NativeQR(qrData, l.Width); err != nil {
		return nil, fmt.Errorf("lay out test page: %w", err)
	}
	w.b.LF()
	w.b.Align(AlignLeft)
	w.wrapped(catalog.T(lang, "printer.test.qr.raster"), cols)
	w.b.Align(AlignCenter)
	w.b.LF()
	w.b.Raster(qr)
	w.b.LF()
	w.wrapped(qrData, cols)
	w.b.Align(AlignLeft)
	w.b.LF()

	if st == nil {
		w.wrapped(catalog.T(lang, "printer.test.no_status"), cols)
	} else {
		w.wrapped(catalog.T(lang, "printer.test.status")+": "+st.String(), cols)
		w.wrapped(fmt.Sprintf("online=%d cover_open=%d paper_near_end=%d paper_out=%d error=%d",
			testPageBit(st.Online), testPageBit(st.CoverOpen), testPageBit(st.PaperNearEnd), testPageBit(st.PaperOut), testPageBit(st.Error)), cols)
	}
	w.wrapped(catalog.T(lang, "printer.test.date", now.Format("02/01/2006 15:04")), cols)
	l.finish(&w.b)
	return w.b.Bytes(), nil
}

func testPageBit(b bool) int {
	if b {
		return 1
	}
	return 0
}
