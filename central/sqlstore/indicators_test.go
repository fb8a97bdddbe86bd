package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"torn.cat/torn/central"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/sim"
	"torn.cat/torn/syncproto"
)

// recorder keeps the events of simulated days as a device would send them,
// numbered, and the office's config.
type recorder struct {
	evs []dispenser.Event
	cfg *dispenser.Config
}

func (r *recorder) Issued(d *dispenser.Dispenser, _ dispenser.Ticket, _ time.Time) {
	if r.cfg == nil {
		r.cfg = d.Config()
	}
}

func (r *recorder) Event(e dispenser.Event) {
	e.Seq = uint64(len(r.evs) + 1)
	r.evs = append(r.evs, e)
}

// simOffice ingests days of scenario file into s as office, through one
// device, and returns the events it sent.
func simOffice(t *testing.T, s central.Store, file, office string, days int) []dispenser.Event {
	t.Helper()
	evs := simEvents(t, s, file, office, days)
	ingestAll(t, s, office, evs)
	return evs
}

func ingestAll(t *testing.T, s central.Store, office string, evs []dispenser.Event) {
	t.Helper()
	for start := 0; start < len(evs); start += 400 {
		part := evs[start:min(start+400, len(evs))]
		if _, err := s.Ingest(ctx, office+"-1", office, part); err != nil {
			t.Fatal(err)
		}
	}
}

// simEvents simulates days of scenario file, gives s the office's config,
// and returns the events, not ingested.
func simEvents(t *testing.T, s central.Store, file, office string, days int) []dispenser.Event {
	t.Helper()
	sc, err := sim.LoadScenario("../../sim/testdata/scenarios/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var r recorder
	if _, err := sim.RunDays(sc, 3, days, &r); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(syncproto.NewOfficeConfig(*r.cfg))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutOfficeConfig(ctx, office, b); err != nil {
		t.Fatal(err)
	}
	return r.evs
}

// testIndicatorsLateEvents: a report made before a device sent the rest of
// its days (it was offline) is made anew with them, past days included.
func testIndicatorsLateEvents(t *testing.T, s central.Store) {
	evs := simEvents(t, s, "small.toml", "petita", 3)
	madrid, _ := time.LoadLocation("Europe/Madrid")
	from, to := evs[0].Time.In(madrid).Format(time.DateOnly), evs[len(evs)-1].Time.In(madrid).Format(time.DateOnly)
	offices := map[string][]dispenser.Event{"petita": evs}
	for _, cut := range []int{len(evs) / 3, len(evs) / 2, len(evs)} {
		ingestAll(t, s, "petita", evs[:cut])
		for _, by := range []central.Dimension{central.Total, central.ByDay, central.ByDesk} {
			q := central.IndicatorQuery{From: dispenser.Date(from), To: dispenser.Date(to), By: by}
			got, err := s.Indicators(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			offices["petita"] = evs[:cut]
			want := expect(t, offices, q)
			compareIndicators(t, fmt.Sprintf("%d events by %q", cut, by), got, want)
		}
	}
}

// compareIndicators fails t unless got is want, the percentiles within
// half a second (they come from waits in whole seconds).
func compareIndicators(t *testing.T, what string, got, want []central.Indicators) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d:\n got %+v\nwant %+v", what, len(got), len(want), got, want)
	}
	for i := range want {
		g := got[i]
		for _, p := range [][2]*time.Duration{{&g.WaitMedian, &want[i].WaitMedian}, {&g.WaitP90, &want[i].WaitP90}} {
			if d := *p[0] - *p[1]; d >= -500*time.Millisecond && d <= 500*time.Millisecond {
				*p[0] = *p[1]
			}
		}
		if g != want[i] {
			t.Errorf("%s: row %d:\n got %+v\nwant %+v", what, i, got[i], want[i])
		}
	}
}

// expect computes q's indicators from the events themselves, the way the
// definitions in central.Indicators say, without SQL.
func expect(t *testing.T, offices map[string][]dispenser.Event, q central.IndicatorQuery) []central.Indicators {
	t.Helper()
	if err := q.Check(); err != nil {
		t.Fatal(err)
	}
	madrid, _ := time.LoadLocation("Europe/Madrid")
	type fact struct {
		office string
		t      dispenser.Ticket
	}
	var facts []fact
	for office, evs := range offices {
		if len(q.Offices) > 0 && q.Offices[0] != office {
			continue
		}
		last := map[string]dispenser.Ticket{}
		for _, e := range evs {
			if e.Ticket != nil {
				last[string(e.Ticket.Day)+"/"+string(e.Ticket.ID)] = *e.Ticket
			}
		}
		for _, tk := range last {
			if tk.Day >= q.From && tk.Day <= q.To {
				facts = append(facts, fact{office, tk})
			}
		}
	}
	key := func(f fact) string {
		issued := f.t.Issued.In(madrid)
		switch q.By {
		case central.ByOffice:
			return f.office
		case central.ByService:
			return string(f.t.Service)
		case central.ByDesk:
			return string(f.t.Desk)
		case central.ByClerk:
			return f.t.Clerk
		case central.ByHour:
			return fmt.Sprint(issued.Hour())
		case central.ByWeekday:
			return fmt.Sprint(int(issued.Weekday()))
		case central.ByDay:
			return string(f.t.Day)
		case central.ByMonth:
			return string(f.t.Day[:7])
		}
		return ""
	}
	type acc struct {
		r                         central.Indicators
		waits                     []float64
		wsum, ssum, n, esum, bsum float64
	}
	groups := map[string]*acc{}
	get := func(k string) *acc {
		a := groups[k]
		if a == nil {
			a = &acc{r: central.Indicators{Key: k}}
			groups[k] = a
		}
		return a
	}
	// dayKey is the key of something of office and day that is not a
	// ticket: a missed appointment (at its slot's hour), a desk's time.
	dayKey := func(office string, day dispenser.Date, desk string, hour int) (string, bool) {
		switch q.By {
		case central.ByOffice:
			return office, true
		case central.ByDay:
			return string(day), true
		case central.ByMonth:
			return string(day[:7]), true
		case central.ByWeekday:
			d, _ := time.Parse(time.DateOnly, string(day))
			return fmt.Sprint(int(d.Weekday())), true
		case central.ByDesk:
			return desk, desk != ""
		case central.ByHour:
			return fmt.Sprint(hour), hour >= 0
		case central.Total:
			return "", true
		}
		return "", false
	}
	for office, evs := range offices {
		if len(q.Offices) > 0 && q.Offices[0] != office {
			continue
		}
		// Missed: the last book of each day, less the appointments
		// checked in that day.
		books := map[dispenser.Date]*dispenser.Book{}
		checkedIn := map[string]bool{}
		for _, e := range evs {
			if e.Book != nil {
				books[e.Book.Day] = e.Book
			}
			if e.Ticket != nil && e.Ticket.Appointment != "" {
				checkedIn[string(e.Ticket.Day)+"/"+string(e.Ticket.Appointment)] = true
			}
		}
		for day, b := range books {
			if day < q.From || day > q.To {
				continue
			}
			for _, a := range b.Appointments {
				if checkedIn[string(day)+"/"+string(a.ID)] {
					continue
				}
				if q.By == central.ByService {
					get(string(a.Service)).r.AppointmentsMissed++
				} else if k, ok := dayKey(office, day, "", a.Slot.In(madrid).Hour()); ok && q.By != central.ByDesk {
					get(k).r.AppointmentsMissed++
				}
			}
		}
		// Turned away: the cut-off refusals, at their local hour.
		for _, e := range evs {
			if e.Refused == nil {
				continue
			}
			at := e.Time.In(madrid)
			day := dispenser.Date(at.Format(time.DateOnly))
			if day < q.From || day > q.To {
				continue
			}
			if q.By == central.ByService {
				get(string(e.Refused.Service)).r.TurnedAway++
			} else if k, ok := dayKey(office, day, "", at.Hour()); ok && q.By != central.ByDesk {
				get(k).r.TurnedAway++
			}
		}
		// Desk time: each desk snapshot's state lasts until the desk's
		// next one, the last until the day's last desk snapshot.
		type span struct {
			since      time.Time
			open, busy bool
		}
		var day dispenser.Date
		desks := map[string]*span{}
		var lastAt time.Time
		flush := func() {
			for id, sp := range desks {
				if k, ok := dayKey(office, day, id, -1); ok && sp.open && q.By != central.ByHour {
					a := get(k)
					a.r.DeskOpen += lastAt.Sub(sp.since)
					if sp.busy {
						a.r.DeskBusy += lastAt.Sub(sp.since)
					}
				}
			}
			desks = map[string]*span{}
		}
		for _, e := range evs {
			if e.Desk == nil {
				continue
			}
			e.Time = time.UnixMilli(e.Time.UnixMilli()) // as stored
			d := dispenser.Date(e.Time.In(madrid).Format(time.DateOnly))
			if d != day {
				flush()
				day = d
			}
			lastAt = e.Time
			if day < q.From || day > q.To {
				continue
			}
			id := string(e.Desk.ID)
			if sp := desks[id]; sp != nil && sp.open {
				if k, ok := dayKey(office, day, id, -1); ok && q.By != central.ByHour {
					a := get(k)
					a.r.DeskOpen += e.Time.Sub(sp.since)
					if sp.busy {
						a.r.DeskBusy += e.Time.Sub(sp.since)
					}
				}
			}
			desks[id] = &span{since: e.Time, open: e.Desk.State == dispenser.DeskOpen, busy: e.Desk.Current != ""}
		}
		flush()
	}
	for _, f := range facts {
		a := get(key(f))
		tk, r := f.t, &a.r
		r.Issued++
		switch {
		case tk.State == dispenser.Done:
			r.Served++
		case tk.State == dispenser.NoShow:
			r.NoShows++
		case tk.State == dispenser.Cancelled && tk.Reason == dispenser.ReasonDayEnded:
			r.DayEnded++
		case tk.State == dispenser.Cancelled:
			r.Cancelled++
		}
		r.Transfers += tk.Transfers
		if tk.Kind == dispenser.Appointment && !tk.Slot.IsZero() {
			r.Appointments++
		}
		if !tk.FirstCalled.IsZero() {
			w := tk.FirstCalled.Sub(tk.Issued).Milliseconds()
			r.Called++
			a.waits = append(a.waits, float64(w))
			a.wsum += float64(w)
			target := q.DefaultTarget
			if tt, ok := q.Target[tk.Service]; ok {
				target = tt
			}
			if w <= target.Milliseconds() {
				r.WithinTarget++
			}
			e := w - tk.Estimate.Milliseconds()
			a.esum += math.Abs(float64(e))
			a.bsum += float64(e)
			if tk.Kind == dispenser.Appointment && !tk.Slot.IsZero() {
				if tk.Issued.UnixMilli()+w <= tk.Slot.UnixMilli()+q.OnTime.Milliseconds() {
					r.AppointmentsOnTime++
				} else {
					r.AppointmentsLate++
				}
			}
		}
		if tk.State == dispenser.Done {
			from := tk.Started
			if from.IsZero() {
				from = tk.Called
			}
			a.ssum += float64(tk.Ended.Sub(from).Milliseconds())
			a.n++
		}
	}
	round := func(v float64) time.Duration { return time.Duration(math.Round(v)) * time.Millisecond }
	pct := func(sorted []float64, p float64) time.Duration {
		x := p * float64(len(sorted)-1)
		lo := int(x)
		v := sorted[lo]
		if lo+1 < len(sorted) {
			v += (x - float64(lo)) * (sorted[lo+1] - v)
		}
		return round(v)
	}
	var out []central.Indicators
	for _, a := range groups {
		r := a.r
		if r.Called > 0 {
			sort.Float64s(a.waits)
			r.WaitMean = round(a.wsum / float64(r.Called))
			r.WaitMedian, r.WaitP90 = pct(a.waits, 0.5), pct(a.waits, 0.9)
			r.EstimateError, r.EstimateBias = round(a.esum/float64(r.Called)), round(a.bsum/float64(r.Called))
		}
		if a.n > 0 {
			r.ServiceMean = round(a.ssum / a.n)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if q.By == central.ByHour || q.By == central.ByWeekday {
			return atoi(out[i].Key) < atoi(out[j].Key)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// testIndicators: on eight simulated days of two offices (El Masnou's
// appointments and walk-ins, and a small office), every indicator of every
// grouping, for the whole period, a part of it and one office, is what the
// test computes from the events itself; and bad queries are refused.
func testIndicators(t *testing.T, s central.Store) {
	offices := map[string][]dispenser.Event{
		"masnou": simOffice(t, s, "elmasnou.toml", "masnou", 8),
		"petita": simOffice(t, s, "small.toml", "petita", 8),
	}
	var first, last dispenser.Date
	for _, evs := range offices {
		for _, e := range evs {
			if e.Ticket == nil {
				continue
			}
			if first == "" || e.Ticket.Day < first {
				first = e.Ticket.Day
			}
			last = max(last, e.Ticket.Day)
		}
	}
	queries := []central.IndicatorQuery{}
	for _, by := range central.Dimensions {
		queries = append(queries, central.IndicatorQuery{From: first, To: last, By: by})
	}
	queries = append(queries,
		central.IndicatorQuery{From: first, To: first, By: central.ByService, Offices: []string{"masnou"}},
		central.IndicatorQuery{From: first, To: last, By: central.ByDay, Offices: []string{"petita"},
			Target: map[dispenser.ServiceID]time.Duration{"general": 10 * time.Minute}, OnTime: time.Minute},
		central.IndicatorQuery{From: "2020-01-01", To: "2020-01-31"},
	)
	for _, q := range queries {
		t.Run(fmt.Sprintf("%s %v %s-%s", q.By, q.Offices, q.From, q.To), func(t *testing.T) {
			got, err := s.Indicators(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			compareIndicators(t, "", got, expect(t, offices, q))
		})
	}
	// The figures are not empty: the check above compares something.
	total, err := s.Indicators(ctx, central.IndicatorQuery{From: first, To: last})
	if err != nil || len(total) != 1 {
		t.Fatalf("total: %v, %v", total, err)
	}
	if r := total[0]; r.Issued < 500 || r.Served == 0 || r.Cancelled == 0 || r.Appointments == 0 || r.AppointmentsOnTime == 0 ||
		r.AppointmentsLate == 0 || r.WaitP90 <= r.WaitMedian || r.ServiceMean == 0 || r.EstimateError == 0 || r.AppointmentsMissed == 0 ||
		r.TurnedAway == 0 || r.DeskOpen == 0 || r.DeskBusy == 0 || r.DeskBusy >= r.DeskOpen {
		t.Errorf("the simulated days lack a case: %+v", r)
	}

	for _, tc := range []struct {
		q    central.IndicatorQuery
		want error
		says string
	}{
		{central.IndicatorQuery{From: "2026-03-10", To: "2026-03-01"}, central.ErrBadQuery, "the period ends (2026-03-01) before it starts (2026-03-10)"},
		{central.IndicatorQuery{From: "2026-02-30", To: "2026-03-01"}, central.ErrBadQuery, `from "2026-02-30": want a date`},
		{central.IndicatorQuery{From: "2020-01-01", To: "2026-03-01"}, central.ErrBadQuery, "at most 1098"},
		{central.IndicatorQuery{From: first, To: last, By: "colour"}, central.ErrBadQuery, `by "colour"`},
		{central.IndicatorQuery{From: first, To: last, Offices: []string{"atlantis"}}, central.ErrNotFound, `office "atlantis"`},
	} {
		_, err := s.Indicators(ctx, tc.q)
		if !errors.Is(err, tc.want) || err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%+v: %v, want %v saying %q", tc.q, err, tc.want, tc.says)
		}
	}
}

// testIndicatorsConcurrent: reports asked at once, while the device sends
// its days, all succeed (two rebuilds of a day take turns), and the last
// one counts everything.
func testIndicatorsConcurrent(t *testing.T, s central.Store) {
	evs := simEvents(t, s, "small.toml", "petita", 3)
	madrid, _ := time.LoadLocation("Europe/Madrid")
	q := central.IndicatorQuery{From: dispenser.Date(evs[0].Time.In(madrid).Format(time.DateOnly)),
		To: dispenser.Date(evs[len(evs)-1].Time.In(madrid).Format(time.DateOnly)), By: central.ByDay}
	ingestAll(t, s, "petita", evs[:len(evs)/2])
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	wg.Go(func() {
		for start := len(evs) / 2; start < len(evs); start += 50 {
			if _, err := s.Ingest(ctx, "petita-1", "petita", evs[start:min(start+50, len(evs))]); err != nil {
				errs <- err
				return
			}
		}
	})
	for range 4 {
		wg.Go(func() {
			for range 10 {
				if _, err := s.Indicators(ctx, q); err != nil {
					errs <- err
					return
				}
				if _, err := s.RefreshIndicators(ctx); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := s.Indicators(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	compareIndicators(t, "after", got, expect(t, map[string][]dispenser.Event{"petita": evs}, q))
}
