package uplink

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/syncproto"
	"torn.cat/torn/uplink/uplinktest"
)

// A refused token means a slow retry, logged once however often it
// repeats; a device replaced by another connection also retries slowly; a
// central going away, soon.
func TestCloseCodes(t *testing.T) {
	c := uplinktest.New(t)
	c.RequireToken("another")
	d := newDevice(t)
	d.start(c, nil)

	c.Wait(t, "three refused hellos", func() bool { return len(c.Hellos()) >= 3 })
	eventually(t, "three backoffs", func() bool { return len(d.backoffs()) >= 3 })
	for _, w := range d.backoffs() {
		if w != SlowBackoff {
			t.Fatalf("backoffs after 4001: %v, want %v each", d.backoffs(), SlowBackoff)
		}
	}
	if st := d.client.Status(); st.Connected || !strings.Contains(st.LastError, "4001") {
		t.Errorf("status: %+v", st)
	}
	if n := d.logs.count("level=ERROR", "cannot connect to central", "code=4001"); n != 1 {
		t.Errorf("%d lines for the refused token, want 1:\n%s", n, d.logs)
	}

	c.RequireToken(testToken)
	c.Wait(t, "a connection", c.Connected)
	n := len(d.backoffs())
	c.Kick(syncproto.CloseReplaced, "replaced")
	c.Wait(t, "a second connection", func() bool { return c.Welcomed() == 2 && c.Connected() })
	c.Kick(syncproto.CloseGoingAway, "central shutting down")
	c.Wait(t, "a third connection", func() bool { return c.Welcomed() == 3 })
	if got, want := d.backoffs()[n:], []time.Duration{SlowBackoff, MinBackoff}; !slices.Equal(got, want) {
		t.Errorf("backoffs after 4006 and 1001: %v, want %v", got, want)
	}
	if d.logs.count("level=ERROR", "disconnected from central", "code=4006") != 1 ||
		d.logs.count("level=INFO", "disconnected from central", "code=1001", `reason="central shutting down"`) != 1 {
		t.Errorf("disconnection lines:\n%s", d.logs)
	}
}

// A message over MaxMessage closes the connection (1009); the device
// reconnects.
func TestReadLimit(t *testing.T) {
	c := uplinktest.New(t)
	d := newDevice(t)
	d.start(c, nil)
	c.Wait(t, "a connection", c.Connected)

	pad := strings.Repeat("x", syncproto.MaxMessage)
	// The write may fail: the device closes the connection before the end.
	_ = c.SendRaw(fmt.Appendf(nil, `{"type":"ack","seq":0,"pad":%q}`, pad))
	c.Wait(t, "a second connection", func() bool { return c.Welcomed() == 2 })
	// The device closes with most of the message unread: its kernel may
	// answer with a reset, and central lose the close frame.
	if cl := c.DeviceCloses(); len(cl) > 1 || len(cl) == 1 && cl[0].Code != syncproto.CloseTooBig {
		t.Errorf("the device's close frames: %v, want 1009", cl)
	}
	if d.logs.count("disconnected from central", fmt.Sprintf("over %d bytes", syncproto.MaxMessage)) != 1 {
		t.Errorf("no line for the message too big:\n%s", d.logs)
	}
}

// A message central may not send closes the connection (4004).
func TestMalformedFromCentral(t *testing.T) {
	c := uplinktest.New(t)
	d := newDevice(t)
	d.start(c, nil)
	c.Wait(t, "a connection", c.Connected)

	for i, msg := range []string{`{"type":"welcome","proto":1}`, `{"type":"dance"}`, `not json`} {
		if err := c.SendRaw([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		c.Wait(t, "a new connection", func() bool { return c.Welcomed() == i+2 })
		if cl := c.DeviceCloses(); len(cl) != i+1 || cl[i].Code != syncproto.CloseMalformed {
			t.Errorf("after %s the device's close frames are %v, want 4004", msg, cl)
		}
	}
}

// An ack beyond what was sent is ignored.
func TestAckBeyondSent(t *testing.T) {
	c := uplinktest.New(t)
	c.HoldAcks(true)
	d := newDevice(t)
	d.issue(2)
	d.start(c, nil)
	last := d.store.LastSeq()
	c.Wait(t, "the events", func() bool { return len(c.Received()) == int(last) })

	if err := c.Send(&syncproto.Ack{Type: syncproto.TypeAck, Seq: last + 10}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the warning", func() bool { return d.logs.count("level=WARN", "not sent", fmt.Sprintf("ack=%d", last+10)) == 1 })
	if a := d.acked(); a != 0 {
		t.Errorf("cursor %d after a bad ack, want 0", a)
	}
	c.HoldAcks(false)
	caughtUp(t, c, d)
	if c.Welcomed() != 1 {
		t.Errorf("%d connections, want 1", c.Welcomed())
	}
}

// wss:// with the device trusting central's certificate through RootCAs,
// and failing without it.
func TestTLS(t *testing.T) {
	c := uplinktest.NewTLS(t)
	if !strings.HasPrefix(c.URL(), "wss://") {
		t.Fatalf("URL %s", c.URL())
	}

	untrusting := newDevice(t)
	untrusting.start(c, nil)
	eventually(t, "a failed dial", func() bool { return len(untrusting.backoffs()) > 0 })
	untrusting.stop()
	if st := untrusting.client.Status(); !strings.Contains(st.LastError, "certificate") {
		t.Errorf("status without the CA: %+v", st)
	}
	if len(c.Hellos()) != 0 {
		t.Errorf("central got a hello over a connection the device should not trust")
	}

	pool := x509.NewCertPool()
	pool.AddCert(c.Certificate())
	d := newDevice(t)
	d.issue(2)
	d.start(c, func(cl *Client) { cl.TLS = &tls.Config{RootCAs: pool} })
	caughtUp(t, c, d)
	sameEvents(t, "received", c.Received(), d.outbox())
	if d.logs.count("not wss://") != 0 {
		t.Errorf("a warning about wss://")
	}
}

// Pongs keep a quiet connection open; a central that answers nothing is
// left after the read timeout.
func TestKeepAlive(t *testing.T) {
	c := uplinktest.New(t)
	d := newDevice(t)
	d.start(c, func(cl *Client) { cl.timing = timing{ping: 10 * time.Millisecond, read: 250 * time.Millisecond} })
	c.Wait(t, "a connection", c.Connected)

	time.Sleep(400 * time.Millisecond)
	if n := c.Welcomed(); n != 1 || !d.client.Status().Connected {
		t.Fatalf("%d connections during a quiet time, want 1", n)
	}
	c.Stall()
	c.Wait(t, "a second connection", func() bool { return c.Welcomed() == 2 })
	if d.logs.count("disconnected from central", "timeout") != 1 {
		t.Errorf("no line for the read timeout:\n%s", d.logs)
	}
}

// TestLostMessageNoAck: a batch lost on the way inside a live connection
// leaves central's acks short of it; the device waits AckWait (shortened
// here) for the acknowledgement, takes the connection for broken, and
// sends again from central's cursor on the next one.
func TestLostMessageNoAck(t *testing.T) {
	c := uplinktest.New(t)
	c.SwallowBatch(1)
	d := newDevice(t)
	d.preload(40, day0)
	d.start(c, func(cl *Client) { cl.timing = timing{ack: 200 * time.Millisecond} })
	c.Wait(t, "a second connection", func() bool { return c.Welcomed() >= 2 })
	c.Wait(t, "central to have everything", func() bool { return c.Acked() == 40 })
	sameEvents(t, "stored", c.Stored(), d.outbox())
	noViolations(t, c)
}
