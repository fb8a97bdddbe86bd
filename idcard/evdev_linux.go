package idcard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"syscall"

	evdev "github.com/holoplot/go-evdev"
)

// linuxInput is an input event device opened with go-evdev.
type linuxInput struct {
	dev *evdev.InputDevice
}

// openInput opens the input event device at path and, if grab, grabs it
// exclusively: while the file is open, its events reach no other
// program (closing the file lets go of it).
func openInput(path string, grab bool) (inputDevice, error) {
	dev, err := evdev.OpenWithFlags(path, os.O_RDONLY)
	if err != nil {
		// The error of opening the file repeats the path; the
		// caller's names it.
		var pe *fs.PathError
		switch {
		case errors.As(err, &pe) && errors.Is(err, fs.ErrPermission):
			return nil, fmt.Errorf("%w (is tornd's user in group \"input\"?)", pe.Err)
		case errors.As(err, &pe) && errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("%w (is the scanner plugged in? /dev/input/by-id/ names the keyboards)", pe.Err)
		case errors.As(err, &pe):
			return nil, pe.Err
		}
		// The file opened but is no input device (go-evdev does not
		// wrap the ioctl's error).
		return nil, fmt.Errorf("not an input event device (/dev/input/event*): %v", err)
	}
	if !slices.Contains(dev.CapableTypes(), evdev.EV_KEY) {
		dev.Close()
		return nil, errors.New("the input device has no keys: is it the scanner's keyboard?")
	}
	if grab {
		if err := dev.Grab(); err != nil {
			dev.Close()
			hint := ""
			if errors.Is(err, syscall.EBUSY) {
				hint = " (another program has grabbed it: is another tornd running?)"
			}
			return nil, fmt.Errorf("grab it exclusively: %w%s", err, hint)
		}
	}
	// Last, as go-evdev's ioctls make the file blocking again: a
	// non-blocking file lets Close interrupt a read in progress.
	if err := dev.NonBlock(); err != nil {
		dev.Close()
		return nil, fmt.Errorf("make it non-blocking: %w", err)
	}
	return linuxInput{dev}, nil
}

func (l linuxInput) readEvent() (keyEvent, error) {
	ev, err := l.dev.ReadOne()
	if err != nil {
		return keyEvent{}, err
	}
	return keyEvent{Type: uint16(ev.Type), Code: uint16(ev.Code), Value: ev.Value}, nil
}

func (l linuxInput) Close() error { return l.dev.Close() }
