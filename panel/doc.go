// Package panel reads the office's push buttons and desk keys from GPIO
// pins and drives its indicator LEDs, through periph.io's gpio interfaces
// (gpioioctl on the GPIO character device of a Raspberry Pi).
//
// It owns the electrical side of a press: the pull resistor and the active
// level of each input, the debounce (a level counts once it has held for
// Options.Debounce), the long press (held for Options.LongPress, on inputs
// that ask for it), the repeat guard (a press within Options.RepeatGuard of
// the previous accepted press of the same input is ignored), and an
// unbounded queue, so that a consumer busy printing a ticket loses no press
// and never holds up a pin reader. It owns the LED patterns too: on, off,
// blink, fast blink and flash, timed by one goroutine.
//
// It never knows what a press means or why a light is lit: it has no queue
// rules and does not import package dispenser. cmd/tornd maps each Input to
// a dispenser command and the dispenser's state to Set calls.
//
// Package panel/paneltest has fake buttons and LEDs, built on periph's
// gpiotest pins, for tests of this package and of the code that wires it.
package panel
