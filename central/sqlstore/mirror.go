package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"torn.cat/torn/central"
	"torn.cat/torn/dispenser"
)

// mirror updates office's mirror from evs, the events of device that the
// transaction just inserted, in seq order; day and last are the office's
// day and last event time before them.
//
// Events may come in any order (a batch after a gap, the gap later), so
// the mirror never goes back: a ticket's, desk's or book's row keeps the
// (device, seq) of the event it is from and takes only a later one of
// that device (or any of another device: a device reset under a new id);
// the day only moves forward, to the latest DayStarted's or ticket's day,
// and then drops the tickets of other days and the books of earlier
// days, as the device's dispenser does.
func (s *Store) mirror(ctx context.Context, q querier, office, device string, day dispenser.Date, last time.Time, es []entry) error {
	if len(es) == 0 {
		return nil
	}
	newDay, newLast := day, last
	tickets := map[dispenser.TicketID]*entry{}
	desks := map[dispenser.DeskID]*entry{}
	books := map[dispenser.Date]*entry{}
	for i := range es {
		en := &es[i]
		e := &en.ev
		if e.Type == dispenser.DayStarted && e.Day > newDay {
			newDay = e.Day
		}
		if e.Ticket != nil {
			newDay = max(newDay, e.Ticket.Day)
			tickets[e.Ticket.ID] = en
		}
		if e.Desk != nil {
			desks[e.Desk.ID] = en
		}
		if e.Book != nil {
			books[e.Book.Day] = en
		}
		if t := stored(e.Time); t.After(newLast) {
			newLast = t
		}
	}
	if newDay != day || !newLast.Equal(last) {
		_, err := q.exec(ctx, "UPDATE offices SET day = ?, last = ? WHERE id = ?", string(newDay), s.tv(newLast), office)
		if err != nil {
			return fmt.Errorf("mirror: set the day: %w", err)
		}
	}
	if newDay != day {
		if _, err := q.exec(ctx, "DELETE FROM mirror_tickets WHERE office = ? AND day <> ?", office, string(newDay)); err != nil {
			return fmt.Errorf("mirror: drop the tickets of other days than %s: %w", newDay, err)
		}
		if _, err := q.exec(ctx, "DELETE FROM books WHERE office = ? AND day < ?", office, string(newDay)); err != nil {
			return fmt.Errorf("mirror: drop the books of days before %s: %w", newDay, err)
		}
	}

	var rows [][]any
	for _, en := range tickets {
		t := en.ev.Ticket
		if t.Day < newDay {
			continue // closed with its day
		}
		rows = append(rows, []any{office, string(t.ID), string(t.Day), t.Token, device, en.seq, en.ticket})
	}
	if err := s.upsertMirror(ctx, q, "mirror_tickets", []string{"office", "id", "day", "token", "device_id", "seq", "body"}, 2, rows); err != nil {
		return fmt.Errorf("mirror: tickets: %w", err)
	}

	rows = rows[:0]
	for _, en := range desks {
		rows = append(rows, []any{office, string(en.ev.Desk.ID), device, en.seq, en.desk})
	}
	if err := s.upsertMirror(ctx, q, "mirror_desks", []string{"office", "id", "device_id", "seq", "body"}, 2, rows); err != nil {
		return fmt.Errorf("mirror: desks: %w", err)
	}

	rows = rows[:0]
	for _, en := range books {
		b := en.ev.Book
		if b.Day < newDay {
			continue
		}
		rows = append(rows, []any{office, string(b.Day), b.Version, device, en.seq, en.book})
	}
	if err := s.upsertMirror(ctx, q, "books", []string{"office", "day", "version", "device_id", "seq", "body"}, 2, rows); err != nil {
		return fmt.Errorf("mirror: books: %w", err)
	}
	return nil
}

// upsertMirror writes rows into table, whose first keys columns are its
// primary key, unless the row there is from a later event of the same
// device. Rows are written in key order, so that two writers never wait
// for each other's rows crosswise.
func (s *Store) upsertMirror(ctx context.Context, q querier, table string, cols []string, keys int, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][1].(string) < rows[j][1].(string) })
	var set []string
	for _, c := range cols[keys:] {
		set = append(set, c+" = excluded."+c)
	}
	per := chunk * 6 / len(cols)
	args := make([]any, 0, len(cols)*min(len(rows), per))
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		args = args[:0]
		for _, r := range part {
			args = append(args, r...)
		}
		query := fmt.Sprintf(`INSERT INTO %[1]s (%[2]s) VALUES %[3]s
			ON CONFLICT (%[4]s) DO UPDATE SET %[5]s
			WHERE %[1]s.device_id IS NULL OR %[1]s.device_id <> excluded.device_id OR %[1]s.seq < excluded.seq`,
			table, strings.Join(cols, ", "), values(len(part), len(cols)), strings.Join(cols[:keys], ", "), strings.Join(set, ", "))
		if _, err := q.exec(ctx, (query), args...); err != nil {
			return err
		}
	}
	return nil
}

// Snapshot returns office's mirror as a dispenser snapshot: its day, the
// last event time, the tickets of that day in the order they were
// issued, the desks by id, the books of that day and later by day. An
// office never heard of has the zero Snapshot.
func (s *Store) Snapshot(ctx context.Context, office string) (dispenser.Snapshot, error) {
	var st dispenser.Snapshot
	err := s.e.read(ctx, func(q querier) error {
		var day string
		err := q.queryRow(ctx, "SELECT day, last FROM offices WHERE id = ?", office).Scan(&day, scanTime{&st.Last})
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		st.Day = dispenser.Date(day)
		if st.Tickets, err = queryJSON[dispenser.Ticket](ctx, q, "SELECT body FROM mirror_tickets WHERE office = ? AND day = ?", office, day); err != nil {
			return fmt.Errorf("tickets: %w", err)
		}
		if st.Desks, err = queryJSON[dispenser.DeskStatus](ctx, q, "SELECT body FROM mirror_desks WHERE office = ? ORDER BY id", office); err != nil {
			return fmt.Errorf("desks: %w", err)
		}
		if st.Books, err = queryJSON[dispenser.Book](ctx, q, "SELECT body FROM books WHERE office = ? AND day >= ? ORDER BY day", office, day); err != nil {
			return fmt.Errorf("books: %w", err)
		}
		return nil
	})
	if err != nil {
		return dispenser.Snapshot{}, fmt.Errorf("read the mirror of office %s: %w", office, err)
	}
	sort.Slice(st.Tickets, func(i, j int) bool {
		a, b := &st.Tickets[i], &st.Tickets[j]
		if !a.Issued.Equal(b.Issued) {
			return a.Issued.Before(b.Issued)
		}
		return a.Number < b.Number
	})
	return st, nil
}

// queryJSON returns the JSON values of query's single column.
func queryJSON[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// OfficeOfToken returns the office of the current ticket with tracking
// token tok; ErrNotFound if none.
func (s *Store) OfficeOfToken(ctx context.Context, tok string) (string, error) {
	var office string
	err := s.e.view(ctx, func(q querier) error {
		return q.queryRow(ctx, `SELECT m.office FROM mirror_tickets m
			JOIN offices o ON o.id = m.office AND o.day = m.day WHERE m.token = ? LIMIT 1`, tok).Scan(&office)
	})
	if errors.Is(err, sql.ErrNoRows) {
		// Not the token: it is a secret of the citizen's.
		return "", notFound("office of a ticket token")
	}
	if err != nil {
		return "", fmt.Errorf("find the office of a ticket token: %w", err)
	}
	return office, nil
}

// Offices lists the offices central has heard of (from a device added,
// seen or sending events, or a config), by id, with their device (the
// one that last connected or sent), its acked sequence and when it was
// last seen.
func (s *Store) Offices(ctx context.Context) ([]central.OfficeInfo, error) {
	var out []central.OfficeInfo
	err := s.e.view(ctx, func(q querier) error {
		rows, err := q.query(ctx, `SELECT o.id, o.device, o.day, COALESCE(c.acked, 0), d.last_seen
			FROM offices o LEFT JOIN cursors c ON c.device_id = o.device LEFT JOIN devices d ON d.id = o.device
			ORDER BY o.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o central.OfficeInfo
			var day string
			var acked int64
			if err := rows.Scan(&o.ID, &o.Device, &day, &acked, scanTime{&o.LastSeen}); err != nil {
				return err
			}
			o.Day, o.Acked = dispenser.Date(day), uint64(acked)
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list offices: %w", err)
	}
	return out, nil
}

// PutOfficeConfig stores office's config (JSON) as its device last said
// it.
func (s *Store) PutOfficeConfig(ctx context.Context, office string, config []byte) error {
	if !json.Valid(config) {
		return fmt.Errorf("store the config of office %s: not JSON", office)
	}
	err := s.e.write(ctx, func(q querier) error {
		_, err := q.exec(ctx, `INSERT INTO offices (id, config) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET config = excluded.config`, office, string(config))
		return err
	})
	if err != nil {
		return fmt.Errorf("store the config of office %s: %w", office, err)
	}
	s.locs.mu.Lock()
	delete(s.locs.m, office) // its time zone may have changed
	s.locs.mu.Unlock()
	return nil
}

// OfficeConfig returns office's config as stored; ErrNotFound if no
// device said it yet.
func (s *Store) OfficeConfig(ctx context.Context, office string) ([]byte, error) {
	var config []byte
	err := s.e.view(ctx, func(q querier) error {
		return q.queryRow(ctx, "SELECT config FROM offices WHERE id = ?", office).Scan(&config)
	})
	if err == nil && config == nil {
		err = sql.ErrNoRows
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("config of office %s", office)
	}
	if err != nil {
		return nil, fmt.Errorf("read the config of office %s: %w", office, err)
	}
	return config, nil
}
