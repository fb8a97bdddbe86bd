package office

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/store"
)

// memStore is a store in memory that can be told to fail.
type memStore struct {
	events  []dispenser.Event
	tickets map[dispenser.TicketID]dispenser.Ticket
	fail    error
	loads   int
}

func (m *memStore) Load() (dispenser.Snapshot, error) {
	m.loads++
	var s dispenser.Snapshot
	for _, t := range m.tickets {
		s.Tickets = append(s.Tickets, t)
		s.Day = t.Day
	}
	return s, nil
}

func (m *memStore) Commit(evs []dispenser.Event) error {
	if m.fail != nil {
		return m.fail
	}
	for i := range evs {
		evs[i].Seq = uint64(len(m.events) + 1)
		m.events = append(m.events, evs[i])
		if evs[i].Ticket != nil {
			m.tickets[evs[i].Ticket.ID] = *evs[i].Ticket
		}
	}
	return nil
}

func testConfig() dispenser.Config {
	var h dispenser.Hours
	for wd := range h.Weekly {
		h.Weekly[wd] = []dispenser.Range{{From: 0, To: 24 * 60}}
	}
	return dispenser.Config{
		Office:   "t",
		Services: []dispenser.Service{{ID: "a", Prefix: "A", Names: map[dispenser.Lang]string{"ca": "A"}, Hours: h}},
		Desks:    []dispenser.Desk{{ID: "d1", Profile: []dispenser.ServiceID{"a"}}},
		Rules:    dispenser.Rules{NoCutOff: true},
	}
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func open(t *testing.T, st Store, clk *fakeClock) *Office {
	t.Helper()
	o, err := Open(testConfig(), st, Options{Now: clk.now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestCommitFailureLeavesMemoryAsTheDisk(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &fakeClock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	o := open(t, st, clk)
	if _, err := o.Do(dispenser.Issue{Service: "a"}); err != nil {
		t.Fatal(err)
	}
	st.fail = errors.New("disk full")
	if _, err := o.Do(dispenser.Issue{Service: "a"}); err == nil || !errors.Is(err, st.fail) {
		t.Fatalf("Do with a failing store: %v", err)
	}
	st.fail = nil
	evs, err := o.Do(dispenser.Issue{Service: "a"})
	if err != nil {
		t.Fatal(err)
	}
	// The failed ticket never existed: the next one takes its number.
	if n := evs[len(evs)-1].Ticket.Number; n != "A002" {
		t.Fatalf("after a failed commit the next number is %s, want A002", n)
	}
	var count int
	o.View(func(d *dispenser.Dispenser, _ time.Time) { count = len(d.Tickets()) })
	if count != 2 {
		t.Fatalf("%d tickets in memory, want the 2 committed", count)
	}
}

func TestIssueGetsRandomIDAndToken(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	o := open(t, st, &fakeClock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		evs, err := o.Do(dispenser.Issue{Service: "a"})
		if err != nil {
			t.Fatal(err)
		}
		tk := evs[len(evs)-1].Ticket
		if len(tk.Token) != 22 || len(tk.ID) != 16 || seen[tk.Token] || seen[string(tk.ID)] {
			t.Fatalf("ticket %d: id %q token %q", i, tk.ID, tk.Token)
		}
		seen[tk.Token], seen[string(tk.ID)] = true, true
	}
}

func TestClockBackwardsRecordsTheLastTime(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &fakeClock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	o := open(t, st, clk)
	o.Do(dispenser.Issue{Service: "a"})
	first := clk.t
	clk.t = clk.t.Add(-2 * time.Hour)
	evs, err := o.Do(dispenser.Issue{Service: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if !evs[0].Time.Equal(first) {
		t.Fatalf("event recorded at %v after the clock went back, want the floor %v", evs[0].Time, first)
	}
}

func TestSubscribersSeeCommittedEventsInOrder(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	o := open(t, st, &fakeClock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
	sub := o.Subscribe()
	o.Do(dispenser.Issue{Service: "a"})
	st.fail = errors.New("io error")
	o.Do(dispenser.Issue{Service: "a"}) // not committed: not published
	st.fail = nil
	o.Do(dispenser.CallNext{Desk: "d1"})
	var got []dispenser.EventType
	for i := 0; i < 2; i++ {
		for _, e := range <-sub.Events() {
			if e.Seq == 0 {
				t.Fatalf("subscriber got an event without a sequence number: %+v", e)
			}
			got = append(got, e.Type)
		}
	}
	want := []dispenser.EventType{dispenser.DayStarted, dispenser.TicketIssued, dispenser.DeskChanged, dispenser.TicketCalled}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	sub.Cancel()
	sub.Cancel()
	if _, ok := <-sub.Events(); ok {
		t.Fatal("channel open after Cancel")
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	o := open(t, st, &fakeClock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
	sub := o.Subscribe()
	for i := 0; i <= SubscriptionBuffer; i++ {
		if _, err := o.Do(dispenser.Issue{Service: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for range sub.Events() {
		n++
	}
	if n != SubscriptionBuffer {
		t.Fatalf("slow subscriber got %d batches before being dropped, want %d", n, SubscriptionBuffer)
	}
}

// TestDoOnce: a message from central is applied once, whatever the
// repeats, across a restart; a refused one records nothing.
func TestDoOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "torn.db")
	st, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close() }()
	o, err := Open(testConfig(), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Do(dispenser.Issue{Service: "a"}); err != nil {
		t.Fatal(err)
	}
	evs, err := o.DoOnce("c1", dispenser.CallNext{Desk: "d1"})
	if err != nil || evs[len(evs)-1].Applied != "c1" {
		t.Fatalf("first: %v %+v", err, evs)
	}
	if _, err := o.DoOnce("c1", dispenser.CallNext{Desk: "d1"}); !errors.Is(err, ErrAlreadyApplied) {
		t.Errorf("repeat: %v, want ErrAlreadyApplied", err)
	}
	if _, err := o.DoOnce("c2", dispenser.CallNext{Desk: "nope"}); !errors.Is(err, dispenser.ErrUnknownDesk) {
		t.Errorf("refused: %v", err)
	}
	if ok, _ := st.Applied("c2"); ok {
		t.Error("a refused command was recorded as applied")
	}
	st.Close()
	st, err = store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	o, err = Open(testConfig(), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.DoOnce("c1", dispenser.CallNext{Desk: "d1"}); !errors.Is(err, ErrAlreadyApplied) {
		t.Errorf("repeat after a restart: %v, want ErrAlreadyApplied", err)
	}
}

// TestRefusedForTheCutOffIsRecorded: a walk-in refused for the cut-off is
// still a refusal to the caller, and its record is committed, numbered,
// published and in the outbox for central; the queue stays as it was,
// after a restart too.
func TestRefusedForTheCutOffIsRecorded(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "torn.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close() }()
	cfg := testConfig()
	cfg.Location = time.UTC
	cfg.Rules.NoCutOff = false
	for wd := range cfg.Services[0].Hours.Weekly {
		cfg.Services[0].Hours.Weekly[wd] = []dispenser.Range{{From: 9 * 60, To: 14 * 60}}
	}
	cfg.Services[0].ServiceTime = 5 * time.Minute
	clk := &fakeClock{time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	o, err := Open(cfg, st, Options{Now: clk.now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Do(dispenser.SetDesk{Desk: "d1", State: dispenser.DeskOpen, Clerk: "anna"}); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(4*time.Hour + 30*time.Minute) // 13:30
	for range 3 {
		if _, err := o.Do(dispenser.Issue{Service: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	sub := o.Subscribe()
	defer sub.Cancel()

	clk.t = clk.t.Add(20 * time.Minute) // 13:50: the fourth would be called after 14:00
	evs, err := o.Do(dispenser.Issue{Service: "a"})
	var r *dispenser.Refusal
	if !errors.As(err, &r) || r.Reason != dispenser.RefusedCutOff {
		t.Fatalf("Issue: %v, want the cut-off", err)
	}
	want := dispenser.Event{Seq: st.LastSeq(), Time: clk.t, Type: dispenser.TicketRefused,
		Refused: &dispenser.Refused{Service: "a", Kind: dispenser.WalkIn, Reason: dispenser.RefusedCutOff}}
	if len(evs) != 1 || evs[0].Seq == 0 || !reflect.DeepEqual(evs[0], want) {
		t.Fatalf("events %+v, want %+v", evs, want)
	}
	if got := <-sub.Events(); len(got) != 1 || got[0].Seq != want.Seq {
		t.Errorf("published %+v, want the record", got)
	}
	out, err := st.Outbox(want.Seq-1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Type != dispenser.TicketRefused || *out[0].Refused != *want.Refused || !out[0].Time.Equal(want.Time) {
		t.Errorf("outbox %+v, want the record", out)
	}

	st.Close()
	if st, err = store.Open(st.Path(), store.Options{NoSync: true}); err != nil {
		t.Fatal(err)
	}
	o, err = Open(cfg, st, Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	o.View(func(d *dispenser.Dispenser, _ time.Time) {
		if ts := d.Tickets(); len(ts) != 3 || ts[2].Number != "A003" || !d.Last().Equal(clk.t) {
			t.Errorf("after a restart: %d tickets, last %v; want 3, %v", len(ts), d.Last(), clk.t)
		}
	})
}
