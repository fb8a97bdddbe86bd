package dispenser

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A TimeOfDay is a local wall-clock time, in minutes after midnight. 24:00
// (1440) is allowed as the end of a range.
type TimeOfDay int

// ParseTimeOfDay parses "8:30", "08:30" or "24:00".
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, fmt.Errorf("time of day %q: want HH:MM", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("time of day %q: want HH:MM between 00:00 and 24:00", s)
	}
	return TimeOfDay(hh*60 + mm), nil
}

func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// A Range is an opening range within one day: From inclusive, To exclusive.
type Range struct {
	From, To TimeOfDay
}

// ParseRange parses "08:30-14:00".
func ParseRange(s string) (Range, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Range{}, fmt.Errorf("opening range %q: want HH:MM-HH:MM", s)
	}
	from, err := ParseTimeOfDay(a)
	if err != nil {
		return Range{}, fmt.Errorf("opening range %q: %w", s, err)
	}
	to, err := ParseTimeOfDay(b)
	if err != nil {
		return Range{}, fmt.Errorf("opening range %q: %w", s, err)
	}
	if to <= from {
		return Range{}, fmt.Errorf("opening range %q: ends before it starts", s)
	}
	return Range{from, to}, nil
}

func (r Range) String() string { return r.From.String() + "-" + r.To.String() }

// A Date is a calendar day, as "2006-01-02".
type Date string

// Hours are a service's weekly opening hours and the dates it is closed.
type Hours struct {
	// Weekly holds the opening ranges of each weekday, indexed by
	// time.Weekday (Sunday is 0), sorted and not overlapping.
	Weekly [7][]Range
	// Closed lists the dates the service is closed all day (holidays).
	Closed []Date
}

// Validate reports overlapping or unsorted ranges and malformed dates.
func (h Hours) Validate() error {
	for wd, rs := range h.Weekly {
		for _, r := range rs {
			if r.From < 0 || r.To > 24*60 || r.To <= r.From {
				return fmt.Errorf("%s: range %s ends before it starts or is not within a day", time.Weekday(wd), r)
			}
		}
		for i := 1; i < len(rs); i++ {
			if rs[i].From < rs[i-1].To {
				return fmt.Errorf("%s: ranges %s and %s overlap or are out of order", time.Weekday(wd), rs[i-1], rs[i])
			}
		}
	}
	for _, d := range h.Closed {
		if _, err := time.Parse(time.DateOnly, string(d)); err != nil {
			return fmt.Errorf("closed date %q: want YYYY-MM-DD", d)
		}
	}
	return nil
}

// Session is an opening range on a given day, as instants.
type Session struct {
	Open, Close time.Time
}

// sessions returns the opening sessions of the local day that contains t.
func (h Hours) sessions(t time.Time, loc *time.Location) []Session {
	lt := t.In(loc)
	y, m, d := lt.Date()
	day := Date(lt.Format(time.DateOnly))
	for _, c := range h.Closed {
		if c == day {
			return nil
		}
	}
	rs := h.Weekly[lt.Weekday()]
	out := make([]Session, 0, len(rs))
	for _, r := range rs {
		out = append(out, Session{
			Open:  time.Date(y, m, d, int(r.From)/60, int(r.From)%60, 0, 0, loc),
			Close: time.Date(y, m, d, int(r.To)/60, int(r.To)%60, 0, 0, loc),
		})
	}
	return out
}

// SessionAt returns the session open at t, if any.
func (h Hours) SessionAt(t time.Time, loc *time.Location) (Session, bool) {
	for _, s := range h.sessions(t, loc) {
		if !t.Before(s.Open) && t.Before(s.Close) {
			return s, true
		}
	}
	return Session{}, false
}

// NextOpen returns the start of the first session that opens after t, looking
// up to 90 days ahead, and false when there is none.
func (h Hours) NextOpen(t time.Time, loc *time.Location) (time.Time, bool) {
	lt := t.In(loc)
	y, m, d := lt.Date()
	for i := 0; i <= 90; i++ {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, loc)
		ss := h.sessions(day, loc)
		sort.Slice(ss, func(a, b int) bool { return ss[a].Open.Before(ss[b].Open) })
		for _, s := range ss {
			if s.Open.After(t) {
				return s.Open, true
			}
		}
	}
	return time.Time{}, false
}
