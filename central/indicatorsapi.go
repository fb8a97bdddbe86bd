package central

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"torn.cat/torn/dispenser"
)

// An indicatorColumn is a column of the API's tables: its name in JSON
// and CSV, and its value in a row. Durations are in seconds.
type indicatorColumn struct {
	name  string
	value func(Indicators) any
}

func secs(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

// indicatorColumns are the API's columns, in order.
var indicatorColumns = []indicatorColumn{
	{"key", func(i Indicators) any { return i.Key }},
	{"issued", func(i Indicators) any { return i.Issued }},
	{"served", func(i Indicators) any { return i.Served }},
	{"no_shows", func(i Indicators) any { return i.NoShows }},
	{"cancelled", func(i Indicators) any { return i.Cancelled }},
	{"day_ended", func(i Indicators) any { return i.DayEnded }},
	{"transfers", func(i Indicators) any { return i.Transfers }},
	{"turned_away", func(i Indicators) any { return i.TurnedAway }},
	{"called", func(i Indicators) any { return i.Called }},
	{"wait_mean_s", func(i Indicators) any { return secs(i.WaitMean) }},
	{"wait_median_s", func(i Indicators) any { return secs(i.WaitMedian) }},
	{"wait_p90_s", func(i Indicators) any { return secs(i.WaitP90) }},
	{"within_target", func(i Indicators) any { return i.WithinTarget }},
	{"within_target_share", func(i Indicators) any { return i.WithinTargetShare() }},
	{"service_mean_s", func(i Indicators) any { return secs(i.ServiceMean) }},
	{"appointments", func(i Indicators) any { return i.Appointments }},
	{"appointments_on_time", func(i Indicators) any { return i.AppointmentsOnTime }},
	{"appointments_late", func(i Indicators) any { return i.AppointmentsLate }},
	{"appointments_missed", func(i Indicators) any { return i.AppointmentsMissed }},
	{"desk_open_s", func(i Indicators) any { return secs(i.DeskOpen) }},
	{"desk_busy_s", func(i Indicators) any { return secs(i.DeskBusy) }},
	{"utilisation", func(i Indicators) any { return i.Utilisation() }},
	{"estimate_error_s", func(i Indicators) any { return secs(i.EstimateError) }},
	{"estimate_bias_s", func(i Indicators) any { return secs(i.EstimateBias) }},
}

// indicatorJSON is a row as a JSON object, its members in column order.
type indicatorJSON Indicators

func (r indicatorJSON) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for n, c := range indicatorColumns {
		if n > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, c.name)
		v, err := json.Marshal(c.value(Indicators(r)))
		if err != nil {
			return nil, err
		}
		b = append(append(b, ':'), v...)
	}
	return append(b, '}'), nil
}

// indicatorRecord is a row as CSV fields.
func indicatorRecord(i Indicators) []string {
	out := make([]string, len(indicatorColumns))
	for n, c := range indicatorColumns {
		switch v := c.value(i).(type) {
		case float64:
			out[n] = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			out[n] = fmt.Sprint(v)
		}
	}
	return out
}

// indicatorQueryOf reads a query from the URL: from, to, by, office
// (repeated), target (default) and target.SERVICE, on_time.
func indicatorQueryOf(r *http.Request) (IndicatorQuery, error) {
	v := r.URL.Query()
	q := IndicatorQuery{From: dispenser.Date(v.Get("from")), To: dispenser.Date(v.Get("to")), By: Dimension(v.Get("by")), Offices: v["office"]}
	dur := func(name, s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("%w: %s %q: want a duration such as 20m", ErrBadQuery, name, s)
		}
		return d, nil
	}
	for name, vals := range v {
		var err error
		switch {
		case name == "target":
			q.DefaultTarget, err = dur(name, vals[0])
		case strings.HasPrefix(name, "target."):
			if q.Target == nil {
				q.Target = map[dispenser.ServiceID]time.Duration{}
			}
			q.Target[dispenser.ServiceID(strings.TrimPrefix(name, "target."))], err = dur(name, vals[0])
		case name == "on_time":
			q.OnTime, err = dur(name, vals[0])
		case name == "from", name == "to", name == "by", name == "office", name == "format":
		default:
			err = fmt.Errorf("%w: unknown parameter %q", ErrBadQuery, name)
		}
		if err != nil {
			return q, err
		}
	}
	if q.From == "" || q.To == "" {
		return q, fmt.Errorf("%w: from and to are required (dates, 2026-01-31)", ErrBadQuery)
	}
	return q, q.Check()
}

// indicators answers GET /api/indicators: the quality indicators of a
// period as JSON, or CSV with format=csv. A key of one office may ask for
// that office only.
func (s *Server) indicators(w http.ResponseWriter, r *http.Request) {
	q, err := indicatorQueryOf(r)
	office := ""
	if len(q.Offices) == 1 {
		office = q.Offices[0]
	}
	if !s.authorize(w, r, office) {
		return
	}
	if err != nil {
		fail(w, http.StatusBadRequest, "bad_query", strings.TrimPrefix(err.Error(), ErrBadQuery.Error()+": "))
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		fail(w, http.StatusBadRequest, "bad_query", fmt.Sprintf("format %q: want json or csv", format))
		return
	}
	res, err := s.Store.Indicators(r.Context(), q)
	switch {
	case errors.Is(err, ErrNotFound):
		fail(w, http.StatusNotFound, "unknown_office", err.Error())
		return
	case errors.Is(err, ErrBadQuery):
		fail(w, http.StatusBadRequest, "bad_query", err.Error())
		return
	case err != nil:
		s.Log.Error("indicators", "err", err)
		fail(w, http.StatusInternalServerError, "store", "the indicators could not be computed")
		return
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="indicators-%s-%s-%s.csv"`, q.From, q.To, byName(q.By)))
		cw := csv.NewWriter(w)
		head := make([]string, len(indicatorColumns))
		for n, c := range indicatorColumns {
			head[n] = c.name
		}
		cw.Write(head)
		for _, r := range res {
			cw.Write(indicatorRecord(r))
		}
		cw.Flush()
		return
	}
	rows := make([]indicatorJSON, len(res))
	for i := range res {
		rows[i] = indicatorJSON(res[i])
	}
	writeJSON(w, http.StatusOK, struct {
		From    dispenser.Date  `json:"from"`
		To      dispenser.Date  `json:"to"`
		By      string          `json:"by"`
		Offices []string        `json:"offices"`
		Rows    []indicatorJSON `json:"rows"`
	}{q.From, q.To, byName(q.By), q.Offices, rows})
}

func byName(d Dimension) string {
	if d == Total {
		return "total"
	}
	return string(d)
}
