package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
	"torn.cat/torn/dispenser"
)

// TestCodecRoundTripRandom: events with every field random, zero times and
// empty strings among them, come back exactly, and so do their tickets and
// desks stored alone.
func TestCodecRoundTripRandom(t *testing.T) {
	g := &gen{rng: rand.New(rand.NewPCG(7, 11)), now: time.Now()}
	for i := range 5000 {
		e := g.event()
		v, err := encodeEvent(&e)
		if err != nil {
			t.Fatalf("event %d: %v\n%s", i, err, asJSON(t, e))
		}
		got, err := decodeEvent(v)
		if err != nil {
			t.Fatalf("event %d: %v\n%s", i, err, asJSON(t, e))
		}
		if want := storedEvent(e); !reflect.DeepEqual(got, want) {
			t.Fatalf("event %d:\n got %#v\nwant %#v", i, got, want)
		}
		if e.Ticket != nil {
			v, err := encodeTicket(e.Ticket)
			if err != nil {
				t.Fatalf("ticket of event %d: %v", i, err)
			}
			got, err := decodeTicket(v)
			if want := storedTicket(*e.Ticket); err != nil || got != want {
				t.Fatalf("ticket of event %d: %v\n got %#v\nwant %#v", i, err, got, want)
			}
		}
		if e.Desk != nil {
			v, err := encodeDesk(e.Desk)
			if err != nil {
				t.Fatalf("desk of event %d: %v", i, err)
			}
			got, err := decodeDesk(v)
			if want := storedDesk(*e.Desk); err != nil || got != want {
				t.Fatalf("desk of event %d: %v\n got %#v\nwant %#v", i, err, got, want)
			}
		}
	}
}

// gen makes random values.
type gen struct {
	rng *rand.Rand
	now time.Time // with a monotonic reading, which the store drops
	// strs are the strings of the value being made, for repeats.
	strs []string
}

func (g *gen) event() dispenser.Event {
	g.strs = g.strs[:0]
	e := dispenser.Event{Seq: g.uint64(), Time: g.time(time.Time{}), Type: dispenser.EventType(g.str())}
	if g.rng.IntN(4) > 0 {
		e.Ticket = g.ticket(e.Time)
	}
	if g.rng.IntN(2) == 0 {
		e.Desk = g.desk(e.Time)
	}
	e.Day = dispenser.Date(g.str())
	if g.rng.IntN(4) == 0 {
		e.Printer = &dispenser.PrinterStatus{Ready: g.rng.IntN(2) == 0, Reason: g.str(), Since: g.time(e.Time)}
	}
	e.Applied = g.str()
	if g.rng.IntN(4) == 0 {
		e.Refused = &dispenser.Refused{Service: dispenser.ServiceID(g.str()), Kind: dispenser.Kind(g.str()), Reason: dispenser.RefusalReason(g.str())}
	}
	return e
}

func (g *gen) ticket(near time.Time) *dispenser.Ticket {
	return &dispenser.Ticket{
		ID: dispenser.TicketID(g.str()), Number: g.str(), Counter: g.int(), Day: dispenser.Date(g.str()),
		Service: dispenser.ServiceID(g.str()), Kind: dispenser.Kind(g.str()), State: dispenser.State(g.str()),
		Token: g.str(), Lang: dispenser.Lang(g.str()),
		Issued: g.time(near), Queued: g.time(near), Slot: g.time(near),
		Ahead: g.int(), Estimate: time.Duration(g.int64()),
		Desk: dispenser.DeskID(g.str()), Clerk: g.str(), Calls: g.int(),
		FirstCalled: g.time(near), Called: g.time(near), Started: g.time(near), Ended: g.time(near),
		Transfers: g.int(), From: dispenser.ServiceID(g.str()), Reason: g.str(), DocumentHash: g.str(),
		NoPaper: g.rng.IntN(2) == 0,
	}
}

func (g *gen) desk(near time.Time) *dispenser.DeskStatus {
	return &dispenser.DeskStatus{
		ID: dispenser.DeskID(g.str()), State: dispenser.DeskState(g.str()), Current: dispenser.TicketID(g.str()),
		Clerk: g.str(), Since: g.time(near),
	}
}

// str is empty, one of the format's words, a repeat of a string of the
// same value, or new bytes (any bytes, not only UTF-8), up to 300 of them.
func (g *gen) str() string {
	var s string
	switch r := g.rng.IntN(10); {
	case r < 3:
		return ""
	case r < 5:
		s = words[g.rng.IntN(len(words))]
	case r < 7 && len(g.strs) > 0:
		s = g.strs[g.rng.IntN(len(g.strs))]
	default:
		b := make([]byte, 1+g.rng.IntN(g.pick(8, 40, 300)))
		for i := range b {
			b[i] = byte(g.rng.Uint32())
		}
		s = string(b)
	}
	g.strs = append(g.strs, s)
	return s
}

// pick returns one of vs at random.
func (g *gen) pick(vs ...int) int { return vs[g.rng.IntN(len(vs))] }

func (g *gen) uint64() uint64 {
	switch g.rng.IntN(4) {
	case 0:
		return 0
	case 1:
		return uint64(1 + g.rng.IntN(3_000_000))
	case 2:
		return math.MaxUint64 - uint64(g.rng.IntN(2))
	}
	return g.rng.Uint64()
}

func (g *gen) int64() int64 {
	switch g.rng.IntN(5) {
	case 0:
		return 0
	case 1:
		return int64(g.rng.IntN(2000)) - 1000
	case 2:
		return []int64{math.MinInt64, math.MaxInt64, -1}[g.rng.IntN(3)]
	}
	return int64(g.rng.Uint64())
}

// int is an int64 that fits in an int of this machine.
func (g *gen) int() int { return int(g.int64()) }

// time is the zero time; a time near near (when it is not zero), to the
// nanosecond, in some time zone, perhaps with a monotonic reading; or any
// time the store can hold, the extremes among them.
func (g *gen) time(near time.Time) time.Time {
	locs := []*time.Location{time.UTC, madrid, time.Local, time.FixedZone("", -(3*3600 + 1800))}
	loc := locs[g.rng.IntN(len(locs))]
	switch r := g.rng.IntN(10); {
	case r < 3:
		return time.Time{}
	case r < 7 && !near.IsZero():
		t := near.Add(time.Duration(g.rng.Int64N(int64(48*time.Hour))) - 24*time.Hour)
		if !time.Unix(0, t.UnixNano()).Equal(t) {
			t = near // near is at an end of the range
		}
		return t.In(loc)
	case r < 8:
		return g.now.Add(time.Duration(g.rng.Int64N(int64(time.Hour))))
	case r < 9:
		return time.Unix(0, []int64{math.MinInt64, math.MaxInt64, 0, -1}[g.rng.IntN(4)]).In(loc)
	}
	return time.Unix(0, int64(g.rng.Uint64())).In(loc)
}

// TestCodecTimes: a zero time stays zero; every time the store can hold
// comes back as the same instant in UTC; the others are refused.
func TestCodecTimes(t *testing.T) {
	for _, tm := range []time.Time{
		{},
		time.Unix(0, 0),
		time.Unix(0, math.MinInt64),
		time.Unix(0, math.MaxInt64),
		time.Now(),
		monday,
		time.Date(2025, 3, 30, 2, 30, 0, 1, madrid), // in the hour the clocks skip
	} {
		d := dispenser.DeskStatus{ID: "taula1", Since: tm}
		v, err := encodeDesk(&d)
		if err != nil {
			t.Errorf("%s: %v", tm, err)
			continue
		}
		got, err := decodeDesk(v)
		switch {
		case err != nil:
			t.Errorf("%s: %v", tm, err)
		case got.Since.IsZero() != tm.IsZero() || !got.Since.Equal(tm) || got.Since.Location() != time.UTC:
			t.Errorf("%s came back as %s", tm, got.Since)
		}
	}
	for _, tm := range []time.Time{
		time.Unix(0, math.MinInt64).Add(-1),
		time.Unix(0, math.MaxInt64).Add(1),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		d := dispenser.DeskStatus{ID: "taula1", Since: tm}
		if _, err := encodeDesk(&d); err == nil || !strings.Contains(err.Error(), "desk since "+tm.Format(time.RFC3339Nano)+": outside the times the store can hold") {
			t.Errorf("%s: %v, want it refused", tm, err)
		}
	}
}

// TestCodecWords: the format's words are the dispenser's values, so that
// they take a byte; and there is no word twice.
func TestCodecWords(t *testing.T) {
	values := []string{
		string(dispenser.TicketIssued), string(dispenser.TicketCalled), string(dispenser.TicketRecalled),
		string(dispenser.TicketStarted), string(dispenser.TicketDone), string(dispenser.TicketNoShow),
		string(dispenser.TicketCancelled), string(dispenser.TicketTransferred), string(dispenser.DeskChanged),
		string(dispenser.DayStarted),
		string(dispenser.WalkIn), string(dispenser.Appointment), string(dispenser.Priority),
		string(dispenser.Waiting), string(dispenser.Called), string(dispenser.Serving), string(dispenser.Done),
		string(dispenser.NoShow), string(dispenser.Cancelled),
		string(dispenser.DeskClosed), string(dispenser.DeskOpen), string(dispenser.DeskPaused),
	}
	for _, l := range dispenser.Langs {
		values = append(values, string(l))
	}
	for _, v := range values {
		if !slices.Contains(words[:], v) {
			t.Errorf("%q is not one of the words", v)
		}
	}
	if len(wordIndex) != len(words) {
		t.Errorf("%d words, %d distinct", len(words), len(wordIndex))
	}
}

// realEvents returns the events of a busy morning, committed: every type
// of ticket event, desk changes and a day start.
func realEvents(t testing.TB) []dispenser.Event {
	s := mustOpen(t)
	o := newOffice(t, s)
	busyMorning(o)
	return o.evs
}

// serveEvent is a ticket.done event of a busy office, as tornd makes it:
// times to the nanosecond from the clock, a hex id and a base64 token.
var serveEvent = func() dispenser.Event {
	at := func(s string) time.Time {
		t, err := time.ParseInLocation(time.DateTime, s, madrid)
		if err != nil {
			panic(err)
		}
		ns := 0
		for _, c := range s {
			ns = (ns*31 + int(c)) % 1e9
		}
		return t.Add(time.Duration(ns))
	}
	return dispenser.Event{
		Seq: 2132735, Time: at("2025-12-19 13:37:04"), Type: dispenser.TicketDone,
		Ticket: &dispenser.Ticket{
			ID: "9f86d081884c7d65", Number: "A670", Counter: 670, Day: "2025-12-19", Service: "oac",
			Kind: dispenser.WalkIn, State: dispenser.Done, Token: "n4bQgYhMfWWaL-qgxVrQFa", Lang: dispenser.Spanish,
			Issued: at("2025-12-19 11:48:30"), Queued: at("2025-12-19 11:48:30"), Ahead: 207, Estimate: 2429 * time.Second,
			Desk: "taula7", Clerk: "mgarcia", Calls: 1,
			FirstCalled: at("2025-12-19 13:32:47"), Called: at("2025-12-19 13:32:47"),
			Started: at("2025-12-19 13:33:46"), Ended: at("2025-12-19 13:37:04"),
		},
		Desk: &dispenser.DeskStatus{ID: "taula7", State: dispenser.DeskOpen, Clerk: "mgarcia", Since: at("2025-12-19 08:32:10")},
	}
}()

// TestCodecSize: the events are a fraction of their JSON; a ticket served
// at a desk, the commonest event with the most in it, is under 170 bytes.
func TestCodecSize(t *testing.T) {
	for _, e := range append(realEvents(t), serveEvent) {
		v, err := encodeEvent(&e)
		if err != nil {
			t.Fatal(err)
		}
		j := asJSON(t, e)
		t.Logf("%-18s %3d bytes, JSON %3d", e.Type, len(v), len(j))
		// A book is mostly ids and names, which take as much room as
		// in JSON.
		part := 3
		if e.Type == dispenser.BookLoaded {
			part = 2
		}
		if len(v)*part > len(j) {
			t.Errorf("%s event %d: %d bytes, too much of its %d bytes of JSON", e.Type, e.Seq, len(v), len(j))
		}
	}
	if v, _ := encodeEvent(&serveEvent); len(v) >= 170 {
		t.Errorf("a ticket served at a desk takes %d bytes, want under 170", len(v))
	}
}

// TestDecodeTruncated: every value cut short is an error, and so is every
// value with a byte added.
func TestDecodeTruncated(t *testing.T) {
	for _, e := range append(realEvents(t), serveEvent) {
		v, err := encodeEvent(&e)
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(v) {
			if _, err := decodeEvent(v[:n]); err == nil {
				t.Errorf("%s event %d cut to %d of %d bytes: no error", e.Type, e.Seq, n, len(v))
			}
		}
		if _, err := decodeEvent(append(v, 0)); err == nil {
			t.Errorf("%s event %d with a byte added: no error", e.Type, e.Seq)
		}
	}
}

// TestDecodeGarbage: each problem gets an error saying what was being read.
func TestDecodeGarbage(t *testing.T) {
	// An event with only a type, and only a time.
	typed := func(str ...byte) []byte { return append([]byte{formatV1, 1 << 2}, str...) }
	cases := []struct {
		name string
		v    []byte
		want string
	}{
		{"empty", nil, "empty value"},
		{"another format", []byte{2, 0}, "unknown format 2"},
		{"JSON", []byte(`{"seq":1}`), "unknown format 123"},
		{"no presence bits", []byte{formatV1}, "event fields: truncated or overlong varint"},
		{"overlong presence bits", append([]byte{formatV1}, bytes.Repeat([]byte{0xff}, 11)...), "event fields: truncated or overlong varint"},
		{"unknown field", []byte{formatV1, 0x80, 0x08, 1}, "event: unknown fields 0x400"},
		{"unknown refused field", []byte{formatV1, 0x80, 0x04, 1 << 3}, "refused: unknown fields 0x8"},
		{"unknown ticket field", []byte{formatV1, 1 << 3, 0x80, 0x80, 0x80, 0x40}, "ticket: unknown fields 0x8000000"},
		{"book claims more bookings than bytes", []byte{formatV1, 0x80, 0x01, 1 << 2, 100}, "book: 100 appointments in 0 bytes"},
		{"string too long", typed(2*5, 'd', 'o'), "event type: 5 bytes long, 2 left"},
		{"huge string", typed(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 'x'), "event type: 4611686018427387903 bytes long, 1 left"},
		{"reference beyond the words", typed(byte(2*len(words) + 1)), fmt.Sprintf("event type: refers to string %d of %d", len(words), len(words))},
		{"truncated time", []byte{formatV1, 1 << 1, 0x80}, "event time: truncated or overlong varint"},
		{"bytes left over", []byte{formatV1, 0, 0}, "1 bytes left over after the value"},
	}
	for _, c := range cases {
		_, err := decodeEvent(c.v)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// A reference to a literal read before is fine; one to a literal
	// not read yet is not.
	w := uint64(len(words))
	ok := []byte{formatV1, 1<<2 | 1<<5, 2 * 3, 'd', 'a', 'y', byte(2*w + 1)}
	if e, err := decodeEvent(ok); err != nil || e.Type != "day" || e.Day != "day" {
		t.Errorf("a repeated literal: %+v, %v", e, err)
	}
	ahead := []byte{formatV1, 1<<2 | 1<<5, byte(2*w + 1), 2 * 3, 'd', 'a', 'y'}
	if _, err := decodeEvent(ahead); err == nil || err.Error() != fmt.Sprintf("event type: refers to string %d of %d", w, w) {
		t.Errorf("a reference ahead: %v", err)
	}
	// A counter of 2⁵⁵ fits in an int on 64 bits, not on 32-bit ARM.
	_, err := decodeTicket([]byte{formatV1, 1 << 2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	if want := "ticket counter: 36028797018963968 does not fit in an int"; strconv.IntSize == 32 && (err == nil || err.Error() != want) {
		t.Errorf("a counter of 2⁵⁵ on 32 bits: %v, want %q", err, want)
	}
	if strconv.IntSize == 64 && err != nil {
		t.Errorf("a counter of 2⁵⁵ on 64 bits: %v", err)
	}
}

// TestCorruptValues: a damaged value in any bucket comes back from the
// store as an error wrapping ErrCorrupt that names the key.
func TestCorruptValues(t *testing.T) {
	cases := []struct {
		name   string
		bucket []byte
		key    []byte
		value  func(old []byte) []byte
		read   func(s *Store) error
		want   string
	}{
		{"event cut short", bucketEvents, seqKey(5), func(v []byte) []byte { return v[:len(v)/2] },
			func(s *Store) error { _, err := s.Outbox(0, 100); return err },
			`event 0000000000000005: `},
		{"event of another seq", bucketEvents, seqKey(5), func([]byte) []byte {
			v, _ := encodeEvent(&dispenser.Event{Seq: 6, Type: dispenser.DeskChanged})
			return v
		}, func(s *Store) error { _, err := s.Outbox(0, 100); return err },
			`event 0000000000000005 holds seq 6`},
		{"event in JSON, read by the purge", bucketEvents, seqKey(1), func([]byte) []byte { return []byte(`{"seq":1}`) },
			func(s *Store) error { _, err := s.Purge(monday.AddDate(1, 0, 0), Retention{}); return err },
			`event 0000000000000001: unknown format 123`},
		{"ticket with garbage", bucketTickets, []byte("t000001"), func(v []byte) []byte { return append(v, 0xff) },
			func(s *Store) error { _, err := s.Load(); return err },
			`ticket "t000001": 1 bytes left over after the value`},
		{"ticket under another id", bucketTickets, []byte("t000001"), func([]byte) []byte {
			v, _ := encodeTicket(&dispenser.Ticket{ID: "t000002"})
			return v
		}, func(s *Store) error { _, err := s.Load(); return err },
			`ticket "t000001" holds ticket "t000002"`},
		{"desk cut short", bucketDesks, []byte("taula1"), func(v []byte) []byte { return v[:3] },
			func(s *Store) error { _, err := s.Load(); return err },
			`desk "taula1": desk id: `},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustOpen(t)
			o := newOffice(t, s)
			busyMorning(o)
			path := s.Path()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := bbolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(tx *bbolt.Tx) error {
				b := tx.Bucket(c.bucket)
				old := b.Get(c.key)
				if old == nil {
					return fmt.Errorf("no %s %q", c.bucket, c.key)
				}
				return b.Put(c.key, c.value(bytes.Clone(old)))
			})
			if cerr := db.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			s = reopen(t, s)
			err = c.read(s)
			if err == nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v; want an ErrCorrupt saying %q", err, c.want)
			}
		})
	}
}

// FuzzDecodeEvent: decoding never panics, and what decodes encodes again
// to a value that decodes the same, and encodes the same again.
func FuzzDecodeEvent(f *testing.F) {
	for _, e := range append(realEvents(f), serveEvent) {
		v, err := encodeEvent(&e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		e, err := decodeEvent(v)
		if err != nil {
			return
		}
		v2, err := encodeEvent(&e)
		if err != nil {
			t.Fatalf("decoded %#v, which does not encode: %v", e, err)
		}
		e2, err := decodeEvent(v2)
		if err != nil {
			t.Fatalf("decoded %#v, encoded it as %x, which does not decode: %v", e, v2, err)
		}
		if !reflect.DeepEqual(e, e2) {
			t.Fatalf("decoded\n %#v\nencoded it and decoded\n %#v", e, e2)
		}
		if v3, _ := encodeEvent(&e2); !bytes.Equal(v2, v3) {
			t.Fatalf("encoded %#v as %x, then as %x", e, v2, v3)
		}
	})
}

// TestCodecBigBook: a day's book at its largest round-trips, each hash in
// 33 bytes, and a count beyond the limit is refused before allocating.
func TestCodecBigBook(t *testing.T) {
	b := dispenser.Book{Day: "2026-03-26", Version: "42"}
	slot := time.Date(2026, 3, 26, 7, 0, 0, 0, time.UTC)
	for i := range dispenser.MaxAppointments {
		b.Appointments = append(b.Appointments, dispenser.Booking{
			ID:           dispenser.AppointmentID(fmt.Sprintf("cita-%05d", i)),
			Slot:         slot.Add(time.Duration(i%200) * 3 * time.Minute),
			Service:      []dispenser.ServiceID{"oac", "padro", "policia"}[i%3],
			DocumentHash: hashOf(fmt.Sprint(i)),
		})
	}
	v, err := encodeBook(&b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeBook(v)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Fatal("the book did not round-trip")
	}
	if per := len(v) / len(b.Appointments); per > 52 {
		t.Errorf("%d bytes per appointment, want at most 52", per)
	}
	big := []byte{formatV1, 0b101, 2 * 10}
	big = append(big, "2026-03-26"...)
	big = binary.AppendUvarint(big, dispenser.MaxAppointments+1)
	big = append(big, make([]byte, 10*dispenser.MaxAppointments)...)
	if _, err := decodeBook(big); err == nil || !strings.Contains(err.Error(), "5001 appointments") {
		t.Errorf("a book of %d appointments: %v, want refused", dispenser.MaxAppointments+1, err)
	}
}
