package printertest

import (
	"fmt"
	"os"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// NewPTY makes a pseudo-terminal that stands in for a serial printer
// until the test ends: the code under test opens path (with
// printer.OpenSerial, or printer.OpenUSB as any character device) and p
// serves the other end. The line is raw (no echo, no CR/LF translation,
// no flow control), so every byte passes untouched whoever opens it.
func NewPTY(t testing.TB) (path string, p *Printer) {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatalf("printertest: open a pseudo-terminal: %v", err)
	}
	if err := control(slave, makeRaw); err != nil {
		master.Close()
		slave.Close()
		t.Fatalf("printertest: make %s raw: %v", slave.Name(), err)
	}
	p = Serve(t, master)
	// The test keeps the slave open, so that the line and its settings
	// outlive the opens and closes of the code under test.
	t.Cleanup(func() { slave.Close() })
	p.baud = func() (int, error) {
		var baud int
		err := control(slave, func(fd int) error {
			var err error
			baud, err = lineSpeed(fd)
			return err
		})
		return baud, err
	}
	return slave.Name(), p
}

func control(f *os.File, fn func(fd int) error) error {
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

// makeRaw is cfmakeraw(3).
func makeRaw(fd int) error {
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	tio.Cflag &^= unix.CSIZE | unix.PARENB
	tio.Cflag |= unix.CS8
	tio.Cc[unix.VMIN] = 1
	tio.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, tio)
}

var speeds = map[uint32]int{
	unix.B1200: 1200, unix.B2400: 2400, unix.B4800: 4800, unix.B9600: 9600,
	unix.B19200: 19200, unix.B38400: 38400, unix.B57600: 57600,
	unix.B115200: 115200, unix.B230400: 230400, unix.B460800: 460800,
	unix.B921600: 921600,
}

// lineSpeed reads the output speed of the line.
func lineSpeed(fd int) (int, error) {
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS2)
	if err != nil {
		return 0, err
	}
	if tio.Cflag&unix.CBAUD == unix.BOTHER {
		return int(tio.Ospeed), nil
	}
	if s, ok := speeds[tio.Cflag&unix.CBAUD]; ok {
		return s, nil
	}
	return 0, fmt.Errorf("printertest: unknown speed code %#o", tio.Cflag&unix.CBAUD)
}
