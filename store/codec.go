package store

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"torn.cat/torn/dispenser"
)

// The values of the events, tickets and desks buckets (schema version 2)
// are in a compact binary encoding, about a quarter of the size of JSON and
// many times faster to decode.
//
// A value is a format byte, formatV1, and a record. A record is a uvarint
// whose bit i says whether the record's field i is present, then the
// present fields in order. An absent field is the zero value: an empty
// string, 0, the zero time, a nil pointer. The fields, in order:
//
//	event   seq, time, type, ticket (a record), desk (a record), day,
//	        printer (a record), book (a record), applied, refused (a
//	        record)
//	ticket  id, number, counter, day, service, kind, state, token, lang,
//	        issued, queued, slot, ahead, estimate, desk, clerk, calls,
//	        first called, called, started, ended, transfers, from,
//	        reason, document hash, no paper (1 when set), appointment
//	desk    id, state, current, clerk, since
//	printer ready (1 when ready), reason, since
//	book    day, version, appointments (a uvarint n, then n booking
//	        records)
//	booking id, slot, service, document hash, name
//	refused service, kind, reason
//
// Seq is a uvarint; the other integers and the durations are varints
// (zig-zag). A time is a varint: its Unix time in nanoseconds minus that of
// the time written before it in the same record, or, for a record's first
// time, minus the base: the event's time for the ticket and desk of an
// event, 0 otherwise. Consecutive times of a ticket are seconds to hours
// apart and take 5 to 7 bytes; an event's own time takes 9. Times come back
// in UTC with no monotonic reading, exact to the nanosecond. Times outside
// the 584 years of int64 nanoseconds, from 1677-09-21 to 2262-04-11, cannot
// be written.
//
// A string is a uvarint n. An even n is a literal: n/2 bytes follow. An odd
// n refers to entry n/2 of the value's dictionary: the words of the format,
// then every literal written before it in the same value. So the event
// types, kinds and states take a byte, and so does a desk's id or clerk
// that the event's ticket already named. n = 0 (an empty literal, which is
// never written, as empty strings are absent) is a document hash, 64
// lower-case hex digits, as its 32 bytes: it too is a literal the
// dictionary keeps.
//
// Decoding trusts nothing: a short or malformed value, a string longer than
// what is left, a reference beyond the dictionary, a field this code does
// not know, bytes after the value and an integer too big for an int (on
// 32-bit ARM) are errors; lengths are checked before anything is allocated.
const formatV1 = 1

// hashBytes is the size of a document hash (HMAC-SHA-256) in binary.
const hashBytes = 32

// words opens the dictionary of formatV1: the values of the dispenser's
// event types, kinds, states, desk states and languages, as they were when
// the format was made. Values refer to them by index: never change the
// list; another list is another format.
var words = [...]string{
	"ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.done",
	"ticket.noshow", "ticket.cancelled", "ticket.transferred", "desk.changed", "day.started",
	"walkin", "appointment", "priority",
	"waiting", "called", "serving", "done", "noshow", "cancelled",
	"closed", "open", "paused",
	"ca", "es", "en",
}

// wordIndex is the index of each of words.
var wordIndex = func() map[string]int {
	m := make(map[string]int, len(words))
	for i, w := range words {
		m[w] = i
	}
	return m
}()

// encodeEvent returns e's value for the events bucket.
func encodeEvent(e *dispenser.Event) ([]byte, error) {
	w := newWriter("event")
	w.uint(e.Seq)
	w.time("time", e.Time)
	w.str(string(e.Type))
	if w.field(e.Ticket != nil) {
		t := w.child("ticket")
		writeTicket(t, e.Ticket)
		w.nested(t)
	}
	if w.field(e.Desk != nil) {
		d := w.child("desk")
		writeDesk(d, e.Desk)
		w.nested(d)
	}
	w.str(string(e.Day))
	if w.field(e.Printer != nil) {
		p := w.child("printer")
		ready := uint64(0)
		if e.Printer.Ready {
			ready = 1
		}
		p.uint(ready)
		p.str(e.Printer.Reason)
		p.time("since", e.Printer.Since)
		w.nested(p)
	}
	if w.field(e.Book != nil) {
		b := w.child("book")
		writeBook(b, e.Book)
		w.nested(b)
	}
	w.str(e.Applied)
	if w.field(e.Refused != nil) {
		r := w.child("refused")
		r.str(string(e.Refused.Service))
		r.str(string(e.Refused.Kind))
		r.str(string(e.Refused.Reason))
		w.nested(r)
	}
	return w.value()
}

// encodeBook returns b's value for the books bucket.
func encodeBook(b *dispenser.Book) ([]byte, error) {
	w := newWriter("book")
	writeBook(w, b)
	return w.value()
}

// writeBook writes the fields of b to w; its appointments follow the
// record, each a record of its own.
func writeBook(w *writer, b *dispenser.Book) {
	w.str(string(b.Day))
	w.str(b.Version)
	w.uint(uint64(len(b.Appointments)))
	for i := range b.Appointments {
		a := &b.Appointments[i]
		c := w.child("booking")
		c.str(string(a.ID))
		c.time("slot", a.Slot)
		c.str(string(a.Service))
		c.str(a.DocumentHash)
		c.str(a.Name)
		w.nested(c)
		// The next booking counts its slot from this one's.
		w.prev = c.prev
	}
}

// encodeTicket returns t's value for the tickets bucket.
func encodeTicket(t *dispenser.Ticket) ([]byte, error) {
	w := newWriter("ticket")
	writeTicket(w, t)
	return w.value()
}

// encodeDesk returns d's value for the desks bucket.
func encodeDesk(d *dispenser.DeskStatus) ([]byte, error) {
	w := newWriter("desk")
	writeDesk(w, d)
	return w.value()
}

// writeTicket writes the fields of t to w.
func writeTicket(w *writer, t *dispenser.Ticket) {
	w.str(string(t.ID))
	w.str(t.Number)
	w.int(int64(t.Counter))
	w.str(string(t.Day))
	w.str(string(t.Service))
	w.str(string(t.Kind))
	w.str(string(t.State))
	w.str(t.Token)
	w.str(string(t.Lang))
	w.time("issued", t.Issued)
	w.time("queued", t.Queued)
	w.time("slot", t.Slot)
	w.int(int64(t.Ahead))
	w.int(int64(t.Estimate))
	w.str(string(t.Desk))
	w.str(t.Clerk)
	w.int(int64(t.Calls))
	w.time("first called", t.FirstCalled)
	w.time("called", t.Called)
	w.time("started", t.Started)
	w.time("ended", t.Ended)
	w.int(int64(t.Transfers))
	w.str(string(t.From))
	w.str(t.Reason)
	w.str(t.DocumentHash)
	noPaper := uint64(0)
	if t.NoPaper {
		noPaper = 1
	}
	w.uint(noPaper)
	w.str(string(t.Appointment))
}

// writeDesk writes the fields of d to w.
func writeDesk(w *writer, d *dispenser.DeskStatus) {
	w.str(string(d.ID))
	w.str(string(d.State))
	w.str(string(d.Current))
	w.str(d.Clerk)
	w.time("since", d.Since)
}

// decodeEvent decodes a value of the events bucket.
func decodeEvent(v []byte) (dispenser.Event, error) {
	var e dispenser.Event
	d := newDecoder(v)
	r := d.record("event", 0)
	e.Seq = r.uint("seq")
	e.Time = r.time("time")
	e.Type = dispenser.EventType(r.str("type"))
	if r.has() {
		t := d.ticket(r.prev)
		e.Ticket = &t
	}
	if r.has() {
		ds := d.desk(r.prev)
		e.Desk = &ds
	}
	e.Day = dispenser.Date(r.str("day"))
	if r.has() {
		p := d.record("printer", r.prev)
		e.Printer = &dispenser.PrinterStatus{Ready: p.uint("ready") == 1, Reason: p.str("reason"), Since: p.time("since")}
		p.end()
	}
	if r.has() {
		b := d.book(r.prev)
		e.Book = &b
	}
	e.Applied = r.str("applied")
	if r.has() {
		x := d.record("refused", r.prev)
		e.Refused = &dispenser.Refused{
			Service: dispenser.ServiceID(x.str("service")),
			Kind:    dispenser.Kind(x.str("kind")),
			Reason:  dispenser.RefusalReason(x.str("reason")),
		}
		x.end()
	}
	r.end()
	return e, d.end()
}

// decodeBook decodes a value of the books bucket.
func decodeBook(v []byte) (dispenser.Book, error) {
	d := newDecoder(v)
	b := d.book(0)
	return b, d.end()
}

// book reads the record of a book and the booking records after it, their
// times counted from base; the fields are those of writeBook.
func (d *decoder) book(base int64) dispenser.Book {
	var b dispenser.Book
	r := d.record("book", base)
	b.Day = dispenser.Date(r.str("day"))
	b.Version = r.str("version")
	n := r.uint("appointments")
	r.end()
	// A booking takes a byte at least: a count beyond what is left is a
	// lie, and allocating for it would be the decoder's undoing.
	if n > uint64(len(d.b)) || n > dispenser.MaxAppointments {
		d.fail("book: %d appointments in %d bytes", n, len(d.b))
		return b
	}
	if n > 0 {
		b.Appointments = make([]dispenser.Booking, 0, n)
	}
	prev := r.prev
	for i := uint64(0); i < n && d.err == nil; i++ {
		a := d.record("booking", prev)
		var bk dispenser.Booking
		bk.ID = dispenser.AppointmentID(a.str("id"))
		bk.Slot = a.time("slot")
		bk.Service = dispenser.ServiceID(a.str("service"))
		bk.DocumentHash = a.str("document hash")
		bk.Name = a.str("name")
		a.end()
		prev = a.prev
		b.Appointments = append(b.Appointments, bk)
	}
	return b
}

// decodeTicket decodes a value of the tickets bucket.
func decodeTicket(v []byte) (dispenser.Ticket, error) {
	d := newDecoder(v)
	t := d.ticket(0)
	return t, d.end()
}

// decodeDesk decodes a value of the desks bucket.
func decodeDesk(v []byte) (dispenser.DeskStatus, error) {
	d := newDecoder(v)
	ds := d.desk(0)
	return ds, d.end()
}

// ticket reads the record of a ticket, its times counted from base; the
// fields are those of writeTicket, in its order.
func (d *decoder) ticket(base int64) dispenser.Ticket {
	var t dispenser.Ticket
	r := d.record("ticket", base)
	t.ID = dispenser.TicketID(r.str("id"))
	t.Number = r.str("number")
	t.Counter = r.int("counter")
	t.Day = dispenser.Date(r.str("day"))
	t.Service = dispenser.ServiceID(r.str("service"))
	t.Kind = dispenser.Kind(r.str("kind"))
	t.State = dispenser.State(r.str("state"))
	t.Token = r.str("token")
	t.Lang = dispenser.Lang(r.str("lang"))
	t.Issued = r.time("issued")
	t.Queued = r.time("queued")
	t.Slot = r.time("slot")
	t.Ahead = r.int("ahead")
	t.Estimate = time.Duration(r.int64("estimate"))
	t.Desk = dispenser.DeskID(r.str("desk"))
	t.Clerk = r.str("clerk")
	t.Calls = r.int("calls")
	t.FirstCalled = r.time("first called")
	t.Called = r.time("called")
	t.Started = r.time("started")
	t.Ended = r.time("ended")
	t.Transfers = r.int("transfers")
	t.From = dispenser.ServiceID(r.str("from"))
	t.Reason = r.str("reason")
	t.DocumentHash = r.str("document hash")
	t.NoPaper = r.uint("no paper") == 1
	t.Appointment = dispenser.AppointmentID(r.str("appointment"))
	r.end()
	return t
}

// desk reads the record of a desk, its time counted from base; the fields
// are those of writeDesk, in its order.
func (d *decoder) desk(base int64) dispenser.DeskStatus {
	var ds dispenser.DeskStatus
	r := d.record("desk", base)
	ds.ID = dispenser.DeskID(r.str("id"))
	ds.State = dispenser.DeskState(r.str("state"))
	ds.Current = dispenser.TicketID(r.str("current"))
	ds.Clerk = r.str("clerk")
	ds.Since = r.time("since")
	r.end()
	return ds
}

// A writer builds one record: each field call appends the field to body
// when it is present and sets its bit.
type writer struct {
	what string // "event", "ticket" or "desk", for errors
	bits uint64
	next uint // the index of the next field
	body []byte
	prev int64 // what the next time is counted from
	seen *dict // the literals written so far in the value
	err  error // the first field that cannot be written
}

// dict is the literals written so far in a value, in order. Most values
// have a dozen, which a scan finds fastest; a day's book has thousands, so
// past a few dozen a map finds them.
type dict struct {
	list  []string
	index map[string]int
}

const dictScan = 32

func (d *dict) find(s string) (int, bool) {
	if d.index != nil {
		i, ok := d.index[s]
		return i, ok
	}
	for i, lit := range d.list {
		if lit == s {
			return i, true
		}
	}
	return 0, false
}

func (d *dict) add(s string) {
	d.list = append(d.list, s)
	switch {
	case d.index != nil:
		d.index[s] = len(d.list) - 1
	case len(d.list) > dictScan:
		d.index = make(map[string]int, 2*len(d.list))
		for i, lit := range d.list {
			if _, dup := d.index[lit]; !dup {
				d.index[lit] = i
			}
		}
	}
}

func newWriter(what string) *writer {
	return &writer{what: what, seen: new(dict)}
}

// child returns the writer of a record nested in w's, at the point w has
// reached: it counts times from w's last one and shares w's dictionary.
func (w *writer) child(what string) *writer {
	return &writer{what: what, prev: w.prev, seen: w.seen}
}

// field records whether the next field is present and reports it.
func (w *writer) field(present bool) bool {
	if present {
		w.bits |= 1 << w.next
	}
	w.next++
	return present
}

func (w *writer) str(s string) {
	if !w.field(s != "") {
		return
	}
	if i, ok := wordIndex[s]; ok {
		w.body = binary.AppendUvarint(w.body, uint64(i)<<1|1)
		return
	}
	if i, ok := w.seen.find(s); ok {
		w.body = binary.AppendUvarint(w.body, uint64(len(words)+i)<<1|1)
		return
	}
	if dispenser.IsDocumentHash(s) {
		// IsDocumentHash checked every digit: the decoding cannot fail.
		w.body, _ = hex.AppendDecode(append(w.body, 0), []byte(s))
	} else {
		w.body = binary.AppendUvarint(w.body, uint64(len(s))<<1)
		w.body = append(w.body, s...)
	}
	w.seen.add(s)
}

func (w *writer) uint(v uint64) {
	if w.field(v != 0) {
		w.body = binary.AppendUvarint(w.body, v)
	}
}

func (w *writer) int(v int64) {
	if w.field(v != 0) {
		w.body = binary.AppendVarint(w.body, v)
	}
}

func (w *writer) time(name string, t time.Time) {
	if !w.field(!t.IsZero()) {
		return
	}
	ns := t.UnixNano()
	if !time.Unix(0, ns).Equal(t) {
		if w.err == nil {
			w.err = fmt.Errorf("%s %s %s: outside the times the store can hold, 1677-09-21 to 2262-04-11", w.what, name, t.Format(time.RFC3339Nano))
		}
		return
	}
	// Differences wrap around like the sums that undo them: every pair
	// of times in range comes back exactly.
	w.body = binary.AppendVarint(w.body, ns-w.prev)
	w.prev = ns
}

// nested appends the record of c, w's child, a field whose presence the
// caller has recorded.
func (w *writer) nested(c *writer) {
	w.body = c.appendTo(w.body)
	if w.err == nil {
		w.err = c.err
	}
}

func (w *writer) appendTo(b []byte) []byte {
	b = binary.AppendUvarint(b, w.bits)
	return append(b, w.body...)
}

// value returns the record as a stored value, behind its format byte.
func (w *writer) value() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	return w.appendTo(append(make([]byte, 0, 1+binary.MaxVarintLen64+len(w.body)), formatV1)), nil
}

// A decoder reads one stored value. It keeps the first problem it meets;
// once it has one, every read returns the zero value.
type decoder struct {
	b    []byte   // what is left to read
	seen []string // the literals read so far
	err  error
	// buf holds seen: a value has 21 strings at most (an event's with
	// its ticket, desk and printer), so seen outgrows it only in a book.
	buf [21]string
}

// newDecoder starts reading v after its format byte.
func newDecoder(v []byte) *decoder {
	d := &decoder{}
	d.seen = d.buf[:0]
	switch {
	case len(v) == 0:
		d.fail("empty value")
	case v[0] != formatV1:
		d.fail("unknown format %d", v[0])
	default:
		d.b = v[1:]
	}
	return d
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

// end returns the first problem, or an error if bytes are left over.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) > 0 {
		d.fail("%d bytes left over after the value", len(d.b))
	}
	return d.err
}

// The reads name the field they read, for errors: what is the record,
// name the field.

func (d *decoder) uvarint(what, name string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("%s %s: truncated or overlong varint", what, name)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint(what, name string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("%s %s: truncated or overlong varint", what, name)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// str reads a string: a literal, or a reference to the dictionary.
func (d *decoder) str(what, name string) string {
	n := d.uvarint(what, name)
	if d.err != nil {
		return ""
	}
	if n&1 == 1 {
		i := n >> 1
		switch {
		case i < uint64(len(words)):
			return words[i]
		case i-uint64(len(words)) < uint64(len(d.seen)):
			return d.seen[i-uint64(len(words))]
		}
		d.fail("%s %s: refers to string %d of %d", what, name, i, len(words)+len(d.seen))
		return ""
	}
	var s string
	if n == 0 {
		if len(d.b) < hashBytes {
			d.fail("%s %s: a document hash of %d bytes, %d left", what, name, hashBytes, len(d.b))
			return ""
		}
		s = hex.EncodeToString(d.b[:hashBytes])
		d.b = d.b[hashBytes:]
	} else {
		n >>= 1
		if n > uint64(len(d.b)) {
			d.fail("%s %s: %d bytes long, %d left", what, name, n, len(d.b))
			return ""
		}
		s = string(d.b[:n])
		d.b = d.b[n:]
	}
	d.seen = append(d.seen, s)
	return s
}

// A record reads the fields of one record in the order they were written.
type record struct {
	d    *decoder
	what string
	bits uint64
	next uint  // the index of the next field
	prev int64 // what the next time is counted from
}

// record starts reading a record, its first time counted from base.
func (d *decoder) record(what string, base int64) record {
	return record{d: d, what: what, bits: d.uvarint(what, "fields"), prev: base}
}

// has reports whether the next field is present.
func (r *record) has() bool {
	present := r.bits&(1<<r.next) != 0 && r.d.err == nil
	r.next++
	return present
}

// end refuses fields beyond those read: a later format's, or garbage.
func (r *record) end() {
	if r.bits>>r.next != 0 {
		r.d.fail("%s: unknown fields %#x", r.what, r.bits>>r.next<<r.next)
	}
}

func (r *record) str(name string) string {
	if !r.has() {
		return ""
	}
	return r.d.str(r.what, name)
}

func (r *record) uint(name string) uint64 {
	if !r.has() {
		return 0
	}
	return r.d.uvarint(r.what, name)
}

func (r *record) int64(name string) int64 {
	if !r.has() {
		return 0
	}
	return r.d.varint(r.what, name)
}

// int reads an int64 field into an int, which on 32-bit ARM is 32 bits.
func (r *record) int(name string) int {
	v := r.int64(name)
	if int64(int(v)) != v {
		r.d.fail("%s %s: %d does not fit in an int", r.what, name, v)
		return 0
	}
	return int(v)
}

func (r *record) time(name string) time.Time {
	if !r.has() {
		return time.Time{}
	}
	delta := r.d.varint(r.what, name)
	if r.d.err != nil {
		return time.Time{}
	}
	r.prev += delta
	return time.Unix(0, r.prev).UTC()
}
