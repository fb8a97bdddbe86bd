package deskdisplay

import (
	"fmt"
	"image"
	"os"
	"sync"

	"periph.io/x/conn/v3/i2c"
)

// The SSD1306's I2C control bytes (datasheet 8.1.5): Co = 0, so that
// every byte after the control byte is of the same kind, and D/C# = 0 for
// commands, 1 for display RAM data.
const (
	ctrlCommands = 0x00
	ctrlData     = 0x40
)

// The SSD1306 commands used here (datasheet sections 9 and 10).
const (
	cmdDisplayOff   = 0xAE
	cmdDisplayOn    = 0xAF
	cmdColumnWindow = 0x21 // start, end column
	cmdPageWindow   = 0x22 // start, end page
)

// DefaultMaxWrite is SSD1306.MaxWrite's default: the 32 bytes of an SMBus
// block write, which every Linux I2C adapter takes.
const DefaultMaxWrite = 32

// SSD1306 drives a 128 × 64 or 128 × 32 OLED with an SSD1306 controller
// over I2C: each Show renders the call (see Render) and writes the whole
// frame. Its methods are safe for concurrent use.
type SSD1306 struct {
	// MaxWrite is the most frame bytes Show sends in one I2C write, after
	// the control byte; default DefaultMaxWrite (32). The Raspberry Pi's
	// I2C controller takes a whole frame in one write.
	MaxWrite int

	bus           i2c.Bus
	addr          uint16
	width, height int

	mu     sync.Mutex
	closed bool
}

// NewSSD1306 sets up the SSD1306 at addr on bus (0x3C on most modules,
// 0x3D with SA0 high), for a width × height panel: 128 × 64 or 128 × 32.
// It sends the init sequence, with the charge pump on and horizontal
// addressing, clears the display RAM and turns the display on, blank. The
// caller keeps bus, and closes it after Close.
func NewSSD1306(bus i2c.Bus, addr uint16, width, height int) (*SSD1306, error) {
	d := &SSD1306{MaxWrite: DefaultMaxWrite, bus: bus, addr: addr, width: width, height: height}
	if bus == nil {
		return nil, fmt.Errorf("init SSD1306 at 0x%02X: no I2C bus", addr)
	}
	if width != 128 || (height != 64 && height != 32) {
		return nil, fmt.Errorf("init %s: %d × %d pixels: want 128 × 64 or 128 × 32", d, width, height)
	}
	if addr > 0x7F {
		return nil, fmt.Errorf("init %s: %#x is not a 7-bit I2C address", d, addr)
	}
	if err := d.command(initSequence(height)...); err != nil {
		return nil, fmt.Errorf("init %s: send the init sequence: %w", d, err)
	}
	// The RAM holds noise at power-up: clear it before the panel lights.
	if err := d.write(make([]byte, d.frameSize())); err != nil {
		return nil, fmt.Errorf("init %s: clear the display: %w", d, err)
	}
	if err := d.command(cmdDisplayOn); err != nil {
		return nil, fmt.Errorf("init %s: turn the display on: %w", d, err)
	}
	return d, nil
}

// initSequence is the SSD1306's set-up for a 128-column panel of height
// rows with its own charge pump, as the modules sold with it are wired:
// column 0 at the left, row 0 at the top. It leaves the display off.
func initSequence(height int) []byte {
	comPins := byte(0x12) // alternative COM pin layout: 64 rows
	if height == 32 {
		comPins = 0x02 // sequential: 32 rows
	}
	return []byte{
		cmdDisplayOff,
		0xD5, 0x80, // display clock: divide by 1, oscillator default
		0xA8, byte(height - 1), // multiplex ratio
		0xD3, 0x00, // display offset
		0x40,       // start line 0
		0x8D, 0x14, // charge pump on
		0x20, 0x00, // horizontal addressing mode
		0xA1,          // segment remap: column 127 is SEG0
		0xC8,          // COM scan from COM[N-1] down to COM0
		0xDA, comPins, // COM pins
		0x81, 0xCF, // contrast
		0xD9, 0xF1, // pre-charge: phase 1 one clock, phase 2 fifteen
		0xDB, 0x40, // VCOMH deselect level, as the module makers set it (the datasheet lists 0x00, 0x20, 0x30)
		0xA4, // display follows the RAM
		0xA6, // normal, not inverse: a 1 bit lights its pixel
	}
}

// String names the display for errors: "SSD1306 at 0x3C on I2C1".
func (d *SSD1306) String() string {
	s := fmt.Sprintf("SSD1306 at 0x%02X", d.addr)
	if d.bus != nil {
		s += " on " + d.bus.String()
	}
	return s
}

// Render is Render(c, width, height) for this display's size.
func (d *SSD1306) Render(c Call) *image.Gray { return Render(c, d.width, d.height) }

// Frame returns the display RAM's bytes for c: width × height / 8 bytes
// in the SSD1306's page layout. Byte i holds column i % width of page
// i / width, the page's eight rows from bit 0 (its top row) to bit 7; a
// 1 bit lights its pixel.
func (d *SSD1306) Frame(c Call) []byte { return pack(d.Render(c)) }

// pack turns a picture into the SSD1306's page layout.
func pack(img *image.Gray) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	frame := make([]byte, w*h/8)
	for y := range h {
		for x := range w {
			if img.GrayAt(img.Rect.Min.X+x, img.Rect.Min.Y+y).Y >= 0x80 {
				frame[y/8*w+x] |= 1 << (y % 8)
			}
		}
	}
	return frame
}

func (d *SSD1306) frameSize() int { return d.width * d.height / 8 }

// Show renders c and writes it over the whole screen: it sets the column
// and page window to the whole display, then sends Frame(c) as data, in
// writes of MaxWrite bytes after the control byte.
func (d *SSD1306) Show(c Call) error {
	frame := d.Frame(c)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return fmt.Errorf("show %q on %s: %w", c.Number, d, os.ErrClosed)
	}
	if err := d.write(frame); err != nil {
		return fmt.Errorf("show %q on %s: %w", c.Number, d, err)
	}
	return nil
}

// write sets the window to the whole display and sends frame.
func (d *SSD1306) write(frame []byte) error {
	if err := d.command(cmdColumnWindow, 0, byte(d.width-1), cmdPageWindow, 0, byte(d.height/8-1)); err != nil {
		return fmt.Errorf("set the window to the whole display: %w", err)
	}
	chunk := d.MaxWrite
	if chunk <= 0 {
		chunk = DefaultMaxWrite
	}
	buf := make([]byte, 1+chunk)
	buf[0] = ctrlData
	for i := 0; i < len(frame); i += chunk {
		end := min(i+chunk, len(frame))
		n := copy(buf[1:], frame[i:end])
		if err := d.bus.Tx(d.addr, buf[:1+n], nil); err != nil {
			return fmt.Errorf("write frame bytes %d to %d of %d: %w", i, end-1, len(frame), err)
		}
	}
	return nil
}

// command sends cmds, with their arguments, in one I2C write.
func (d *SSD1306) command(cmds ...byte) error {
	return d.bus.Tx(d.addr, append([]byte{ctrlCommands}, cmds...), nil)
}

// Close turns the display off (0xAE); the panel keeps its RAM but shows
// nothing. It leaves the bus open. Show and Close after Close return an
// error wrapping os.ErrClosed.
func (d *SSD1306) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return fmt.Errorf("close %s: %w", d, os.ErrClosed)
	}
	d.closed = true
	if err := d.command(cmdDisplayOff); err != nil {
		return fmt.Errorf("close %s: turn the display off: %w", d, err)
	}
	return nil
}
