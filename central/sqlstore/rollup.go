package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"torn.cat/torn/dispenser"
)

// A report over a year of a city reads the rollups, not the tickets: a
// row per office, day, service and key (ticket_days) with the sums the
// indicators divide, and the waits as a histogram of whole seconds, from
// which a period's median and 90th percentile come within half a second.
// Ingest marks the office-days it touches dirty (dirty_days); a query
// first rebuilds the dirty days of its period, each from that day's
// tickets, desk events and bookings alone, so that the day in progress
// is always current and a past day costs nothing after its rebuild.

// The rollups' dims: the whole day, and the three keys that are not a
// function of the office and day.
const (
	dimDay   = ""
	dimDesk  = "desk"
	dimClerk = "clerk"
	dimHour  = "hour"
)

// hist counts values in whole seconds: hist[b] counts the values v with
// b−1 < v ≤ b seconds, hist[0] those ≤ 0. So "within a target of T
// seconds" is exact, and a value is known within half a second.
type hist []int64

// bin is the bin of a value in milliseconds.
func bin(ms int64) int {
	if ms <= 0 {
		return 0
	}
	return int((ms + 999) / 1000)
}

func (h *hist) add(b int, n int64) {
	if b >= len(*h) {
		if b < cap(*h) {
			*h = (*h)[:b+1] // never written beyond len: still zero
		} else {
			g := make(hist, b+1, max(b+1, 2*cap(*h), 64))
			copy(g, *h)
			*h = g
		}
	}
	(*h)[b] += n
}

// encode writes the non-empty bins as pairs of uvarints: the distance from
// the previous non-empty bin (+1 for the first), and the count.
func (h hist) encode() []byte {
	out := []byte{}
	prev := -1
	for b, n := range h {
		if n == 0 {
			continue
		}
		out = binary.AppendUvarint(out, uint64(b-prev))
		out = binary.AppendUvarint(out, uint64(n))
		prev = b
	}
	return out
}

// decodeHist calls fn with each non-empty bin of an encoded histogram.
func decodeHist(p []byte, fn func(b int, n int64)) error {
	b := -1
	for len(p) > 0 {
		d, k := binary.Uvarint(p)
		if k <= 0 {
			return fmt.Errorf("corrupt histogram")
		}
		n, m := binary.Uvarint(p[k:])
		if m <= 0 {
			return fmt.Errorf("corrupt histogram")
		}
		p = p[k+m:]
		b += int(d)
		fn(b, int64(n))
	}
	return nil
}

// percentile interpolates as PostgreSQL's percentile_cont does, between
// the values at ranks ⌊p(n−1)⌋ and the next, each taken as the middle of
// its bin (0 for bin 0), in milliseconds.
func (h hist) percentile(p float64) float64 {
	var n int64
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return 0
	}
	x := p * float64(n-1)
	lo := int64(x)
	at := func(rank int64) float64 {
		var seen int64
		for b, c := range h {
			if seen += c; rank < seen {
				if b == 0 {
					return 0
				}
				return float64(b)*1000 - 500
			}
		}
		return 0
	}
	v := at(lo)
	if lo+1 < n {
		v += (x - float64(lo)) * (at(lo+1) - v)
	}
	return v
}

// cell is a ticket_days row being made.
type cell struct {
	issued, served, noshows, cancelled, dayEnded, transfers, called int64
	waitSum, servedN, serviceSum, appointments, missed, turnedAway  int64
	estAbsSum, estSum                                               int64
	waits, lateness                                                 hist
}

// fields are the cell's counts and sums, in the order of its sums column.
func (c *cell) fields() []*int64 {
	return []*int64{&c.issued, &c.served, &c.noshows, &c.cancelled, &c.dayEnded, &c.transfers, &c.called,
		&c.waitSum, &c.servedN, &c.serviceSum, &c.appointments, &c.missed, &c.turnedAway, &c.estAbsSum, &c.estSum}
}

// encodeSums is the sums column: the fields as varints.
func (c *cell) encodeSums() []byte {
	var out []byte
	for _, f := range c.fields() {
		out = binary.AppendVarint(out, *f)
	}
	return out
}

func (c *cell) decodeSums(p []byte) error {
	for _, f := range c.fields() {
		v, k := binary.Varint(p)
		if k <= 0 {
			return fmt.Errorf("corrupt sums")
		}
		*f, p = v, p[k:]
	}
	return nil
}

type cellKey struct{ dim, k, service string }

// dayRollup is one office-day's rollup being made.
type dayRollup struct {
	cells map[cellKey]*cell
	desks map[string]*[2]int64 // open, busy ms
}

// at returns the cells of service under each dim for the keys given.
func (r *dayRollup) at(service, desk, clerk string, hour int64) []*cell {
	keys := [...]cellKey{{dimDay, "", service}, {dimDesk, desk, service}, {dimClerk, clerk, service}, {dimHour, strconv.FormatInt(hour, 10), service}}
	out := make([]*cell, 0, len(keys))
	for _, k := range keys {
		out = append(out, r.cell(k))
	}
	return out
}

// atHour returns the cells of service for what has no desk nor clerk: a
// missed appointment, a refusal.
func (r *dayRollup) atHour(service string, hour int64) [2]*cell {
	return [2]*cell{r.cell(cellKey{dimDay, "", service}), r.cell(cellKey{dimHour, strconv.FormatInt(hour, 10), service})}
}

func (r *dayRollup) cell(k cellKey) *cell {
	c := r.cells[k]
	if c == nil {
		c = &cell{}
		r.cells[k] = c
	}
	return c
}

// dirtyDay is an office-day to rebuild, and the version of its mark.
type dirtyDay struct {
	office, day string
	version     int64
}

// rollupBatch is how many office-days one transaction rebuilds: a
// year's first report does not hold SQLite's one writer for minutes.
const rollupBatch = 64

// RefreshIndicators rebuilds the rollups of every dirty office-day.
func (s *Store) RefreshIndicators(ctx context.Context) (int, error) {
	n, err := s.refresh(ctx, nil, "0000-01-01", "9999-12-31")
	if err != nil {
		return n, fmt.Errorf("refresh the indicators: %w", err)
	}
	return n, nil
}

// refresh rebuilds the rollups of the dirty days of offices (all when
// none) from from to to, and returns how many it rebuilt.
func (s *Store) refresh(ctx context.Context, offices []string, from, to dispenser.Date) (int, error) {
	w := "day >= ? AND day <= ?"
	args := []any{string(from), string(to)}
	if len(offices) > 0 {
		w += " AND office IN (" + placeholders(len(offices)) + ")"
		for _, o := range offices {
			args = append(args, o)
		}
	}
	var dirty []dirtyDay
	err := s.e.view(ctx, func(q querier) error {
		rows, err := q.query(ctx, "SELECT office, day, version FROM dirty_days WHERE "+w+" ORDER BY office, day", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d dirtyDay
			if err := rows.Scan(&d.office, &d.day, &d.version); err != nil {
				return err
			}
			dirty = append(dirty, d)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("dirty days: %w", err)
	}
	for start := 0; start < len(dirty); start += rollupBatch {
		part := dirty[start:min(start+rollupBatch, len(dirty))]
		err := s.e.write(ctx, func(q querier) error {
			for _, d := range part {
				if err := rebuild(ctx, q, d); err != nil {
					return fmt.Errorf("rollup of %s %s: %w", d.office, d.day, err)
				}
			}
			return nil
		})
		if err != nil {
			return start, err
		}
	}
	return len(dirty), nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// rebuild makes office-day d's rollup anew from its facts, and clears its
// mark unless a change came in meanwhile. It first locks the mark, which
// ingest updates in the same order (office, day): two rebuilds of a day
// (two reports at once, two instances of central) take turns, and the
// second finds the mark gone and does nothing.
func rebuild(ctx context.Context, q querier, d dirtyDay) error {
	err := q.queryRow(ctx, "UPDATE dirty_days SET version = version WHERE office = ? AND day = ? RETURNING version",
		d.office, d.day).Scan(&d.version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	r := &dayRollup{cells: map[cellKey]*cell{}, desks: map[string]*[2]int64{}}
	checkedIn, err := r.tickets(ctx, q, d)
	if err != nil {
		return err
	}
	if err := r.bookings(ctx, q, d, checkedIn); err != nil {
		return err
	}
	if err := r.dayEvents(ctx, q, d); err != nil {
		return err
	}
	// (The dims listed, so that the key finds the rows.)
	for _, del := range []string{"DELETE FROM ticket_days WHERE dim IN ('', 'desk', 'clerk', 'hour') AND day = ? AND office = ?",
		"DELETE FROM desk_days WHERE day = ? AND office = ?"} {
		if _, err := q.exec(ctx, del, d.day, d.office); err != nil {
			return err
		}
	}
	keys := make([]cellKey, 0, len(r.cells))
	for k := range r.cells {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.dim != b.dim {
			return a.dim < b.dim
		}
		if a.k != b.k {
			return a.k < b.k
		}
		return a.service < b.service
	})
	rows := make([][]any, 0, len(keys))
	for _, k := range keys {
		c := r.cells[k]
		rows = append(rows, []any{d.office, d.day, k.dim, k.k, k.service, c.encodeSums(), c.waits.encode(), c.lateness.encode()})
	}
	if err := insertRows(ctx, q, "ticket_days", ticketDayCols, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for desk, t := range r.desks {
		if t[0] > 0 {
			rows = append(rows, []any{d.office, d.day, desk, t[0], t[1]})
		}
	}
	if err := insertRows(ctx, q, "desk_days", []string{"office", "day", "desk", "open_ms", "busy_ms"}, rows); err != nil {
		return err
	}
	_, err = q.exec(ctx, "DELETE FROM dirty_days WHERE office = ? AND day = ? AND version = ?", d.office, d.day, d.version)
	return err
}

var ticketDayCols = []string{"office", "day", "dim", "k", "service", "sums", "waits", "lateness"}

// insertRows inserts rows into table, in statements of at most chunk×6
// values.
func insertRows(ctx context.Context, q querier, table string, cols []string, rows [][]any) error {
	per := chunk * 6 / len(cols)
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, len(part)*len(cols))
		for _, r := range part {
			args = append(args, r...)
		}
		query := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + values(len(part), len(cols))
		if _, err := q.exec(ctx, query, args...); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}

// tickets adds d's tickets to r and returns the appointments checked in.
func (r *dayRollup) tickets(ctx context.Context, q querier, d dirtyDay) (map[string]bool, error) {
	rows, err := q.query(ctx, `SELECT service, kind, state, reason, desk, clerk, hour, issued, wait_ms, service_ms,
		estimate_ms, slot, appointment, transfers FROM tickets WHERE office = ? AND day = ?`, d.office, d.day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	checkedIn := map[string]bool{}
	for rows.Next() {
		var service, kind, state, reason, desk, clerk, appt string
		var hour, issued, estimate, transfers int64
		var wait, svc, slot *int64
		if err := rows.Scan(&service, &kind, &state, &reason, &desk, &clerk, &hour, &issued, &wait, &svc,
			&estimate, &slot, &appt, &transfers); err != nil {
			return nil, err
		}
		if appt != "" {
			checkedIn[appt] = true
		}
		appointment := kind == string(dispenser.Appointment) && slot != nil
		for _, c := range r.at(service, desk, clerk, hour) {
			c.issued++
			switch {
			case state == string(dispenser.Done):
				c.served++
			case state == string(dispenser.NoShow):
				c.noshows++
			case state == string(dispenser.Cancelled) && reason == dispenser.ReasonDayEnded:
				c.dayEnded++
			case state == string(dispenser.Cancelled):
				c.cancelled++
			}
			c.transfers += transfers
			if appointment {
				c.appointments++
			}
			if wait != nil {
				c.called++
				c.waitSum += *wait
				c.waits.add(bin(*wait), 1)
				e := *wait - estimate
				c.estSum += e
				c.estAbsSum += max(e, -e)
				if appointment {
					c.lateness.add(bin(issued+*wait-*slot), 1)
				}
			}
			if svc != nil {
				c.servedN++
				c.serviceSum += *svc
			}
		}
	}
	return checkedIn, rows.Err()
}

// bookings counts d's appointments nobody checked in for.
func (r *dayRollup) bookings(ctx context.Context, q querier, d dirtyDay, checkedIn map[string]bool) error {
	rows, err := q.query(ctx, "SELECT id, service, hour FROM bookings WHERE office = ? AND day = ?", d.office, d.day)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, service string
		var hour int64
		if err := rows.Scan(&id, &service, &hour); err != nil {
			return err
		}
		if !checkedIn[id] {
			for _, c := range r.atHour(service, hour) {
				c.missed++
			}
		}
	}
	return rows.Err()
}

// dayEvents adds d's cut-off refusals, and each desk's open and busy
// time: a desk is open from a snapshot that says so to its next snapshot,
// and busy when it has a citizen; its last state lasts until the day's
// last desk event.
func (r *dayRollup) dayEvents(ctx context.Context, q querier, d dirtyDay) error {
	rows, err := q.query(ctx, `SELECT type, at, desk, state, busy, service, hour FROM day_events
		WHERE office = ? AND day = ? ORDER BY at, device_id, seq`, d.office, d.day)
	if err != nil {
		return err
	}
	defer rows.Close()
	type deskState struct {
		since      int64
		open, busy bool
	}
	desks := map[string]*deskState{}
	var last int64
	account := func(desk string, s *deskState, until int64) {
		t := r.desks[desk]
		if t == nil {
			t = &[2]int64{}
			r.desks[desk] = t
		}
		if s.open {
			t[0] += until - s.since
			if s.busy {
				t[1] += until - s.since
			}
		}
	}
	for rows.Next() {
		var typ, desk, state, service string
		var at, busy, hour int64
		if err := rows.Scan(&typ, &at, &desk, &state, &busy, &service, &hour); err != nil {
			return err
		}
		last = max(last, at)
		if typ == string(dispenser.TicketRefused) {
			for _, c := range r.atHour(service, hour) {
				c.turnedAway++
			}
			continue
		}
		s := desks[desk]
		if s == nil {
			s = &deskState{since: at}
			desks[desk] = s
		}
		account(desk, s, at)
		*s = deskState{since: at, open: state == string(dispenser.DeskOpen), busy: busy != 0}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for desk, s := range desks {
		account(desk, s, last)
	}
	return nil
}
