package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/syncproto"
)

// factCols are the tickets table's columns, keys first.
var factCols = []string{"office", "day", "id", "device_id", "seq", "service", "kind", "state", "reason", "desk", "clerk",
	"hour", "weekday", "issued", "wait_ms", "service_ms", "estimate_ms", "slot", "appointment", "transfers"}

// facts keeps the tickets table up to date from es, the events of device
// the transaction just inserted: each ticket's row is its latest
// snapshot, as the mirror's is, but for every day.
func (s *Store) facts(ctx context.Context, q querier, office, device string, es []entry) error {
	// A batch may span days, and a ticket id is unique within its day.
	type key struct {
		day dispenser.Date
		id  dispenser.TicketID
	}
	latest := map[key]*entry{}
	for i := range es {
		if t := es[i].ev.Ticket; t != nil {
			latest[key{t.Day, t.ID}] = &es[i]
		}
	}
	if len(latest) == 0 {
		return nil
	}
	loc, err := s.location(ctx, q, office)
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(latest))
	for _, en := range latest {
		rows = append(rows, factRow(office, device, en.seq, en.ev.Ticket, loc))
	}
	if err := s.upsertMirror(ctx, q, "tickets", factCols, 3, rows); err != nil {
		return fmt.Errorf("ticket facts: %w", err)
	}
	return nil
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
