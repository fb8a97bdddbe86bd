package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/syncproto"
)

// factCols are the tickets table's columns, keys first.
var factCols = []string{"office", "day", "id", "device_id", "seq", "service", "kind", "state", "reason", "desk", "clerk",
	"hour", "weekday", "issued", "wait_ms", "service_ms", "estimate_ms", "slot", "appointment", "transfers"}

// facts keeps the indicators' facts up to date from es, the events of
// device the transaction just inserted: each ticket's row in the tickets
// table is its latest snapshot, as the mirror's is, but for every day;
// desk snapshots and cut-off refusals go to day_events, loaded books to
// bookings; and every office-day touched is marked for its rollup.
func (s *Store) facts(ctx context.Context, q querier, office, device string, es []entry) error {
	// A batch may span days, and a ticket id is unique within its day.
	type key struct {
		day dispenser.Date
		id  dispenser.TicketID
	}
	latest := map[key]*entry{}
	var others []*entry
	for i := range es {
		e := &es[i].ev
		switch {
		case e.Ticket != nil:
			latest[key{e.Ticket.Day, e.Ticket.ID}] = &es[i]
			if e.Desk != nil {
				others = append(others, &es[i])
			}
		case e.Desk != nil, e.Refused != nil, e.Book != nil:
			others = append(others, &es[i])
		}
	}
	if len(latest) == 0 && len(others) == 0 {
		return nil
	}
	loc, err := s.location(ctx, q, office)
	if err != nil {
		return err
	}
	dirty := map[string]bool{}
	rows := make([][]any, 0, len(latest))
	for _, en := range latest {
		rows = append(rows, factRow(office, device, en.seq, en.ev.Ticket, loc))
		dirty[string(en.ev.Ticket.Day)] = true
	}
	if err := s.upsertMirror(ctx, q, "tickets", factCols, 3, rows); err != nil {
		return fmt.Errorf("ticket facts: %w", err)
	}
	var dayRows [][]any
	for _, en := range others {
		e := &en.ev
		at := e.Time.In(loc)
		day := at.Format(time.DateOnly)
		switch {
		case e.Book != nil:
			if err := putBookings(ctx, q, office, e.Book, loc); err != nil {
				return err
			}
			dirty[string(e.Book.Day)] = true
			continue
		case e.Refused != nil:
			dayRows = append(dayRows, []any{device, en.seq, office, day, string(e.Type), e.Time.UnixMilli(), "", "", 0, string(e.Refused.Service), at.Hour()})
		case e.Desk != nil:
			busy := 0
			if e.Desk.Current != "" {
				busy = 1
			}
			dayRows = append(dayRows, []any{device, en.seq, office, day, string(e.Type), e.Time.UnixMilli(), string(e.Desk.ID), string(e.Desk.State), busy, "", at.Hour()})
		default:
			continue
		}
		dirty[day] = true
	}
	if err := insertRows(ctx, q, "day_events", dayEventCols, dayRows); err != nil {
		return err
	}
	// In order: rebuilds lock the marks in that order too.
	for _, day := range slices.Sorted(maps.Keys(dirty)) {
		_, err := q.exec(ctx, `INSERT INTO dirty_days (office, day, version) VALUES (?, ?, 1)
			ON CONFLICT (office, day) DO UPDATE SET version = dirty_days.version + 1`, office, day)
		if err != nil {
			return fmt.Errorf("mark %s for its rollup: %w", day, err)
		}
	}
	return nil
}

var dayEventCols = []string{"device_id", "seq", "office", "day", "type", "at", "desk", "state", "busy", "service", "hour"}

// putBookings replaces the bookings of b's day with b's.
func putBookings(ctx context.Context, q querier, office string, b *dispenser.Book, loc *time.Location) error {
	if _, err := q.exec(ctx, "DELETE FROM bookings WHERE office = ? AND day = ?", office, string(b.Day)); err != nil {
		return fmt.Errorf("bookings of %s: %w", b.Day, err)
	}
	rows := make([][]any, 0, len(b.Appointments))
	seen := map[dispenser.AppointmentID]bool{}
	for _, a := range b.Appointments {
		if !seen[a.ID] {
			seen[a.ID] = true
			rows = append(rows, []any{office, string(b.Day), string(a.ID), string(a.Service), a.Slot.In(loc).Hour()})
		}
	}
	return insertRows(ctx, q, "bookings", []string{"office", "day", "id", "service", "hour"}, rows)
}

// factRow is ticket t's row in the tickets table.
func factRow(office, device string, seq int64, t *dispenser.Ticket, loc *time.Location) []any {
	issued := t.Issued.In(loc)
	var wait, service, slot any
	if !t.FirstCalled.IsZero() {
		wait = t.FirstCalled.Sub(t.Issued).Milliseconds()
	}
	if t.State == dispenser.Done {
		from := t.Started
		if from.IsZero() {
			from = t.Called
		}
		if !from.IsZero() && !t.Ended.Before(from) {
			service = t.Ended.Sub(from).Milliseconds()
		}
	}
	if !t.Slot.IsZero() {
		slot = t.Slot.UnixMilli()
	}
	return []any{office, string(t.Day), string(t.ID), device, seq, string(t.Service), string(t.Kind), string(t.State), t.Reason,
		string(t.Desk), t.Clerk, issued.Hour(), int(issued.Weekday()), t.Issued.UnixMilli(), wait, service,
		t.Estimate.Milliseconds(), slot, string(t.Appointment), t.Transfers}
}

// locations caches each office's time zone.
type locations struct {
	mu sync.Mutex
	m  map[string]*time.Location
}

// defaultZone is the time zone of an office whose config central has not
// had: every office Torn serves is in Catalonia.
const defaultZone = "Europe/Madrid"

// location returns office's time zone, from its config.
func (s *Store) location(ctx context.Context, q querier, office string) (*time.Location, error) {
	s.locs.mu.Lock()
	loc := s.locs.m[office]
	s.locs.mu.Unlock()
	if loc != nil {
		return loc, nil
	}
	var b []byte
	err := q.queryRow(ctx, "SELECT config FROM offices WHERE id = ?", office).Scan(&b)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("the time zone of office %s: %w", office, err)
	}
	zone := defaultZone
	var oc syncproto.OfficeConfig
	if len(b) > 0 && json.Unmarshal(b, &oc) == nil && oc.TimeZone != "" {
		zone = oc.TimeZone
	}
	loc, err = time.LoadLocation(zone)
	if err != nil {
		if loc, err = time.LoadLocation(defaultZone); err != nil {
			return nil, err
		}
	}
	if len(b) > 0 { // an office without a config yet is asked again
		s.locs.mu.Lock()
		if s.locs.m == nil {
			s.locs.m = map[string]*time.Location{}
		}
		s.locs.m[office] = loc
		s.locs.mu.Unlock()
	}
	return loc, nil
}
