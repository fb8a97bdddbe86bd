// Package ptytest makes the raw pseudo-terminals that stand in for serial
// devices in tests (printertest, idcardtest), and reads back the line
// speed the code under test set.
package ptytest

import (
	"fmt"
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Open returns a new pseudo-terminal pair with the line raw, as
// cfmakeraw(3) leaves it: no echo, no CR/LF translation, no flow control,
// no signal characters, 8 bits. The code under test opens slave.Name();
// the test talks through master. The caller closes both.
func Open() (master, slave *os.File, err error) {
	master, slave, err = pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open a pseudo-terminal: %w", err)
	}
	if err := control(slave, makeRaw); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, fmt.Errorf("make %s raw: %w", slave.Name(), err)
	}
	return master, slave, nil
}

// Speed returns the output speed of the line of f, in baud.
func Speed(f *os.File) (int, error) {
	var baud int
	err := control(f, func(fd int) error {
		tio, err := unix.IoctlGetTermios(fd, unix.TCGETS2)
		if err != nil {
			return err
		}
		if tio.Cflag&unix.CBAUD == unix.BOTHER {
			baud = int(tio.Ospeed)
			return nil
		}
		var ok bool
		if baud, ok = speeds[tio.Cflag&unix.CBAUD]; !ok {
			return fmt.Errorf("unknown speed code %#o", tio.Cflag&unix.CBAUD)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("read the line speed of %s: %w", f.Name(), err)
	}
	return baud, nil
}

var speeds = map[uint32]int{
	unix.B1200: 1200, unix.B2400: 2400, unix.B4800: 4800, unix.B9600: 9600,
	unix.B19200: 19200, unix.B38400: 38400, unix.B57600: 57600,
	unix.B115200: 115200, unix.B230400: 230400, unix.B460800: 460800,
	unix.B921600: 921600,
}

// control runs fn on f's descriptor.
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
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP |
		unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	tio.Cflag = tio.Cflag&^(unix.CSIZE|unix.PARENB) | unix.CS8
	tio.Cc[unix.VMIN], tio.Cc[unix.VTIME] = 1, 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, tio)
}
