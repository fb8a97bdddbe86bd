package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// BenchmarkCommitIssue commits one ticket.issued event per op, made by the
// real dispenser, to a real file with fsync on: the store's share of the
// "button press → ticket printed" budget (p99 under 10 ms).
func BenchmarkCommitIssue(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "torn.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cfg := testConfig(b, 4)
	// Nobody is called here, so the queue only grows; keep issuing.
	cfg.Rules.NoCutOff = true
	d, err := dispenser.New(cfg, dispenser.Snapshot{})
	if err != nil {
		b.Fatal(err)
	}
	issue := func(i int, now time.Time) []dispenser.Event {
		svc := dispenser.ServiceID("oac")
		if i%3 == 2 {
			svc = "padro"
		}
		evs, err := d.Handle(dispenser.Issue{
			Service: svc,
			Lang:    dispenser.Catalan,
			ID:      dispenser.TicketID(fmt.Sprintf("t%07d", i)),
			Token:   rand.Text(),
		}, now)
		if err != nil {
			b.Fatal(err)
		}
		return evs
	}
	// The first ticket starts the day; not measured.
	now := monday
	if err := s.Commit(issue(0, now)); err != nil {
		b.Fatal(err)
	}
	// The dispenser's work is not the store's: make the events first.
	batches := make([][]dispenser.Event, b.N)
	for i := range batches {
		now = now.Add(time.Millisecond)
		batches[i] = issue(i+1, now)
		if len(batches[i]) != 1 || batches[i][0].Type != dispenser.TicketIssued {
			b.Fatalf("issue %d made %d events", i+1, len(batches[i]))
		}
	}

	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i, evs := range batches {
		start := time.Now()
		if err := s.Commit(evs); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(percentile(lat, 50).Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(percentile(lat, 99).Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
}

// percentile returns the p-th percentile of sorted, nearest rank.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

// BenchmarkBootYear measures what boot does with the store, Open + Load +
// Close, on a file holding a year of a busy office (yearFile). "warm" has
// the file in the page cache, as after a restart of tornd; "cold" evicts the
// file from the page cache before each boot, as after a power cut (the
// machine's disk may still cache below the page cache).
func BenchmarkBootYear(b *testing.B) {
	path := yearFile(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	st, err := s.Load()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %.0f MiB, %d events (%.0f bytes of file each), day %s with %d tickets",
		path, float64(fi.Size())/(1<<20), s.LastSeq(), float64(fi.Size())/float64(s.LastSeq()), st.Day, len(st.Tickets))
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}

	boot := func(b *testing.B, evict bool) {
		for range b.N {
			if evict {
				b.StopTimer()
				evictFile(b, path)
				b.StartTimer()
			}
			s, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Load(); err != nil {
				b.Fatal(err)
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/boot")
	}
	b.Run("warm", func(b *testing.B) { boot(b, false) })
	b.Run("cold", func(b *testing.B) { boot(b, true) })
}

// yearVersion names the cached year file; change it when yearFile or the
// layout would make a different file.
const yearVersion = 2

// The year: business days of a busy office.
const (
	yearDays       = 250
	ticketsPerDay  = 2000
	yearDesks      = 20
	yearBatchLimit = 20000 // events per commit while building
)

// yearFile returns the path of a database holding a year of a busy office,
// building it the first time: 250 business days of 2,000 tickets, made by
// driving the real dispenser through each day and committing its events.
// The file is kept under os.TempDir() and reused by later runs.
func yearFile(b *testing.B) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("torn-store-bench-year-s%d-v%d.db", schemaVersion, yearVersion))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	b.Logf("building %s (once; about a minute)", path)
	start := time.Now()
	tmp, err := os.CreateTemp(os.TempDir(), "torn-store-bench-year-*.building")
	if err != nil {
		b.Fatal(err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	s, err := Open(tmp.Name(), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	y := &year{b: b, s: s, rng: mrand.New(mrand.NewPCG(2025, 1))}
	cfg := testConfig(b, yearDesks)
	if y.d, err = dispenser.New(cfg, dispenser.Snapshot{}); err != nil {
		b.Fatal(err)
	}
	for _, dk := range cfg.Desks {
		y.desks = append(y.desks, &simDesk{id: dk.ID, clerk: "clerk-" + string(dk.ID)})
	}
	day := time.Date(2025, 1, 6, 0, 0, 0, 0, madrid) // a Monday
	for n := 0; n < yearDays; day = day.AddDate(0, 0, 1) {
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		y.runDay(day)
		n++
	}
	y.flush()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built in %v: %d tickets issued, %d refused, %d events", time.Since(start).Round(time.Second), y.issued, y.refused, y.events)
	return path
}

// year drives a dispenser through a year and commits its events in big
// transactions.
type year struct {
	b       *testing.B
	s       *Store
	d       *dispenser.Dispenser
	rng     *mrand.Rand
	desks   []*simDesk
	batch   []dispenser.Event
	n       int // tickets made
	issued  int
	refused int
	events  int
}

// simDesk is a clerk's desk: what it does next, and when.
type simDesk struct {
	id    dispenser.DeskID
	clerk string
	at    time.Time
	state int // deskIdle, deskCalled, deskServing, deskOff
	calls int
}

const (
	deskIdle = iota
	deskCalled
	deskServing
	deskOff
)

// handle applies cmd and queues its events, which come even when cmd is
// refused after a day rollover.
func (y *year) handle(cmd dispenser.Command, now time.Time) error {
	evs, err := y.d.Handle(cmd, now)
	y.batch = append(y.batch, evs...)
	if len(y.batch) >= yearBatchLimit {
		y.flush()
	}
	return err
}

func (y *year) flush() {
	if err := y.s.Commit(y.batch); err != nil {
		y.b.Fatal(err)
	}
	y.events += len(y.batch)
	y.batch = y.batch[:0]
}

func (y *year) must(err error) {
	if err != nil {
		y.b.Fatal(err)
	}
}

// runDay runs one business day: tickets arrive from 8:30 for about six
// hours; desks call, recall, serve, transfer and mark no-shows until the
// queue is empty, then close.
func (y *year) runDay(day time.Time) {
	open := day.Add(8*time.Hour + 30*time.Minute)
	next := open
	left := ticketsPerDay
	arrive := func() { next = next.Add(time.Duration(y.rng.ExpFloat64() * float64(10800*time.Millisecond))) }
	arrive()
	for _, dk := range y.desks {
		dk.state, dk.at = deskIdle, open.Add(time.Duration(y.rng.IntN(300))*time.Second)
	}
	for {
		var dk *simDesk
		for _, k := range y.desks {
			if k.state != deskOff && (dk == nil || k.at.Before(dk.at)) {
				dk = k
			}
		}
		if left > 0 && (dk == nil || next.Before(dk.at)) {
			y.issue(next)
			left--
			arrive()
			continue
		}
		if dk == nil {
			break
		}
		y.step(dk, left > 0, next)
	}
	for _, dk := range y.desks {
		y.must(y.handle(dispenser.SetDesk{Desk: dk.id, State: dispenser.DeskClosed}, day.Add(20*time.Hour)))
	}
}

// issue issues a ticket at now: mostly walk-ins, some appointments checked
// in with a document, a few priority tickets.
func (y *year) issue(now time.Time) {
	y.n++
	c := dispenser.Issue{
		Service: "oac",
		Lang:    dispenser.Langs[y.rng.IntN(len(dispenser.Langs))],
		ID:      dispenser.TicketID(fmt.Sprintf("t%07d", y.n)),
		Token:   fmt.Sprintf("%016x%016x", y.rng.Uint64(), y.rng.Uint64()),
	}
	if y.rng.IntN(5) < 2 {
		c.Service = "padro"
	}
	switch r := y.rng.IntN(100); {
	case r < 10:
		c.Kind = dispenser.Appointment
		c.Slot = now.Truncate(10 * time.Minute).Add(10 * time.Minute)
		c.DocumentHash = fmt.Sprintf("%016x%016x%016x%016x", y.rng.Uint64(), y.rng.Uint64(), y.rng.Uint64(), y.rng.Uint64())
	case r < 13:
		c.Kind, c.Service = dispenser.Priority, "oac"
	}
	err := y.handle(c, now)
	var refusal *dispenser.Refusal
	switch {
	case err == nil:
		y.issued++
	case errors.As(err, &refusal):
		y.refused++
	default:
		y.b.Fatal(err)
	}
}

// step makes desk dk do its next action. more says whether tickets are still
// to arrive, the next at arrival.
func (y *year) step(dk *simDesk, more bool, arrival time.Time) {
	now := dk.at
	secs := func(lo, hi int) time.Duration { return time.Duration(lo+y.rng.IntN(hi-lo+1)) * time.Second }
	switch dk.state {
	case deskIdle:
		err := y.handle(dispenser.CallNext{Desk: dk.id, Clerk: dk.clerk}, now)
		switch {
		case errors.Is(err, dispenser.ErrNobodyWaiting) && more:
			dk.at = arrival.Add(secs(1, 20))
		case errors.Is(err, dispenser.ErrNobodyWaiting):
			dk.state = deskOff
		case err != nil:
			y.b.Fatal(err)
		default:
			dk.state, dk.calls, dk.at = deskCalled, 1, now.Add(secs(20, 60))
		}
	case deskCalled:
		// One citizen in ten needs another call; one in twenty never comes.
		if y.rng.IntN(10) == 0 || (dk.calls > 1 && y.rng.IntN(2) == 0) {
			y.must(y.handle(dispenser.Recall{Desk: dk.id}, now))
			dk.calls++
			if dk.calls > 3 {
				dk.state = deskIdle // the recall made it a no-show
			}
			dk.at = now.Add(secs(30, 60))
			return
		}
		y.must(y.handle(dispenser.Start{Desk: dk.id}, now))
		dk.state, dk.at = deskServing, now.Add(secs(120, 360))
	case deskServing:
		if y.rng.IntN(25) == 0 {
			to := dispenser.ServiceID("padro")
			if t, ok := y.d.Ticket(y.current(dk)); ok && t.Service == "padro" {
				to = "oac"
			}
			y.must(y.handle(dispenser.Transfer{Desk: dk.id, To: to}, now))
		} else {
			y.must(y.handle(dispenser.Finish{Desk: dk.id}, now))
		}
		dk.state, dk.at = deskIdle, now.Add(secs(5, 30))
	}
}

// current is the ticket at desk dk.
func (y *year) current(dk *simDesk) dispenser.TicketID {
	for _, ds := range y.d.Desks() {
		if ds.ID == dk.id {
			return ds.Current
		}
	}
	return ""
}
