package central

import (
	"fmt"
	"time"

	"torn.cat/torn/dispenser"
)

// A Dimension is what indicators are grouped by.
type Dimension string

// The dimensions; Total groups nothing.
const (
	Total     Dimension = ""
	ByOffice  Dimension = "office"
	ByService Dimension = "service"
	ByDesk    Dimension = "desk"
	ByClerk   Dimension = "clerk"
	ByHour    Dimension = "hour"    // of the issue, in the office's time zone: "9"
	ByWeekday Dimension = "weekday" // of the issue: "0" Sunday … "6" Saturday
	ByDay     Dimension = "day"     // business day: "2026-11-23"
	ByMonth   Dimension = "month"   // of the business day: "2026-11"
)

// Dimensions are the valid ones, in the order reports list them.
var Dimensions = []Dimension{Total, ByOffice, ByService, ByDesk, ByClerk, ByHour, ByWeekday, ByDay, ByMonth}

// IndicatorQuery asks for the indicators of a period.
type IndicatorQuery struct {
	// Offices are the offices covered; none means all.
	Offices []string
	// From and To are the first and last business days, inclusive.
	From, To dispenser.Date
	// By is what the rows are grouped by.
	By Dimension
	// Target is the wait a ticket should be called within, per service;
	// DefaultTarget for the others (20 minutes when zero).
	Target        map[dispenser.ServiceID]time.Duration
	DefaultTarget time.Duration
	// OnTime is how late after its slot an appointment may be called and
	// still count as on time (5 minutes when zero).
	OnTime time.Duration
}

// Defaults of IndicatorQuery.
const (
	DefaultTarget = 20 * time.Minute
	DefaultOnTime = 5 * time.Minute
	// MaxPeriod is the longest period one query covers.
	MaxPeriod = 3 * 366
)

// Check fills q's defaults and reports what is wrong with it.
func (q *IndicatorQuery) Check() error {
	from, err := time.Parse(time.DateOnly, string(q.From))
	if err != nil {
		return fmt.Errorf("%w: from %q: want a date, 2026-01-31", ErrBadQuery, q.From)
	}
	to, err := time.Parse(time.DateOnly, string(q.To))
	if err != nil {
		return fmt.Errorf("%w: to %q: want a date, 2026-12-31", ErrBadQuery, q.To)
	}
	if to.Before(from) {
		return fmt.Errorf("%w: the period ends (%s) before it starts (%s)", ErrBadQuery, q.To, q.From)
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > MaxPeriod {
		return fmt.Errorf("%w: %d days: at most %d in one query", ErrBadQuery, days, MaxPeriod)
	}
	valid := false
	for _, d := range Dimensions {
		valid = valid || d == q.By
	}
	if !valid {
		return fmt.Errorf("%w: by %q: want office, service, desk, clerk, hour, weekday, day or month", ErrBadQuery, q.By)
	}
	if q.DefaultTarget == 0 {
		q.DefaultTarget = DefaultTarget
	}
	if q.OnTime == 0 {
		q.OnTime = DefaultOnTime
	}
	for s, t := range q.Target {
		if t <= 0 || t%time.Second != 0 {
			return fmt.Errorf("%w: target of %s %v: want a positive whole number of seconds", ErrBadQuery, s, t)
		}
	}
	if q.DefaultTarget < 0 || q.OnTime < 0 || q.DefaultTarget%time.Second != 0 || q.OnTime%time.Second != 0 {
		return fmt.Errorf("%w: target %v, on time %v: want positive whole numbers of seconds", ErrBadQuery, q.DefaultTarget, q.OnTime)
	}
	return nil
}

// Indicators are the quality figures of a group of tickets.
type Indicators struct {
	// Key is the group's value under the query's dimension; "" for the
	// total.
	Key string `json:"key"`
	// Issued counts the tickets; Served those done; NoShows those called
	// and never come; Cancelled those cancelled while waiting (the
	// citizen left, or a clerk cancelled them), DayEnded those still
	// waiting when the day ended; Transfers the transfers.
	Issued    int `json:"issued"`
	Served    int `json:"served"`
	NoShows   int `json:"no_shows"`
	Cancelled int `json:"cancelled"`
	DayEnded  int `json:"day_ended"`
	Transfers int `json:"transfers"`
	// Called counts the tickets called at least once: the waits are
	// theirs, issue to first call.
	// The median and 90th percentile are computed from waits in whole
	// seconds, and are within half a second of the exact ones.
	Called     int           `json:"called"`
	WaitMean   time.Duration `json:"wait_mean"`
	WaitMedian time.Duration `json:"wait_median"`
	WaitP90    time.Duration `json:"wait_p90"`
	// WithinTarget counts the called tickets whose wait was within their
	// service's target.
	WithinTarget int `json:"within_target"`
	// ServiceMean is the mean time at the desk of the tickets served.
	ServiceMean time.Duration `json:"service_mean"`
	// Appointments counts the appointment tickets (checked in);
	// OnTime those first called no later than their slot plus the
	// tolerance, Late those called later.
	Appointments       int `json:"appointments"`
	AppointmentsOnTime int `json:"appointments_on_time"`
	AppointmentsLate   int `json:"appointments_late"`
	// AppointmentsMissed counts the appointments booked for the period
	// (and not cancelled) whose citizen never checked in. They have no
	// desk nor clerk, and count under the hour of their slot.
	AppointmentsMissed int `json:"appointments_missed"`
	// TurnedAway counts the walk-ins refused because they would not have
	// been called before their service closed (the cut-off).
	TurnedAway int `json:"turned_away"`
	// DeskOpen is the time desks were open (not paused, not closed), and
	// DeskBusy the part of it with a citizen called or at the desk: by
	// desk, office, day, weekday, month and in total; zero by service,
	// clerk and hour.
	DeskOpen time.Duration `json:"desk_open"`
	DeskBusy time.Duration `json:"desk_busy"`
	// EstimateError is the mean absolute difference between the wait
	// printed on the ticket and the actual one, over the called tickets;
	// EstimateBias the mean of actual − printed (positive: longer than
	// told).
	EstimateError time.Duration `json:"estimate_error"`
	EstimateBias  time.Duration `json:"estimate_bias"`
}

// Utilisation is the share of the desks' open time they were busy, 0–1.
func (i Indicators) Utilisation() float64 {
	if i.DeskOpen <= 0 {
		return 0
	}
	return float64(i.DeskBusy) / float64(i.DeskOpen)
}

// WithinTargetShare is the share of called tickets within target, 0–1.
func (i Indicators) WithinTargetShare() float64 {
	if i.Called == 0 {
		return 0
	}
	return float64(i.WithinTarget) / float64(i.Called)
}
