package uplink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/syncproto"
)

const (
	// dialTimeout bounds the TCP, TLS and websocket handshakes.
	dialTimeout = 15 * time.Second
	// closeWait is how long a device shutting down waits for central to
	// answer its close frame.
	closeWait = 2 * time.Second
	// maxBatchBytes is how big an events message grows at most, well
	// under syncproto.MaxMessage; maxEventBytes is the most one event
	// alone may take in a message.
	maxBatchBytes = syncproto.MaxMessage / 2
	maxEventBytes = syncproto.MaxMessage - 1024
)

// timing is a connection's timeouts.
type timing struct {
	ping, read, write, dial, closing, ack time.Duration
}

// AckWait is how long the device waits for central to acknowledge events
// it sent before it takes the connection for broken and dials again: a
// message lost on the way (the protocol does not resend within a
// connection) is then sent again from central's cursor.
const AckWait = 15 * time.Second

func (c *Client) timeouts() timing {
	t := c.timing
	if t.ping == 0 {
		t.ping = syncproto.PingEvery
	}
	if t.read == 0 {
		t.read = syncproto.ReadTimeout
	}
	if t.write == 0 {
		t.write = syncproto.WriteTimeout
	}
	if t.dial == 0 {
		t.dial = dialTimeout
	}
	if t.closing == 0 {
		t.closing = closeWait
	}
	if t.ack == 0 {
		t.ack = c.AckWait
	}
	if t.ack <= 0 {
		t.ack = AckWait
	}
	return t
}

// conn is one connection to central, from the hello to the close.
type conn struct {
	c   *Client
	ws  *websocket.Conn
	t   timing
	log *slog.Logger

	// wmu makes one writer at a time: the sender's batches and the
	// reader's answers. Pings and closes go through WriteControl, which
	// needs no lock.
	wmu sync.Mutex

	// sent is the highest sequence sent, or declared gone, on this
	// connection; it is set before the write, so that an ack can never
	// outrun it. acked is the highest ack central sent on it. Both start
	// at the welcome's acked.
	sent, acked atomic.Uint64
	// ackc wakes the sender when acked moves.
	ackc chan struct{}
	// progress is when, in Unix nanoseconds, central last acknowledged
	// something, or the sender started waiting for it to.
	progress atomic.Int64
	// sub wakes the sender when the office commits; the sender's only.
	sub *office.Subscription

	// ended records cause, the first of the reader's and the sender's
	// errors (nil when ctx ended).
	ended sync.Once
	cause error
}

// connect runs one connection: dial, hello, welcome, then events both ways
// until it fails or ctx ends.
func (c *Client) connect(ctx context.Context, u *url.URL) outcome {
	hello, err := c.hello()
	if err != nil {
		return outcome{err: err}
	}
	t := c.timeouts()
	d := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		TLSClientConfig:  c.TLS,
		HandshakeTimeout: t.dial,
		NetDialContext:   c.netDial,
	}
	ws, resp, err := d.DialContext(ctx, c.URL, nil)
	if err != nil {
		if errors.Is(err, websocket.ErrBadHandshake) && resp != nil {
			err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
		}
		return outcome{err: fmt.Errorf("connect to %s: %w", u.Redacted(), err)}
	}
	defer ws.Close()
	s := &conn{c: c, ws: ws, t: t, log: c.log(), ackc: make(chan struct{}, 1)}
	w, offset, err := s.open(ctx, hello)
	if err != nil {
		return failed(err, 0)
	}
	start := c.now()
	c.connected(start, offset)
	s.log.Info("connected to central", "device", c.Device, "acked", w.Acked, "last_seq", c.Store.LastSeq(), "clock_offset", offset.Round(time.Millisecond))
	if offset > time.Minute || offset < -time.Minute {
		s.log.Warn("the device's clock is off central's", "clock_offset", offset.Round(time.Second))
	}
	err = s.stream(ctx, w)
	out := failed(err, c.now().Sub(start))
	out.welcomed = true
	return out
}

// failed is the outcome of a connection that ended with err, central's
// close frame if there was one.
func failed(err error, lasted time.Duration) outcome {
	out := outcome{err: err, lasted: lasted}
	var ce *websocket.CloseError
	if errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure { // 1006: gorilla's name for a connection that ended without a frame
		out.code, out.reason = ce.Code, ce.Text
	}
	return out
}

// hello is the device's first message, as the store and the office are
// now.
func (c *Client) hello() (*syncproto.Hello, error) {
	acked, err := c.Store.Acked()
	if err != nil {
		return nil, err
	}
	first, err := c.Store.Outbox(0, 1)
	if err != nil {
		return nil, err
	}
	h := &syncproto.Hello{Type: syncproto.TypeHello, Proto: syncproto.Version, Device: c.Device, Token: c.Token, Acked: acked}
	if len(first) > 0 {
		h.First = first[0].Seq
	}
	c.Office.View(func(d *dispenser.Dispenser, _ time.Time) {
		cfg := d.Config()
		h.Office = cfg.Office
		h.Config = syncproto.NewOfficeConfig(*cfg)
		for _, b := range d.Books() {
			if h.Books == nil {
				h.Books = map[dispenser.Date]string{}
			}
			h.Books[b.Day] = b.Version
		}
	})
	return h, nil
}

// open sends the hello and reads the welcome. It returns the welcome and
// the clock offset: central's time minus the device's half-way between
// the hello and the welcome. If ctx ends meanwhile it closes the
// connection, going away.
func (s *conn) open(ctx context.Context, h *syncproto.Hello) (*syncproto.Welcome, time.Duration, error) {
	opened := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-ctx.Done():
			s.goAway()
			s.ws.Close()
		case <-opened:
		}
	}()
	defer func() {
		close(opened)
		<-watched
	}()

	s.ws.SetReadLimit(syncproto.MaxMessage)
	s.ws.SetPongHandler(func(string) error {
		return s.ws.SetReadDeadline(time.Now().Add(s.t.read))
	})
	sent := s.c.now()
	if err := s.write(h); err != nil {
		return nil, 0, fmt.Errorf("send hello: %w", err)
	}
	// A welcome lost on the way would leave the device waiting for the
	// read timeout; it waits as long as for an ack.
	s.ws.SetReadDeadline(time.Now().Add(min(s.t.read, s.t.ack)))
	_, b, err := s.ws.ReadMessage()
	if err != nil {
		return nil, 0, fmt.Errorf("wait for welcome: %w", s.readError(err))
	}
	got := s.c.now()
	m, err := syncproto.Decode(b)
	if err != nil {
		return nil, 0, s.refuse(syncproto.CloseMalformed, fmt.Errorf("wait for welcome: %w", err))
	}
	w, ok := m.(*syncproto.Welcome)
	if !ok {
		return nil, 0, s.refuse(syncproto.CloseMalformed, fmt.Errorf("%w: %q before the welcome", syncproto.ErrMalformed, typeOf(b)))
	}
	if w.Proto != syncproto.Version {
		return nil, 0, s.refuse(syncproto.CloseBadVersion, fmt.Errorf("central answered in protocol version %d, want %d", w.Proto, syncproto.Version))
	}
	var offset time.Duration
	if !w.Time.IsZero() {
		offset = w.Time.Sub(sent.Add(got.Sub(sent) / 2))
	}
	return w, offset, nil
}

// errReadEnded tells stream that the reader ended first.
var errReadEnded = errors.New("reader ended")

// stream runs the welcomed connection: the reader takes central's messages
// on its goroutine, one at a time, while this one sends the outbox and
// pings. It returns nil when ctx ends, after the close.
func (s *conn) stream(ctx context.Context, w *syncproto.Welcome) error {
	s.sent.Store(w.Acked)
	s.acked.Store(w.Acked)
	if last := s.c.Store.LastSeq(); w.Acked > last {
		// Central has more of this device than its log: the store was
		// lost and the numbering started again. The protocol does not
		// renumber; events up to central's acked will not reach it.
		msg := fmt.Sprintf("central has this device's events up to %d but the device's log ends at %d: the device's store was reset; its events up to %d will not reach central until the device gets a new identity", w.Acked, last, w.Acked)
		s.log.Error(msg, "central_acked", w.Acked, "last_seq", last)
		s.c.trouble(msg)
	} else if err := s.c.Store.Ack(w.Acked); err != nil {
		// Central's acked is an acknowledgement like any other.
		return err
	}
	s.sub = s.c.Office.Subscribe()
	defer func() { s.sub.Cancel() }()

	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		s.end(s.readLoop())
	}()
	if err := s.sendLoop(ctx, readDone); !errors.Is(err, errReadEnded) {
		s.end(err)
	}
	<-readDone
	return s.cause
}

// end closes the connection, which ends the other goroutine too, and
// records err as the cause unless the other ended first: what fails after
// the close is no cause.
func (s *conn) end(err error) {
	s.ended.Do(func() { s.cause = err })
	s.ws.Close()
}

// ready is a closed channel: a select case that is always ready.
var ready = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// sendLoop sends the outbox as the window of unacknowledged events allows,
// and waits for the office, an ack or the ping ticker when there is
// nothing to send.
func (s *conn) sendLoop(ctx context.Context, readDone <-chan struct{}) error {
	ping := time.NewTicker(s.t.ping)
	defer ping.Stop()
	check := time.NewTicker(s.t.ack / 4)
	defer check.Stop()
	s.progress.Store(time.Now().UnixNano())
	for {
		more, err := s.sendNext()
		if err != nil {
			return err
		}
		var goOn <-chan struct{}
		if more {
			goOn = ready
		}
		select {
		case <-goOn:
		case <-ctx.Done():
			s.ended.Do(func() {}) // shutting down: no cause, whatever the reader sees now
			if s.goAway() == nil {
				select {
				case <-readDone:
				case <-time.After(s.t.closing):
				}
			}
			return nil
		case <-readDone:
			return errReadEnded
		case _, ok := <-s.sub.Events():
			if !ok { // dropped for falling behind
				s.sub = s.c.Office.Subscribe()
			}
			drain(s.sub.Events())
		case <-s.ackc:
		case <-check.C:
			if waited := time.Since(time.Unix(0, s.progress.Load())); s.acked.Load() < s.sent.Load() && waited > s.t.ack {
				return fmt.Errorf("no acknowledgement of events %d to %d for %v: a message was lost", s.acked.Load()+1, s.sent.Load(), waited.Round(time.Second))
			}
		case <-ping.C:
			if err := s.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.t.write)); err != nil {
				return fmt.Errorf("ping: %w", err)
			}
		}
	}
}

// drain empties c of what is there now: the outbox is read once for all.
func drain(c <-chan []dispenser.Event) {
	for {
		select {
		case _, ok := <-c:
			if !ok {
				return
			}
		default:
			return
		}
	}
}

// sendNext sends the next batch of the outbox, or a gone for events purged
// before central had them, if the window allows. It reports whether there
// may be more to send at once.
func (s *conn) sendNext() (more bool, err error) {
	sent, acked := s.sent.Load(), s.acked.Load()
	if sent-acked >= syncproto.MaxInFlight {
		return false, nil
	}
	last := s.c.Store.LastSeq() // before the outbox: everything up to last is in it or purged
	if last <= sent {
		return false, nil
	}
	room := int(syncproto.MaxInFlight - (sent - acked))
	evs, err := s.c.Store.Outbox(sent, min(syncproto.MaxBatch, room))
	switch {
	case err != nil:
		return false, err
	case len(evs) == 0:
		return false, s.gone(last)
	case evs[0].Seq > sent+1:
		return true, s.gone(evs[0].Seq - 1)
	}
	n, size := 0, 0
	for ; n < len(evs) && (n == 0 || evs[n].Seq == evs[n-1].Seq+1); n++ {
		b, err := json.Marshal(&evs[n])
		if err != nil {
			return false, fmt.Errorf("encode event %d: %w", evs[n].Seq, err)
		}
		if n > 0 && size+len(b)+1 > maxBatchBytes {
			break
		}
		size += len(b) + 1
	}
	if size > maxEventBytes {
		// Sent, it would close the connection (1009) every time, and
		// nothing after it would ever reach central.
		s.log.Error("an event too big for a message cannot be sent; central is told it is gone", "seq", evs[0].Seq, "type", evs[0].Type, "bytes", size)
		return true, s.gone(evs[0].Seq)
	}
	evs = evs[:n]
	if sent == acked { // nothing was awaited: the wait starts now
		s.progress.Store(time.Now().UnixNano())
	}
	s.sent.Store(evs[n-1].Seq)
	if err := s.write(&syncproto.Events{Type: syncproto.TypeEvents, Events: evs}); err != nil {
		return false, fmt.Errorf("send events %d to %d: %w", evs[0].Seq, evs[n-1].Seq, err)
	}
	return true, nil
}

// gone tells central that the events after what was sent, up to through,
// are no longer in the log.
func (s *conn) gone(through uint64) error {
	from := s.sent.Load() + 1
	s.log.Warn("events were purged before central had them", "from", from, "through", through)
	s.sent.Store(through)
	if err := s.write(&syncproto.Gone{Type: syncproto.TypeGone, Through: through}); err != nil {
		return fmt.Errorf("send gone through %d: %w", through, err)
	}
	return nil
}

// readLoop takes central's messages in order until the connection fails.
// Books, commands and configs are applied here, one at a time.
func (s *conn) readLoop() error {
	for {
		_, b, err := s.ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("read: %w", s.readError(err))
		}
		s.ws.SetReadDeadline(time.Now().Add(s.t.read))
		m, err := syncproto.Decode(b)
		if err != nil {
			return s.refuse(syncproto.CloseMalformed, err)
		}
		switch m := m.(type) {
		case *syncproto.Ack:
			err = s.ack(m.Seq)
		case *syncproto.Book:
			err = s.answer("book", m.ID, s.applyBook(m))
		case *syncproto.Command:
			err = s.answer("command", m.ID, s.applyCommand(m))
		case *syncproto.Config:
			err = s.answer("config", m.ID, s.applyConfig(m))
		default:
			err = s.refuse(syncproto.CloseMalformed, fmt.Errorf("%w: %q from central", syncproto.ErrMalformed, typeOf(b)))
		}
		if err != nil {
			return err
		}
	}
}

// readError names a read that failed for a message over the read limit.
func (s *conn) readError(err error) error {
	if errors.Is(err, websocket.ErrReadLimit) {
		return fmt.Errorf("central sent a message over %d bytes; closed (%d): %w", syncproto.MaxMessage, syncproto.CloseTooBig, err)
	}
	return err
}

// ack moves the cursor to seq: on this connection, and durably in the
// store. An ack at or below the last changes nothing; one beyond what was
// sent is ignored.
func (s *conn) ack(seq uint64) error {
	if seq <= s.acked.Load() {
		return nil
	}
	if sent := s.sent.Load(); seq > sent {
		s.log.Warn("central acknowledged events it was not sent; ignored", "ack", seq, "sent", sent)
		return nil
	}
	s.acked.Store(seq)
	s.progress.Store(time.Now().UnixNano())
	select {
	case s.ackc <- struct{}{}:
	default:
	}
	if seq > s.c.Store.LastSeq() {
		return nil // the device's log was reset: see stream
	}
	return s.c.Store.Ack(seq)
}

// write sends v as one text message.
func (s *conn) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.ws.SetWriteDeadline(time.Now().Add(s.t.write)); err != nil {
		return err
	}
	return s.ws.WriteMessage(websocket.TextMessage, b)
}

// refuse closes the connection with code, because of err, which it
// returns.
func (s *conn) refuse(code int, err error) error {
	msg := websocket.FormatCloseMessage(code, syncproto.Reason(err.Error()))
	_ = s.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.t.write))
	return fmt.Errorf("closed the connection (%d): %w", code, err)
}

// goAway sends the close frame of a device shutting down.
func (s *conn) goAway() error {
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "device shutting down")
	return s.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.t.write))
}

// typeOf returns the type a message says it is.
func typeOf(b []byte) string {
	var head struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(b, &head)
	return head.Type
}
