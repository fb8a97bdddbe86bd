package uplink

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"sync"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/syncproto"
)

// Store is what the uplink needs of the office's store; *store.Store has
// it.
type Store interface {
	// Outbox returns up to max committed events with Seq > after, in order;
	// purged events leave gaps.
	Outbox(after uint64, max int) ([]dispenser.Event, error)
	// Acked returns the durable sync cursor.
	Acked() (uint64, error)
	// Ack moves the durable sync cursor to seq; a seq at or below it
	// changes nothing.
	Ack(seq uint64) error
	// LastSeq is the highest sequence number handed out.
	LastSeq() uint64
}

// A Client keeps one office's device connected to central. Set its fields,
// then call Run once; Status may be called at any time.
type Client struct {
	// URL is central's sync endpoint: wss://central.example/sync (ws://
	// in tests). Required.
	URL string
	// Device and Token are the device's identity on central. Required. The
	// token is sent in the hello and nowhere else, and never logged.
	Device string
	Token  string
	// Office is the office whose events are sent, and which applies what
	// central sends. Required.
	Office *office.Office
	// Store is the office's store: the outbox and the sync cursor. Required.
	Store Store
	// Log receives the uplink's log lines. Default slog.Default().
	Log *slog.Logger
	// TLS configures wss:// connections. Default nil: the system's roots.
	TLS *tls.Config
	// OnConfig takes the configuration central sends (the office key); its
	// error, if any, is the answer central gets. Default nil: central is
	// answered "not supported".
	OnConfig func(syncproto.Config) error

	// Now is the clock of Status, of how long connections last and of the
	// clock offset. Default time.Now.
	Now func() time.Time
	// After waits out a backoff, as time.After does. Default time.After.
	After func(time.Duration) <-chan time.Time
	// Rand returns the backoff's jitter, uniform in [0, 1). Default
	// math/rand/v2's Float64.
	Rand func() float64
	// MaxBackoff caps the doubling waits between connections. Default
	// MaxBackoff (a minute); fault tests and labs set it lower.
	MaxBackoff time.Duration
	// AckWait is how long the device waits for an acknowledgement (or the
	// welcome) before it takes the connection for broken. Default AckWait.
	AckWait time.Duration

	// timing, in tests, shortens the connection's timeouts; zero fields
	// take syncproto's.
	timing timing
	// netDial, in tests, replaces the network dial.
	netDial func(ctx context.Context, network, addr string) (net.Conn, error)

	mu     sync.Mutex
	status Status
}

// Status is the uplink's state, for /healthz and /metrics.
type Status struct {
	// Connected is true from central's welcome until the connection ends.
	Connected bool
	// Since is when Connected last changed: zero until the first
	// connection is welcomed or fails.
	Since time.Time
	// Acked is the store's sync cursor: central has every event up to it.
	Acked uint64
	// LastSeq is the store's last sequence number, and Backlog how many
	// events past Acked central does not have yet.
	LastSeq uint64
	Backlog uint64
	// LastError says why the last connection failed or ended, or what is
	// wrong with the current one; empty while connected and well.
	LastError string
	// ClockOffset is central's clock minus the device's, as measured at
	// the last welcome.
	ClockOffset time.Duration
}

// Status returns the uplink's state now.
func (c *Client) Status() Status {
	c.mu.Lock()
	st := c.status
	c.mu.Unlock()
	acked, err := c.Store.Acked()
	if err != nil {
		st.LastError = err.Error()
	}
	st.Acked = acked
	st.LastSeq = c.Store.LastSeq()
	if st.LastSeq > st.Acked {
		st.Backlog = st.LastSeq - st.Acked
	}
	return st
}

// Run keeps the device connected to central until ctx ends: it dials,
// syncs, and after a connection ends waits a backoff and dials again. When
// ctx ends it closes the connection (1001, going away), waits for its
// goroutines and returns nil. It returns an error only for a Client
// missing a required field.
func (c *Client) Run(ctx context.Context) error {
	u, err := c.check()
	if err != nil {
		return err
	}
	log := c.log()
	if u.Scheme == "ws" {
		log.Warn("central's URL is not wss://: the device's token and events travel in clear", "url", u.Redacted())
	}
	b := backoff{rand: c.Rand, max: c.MaxBackoff}
	if b.rand == nil {
		b.rand = rand.Float64
	}
	after := c.After
	if after == nil {
		after = time.After
	}
	var quiet repeats
	for {
		out := c.connect(ctx, u)
		done := ctx.Err() != nil
		c.report(out, done, &quiet)
		if done {
			return nil
		}
		wait := b.next(out.lasted, out.slow())
		select {
		case <-ctx.Done():
			return nil
		case <-after(wait):
		}
	}
}

func (c *Client) check() (*url.URL, error) {
	switch {
	case c.URL == "":
		return nil, errors.New("uplink: no URL for central")
	case c.Device == "" || c.Token == "":
		return nil, errors.New("uplink: no device id or token")
	case c.Office == nil || c.Store == nil:
		return nil, errors.New("uplink: no office or store")
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("uplink: central's URL: %w", err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return nil, fmt.Errorf("uplink: central's URL %s: want ws:// or wss://", u.Redacted())
	}
	return u, nil
}

func (c *Client) log() *slog.Logger {
	if c.Log == nil {
		return slog.Default()
	}
	return c.Log
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// outcome is how a connection ended.
type outcome struct {
	// lasted is how long it was welcomed; 0 if it never was.
	lasted   time.Duration
	welcomed bool
	// code and reason are central's close frame, 0 and "" without one.
	code   int
	reason string
	err    error
}

// slow reports whether the next wait is SlowBackoff: central refused the
// device for a reason a person must fix, or another connection of the
// same device replaced this one (two devices with one identity would
// otherwise take turns every second).
func (o *outcome) slow() bool {
	return syncproto.Permanent(o.code) || o.code == syncproto.CloseReplaced
}

// report logs how a connection ended and records it in the status. A
// failure to connect that repeats the same way is logged once per
// repeatLogEvery, so that a central out of reach does not fill the log.
func (c *Client) report(out outcome, done bool, quiet *repeats) {
	now := c.now()
	c.mu.Lock()
	c.status.Connected = false
	c.status.Since = now
	if out.err != nil && !done {
		c.status.LastError = out.err.Error()
	}
	c.mu.Unlock()

	log := c.log()
	var attrs []any
	if out.code != 0 {
		attrs = append(attrs, "code", out.code, "reason", out.reason)
	}
	if out.err != nil && !done {
		attrs = append(attrs, "err", out.err)
	}
	level := slog.LevelWarn
	switch {
	case done:
		level = slog.LevelInfo
	case out.slow():
		level = slog.LevelError
	case out.code == syncproto.CloseNormal || out.code == syncproto.CloseGoingAway:
		level = slog.LevelInfo
	}
	if out.welcomed {
		quiet.reset()
		attrs = append(attrs, "lasted", out.lasted.Round(time.Millisecond))
		log.Log(context.Background(), level, "disconnected from central", attrs...)
		return
	}
	if done {
		return // shut down while dialing: nothing worth a line
	}
	ok, skipped := quiet.admit(out.err.Error(), now)
	if !ok {
		return
	}
	if skipped > 0 {
		attrs = append(attrs, "repeated", skipped)
	}
	log.Log(context.Background(), level, "cannot connect to central", attrs...)
}

// connected records a welcome in the status.
func (c *Client) connected(at time.Time, offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status.Connected = true
	c.status.Since = at
	c.status.ClockOffset = offset
	c.status.LastError = ""
}

// trouble records what is wrong with the current connection.
func (c *Client) trouble(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status.LastError = msg
}
