package sqlstore

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"torn.cat/torn/internal/pgtest"
)

// Two instances on one database: what one notifies, the other hears.
func TestPostgresNotifyAcross(t *testing.T) {
	dsn := pgtest.Start(t)
	a, b := openPostgresDSN(t, dsn), openPostgresDSN(t, dsn)
	heardA, heardB := listen(t, a), listen(t, b)
	hear(t, a, heardB, "masnou-oac", 5*time.Second) // B's listener starts
	hear(t, b, heardA, "alella", 5*time.Second)     // A's
	// Both listening: a notification gets across within a second.
	hear(t, a, heardB, "premia", time.Second)
}

// A listener whose connection is cut dials again and hears what is
// notified after.
func TestPostgresListenReconnects(t *testing.T) {
	dsn := pgtest.Start(t)
	s := openPostgresDSN(t, dsn)
	var logs syncBuffer
	s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	heard := listen(t, s)
	hear(t, s, heard, "masnou-oac", 5*time.Second)

	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'torn-central listener' AND datname = current_database()`).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("cut %d listener connections, %v; want 1", n, err)
	}
	// Back: first "" (every office may have changed while it was away),
	// then what is notified.
	deadline := time.After(5 * time.Second)
	sawAll := false
wait:
	for {
		s.Notify(ctx, "alella")
		select {
		case got := <-heard:
			if got == "" {
				sawAll = true
			}
			if got == "alella" {
				if !sawAll {
					t.Error(`heard "alella" after the reconnect but not "" before it`)
				}
				break wait
			}
		case <-deadline:
			t.Fatal("nothing heard after the reconnect within 5 s")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if !strings.Contains(logs.String(), "listener without a connection") {
		t.Errorf("nothing logged of the lost connection: %q", logs.String())
	}
}

// Listen ends when the store closes.
func TestPostgresListenClose(t *testing.T) {
	dsn := pgtest.Start(t)
	s, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- s.Listen(context.Background(), func(string) {}) }()
	time.Sleep(50 * time.Millisecond)
	s.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Listen after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Listen still running 5 s after Close")
	}
	if err := s.Listen(context.Background(), func(string) {}); err == nil {
		t.Error("Listen on a closed store: no error")
	}
	if _, err := s.Acked(ctx, "masnou-1"); err == nil {
		t.Error("Acked on a closed store: no error")
	}
}

// The pool's connections cut (a server restart): no call fails.
func TestPostgresPoolDropsBroken(t *testing.T) {
	dsn := pgtest.Start(t)
	s := openPostgresDSN(t, dsn)
	ingest(t, s, "masnou-1", batch(1, 3), 3)
	// Several connections in the pool.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if _, err := s.Snapshot(ctx, "masnou-oac"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'torn-central' AND datname = current_database()`).Scan(&n)
	if err != nil || n < 2 {
		t.Fatalf("cut %d connections, %v; want several", n, err)
	}
	time.Sleep(idlePing + 100*time.Millisecond)
	for range 10 {
		if acked, err := s.Acked(ctx, "masnou-1"); err != nil || acked != 3 {
			t.Fatalf("after the cut: acked %d, %v", acked, err)
		}
	}
}

func TestBackoff(t *testing.T) {
	for fails, want := range map[int]time.Duration{1: minBackoff, 2: 2 * minBackoff, 4: 8 * minBackoff, 20: maxBackoff, 1000: maxBackoff} {
		for range 20 {
			if got := backoff(fails); got < want/2 || got >= want*3/2 {
				t.Errorf("backoff(%d) = %v, want %v ± 50%%", fails, got, want)
			}
		}
	}
}

// syncBuffer is a bytes.Buffer for a logger on another goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
