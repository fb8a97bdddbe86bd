package uplink

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/store"
	"torn.cat/torn/syncproto"
	"torn.cat/torn/uplink/uplinktest"
)

func TestSync(t *testing.T) {
	c := uplinktest.New(t)
	c.SetClockOffset(-3 * time.Hour)
	d := newDevice(t)
	d.issue(5)
	d.start(c, nil)

	caughtUp(t, c, d)
	sameEvents(t, "received", c.Received(), d.outbox())

	hellos := c.Hellos()
	if len(hellos) != 1 {
		t.Fatalf("%d hellos, want 1", len(hellos))
	}
	h := hellos[0]
	if h.Type != syncproto.TypeHello || h.Proto != syncproto.Version || h.Device != "masnou-1" || h.Token != testToken ||
		h.Office != "masnou-oac" || h.Acked != 0 || h.First != 1 || h.Config == nil || h.Config.Office != "masnou-oac" || h.Config.TimeZone != "UTC" {
		t.Errorf("hello: %+v", h)
	}

	// Tickets issued while connected follow at once.
	d.issue(3)
	caughtUp(t, c, d)
	sameEvents(t, "received", c.Received(), d.outbox())
	noViolations(t, c)

	st := d.client.Status()
	if !st.Connected || st.Since.IsZero() || st.Acked != d.store.LastSeq() || st.LastSeq != d.store.LastSeq() || st.Backlog != 0 || st.LastError != "" {
		t.Errorf("status: %+v", st)
	}
	if off := st.ClockOffset + 3*time.Hour; off < -time.Second || off > time.Second {
		t.Errorf("clock offset %v, want about -3h", st.ClockOffset)
	}
	if d.logs.count("connected to central", "device=masnou-1") != 1 || d.logs.count("the device's clock is off") != 1 {
		t.Errorf("no connected line, or no clock warning:\n%s", d.logs)
	}

	// Run returns when its context ends, and central hears the device go.
	d.stop()
	c.Wait(t, "the device's close frame", func() bool {
		cl := c.DeviceCloses()
		return len(cl) == 1 && cl[0].Code == syncproto.CloseGoingAway
	})
	c.Wait(t, "the connection to end", func() bool { return !c.Connected() })
	if st := d.client.Status(); st.Connected || st.LastError != "" {
		t.Errorf("status after Run returned: %+v", st)
	}
}

// The device sends at most MaxBatch events a message and MaxInFlight past
// the last ack; events purged while it waited for an ack are declared gone.
func TestWindowAndPurgeMidStream(t *testing.T) {
	c := uplinktest.New(t)
	c.HoldAcks(true)
	d := newDevice(t)
	old := day0.AddDate(0, 0, -100)
	d.preload(syncproto.MaxInFlight+1000, old)
	d.start(c, nil)

	c.Wait(t, "a full window", func() bool { return len(c.Received()) >= syncproto.MaxInFlight })
	time.Sleep(20 * time.Millisecond) // a chance to send too much
	if n := len(c.Received()); n != syncproto.MaxInFlight {
		t.Fatalf("%d events sent without an ack, want %d", n, syncproto.MaxInFlight)
	}
	for _, n := range c.Batches() {
		if n > syncproto.MaxBatch {
			t.Fatalf("batches %v: one over %d", c.Batches(), syncproto.MaxBatch)
		}
	}

	// Retention purges the old events, those not sent yet included; new
	// ones come.
	if _, err := d.store.Purge(day0, store.Retention{}); err != nil {
		t.Fatal(err)
	}
	d.issue(3)
	c.HoldAcks(false)
	caughtUp(t, c, d)
	if g := c.Gones(); len(g) != 1 || g[0] != syncproto.MaxInFlight+1000 {
		t.Errorf("gones %v, want [%d]", g, syncproto.MaxInFlight+1000)
	}
	got := c.Stored()
	sameEvents(t, "stored after the gap", got[syncproto.MaxInFlight:], d.outbox())
	noViolations(t, c)
}

// A connection lost with a batch, its acks withheld: the device resends
// from central's acked, and central ends up with every event.
func TestResume(t *testing.T) {
	c := uplinktest.New(t)
	c.HoldAcks(true)
	c.LoseBatch(3)
	d := newDevice(t)
	d.preload(1400, day0)
	d.start(c, nil)

	c.Wait(t, "a second connection", func() bool { return c.Welcomed() == 2 })
	c.Wait(t, "central to have everything", func() bool { return c.Acked() == 1400 })
	if h := c.Hellos(); h[1].Acked != 0 {
		t.Errorf("second hello says acked %d; no ack was sent", h[1].Acked)
	}
	// The welcome's acked (1000) is an acknowledgement.
	eventually(t, "the device's cursor at central's acked", func() bool { return d.acked() == 1000 })
	c.HoldAcks(false)
	eventually(t, "the device's cursor at its last event", func() bool { return d.acked() == 1400 })

	want := append(seqs(d.outbox()), seqs(d.outbox()[1000:])...)
	if got := seqs(c.Received()); !slices.Equal(got, want) {
		t.Errorf("received %v", seqRange(c.Received()))
	}
	sameEvents(t, "stored", c.Stored(), d.outbox())
	noViolations(t, c)
}

// Connections dropped again and again while tickets are issued: nothing
// is missing at the end.
func TestResumeUnderFire(t *testing.T) {
	c := uplinktest.New(t)
	d := newDevice(t)
	d.preload(2000, day0)
	d.start(c, nil)

	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			if _, err := d.office.Do(dispenser.Issue{Service: "a"}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range 6 {
		c.Wait(t, "a connection", func() bool { return c.Welcomed() > i })
		c.HoldAcks(i%2 == 0)
		c.Drop()
	}
	<-done
	c.HoldAcks(false)
	caughtUp(t, c, d)
	sameEvents(t, "stored", c.Stored(), d.outbox())
	noViolations(t, c)
}

// Central lost data: the device sends again what central lacks, and its
// own cursor does not move back.
func TestCentralLostData(t *testing.T) {
	c := uplinktest.New(t)
	d := newDevice(t)
	d.issue(10)
	last := d.store.LastSeq()
	d.start(c, nil)
	caughtUp(t, c, d)

	c.SetAcked(5)
	c.Drop()
	c.Wait(t, "a second connection", func() bool { return c.Welcomed() == 2 })
	caughtUp(t, c, d)
	if h := c.Hellos(); h[1].Acked != last {
		t.Errorf("second hello says acked %d, want %d", h[1].Acked, last)
	}
	if a := d.acked(); a != last {
		t.Errorf("the device's cursor is %d, want %d", a, last)
	}
	out := d.outbox()
	want := append(seqs(out), seqs(out[5:])...)
	if got := seqs(c.Received()); !slices.Equal(got, want) {
		t.Errorf("received %v, want %v", got, want)
	}
	sameEvents(t, "stored", c.Stored(), out)
	noViolations(t, c)
}

// The device's store was reset: central has more than the device's log.
// The device says so and stays connected.
func TestDeviceLogReset(t *testing.T) {
	c := uplinktest.New(t)
	c.SetAcked(1000)
	d := newDevice(t)
	d.issue(4)
	last := d.store.LastSeq()
	d.start(c, nil)

	c.Wait(t, "a connection", c.Connected)
	eventually(t, "the error in the status", func() bool {
		return strings.Contains(d.client.Status().LastError, "store was reset")
	})
	if d.logs.count("level=ERROR", "central_acked=1000", fmt.Sprintf("last_seq=%d", last)) != 1 {
		t.Errorf("no error with both numbers:\n%s", d.logs)
	}
	d.issue(1)
	time.Sleep(10 * time.Millisecond)
	if n := len(c.Received()); n != 0 || d.acked() != 0 || c.Welcomed() != 1 {
		t.Errorf("sent %d events, cursor %d, %d connections; want none, 0, 1", n, d.acked(), c.Welcomed())
	}
}

// Events purged before they were sent are declared gone before the rest.
func TestGone(t *testing.T) {
	c := uplinktest.New(t)
	d := newDevice(t)
	d.clock.Set(day0.AddDate(0, 0, -100))
	d.issue(3)
	purged := d.store.LastSeq()
	d.clock.Set(day0)
	d.issue(2)
	if res, err := d.store.Purge(day0, store.Retention{}); err != nil || res.EventsDeleted != int(purged) {
		t.Fatalf("purge: %+v, %v; want %d events deleted", res, err, purged)
	}
	d.start(c, nil)

	caughtUp(t, c, d)
	if h := c.Hellos(); h[0].First != purged+1 {
		t.Errorf("hello says first %d, want %d", h[0].First, purged+1)
	}
	if g := c.Gones(); len(g) != 1 || g[0] != purged {
		t.Errorf("gones %v, want [%d]", g, purged)
	}
	sameEvents(t, "received", c.Received(), d.outbox())
	noViolations(t, c)
}

// An event too big for any message is declared gone rather than closing
// every connection: a day's book of long appointment ids.
func TestEventTooBig(t *testing.T) {
	c := uplinktest.New(t)
	d := newDevice(t)
	d.issue(1)
	b := dispenser.Book{Day: "2026-11-24", Appointments: make([]dispenser.Booking, dispenser.MaxAppointments)}
	for i := range b.Appointments {
		b.Appointments[i] = dispenser.Booking{
			ID:           dispenser.AppointmentID(fmt.Sprintf("%05d-%s", i, strings.Repeat("x", 250))),
			Slot:         day0.Add(time.Hour),
			Service:      "a",
			DocumentHash: strings.Repeat("ab", 32),
		}
	}
	if _, err := d.office.Do(dispenser.LoadBook{Book: b}); err != nil {
		t.Fatal(err)
	}
	big := d.store.LastSeq()
	d.issue(1)
	d.start(c, nil)

	caughtUp(t, c, d)
	if g := c.Gones(); len(g) != 1 || g[0] != big {
		t.Errorf("gones %v, want [%d]", g, big)
	}
	if d.logs.count("level=ERROR", "too big") != 1 {
		t.Errorf("no error for the event too big:\n%s", d.logs)
	}
	noViolations(t, c)
}

// Books and commands from central are applied once per id, across
// reconnections, and answered; refusals carry the reason.
func TestBooksAndCommandsApplyOnce(t *testing.T) {
	c := uplinktest.New(t)
	d := newDevice(t)
	d.issue(2)
	d.start(c, nil)
	c.Wait(t, "a connection", c.Connected)

	book := &syncproto.Book{Type: syncproto.TypeBook, ID: "book-17", Book: dispenser.Book{
		Day: "2026-11-24", Version: "c-17",
		Appointments: []dispenser.Booking{{ID: "1", Slot: day0.Add(time.Hour), Service: "a", DocumentHash: strings.Repeat("0f", 32)}},
	}}
	next := &syncproto.Command{Type: syncproto.TypeCommand, ID: "cmd-1", Command: syncproto.DeskCommand{Kind: "next", Desk: "d1", Clerk: "anna"}}
	send := func(msgs ...any) {
		t.Helper()
		for _, m := range msgs {
			if err := c.Send(m); err != nil {
				t.Fatal(err)
			}
		}
	}
	send(book, book, next, next,
		&syncproto.Command{Type: syncproto.TypeCommand, ID: "cmd-2", Command: syncproto.DeskCommand{Kind: "next", Desk: "taula9"}},
		&syncproto.Command{Type: syncproto.TypeCommand, ID: "cmd-3", Command: syncproto.DeskCommand{Kind: "dance"}},
		&syncproto.Config{Type: syncproto.TypeConfig, ID: "cfg-1", OfficeKey: "00ff"},
	)
	c.Wait(t, "7 answers", func() bool { return len(c.Applied()) == 7 })
	want := []syncproto.Applied{
		{ID: "book-17"}, {ID: "book-17"}, {ID: "cmd-1"}, {ID: "cmd-1"},
		{ID: "cmd-2", Error: "unknown desk"}, {ID: "cmd-3", Error: "unknown command kind"}, {ID: "cfg-1", Error: "not supported"},
	}
	checkApplied(t, c.Applied(), want)

	// After a reconnect central sends them again: answered, not applied.
	c.Drop()
	c.Wait(t, "a second connection", func() bool { return c.Welcomed() == 2 && c.Connected() })
	if h := c.Hellos(); h[1].Books["2026-11-24"] != "c-17" {
		t.Errorf("second hello's books: %v", h[1].Books)
	}
	send(book, next)
	c.Wait(t, "9 answers", func() bool { return len(c.Applied()) == 9 })
	checkApplied(t, c.Applied()[7:], []syncproto.Applied{{ID: "book-17"}, {ID: "cmd-1"}})

	var books []dispenser.Book
	var called int
	d.office.View(func(dd *dispenser.Dispenser, _ time.Time) {
		books = dd.Books()
		for _, tk := range dd.Tickets() {
			if tk.State == dispenser.Called {
				called++
			}
		}
	})
	if len(books) != 1 || books[0].Version != "c-17" || called != 1 {
		t.Errorf("books %+v and %d tickets called; want the one book and 1", books, called)
	}
	applied := map[string]int{}
	for _, e := range d.outbox() {
		if e.Applied != "" {
			applied[e.Applied]++
		}
	}
	if applied["book-17"] != 1 || applied["cmd-1"] == 0 || len(applied) != 2 {
		t.Errorf("events carrying applied ids: %v", applied)
	}
	caughtUp(t, c, d)
	sameEvents(t, "stored", c.Stored(), d.outbox())
}

func TestConfigFromCentral(t *testing.T) {
	c := uplinktest.New(t)
	d := newDevice(t)
	var keys []string
	d.start(c, func(cl *Client) {
		cl.OnConfig = func(cfg syncproto.Config) error {
			if len(cfg.OfficeKey) != 64 {
				return errBadKey
			}
			keys = append(keys, cfg.OfficeKey)
			return nil
		}
	})
	c.Wait(t, "a connection", c.Connected)
	key := strings.Repeat("a1", 32)
	for _, m := range []*syncproto.Config{{Type: syncproto.TypeConfig, ID: "k1", OfficeKey: key}, {Type: syncproto.TypeConfig, ID: "k2", OfficeKey: "12"}} {
		if err := c.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	c.Wait(t, "2 answers", func() bool { return len(c.Applied()) == 2 })
	checkApplied(t, c.Applied(), []syncproto.Applied{{ID: "k1"}, {ID: "k2", Error: errBadKey.Error()}})
	d.stop()
	if len(keys) != 1 || keys[0] != key {
		t.Errorf("keys taken: %q", keys)
	}
}

var errBadKey = errors.New("office key: want 64 hex digits")

// checkApplied compares answers; a wanted error is a substring.
func checkApplied(t *testing.T, got, want []syncproto.Applied) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("answers %+v, want %+v", got, want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Type != syncproto.TypeApplied || g.ID != w.ID || (w.Error == "") != (g.Error == "") || !strings.Contains(g.Error, w.Error) {
			t.Errorf("answer %d: %+v, want %+v", i, g, w)
		}
	}
}

// failingStore is the store with commits that fail on demand.
type failingStore struct {
	*store.Store
	fail atomic.Bool
}

func (f *failingStore) Commit(evs []dispenser.Event) error {
	if f.fail.Load() {
		return errors.New("disk full")
	}
	return f.Store.Commit(evs)
}

// A message the device fails to apply for its own reasons is not refused:
// the device closes the connection, and applies it when it comes again.
func TestApplyFailureIsNotARefusal(t *testing.T) {
	c := uplinktest.New(t)
	d := newDevice(t)
	fs := &failingStore{Store: d.store}
	o, err := office.Open(testConfig(), fs, office.Options{Now: d.clock.Now, Log: d.log})
	if err != nil {
		t.Fatal(err)
	}
	d.office = o
	d.issue(1)
	d.start(c, nil)
	c.Wait(t, "a connection", c.Connected)

	fs.fail.Store(true)
	cmd := &syncproto.Command{Type: syncproto.TypeCommand, ID: "cmd-1", Command: syncproto.DeskCommand{Kind: "next", Desk: "d1"}}
	if err := c.Send(cmd); err != nil {
		t.Fatal(err)
	}
	c.Wait(t, "the device's close", func() bool { return len(c.DeviceCloses()) == 1 })
	if cl := c.DeviceCloses()[0]; cl.Code != syncproto.CloseNormal || !strings.Contains(cl.Reason, "cmd-1") {
		t.Errorf("close frame %+v", cl)
	}
	if len(c.Applied()) != 0 {
		t.Errorf("answers %+v to a message not applied", c.Applied())
	}

	fs.fail.Store(false)
	c.Wait(t, "a second connection", func() bool { return c.Welcomed() == 2 && c.Connected() })
	if err := c.Send(cmd); err != nil {
		t.Fatal(err)
	}
	c.Wait(t, "an answer", func() bool { return len(c.Applied()) == 1 })
	checkApplied(t, c.Applied(), []syncproto.Applied{{ID: "cmd-1"}})
	if d.logs.count("disconnected from central", "disk full") != 1 {
		t.Errorf("no line for the failure:\n%s", d.logs)
	}
}

func TestRefused(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("desk x: %w", dispenser.ErrUnknownDesk), true},
		{fmt.Errorf("%w: no id", dispenser.ErrInvalid), true},
		{&dispenser.Refusal{Reason: dispenser.RefusedClosed}, true},
		{refusal{errors.New("bad key")}, true},
		{fmt.Errorf("record ticket.called: %w", errors.New("disk full")), false},
		{office.ErrBroken, false},
	} {
		if got := refused(c.err); got != c.want {
			t.Errorf("refused(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestRunChecksItsFields(t *testing.T) {
	d := newDevice(t)
	for i, edit := range []func(*Client){
		func(c *Client) { c.URL = "" },
		func(c *Client) { c.URL = "https://central.example/sync" },
		func(c *Client) { c.Token = "" },
		func(c *Client) { c.Store = nil },
	} {
		c := d.newClient("wss://central.example/sync")
		edit(c)
		if err := c.Run(context.Background()); err == nil {
			t.Errorf("Run of client %d: no error", i)
		}
	}
}
