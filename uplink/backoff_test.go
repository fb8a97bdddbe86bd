package uplink

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// half makes the jitter factor 1.
func half() float64 { return 0.5 }

func TestBackoffGrowsToItsCap(t *testing.T) {
	b := backoff{rand: half}
	var got []time.Duration
	for range 9 {
		got = append(got, b.next(0, false))
	}
	s := time.Second
	want := []time.Duration{s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 60 * s, 60 * s, 60 * s}
	if !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}

func TestBackoffJitter(t *testing.T) {
	for _, c := range []struct {
		rand float64
		want time.Duration
	}{{0, 500 * time.Millisecond}, {0.5, time.Second}, {0.999, 1499 * time.Millisecond}} {
		b := backoff{rand: func() float64 { return c.rand }}
		if got := b.next(0, false); got != c.want {
			t.Errorf("rand %v: first wait %v, want %v", c.rand, got, c.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	b := backoff{rand: r.Float64}
	base := MinBackoff
	seen := map[bool]bool{}
	for range 1000 {
		got := b.next(0, false)
		if got < base/2 || got >= base*3/2 {
			t.Fatalf("wait %v outside [%v, %v)", got, base/2, base*3/2)
		}
		seen[got < base] = true
		base = min(2*base, MaxBackoff)
	}
	if len(seen) != 2 {
		t.Errorf("the jitter never went both ways")
	}
}

func TestBackoffResetsAfterAStableConnection(t *testing.T) {
	b := backoff{rand: half}
	for range 5 {
		b.next(0, false)
	}
	if got := b.next(StableAfter-time.Second, false); got != 32*time.Second {
		t.Errorf("after a connection shorter than %v: %v, want 32s", StableAfter, got)
	}
	if got := b.next(StableAfter, false); got != MinBackoff {
		t.Errorf("after a connection of %v: %v, want %v", StableAfter, got, MinBackoff)
	}
	if got := b.next(0, false); got != 2*MinBackoff {
		t.Errorf("then %v, want %v", got, 2*MinBackoff)
	}
}

func TestBackoffSlow(t *testing.T) {
	b := backoff{rand: half}
	b.next(0, false)
	if got := b.next(0, true); got != SlowBackoff {
		t.Errorf("slow wait %v, want %v", got, SlowBackoff)
	}
	if got := b.next(0, false); got != 2*time.Second {
		t.Errorf("after a slow wait: %v, want the doubling to go on (2s)", got)
	}
	b = backoff{rand: func() float64 { return 0 }}
	if got := b.next(time.Hour, true); got != SlowBackoff/2 {
		t.Errorf("slow wait with the least jitter: %v, want %v", got, SlowBackoff/2)
	}
}

func TestRepeats(t *testing.T) {
	var r repeats
	t0 := day0
	check := func(msg string, at time.Duration, wantOK bool, wantSkipped int) {
		t.Helper()
		ok, skipped := r.admit(msg, t0.Add(at))
		if ok != wantOK || skipped != wantSkipped {
			t.Errorf("%q at %v: %v, %d; want %v, %d", msg, at, ok, skipped, wantOK, wantSkipped)
		}
	}
	check("refused", 0, true, 0)
	check("refused", time.Minute, false, 0)
	check("refused", 2*time.Minute, false, 0)
	check("refused", repeatLogEvery, true, 2)
	check("unreachable", repeatLogEvery+time.Second, true, 0)
	check("refused", repeatLogEvery+2*time.Second, true, 0)
	r.reset()
	check("refused", repeatLogEvery+3*time.Second, true, 0)
}

// Run's own clock, in a bubble: the dials follow the backoff, the same
// failure is logged once per repeatLogEvery, and Run returns at once when
// its context ends during a wait.
func TestRunBackoffTimeline(t *testing.T) {
	d := newDevice(t)
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var dials []time.Duration
		c := d.newClient("ws://central.invalid/sync")
		c.After, c.Rand = nil, half // the bubble's time.After
		c.netDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials = append(dials, time.Since(start))
			return nil, errors.New("network is unreachable")
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- c.Run(ctx) }()

		time.Sleep(700 * time.Second)
		synctest.Wait()
		cancel()
		synctest.Wait()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		default:
			t.Fatal("Run did not return when its context ended")
		}

		s := time.Second
		want := []time.Duration{0, s, 3 * s, 7 * s, 15 * s, 31 * s, 63 * s, 123 * s, 183 * s, 243 * s, 303 * s, 363 * s, 423 * s, 483 * s, 543 * s, 603 * s, 663 * s}
		if !slices.Equal(dials, want) {
			t.Errorf("dials at %v, want %v", dials, want)
		}
		if n := d.logs.count("cannot connect to central", "network is unreachable"); n != 2 {
			t.Errorf("%d lines for the same failure over 11 minutes, want 2:\n%s", n, d.logs)
		}
		if d.logs.count("cannot connect to central", "repeated=14") != 1 {
			t.Errorf("the second line does not count the 14 skipped:\n%s", d.logs)
		}
		if st := c.Status(); st.Connected || st.LastError == "" || !st.Since.Equal(start.Add(663*s)) {
			t.Errorf("status %+v", st)
		}
	})
}

// TestBackoffCapped: a lower cap stops the doubling there.
func TestBackoffCapped(t *testing.T) {
	b := backoff{rand: func() float64 { return 0.5 }, max: 3 * time.Second}
	var got []time.Duration
	for range 5 {
		got = append(got, b.next(0, false))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits %v, want %v", got, want)
		}
	}
}
