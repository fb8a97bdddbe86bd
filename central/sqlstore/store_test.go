package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"torn.cat/torn/central"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/internal/pgtest"
	"torn.cat/torn/syncproto"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openSQLiteT opens a store on a new SQLite file under t.TempDir(),
// closed when t ends.
func openSQLiteT(t testing.TB) *Store {
	t.Helper()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// openPostgresT opens a store on a new database of the test server,
// closed when t ends; it skips t without PostgreSQL (see pgtest).
func openPostgresT(t testing.TB) *Store {
	t.Helper()
	return openPostgresDSN(t, pgtest.Start(t))
}

func openPostgresDSN(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := OpenPostgres(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestSQLite(t *testing.T) {
	testStore(t, func(t *testing.T) central.Store { return openSQLiteT(t) })
}

func TestSQLiteMemory(t *testing.T) {
	testStore(t, func(t *testing.T) central.Store {
		s, err := OpenSQLite(":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestPostgres(t *testing.T) {
	testStore(t, func(t *testing.T) central.Store { return openPostgresT(t) })
}

// testStore runs the conformance suite of central.Store on the stores
// open makes, each new and empty.
func testStore(t *testing.T, open func(t *testing.T) central.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s central.Store)
	}{
		{"Devices", testDevices},
		{"IngestTwice", testIngestTwice},
		{"IngestOverlapping", testIngestOverlapping},
		{"IngestGap", testIngestGap},
		{"IngestBadEvents", testIngestBadEvents},
		{"Gone", testGone},
		{"Events", testEvents},
		{"Mirror", testMirror},
		{"MirrorAnyOrder", testMirrorAnyOrder},
		{"Rollover", testRollover},
		{"OfficeConfig", testOfficeConfig},
		{"Offices", testOffices},
		{"Books", testBooks},
		{"BookEvents", testBookEvents},
		{"Outgoing", testOutgoing},
		{"APIKeys", testAPIKeys},
		{"ConcurrentIngest", testConcurrentIngest},
		{"NotifyListen", testNotifyListen},
		{"Indicators", testIndicators},
		{"IndicatorsLateEvents", testIndicatorsLateEvents},
		{"IndicatorsConcurrent", testIndicatorsConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

var ctx = context.Background()

// at is a time of 2 March 2026 in UTC.
func at(hh, mm, ss int) time.Time { return time.Date(2026, 3, 2, hh, mm, ss, 0, time.UTC) }

func testDevices(t *testing.T, s central.Store) {
	hash := sha256.Sum256([]byte("token"))
	created := time.Date(2026, 3, 2, 9, 0, 0, 123456789, madrid)
	d := central.Device{ID: "masnou-1", Office: "masnou-oac", TokenHash: hash[:], Created: created}
	if err := s.AddDevice(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := s.AddDevice(ctx, d); !errors.Is(err, central.ErrExists) {
		t.Errorf("adding a device twice: %v, want ErrExists", err)
	}
	if err := s.AddDevice(ctx, central.Device{ID: "alella-1", Office: "alella", TokenHash: hash[:]}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Device(ctx, "masnou-1")
	if err != nil {
		t.Fatal(err)
	}
	want := d
	want.Created = created.UTC().Truncate(time.Microsecond)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Device = %+v, want %+v", got, want)
	}
	if _, err := s.Device(ctx, "nobody"); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Device(nobody): %v, want ErrNotFound", err)
	}

	if err := s.SeenDevice(ctx, "masnou-1", at(9, 30, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.SeenDevice(ctx, "masnou-1", at(9, 0, 0)); err != nil { // earlier: ignored
		t.Fatal(err)
	}
	if err := s.SeenDevice(ctx, "nobody", at(9, 0, 0)); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("SeenDevice(nobody): %v, want ErrNotFound", err)
	}
	if err := s.RevokeDevice(ctx, "masnou-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeDevice(ctx, "nobody"); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("RevokeDevice(nobody): %v, want ErrNotFound", err)
	}
	ds, err := s.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].ID != "alella-1" || ds[1].ID != "masnou-1" {
		t.Fatalf("Devices = %+v, want alella-1 and masnou-1", ds)
	}
	if ds[0].Created.IsZero() || ds[0].Created.Location() != time.UTC || !ds[0].LastSeen.IsZero() || ds[0].Revoked {
		t.Errorf("alella-1 = %+v, want created now in UTC, never seen, not revoked", ds[0])
	}
	if !ds[1].Revoked || !ds[1].LastSeen.Equal(at(9, 30, 0)) || ds[1].LastSeen.Location() != time.UTC {
		t.Errorf("masnou-1 = %+v, want revoked, last seen at 9:30 UTC", ds[1])
	}
}

// batch makes events of seqs from to through, each a desk change.
func batch(from, through uint64) []dispenser.Event {
	var evs []dispenser.Event
	for seq := from; seq <= through; seq++ {
		evs = append(evs, dispenser.Event{
			Seq: seq, Time: at(9, 0, 0).Add(time.Duration(seq) * time.Second), Type: dispenser.DeskChanged,
			Desk: &dispenser.DeskStatus{ID: "taula1", State: dispenser.DeskOpen, Clerk: fmt.Sprint("clerk ", seq)},
		})
	}
	return evs
}

// ingest ingests evs and checks the acked sequence it returns and Acked.
func ingest(t *testing.T, s central.Store, device string, evs []dispenser.Event, want uint64) {
	t.Helper()
	got, err := s.Ingest(ctx, device, "masnou-oac", evs)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Ingest of %d events: acked %d, want %d", len(evs), got, want)
	}
	if got, err := s.Acked(ctx, device); err != nil || got != want {
		t.Errorf("Acked = %d, %v; want %d", got, err, want)
	}
}

// checkEvents checks that device's stored events are seqs 1 to n, and
// that each is from the first batch that carried it (its clerk).
func checkEvents(t *testing.T, s central.Store, device string, n int) []dispenser.Event {
	t.Helper()
	evs, err := s.Events(ctx, device, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != n {
		t.Fatalf("%d events stored, want %d", len(evs), n)
	}
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d", i+1, e.Seq)
		}
	}
	return evs
}

func testIngestTwice(t *testing.T, s central.Store) {
	if got, err := s.Acked(ctx, "masnou-1"); err != nil || got != 0 {
		t.Errorf("Acked of a new device = %d, %v; want 0", got, err)
	}
	ingest(t, s, "masnou-1", batch(1, 10), 10)
	again := batch(1, 10)
	again[3].Desk.Clerk = "someone else" // stored already: skipped whatever it says
	ingest(t, s, "masnou-1", again, 10)
	evs := checkEvents(t, s, "masnou-1", 10)
	if evs[3].Desk.Clerk != "clerk 4" {
		t.Errorf("event 4's clerk = %q: a repeat overwrote it", evs[3].Desk.Clerk)
	}
	snap, err := s.Snapshot(ctx, "masnou-oac")
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Desks) != 1 || snap.Desks[0].Clerk != "clerk 10" {
		t.Errorf("mirror desks = %+v, want taula1 of clerk 10", snap.Desks)
	}
	// Empty: nothing stored, the cursor as it is.
	ingest(t, s, "masnou-1", nil, 10)
}

func testIngestOverlapping(t *testing.T, s central.Store) {
	ingest(t, s, "masnou-1", batch(1, 10), 10)
	ingest(t, s, "masnou-1", batch(5, 15), 15)
	ingest(t, s, "masnou-1", batch(15, 15), 15)
	// Unordered, with a repeat: the first given stands.
	evs := append(batch(20, 20), batch(16, 19)...)
	evs = append(evs, batch(17, 17)...)
	evs[len(evs)-1].Desk.Clerk = "repeat"
	ingest(t, s, "masnou-1", evs, 20)
	if got := checkEvents(t, s, "masnou-1", 20); got[16].Desk.Clerk != "clerk 17" {
		t.Errorf("event 17's clerk = %q, want the first given's", got[16].Desk.Clerk)
	}
}

func testIngestGap(t *testing.T, s central.Store) {
	ingest(t, s, "masnou-1", batch(1, 5), 5)
	ingest(t, s, "masnou-1", batch(11, 15), 5) // stored, not acked
	ingest(t, s, "masnou-1", batch(21, 25), 5)
	ingest(t, s, "masnou-1", batch(6, 9), 9)
	ingest(t, s, "masnou-1", batch(10, 10), 15) // the gap filled: acked jumps
	ingest(t, s, "masnou-1", batch(16, 20), 25)
	checkEvents(t, s, "masnou-1", 25)
	// Another device's sequences are its own.
	ingest(t, s, "masnou-2", batch(2, 3), 0)
	ingest(t, s, "masnou-2", batch(1, 1), 3)

	// A long run behind a gap: the walk pages through it.
	ingest(t, s, "masnou-3", batch(2, 2600), 0)
	ingest(t, s, "masnou-3", batch(1, 1), 2600)
}

func testIngestBadEvents(t *testing.T, s central.Store) {
	for name, evs := range map[string][]dispenser.Event{
		"seq 0":        {{Seq: 0, Type: dispenser.DeskChanged}},
		"seq too big":  {{Seq: 1 << 63, Type: dispenser.DeskChanged}},
		"a bad one in": append(batch(1, 3), dispenser.Event{Type: dispenser.DeskChanged}),
	} {
		if _, err := s.Ingest(ctx, "masnou-1", "masnou-oac", evs); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := s.Ingest(ctx, "", "masnou-oac", batch(1, 1)); err == nil {
		t.Error("no device: no error")
	}
	// Nothing of a refused batch is stored.
	checkEvents(t, s, "masnou-1", 0)
}

func testGone(t *testing.T, s central.Store) {
	gone := func(device string, through, want uint64) {
		t.Helper()
		got, err := s.Gone(ctx, device, through)
		if err != nil || got != want {
			t.Errorf("Gone(%s, %d) = %d, %v; want %d", device, through, got, err, want)
		}
	}
	ingest(t, s, "masnou-1", batch(11, 20), 0)
	gone("masnou-1", 10, 20)
	gone("masnou-1", 5, 20) // behind: nothing changes
	ingest(t, s, "masnou-1", batch(21, 22), 22)
	// Gone through a part already stored, with more stored after a gap.
	ingest(t, s, "masnou-1", batch(31, 35), 22)
	gone("masnou-1", 25, 25)
	gone("masnou-1", 30, 35)
	// A new device: its first events were purged unsent.
	gone("masnou-2", 7, 7)
	ingest(t, s, "masnou-2", batch(8, 9), 9)
	// A batch that starts within what is gone.
	gone("masnou-3", 5, 5)
	ingest(t, s, "masnou-3", batch(3, 8), 8)
}

func testEvents(t *testing.T, s central.Store) {
	ingest(t, s, "masnou-1", batch(1, 30), 30)
	evs, err := s.Events(ctx, "masnou-1", 10, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 5 || evs[0].Seq != 11 || evs[4].Seq != 15 {
		t.Fatalf("Events(after 10, 5) = %d events from %d", len(evs), evs[0].Seq)
	}
	if want := batch(11, 11)[0]; asJSON(t, evs[0]) != asJSON(t, want) {
		t.Errorf("event 11 = %s, want %s", asJSON(t, evs[0]), asJSON(t, want))
	}
	if evs[0].Time.Location() != time.UTC {
		t.Errorf("event time in %v, want UTC", evs[0].Time.Location())
	}
	if evs, err := s.Events(ctx, "masnou-1", 30, 10); err != nil || len(evs) != 0 {
		t.Errorf("Events after the last = %d events, %v", len(evs), err)
	}
	if evs, err := s.Events(ctx, "masnou-2", 0, 10); err != nil || len(evs) != 0 {
		t.Errorf("Events of an unknown device = %d events, %v", len(evs), err)
	}
}

// checkMirror checks that office's mirror is what o's dispenser holds,
// and that a dispenser rebuilt from it holds the same.
func checkMirror(t *testing.T, s central.Store, o *office) {
	t.Helper()
	snap, err := s.Snapshot(ctx, o.cfg.Office)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Day != o.d.Day() {
		t.Errorf("mirror's day %s, the dispenser's %s", snap.Day, o.d.Day())
	}
	if want := o.d.Last().UTC().Truncate(time.Microsecond); !snap.Last.Equal(want) {
		t.Errorf("mirror's last time %s, want %s", snap.Last, want)
	}
	if got, want := asJSON(t, snap.Tickets), asJSON(t, utcTickets(o.d.Tickets())); got != want {
		t.Errorf("mirror's tickets:\n%s\nthe dispenser's:\n%s", got, want)
	}
	for _, ds := range snap.Desks {
		var want *dispenser.DeskStatus
		for _, w := range o.d.Desks() {
			if w.ID == ds.ID {
				want = &w
			}
		}
		if want == nil || asJSON(t, ds) != asJSON(t, utcDesks([]dispenser.DeskStatus{*want})[0]) {
			t.Errorf("mirror's desk %s = %+v, the dispenser's %+v", ds.ID, ds, want)
		}
	}
	if got, want := asJSON(t, snap.Books), asJSON(t, utcBooks(o.d.Books())); got != want {
		t.Errorf("mirror's books:\n%s\nthe dispenser's:\n%s", got, want)
	}
	d, err := dispenser.New(o.cfg, snap)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := asJSON(t, d.Tickets()), asJSON(t, utcTickets(o.d.Tickets())); got != want {
		t.Errorf("rebuilt dispenser's tickets:\n%s\nthe office's:\n%s", got, want)
	}
	if got, want := asJSON(t, utcDesks(d.Desks())), asJSON(t, utcDesks(o.d.Desks())); got != want {
		t.Errorf("rebuilt dispenser's desks:\n%s\nthe office's:\n%s", got, want)
	}
	for _, tk := range o.d.Tickets() {
		if got, err := s.OfficeOfToken(ctx, tk.Token); err != nil || got != o.cfg.Office {
			t.Errorf("OfficeOfToken(%s) = %q, %v", tk.Token, got, err)
		}
	}
}

func testMirror(t *testing.T, s central.Store) {
	o := newOffice(t, 1)
	rnd := rand.New(rand.NewPCG(2, 2))
	o.morning(300)
	for _, b := range splits(rnd, o.evs, 60) {
		if _, err := s.Ingest(ctx, "masnou-1", o.cfg.Office, b); err != nil {
			t.Fatal(err)
		}
	}
	if len(o.d.Tickets()) < 50 {
		t.Fatalf("a morning of %d tickets only", len(o.d.Tickets()))
	}
	checkMirror(t, s, o)

	// The next day, on top.
	sent := len(o.evs)
	o.nextDay()
	o.morning(100)
	for _, b := range splits(rnd, o.evs[sent:], 60) {
		if _, err := s.Ingest(ctx, "masnou-1", o.cfg.Office, b); err != nil {
			t.Fatal(err)
		}
	}
	checkMirror(t, s, o)
	if acked, _ := s.Acked(ctx, "masnou-1"); acked != uint64(len(o.evs)) {
		t.Errorf("acked %d of %d events", acked, len(o.evs))
	}
}

// The mirror ends the same whatever order the batches come in: an older
// snapshot never overwrites a newer one, a day never comes back.
func testMirrorAnyOrder(t *testing.T, s central.Store) {
	o := newOffice(t, 3)
	o.morning(150)
	o.nextDay()
	o.morning(80)
	rnd := rand.New(rand.NewPCG(4, 4))
	batches := splits(rnd, o.evs, 40)
	rnd.Shuffle(len(batches), func(i, j int) { batches[i], batches[j] = batches[j], batches[i] })
	for _, b := range batches {
		if _, err := s.Ingest(ctx, "masnou-1", o.cfg.Office, b); err != nil {
			t.Fatal(err)
		}
	}
	checkMirror(t, s, o)
}

func testRollover(t *testing.T, s central.Store) {
	o := newOffice(t, 5)
	o.morning(60)
	old := o.d.Tickets()
	o.nextDay()
	o.must(dispenser.Issue{Service: "oac", ID: "new", Token: "new-token"})
	if _, err := s.Ingest(ctx, "masnou-1", o.cfg.Office, o.evs); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot(ctx, o.cfg.Office)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Day != "2026-03-03" || len(snap.Tickets) != 1 || snap.Tickets[0].ID != "new" {
		t.Fatalf("after the rollover: day %s, tickets %+v; want 2026-03-03 and the new one", snap.Day, snap.Tickets)
	}
	for _, b := range snap.Books {
		if b.Day < snap.Day {
			t.Errorf("the book of %s is still there on %s", b.Day, snap.Day)
		}
	}
	if _, err := s.OfficeOfToken(ctx, old[0].Token); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("OfficeOfToken of yesterday's ticket: %v, want ErrNotFound", err)
	}
	if snap, err := s.Snapshot(ctx, "elsewhere"); err != nil || !reflect.DeepEqual(snap, dispenser.Snapshot{}) {
		t.Errorf("Snapshot of an office never heard of = %+v, %v; want the zero Snapshot", snap, err)
	}
}

func testOfficeConfig(t *testing.T, s central.Store) {
	if _, err := s.OfficeConfig(ctx, "masnou-oac"); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("OfficeConfig before any: %v, want ErrNotFound", err)
	}
	cfg, err := json.Marshal(syncproto.NewOfficeConfig(testConfig(t)))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.PutOfficeConfig(ctx, "masnou-oac", cfg); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.OfficeConfig(ctx, "masnou-oac")
	if err != nil || !bytes.Equal(got, cfg) {
		t.Errorf("OfficeConfig = %s, %v; want %s", got, err, cfg)
	}
	if err := s.PutOfficeConfig(ctx, "masnou-oac", []byte("{not json")); err == nil {
		t.Error("PutOfficeConfig of no JSON: no error")
	}
}

func testOffices(t *testing.T, s central.Store) {
	if os, err := s.Offices(ctx); err != nil || len(os) != 0 {
		t.Errorf("Offices of a new store = %+v, %v", os, err)
	}
	if err := s.AddDevice(ctx, central.Device{ID: "masnou-1", Office: "masnou-oac", TokenHash: []byte{1}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddDevice(ctx, central.Device{ID: "alella-1", Office: "alella", TokenHash: []byte{2}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutOfficeConfig(ctx, "premia", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SeenDevice(ctx, "masnou-1", at(9, 0, 0)); err != nil {
		t.Fatal(err)
	}
	o := newOffice(t, 6)
	o.morning(20)
	if _, err := s.Ingest(ctx, "masnou-1", "masnou-oac", o.evs); err != nil {
		t.Fatal(err)
	}
	got, err := s.Offices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []central.OfficeInfo{
		{ID: "alella", Device: "alella-1"},
		{ID: "masnou-oac", Device: "masnou-1", Day: "2026-03-02", Acked: uint64(len(o.evs)), LastSeen: at(9, 0, 0)},
		{ID: "premia"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Offices =\n%+v\nwant\n%+v", got, want)
	}
}

// appointments is a book of day for the API.
func appointments(day dispenser.Date, n int) dispenser.Book {
	b := dispenser.Book{Day: day}
	d, _ := time.ParseInLocation(time.DateOnly, string(day), madrid)
	for i := range n {
		b.Appointments = append(b.Appointments, dispenser.Booking{
			ID: dispenser.AppointmentID(fmt.Sprint(day, "-", i)), Slot: d.Add(9*time.Hour + time.Duration(i)*20*time.Minute),
			Service: "oac", DocumentHash: hashOf(fmt.Sprint(i)),
		})
	}
	return b
}

func testBooks(t *testing.T, s central.Store) {
	put := func(books ...dispenser.Book) []dispenser.Book {
		t.Helper()
		got, err := s.PutBooks(ctx, "masnou-oac", books)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := put(appointments("2026-03-03", 2), appointments("2026-03-02", 3))
	if got[0].Version != "c-1" || got[1].Version != "c-2" || got[0].Day != "2026-03-03" {
		t.Errorf("versions %s, %s; want c-1, c-2 in the order given", got[0].Version, got[1].Version)
	}
	if got[0].Appointments[0].Slot.Location() != time.UTC {
		t.Error("a slot not in UTC")
	}
	got = put(appointments("2026-03-03", 4))
	if got[0].Version != "c-3" {
		t.Errorf("version %s, want c-3", got[0].Version)
	}
	if other, err := s.PutBooks(ctx, "alella", []dispenser.Book{appointments("2026-03-03", 1)}); err != nil || other[0].Version != "c-1" {
		t.Errorf("another office's first version: %+v, %v; want c-1", other, err)
	}
	if _, err := s.PutBooks(ctx, "masnou-oac", []dispenser.Book{{Day: "3 March"}}); err == nil {
		t.Error("a book of day \"3 March\": no error")
	}

	books, err := s.Books(ctx, "masnou-oac", "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	if len(books) != 2 || books[0].Version != "c-2" || books[1].Version != "c-3" || len(books[1].Appointments) != 4 {
		t.Errorf("Books = %+v; want 2 March's c-2 and 3 March's c-3 of 4 appointments", books)
	}
	if books, err := s.Books(ctx, "masnou-oac", "2026-03-03"); err != nil || len(books) != 1 {
		t.Errorf("Books from 3 March = %d books, %v", len(books), err)
	}

	// A message for the device per day, in day order: 3 March's first
	// book was superseded by its second before the device had it.
	pending, err := s.Pending(ctx, "masnou-oac")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range pending {
		var b syncproto.Book
		if err := json.Unmarshal(m.Body, &b); err != nil {
			t.Fatal(err)
		}
		if b.Type != syncproto.TypeBook || b.ID != m.ID {
			t.Errorf("message %s: %s", m.ID, m.Body)
		}
		ids = append(ids, m.ID+" "+b.Book.Version)
	}
	want := []string{"book-masnou-oac-2026-03-02-2 c-2", "book-masnou-oac-2026-03-03-3 c-3"}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("pending %q, want %q", ids, want)
	}
	if err := s.Answer(ctx, "masnou-oac", pending[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	if pending, _ := s.Pending(ctx, "masnou-oac"); len(pending) != 1 {
		t.Errorf("%d pending after an answer, want 1", len(pending))
	}
	// A new book of 3 March supersedes the one on its way.
	if _, err := s.PutBooks(ctx, "masnou-oac", []dispenser.Book{appointments("2026-03-03", 1)}); err != nil {
		t.Fatal(err)
	}
	if pending, _ := s.Pending(ctx, "masnou-oac"); len(pending) != 1 || !strings.HasPrefix(pending[0].ID, "book-masnou-oac-2026-03-03-") || pending[0].ID == "book-masnou-oac-2026-03-03-3" {
		t.Errorf("pending after a new book of 3 March: %+v, want only the new one", pending)
	}
}

// A book the device loads (from central or a file) is the mirror's, with
// its version, until central puts another.
func testBookEvents(t *testing.T, s central.Store) {
	if _, err := s.PutBooks(ctx, "masnou-oac", []dispenser.Book{appointments("2026-03-03", 2)}); err != nil {
		t.Fatal(err)
	}
	b := appointments("2026-03-03", 3)
	b.Version = "file-abc"
	evs := []dispenser.Event{{Seq: 1, Time: at(8, 0, 0), Type: dispenser.DayStarted, Day: "2026-03-02"},
		{Seq: 2, Time: at(8, 0, 1), Type: dispenser.BookLoaded, Book: &b}}
	ingest(t, s, "masnou-1", evs, 2)
	books, err := s.Books(ctx, "masnou-oac", "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	if len(books) != 1 || books[0].Version != "file-abc" || len(books[0].Appointments) != 3 {
		t.Errorf("Books = %+v; want the device's file-abc", books)
	}
	got, err := s.PutBooks(ctx, "masnou-oac", []dispenser.Book{appointments("2026-03-03", 5)})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Version != "c-2" {
		t.Errorf("version %s, want c-2", got[0].Version)
	}
	if snap, _ := s.Snapshot(ctx, "masnou-oac"); len(snap.Books) != 1 || snap.Books[0].Version != "c-2" {
		t.Errorf("mirror's books %+v; want c-2", snap.Books)
	}
}

func testOutgoing(t *testing.T, s central.Store) {
	msg := func(id string, queued time.Time) central.Outgoing {
		return central.Outgoing{ID: id, Body: []byte(fmt.Sprintf(`{"type":"command","id":%q}`, id)), Queued: queued}
	}
	for _, m := range []central.Outgoing{
		msg("c", at(9, 0, 2)), msg("a", at(9, 0, 1)), msg("b", at(9, 0, 1)), msg("d", time.Time{}),
	} {
		if err := s.Enqueue(ctx, "masnou-oac", m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Enqueue(ctx, "alella", msg("e", at(9, 0, 0))); err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(ctx, "alella", msg("a", at(9, 0, 0))); !errors.Is(err, central.ErrExists) {
		t.Errorf("Enqueue of a taken id: %v, want ErrExists", err)
	}
	pending := func() []string {
		t.Helper()
		ms, err := s.Pending(ctx, "masnou-oac")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range ms {
			ids = append(ids, m.ID)
			if want := msg(m.ID, time.Time{}).Body; !bytes.Equal(m.Body, want) {
				t.Errorf("message %s: body %s, want %s", m.ID, m.Body, want)
			}
			if m.Queued.Location() != time.UTC {
				t.Errorf("message %s queued in %v", m.ID, m.Queued.Location())
			}
		}
		return ids
	}
	if got, want := pending(), []string{"a", "b", "c", "d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Pending = %q, want %q", got, want)
	}
	if err := s.Answer(ctx, "alella", "b", ""); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("another office's device answers message b: %v, want ErrNotFound", err)
	}
	if err := s.Answer(ctx, "masnou-oac", "b", "desk taula9 unknown"); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer(ctx, "masnou-oac", "a", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer(ctx, "masnou-oac", "a", ""); err != nil {
		t.Errorf("a repeated answer: %v", err)
	}
	if err := s.Answer(ctx, "masnou-oac", "zz", ""); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Answer of an unknown message: %v, want ErrNotFound", err)
	}
	if got, want := pending(), []string{"c", "d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Pending = %q, want %q", got, want)
	}
}

func testAPIKeys(t *testing.T, s central.Store) {
	h := sha256.Sum256([]byte("key"))
	k := central.APIKey{Name: "cita prèvia", Hash: h[:], Office: "masnou-oac", Created: at(9, 0, 0)}
	if err := s.AddAPIKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAPIKey(ctx, k); !errors.Is(err, central.ErrExists) {
		t.Errorf("adding a key twice: %v, want ErrExists", err)
	}
	got, err := s.APIKey(ctx, h[:])
	if err != nil || !reflect.DeepEqual(got, k) {
		t.Errorf("APIKey = %+v, %v; want %+v", got, err, k)
	}
	other := sha256.Sum256([]byte("other"))
	if _, err := s.APIKey(ctx, other[:]); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("an unknown key: %v, want ErrNotFound", err)
	}
	if err := s.AddAPIKey(ctx, central.APIKey{Name: "old", Hash: other[:], Revoked: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APIKey(ctx, other[:]); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("a revoked key: %v, want ErrNotFound", err)
	}
	if n, err := s.RevokeAPIKeys(ctx, "cita prèvia"); n != 1 || err != nil {
		t.Errorf("RevokeAPIKeys = %d, %v; want 1", n, err)
	}
	if _, err := s.APIKey(ctx, h[:]); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("the key after RevokeAPIKeys: %v, want ErrNotFound", err)
	}
	if _, err := s.RevokeAPIKeys(ctx, "cita prèvia"); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("revoking again: %v, want ErrNotFound", err)
	}
}

// Two connections of each of four devices (a reconnect) send all their
// events at once, in overlapping batches, one from the start and one
// from the end.
func testConcurrentIngest(t *testing.T, s central.Store) {
	const devices, events = 4, 1200
	var wg sync.WaitGroup
	for d := range devices {
		device := fmt.Sprintf("device-%d", d)
		office := fmt.Sprintf("office-%d", d%2) // two devices per office
		for c := range 2 {
			wg.Go(func() {
				rnd := rand.New(rand.NewPCG(uint64(d), uint64(c)))
				bs := splits(rnd, batch(1, events), 100)
				if c == 1 {
					for i, j := 0, len(bs)-1; i < j; i, j = i+1, j-1 {
						bs[i], bs[j] = bs[j], bs[i]
					}
				}
				for _, b := range bs {
					if _, err := s.Ingest(ctx, device, office, b); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	for d := range devices {
		device := fmt.Sprintf("device-%d", d)
		if acked, err := s.Acked(ctx, device); err != nil || acked != events {
			t.Errorf("%s: acked %d, %v; want %d", device, acked, err, events)
		}
		checkEvents(t, s, device, events)
	}
}

// listen calls Listen until t ends and returns the offices it hears.
func listen(t *testing.T, s central.Store) <-chan string {
	t.Helper()
	heard := make(chan string, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Listen(ctx, func(office string) { heard <- office }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Listen: %v", err)
		}
	})
	return heard
}

// hear notifies office on from until to hears it, and fails t if that
// takes more than within once to has heard a first notification.
func hear(t *testing.T, from central.Store, to <-chan string, office string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := from.Notify(ctx, office); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-to:
			if got == office {
				return
			}
		case <-deadline:
			t.Fatalf("notification of %s not heard within %v", office, within)
		case <-tick.C:
		}
	}
}

func testNotifyListen(t *testing.T, s central.Store) {
	heard := listen(t, s)
	hear(t, s, heard, "masnou-oac", 5*time.Second) // the listener starts
	if err := s.Notify(ctx, "alella"); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(time.Second)
	for {
		select {
		case got := <-heard:
			if got == "alella" {
				return
			}
		case <-deadline:
			t.Fatal("alella not heard within a second")
		}
	}
}
