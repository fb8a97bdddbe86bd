package central

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"torn.cat/torn/syncproto"
)

// deviceConn is one device's websocket. Its read loop runs in the
// request's goroutine; writeLoop owns the writes.
type deviceConn struct {
	s      *Server
	ws     *websocket.Conn
	device string
	office string

	out     chan any // messages to write, in order
	wakeup  chan struct{}
	closing chan closeMsg
	done    chan struct{}
	// finished is closed when the connection's handler has returned:
	// nothing of it touches the store after.
	finished chan struct{}
	once     sync.Once

	mu   sync.Mutex
	sent map[string]bool // queued messages sent on this connection
}

type closeMsg struct {
	code   int
	reason string
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4 << 10,
	WriteBufferSize: 4 << 10,
	// Devices are not browsers: no Origin to check.
	CheckOrigin: func(*http.Request) bool { return true },
}

// sync is the devices' websocket: hello, then events in, acks and queued
// messages out, as docs/protocol.md says.
func (s *Server) sync(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered the client
	}
	ws.SetReadLimit(syncproto.MaxMessage)
	ws.SetPongHandler(func(string) error {
		ws.SetReadDeadline(time.Now().Add(syncproto.ReadTimeout))
		return nil
	})
	c := &deviceConn{s: s, ws: ws, out: make(chan any, 64), wakeup: make(chan struct{}, 1),
		closing: make(chan closeMsg, 1), done: make(chan struct{}), finished: make(chan struct{}), sent: map[string]bool{}}
	defer close(c.finished)
	defer ws.Close()
	go c.writeLoop()
	ctx := r.Context()
	code, reason := c.serve(ctx)
	c.close(code, reason)
	<-c.done
	s.mu.Lock()
	if s.conns[c.device] == c {
		delete(s.conns, c.device)
	}
	s.mu.Unlock()
}

// serve runs the connection until it ends and returns the close code and
// reason to send.
func (c *deviceConn) serve(ctx context.Context) (int, string) {
	s := c.s
	c.ws.SetReadDeadline(time.Now().Add(syncproto.ReadTimeout))
	m, code, reason := c.read()
	if code != 0 {
		return code, reason
	}
	hello, ok := m.(*syncproto.Hello)
	if !ok {
		return c.refuse("", syncproto.CloseMalformed, "the first message must be hello")
	}
	c.device = hello.Device
	if hello.Proto != syncproto.Version {
		return c.refuse(hello.Device, syncproto.CloseBadVersion, fmt.Sprintf("protocol version %d: this central speaks %d", hello.Proto, syncproto.Version))
	}
	dev, err := s.Store.Device(ctx, hello.Device)
	switch {
	case errors.Is(err, ErrNotFound):
		return c.refuse(hello.Device, syncproto.CloseBadToken, "unknown device or wrong token")
	case err != nil:
		s.Log.Error("sync: read device", "device", hello.Device, "err", err)
		return syncproto.CloseGoingAway, "central cannot read its store"
	}
	sum := sha256.Sum256([]byte(hello.Token))
	if subtle.ConstantTimeCompare(sum[:], dev.TokenHash) != 1 {
		return c.refuse(hello.Device, syncproto.CloseBadToken, "unknown device or wrong token")
	}
	if dev.Revoked {
		return c.refuse(hello.Device, syncproto.CloseRevoked, "device revoked")
	}
	if hello.Office != dev.Office || hello.Config == nil || hello.Config.Office != dev.Office {
		return c.refuse(hello.Device, syncproto.CloseWrongOffice, fmt.Sprintf("this device belongs to office %s", dev.Office))
	}
	c.office = dev.Office
	cfg, err := json.Marshal(hello.Config)
	if err == nil {
		err = s.Store.PutOfficeConfig(ctx, c.office, cfg)
	}
	if err == nil {
		err = s.Store.SeenDevice(ctx, c.device, s.Now())
	}
	acked, aerr := s.Store.Acked(ctx, c.device)
	if err == nil {
		err = aerr
	}
	if err != nil {
		s.Log.Error("sync: hello", "device", c.device, "err", err)
		return syncproto.CloseGoingAway, "central cannot write its store"
	}
	// One connection per device: the new one wins.
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return syncproto.CloseGoingAway, "central shutting down"
	}
	old := s.conns[c.device]
	s.conns[c.device] = c
	s.mu.Unlock()
	if old != nil {
		old.close(syncproto.CloseReplaced, "replaced by a newer connection of the same device")
	}
	s.Log.Info("device connected", "device", c.device, "office", c.office, "acked", acked, "device_acked", hello.Acked)
	c.send(&syncproto.Welcome{Type: syncproto.TypeWelcome, Proto: syncproto.Version, Acked: acked, Time: s.Now().UTC()})
	s.sendKey(ctx, c.office)
	s.Store.Notify(ctx, c.office) // the mirror takes the new config
	c.wake()

	var last uint64 // the highest seq received on this connection
	for {
		m, code, reason := c.read()
		if code != 0 {
			return code, reason
		}
		switch m := m.(type) {
		case *syncproto.Events:
			if m.Events[0].Seq <= last {
				return c.refuse(c.device, syncproto.CloseOutOfOrder, fmt.Sprintf("events from %d after %d on this connection", m.Events[0].Seq, last))
			}
			last = m.Events[len(m.Events)-1].Seq
			acked, err := s.Store.Ingest(ctx, c.device, c.office, m.Events)
			if err != nil {
				s.Log.Error("sync: ingest", "device", c.device, "events", len(m.Events), "err", err)
				return syncproto.CloseGoingAway, "central cannot write its store"
			}
			c.send(&syncproto.Ack{Type: syncproto.TypeAck, Seq: acked})
			s.Store.Notify(ctx, c.office)
		case *syncproto.Gone:
			acked, err := s.Store.Gone(ctx, c.device, m.Through)
			if err != nil {
				s.Log.Error("sync: gone", "device", c.device, "err", err)
				return syncproto.CloseGoingAway, "central cannot write its store"
			}
			s.Log.Warn("device lost events unsent", "device", c.device, "through", m.Through)
			c.send(&syncproto.Ack{Type: syncproto.TypeAck, Seq: acked})
		case *syncproto.Applied:
			if err := s.Store.Answer(ctx, c.office, m.ID, m.Error); err != nil && !errors.Is(err, ErrNotFound) {
				s.Log.Error("sync: answer", "device", c.device, "id", m.ID, "err", err)
			}
			if m.Error != "" {
				s.Log.Info("device refused a message", "device", c.device, "id", m.ID, "error", m.Error)
			}
		default:
			return c.refuse(c.device, syncproto.CloseMalformed, fmt.Sprintf("a device does not send %T", m))
		}
	}
}

// read reads one message; a non-zero code says why the connection ends.
func (c *deviceConn) read() (any, int, string) {
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		var ce *websocket.CloseError
		switch {
		case errors.Is(err, websocket.ErrReadLimit):
			return c.refuseMsg(syncproto.CloseTooBig, fmt.Sprintf("a message over %d bytes", syncproto.MaxMessage))
		case errors.As(err, &ce):
			return nil, syncproto.CloseNormal, ""
		}
		return nil, syncproto.CloseNormal, "" // gone: the close frame will not arrive
	}
	c.ws.SetReadDeadline(time.Now().Add(syncproto.ReadTimeout))
	m, err := syncproto.Decode(b)
	if err != nil {
		return c.refuseMsg(syncproto.CloseMalformed, err.Error())
	}
	return m, 0, ""
}

func (c *deviceConn) refuseMsg(code int, reason string) (any, int, string) {
	code, reason = c.refuse(c.device, code, reason)
	return nil, code, reason
}

// refuse logs why a connection is closed with code.
func (c *deviceConn) refuse(device string, code int, reason string) (int, string) {
	c.s.Log.Warn("sync: connection refused", "device", device, "remote", c.ws.RemoteAddr().String(), "code", code, "reason", reason)
	return code, reason
}

// send queues m for writing; it drops it if the connection is closing.
func (c *deviceConn) send(m any) {
	select {
	case c.out <- m:
	case <-c.done:
	}
}

// wake asks the writer to send what is queued for the office.
func (c *deviceConn) wake() {
	select {
	case c.wakeup <- struct{}{}:
	default:
	}
}

// close asks the writer to close the connection with code.
func (c *deviceConn) close(code int, reason string) {
	c.once.Do(func() { c.closing <- closeMsg{code, syncproto.Reason(reason)} })
}

// writeLoop owns the connection's writes: the messages, the queued ones
// when woken, pings, and at last the close frame.
func (c *deviceConn) writeLoop() {
	defer close(c.done)
	ping := time.NewTicker(syncproto.PingEvery)
	defer ping.Stop()
	write := func(m any) error {
		c.ws.SetWriteDeadline(time.Now().Add(syncproto.WriteTimeout))
		return c.ws.WriteJSON(m)
	}
	for {
		select {
		case m := <-c.out:
			if err := write(m); err != nil {
				c.ws.Close()
				<-c.closing
				return
			}
		case <-c.wakeup:
			if err := c.sendPending(write); err != nil {
				c.ws.Close()
				<-c.closing
				return
			}
		case <-ping.C:
			c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(syncproto.WriteTimeout))
		case cm := <-c.closing:
			c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(cm.code, cm.reason), time.Now().Add(time.Second))
			c.ws.Close()
			return
		}
	}
}

// sendPending writes the office's queued messages not yet sent on this
// connection.
func (c *deviceConn) sendPending(write func(any) error) error {
	if c.office == "" {
		return nil
	}
	pending, err := c.s.Store.Pending(context.Background(), c.office)
	if err != nil {
		c.s.Log.Error("sync: pending messages", "office", c.office, "err", err)
		return nil
	}
	for _, p := range pending {
		c.mu.Lock()
		done := c.sent[p.ID]
		c.sent[p.ID] = true
		c.mu.Unlock()
		if done {
			continue
		}
		c.ws.SetWriteDeadline(time.Now().Add(syncproto.WriteTimeout))
		if err := c.ws.WriteMessage(websocket.TextMessage, p.Body); err != nil {
			return err
		}
	}
	return nil
}
