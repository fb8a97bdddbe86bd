// Package serialline opens the serial lines of Torn's devices (the ticket
// printer, the document reader): 8N1 at a given speed, with errors that
// tell the technician the likely cause.
package serialline

import (
	"errors"
	"fmt"
	"io/fs"

	"go.bug.st/serial"
)

// Open opens the serial line at path at baud, 8N1. device names what is
// expected on the line ("printer", "reader") for the hint of an error,
// which reads "/dev/ttyUSB0 at 9600 baud: …", with the likely cause.
func Open(path string, baud int, device string) (serial.Port, error) {
	port, err := serial.Open(path, &serial.Mode{
		BaudRate: baud,
		DataBits: 8,
		Parity:   serial.NoParity,
		StopBits: serial.OneStopBit,
	})
	if err != nil {
		return nil, fmt.Errorf("%s at %d baud: %w%s", path, baud, err, hint(err, device))
	}
	return port, nil
}

// hint tells the technician the likely cause of an open error.
func hint(err error, device string) string {
	var pe *serial.PortError
	switch {
	case errors.As(err, &pe) && pe.Code() == serial.PermissionDenied, errors.Is(err, fs.ErrPermission):
		return ` (is tornd's user in group "dialout"?)`
	case errors.As(err, &pe) && pe.Code() == serial.PortBusy:
		return " (does another program have it open?)"
	case errors.As(err, &pe) && pe.Code() == serial.PortNotFound, errors.Is(err, fs.ErrNotExist):
		return " (is the " + device + " plugged in?)"
	}
	return ""
}
