// Package deskdisplay shows the number called at a desk on the display
// above that desk: a small I2C OLED driven by an SSD1306 controller, or
// any device that takes a line of text over a serial port (an LED sign, a
// character display with its own controller).
//
// It owns the picture of a call (the number as large as it fits, centred,
// and on a 64-row screen the desk's name underneath, in the Go fonts
// embedded in the binary, thresholded to one bit per pixel), the SSD1306's
// init sequence and page layout, the I2C writes that carry a frame, and
// the text/template that makes the line sent to a serial display. The
// same Call always gives the same bytes, which the tests compare with
// golden files.
//
// It never decides what a desk shows or when: it knows no queue, no
// service rules and no tickets beyond the Call it is given, keeps no
// history, and retries nothing. The caller shows every call at the desk,
// and Call{} to clear it; a desk display that fails is reported to the
// caller, which decides whether to log it. It never owns the I2C bus it
// is given either: Close turns the display off and leaves the bus open.
//
// Package panel/deskdisplay/deskdisplaytest has a fake Display and a
// pseudo-terminal that stands in for a serial display, for tests.
//
// References: Solomon Systech's SSD1306 datasheet (section 8.1.5, I2C
// interface: the control byte, 0x00 for a command stream and 0x40 for a
// data stream; sections 9 and 10, the commands; section 8.7, the page
// layout of the graphic RAM); periph.io/x/conn/v3/i2c for the bus.
package deskdisplay
