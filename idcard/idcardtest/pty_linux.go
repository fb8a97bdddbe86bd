package idcardtest

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Serial is the far end of a pseudo-terminal made by NewSerial: the
// document reader's side of the line.
type Serial struct {
	master *os.File
	slave  *os.File
	once   sync.Once
}

// NewSerial makes a pseudo-terminal that stands in for a serial document
// reader until the test ends: the code under test opens path (with
// idcard.OpenSerial) and the test writes what the reader sends to dev.
// The line is raw (no echo, no CR/LF translation, no flow control, no
// signal characters), so STX, ETX and every other byte pass untouched.
func NewSerial(t testing.TB) (path string, dev *Serial) {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatalf("idcardtest: open a pseudo-terminal: %v", err)
	}
	if err := withFD(slave, setRaw); err != nil {
		master.Close()
		slave.Close()
		t.Fatalf("idcardtest: make %s raw: %v", slave.Name(), err)
	}
	dev = &Serial{master: master, slave: slave}
	// The test keeps the slave open, so that the line and its settings
	// outlive the code under test's open and close.
	t.Cleanup(func() {
		dev.Hangup()
		slave.Close()
	})
	return slave.Name(), dev
}

// Write sends p to the code under test, as the reader's bytes.
func (s *Serial) Write(p []byte) (int, error) { return s.master.Write(p) }

// Hangup closes the reader's end of the line, as when a USB reader is
// unplugged: reads at the other end fail.
func (s *Serial) Hangup() error {
	err := os.ErrClosed
	s.once.Do(func() { err = s.master.Close() })
	return err
}

// Baud returns the line speed the code under test set.
func (s *Serial) Baud() (int, error) {
	var baud int
	err := withFD(s.slave, func(fd int) error {
		tio, err := unix.IoctlGetTermios(fd, unix.TCGETS2)
		if err != nil {
			return err
		}
		if tio.Cflag&unix.CBAUD == unix.BOTHER {
			baud = int(tio.Ospeed)
			return nil
		}
		var ok bool
		if baud, ok = baudCodes[tio.Cflag&unix.CBAUD]; !ok {
			return fmt.Errorf("unknown speed code %#o", tio.Cflag&unix.CBAUD)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("idcardtest: read the line speed of %s: %w", s.slave.Name(), err)
	}
	return baud, nil
}

var baudCodes = map[uint32]int{
	unix.B1200: 1200, unix.B2400: 2400, unix.B4800: 4800, unix.B9600: 9600,
	unix.B19200: 19200, unix.B38400: 38400, unix.B57600: 57600,
	unix.B115200: 115200, unix.B230400: 230400,
}

// withFD runs fn on f's descriptor.
func withFD(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var fnErr error
	if err := rc.Control(func(fd uintptr) { fnErr = fn(int(fd)) }); err != nil {
		return err
	}
	return fnErr
}

// setRaw puts the terminal in raw mode, as cfmakeraw(3) does.
func setRaw(fd int) error {
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP |
		unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	tio.Cflag = tio.Cflag&^(unix.CSIZE|unix.PARENB) | unix.CS8
	tio.Cc[unix.VMIN], tio.Cc[unix.VTIME] = 1, 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, tio)
}
