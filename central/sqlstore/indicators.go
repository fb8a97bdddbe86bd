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

// Indicators computes q's indicators from the rollups (see rollup.go),
// after rebuilding those of the period's office-days that changed.
func (s *Store) Indicators(ctx context.Context, q central.IndicatorQuery) ([]central.Indicators, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	out, err := s.indicators(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("indicators %s to %s: %w", q.From, q.To, err)
	}
	return out, nil
}

func (s *Store) indicators(ctx context.Context, q central.IndicatorQuery) ([]central.Indicators, error) {
	if err := s.e.view(ctx, func(tx querier) error { return s.knownOffices(ctx, tx, q.Offices) }); err != nil {
		return nil, err
	}
	if _, err := s.refresh(ctx, q.Offices, q.From, q.To); err != nil {
		return nil, err
	}
	groups := map[string]*group{}
	get := func(k string) *group {
		g := groups[k]
		if g == nil {
			g = &group{r: central.Indicators{Key: k}}
			groups[k] = g
		}
		return g
	}
	err := s.e.read(ctx, func(tx querier) error {
		if err := s.sumTicketDays(ctx, tx, q, get); err != nil {
			return err
		}
		return s.sumDeskDays(ctx, tx, q, get)
	})
	if err != nil {
		return nil, err
	}
	out := make([]central.Indicators, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.indicators())
	}
	sort.Slice(out, func(i, j int) bool {
		if q.By == central.ByHour || q.By == central.ByWeekday {
			return atoi(out[i].Key) < atoi(out[j].Key)
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// group is a row of the answer being summed.
type group struct {
	r                                     central.Indicators
	waitSum, servedN, serviceSum          int64
	estAbsSum, estSum, deskOpen, deskBusy int64
	waits                                 hist
}

func (g *group) indicators() central.Indicators {
	r := g.r
	mean := func(sum, n int64) time.Duration {
		if n == 0 {
			return 0
		}
		return time.Duration(math.Round(float64(sum)/float64(n))) * time.Millisecond
	}
	r.WaitMean = mean(g.waitSum, int64(r.Called))
	r.EstimateError, r.EstimateBias = mean(g.estAbsSum, int64(r.Called)), mean(g.estSum, int64(r.Called))
	r.ServiceMean = mean(g.serviceSum, g.servedN)
	r.WaitMedian = time.Duration(math.Round(g.waits.percentile(0.5))) * time.Millisecond
	r.WaitP90 = time.Duration(math.Round(g.waits.percentile(0.9))) * time.Millisecond
	r.DeskOpen, r.DeskBusy = time.Duration(g.deskOpen)*time.Millisecond, time.Duration(g.deskBusy)*time.Millisecond
	return r
}

// rollupDim is the dim of the ticket_days rows that answer by.
func rollupDim(by central.Dimension) string {
	switch by {
	case central.ByDesk:
		return dimDesk
	case central.ByClerk:
		return dimClerk
	case central.ByHour:
		return dimHour
	}
	return dimDay
}

// keyOf is the key of a rollup row of office, day, service and k under by.
func keyOf(by central.Dimension, office, day, service, k string) string {
	switch by {
	case central.ByOffice:
		return office
	case central.ByService:
		return service
	case central.ByDay:
		return day
	case central.ByMonth:
		return day[:min(7, len(day))]
	case central.ByWeekday:
		d, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return ""
		}
		return strconv.Itoa(int(d.Weekday()))
	case central.ByDesk, central.ByClerk, central.ByHour:
		return k
	}
	return ""
}

// period is the WHERE clause of q's office-days, and its args.
func period(q central.IndicatorQuery) (string, []any) {
	w := "day >= ? AND day <= ?"
	args := []any{string(q.From), string(q.To)}
	if len(q.Offices) > 0 {
		w += " AND office IN (" + placeholders(len(q.Offices)) + ")"
		for _, o := range q.Offices {
			args = append(args, o)
		}
	}
	return w, args
}

// sumTicketDays adds the period's ticket_days rows to their groups.
func (s *Store) sumTicketDays(ctx context.Context, tx querier, q central.IndicatorQuery, get func(string) *group) error {
	w, args := period(q)
	rows, err := tx.query(ctx, `SELECT office, day, k, service, sums, waits, lateness
		FROM ticket_days WHERE dim = ? AND `+w, append([]any{rollupDim(q.By)}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	onTime := bin(q.OnTime.Milliseconds())
	for rows.Next() {
		var office, day, k, service string
		var c cell
		var sums, waits, lateness []byte
		if err := rows.Scan(&office, &day, &k, &service, &sums, &waits, &lateness); err != nil {
			return err
		}
		if err := c.decodeSums(sums); err != nil {
			return fmt.Errorf("sums of %s %s: %w", office, day, err)
		}
		g := get(keyOf(q.By, office, day, service, k))
		r := &g.r
		r.Issued += int(c.issued)
		r.Served += int(c.served)
		r.NoShows += int(c.noshows)
		r.Cancelled += int(c.cancelled)
		r.DayEnded += int(c.dayEnded)
		r.Transfers += int(c.transfers)
		r.Called += int(c.called)
		r.Appointments += int(c.appointments)
		r.AppointmentsMissed += int(c.missed)
		r.TurnedAway += int(c.turnedAway)
		g.waitSum += c.waitSum
		g.servedN += c.servedN
		g.serviceSum += c.serviceSum
		g.estAbsSum += c.estAbsSum
		g.estSum += c.estSum
		target := q.DefaultTarget
		if t, ok := q.Target[dispenser.ServiceID(service)]; ok {
			target = t
		}
		within := bin(target.Milliseconds())
		err := decodeHist(waits, func(b int, n int64) {
			g.waits.add(b, n)
			if b <= within {
				r.WithinTarget += int(n)
			}
		})
		if err != nil {
			return fmt.Errorf("waits of %s %s: %w", office, day, err)
		}
		err = decodeHist(lateness, func(b int, n int64) {
			if b <= onTime {
				r.AppointmentsOnTime += int(n)
			} else {
				r.AppointmentsLate += int(n)
			}
		})
		if err != nil {
			return fmt.Errorf("lateness of %s %s: %w", office, day, err)
		}
	}
	return rows.Err()
}

// sumDeskDays adds the desks' open and busy time to the groups of the
// dimensions they belong to: not the service, clerk or hour.
func (s *Store) sumDeskDays(ctx context.Context, tx querier, q central.IndicatorQuery, get func(string) *group) error {
	switch q.By {
	case central.ByService, central.ByClerk, central.ByHour:
		return nil
	}
	w, args := period(q)
	rows, err := tx.query(ctx, "SELECT office, day, desk, open_ms, busy_ms FROM desk_days WHERE "+w, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var office, day, desk string
		var open, busy int64
		if err := rows.Scan(&office, &day, &desk, &open, &busy); err != nil {
			return err
		}
		g := get(keyOf(q.By, office, day, "", desk))
		g.deskOpen += open
		g.deskBusy += busy
	}
	return rows.Err()
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

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
