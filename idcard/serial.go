package idcard

import (
	"errors"
	"fmt"

	"go.bug.st/serial"

	"torn.cat/torn/internal/serialline"
)

// DefaultBaud is the line speed OpenSerial sets when given 0: the usual
// factory setting of RS-232 document readers. USB CDC-ACM readers
// (/dev/ttyACM*) ignore the speed.
const DefaultBaud = 9600

// Serial is a document reader on a serial line: RS-232 through a UART or
// a USB adapter (/dev/ttyUSB0), a USB CDC-ACM reader (/dev/ttyACM0) or, in
// tests, a pseudo-terminal. The reader sends each line of a document with
// CR, LF or CRLF after it, and may frame the document with STX and ETX.
type Serial struct {
	*lineReader
}

// OpenSerial opens the serial reader at path at baud (0 means
// DefaultBaud), 8N1, raw, discards what it sent before, and starts reading.
func OpenSerial(path string, baud int, opts Options) (*Serial, error) {
	if baud == 0 {
		baud = DefaultBaud
	}
	if baud < 0 {
		return nil, fmt.Errorf("open serial reader %s: baud rate %d is negative", path, baud)
	}
	port, err := serialline.Open(path, baud, "reader")
	if err != nil {
		return nil, fmt.Errorf("open serial reader %w", err)
	}
	if err := port.ResetInputBuffer(); err != nil {
		port.Close()
		return nil, fmt.Errorf("open serial reader %s: discard earlier input: %w", path, err)
	}
	s := &Serial{newLineReader("serial reader "+path, opts, port.Close)}
	buf := make([]byte, 256)
	s.start(func() ([]byte, error) {
		n, err := port.Read(buf)
		var pe *serial.PortError
		if errors.As(err, &pe) && pe.Code() == serial.PortClosed {
			// Also what the library says when the line hangs up,
			// unless Close was called.
			err = fmt.Errorf("the line hung up (reader unplugged?): %w", err)
		}
		return append([]byte(nil), buf[:n]...), err
	})
	return s, nil
}

// String names the reader for logs: "serial reader /dev/ttyACM0".
func (s *Serial) String() string { return s.name }

var _ Reader = (*Serial)(nil)
