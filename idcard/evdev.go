package idcard

import "fmt"

// EvdevOptions are the settings of OpenEvdev.
type EvdevOptions struct {
	Options
	// Layout is the keyboard layout the scanner is configured to type
	// for: "us" (the default; "" means the same) or "es". On "us" a
	// scanner types '<' with Shift and the comma key, on "es" with the
	// key left of Z: a wrong layout garbles the MRZ.
	Layout string
	// NoGrab leaves the keystrokes to other programs too; by default
	// the keyboard is grabbed, so that the kiosk's browser does not
	// receive the document's text as typing. For trying a scanner out
	// (tornd reader test) while the kiosk runs, not for service.
	NoGrab bool
}

// Evdev is a keyboard-wedge document reader: a scanner that presents
// itself as a USB keyboard and types each line of a document followed by
// Enter (or Tab), read from its input event device (/dev/input/eventN,
// or better its stable name under /dev/input/by-id/) with Linux's evdev.
// On other systems OpenEvdev fails.
type Evdev struct {
	*lineReader
}

// inputDevice is an open input event device: evdev_linux.go's, or a
// test's recording.
type inputDevice interface {
	// readEvent returns the next event, waiting for it; once Close has
	// been called, it returns an error.
	readEvent() (keyEvent, error)
	Close() error
}

// OpenEvdev opens the keyboard-wedge reader at path, grabs it
// exclusively unless opts.NoGrab, and starts reading. Reading an input
// device takes membership of the "input" group.
func OpenEvdev(path string, opts EvdevOptions) (*Evdev, error) {
	layout, err := lookupLayout(opts.Layout)
	if err != nil {
		return nil, fmt.Errorf("open keyboard-wedge reader %s: %w", path, err)
	}
	dev, err := openInput(path, !opts.NoGrab)
	if err != nil {
		return nil, fmt.Errorf("open keyboard-wedge reader %s: %w", path, err)
	}
	return newEvdev("keyboard-wedge reader "+path, dev, layout, opts.Options), nil
}

// newEvdev starts reading dev: its events are decoded with layout and
// the text assembled into Scans as a serial reader's bytes are.
func newEvdev(name string, dev inputDevice, layout keyLayout, opts Options) *Evdev {
	e := &Evdev{newLineReader(name, opts, dev.Close)}
	d := newKeyDecoder(layout)
	e.start(func() ([]byte, error) {
		ev, err := dev.readEvent()
		if err != nil {
			return nil, err
		}
		ignored := d.ignored
		text := d.feed(ev)
		if d.ignored > ignored {
			e.log.Debug("idcard: a key typed nothing", "reader", name, "keys_ignored", d.ignored)
		}
		return text, nil
	})
	return e
}

// String names the reader for logs: "keyboard-wedge reader /dev/input/event3".
func (e *Evdev) String() string { return e.name }

var _ Reader = (*Evdev)(nil)
