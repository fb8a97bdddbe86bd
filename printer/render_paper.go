package printer

import (
	"image"
	"image/color"
	"image/png"
	"io"
	"slices"

	qrcode "github.com/skip2/go-qrcode"
)

// vpPaper is the page being printed: the rows fed so far, and the dots
// drawn (1 = ink) down to the lowest one, so that blank feeds cost
// nothing until the page is finished.
type vpPaper struct {
	width int
	rows  int
	pix   []byte
}

// grow makes pix hold rows rows.
func (p *vpPaper) grow(rows int) {
	need := rows * p.width
	if n := len(p.pix); n < need {
		p.pix = slices.Grow(p.pix, need-n)[:need]
		clear(p.pix[n:])
	}
}

// image returns the page as white paper with black dots.
func (p *vpPaper) image() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, p.width, p.rows))
	for i := range img.Pix {
		if i < len(p.pix) && p.pix[i] != 0 {
			img.Pix[i] = 0
		} else {
			img.Pix[i] = 0xFF
		}
	}
	return img
}

// vpCell is something printed: a character, a space, a bit image in the
// line, or a block (raster image, graphics, QR code) on its own. Its
// source bitmap src (sw × sh, 1 = ink, nil for a space) is scaled sx × sy
// into the first gw of its w × h dots; the rest of w is character spacing.
type vpCell struct {
	src    []byte
	sw, sh int
	sx, sy int
	w, h   int
	gw     int
	under  int // underline thickness, dots
	rev    bool
}

// area is the print area: its left edge and width (GS L, GS W), within the
// paper.
func (m *vpMachine) area() (x0, w int) {
	x0 = min(m.margin, m.width-1)
	w = max(min(m.areaW, m.width-x0), 1)
	return x0, w
}

// text puts the character of byte c, in the current code page, into the
// line.
func (m *vpMachine) text(c byte) {
	r := rune(c)
	switch {
	case c == 0x7F:
		r = ' '
	case c >= 0x80:
		r = m.table.DecodeByte(c)
	}
	g := vpGlyphFor(r, m.fontB, m.emph || m.dstrike)
	m.addCell(vpCell{
		src: g.ink, sw: g.w, sh: g.h, sx: m.wmul, sy: m.hmul,
		w: (g.w + m.charSpace) * m.wmul, gw: g.w * m.wmul, h: g.h * m.hmul,
		under: m.under, rev: m.rev,
	})
}

// tab is HT: blank up to the next tab stop (every 8 characters unless ESC
// D set others), or nothing when none is left in the print area.
func (m *vpMachine) tab() {
	cw := vpFontAW
	if m.fontB {
		cw = vpFontBW
	}
	unit := (cw + m.charSpace) * m.wmul
	_, aw := m.area()
	next := func(i int) (int, bool) {
		if m.tabs == nil {
			return 8 * (i + 1), i < 32
		}
		if i < len(m.tabs) {
			return m.tabs[i], true
		}
		return 0, false
	}
	for i := 0; ; i++ {
		col, ok := next(i)
		if !ok {
			return
		}
		if x := col * unit; x > m.lineW {
			if x <= aw {
				m.addCell(vpCell{w: x - m.lineW, h: 1})
			}
			return
		}
	}
}

// moveTo is ESC $ and ESC \: blank up to x dots from the print area's
// left edge. Moving left is not rendered.
func (m *vpMachine) moveTo(x int) {
	_, aw := m.area()
	if x > m.lineW && x <= aw {
		m.addCell(vpCell{w: x - m.lineW, h: 1})
	}
}

// addCell puts c into the line, printing the line first when c does not
// fit: text wraps at the end of the print area.
func (m *vpMachine) addCell(c vpCell) {
	if c.w <= 0 {
		return
	}
	_, aw := m.area()
	if len(m.line) > 0 && m.lineW+c.w > aw {
		m.printLine(m.spacing)
	}
	if len(m.line) == 0 {
		m.lineAlign = m.align
	}
	m.line = append(m.line, c)
	m.lineW += c.w
}

func (m *vpMachine) clearLine() {
	clear(m.line)
	m.line = m.line[:0]
	m.lineW = 0
}

// alignedX is where something w dots wide starts in the print area.
func (m *vpMachine) alignedX(w int, align byte) int {
	x0, aw := m.area()
	switch {
	case w >= aw:
		return x0
	case align == 1:
		return x0 + (aw-w)/2
	case align == 2:
		return x0 + aw - w
	}
	return x0
}

// printLine prints the line buffer, its cells standing on a common
// bottom, and feeds feed dots, or the line's height if more.
func (m *vpMachine) printLine(feed int) {
	if len(m.line) == 0 {
		m.feed(feed)
		return
	}
	h := 0
	for _, c := range m.line {
		h = max(h, c.h)
	}
	x0, aw := m.area()
	x := m.alignedX(m.lineW, m.lineAlign)
	y := m.paper.rows
	for _, c := range m.line {
		m.draw(c, x, y+h-c.h, x0+aw)
		x += c.w
	}
	m.clearLine()
	m.feed(max(feed, h))
}

// printBlock prints a raster image, graphics or QR code where the line
// starts, aligned, and feeds its height. Printers expect it at the start
// of a line; the virtual one prints the line first and says so.
func (m *vpMachine) printBlock(c vpCell, name string) {
	if len(m.line) > 0 {
		m.problem("%s in the middle of a line: printed the line first", name)
		m.printLine(m.spacing)
	}
	x0, aw := m.area()
	m.draw(c, m.alignedX(c.w, m.align), m.paper.rows, x0+aw)
	m.feed(c.h)
}

// draw puts c's dots on the paper with its top left corner at (x, y),
// clipped at right and at the page's limit.
func (m *vpMachine) draw(c vpCell, x, y, right int) {
	right = min(right, m.width)
	y1 := min(y+c.h, m.limit)
	if y1 <= y || x >= right {
		return
	}
	m.paper.grow(y1)
	for r := 0; y+r < y1; r++ {
		row := m.paper.pix[(y+r)*m.width : (y+r+1)*m.width]
		src := -1
		if c.src != nil {
			src = r / c.sy * c.sw
		}
		ul := !c.rev && c.under > 0 && r >= c.h-c.under
		for col := range min(c.w, right-x) {
			ink := ul || (src >= 0 && col < c.gw && c.src[src+col/c.sx] != 0)
			if ink != c.rev {
				row[x+col] = 1
			}
		}
	}
}

// feed advances the paper n dots, up to the page's limit.
func (m *vpMachine) feed(n int) {
	m.paper.rows += n
	if m.paper.rows <= m.limit {
		return
	}
	m.paper.rows = m.limit
	if m.capped {
		return
	}
	m.capped = true
	if m.limit == vpMaxPage {
		m.problem("page longer than %d dots: the rest of it is not rendered", vpMaxPage)
	} else {
		m.problem("the pages so far fill what one rendering may hold: the rest is not rendered")
	}
}

// cut is a cut after feeding n dots.
func (m *vpMachine) cut(n int) {
	if len(m.line) > 0 {
		m.problem("cut with %d characters in the line buffer: a printer may ignore it; printed the line first", len(m.line))
		m.printLine(m.spacing)
	}
	m.feed(n)
	m.finishPage()
}

// pageLimit is how long the next page may grow.
func (m *vpMachine) pageLimit() int {
	if m.keep > 0 {
		return min(vpMaxPage, vpMaxPixels/m.width/2)
	}
	if len(m.pages) >= vpMaxPages {
		return 0
	}
	return max(0, min(vpMaxPage, vpMaxPixels/m.width-m.finishedRows))
}

// finishPage ends the page at a cut or at the end of the stream.
func (m *vpMachine) finishPage() {
	if m.paper.rows > 0 {
		img := m.paper.image()
		m.pages = append(m.pages, img)
		m.finishedRows += m.paper.rows
		if m.keep > 0 {
			// Keep the last pages, within the budget of one
			// rendering with a full page to come, and always the
			// newest.
			drop := 0
			budget := vpMaxPixels/m.width - min(vpMaxPage, vpMaxPixels/m.width/2)
			for drop < len(m.pages)-1 && (len(m.pages)-drop > m.keep || m.finishedRows > budget) {
				m.finishedRows -= m.pages[drop].Rect.Dy()
				drop++
			}
			m.pages = slices.Delete(m.pages, 0, drop)
		}
	}
	m.paper = vpPaper{width: m.width}
	m.capped = false
	m.limit = m.pageLimit()
}

// printQR is GS ( k fn 81: the stored data as a QR code, model 2, at the
// stored module size and error correction, aligned as text is. As on
// Epson's printers there is no quiet zone: the paper around is white.
func (m *vpMachine) printQR() {
	if len(m.qrData) == 0 {
		m.problem("QR print (GS ( k 81) with no data stored: nothing printed")
		return
	}
	if m.qrBits == nil {
		level := [4]qrcode.RecoveryLevel{qrcode.Low, qrcode.Medium, qrcode.High, qrcode.Highest}[m.qrLevel-48]
		q, err := qrcode.New(string(m.qrData), level)
		if err != nil {
			m.problem("QR code of %d bytes not printed: %v", len(m.qrData), err)
			return
		}
		q.DisableBorder = true
		bm := q.Bitmap()
		n := len(bm)
		m.qrBits, m.qrN = make([]byte, n*n), n
		for y, row := range bm {
			for x, on := range row {
				if on && x < n {
					m.qrBits[y*n+x] = 1
				}
			}
		}
	}
	n, s := m.qrN, m.qrSize
	if _, aw := m.area(); n*s > aw {
		m.problem("QR code of %d × %d modules at %d dots a module is wider than the print area (%d dots): not printed", n, n, s, aw)
		return
	}
	m.printBlock(vpCell{src: m.qrBits, sw: n, sh: n, sx: s, sy: s, w: n * s, gw: n * s, h: n * s}, "QR code")
}

// vpGap is the grey band between pages in RenderPNG, in dots.
const vpGap = 24

// vpStack puts pages one under another with a grey band between them.
func vpStack(pages []*image.Gray, width int) *image.Gray {
	if width == 0 {
		width = Width80
	}
	h := 0
	for i, p := range pages {
		if i > 0 {
			h += vpGap
		}
		h += p.Rect.Dy()
	}
	img := image.NewGray(image.Rect(0, 0, width, max(h, 1)))
	if len(pages) == 0 {
		for i := range img.Pix {
			img.Pix[i] = 0xFF
		}
		return img
	}
	y := 0
	for i, p := range pages {
		if i > 0 {
			for j := y * width; j < (y+vpGap)*width; j++ {
				img.Pix[j] = 0x80
			}
			y += vpGap
		}
		for r := range p.Rect.Dy() {
			copy(img.Pix[(y+r)*width:(y+r+1)*width], p.Pix[r*p.Stride:(r+1)*p.Stride])
		}
		y += p.Rect.Dy()
	}
	return img
}

// vpEncodePNG writes img as a palette PNG: 1 bit a dot for a page, 2
// with RenderPNG's grey, an eighth of an 8-bit grey PNG before
// compression.
func vpEncodePNG(w io.Writer, img *image.Gray) error {
	var index [256]int
	for i := range index {
		index[i] = -1
	}
	out := image.NewPaletted(img.Rect, color.Palette{color.Gray{0xFF}, color.Gray{0}})
	index[0xFF], index[0] = 0, 1
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		src := img.Pix[img.PixOffset(img.Rect.Min.X, y):][:img.Rect.Dx()]
		dst := out.Pix[out.PixOffset(out.Rect.Min.X, y):][:out.Rect.Dx()]
		for x, v := range src {
			if index[v] < 0 {
				index[v] = len(out.Palette)
				out.Palette = append(out.Palette, color.Gray{v})
			}
			dst[x] = uint8(index[v])
		}
	}
	return png.Encode(w, out)
}
