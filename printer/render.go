package printer

import (
	"errors"
	"fmt"
	"image"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Limits that keep any byte stream's rendering small and quick: a fuzzed
// or hostile stream claims huge images and feeds, a real ticket is about
// 1,000 dots long.
const (
	// vpMaxPage is the longest page, in dots; the rest of a longer page
	// is not rendered.
	vpMaxPage = 20000
	// vpMaxPixels bounds the pages of one Render together (100,000 dots
	// of 80 mm paper), and vpMaxPages their number.
	vpMaxPixels = Width80 * 100000
	vpMaxPages  = 1000
	// vpMaxWidth is the widest paper Virtual accepts, in dots.
	vpMaxWidth = 4096
	// vpMaxProblems is how many problems a RenderError lists.
	vpMaxProblems = 100
	// vpDefaultSpacing is the line spacing after ESC @ and ESC 2, in dots.
	vpDefaultSpacing = 30
)

// vpDefaultCodePages are Epson's numbers for ESC t.
var vpDefaultCodePages = map[byte]*charmap.Charmap{
	0:  charmap.CodePage437,
	2:  charmap.CodePage850,
	16: charmap.Windows1252,
	19: charmap.CodePage858,
}

// RenderProblem is one command the virtual printer could not render as a
// printer would, or that a printer would not print as the stream's author
// probably meant.
type RenderProblem struct {
	// Offset is where the command starts in the stream (for Virtual, in
	// everything written since the last Reset).
	Offset int
	// What says what happened, naming the command: "unknown command ESC
	// 0x99 ('\x99'): skipped its two bytes".
	What string
}

func (p RenderProblem) String() string { return fmt.Sprintf("offset %d: %s", p.Offset, p.What) }

// RenderError lists the problems of one rendering. Render, RenderPNG,
// Pages and PNGs return it beside the pages, which are complete in every
// other respect; a caller that only wants the pictures can ignore it, a
// test that checks a layout fails on it.
type RenderError struct {
	// Problems are the first 100, in stream order.
	Problems []RenderProblem
	// Omitted counts the problems after those.
	Omitted int
}

func (e *RenderError) Error() string {
	var sb strings.Builder
	n := len(e.Problems) + e.Omitted
	fmt.Fprintf(&sb, "virtual printer: %d problem", n)
	if n != 1 {
		sb.WriteString("s")
	}
	for i, p := range e.Problems {
		if i == 3 {
			fmt.Fprintf(&sb, "; and %d more", n-3)
			break
		}
		sb.WriteString("; ")
		sb.WriteString(p.String())
	}
	return sb.String()
}

// Render interprets stream as a printer would and returns the paper: one
// image per cut, and the paper after the last cut as a final page when
// any was fed. Images are v.Width dots wide, white paper (255) and black
// dots (0). A cut with no paper fed since the previous one makes no page.
//
// The error is nil, or a *RenderError listing the commands that could not
// be rendered faithfully (unknown commands, an unknown code page, text
// never followed by LF, a command cut short by the end of the stream, a
// page longer than 20,000 dots...); the pages are returned all the same.
// Any other error means an unusable v.Width and comes with no pages.
//
// Render does not change v and does not answer DLE EOT: see Write.
func (v *Virtual) Render(stream []byte) ([]*image.Gray, error) {
	v.mu.Lock()
	width, cps := v.Width, v.CodePages
	v.mu.Unlock()
	m, err := vpNewMachine(width, cps, 0)
	if err != nil {
		return nil, err
	}
	m.run(stream, true)
	m.end()
	return m.pages, m.err()
}

// RenderPNG renders stream on paper width dots wide (0: Width80) and
// writes one PNG of all its pages, top to bottom, with a grey band where
// the paper was cut. As with Render, the error is nil or a *RenderError
// once the PNG is written, and anything else when it could not be.
func RenderPNG(stream []byte, w io.Writer, width int) error {
	v := &Virtual{Width: width}
	pages, err := v.Render(stream)
	var re *RenderError
	if err != nil && !errors.As(err, &re) {
		return err
	}
	if werr := vpEncodePNG(w, vpStack(pages, width)); werr != nil {
		return fmt.Errorf("write the rendered PNG: %w", werr)
	}
	return err
}

// vpMachine is the printer's state while it interprets a stream.
type vpMachine struct {
	width     int
	codePages map[byte]*charmap.Charmap
	// keep > 0 keeps only the last keep pages (Virtual's two-way use);
	// 0 keeps them all, within vpMaxPixels and vpMaxPages.
	keep int
	// status, when set, answers DLE EOT and GS r into answers.
	status  func() Status
	answers []byte

	// pos is the stream offset of the command being interpreted, final
	// whether the stream ends where the input does.
	pos   int
	final bool

	// Print modes.
	fontB, emph, dstrike, rev bool
	under                     int // underline thickness, dots
	wmul, hmul                int
	align                     byte // 0 left, 1 centre, 2 right
	table                     *charmap.Charmap
	spacing                   int // line spacing, dots
	charSpace                 int // right-side character spacing, dots
	margin, areaW             int // GS L and GS W, dots
	tabs                      []int

	// The line buffer: what prints at the next LF.
	line      []vpCell
	lineW     int
	lineAlign byte

	// The QR code (GS ( k, cn 49) and the graphics buffer (GS ( L).
	qrData  []byte
	qrSize  int
	qrLevel byte
	qrBits  []byte // the last symbol encoded, qrN × qrN, nil to encode
	qrN     int
	gfx     *vpCell

	// The paper.
	paper        vpPaper
	limit        int // rows the current page may take
	capped       bool
	pages        []*image.Gray
	finishedRows int

	problems []RenderProblem
	omitted  int
	once     map[string]bool
}

func vpNewMachine(width int, cps map[byte]*charmap.Charmap, keep int) (*vpMachine, error) {
	if width == 0 {
		width = Width80
	}
	if width < vpFontAW || width > vpMaxWidth {
		return nil, fmt.Errorf("virtual printer: paper width %d dots: want %d to %d", width, vpFontAW, vpMaxWidth)
	}
	if err := vpLoadFonts(); err != nil {
		return nil, err
	}
	if cps == nil {
		cps = vpDefaultCodePages
	}
	m := &vpMachine{width: width, codePages: cps, keep: keep, paper: vpPaper{width: width}}
	m.resetModes()
	m.qrSize, m.qrLevel = 3, 48
	m.limit = m.pageLimit()
	return m, nil
}

func (m *vpMachine) err() error {
	if len(m.problems) == 0 {
		return nil
	}
	return &RenderError{Problems: append([]RenderProblem(nil), m.problems...), Omitted: m.omitted}
}

func (m *vpMachine) problem(format string, args ...any) {
	if len(m.problems) >= vpMaxProblems {
		m.omitted++
		return
	}
	m.problems = append(m.problems, RenderProblem{Offset: m.pos, What: fmt.Sprintf(format, args...)})
}

// problemOnce records a problem the first time key comes up.
func (m *vpMachine) problemOnce(key, format string, args ...any) {
	if m.once[key] {
		return
	}
	if m.once == nil {
		m.once = make(map[string]bool)
	}
	m.once[key] = true
	m.problem(format, args...)
}

// run interprets b, whose first byte is at stream offset m.pos, and
// returns how many bytes it consumed: all of them when final, otherwise
// up to the start of a command that is not complete yet.
func (m *vpMachine) run(b []byte, final bool) int {
	m.final = final
	i := 0
	for i < len(b) {
		n := m.step(b[i:])
		if n == 0 {
			break
		}
		i += n
		m.pos += n
	}
	return i
}

// end is the end of the stream: the line buffer is lost, as on a printer
// switched off, and the paper fed so far is the last page.
func (m *vpMachine) end() {
	if len(m.line) > 0 {
		m.problem("%d characters at the end of the stream never printed: no LF after them", len(m.line))
		m.clearLine()
	}
	m.finishPage()
}

// vpName names the command at the start of b for problems: "ESC t",
// "GS ( k", "DLE EOT".
func vpName(b []byte) string {
	var sb strings.Builder
	switch b[0] {
	case 0x1B:
		sb.WriteString("ESC")
	case 0x1D:
		sb.WriteString("GS")
	case 0x1C:
		sb.WriteString("FS")
	case 0x10:
		sb.WriteString("DLE")
	default:
		return fmt.Sprintf("0x%02X", b[0])
	}
	k := 1
	if len(b) > 1 && (b[1] == '(' || b[1] == '8' || (b[0] == 0x1D && b[1] == 'v')) {
		k = 2
	}
	for i := 1; i <= k && i < len(b); i++ {
		c := b[i]
		switch {
		case b[0] == 0x10 && i == 1 && c == 0x04:
			sb.WriteString(" EOT")
		case c > 0x20 && c < 0x7F:
			fmt.Fprintf(&sb, " %c", c)
		default:
			fmt.Fprintf(&sb, " 0x%02X", c)
		}
	}
	return sb.String()
}

// short reports whether b is shorter than the n bytes a command needs.
// When it is, consumed is what step returns: 0 to wait for more input, or
// all of b at the end of the stream, recorded as a truncated command.
func (m *vpMachine) short(b []byte, n int64) (consumed int, short bool) {
	if int64(len(b)) >= n {
		return 0, false
	}
	if !m.final {
		return 0, true
	}
	m.problem("%s cut short by the end of the stream: %d of its %d bytes", vpName(b), len(b), n)
	return len(b), true
}

// prefixed reads a command of hdr bytes, then a little-endian length of
// lenBytes bytes, then that many bytes of data (GS ( k, GS 8 L...). It
// returns the data, or nil when the command is incomplete, and the bytes
// consumed as step returns them.
func (m *vpMachine) prefixed(b []byte, hdr, lenBytes int) ([]byte, int) {
	if r, s := m.short(b, int64(hdr+lenBytes)); s {
		return nil, r
	}
	var l int64
	for i := lenBytes - 1; i >= 0; i-- {
		l = l<<8 | int64(b[hdr+i])
	}
	total := int64(hdr+lenBytes) + l
	if r, s := m.short(b, total); s {
		return nil, r
	}
	return b[hdr+lenBytes : total], int(total)
}

// step interprets the command at the start of b and returns its length,
// or 0 when it is not complete and more input may come.
func (m *vpMachine) step(b []byte) int {
	switch c := b[0]; {
	case c >= 0x20:
		m.text(c)
	case c == 0x0A:
		m.printLine(m.spacing)
	case c == 0x0D, c == 0x00, c == 0x18:
		// CR does nothing when LF follows (the usual setting), NUL is
		// padding, CAN clears page-mode data.
	case c == 0x09:
		m.tab()
	case c == 0x1B:
		return m.esc(b)
	case c == 0x1D:
		return m.gs(b)
	case c == 0x1C:
		return m.fs(b)
	case c == 0x10:
		return m.dle(b)
	default:
		m.problem("control byte 0x%02X ignored", c)
	}
	return 1
}

// Argument counts of the ESC, GS and FS commands of fixed length. Those
// of variable length are handled in esc, gs and fs.
var (
	vpEscArgs = map[byte]int{
		0x0C: 0, ' ': 1, '!': 1, '$': 2, '%': 1, '-': 1, '2': 0, '3': 1,
		'<': 0, '=': 1, '?': 1, '@': 0, 'E': 1, 'G': 1, 'J': 1, 'K': 1,
		'L': 0, 'M': 1, 'R': 1, 'S': 0, 'T': 1, 'U': 1, 'V': 1, 'W': 8,
		'\\': 2, 'a': 1, 'c': 2, 'd': 1, 'e': 1, 'i': 0, 'm': 0, 'p': 3,
		'r': 1, 't': 1, 'u': 1, 'v': 0, '{': 1,
	}
	vpGsArgs = map[byte]int{
		'!': 1, '$': 2, '/': 1, ':': 0, 'B': 1, 'E': 1, 'H': 1, 'I': 1,
		'L': 2, 'P': 2, 'T': 1, 'W': 2, '\\': 2, '^': 3, 'a': 1, 'b': 1,
		'c': 0, 'f': 1, 'g': 4, 'h': 1, 'j': 1, 'r': 1, 'w': 1,
	}
	vpFsArgs = map[byte]int{
		'!': 1, '&': 0, '-': 1, '.': 0, '?': 2, 'C': 1, 'S': 2, 'W': 1,
		'p': 2, '2': 74,
	}
)

func (m *vpMachine) esc(b []byte) int {
	if r, s := m.short(b, 2); s {
		return r
	}
	switch op := b[1]; op {
	case '*':
		return m.escBitImage(b)
	case 'D':
		return m.escTabs(b)
	case '&':
		return m.escUserChars(b)
	case '(':
		_, n := m.prefixed(b, 3, 2)
		return n
	}
	op := b[1]
	a, r, ok := m.fixedArgs(b, vpEscArgs)
	if !ok {
		return r
	}
	switch op {
	case '@':
		if len(m.line) > 0 {
			m.problem("ESC @ cleared %d characters never printed: no LF before it", len(m.line))
			m.clearLine()
		}
		m.resetModes()
	case '!':
		x := a[0]
		m.fontB = x&0x01 != 0
		m.emph = x&0x08 != 0
		m.hmul = 1 + int(x>>4&1)
		m.wmul = 1 + int(x>>5&1)
		m.under = int(x >> 7)
	case '-':
		switch a[0] {
		case 0, '0':
			m.under = 0
		case 1, '1':
			m.under = 1
		case 2, '2':
			m.under = 2
		}
	case 'E':
		m.emph = a[0]&1 != 0
	case 'G':
		m.dstrike = a[0]&1 != 0
	case 'M':
		switch a[0] {
		case 0, '0':
			m.fontB = false
		case 1, '1', 2, '2':
			m.fontB = true
		}
	case 'a':
		switch a[0] {
		case 0, '0':
			m.align = 0
		case 1, '1':
			m.align = 1
		case 2, '2':
			m.align = 2
		}
	case 't':
		m.selectCodePage(a[0], true)
	case 'd':
		m.printLine(int(a[0]) * m.spacing)
	case 'J':
		m.printLine(int(a[0]))
	case '2':
		m.spacing = vpDefaultSpacing
	case '3':
		m.spacing = int(a[0])
	case ' ':
		m.charSpace = int(a[0])
	case '$':
		m.moveTo(int(a[0]) | int(a[1])<<8)
	case '\\':
		m.moveTo(m.lineW + int(int16(uint16(a[0])|uint16(a[1])<<8)))
	case 'i', 'm':
		m.cut(0)
	case 'R':
		if a[0] != 0 {
			m.problemOnce("ESC R", "international character set %d (ESC R) not rendered: printed as USA", a[0])
		}
	case 'V':
		if a[0]&0x0F == 1 || a[0]&0x0F == 2 {
			m.problemOnce("ESC V", "90° rotation (ESC V) not rendered")
		}
	case '{':
		if a[0]&1 != 0 {
			m.problemOnce("ESC {", "upside-down printing (ESC {) not rendered")
		}
	case '%':
		if a[0]&1 != 0 {
			m.problemOnce("ESC %", "user-defined characters (ESC %%) not rendered: printed the built-in ones")
		}
	case 'L':
		m.problemOnce("ESC L", "page mode (ESC L) not rendered: printed as standard mode")
	case 'K', 'e':
		m.problem("reverse feed (%s) not rendered", vpName(b))
	}
	return 2 + len(a)
}

// escBitImage is ESC * m nL nH d…: a bit image in the line, in columns of
// 8 or 24 dots, which 8-dot modes print three dots high per bit and
// single-density modes two dots wide.
func (m *vpMachine) escBitImage(b []byte) int {
	if r, s := m.short(b, 5); s {
		return r
	}
	k := int(b[3]) | int(b[4])<<8
	var colBytes, sx, sy int
	switch b[2] {
	case 0:
		colBytes, sx, sy = 1, 2, 3
	case 1:
		colBytes, sx, sy = 1, 1, 3
	case 32:
		colBytes, sx, sy = 3, 2, 1
	case 33:
		colBytes, sx, sy = 3, 1, 1
	default:
		m.problem("ESC * with unknown mode %d: skipped its header, its data print as text", b[2])
		return 5
	}
	total := 5 + k*colBytes
	if r, s := m.short(b, int64(total)); s {
		return r
	}
	if k == 0 {
		return total
	}
	data := b[5:total]
	h := 8 * colBytes
	src := make([]byte, k*h)
	for x := range k {
		for y := range h {
			if data[x*colBytes+y/8]&(0x80>>(y%8)) != 0 {
				src[y*k+x] = 1
			}
		}
	}
	m.addCell(vpCell{src: src, sw: k, sh: h, sx: sx, sy: sy, w: k * sx, gw: k * sx, h: h * sy})
	return total
}

// escTabs is ESC D n1 … nk NUL: up to 32 tab stops in ascending order; a
// value not above the previous one ends the list and prints as data.
func (m *vpMachine) escTabs(b []byte) int {
	var tabs []int
	prev := 0
	for i := 2; ; i++ {
		if r, s := m.short(b, int64(i+1)); s {
			return r
		}
		c := int(b[i])
		if c == 0 {
			m.tabs = tabs
			if m.tabs == nil {
				m.tabs = []int{}
			}
			return i + 1
		}
		if c <= prev {
			m.tabs = tabs
			return i
		}
		tabs = append(tabs, c)
		prev = c
		if len(tabs) == 32 {
			m.tabs = tabs
			return i + 1
		}
	}
}

// escUserChars is ESC & y c1 c2 [x d1 … d(y×x)]…: user-defined
// characters, consumed and not rendered.
func (m *vpMachine) escUserChars(b []byte) int {
	if r, s := m.short(b, 5); s {
		return r
	}
	y, c1, c2 := int(b[2]), int(b[3]), int(b[4])
	i := 5
	for c := c1; c <= c2; c++ {
		if r, s := m.short(b, int64(i+1)); s {
			return r
		}
		i += 1 + y*int(b[i])
	}
	if r, s := m.short(b, int64(i)); s {
		return r
	}
	return i
}

func (m *vpMachine) gs(b []byte) int {
	if r, s := m.short(b, 2); s {
		return r
	}
	switch b[1] {
	case '(':
		data, n := m.prefixed(b, 3, 2)
		if data != nil {
			switch b[2] {
			case 'k':
				m.symbol(data)
			case 'L':
				m.graphics(data)
			}
		}
		return n
	case '8':
		data, n := m.prefixed(b, 3, 4)
		if data != nil && b[2] == 'L' {
			m.graphics(data)
		}
		return n
	case 'v':
		return m.gsRaster(b)
	case 'V':
		return m.gsCut(b)
	case 'k':
		return m.gsBarcode(b)
	case '*':
		// GS * x y d…: a downloaded bit image, x × y × 8 bytes.
		if r, s := m.short(b, 4); s {
			return r
		}
		total := 4 + int(b[2])*int(b[3])*8
		if r, s := m.short(b, int64(total)); s {
			return r
		}
		return total
	}
	op := b[1]
	a, r, ok := m.fixedArgs(b, vpGsArgs)
	if !ok {
		return r
	}
	switch op {
	case '!':
		w, h := int(a[0]>>4)+1, int(a[0]&0x0F)+1
		if w > 8 || h > 8 {
			m.problem("GS ! 0x%02X asks for characters %d × %d times the size: ignored, as a printer does", a[0], w, h)
			break
		}
		m.wmul, m.hmul = w, h
	case 'B':
		m.rev = a[0]&1 != 0
	case 'L':
		m.margin = int(a[0]) | int(a[1])<<8
	case 'W':
		m.areaW = int(a[0]) | int(a[1])<<8
	case 'r':
		m.answerGSr(a[0])
	case '/':
		m.problem("downloaded bit image (GS /) not rendered")
	}
	return 2 + len(a)
}

// gsRaster is GS v 0 m xL xH yL yH d…: a raster image x bytes wide and y
// dots high, printed at once. A stream that ends inside the data prints
// the rows it holds.
func (m *vpMachine) gsRaster(b []byte) int {
	if r, s := m.short(b, 3); s {
		return r
	}
	if b[2] != '0' {
		m.problem("unknown command %s: skipped its two bytes", vpName(b))
		return 2
	}
	if r, s := m.short(b, 8); s {
		return r
	}
	mode := b[3]
	x := int(b[4]) | int(b[5])<<8
	y := int(b[6]) | int(b[7])<<8
	total := 8 + int64(x)*int64(y)
	data := b[8:]
	if int64(len(data)) < total-8 {
		if !m.final {
			return 0
		}
		m.problem("GS v 0 image of %d × %d bytes cut short by the end of the stream: %d of its %d bytes", x, y, len(data), total-8)
	} else {
		data = data[:total-8]
	}
	switch mode {
	case 0, 1, 2, 3, '0', '1', '2', '3':
	default:
		m.problem("GS v 0 with unknown mode %d: printed at normal size", mode)
		mode = 0
	}
	if x > 0 && y > 0 {
		m.raster(data, x, (len(data)+x-1)/x, 1+int(mode&1), 1+int(mode>>1&1), "GS v 0 image")
	}
	return 8 + len(data)
}

// raster prints packed rows of stride bytes, dots MSB first, scaled sx ×
// sy, as a block. It allocates no more than the paper can show.
func (m *vpMachine) raster(data []byte, stride, rows, sx, sy int, name string) {
	_, aw := m.area()
	sw := min(stride*8, (aw+sx-1)/sx)
	rows = min(rows, (m.limit-m.paper.rows)/sy+1)
	if sw <= 0 || rows <= 0 {
		return
	}
	src := make([]byte, sw*rows)
	for y := range rows {
		for x := range sw {
			i := y*stride + x/8
			if i < len(data) && data[i]&(0x80>>(x%8)) != 0 {
				src[y*sw+x] = 1
			}
		}
	}
	m.printBlock(vpCell{src: src, sw: sw, sh: rows, sx: sx, sy: sy, w: sw * sx, gw: sw * sx, h: rows * sy}, name)
}

// gsCut is GS V m [n]: cut, after feeding n dots for m = 65, 66, 97, 98,
// 103, 104. The paper is cut where the printing stopped: the distance
// from the head to the cutter is not modelled.
func (m *vpMachine) gsCut(b []byte) int {
	if r, s := m.short(b, 3); s {
		return r
	}
	switch b[2] {
	case 0, 1, 48, 49:
		m.cut(0)
		return 3
	case 65, 66, 97, 98, 103, 104:
		if r, s := m.short(b, 4); s {
			return r
		}
		m.cut(int(b[3]))
		return 4
	}
	m.problem("GS V with unknown mode %d: skipped its three bytes", b[2])
	return 3
}

// gsBarcode is GS k m d… NUL (m 0–6) or GS k m n d1…dn (m 65–79):
// consumed, not rendered.
func (m *vpMachine) gsBarcode(b []byte) int {
	if r, s := m.short(b, 3); s {
		return r
	}
	switch mode := b[2]; {
	case mode <= 6:
		for i := 3; i < 3+256; i++ {
			if r, s := m.short(b, int64(i+1)); s {
				return r
			}
			if b[i] == 0 {
				m.problem("barcode (GS k %d) not rendered", mode)
				return i + 1
			}
		}
		m.problem("barcode (GS k %d) with no NUL within 255 bytes: skipped its header", mode)
		return 3
	case mode >= 65 && mode <= 79:
		if r, s := m.short(b, 4); s {
			return r
		}
		total := 4 + int(b[3])
		if r, s := m.short(b, int64(total)); s {
			return r
		}
		m.problem("barcode (GS k %d) not rendered", mode)
		return total
	}
	m.problem("barcode (GS k) with unknown type %d: skipped its header", b[2])
	return 3
}

func (m *vpMachine) fs(b []byte) int {
	if r, s := m.short(b, 2); s {
		return r
	}
	switch b[1] {
	case '(':
		_, n := m.prefixed(b, 3, 2)
		return n
	case 'q':
		// FS q n [xL xH yL yH d1…d(x×y×8)]…: NV bit images.
		if r, s := m.short(b, 3); s {
			return r
		}
		i := int64(3)
		for range int(b[2]) {
			if r, s := m.short(b, i+4); s {
				return r
			}
			x := int64(b[i]) | int64(b[i+1])<<8
			y := int64(b[i+2]) | int64(b[i+3])<<8
			i += 4 + x*y*8
			if r, s := m.short(b, i); s {
				return r
			}
		}
		return int(i)
	}
	op := b[1]
	n, ok := vpFsArgs[op]
	if !ok {
		m.problem("unknown command %s: skipped its two bytes", vpName(b))
		return 2
	}
	if r, s := m.short(b, int64(2+n)); s {
		return r
	}
	if op == 'p' {
		m.problem("NV bit image (FS p) not rendered: the virtual printer has no NV memory")
	}
	return 2 + n
}

func (m *vpMachine) dle(b []byte) int {
	if r, s := m.short(b, 2); s {
		return r
	}
	switch b[1] {
	case 0x04: // DLE EOT n [a]
		if r, s := m.short(b, 3); s {
			return r
		}
		if n := b[2]; n == 7 || n == 8 {
			if r, s := m.short(b, 4); s {
				return r
			}
			return 4
		}
		m.answerEOT(b[2])
		return 3
	case 0x05: // DLE ENQ n
		if r, s := m.short(b, 3); s {
			return r
		}
		return 3
	case 0x14: // DLE DC4 fn …
		if r, s := m.short(b, 3); s {
			return r
		}
		total := 5
		if b[2] == 8 {
			total = 10
		}
		if r, s := m.short(b, int64(total)); s {
			return r
		}
		return total
	}
	m.problem("control byte DLE (0x10) ignored: no real-time command follows")
	return 1
}

func (m *vpMachine) answerEOT(n byte) {
	if m.status == nil {
		return
	}
	if a, ok := StatusByte(m.status(), n); ok {
		m.answers = append(m.answers, a)
	}
}

// answerGSr answers GS r 1 (paper sensors: 0x03 near end, 0x0C out) and
// GS r 2 (drawer: 0).
func (m *vpMachine) answerGSr(n byte) {
	if m.status == nil {
		return
	}
	switch n {
	case 1, '1':
		s := m.status()
		var a byte
		if s.PaperNearEnd {
			a |= 0x03
		}
		if s.PaperOut {
			a |= 0x0C
		}
		m.answers = append(m.answers, a)
	case 2, '2':
		m.answers = append(m.answers, 0)
	}
}

// symbol is GS ( k: QR codes (cn 49) are stored and printed; the other
// symbols are consumed and reported when printed.
func (m *vpMachine) symbol(data []byte) {
	if len(data) < 2 {
		m.problem("GS ( k with %d bytes of parameters ignored", len(data))
		return
	}
	cn, fn := data[0], data[1]
	if cn != 49 {
		if fn == 81 {
			name := map[byte]string{48: "PDF417", 50: "MaxiCode", 51: "GS1 DataBar", 52: "composite symbol", 53: "Aztec code", 54: "DataMatrix"}[cn]
			if name == "" {
				name = fmt.Sprintf("symbol type %d", cn)
			}
			m.problem("%s (GS ( k) not rendered", name)
		}
		return
	}
	arg := func() (byte, bool) {
		if len(data) < 3 {
			m.problem("GS ( k QR function %d with no argument ignored", fn)
			return 0, false
		}
		return data[2], true
	}
	switch fn {
	case 65: // model
		if a, ok := arg(); ok && a != 50 {
			m.problemOnce("QR model", "QR model %d rendered as model 2", a)
		}
	case 67: // module size
		if a, ok := arg(); ok {
			if a < 1 || a > 16 {
				m.problem("QR module size %d ignored: want 1 to 16", a)
				break
			}
			m.qrSize = int(a)
		}
	case 69: // error correction
		if a, ok := arg(); ok {
			if a < 48 || a > 51 {
				m.problem("QR error correction %d ignored: want 48 to 51", a)
				break
			}
			if a != m.qrLevel {
				m.qrLevel, m.qrBits = a, nil
			}
		}
	case 80: // store
		if _, ok := arg(); ok {
			m.qrData, m.qrBits = append(m.qrData[:0], data[3:]...), nil
		}
	case 81: // print
		m.printQR()
	}
}

// graphics is GS ( L and GS 8 L: raster graphics stored in the print
// buffer (fn 112) and printed (fn 50); the NV and download graphics
// functions are consumed and reported when printed.
func (m *vpMachine) graphics(data []byte) {
	if len(data) < 2 {
		return
	}
	switch fn := data[1]; fn {
	case 112:
		if len(data) < 10 {
			m.problem("graphics (GS ( L 112) with %d bytes of parameters ignored", len(data))
			return
		}
		bx, by, c := int(data[3]), int(data[4]), data[5]
		x := int(data[6]) | int(data[7])<<8
		y := int(data[8]) | int(data[9])<<8
		if bx < 1 || bx > 2 || by < 1 || by > 2 || x == 0 || y == 0 {
			m.problem("graphics (GS ( L 112) of %d × %d dots, scale %d × %d ignored", x, y, bx, by)
			return
		}
		if c != 49 {
			return // colours 2 to 4 of multi-tone printers
		}
		stride := (x + 7) / 8
		d := data[10:]
		rows := min(y, (len(d)+stride-1)/stride)
		if rows < y {
			m.problem("graphics (GS ( L 112) of %d × %d dots holds only %d rows", x, y, rows)
		}
		_, aw := m.area()
		sw := min(x, (aw+bx-1)/bx)
		rows = min(rows, m.limit/by+1)
		src := make([]byte, sw*rows)
		for r := range rows {
			for col := range sw {
				i := r*stride + col/8
				if i < len(d) && d[i]&(0x80>>(col%8)) != 0 {
					src[r*sw+col] = 1
				}
			}
		}
		m.gfx = &vpCell{src: src, sw: sw, sh: rows, sx: bx, sy: by, w: sw * bx, gw: sw * bx, h: rows * by}
	case 50, 2:
		if m.gfx == nil {
			m.problem("graphics print (GS ( L 50) with no graphics stored")
			return
		}
		m.printBlock(*m.gfx, "graphics (GS ( L)")
		m.gfx = nil
	case 69, 85:
		m.problem("NV or download graphics (GS ( L %d) not rendered", fn)
	}
}

// selectCodePage is ESC t n.
func (m *vpMachine) selectCodePage(n byte, explicit bool) {
	t, ok := m.codePages[n]
	if !ok || t == nil {
		t = charmap.CodePage437
		if explicit {
			m.problemOnce(fmt.Sprintf("ESC t %d", n), "code page %d (ESC t %d) unknown to the virtual printer: printed as CP437", n, n)
		}
	}
	m.table = t
}

// resetModes is ESC @ (and the power-on state).
func (m *vpMachine) resetModes() {
	m.fontB, m.emph, m.dstrike, m.rev = false, false, false, false
	m.under = 0
	m.wmul, m.hmul = 1, 1
	m.align = 0
	m.spacing = vpDefaultSpacing
	m.charSpace = 0
	m.margin, m.areaW = 0, m.width
	m.tabs = nil
	m.selectCodePage(0, false)
}

// fixedArgs returns the argument bytes of the command at b, whose count
// table gives by the command's second byte. When ok is false the command
// is done with (unknown, or cut short by the end of the stream) and
// consumed says how many bytes it took.
func (m *vpMachine) fixedArgs(b []byte, table map[byte]int) (a []byte, consumed int, ok bool) {
	n, known := table[b[1]]
	if !known {
		m.problem("unknown command %s: skipped its two bytes", vpName(b))
		return nil, 2, false
	}
	if r, s := m.short(b, int64(2+n)); s {
		return nil, r, false
	}
	return b[2 : 2+n], 0, true
}
