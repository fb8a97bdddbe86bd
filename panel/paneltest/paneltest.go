// Package paneltest fakes the buttons and LEDs of package panel for tests,
// on periph's gpiotest pins: a Button feeds edges to the panel's reader as
// a hand on a real button would, bounces included, and an LED reports the
// level the panel drives.
//
// Its helpers sleep between edges, so they are meant for tests inside a
// testing/synctest bubble, where sleeps take no real time. Make the fakes
// inside the bubble.
package paneltest

import (
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// EdgeBuffer is how many edges a Button holds before its reader takes them.
const EdgeBuffer = 256

// Button is a fake push button. Pass it, as a gpio.PinIn, to
// panel.AddInput. Its methods send edges and must be called from one
// goroutine.
type Button struct {
	*gpiotest.Pin
	// Pressed is the level of a pressed button: Low (NewButton's, for
	// active-low wiring with a pull-up) or High (active-high, pull-down).
	Pressed gpio.Level

	down bool
}

// NewButton returns an active-low button, released, whose pin accepts
// edges.
func NewButton(name string) *Button {
	return &Button{
		Pin:     &gpiotest.Pin{N: name, L: gpio.High, EdgesChan: make(chan gpio.Level, EdgeBuffer)},
		Pressed: gpio.Low,
	}
}

// Down sends the edge to the pressed level.
func (b *Button) Down() { b.set(true) }

// Up sends the edge to the released level.
func (b *Button) Up() { b.set(false) }

// IsDown reports whether the last edge sent was to the pressed level.
func (b *Button) IsDown() bool { return b.down }

func (b *Button) set(down bool) {
	b.down = down
	l := !b.Pressed
	if down {
		l = b.Pressed
	}
	b.EdgesChan <- l
}

// Press presses the button, holds it for hold and releases it, with
// clean edges.
func (b *Button) Press(hold time.Duration) {
	b.Down()
	time.Sleep(hold)
	b.Up()
}

// Bounce sends n edges gap apart, each to the level opposite to the one
// before, starting from the button's present state: from released, an odd
// n ends pressed (a bouncy press) and an even n ends released (a glitch).
func (b *Button) Bounce(n int, gap time.Duration) {
	for i := range n {
		if i > 0 {
			time.Sleep(gap)
		}
		b.set(!b.down)
	}
}

// LED is a fake LED. Pass it, as a gpio.PinOut, to panel.AddLED.
type LED struct {
	*gpiotest.Pin
}

// NewLED returns a dark LED.
func NewLED(name string) *LED {
	return &LED{Pin: &gpiotest.Pin{N: name, L: gpio.Low}}
}

// Lit reports whether the LED's pin is High. It is safe to call while the
// panel drives the pin.
func (l *LED) Lit() bool { return l.Read() == gpio.High }
