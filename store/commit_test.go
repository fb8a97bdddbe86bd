package store

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// busyMorning runs a few minutes of an office on o: tickets of both
// services, an appointment checked in with a document, calls, a recall, a
// service, a no-show and a transfer.
func busyMorning(o *office) {
	now := monday
	tick := func() time.Time { now = now.Add(time.Minute); return now }
	o.issue("oac", "", tick())
	o.issue("padro", "", tick())
	o.issue("oac", "hash-of-a-dni", tick())
	o.issue("oac", "", tick())
	o.do(dispenser.CallNext{Desk: "taula1", Clerk: "anna"}, tick())
	o.do(dispenser.Start{Desk: "taula1"}, tick())
	o.do(dispenser.CallNext{Desk: "taula2", Clerk: "pau"}, tick())
	o.do(dispenser.Recall{Desk: "taula2"}, tick())
	o.do(dispenser.MarkNoShow{Desk: "taula2"}, tick())
	o.do(dispenser.Finish{Desk: "taula1"}, tick())
	o.do(dispenser.CallNext{Desk: "taula1"}, tick())
	o.do(dispenser.Transfer{Desk: "taula1", To: "padro"}, tick())
	o.issue("padro", "", tick())
	o.loadBook(tick(), now, "12345678Z", "X1234567L")
	o.loadBook(tick(), now.AddDate(0, 0, 1), "99999999R")
	o.n++
	o.do(dispenser.CheckIn{DocumentHash: hashOf("12345678Z"), ID: dispenser.TicketID(fmt.Sprintf("t%06d", o.n)), Token: fmt.Sprintf("%032x", o.n)}, time.Date(2025, 3, 3, 9, 45, 0, 0, madrid))
}

func TestCommitLoadRoundTrip(t *testing.T) {
	s := mustOpen(t)
	o := newOffice(t, s)
	busyMorning(o)

	check := func(s *Store) {
		t.Helper()
		st, err := s.Load()
		if err != nil {
			t.Fatal(err)
		}
		if st.Day != o.d.Day() || !st.Last.Equal(o.d.Last()) {
			t.Errorf("day %s, last %s; want %s, %s", st.Day, st.Last, o.d.Day(), o.d.Last())
		}
		byID := func(a, b dispenser.Ticket) int { return strings.Compare(string(a.ID), string(b.ID)) }
		got, want := slices.SortedFunc(slices.Values(st.Tickets), byID), slices.SortedFunc(slices.Values(storedTickets(o.d.Tickets())), byID)
		if !slices.Equal(got, want) {
			t.Errorf("tickets:\n got %s\nwant %s", asJSON(t, got), asJSON(t, want))
		}
		desks := map[dispenser.DeskID]dispenser.DeskStatus{}
		for _, d := range st.Desks {
			desks[d.ID] = d
		}
		for _, d := range o.d.Desks() {
			if d.State == dispenser.DeskClosed && d.Since.IsZero() {
				if _, ok := desks[d.ID]; ok {
					t.Errorf("desk %s never changed but is stored", d.ID)
				}
				continue
			}
			if g, w := desks[d.ID], storedDesk(d); g != w {
				t.Errorf("desk %s:\n got %s\nwant %s", d.ID, asJSON(t, g), asJSON(t, w))
			}
		}

		// What boot does: a dispenser rebuilt from the snapshot is the
		// one that wrote it.
		d2, err := dispenser.New(o.cfg, st)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := d2.Tickets(), storedTickets(o.d.Tickets()); !slices.Equal(g, w) {
			t.Errorf("rebuilt dispenser's tickets:\n got %s\nwant %s", asJSON(t, g), asJSON(t, w))
		}
		if g, w := d2.Desks(), storedDesks(o.d.Desks()); !slices.Equal(g, w) {
			t.Errorf("rebuilt dispenser's desks:\n got %s\nwant %s", asJSON(t, g), asJSON(t, w))
		}
		if g, w := d2.Books(), o.d.Books(); len(w) != 2 || !reflect.DeepEqual(g, w) {
			t.Errorf("rebuilt dispenser's books:\n got %s\nwant %s (2 days)", asJSON(t, g), asJSON(t, w))
		}
		if _, ok := d2.CheckedIn(o.d.Books()[0].Appointments[0].ID); !ok {
			t.Error("rebuilt dispenser forgot the check-in")
		}
	}
	check(s)
	check(reopen(t, s))
}

func TestLoadNewStore(t *testing.T) {
	s := mustOpen(t)
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if st.Day != "" || !st.Last.IsZero() || len(st.Tickets) != 0 || len(st.Desks) != 0 {
		t.Errorf("new store loads %+v, want the zero snapshot", st)
	}
	if s.LastSeq() != 0 {
		t.Errorf("LastSeq %d, want 0", s.LastSeq())
	}
}

func TestDayStartedDropsOtherDaysTickets(t *testing.T) {
	s := mustOpen(t)
	o := newOffice(t, s)
	o.issue("oac", "", monday)
	o.issue("padro", "", monday.Add(time.Minute))
	o.do(dispenser.CallNext{Desk: "taula1", Clerk: "anna"}, monday.Add(2*time.Minute))

	// The first command on Tuesday closes Monday and starts Tuesday; all in
	// one commit.
	tuesday := monday.AddDate(0, 0, 1)
	evs, err := o.d.Handle(dispenser.Issue{Service: "oac", ID: "tue1", Token: "tok-tue1"}, tuesday)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(evs); err != nil {
		t.Fatal(err)
	}
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if st.Day != "2025-03-04" {
		t.Errorf("day %q, want 2025-03-04", st.Day)
	}
	if len(st.Tickets) != 1 || st.Tickets[0].ID != "tue1" {
		t.Errorf("tickets after the rollover: %s, want only tue1", asJSON(t, st.Tickets))
	}
	for _, d := range st.Desks {
		if d.State != dispenser.DeskClosed || d.Current != "" {
			t.Errorf("desk %s after the rollover: %s, %q", d.ID, d.State, d.Current)
		}
	}

	// A day with no ticket yet: DayStarted alone.
	wednesday := tuesday.AddDate(0, 0, 1)
	o.do(dispenser.Tick{}, wednesday)
	if st, err = s.Load(); err != nil {
		t.Fatal(err)
	}
	if st.Day != "2025-03-05" || len(st.Tickets) != 0 {
		t.Errorf("after Wednesday's tick: day %s, %d tickets; want 2025-03-05, none", st.Day, len(st.Tickets))
	}
	// The log keeps all of it.
	all, err := s.Outbox(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(o.evs)+len(evs) {
		t.Errorf("log holds %d events, want %d", len(all), len(o.evs)+len(evs))
	}
}

func TestSeqNeverRepeats(t *testing.T) {
	s := mustOpen(t)
	o := newOffice(t, s)
	busyMorning(o)
	for i, e := range o.evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d (%s) has seq %d, want %d", i, e.Type, e.Seq, i+1)
		}
	}
	last := s.LastSeq()
	if last != uint64(len(o.evs)) {
		t.Fatalf("LastSeq %d, want %d", last, len(o.evs))
	}

	s = reopen(t, s)
	if s.LastSeq() != last {
		t.Fatalf("LastSeq after reopening %d, want %d", s.LastSeq(), last)
	}
	// Purge the whole log: the numbers stay taken.
	res, err := s.Purge(monday.AddDate(1, 0, 0), Retention{Days: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.EventsDeleted != len(o.evs) {
		t.Fatalf("purge deleted %d events, want all %d", res.EventsDeleted, len(o.evs))
	}
	if evs, err := s.Outbox(0, 100); err != nil || len(evs) != 0 {
		t.Fatalf("outbox after purging everything: %d events, %v", len(evs), err)
	}
	s = reopen(t, s)
	if s.LastSeq() != last {
		t.Fatalf("LastSeq after purge and reopening %d, want %d", s.LastSeq(), last)
	}
	o.s = s
	evs := o.do(dispenser.Tick{}, monday.AddDate(0, 0, 1))
	if evs[0].Seq != last+1 {
		t.Errorf("first event after purge and reopening has seq %d, want %d", evs[0].Seq, last+1)
	}
	if s.LastSeq() != evs[len(evs)-1].Seq {
		t.Errorf("LastSeq %d, want %d", s.LastSeq(), evs[len(evs)-1].Seq)
	}
}

func TestCommitEmptyIsNoop(t *testing.T) {
	s := mustOpen(t)
	if err := s.Commit(nil); err != nil {
		t.Fatal(err)
	}
	if s.LastSeq() != 0 {
		t.Errorf("LastSeq %d after an empty commit", s.LastSeq())
	}
}

// TestFailedCommitStoresNothing: when Commit fails, the events have no
// sequence numbers, nothing of them is in the file and the next commit
// takes the numbers they would have had.
func TestFailedCommitStoresNothing(t *testing.T) {
	issued := func(id string, at time.Time) dispenser.Event {
		return dispenser.Event{Time: at, Type: dispenser.TicketIssued, Ticket: &dispenser.Ticket{
			ID: dispenser.TicketID(id), Number: "A001", Counter: 1, Day: "2025-03-03", Service: "oac",
			Kind: dispenser.WalkIn, State: dispenser.Waiting, Token: "tok-" + id, Issued: at, Queued: at,
		}}
	}
	cases := []struct {
		name string
		evs  func(s *Store) []dispenser.Event
		want string
	}{
		{"time the encoding cannot hold", func(*Store) []dispenser.Event {
			return []dispenser.Event{issued("x1", monday), issued("x2", monday), issued("x3", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))}
		}, "event 3 (ticket.issued): encode: event time 10000-01-01T00:00:00Z: outside the times the store can hold, 1677-09-21 to 2262-04-11"},
		{"ticket time the encoding cannot hold", func(*Store) []dispenser.Event {
			e := issued("x2", monday)
			e.Ticket.Slot = time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
			return []dispenser.Event{issued("x1", monday), e}
		}, "event 2 (ticket.issued): encode: ticket slot 1600-01-01T00:00:00Z: outside the times the store can hold, 1677-09-21 to 2262-04-11"},
		{"ticket without id", func(*Store) []dispenser.Event {
			e := issued("", monday)
			return []dispenser.Event{issued("x1", monday), e}
		}, "event 2 (ticket.issued): ticket without an id"},
		{"day without a day", func(*Store) []dispenser.Event {
			return []dispenser.Event{issued("x1", monday), {Time: monday, Type: dispenser.DayStarted}}
		}, "event 2 (day.started): no day"},
		{"committed twice", func(s *Store) []dispenser.Event {
			evs := []dispenser.Event{issued("x1", monday)}
			if err := s.Commit(evs); err != nil {
				t.Fatal(err)
			}
			return append([]dispenser.Event{issued("x2", monday)}, evs...)
		}, "event 2 (ticket.issued): already committed as"},
		{"closed store", func(*Store) []dispenser.Event {
			return []dispenser.Event{issued("x1", monday)}
		}, "database not open"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustOpen(t)
			o := newOffice(t, s)
			busyMorning(o)
			evs := c.evs(s)
			seqs := make([]uint64, len(evs))
			for i := range evs {
				seqs[i] = evs[i].Seq
			}
			before, err := s.Load()
			if err != nil {
				t.Fatal(err)
			}
			last := s.LastSeq()
			closed := c.name == "closed store"
			if closed {
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
			}

			err = s.Commit(evs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("commit: %v, want an error with %q", err, c.want)
			}
			for i := range evs {
				if evs[i].Seq != seqs[i] {
					t.Errorf("event %d: seq %d after the failed commit, want %d as given", i+1, evs[i].Seq, seqs[i])
				}
			}
			if closed {
				s = reopen(t, s)
			}
			after, err := s.Load()
			if err != nil {
				t.Fatal(err)
			}
			if asJSON(t, after) != asJSON(t, before) {
				t.Errorf("state changed by a failed commit:\nbefore %s\n after %s", asJSON(t, before), asJSON(t, after))
			}
			if s.LastSeq() != last {
				t.Errorf("LastSeq %d after a failed commit, want %d", s.LastSeq(), last)
			}
			if out, err := s.Outbox(last, 10); err != nil || len(out) != 0 {
				t.Errorf("log after a failed commit: %d events past %d, %v", len(out), last, err)
			}
			// The numbers the failed commit drew were rolled back with it.
			ok := []dispenser.Event{issued("y1", monday)}
			if err := s.Commit(ok); err != nil {
				t.Fatal(err)
			}
			if ok[0].Seq != last+1 {
				t.Errorf("next commit got seq %d, want %d", ok[0].Seq, last+1)
			}
		})
	}
}

// TestConcurrentCommits: commits from many goroutines get distinct
// numbers, and LastSeq ends at the highest.
func TestConcurrentCommits(t *testing.T) {
	s := mustOpen(t)
	const workers, each = 8, 25
	seqs := make(chan uint64, workers*each*2)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				at := monday.Add(time.Duration(w*each+i) * time.Second)
				evs := []dispenser.Event{
					{Time: at, Type: dispenser.DeskChanged, Desk: &dispenser.DeskStatus{ID: "taula1", State: dispenser.DeskOpen, Since: at}},
					{Time: at, Type: dispenser.DeskChanged, Desk: &dispenser.DeskStatus{ID: "taula2", State: dispenser.DeskOpen, Since: at}},
				}
				if err := s.Commit(evs); err != nil {
					t.Error(err)
					return
				}
				if evs[1].Seq != evs[0].Seq+1 {
					t.Errorf("one commit's events got seqs %d and %d", evs[0].Seq, evs[1].Seq)
				}
				seqs <- evs[0].Seq
				seqs <- evs[1].Seq
			}
		})
	}
	wg.Wait()
	close(seqs)
	seen := map[uint64]bool{}
	for q := range seqs {
		if seen[q] {
			t.Errorf("seq %d handed out twice", q)
		}
		seen[q] = true
	}
	if n := uint64(workers * each * 2); s.LastSeq() != n || len(seen) != int(n) {
		t.Errorf("LastSeq %d, %d distinct seqs; want %d", s.LastSeq(), len(seen), n)
	}
}

// TestAppliedIDs: an event that carries the id of a message from central
// records the id with the event, in the same transaction, and only then.
func TestAppliedIDs(t *testing.T) {
	s := mustOpen(t)
	o := newOffice(t, s)
	evs, err := o.d.Handle(dispenser.SetDesk{Desk: "taula1", State: dispenser.DeskOpen}, monday)
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		evs[i].Applied = "cmd-1"
	}
	if ok, err := s.Applied("cmd-1"); ok || err != nil {
		t.Fatalf("applied before the commit: %v %v", ok, err)
	}
	if err := s.Commit(evs); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Applied("cmd-1"); !ok || err != nil {
		t.Errorf("not applied after the commit: %v %v", ok, err)
	}
	if ok, _ := s.Applied("cmd-2"); ok {
		t.Error("an id never committed is applied")
	}
	got, err := s.Outbox(0, 10)
	if err != nil || len(got) == 0 || got[len(got)-1].Applied != "cmd-1" {
		t.Errorf("the event does not keep its applied id: %+v %v", got, err)
	}
}

// TestCommitTurnedAway: the record of a walk-in refused for the cut-off
// goes into the log with the next seq and comes back as it was; it changes
// no ticket, only the last recorded time.
func TestCommitTurnedAway(t *testing.T) {
	s := mustOpen(t)
	o := newOffice(t, s)
	o.issue("oac", "", monday)
	before, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := dispenser.Event{Time: monday.Add(time.Minute), Type: dispenser.TicketRefused,
		Refused: &dispenser.Refused{Service: "oac", Kind: dispenser.Priority, Reason: dispenser.RefusedCutOff}}
	evs := []dispenser.Event{e}
	if err := s.Commit(evs); err != nil {
		t.Fatal(err)
	}
	if evs[0].Seq != s.LastSeq() || evs[0].Seq < 2 {
		t.Fatalf("seq %d, last seq %d: want the next after the issue's", evs[0].Seq, s.LastSeq())
	}
	out, err := s.Outbox(evs[0].Seq-1, 10)
	if err != nil {
		t.Fatal(err)
	}
	e.Seq = evs[0].Seq
	if len(out) != 1 || !reflect.DeepEqual(out[0], storedEvent(e)) {
		t.Errorf("outbox %s, want %s", asJSON(t, out), asJSON(t, []dispenser.Event{storedEvent(e)}))
	}
	after, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !after.Last.Equal(e.Time) || after.Day != before.Day || !slices.Equal(after.Tickets, before.Tickets) || !slices.Equal(after.Desks, before.Desks) {
		t.Errorf("after the record: %s\nwant %s with last %v", asJSON(t, after), asJSON(t, before), e.Time)
	}
}
