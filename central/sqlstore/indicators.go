package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"torn.cat/torn/central"
	"torn.cat/torn/dispenser"
)

// Indicators computes q's indicators from the tickets table: the counts
// and means in one GROUP BY, the median and 90th percentile of the waits
// (interpolated between the two nearest, as PostgreSQL's percentile_cont)
// in a second query: percentile_cont on PostgreSQL, the two rows around
// each rank picked with window functions on SQLite.
func (s *Store) Indicators(ctx context.Context, q central.IndicatorQuery) ([]central.Indicators, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	var out []central.Indicators
	err := s.e.read(ctx, func(tx querier) error {
		if err := s.knownOffices(ctx, tx, q.Offices); err != nil {
			return err
		}
		var err error
		if out, err = s.aggregate(ctx, tx, q); err != nil {
			return err
		}
		return s.percentiles(ctx, tx, q, out)
	})
	if err != nil {
		return nil, fmt.Errorf("indicators %s to %s: %w", q.From, q.To, err)
	}
	return out, nil
}

// knownOffices fails with ErrNotFound naming the first office of offices
// central never heard of.
func (s *Store) knownOffices(ctx context.Context, q querier, offices []string) error {
	for _, o := range offices {
		var id string
		if err := q.queryRow(ctx, "SELECT id FROM offices WHERE id = ?", o).Scan(&id); err != nil {
			if err == sql.ErrNoRows || strings.Contains(err.Error(), "no rows") {
				return notFound("office %q", o)
			}
			return err
		}
	}
	return nil
}

// keyExpr is the SQL of dimension d's group key, as text.
func keyExpr(d central.Dimension) string {
	switch d {
	case central.Total:
		return "''"
	case central.ByHour, central.ByWeekday:
		return "CAST(" + string(d) + " AS TEXT)"
	case central.ByMonth:
		return "substr(day, 1, 7)"
	}
	return string(d)
}

// where is the WHERE clause of q over the tickets table, and its args.
func where(q central.IndicatorQuery) (string, []any) {
	w := "day >= ? AND day <= ?"
	args := []any{string(q.From), string(q.To)}
	if len(q.Offices) > 0 {
		w += " AND office IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(q.Offices)), ", ") + ")"
		for _, o := range q.Offices {
			args = append(args, o)
		}
	}
	return w, args
}

// targetExpr is the SQL of each ticket's target wait in ms, and its args.
func targetExpr(q central.IndicatorQuery) (string, []any) {
	if len(q.Target) == 0 {
		return "?", []any{q.DefaultTarget.Milliseconds()}
	}
	services := make([]string, 0, len(q.Target))
	for s := range q.Target {
		services = append(services, string(s))
	}
	sort.Strings(services)
	var b strings.Builder
	var args []any
	b.WriteString("CASE service")
	for _, s := range services {
		b.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
		args = append(args, s, q.Target[dispenser.ServiceID(s)].Milliseconds())
	}
	b.WriteString(" ELSE CAST(? AS BIGINT) END")
	return b.String(), append(args, q.DefaultTarget.Milliseconds())
}

func (s *Store) aggregate(ctx context.Context, tx querier, q central.IndicatorQuery) ([]central.Indicators, error) {
	target, targs := targetExpr(q)
	w, wargs := where(q)
	query := `SELECT ` + keyExpr(q.By) + ` AS k,
		COUNT(*),
		SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END),
		SUM(CASE WHEN state = 'noshow' THEN 1 ELSE 0 END),
		SUM(CASE WHEN state = 'cancelled' AND reason <> 'day_ended' THEN 1 ELSE 0 END),
		SUM(CASE WHEN state = 'cancelled' AND reason = 'day_ended' THEN 1 ELSE 0 END),
		SUM(transfers),
		COUNT(wait_ms),
		AVG(wait_ms),
		SUM(CASE WHEN wait_ms <= ` + target + ` THEN 1 ELSE 0 END),
		AVG(service_ms),
		SUM(CASE WHEN kind = 'appointment' AND slot IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN kind = 'appointment' AND slot IS NOT NULL AND wait_ms IS NOT NULL AND issued + wait_ms <= slot + ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN kind = 'appointment' AND slot IS NOT NULL AND wait_ms IS NOT NULL AND issued + wait_ms > slot + ? THEN 1 ELSE 0 END),
		AVG(ABS(wait_ms - estimate_ms)),
		AVG(wait_ms - estimate_ms)
		FROM tickets WHERE ` + w + ` GROUP BY k ORDER BY k`
	args := append(targs, q.OnTime.Milliseconds(), q.OnTime.Milliseconds())
	args = append(args, wargs...)
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []central.Indicators{}
	for rows.Next() {
		var r central.Indicators
		var transfers sql.NullInt64
		var wait, service, estErr, estBias sql.NullFloat64
		if err := rows.Scan(&r.Key, &r.Issued, &r.Served, &r.NoShows, &r.Cancelled, &r.DayEnded, &transfers,
			&r.Called, &wait, &r.WithinTarget, &service, &r.Appointments, &r.AppointmentsOnTime, &r.AppointmentsLate,
			&estErr, &estBias); err != nil {
			return nil, err
		}
		r.Transfers = int(transfers.Int64)
		r.WaitMean, r.ServiceMean = ms(wait), ms(service)
		r.EstimateError, r.EstimateBias = ms(estErr), ms(estBias)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if q.By == central.ByHour || q.By == central.ByWeekday {
		// Numbers, not text: 9 before 10.
		sort.SliceStable(out, func(i, j int) bool { return atoi(out[i].Key) < atoi(out[j].Key) })
	}
	return out, nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// ms is a mean in milliseconds as a Duration, rounded to the millisecond.
func ms(v sql.NullFloat64) time.Duration {
	if !v.Valid {
		return 0
	}
	return time.Duration(math.Round(v.Float64)) * time.Millisecond
}

// percentiles sets the median and 90th percentile wait of each row of out.
func (s *Store) percentiles(ctx context.Context, tx querier, q central.IndicatorQuery, out []central.Indicators) error {
	byKey := map[string]*central.Indicators{}
	for i := range out {
		byKey[out[i].Key] = &out[i]
	}
	w, args := where(q)
	if s.pg {
		rows, err := tx.query(ctx, `SELECT `+keyExpr(q.By)+` AS k,
			percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_ms),
			percentile_cont(0.9) WITHIN GROUP (ORDER BY wait_ms)
			FROM tickets WHERE `+w+` AND wait_ms IS NOT NULL GROUP BY k`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var p50, p90 sql.NullFloat64
			if err := rows.Scan(&k, &p50, &p90); err != nil {
				return err
			}
			if r := byKey[k]; r != nil {
				r.WaitMedian, r.WaitP90 = ms(p50), ms(p90)
			}
		}
		return rows.Err()
	}
	// SQLite: the rows at ranks floor(p(n−1)) and the next, per group.
	rows, err := tx.query(ctx, `WITH w AS (
			SELECT `+keyExpr(q.By)+` AS k, wait_ms,
				ROW_NUMBER() OVER (PARTITION BY `+keyExpr(q.By)+` ORDER BY wait_ms) - 1 AS i,
				COUNT(*) OVER (PARTITION BY `+keyExpr(q.By)+`) AS n
			FROM tickets WHERE `+w+` AND wait_ms IS NOT NULL)
		SELECT k, i, n, wait_ms FROM w
		WHERE i IN (CAST((n - 1) * 0.5 AS INTEGER), CAST((n - 1) * 0.5 AS INTEGER) + 1,
			CAST((n - 1) * 0.9 AS INTEGER), CAST((n - 1) * 0.9 AS INTEGER) + 1)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	type rank struct {
		n    int64
		vals map[int64]float64
	}
	ranks := map[string]*rank{}
	for rows.Next() {
		var k string
		var i, n int64
		var v float64
		if err := rows.Scan(&k, &i, &n, &v); err != nil {
			return err
		}
		r := ranks[k]
		if r == nil {
			r = &rank{n: n, vals: map[int64]float64{}}
			ranks[k] = r
		}
		r.vals[i] = v
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for k, r := range ranks {
		at := func(p float64) time.Duration {
			x := p * float64(r.n-1)
			lo := int64(x)
			v := r.vals[lo]
			if hi, ok := r.vals[lo+1]; ok {
				v += (x - float64(lo)) * (hi - v)
			}
			return ms(sql.NullFloat64{Float64: v, Valid: true})
		}
		if row := byKey[k]; row != nil {
			row.WaitMedian, row.WaitP90 = at(0.5), at(0.9)
		}
	}
	return nil
}
