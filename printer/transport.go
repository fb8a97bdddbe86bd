package printer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Transport carries ESC/POS bytes to a printer. Every transport of this
// package gives its writes a timeout: a write that makes no progress for
// the transport's WriteTimeout fails with an error wrapping ErrTimeout.
type Transport interface {
	io.Writer
	io.Closer
}

// Querier is a transport that can also read the printer's answers.
//
// Query sends req and reads exactly n answer bytes within timeout. Answer
// bytes that were waiting from before the request (a late answer to an
// earlier query, an unsolicited status) are discarded first. A printer
// that does not answer gives an error wrapping ErrNoAnswer; a request that
// cannot even be sent gives one wrapping ErrTimeout.
//
// Serial, USB and TCP are Queriers; File is not.
type Querier interface {
	Query(req []byte, n int, timeout time.Duration) ([]byte, error)
}

// Errors that callers test for with errors.Is.
var (
	// ErrTimeout: the printer took no bytes for the transport's write
	// timeout (its buffer is full and it is not reading: stalled, paper
	// out on some models, a cable gone), or a query could not be sent.
	ErrTimeout = errors.New("timed out")
	// ErrNoAnswer: the printer did not answer a query in time. Some
	// clones never answer DLE EOT.
	ErrNoAnswer = errors.New("no answer")
)

// DefaultWriteTimeout is the write timeout of transports whose options
// leave it zero. A write fails only when the printer takes no bytes at all
// for this long, so slow lines are not a concern: a 10 KiB logo at 9600
// baud takes 11 s on the wire and still succeeds.
const DefaultWriteTimeout = 5 * time.Second

// Compile-time checks of what each transport offers.
var (
	_ Transport = (*Serial)(nil)
	_ Transport = (*USB)(nil)
	_ Transport = (*TCP)(nil)
	_ Transport = (*File)(nil)
	_ Querier   = (*Serial)(nil)
	_ Querier   = (*USB)(nil)
	_ Querier   = (*TCP)(nil)
)

// ---- USB printer class device ----

// USBOptions are the settings of OpenUSB.
type USBOptions struct {
	// WriteTimeout is how long a write may wait for the printer to take
	// more bytes; default DefaultWriteTimeout.
	WriteTimeout time.Duration
}

// USB is a USB printer class device, /dev/usb/lp0 on Linux. It is safe
// for one goroutine to print while another queries the status: each
// Write or Query waits for the one in progress.
type USB struct {
	path    string
	f       *os.File
	timeout time.Duration
	line    opGate
	// async is set when the runtime cannot poll the device, so it gives
	// its reads and writes no deadlines (see OpenUSB).
	async   *asyncReader
	closing chan struct{}
	once    sync.Once
}

// OpenUSB opens a USB printer class device read-write, so that the
// printer can answer status queries on the same device.
//
// Where the runtime can poll the device (the Linux usblp driver supports
// poll, and so do pseudo-terminals), writes and reads get deadlines.
// Where it cannot, each write runs in a goroutine that the caller stops
// waiting for at the timeout, and one goroutine reads answers for Query;
// such a goroutine may linger, blocked in the kernel, until the device
// takes or gives a byte or goes away. Writes never overlap: the next one
// waits for the lingering one.
func OpenUSB(path string, opts USBOptions) (*USB, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open USB printer %s: %w%s", path, unwrapPath(err), permissionHint(err, "lp"))
	}
	polled := f.SetWriteDeadline(time.Time{}) == nil && f.SetReadDeadline(time.Time{}) == nil
	return newUSB(path, f, opts, polled), nil
}

func newUSB(path string, f *os.File, opts USBOptions, polled bool) *USB {
	u := &USB{
		path:    path,
		f:       f,
		timeout: orDefault(opts.WriteTimeout, DefaultWriteTimeout),
		line:    newOpGate(),
		closing: make(chan struct{}),
	}
	if !polled {
		u.async = &asyncReader{r: f, closing: u.closing}
	}
	return u
}

// String names the device for logs: "usb /dev/usb/lp0".
func (u *USB) String() string { return "usb " + u.path }

// Write sends p to the printer.
func (u *USB) Write(p []byte) (int, error) {
	if !u.line.enter(u.timeout) {
		return 0, busyError("write to printer", u, u.timeout)
	}
	if u.async == nil {
		defer u.line.leave()
		n, err := writeWithDeadlines(u.f, p, u.timeout)
		if err != nil {
			return n, writeError(u, n, len(p), u.timeout, err)
		}
		return n, nil
	}
	n, err := goWrite(u.line, u.f, p, u.timeout)
	if !errors.Is(err, errStalled) {
		u.line.leave()
	}
	if err != nil {
		return n, writeError(u, n, len(p), u.timeout, err)
	}
	return n, nil
}

// Query sends req and reads n answer bytes within timeout (see Querier).
func (u *USB) Query(req []byte, n int, timeout time.Duration) ([]byte, error) {
	if !u.line.enter(u.timeout + timeout) {
		return nil, busyError("query printer", u, u.timeout+timeout)
	}
	if u.async == nil {
		defer u.line.leave()
		b, err := queryWithDeadline(u.f, req, n, timeout)
		if err != nil {
			return b, queryError(u, err, timeout)
		}
		return b, nil
	}
	u.async.start()
	u.async.discard()
	deadline := time.Now().Add(timeout)
	if _, err := goWrite(u.line, u.f, req, timeout); err != nil {
		if !errors.Is(err, errStalled) {
			u.line.leave()
		}
		return nil, queryError(u, err, timeout)
	}
	defer u.line.leave()
	b, err := u.async.read(n, time.Until(deadline))
	if err != nil {
		return b, queryError(u, err, timeout)
	}
	return b, nil
}

// Close closes the device. It does not wait for a write or read that
// lingers in the kernel (see OpenUSB).
func (u *USB) Close() error {
	err := os.ErrClosed
	u.once.Do(func() {
		close(u.closing)
		err = u.f.Close()
	})
	if err != nil {
		return fmt.Errorf("close printer %s: %w", u, err)
	}
	return nil
}

// ---- TCP port 9100 ----

// TCPOptions are the settings of DialTCP.
type TCPOptions struct {
	// DialTimeout is how long connecting may take; default 3 s.
	DialTimeout time.Duration
	// WriteTimeout is how long a write may wait for the printer to take
	// more bytes; default DefaultWriteTimeout.
	WriteTimeout time.Duration
}

// TCP is a network printer's raw port (JetDirect, port 9100). It is safe
// for one goroutine to print while another queries the status. It does
// not reconnect: after an error, close it and dial again.
type TCP struct {
	addr    string
	conn    net.Conn
	timeout time.Duration
	line    opGate
}

// DialTCP connects to a network printer at addr, "host" or "host:port";
// the port is 9100 when addr names none.
func DialTCP(addr string, opts TCPOptions) (*TCP, error) {
	addr = withDefaultPort(addr, "9100")
	d := net.Dialer{Timeout: orDefault(opts.DialTimeout, 3*time.Second)}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to printer at %s: %w", addr, err)
	}
	return &TCP{addr: addr, conn: conn, timeout: orDefault(opts.WriteTimeout, DefaultWriteTimeout), line: newOpGate()}, nil
}

// withDefaultPort adds port to addr when it has none: "10.0.0.5" and
// "[fe80::1]" and "fe80::1" get it, "10.0.0.5:9101" keeps its own.
func withDefaultPort(addr, port string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	host := addr
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return net.JoinHostPort(host, port)
}

// String names the printer for logs: "tcp 10.0.0.5:9100".
func (t *TCP) String() string { return "tcp " + t.addr }

// Write sends p to the printer.
func (t *TCP) Write(p []byte) (int, error) {
	if !t.line.enter(t.timeout) {
		return 0, busyError("write to printer", t, t.timeout)
	}
	defer t.line.leave()
	n, err := writeWithDeadlines(t.conn, p, t.timeout)
	if err != nil {
		return n, writeError(t, n, len(p), t.timeout, err)
	}
	return n, nil
}

// Query sends req and reads n answer bytes within timeout, on the same
// connection (see Querier).
func (t *TCP) Query(req []byte, n int, timeout time.Duration) ([]byte, error) {
	if !t.line.enter(t.timeout + timeout) {
		return nil, busyError("query printer", t, t.timeout+timeout)
	}
	defer t.line.leave()
	b, err := queryWithDeadline(t.conn, req, n, timeout)
	if err != nil {
		return b, queryError(t, err, timeout)
	}
	return b, nil
}

// Close closes the connection.
func (t *TCP) Close() error {
	if err := t.conn.Close(); err != nil {
		return fmt.Errorf("close printer %s: %w", t, err)
	}
	return nil
}

// ---- File ----

// File appends the bytes to a file, for tests and for the virtual
// printer, which renders such a file. It is one-way: it answers no
// queries.
type File struct {
	path   string
	f      *os.File
	polled bool
}

// OpenFile opens path for appending, creating it if need be. A FIFO gets
// the default write timeout; a regular file needs none.
func OpenFile(path string) (*File, error) {
	// O_NONBLOCK makes opening a FIFO that nobody reads fail at once
	// instead of hanging; a regular file ignores it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NONBLOCK, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open printer file %s: %w", path, unwrapPath(err))
	}
	return &File{path: path, f: f, polled: f.SetWriteDeadline(time.Time{}) == nil}, nil
}

// String names the file for logs: "file /tmp/ticket.bin".
func (f *File) String() string { return "file " + f.path }

// Write appends p to the file.
func (f *File) Write(p []byte) (int, error) {
	var (
		n   int
		err error
	)
	if f.polled {
		n, err = writeWithDeadlines(f.f, p, DefaultWriteTimeout)
	} else {
		n, err = f.f.Write(p)
	}
	if err != nil {
		return n, writeError(f, n, len(p), DefaultWriteTimeout, err)
	}
	return n, nil
}

// Close closes the file.
func (f *File) Close() error {
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("close printer %s: %w", f, err)
	}
	return nil
}

// ---- shared machinery ----

// opGate lets one operation at a time use a device, so that a status
// query never lands in the middle of a ticket's bytes. It is a channel so
// that waiting for it can time out.
type opGate chan struct{}

func newOpGate() opGate { return make(opGate, 1) }

// enter waits up to timeout for the device; it reports whether it got it.
func (g opGate) enter(timeout time.Duration) bool {
	select {
	case g <- struct{}{}:
		return true
	default:
	}
	if timeout <= 0 {
		return false
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case g <- struct{}{}:
		return true
	case <-t.C:
		return false
	}
}

func (g opGate) leave() { <-g }

// deadlineWriter is a device whose writes take deadlines: a net.Conn, or
// an *os.File that the runtime polls.
type deadlineWriter interface {
	io.Writer
	SetWriteDeadline(time.Time) error
}

// deadlineDevice also gives its reads deadlines.
type deadlineDevice interface {
	deadlineWriter
	io.Reader
	SetReadDeadline(time.Time) error
}

// writeChunk is how much of a write must get through within the write
// timeout before the deadline moves on: the timeout measures a stall, not
// the whole write.
const writeChunk = 4096

// writeWithDeadlines writes p in chunks, each with the deadline timeout
// from its start.
func writeWithDeadlines(w deadlineWriter, p []byte, timeout time.Duration) (int, error) {
	n := 0
	for n < len(p) {
		if err := w.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
			return n, err
		}
		k, err := w.Write(p[n:min(n+writeChunk, len(p))])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// queryWithDeadline discards answer bytes left from before, sends req and
// reads n bytes, all within timeout.
func queryWithDeadline(d deadlineDevice, req []byte, n int, timeout time.Duration) ([]byte, error) {
	deadline := time.Now().Add(timeout)
	if err := discardPending(d); err != nil {
		return nil, err
	}
	if err := d.SetWriteDeadline(deadline); err != nil {
		return nil, err
	}
	if _, err := d.Write(req); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, errStalled
		}
		return nil, err
	}
	if err := d.SetReadDeadline(deadline); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	k, err := io.ReadFull(d, b)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return b[:k], &noAnswerError{got: k, want: n}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return b[:k], fmt.Errorf("the printer closed the connection after %d of %d answer bytes: %w", k, n, io.EOF)
		}
		return b[:k], err
	}
	return b, nil
}

// discardPending reads and drops what the device has already sent. A
// deadline in the past would not even try to read, so it gives the
// device a millisecond.
func discardPending(d deadlineDevice) error {
	if err := d.SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
		return err
	}
	var b [256]byte
	for {
		// The deadline ends the loop; any other error (a closed
		// connection) shows itself again on the query that follows.
		if _, err := d.Read(b[:]); err != nil {
			return nil
		}
	}
}

// errStalled is what the helpers return when the device took no bytes
// for the write timeout; writeError and queryError turn it into errors
// that name the device and wrap ErrTimeout.
var errStalled = errors.New("stalled")

// noAnswerError is a query that got fewer answer bytes than it wanted.
type noAnswerError struct{ got, want int }

func (e *noAnswerError) Error() string {
	return fmt.Sprintf("%v: got %d of %d bytes", ErrNoAnswer, e.got, e.want)
}

func (e *noAnswerError) Unwrap() error { return ErrNoAnswer }

func writeError(dev fmt.Stringer, n, total int, timeout time.Duration, err error) error {
	if errors.Is(err, errStalled) || errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("write to printer %s: %w: it took no bytes for %v (%d of %d bytes sent)", dev, ErrTimeout, timeout, n, total)
	}
	return fmt.Errorf("write to printer %s (%d of %d bytes sent): %w", dev, n, total, err)
}

func queryError(dev fmt.Stringer, err error, timeout time.Duration) error {
	switch {
	case errors.Is(err, ErrNoAnswer):
		return fmt.Errorf("query printer %s: %w within %v", dev, err, timeout)
	case errors.Is(err, errStalled) || errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("query printer %s: %w sending the request: it took no bytes for %v", dev, ErrTimeout, timeout)
	}
	return fmt.Errorf("query printer %s: %w", dev, err)
}

func busyError(what string, dev fmt.Stringer, waited time.Duration) error {
	return fmt.Errorf("%s %s: %w after %v waiting for the write or query in progress", what, dev, ErrTimeout, waited)
}

// goWrite writes p to w from a goroutine, for devices whose writes take no
// deadline, and returns when the write is done or when no chunk has got
// through for stall. The caller holds g. When goWrite returns without
// error, the caller still holds g. When it returns errStalled, it has
// handed g to the goroutine, which finishes the chunk the kernel holds
// (it may linger until the kernel returns), writes nothing more and then
// leaves g; so at most one chunk beyond the count returned may still reach
// the device.
func goWrite(g opGate, w io.Writer, p []byte, stall time.Duration) (int, error) {
	const chunk = 256 // bounds what may still go out after a timeout
	const (
		running int32 = iota
		finished
		abandoned
	)
	var (
		sent     atomic.Int64
		state    atomic.Int32
		progress = make(chan struct{}, 1)
		done     = make(chan error, 1)
	)
	go func() {
		var err error
		for off := 0; off < len(p) && state.Load() == running; {
			k, werr := w.Write(p[off:min(off+chunk, len(p))])
			if k == 0 && werr == nil {
				werr = io.ErrShortWrite
			}
			off += k
			sent.Add(int64(k))
			if werr != nil {
				err = werr
				break
			}
			select {
			case progress <- struct{}{}:
			default:
			}
		}
		if !state.CompareAndSwap(running, finished) {
			g.leave() // abandoned: the caller handed the device over
			return
		}
		done <- err
	}()
	t := time.NewTimer(stall)
	defer t.Stop()
	for {
		select {
		case err := <-done:
			return int(sent.Load()), err
		case <-progress:
			t.Reset(stall)
		case <-t.C:
			if state.CompareAndSwap(running, abandoned) {
				return int(sent.Load()), errStalled
			}
			return int(sent.Load()), <-done
		}
	}
}

// asyncReader reads a device that takes no read deadline from one
// goroutine, started by the first query, so that a read abandoned at a
// timeout can never swallow the next query's answer.
type asyncReader struct {
	r       io.Reader
	closing <-chan struct{}
	once    sync.Once
	chunks  chan []byte
	err     error // set before chunks is closed
	rest    []byte
}

func (a *asyncReader) start() {
	a.once.Do(func() {
		a.chunks = make(chan []byte, 16)
		go func() {
			defer close(a.chunks)
			for {
				b := make([]byte, 64)
				n, err := a.r.Read(b)
				if n > 0 {
					select {
					case a.chunks <- b[:n]:
					case <-a.closing:
						return
					}
				}
				if err != nil {
					a.err = err
					return
				}
			}
		}()
	})
}

// discard drops what has been read and not asked for.
func (a *asyncReader) discard() {
	a.rest = nil
	for {
		select {
		case _, ok := <-a.chunks:
			if !ok {
				return
			}
		default:
			return
		}
	}
}

// read collects n bytes within timeout.
func (a *asyncReader) read(n int, timeout time.Duration) ([]byte, error) {
	b := make([]byte, 0, n)
	t := time.NewTimer(timeout)
	defer t.Stop()
	for len(b) < n {
		if len(a.rest) == 0 {
			select {
			case c, ok := <-a.chunks:
				if !ok {
					if a.err == nil || errors.Is(a.err, io.EOF) {
						return b, fmt.Errorf("the device closed after %d of %d answer bytes: %w", len(b), n, io.EOF)
					}
					return b, a.err
				}
				a.rest = c
			case <-t.C:
				return b, &noAnswerError{got: len(b), want: n}
			}
		}
		k := min(n-len(b), len(a.rest))
		b = append(b, a.rest[:k]...)
		a.rest = a.rest[k:]
	}
	return b, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// unwrapPath drops the *fs.PathError around an open error, whose path the
// message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// permissionHint tells the technician which group opens the device.
func permissionHint(err error, group string) string {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Sprintf(" (is tornd's user in group %q?)", group)
	}
	return ""
}
