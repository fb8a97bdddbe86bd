package store

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// hasHash reports whether e carries personal data: a ticket's document
// hash, or a book's hashes and names.
func hasHash(e dispenser.Event) bool {
	if e.Book != nil {
		for _, a := range e.Book.Appointments {
			if a.DocumentHash != "" || a.Name != "" {
				return true
			}
		}
	}
	return e.Ticket != nil && e.Ticket.DocumentHash != ""
}

func TestPurge(t *testing.T) {
	s := mustOpen(t)
	o := newOffice(t, s)
	today := monday.AddDate(0, 0, 100)
	for _, back := range []int{100, 50, 2, 0} {
		day := today.AddDate(0, 0, -back).Add(time.Hour)
		o.loadBook(day, day, fmt.Sprintf("book-%d", back))
		o.issue("oac", fmt.Sprintf("doc-%d", back), day)
		o.issue("oac", "", day.Add(time.Minute))
		o.do(dispenser.CallNext{Desk: "taula1", Clerk: "anna"}, day.Add(2*time.Minute))
	}
	now := today.Add(3 * time.Hour)
	oldest, personal := now.AddDate(0, 0, -90), now.AddDate(0, 0, -1)
	var wantDeleted, wantScrubbed, young int
	for _, e := range o.evs {
		switch {
		case e.Time.Before(oldest):
			wantDeleted++
		case e.Time.Before(personal) && hasHash(e):
			wantScrubbed++
		case hasHash(e):
			young++
		}
	}
	if wantDeleted == 0 || wantScrubbed == 0 || young == 0 {
		t.Fatalf("test office: %d old events, %d to scrub, %d young with a hash", wantDeleted, wantScrubbed, young)
	}

	res, err := s.Purge(now, Retention{})
	if err != nil {
		t.Fatal(err)
	}
	if res != (PurgeResult{EventsDeleted: wantDeleted, Scrubbed: wantScrubbed}) {
		t.Errorf("purge: %+v, want %d deleted, %d scrubbed", res, wantDeleted, wantScrubbed)
	}
	evs, err := s.Outbox(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != len(o.evs)-wantDeleted {
		t.Errorf("%d events left, want %d", len(evs), len(o.evs)-wantDeleted)
	}
	kept := 0
	for _, e := range evs {
		if e.Time.Before(oldest) {
			t.Errorf("event %d of %s survived the purge", e.Seq, e.Time)
		}
		if e.Time.Before(personal) && hasHash(e) {
			t.Errorf("event %d of %s keeps its document hash", e.Seq, e.Time)
		}
		if hasHash(e) {
			kept++
		}
		// Scrubbing removes the hash and nothing else.
		want := storedEvent(o.evs[e.Seq-1])
		if want.Ticket != nil {
			want.Ticket.DocumentHash = e.Ticket.DocumentHash
		}
		if want.Book != nil {
			for i := range want.Book.Appointments {
				want.Book.Appointments[i].DocumentHash = e.Book.Appointments[i].DocumentHash
				want.Book.Appointments[i].Name = e.Book.Appointments[i].Name
			}
		}
		if !reflect.DeepEqual(e, want) {
			t.Errorf("event %d after the purge:\n got %s\nwant %s", e.Seq, asJSON(t, e), asJSON(t, want))
		}
	}
	if kept != young {
		t.Errorf("%d young events keep their hash, want %d", kept, young)
	}

	// The next purge starts where this one ended.
	if res, err := s.Purge(now, Retention{}); err != nil || res != (PurgeResult{}) {
		t.Errorf("second purge: %+v, %v; want nothing to do", res, err)
	}

	// Three days on with no command: today's events and tickets are old too.
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	tickets := 0
	for _, tk := range st.Tickets {
		if tk.DocumentHash != "" {
			tickets++
		}
	}
	if tickets != 1 {
		t.Fatalf("%d of today's tickets have a hash, want 1", tickets)
	}
	// The books of past days went at the rollovers.
	if len(st.Books) != 1 || st.Books[0].Day != o.d.Day() {
		t.Errorf("books stored: %s; want today's only", asJSON(t, st.Books))
	}
	res, err = s.Purge(now.AddDate(0, 0, 3), Retention{Days: 90, PersonalDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res != (PurgeResult{Scrubbed: young + tickets}) {
		t.Errorf("purge three days later: %+v, want %d scrubbed", res, young+tickets)
	}
	if st, err = s.Load(); err != nil {
		t.Fatal(err)
	}
	for _, tk := range st.Tickets {
		if tk.DocumentHash != "" {
			t.Errorf("ticket %s keeps its hash", tk.ID)
		}
	}
}

// TestPurgeInBatches: a purge with more to do than one batch does all of it.
func TestPurgeInBatches(t *testing.T) {
	const n = 2*purgeBatch + 7
	fill := func(s *Store) {
		evs := make([]dispenser.Event, n)
		for i := range evs {
			at := monday.Add(time.Duration(i) * time.Second)
			evs[i] = dispenser.Event{Time: at, Type: dispenser.TicketIssued, Ticket: &dispenser.Ticket{
				ID: dispenser.TicketID(fmt.Sprintf("t%d", i%10)), Day: "2025-03-03", Service: "oac",
				Kind: dispenser.Appointment, State: dispenser.Waiting, Token: fmt.Sprint(i), Issued: at, Queued: at,
				DocumentHash: "doc",
			}}
		}
		if err := s.Commit(evs); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("delete", func(t *testing.T) {
		s := mustOpen(t)
		fill(s)
		young := []dispenser.Event{{Time: monday.AddDate(0, 0, 200), Type: dispenser.DayStarted, Day: "2025-09-19"}}
		if err := s.Commit(young); err != nil {
			t.Fatal(err)
		}
		res, err := s.Purge(monday.AddDate(0, 0, 200), Retention{})
		if err != nil {
			t.Fatal(err)
		}
		if res.EventsDeleted != n {
			t.Errorf("deleted %d events, want %d", res.EventsDeleted, n)
		}
		evs, err := s.Outbox(0, 10)
		if err != nil || len(evs) != 1 || evs[0].Seq != n+1 {
			t.Errorf("outbox after the purge: %v, %v; want only event %d", evs, err, n+1)
		}
	})
	t.Run("scrub", func(t *testing.T) {
		s := mustOpen(t)
		fill(s)
		res, err := s.Purge(monday.AddDate(0, 0, 3), Retention{})
		if err != nil {
			t.Fatal(err)
		}
		if res != (PurgeResult{Scrubbed: n + 10}) {
			t.Errorf("purge: %+v, want %d events and 10 tickets scrubbed", res, n)
		}
		evs, err := s.Outbox(0, 2*n)
		if err != nil || len(evs) != n {
			t.Fatalf("outbox: %d events, %v; want %d", len(evs), err, n)
		}
		for _, e := range evs {
			if hasHash(e) {
				t.Fatalf("event %d keeps its hash", e.Seq)
			}
		}
	})
}

func TestPurgeRefusesNegativeRetention(t *testing.T) {
	s := mustOpen(t)
	for _, r := range []Retention{{Days: -1}, {PersonalDays: -1}} {
		if _, err := s.Purge(monday, r); err == nil {
			t.Errorf("purge with %+v: no error", r)
		}
	}
}
