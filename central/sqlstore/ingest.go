package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"torn.cat/torn/dispenser"
)

// chunk is the most rows one INSERT carries: 500 events of 6 columns stay
// far below SQLite's 32766 and PostgreSQL's 65535 parameters.
const chunk = 500

// walkPage is how many sequences one query of the cursor's walk reads.
const walkPage = 1000

// Ingest stores evs of device in one transaction, skipping those already
// stored, updates office's mirror from the ones it stored, and returns the
// device's acked sequence. evs need not be in order; a seq given twice is
// stored once (the first).
func (s *Store) Ingest(ctx context.Context, device, office string, evs []dispenser.Event) (uint64, error) {
	acked, err := s.ingest(ctx, device, office, evs)
	if err != nil {
		return 0, fmt.Errorf("ingest %d events of device %s (office %s): %w", len(evs), device, office, err)
	}
	return acked, nil
}

// An entry is an event ready to store, its JSON and its snapshots' made
// before the transaction: the group commit's one writer has enough to do.
type entry struct {
	seq  int64
	ev   dispenser.Event // in UTC
	body string          // its JSON
	// ticket, desk and book are the JSON of ev's snapshots, if any.
	ticket, desk, book string
}

func (s *Store) ingest(ctx context.Context, device, office string, evs []dispenser.Event) (uint64, error) {
	if device == "" || office == "" {
		return 0, errors.New("want a device and an office")
	}
	if len(evs) == 0 {
		return s.Acked(ctx, device)
	}
	// The work that needs no database is done before the transaction.
	es, err := entries(evs)
	if err != nil {
		return 0, err
	}
	return s.group(ctx, ingestReq{device: device, office: office, es: es})
}

// ingestIn stores es of device in transaction q and returns the device's
// acked sequence.
func (s *Store) ingestIn(ctx context.Context, q querier, device, office string, es []entry) (uint64, error) {
	// The office's row first, then the device's cursor: every writer of
	// an office's mirror and of a device's cursor takes them in this
	// order, so concurrent calls wait, never deadlock.
	var day string
	var last time.Time
	err := q.queryRow(ctx, `INSERT INTO offices (id, device) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET device = excluded.device RETURNING day, last`, office, device).
		Scan(&day, scanTime{&last})
	if err != nil {
		return 0, fmt.Errorf("lock office: %w", err)
	}
	var cur int64
	err = q.queryRow(ctx, `INSERT INTO cursors (device_id) VALUES (?)
		ON CONFLICT (device_id) DO UPDATE SET acked = cursors.acked RETURNING acked`, device).Scan(&cur)
	if err != nil {
		return 0, fmt.Errorf("lock cursor: %w", err)
	}
	inserted, err := s.insertEvents(ctx, q, device, office, es)
	if err != nil {
		return 0, err
	}
	if err := s.mirror(ctx, q, office, device, dispenser.Date(day), last, inserted); err != nil {
		return 0, err
	}
	if err := s.facts(ctx, q, office, device, inserted); err != nil {
		return 0, err
	}
	// Every event of the batch is stored now, inserted or not: the run
	// of them after the stored cursor counts without a query.
	a := cur
	for _, e := range es {
		if e.seq == a+1 {
			a++
		} else if e.seq > a {
			break
		}
	}
	if a, err = s.advance(ctx, q, device, cur, a); err != nil {
		return 0, err
	}
	return uint64(a), nil
}

// entries returns evs sorted by seq, without repeats, in UTC, encoded.
func entries(evs []dispenser.Event) ([]entry, error) {
	es := make([]entry, 0, len(evs))
	for i := range evs {
		if evs[i].Seq == 0 {
			return nil, fmt.Errorf("event %d (%s) has no seq", i+1, evs[i].Type)
		}
		seq, err := seqArg(evs[i].Seq)
		if err != nil {
			return nil, err
		}
		es = append(es, entry{seq: seq, ev: inUTC(evs[i])})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].seq < es[j].seq })
	out := es[:0]
	for _, e := range es {
		if len(out) > 0 && e.seq == out[len(out)-1].seq {
			continue // the first given stands
		}
		b, err := json.Marshal(&e.ev)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", e.seq, err)
		}
		e.body = string(b)
		if e.ticket, err = marshalIf(e.ev.Ticket); err == nil {
			if e.desk, err = marshalIf(e.ev.Desk); err == nil {
				e.book, err = marshalIf(e.ev.Book)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", e.seq, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// marshalIf is v's JSON, or "" for a nil pointer.
func marshalIf[T any](v *T) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// insertEvents inserts es, skipping the (device, seq) already stored, and
// returns the entries it inserted, in seq order.
func (s *Store) insertEvents(ctx context.Context, q querier, device, office string, es []entry) ([]entry, error) {
	inserted := make(map[int64]bool, len(es))
	args := make([]any, 0, 6*min(len(es), chunk))
	for start := 0; start < len(es); start += chunk {
		part := es[start:min(start+chunk, len(es))]
		args = args[:0]
		for _, e := range part {
			args = append(args, device, e.seq, office, s.tv(e.ev.Time), string(e.ev.Type), e.body)
		}
		rows, err := q.query(ctx, insertEventsQuery(len(part)), args...)
		if err != nil {
			return nil, fmt.Errorf("insert events: %w", err)
		}
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				rows.Close()
				return nil, fmt.Errorf("insert events: %w", err)
			}
			inserted[seq] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("insert events: %w", err)
		}
	}
	out := make([]entry, 0, len(inserted))
	for _, e := range es {
		if inserted[e.seq] {
			out = append(out, e)
		}
	}
	return out, nil
}

// fullChunkQuery is the INSERT of a full chunk, the usual size, made once.
var fullChunkQuery = "INSERT INTO events (device_id, seq, office, time, type, body) VALUES " +
	values(chunk, 6) + " ON CONFLICT (device_id, seq) DO NOTHING RETURNING seq"

func insertEventsQuery(n int) string {
	if n == chunk {
		return fullChunkQuery
	}
	return "INSERT INTO events (device_id, seq, office, time, type, body) VALUES " +
		values(n, 6) + " ON CONFLICT (device_id, seq) DO NOTHING RETURNING seq"
}

// advance moves device's cursor from cur (the value in its row, which the
// transaction holds locked) to the highest contiguous sequence from from
// on, walking the stored events forward from it and stopping at the first
// gap, and writes it if it moved.
func (s *Store) advance(ctx context.Context, q querier, device string, cur, from int64) (int64, error) {
	acked := from
	for {
		rows, err := q.query(ctx, "SELECT seq FROM events WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?",
			device, acked, walkPage)
		if err != nil {
			return 0, fmt.Errorf("walk the cursor from %d: %w", acked, err)
		}
		n, gap := 0, false
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				rows.Close()
				return 0, fmt.Errorf("walk the cursor from %d: %w", acked, err)
			}
			n++
			if seq != acked+1 {
				gap = true
				break
			}
			acked = seq
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("walk the cursor from %d: %w", acked, err)
		}
		if gap || n < walkPage {
			break
		}
	}
	if acked != cur {
		if _, err := q.exec(ctx, "UPDATE cursors SET acked = ? WHERE device_id = ?", acked, device); err != nil {
			return 0, fmt.Errorf("move the cursor to %d: %w", acked, err)
		}
	}
	return acked, nil
}

// Gone records that device's events up to through will never come and
// returns the new acked.
func (s *Store) Gone(ctx context.Context, device string, through uint64) (uint64, error) {
	var acked uint64
	err := s.e.write(ctx, func(q querier) error {
		th, err := seqArg(through)
		if err != nil {
			return err
		}
		var cur, gone int64
		err = q.queryRow(ctx, `INSERT INTO cursors (device_id, gone_through) VALUES (?, ?)
			ON CONFLICT (device_id) DO UPDATE SET gone_through = CASE
				WHEN excluded.gone_through > cursors.gone_through THEN excluded.gone_through
				ELSE cursors.gone_through END
			RETURNING acked, gone_through`, device, th).Scan(&cur, &gone)
		if err != nil {
			return fmt.Errorf("lock cursor: %w", err)
		}
		a, err := s.advance(ctx, q, device, cur, max(cur, gone))
		acked = uint64(a)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("record events of device %s gone through %d: %w", device, through, err)
	}
	return acked, nil
}

// Acked returns the device's acked sequence (0 for a new device).
func (s *Store) Acked(ctx context.Context, device string) (uint64, error) {
	var acked int64
	err := s.e.view(ctx, func(q querier) error {
		return q.queryRow(ctx, "SELECT acked FROM cursors WHERE device_id = ?", device).Scan(&acked)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the cursor of device %s: %w", device, err)
	}
	return uint64(acked), nil
}

// Events returns the device's stored events with seq > after, in order,
// at most limit (none if limit < 1).
func (s *Store) Events(ctx context.Context, device string, after uint64, limit int) ([]dispenser.Event, error) {
	evs, err := s.events(ctx, device, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read events of device %s after %d: %w", device, after, err)
	}
	return evs, nil
}

func (s *Store) events(ctx context.Context, device string, after uint64, limit int) ([]dispenser.Event, error) {
	if limit < 1 {
		return nil, nil
	}
	a, err := seqArg(after)
	if err != nil {
		return nil, err
	}
	var evs []dispenser.Event
	err = s.e.view(ctx, func(q querier) error {
		rows, err := q.query(ctx, "SELECT seq, body FROM events WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?", device, a, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			var body []byte
			if err := rows.Scan(&seq, &body); err != nil {
				return err
			}
			var e dispenser.Event
			if err := json.Unmarshal(body, &e); err != nil {
				return fmt.Errorf("event %d: %w", seq, err)
			}
			e.Seq = uint64(seq)
			evs = append(evs, e)
		}
		return rows.Err()
	})
	return evs, err
}

// inUTC returns e with every time in UTC, without a monotonic reading; its
// snapshots are copies.
func inUTC(e dispenser.Event) dispenser.Event {
	e.Time = utc(e.Time)
	if e.Ticket != nil {
		t := *e.Ticket
		for _, p := range []*time.Time{&t.Issued, &t.Queued, &t.Slot, &t.FirstCalled, &t.Called, &t.Started, &t.Ended} {
			*p = utc(*p)
		}
		e.Ticket = &t
	}
	if e.Desk != nil {
		d := *e.Desk
		d.Since = utc(d.Since)
		e.Desk = &d
	}
	if e.Printer != nil {
		p := *e.Printer
		p.Since = utc(p.Since)
		e.Printer = &p
	}
	if e.Book != nil {
		b := *e.Book
		if e.Book.Appointments != nil {
			b.Appointments = make([]dispenser.Booking, len(e.Book.Appointments))
			for i, a := range e.Book.Appointments {
				a.Slot = utc(a.Slot)
				b.Appointments[i] = a
			}
		}
		e.Book = &b
	}
	return e
}

// utc is t in UTC; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Round(0).UTC()
}
