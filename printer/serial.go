package printer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.bug.st/serial"

	"torn.cat/torn/internal/serialline"
)

// SerialOptions are the settings of OpenSerial. The line is always 8N1.
type SerialOptions struct {
	// BaudRate is the line speed; default 115200.
	BaudRate int
	// FlowControl is "none" (the default; "" means the same) or
	// "rtscts": the printer holds CTS low while its buffer is full.
	// go.bug.st/serial v1.8.0 cannot switch on the kernel's hardware flow
	// control, so Serial does it itself: before each chunk of 256 bytes it
	// waits for CTS. The UART's own FIFO (16 to 64 bytes) may still go out
	// after CTS drops, which printers' buffers allow for. "xonxoff" is
	// refused with an error wrapping errors.ErrUnsupported: XON and XOFF
	// bytes would be mistaken in the status answers and the raster data.
	FlowControl string
	// WriteTimeout is how long a write may wait for the port to take more
	// bytes; default DefaultWriteTimeout.
	WriteTimeout time.Duration
}

// Serial is a printer on a serial line: a UART, a USB-serial adapter
// (/dev/ttyUSB0, /dev/ttyACM0) or, in tests, a pseudo-terminal. It is
// safe for one goroutine to print while another queries the status: each
// Write or Query waits for the one in progress.
//
// go.bug.st/serial gives writes no timeout, so each write runs in a
// goroutine that Write stops waiting for when the port has taken no bytes
// for WriteTimeout; that goroutine may linger, blocked in the kernel,
// until the port takes the bytes it holds, and writes nothing more.
type Serial struct {
	path    string
	port    serial.Port
	baud    int
	timeout time.Duration
	line    opGate
	closed  atomic.Bool
	rtscts  bool // wait for CTS before each chunk

	mu sync.Mutex
	// wireFree is when the bytes written so far will have left the port,
	// estimated from the baud rate: write returns once the kernel holds
	// the bytes, which may be seconds before they are on the wire.
	wireFree time.Time
}

// OpenSerial opens a serial port at opts.BaudRate, 8N1, raw.
func OpenSerial(path string, opts SerialOptions) (*Serial, error) {
	switch opts.FlowControl {
	case "", "none", "rtscts":
	case "xonxoff":
		return nil, fmt.Errorf("open serial printer %s: flow control %q: %w: software flow control would take status answers and raster bytes for XON/XOFF; use \"rtscts\" or \"none\"",
			path, opts.FlowControl, errors.ErrUnsupported)
	default:
		return nil, fmt.Errorf("open serial printer %s: unknown flow control %q (want none, rtscts or xonxoff)", path, opts.FlowControl)
	}
	baud := opts.BaudRate
	if baud <= 0 {
		baud = 115200
	}
	port, err := serialline.Open(path, baud, "printer")
	if err != nil {
		return nil, fmt.Errorf("open serial printer %w", err)
	}
	return &Serial{
		path:    path,
		port:    port,
		baud:    baud,
		timeout: orDefault(opts.WriteTimeout, DefaultWriteTimeout),
		line:    newOpGate(),
		rtscts:  opts.FlowControl == "rtscts",
	}, nil
}

// String names the port for logs: "serial /dev/ttyUSB0".
func (s *Serial) String() string { return "serial " + s.path }

// Write sends p to the printer. It returns once the kernel holds the
// bytes, which at low baud rates may be well before they are on the wire.
func (s *Serial) Write(p []byte) (int, error) {
	if s.closed.Load() {
		return 0, writeError(s, 0, len(p), s.timeout, os.ErrClosed)
	}
	if !s.line.enter(s.timeout) {
		return 0, busyError("write to printer", s, s.timeout)
	}
	// Planned before the write, so that a query waiting for it knows how
	// long the bytes take on the wire; corrected after.
	s.noteSent(len(p))
	n, err := goWrite(s.line, openPort{s}, p, s.timeout)
	s.noteSent(n - len(p))
	if !errors.Is(err, errStalled) {
		s.line.leave()
	}
	if err != nil {
		return n, writeError(s, n, len(p), s.timeout, err)
	}
	return n, nil
}

// Query sends req and reads n answer bytes (see Querier). The timeout
// counts from when req has left the port, behind the bytes of earlier
// writes, as the baud rate says: after a 1 KiB ticket at 9600 baud, a
// query waits about 1.1 s longer.
func (s *Serial) Query(req []byte, n int, timeout time.Duration) ([]byte, error) {
	if s.closed.Load() {
		return nil, queryError(s, os.ErrClosed, timeout)
	}
	// A write in progress may hold the line for as long as its bytes take
	// on the wire, and then some.
	wait := time.Until(s.sentBy()) + s.timeout + timeout
	if !s.line.enter(wait) {
		return nil, busyError("query printer", s, wait.Round(time.Millisecond))
	}
	if err := s.port.ResetInputBuffer(); err != nil {
		s.line.leave()
		return nil, queryError(s, fmt.Errorf("discard earlier input: %w", err), timeout)
	}
	k, err := goWrite(s.line, openPort{s}, req, timeout)
	s.noteSent(k)
	if err != nil {
		if !errors.Is(err, errStalled) {
			s.line.leave()
		}
		return nil, queryError(s, err, timeout)
	}
	defer s.line.leave()
	deadline := s.sentBy().Add(timeout)
	b := make([]byte, n)
	got := 0
	for got < n {
		left := time.Until(deadline)
		if left <= 0 {
			return b[:got], queryError(s, &noAnswerError{got: got, want: n}, timeout)
		}
		if err := s.port.SetReadTimeout(left); err != nil {
			return b[:got], queryError(s, err, timeout)
		}
		k, err := s.port.Read(b[got:]) // 0, nil at the timeout
		got += k
		if err != nil {
			return b[:got], queryError(s, err, timeout)
		}
	}
	return b, nil
}

// noteSent moves the estimate of when the port will be idle by the wire
// time of n bytes, 10 bits each with start and stop bits; n < 0 takes
// back bytes planned and not sent.
func (s *Serial) noteSent(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now := time.Now(); s.wireFree.Before(now) {
		s.wireFree = now
	}
	s.wireFree = s.wireFree.Add(time.Duration(n) * 10 * time.Second / time.Duration(s.baud))
}

// sentBy is when the bytes written so far will have left the port.
func (s *Serial) sentBy() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now := time.Now(); s.wireFree.Before(now) {
		return now
	}
	return s.wireFree
}

// Close closes the port. It first waits, up to the write timeout, for a
// write or query in progress, which stops after the chunk the kernel
// holds.
func (s *Serial) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return fmt.Errorf("close printer %s: %w", s, os.ErrClosed)
	}
	if s.line.enter(s.timeout) {
		defer s.line.leave()
	}
	if err := s.port.Close(); err != nil {
		return fmt.Errorf("close printer %s: %w", s, err)
	}
	return nil
}

// openPort writes to the port until it is closed, so that a write's
// goroutine does not go on once Close has given the descriptor back (the
// library keeps it as a bare number that the system may reuse).
type openPort struct{ s *Serial }

func (o openPort) Write(p []byte) (int, error) {
	if o.s.closed.Load() {
		return 0, os.ErrClosed
	}
	if o.s.rtscts {
		if err := o.waitCTS(); err != nil {
			return 0, err
		}
	}
	return o.s.port.Write(p)
}

// ctsPoll is how often a write held back by the printer looks at CTS again.
const ctsPoll = 2 * time.Millisecond

// waitCTS returns once the printer asserts CTS. While it does not, the
// write makes no progress, and Write gives up after its timeout as for any
// stalled printer.
func (o openPort) waitCTS() error {
	for {
		if o.s.closed.Load() {
			return os.ErrClosed
		}
		bits, err := o.s.port.GetModemStatusBits()
		if err != nil {
			return fmt.Errorf("read CTS: %w", err)
		}
		if bits.CTS {
			return nil
		}
		time.Sleep(ctsPoll)
	}
}

var _ io.Writer = openPort{}
