// Package uplinktest has a fake torn-central for tests of the device's
// sync: an httptest server that takes devices' websockets at
// syncproto.Path and speaks the protocol of docs/protocol.md as central
// does (hello, welcome, events stored by sequence, the contiguous ack,
// gone), records what it receives, and can be told to misbehave: withhold
// acks, forget what it stored, lose a batch, drop or close a connection,
// refuse devices, stop reading, and send books, commands, configs or any
// bytes at all.
//
// It keeps one device's events (it does not tell devices apart) and checks
// what real central relies on: that each connection's events start right
// after the welcome's acked (or a gone) and never go backwards. What breaks
// that is recorded as a violation.
package uplinktest

import (
	"cmp"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/syncproto"
)

// WaitTimeout is how long Wait waits before it fails the test.
const WaitTimeout = 5 * time.Second

// ioTimeout bounds the fake's own reads of a hello and its writes.
const ioTimeout = 5 * time.Second

// A Central is a fake torn-central. Create it with New or NewTLS; its
// methods are safe for concurrent use.
type Central struct {
	srv *httptest.Server
	wg  sync.WaitGroup // the handlers

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change, for Wait
	closed  bool
	conns   map[*deviceConn]bool // every open connection
	cur     *deviceConn          // the welcomed one

	// What the device gets.
	token        string
	rejectCode   int
	rejectReason string
	offset       time.Duration
	hold         bool
	lose         int
	swallow      int

	// What central has: stored events by seq, the gone mark, the cursor.
	stored map[uint64]dispenser.Event
	gone   uint64
	acked  uint64

	// What it was sent.
	hellos     []syncproto.Hello
	received   []dispenser.Event
	batches    []int
	gones      []uint64
	applied    []syncproto.Applied
	closes     []CloseFrame
	violations []string
	welcomed   int
}

// A CloseFrame is a close frame central received from a device.
type CloseFrame struct {
	Code   int
	Reason string
}

// New starts a fake central over plain HTTP (ws://); it stops when the
// test ends.
func New(t testing.TB) *Central {
	c := newCentral()
	c.srv = httptest.NewServer(c)
	t.Cleanup(c.Close)
	return c
}

// NewTLS starts a fake central over HTTPS (wss://), with httptest's
// certificate: see Certificate.
func NewTLS(t testing.TB) *Central {
	c := newCentral()
	c.srv = httptest.NewUnstartedServer(c)
	// Devices that do not trust the certificate are what tests try.
	c.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	c.srv.StartTLS()
	t.Cleanup(c.Close)
	return c
}

func newCentral() *Central {
	return &Central{changed: make(chan struct{}), conns: map[*deviceConn]bool{}, stored: map[uint64]dispenser.Event{}}
}

// URL is the sync endpoint: ws://127.0.0.1:port/sync, or wss://.
func (c *Central) URL() string {
	return "ws" + strings.TrimPrefix(c.srv.URL, "http") + syncproto.Path
}

// Certificate is the server's certificate, for a device's RootCAs.
func (c *Central) Certificate() *x509.Certificate { return c.srv.Certificate() }

// Close ends every connection abruptly, stops the server and waits for
// its handlers.
func (c *Central) Close() {
	c.mu.Lock()
	c.closed = true
	for d := range c.conns {
		d.drop()
	}
	c.mu.Unlock()
	c.srv.Close()
	c.wg.Wait()
}

// notify wakes the waiters; c.mu is held.
func (c *Central) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Wait waits until cond returns true, calling it after every change of
// the central; it fails the test after WaitTimeout. cond may call the
// central's methods.
func (c *Central) Wait(t testing.TB, what string, cond func() bool) {
	t.Helper()
	timeout := time.NewTimer(WaitTimeout)
	defer timeout.Stop()
	for {
		c.mu.Lock()
		ch := c.changed
		c.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-timeout.C:
			t.Fatalf("fake central: gave up waiting for %s after %v", what, WaitTimeout)
		}
	}
}

// Controls.

// RequireToken makes central close a hello without this token with 4001;
// "" accepts any.
func (c *Central) RequireToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = token
}

// Reject makes central answer every hello with a close frame of code and
// reason instead of a welcome; code 0 welcomes devices again.
func (c *Central) Reject(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rejectCode, c.rejectReason = code, reason
}

// SetClockOffset makes the welcome's time the real time plus d.
func (c *Central) SetClockOffset(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = d
}

// HoldAcks stops (true) or resumes (false) the acks; on resuming, the
// current one is sent at once.
func (c *Central) HoldAcks(hold bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hold = hold
	if !hold && c.cur != nil {
		c.cur.send(&syncproto.Ack{Type: syncproto.TypeAck, Seq: c.acked})
	}
}

// SetAcked makes central's store hold exactly the events up to n, as if it
// lost those after n, or, when n is beyond what it has, as if it had
// events up to n from before (a device whose log was reset). The next
// welcome says n.
func (c *Central) SetAcked(n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for seq := range c.stored {
		if seq > n {
			delete(c.stored, seq)
		}
	}
	c.gone = min(c.gone, n)
	c.acked = n
	c.notify()
}

// LoseBatch makes the n-th events message from now (1: the next) lost: it
// is recorded as received but not stored, and its connection is dropped.
func (c *Central) LoseBatch(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lose = n
}

// SwallowBatch makes the n-th events message from now (1: the next)
// vanish as a message lost on the way would: recorded as received, not
// stored, and the connection goes on; the acks stop short of it.
func (c *Central) SwallowBatch(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.swallow = n
}

// Drop ends the current connection abruptly, without a close frame, as a
// network failure does.
func (c *Central) Drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != nil {
		c.cur.drop()
	}
}

// Kick closes the current connection with a close frame of code and
// reason.
func (c *Central) Kick(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != nil {
		c.cur.closeWith(code, reason)
	}
}

// Stall makes central stop answering the current connection: no pongs,
// and nothing it sends is read or acked, until the connection ends.
func (c *Central) Stall() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != nil {
		c.cur.stalled.Store(true)
	}
}

// ErrNotConnected is Send's error when no device is connected.
var ErrNotConnected = errors.New("fake central: no device connected")

// Send sends v, as JSON, to the connected device: a *syncproto.Book,
// *syncproto.Command, *syncproto.Config, or anything else.
func (c *Central) Send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.SendRaw(b)
}

// SendRaw sends b as one text message to the connected device.
func (c *Central) SendRaw(b []byte) error {
	c.mu.Lock()
	d := c.cur
	c.mu.Unlock()
	if d == nil {
		return ErrNotConnected
	}
	return d.writeRaw(b)
}

// Observations.

// Connected reports whether a device is connected and welcomed.
func (c *Central) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur != nil
}

// Welcomed counts the connections welcomed so far.
func (c *Central) Welcomed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.welcomed
}

// Acked is central's cursor: every event up to it is stored or gone.
func (c *Central) Acked() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.acked
}

// Hellos returns every hello received, tokens included.
func (c *Central) Hellos() []syncproto.Hello {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.hellos)
}

// Received returns every event received, in arrival order, repeats
// included.
func (c *Central) Received() []dispenser.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.received)
}

// Stored returns the events central holds, one per seq, in seq order.
func (c *Central) Stored() []dispenser.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	evs := make([]dispenser.Event, 0, len(c.stored))
	for _, e := range c.stored {
		evs = append(evs, e)
	}
	slices.SortFunc(evs, func(a, b dispenser.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	return evs
}

// Batches returns the size of every events message received.
func (c *Central) Batches() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.batches)
}

// Gones returns the through of every gone received.
func (c *Central) Gones() []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.gones)
}

// Applied returns every applied answer received.
func (c *Central) Applied() []syncproto.Applied {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.applied)
}

// DeviceCloses returns the close frames devices sent, answers to
// central's own included.
func (c *Central) DeviceCloses() []CloseFrame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.closes)
}

// Violations returns what devices sent against the protocol's order: an
// events message not starting right after what came before on its
// connection.
func (c *Central) Violations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.violations)
}

// The connection.

var upgrader = websocket.Upgrader{}

// ServeHTTP takes a device's websocket.
func (c *Central) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != syncproto.Path {
		http.NotFound(w, r)
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	c.wg.Add(1)
	c.mu.Unlock()
	defer c.wg.Done()

	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	d := &deviceConn{ws: ws, quit: make(chan struct{})}
	c.mu.Lock()
	c.conns[d] = true
	c.mu.Unlock()
	defer func() {
		d.drop()
		c.mu.Lock()
		delete(c.conns, d)
		if c.cur == d {
			c.cur = nil
		}
		c.notify()
		c.mu.Unlock()
	}()
	ws.SetReadLimit(syncproto.MaxMessage)
	ping := ws.PingHandler()
	ws.SetPingHandler(func(data string) error {
		if d.stalled.Load() {
			return nil
		}
		return ping(data)
	})
	welcomed, err := c.open(d)
	if welcomed {
		err = c.serve(d)
	}
	if err == nil { // central ended it: read the device's close frame
		c.readClose(d)
	}
}

// open reads the hello and answers it, and reports whether the device was
// welcomed; err is a failed read.
func (c *Central) open(d *deviceConn) (welcomed bool, err error) {
	d.ws.SetReadDeadline(time.Now().Add(ioTimeout))
	_, b, err := d.ws.ReadMessage()
	if err != nil {
		c.recordClose(err)
		return false, err
	}
	d.ws.SetReadDeadline(time.Time{})
	m, err := syncproto.Decode(b)
	h, ok := m.(*syncproto.Hello)
	if err != nil || !ok {
		d.closeWith(syncproto.CloseMalformed, "want a hello")
		return false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.notify()
	c.hellos = append(c.hellos, *h)
	code, reason := c.rejectCode, c.rejectReason
	switch {
	case code != 0:
	case c.token != "" && h.Token != c.token:
		code, reason = syncproto.CloseBadToken, "unknown device or wrong token"
	case h.Proto != syncproto.Version:
		code, reason = syncproto.CloseBadVersion, fmt.Sprintf("protocol version %d: this central speaks %d", h.Proto, syncproto.Version)
	}
	if code != 0 {
		d.closeWith(code, reason)
		return false, nil
	}
	if c.cur != nil {
		c.cur.closeWith(syncproto.CloseReplaced, "replaced")
	}
	// The welcome goes out under the lock, so that nothing (an ack, a
	// message sent by the test) can go before it.
	if err := d.send(&syncproto.Welcome{Type: syncproto.TypeWelcome, Proto: syncproto.Version, Acked: c.acked, Time: time.Now().Add(c.offset).UTC()}); err != nil {
		return false, nil
	}
	d.next = c.acked + 1
	c.cur = d
	c.welcomed++
	return true, nil
}

// serve reads the device's messages until the connection ends: it returns
// the read's error, or nil when central ended it.
func (c *Central) serve(d *deviceConn) error {
	for {
		_, b, err := d.ws.ReadMessage()
		if err != nil {
			c.recordClose(err)
			return err
		}
		if d.stalled.Load() {
			<-d.quit
			return nil
		}
		m, err := syncproto.Decode(b)
		if err != nil {
			d.closeWith(syncproto.CloseMalformed, syncproto.Reason(err.Error()))
			return nil
		}
		switch m := m.(type) {
		case *syncproto.Events:
			if !c.events(d, m) {
				return nil
			}
		case *syncproto.Gone:
			c.goneThrough(d, m.Through)
		case *syncproto.Applied:
			c.mu.Lock()
			c.applied = append(c.applied, *m)
			c.notify()
			c.mu.Unlock()
		default:
			d.closeWith(syncproto.CloseMalformed, fmt.Sprintf("unexpected %T", m))
			return nil
		}
	}
}

// readClose reads what the device still sends after central closed the
// connection, for its close frame, for a moment.
func (c *Central) readClose(d *deviceConn) {
	d.ws.SetReadDeadline(time.Now().Add(time.Second))
	for {
		if _, _, err := d.ws.ReadMessage(); err != nil {
			c.recordClose(err)
			return
		}
	}
}

func (c *Central) recordClose(err error) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		c.mu.Lock()
		c.closes = append(c.closes, CloseFrame{ce.Code, ce.Text})
		c.notify()
		c.mu.Unlock()
	}
}

// events stores a batch and acks; it reports false when the connection is
// to end.
func (c *Central) events(d *deviceConn, m *syncproto.Events) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.notify()
	c.received = append(c.received, m.Events...)
	c.batches = append(c.batches, len(m.Events))
	first, last := m.Events[0].Seq, m.Events[len(m.Events)-1].Seq
	if first != d.next {
		c.violations = append(c.violations, fmt.Sprintf("events %d to %d after %d on the connection", first, last, d.next-1))
	}
	if first < d.next {
		d.closeWith(syncproto.CloseOutOfOrder, "events going backwards")
		return false
	}
	d.next = last + 1
	if c.swallow > 0 {
		c.swallow--
		if c.swallow == 0 {
			return true // lost on the way: the connection goes on
		}
	}
	if c.lose > 0 {
		c.lose--
		if c.lose == 0 {
			d.drop()
			return false
		}
	}
	for _, e := range m.Events {
		if _, ok := c.stored[e.Seq]; !ok {
			c.stored[e.Seq] = e
		}
	}
	c.advance(d)
	return true
}

func (c *Central) goneThrough(d *deviceConn, through uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.notify()
	c.gones = append(c.gones, through)
	if through+1 < d.next {
		c.violations = append(c.violations, fmt.Sprintf("gone through %d after %d on the connection", through, d.next-1))
	}
	d.next = through + 1
	c.gone = max(c.gone, through)
	c.advance(d)
}

// advance moves the cursor over what is stored or gone and acks it to d
// unless acks are held; c.mu is held.
func (c *Central) advance(d *deviceConn) {
	c.acked = max(c.acked, c.gone)
	for {
		if _, ok := c.stored[c.acked+1]; !ok {
			break
		}
		c.acked++
	}
	if !c.hold {
		d.send(&syncproto.Ack{Type: syncproto.TypeAck, Seq: c.acked})
	}
}

// deviceConn is one device's websocket.
type deviceConn struct {
	ws      *websocket.Conn
	wmu     sync.Mutex
	next    uint64 // the seq the next batch must start at; under Central.mu
	stalled atomic.Bool
	quit    chan struct{} // closed when central ends the connection
	once    sync.Once
}

func (d *deviceConn) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return d.writeRaw(b)
}

func (d *deviceConn) writeRaw(b []byte) error {
	d.wmu.Lock()
	defer d.wmu.Unlock()
	d.ws.SetWriteDeadline(time.Now().Add(ioTimeout))
	return d.ws.WriteMessage(websocket.TextMessage, b)
}

func (d *deviceConn) end() { d.once.Do(func() { close(d.quit) }) }

// closeWith sends a close frame; the handler then reads the device's
// answer for a moment, and ends.
func (d *deviceConn) closeWith(code int, reason string) {
	d.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(ioTimeout))
	d.ws.SetReadDeadline(time.Now().Add(time.Second))
	d.end()
}

// drop closes the connection without a close frame.
func (d *deviceConn) drop() {
	d.ws.Close()
	d.end()
}
