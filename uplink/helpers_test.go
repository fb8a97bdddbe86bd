package uplink

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/store"
	"torn.cat/torn/uplink/uplinktest"
)

// day0 is the tests' today, 09:00 UTC.
var day0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// testToken is the device's token in the tests: no log may contain it.
const testToken = "tok-5ecret-d0-not-log"

func testConfig() dispenser.Config {
	var h dispenser.Hours
	for wd := range h.Weekly {
		h.Weekly[wd] = []dispenser.Range{{From: 0, To: 24 * 60}}
	}
	return dispenser.Config{
		Office:   "masnou-oac",
		Location: time.UTC,
		Services: []dispenser.Service{{ID: "a", Prefix: "A", Names: map[dispenser.Lang]string{"ca": "A"}, Hours: h}},
		Desks:    []dispenser.Desk{{ID: "d1", Profile: []dispenser.ServiceID{"a"}}},
		Rules:    dispenser.Rules{NoCutOff: true},
	}
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// logBuffer is a log shared by goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// count counts the log lines with every one of subs.
func (l *logBuffer) count(subs ...string) int {
	n := 0
	for line := range strings.SplitSeq(l.String(), "\n") {
		all := line != ""
		for _, s := range subs {
			all = all && strings.Contains(line, s)
		}
		if all {
			n++
		}
	}
	return n
}

// device is a tornd's office, store and uplink.
type device struct {
	t      testing.TB
	store  *store.Store
	office *office.Office
	clock  *clock
	logs   *logBuffer
	log    *slog.Logger
	client *Client

	mu    sync.Mutex
	waits []time.Duration // the backoffs the client asked for

	cancel context.CancelFunc
	done   chan error
}

// newDevice opens a store in a real file, checked with bbolt's consistency
// check when the test ends, and an office on it at day0.
func newDevice(t testing.TB) *device {
	t.Helper()
	path := filepath.Join(t.TempDir(), "torn.db")
	st, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	d := &device{t: t, store: st, clock: &clock{t: day0}, logs: &logBuffer{}}
	d.log = slog.New(slog.NewTextHandler(d.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		d.stop()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
		checkFile(t, path)
		if strings.Contains(d.logs.String(), testToken) {
			t.Error("the log contains the device's token")
		}
		if t.Failed() {
			t.Logf("device log:\n%s", d.logs)
		}
	})
	d.openOffice()
	return d
}

// checkFile runs bbolt's consistency check on the database at path.
func checkFile(t testing.TB, path string) {
	t.Helper()
	if err := store.Verify(path); err != nil {
		t.Error(err)
	}
}

// openOffice opens the office on the store (again, after preload).
func (d *device) openOffice() {
	d.t.Helper()
	o, err := office.Open(testConfig(), d.store, office.Options{Now: d.clock.Now, Log: d.log})
	if err != nil {
		d.t.Fatal(err)
	}
	d.office = o
}

// preload commits n printer events at time at straight to the store, in
// one transaction, before the client starts.
func (d *device) preload(n int, at time.Time) {
	d.t.Helper()
	evs := make([]dispenser.Event, n)
	for i := range evs {
		evs[i] = dispenser.Event{Time: at, Type: dispenser.PrinterChanged, Printer: &dispenser.PrinterStatus{Ready: i%2 == 0}}
	}
	if err := d.store.Commit(evs); err != nil {
		d.t.Fatal(err)
	}
	d.openOffice()
}

// issue issues n walk-in tickets.
func (d *device) issue(n int) {
	d.t.Helper()
	for range n {
		if _, err := d.office.Do(dispenser.Issue{Service: "a"}); err != nil {
			d.t.Fatal(err)
		}
	}
}

// newClient returns the device's client for central at url: backoffs are
// recorded and last a millisecond, the jitter factor is 1.
func (d *device) newClient(url string) *Client {
	return &Client{
		URL:    url,
		Device: "masnou-1",
		Token:  testToken,
		Office: d.office,
		Store:  d.store,
		Log:    d.log,
		Rand:   func() float64 { return 0.5 },
		After: func(wait time.Duration) <-chan time.Time {
			d.mu.Lock()
			d.waits = append(d.waits, wait)
			d.mu.Unlock()
			return time.After(time.Millisecond)
		},
	}
}

// start runs the client for central c; edit, if not nil, changes it first.
func (d *device) start(c *uplinktest.Central, edit func(*Client)) {
	d.t.Helper()
	d.client = d.newClient(c.URL())
	if edit != nil {
		edit(d.client)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel, d.done = cancel, make(chan error, 1)
	go func() { d.done <- d.client.Run(ctx) }()
}

// stop ends Run and fails the test unless it returns nil at once.
func (d *device) stop() {
	d.t.Helper()
	if d.cancel == nil {
		return
	}
	d.cancel()
	d.cancel = nil
	select {
	case err := <-d.done:
		if err != nil {
			d.t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		d.t.Fatal("Run did not return after its context ended")
	}
}

func (d *device) backoffs() []time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.waits)
}

// outbox returns every event in the store's log.
func (d *device) outbox() []dispenser.Event {
	d.t.Helper()
	evs, err := d.store.Outbox(0, math.MaxInt)
	if err != nil {
		d.t.Fatal(err)
	}
	return evs
}

func (d *device) acked() uint64 {
	d.t.Helper()
	a, err := d.store.Acked()
	if err != nil {
		d.t.Fatal(err)
	}
	return a
}

// eventually polls cond every millisecond for up to 5 s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// sameEvents fails t unless got and want are the same events, as JSON.
func sameEvents(t testing.TB, what string, got, want []dispenser.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events (seqs %s), want %d (seqs %s)", what, len(got), seqRange(got), len(want), seqRange(want))
	}
	for i := range got {
		g, _ := json.Marshal(got[i])
		w, _ := json.Marshal(want[i])
		if !bytes.Equal(g, w) {
			t.Fatalf("%s: event %d:\n got %s\nwant %s", what, i, g, w)
		}
	}
}

// seqRange describes the seqs of evs briefly: "1-500,502".
func seqRange(evs []dispenser.Event) string {
	var parts []string
	for i := 0; i < len(evs); {
		j := i
		for j+1 < len(evs) && evs[j+1].Seq == evs[j].Seq+1 {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprint(evs[i].Seq))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", evs[i].Seq, evs[j].Seq))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// seqs returns the seqs of evs.
func seqs(evs []dispenser.Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}

// noViolations fails t if central saw events out of the protocol's order.
func noViolations(t testing.TB, c *uplinktest.Central) {
	t.Helper()
	if v := c.Violations(); len(v) > 0 {
		t.Errorf("protocol order violations: %q", v)
	}
}

// caughtUp waits until central has every event of the device and the
// device's cursor says so.
func caughtUp(t testing.TB, c *uplinktest.Central, d *device) {
	t.Helper()
	last := d.store.LastSeq()
	c.Wait(t, "central's cursor at the device's last event", func() bool { return c.Acked() == last })
	eventually(t, "the device's cursor at its last event", func() bool { return d.acked() == last })
}
