package sqlstore

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// channel is the PostgreSQL notification channel; the payload is the
// office.
const channel = "torn_office"

// maxPayload is PostgreSQL's bound on a notification's payload (8000
// bytes, the terminating zero included).
const maxPayload = 7999

// Listener timings on PostgreSQL: an idle connection is pinged every
// listenPing; a lost one is dialled again after a backoff from
// minBackoff, doubling up to maxBackoff.
const (
	listenPing  = 30 * time.Second
	dialTimeout = 10 * time.Second
	minBackoff  = 100 * time.Millisecond
	maxBackoff  = 10 * time.Second
)

// Notify tells every Store on this database (on SQLite, every Listen of
// this Store) that office changed.
func (s *Store) Notify(ctx context.Context, office string) error {
	if len(office) > maxPayload {
		return fmt.Errorf("notify office %.20s…: an office id of %d bytes, over PostgreSQL's %d", office, len(office), maxPayload)
	}
	if !s.pg {
		s.hub.notify(office)
		return nil
	}
	err := s.e.view(ctx, func(q querier) error {
		_, err := q.exec(ctx, "SELECT pg_notify(?, ?)", channel, office)
		return err
	})
	if err != nil {
		return fmt.Errorf("notify office %s: %w", office, err)
	}
	return nil
}

// Listen calls fn with the office of each notification, its own included,
// one at a time, until ctx ends or the Store closes; then it returns nil.
// On PostgreSQL it listens on a connection of its own, which it dials
// again with backoff when it is lost (logged to Logger); the notifications
// of that time are lost, so once listening again it calls fn("").
func (s *Store) Listen(ctx context.Context, fn func(office string)) error {
	select {
	case <-s.closed:
		return fmt.Errorf("listen for notifications on %s: the store is closed", s.what)
	default:
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	if !s.pg {
		s.hub.listen(ctx, fn)
		return nil
	}
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	for fails, again := 0, false; ; again = true {
		connected, err := s.listenOnce(ctx, fn, again)
		if ctx.Err() != nil {
			return nil
		}
		if connected {
			fails = 0
		}
		fails++
		wait := backoff(fails)
		log.Warn("central store: notification listener without a connection", "db", s.what, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// backoff is the wait before the fails-th attempt in a row to connect:
// minBackoff doubling up to maxBackoff, times a random factor in [0.5,
// 1.5) so that instances do not all dial at once.
func backoff(fails int) time.Duration {
	d := minBackoff
	for i := 1; i < fails && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	return time.Duration(float64(d) * (0.5 + rand.Float64()))
}

// listenOnce connects, listens and calls fn until the connection fails or
// ctx ends. connected says whether it got as far as listening.
func (s *Store) listenOnce(ctx context.Context, fn func(string), again bool) (connected bool, err error) {
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	conn, err := pgx.ConnectConfig(dctx, s.listen)
	cancel()
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn.Close(cctx)
		cancel()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	if again {
		// The notifications of the time without a connection are lost:
		// every office may have changed.
		fn("")
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, listenPing)
		n, err := conn.WaitForNotification(wctx)
		idle := wctx.Err() != nil
		cancel()
		switch {
		case err == nil:
			fn(n.Payload)
		case ctx.Err() != nil:
			return true, nil
		case idle:
			// Nothing for a while: make sure the server is still there.
			pctx, cancel := context.WithTimeout(ctx, dialTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return true, fmt.Errorf("ping: %w", err)
			}
		default:
			return true, fmt.Errorf("wait for a notification: %w", err)
		}
	}
}

// A hub carries notifications to the listeners of one Store, on SQLite.
type hub struct {
	mu   sync.Mutex
	subs map[*subscriber]bool
}

// A subscriber is one Listen: the offices notified and not yet handed to
// its fn, each once, in the order of their first notification.
type subscriber struct {
	mu      sync.Mutex
	pending []string
	wake    chan struct{}
}

func (h *hub) notify(office string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sb := range h.subs {
		sb.mu.Lock()
		if !slices.Contains(sb.pending, office) {
			sb.pending = append(sb.pending, office)
		}
		sb.mu.Unlock()
		select {
		case sb.wake <- struct{}{}:
		default:
		}
	}
}

// listen calls fn for each office notified until ctx ends.
func (h *hub) listen(ctx context.Context, fn func(string)) {
	sb := &subscriber{wake: make(chan struct{}, 1)}
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[*subscriber]bool{}
	}
	h.subs[sb] = true
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.subs, sb)
		h.mu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sb.wake:
		}
		sb.mu.Lock()
		offices := sb.pending
		sb.pending = nil
		sb.mu.Unlock()
		for _, o := range offices {
			if ctx.Err() != nil {
				return
			}
			fn(o)
		}
	}
}
