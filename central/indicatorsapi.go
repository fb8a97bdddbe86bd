package central

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"torn.cat/torn/dispenser"
)

// indicatorRow is an Indicators row as the API gives it: durations in
// seconds.
type indicatorRow struct {
	Key                string  `json:"key"`
	Issued             int     `json:"issued"`
	Served             int     `json:"served"`
	NoShows            int     `json:"no_shows"`
	Cancelled          int     `json:"cancelled"`
	DayEnded           int     `json:"day_ended"`
	Transfers          int     `json:"transfers"`
	Called             int     `json:"called"`
	WaitMean           float64 `json:"wait_mean_s"`
	WaitMedian         float64 `json:"wait_median_s"`
	WaitP90            float64 `json:"wait_p90_s"`
	WithinTarget       int     `json:"within_target"`
	WithinTargetShare  float64 `json:"within_target_share"`
	ServiceMean        float64 `json:"service_mean_s"`
	Appointments       int     `json:"appointments"`
	AppointmentsOnTime int     `json:"appointments_on_time"`
	AppointmentsLate   int     `json:"appointments_late"`
	EstimateError      float64 `json:"estimate_error_s"`
	EstimateBias       float64 `json:"estimate_bias_s"`
}

// indicatorColumns are the CSV's columns, as the JSON names them.
var indicatorColumns = []string{"key", "issued", "served", "no_shows", "cancelled", "day_ended", "transfers", "called",
	"wait_mean_s", "wait_median_s", "wait_p90_s", "within_target", "within_target_share", "service_mean_s",
	"appointments", "appointments_on_time", "appointments_late", "estimate_error_s", "estimate_bias_s"}

func secs(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

func rowOf(i Indicators) indicatorRow {
	return indicatorRow{i.Key, i.Issued, i.Served, i.NoShows, i.Cancelled, i.DayEnded, i.Transfers, i.Called,
		secs(i.WaitMean), secs(i.WaitMedian), secs(i.WaitP90), i.WithinTarget, i.WithinTargetShare(), secs(i.ServiceMean),
		i.Appointments, i.AppointmentsOnTime, i.AppointmentsLate, secs(i.EstimateError), secs(i.EstimateBias)}
}

func (r indicatorRow) record() []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	n := strconv.Itoa
	return []string{r.Key, n(r.Issued), n(r.Served), n(r.NoShows), n(r.Cancelled), n(r.DayEnded), n(r.Transfers), n(r.Called),
		f(r.WaitMean), f(r.WaitMedian), f(r.WaitP90), n(r.WithinTarget), f(r.WithinTargetShare), f(r.ServiceMean),
		n(r.Appointments), n(r.AppointmentsOnTime), n(r.AppointmentsLate), f(r.EstimateError), f(r.EstimateBias)}
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
	rows := make([]indicatorRow, len(res))
	for i := range res {
		rows[i] = rowOf(res[i])
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="indicators-%s-%s-%s.csv"`, q.From, q.To, byName(q.By)))
		cw := csv.NewWriter(w)
		cw.Write(indicatorColumns)
		for _, r := range rows {
			cw.Write(r.record())
		}
		cw.Flush()
		return
	}
	writeJSON(w, http.StatusOK, struct {
		From    dispenser.Date `json:"from"`
		To      dispenser.Date `json:"to"`
		By      string         `json:"by"`
		Offices []string       `json:"offices"`
		Rows    []indicatorRow `json:"rows"`
	}{q.From, q.To, byName(q.By), q.Offices, rows})
}

func byName(d Dimension) string {
	if d == Total {
		return "total"
	}
	return string(d)
}
