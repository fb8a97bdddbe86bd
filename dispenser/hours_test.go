package dispenser_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

func TestParseTimeOfDay(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want dispenser.TimeOfDay
		bad  bool
	}{
		{in: "8:30", want: 8*60 + 30},
		{in: "08:30", want: 8*60 + 30},
		{in: " 16:00 ", want: 16 * 60},
		{in: "00:00", want: 0},
		{in: "24:00", want: 24 * 60},
		{in: "24:01", bad: true},
		{in: "25:00", bad: true},
		{in: "8:3", bad: true},
		{in: "8:60", bad: true},
		{in: "-1:00", bad: true},
		{in: "830", bad: true},
		{in: "", bad: true},
		{in: "a:bc", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := dispenser.ParseTimeOfDay(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParseTimeOfDay(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseTimeOfDay(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if tc.in == "8:30" && got.String() != "08:30" {
				t.Errorf("String() = %q, want 08:30", got.String())
			}
		})
	}
}

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want dispenser.Range
		bad  bool
	}{
		{in: "08:30-14:00", want: dispenser.Range{From: 510, To: 840}},
		{in: "16:00-19:00", want: dispenser.Range{From: 960, To: 1140}},
		{in: "00:00-24:00", want: dispenser.Range{From: 0, To: 1440}},
		{in: "14:00-08:30", bad: true},
		{in: "14:00-14:00", bad: true},
		{in: "08:30", bad: true},
		{in: "08:30-25:00", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := dispenser.ParseRange(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParseRange(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseRange(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestHoursValidate(t *testing.T) {
	week := func(wd time.Weekday, rs ...string) dispenser.Hours {
		var h dispenser.Hours
		for _, r := range rs {
			h.Weekly[wd] = append(h.Weekly[wd], rng(r))
		}
		return h
	}
	for _, tc := range []struct {
		name string
		h    dispenser.Hours
		want string // part of the error; "" for none
	}{
		{name: "El Masnou hours are valid", h: elMasnou()},
		{name: "no hours are valid (never open)", h: dispenser.Hours{}},
		{name: "several ranges a day", h: week(time.Thursday, "08:30-14:00", "16:00-19:00")},
		{name: "touching ranges are valid", h: week(time.Monday, "08:30-14:00", "14:00-15:00")},
		{name: "overlapping ranges", h: week(time.Thursday, "08:30-14:00", "13:00-19:00"), want: "overlap"},
		{name: "ranges out of order", h: week(time.Thursday, "16:00-19:00", "08:30-14:00"), want: "overlap or are out of order"},
		{name: "malformed closed date", h: dispenser.Hours{Closed: []dispenser.Date{"25/12/2026"}}, want: "closed date"},
		{name: "impossible closed date", h: dispenser.Hours{Closed: []dispenser.Date{"2026-13-01"}}, want: "closed date"},
		// Ranges built in code, not parsed, must be checked too: an
		// inverted range is never open, silently.
		{name: "range that ends before it starts", h: func() dispenser.Hours {
			var h dispenser.Hours
			h.Weekly[time.Monday] = []dispenser.Range{{From: 14 * 60, To: 8*60 + 30}}
			return h
		}(), want: "14:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.h.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Validate() = nil, want an error about %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Validate() = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestElMasnouHours checks the opening hours on a real calendar: March 2026,
// Thursday 26 to Monday 30, across the spring DST change of Sunday 29, and
// Christmas Day 2026 (a Friday) closed.
func TestElMasnouHours(t *testing.T) {
	h := elMasnou()
	christmas := local(2026, time.December, 25, 0, 0, 0)
	for _, tc := range []struct {
		name     string
		now      time.Time
		open     bool
		session  dispenser.Session // when open
		nextOpen time.Time         // when closed
	}{
		{name: "Thursday 8:29 closed until 8:30", now: at(thursday, 8, 29), nextOpen: at(thursday, 8, 30)},
		{name: "Thursday 8:30 open", now: at(thursday, 8, 30), open: true,
			session: dispenser.Session{Open: at(thursday, 8, 30), Close: at(thursday, 14, 0)}},
		{name: "Thursday 13:59 open", now: at(thursday, 13, 59), open: true,
			session: dispenser.Session{Open: at(thursday, 8, 30), Close: at(thursday, 14, 0)}},
		{name: "Thursday 14:00 closed until 16:00", now: at(thursday, 14, 0), nextOpen: at(thursday, 16, 0)},
		{name: "Thursday 15:00 closed until 16:00", now: at(thursday, 15, 0), nextOpen: at(thursday, 16, 0)},
		{name: "Thursday 16:30 open in the afternoon session", now: at(thursday, 16, 30), open: true,
			session: dispenser.Session{Open: at(thursday, 16, 0), Close: at(thursday, 19, 0)}},
		{name: "Thursday 19:00 closed until Friday 8:30", now: at(thursday, 19, 0), nextOpen: at(friday, 8, 30)},
		{name: "Friday 10:00 open", now: at(friday, 10, 0), open: true,
			session: dispenser.Session{Open: at(friday, 8, 30), Close: at(friday, 14, 0)}},
		{name: "Friday 16:30 closed until Monday 8:30", now: at(friday, 16, 30), nextOpen: at(monday, 8, 30)},
		{name: "Saturday closed until Monday 8:30", now: local(2026, time.March, 28, 10, 0, 0), nextOpen: at(monday, 8, 30)},
		{name: "Sunday of the DST change closed until Monday 8:30 CEST", now: local(2026, time.March, 29, 3, 30, 0), nextOpen: utc(2026, time.March, 30, 6, 30, 0)},
		{name: "closed date 8:30 closed until Monday 28 December", now: at(christmas, 8, 30), nextOpen: local(2026, time.December, 28, 8, 30, 0)},
		{name: "closed date 10:00 closed", now: at(christmas, 10, 0), nextOpen: local(2026, time.December, 28, 8, 30, 0)},
		{name: "closed date 13:59 closed", now: at(christmas, 13, 59), nextOpen: local(2026, time.December, 28, 8, 30, 0)},
		{name: "day before the closed date open", now: local(2026, time.December, 24, 17, 0, 0), open: true,
			session: dispenser.Session{Open: local(2026, time.December, 24, 16, 0, 0), Close: local(2026, time.December, 24, 19, 0, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, open := h.SessionAt(tc.now, madrid)
			if open != tc.open {
				t.Fatalf("SessionAt(%s) open = %v, want %v", tc.now, open, tc.open)
			}
			if open {
				if !s.Open.Equal(tc.session.Open) || !s.Close.Equal(tc.session.Close) {
					t.Errorf("SessionAt(%s) = %v-%v, want %v-%v", tc.now, s.Open, s.Close, tc.session.Open, tc.session.Close)
				}
				return
			}
			next, ok := h.NextOpen(tc.now, madrid)
			if !ok || !next.Equal(tc.nextOpen) {
				t.Errorf("NextOpen(%s) = %s, %v; want %s", tc.now.In(madrid), next.In(madrid), ok, tc.nextOpen.In(madrid))
			}
		})
	}
	t.Run("never open has no next opening", func(t *testing.T) {
		if next, ok := (dispenser.Hours{}).NextOpen(at(thursday, 9, 0), madrid); ok {
			t.Errorf("NextOpen = %s, true; want false", next)
		}
	})
}

// TestIssueRefusedWhenClosed checks the hours through the dispenser: a walk-in
// outside them is refused as closed, with the next opening as Until.
func TestIssueRefusedWhenClosed(t *testing.T) {
	cfg := newConfig().hours(elMasnou()).build()
	christmas := local(2026, time.December, 25, 0, 0, 0)
	for _, tc := range []struct {
		name  string
		now   time.Time
		until time.Time // zero: issued
	}{
		{name: "Thursday 15:00 closed until Thursday 16:00", now: at(thursday, 15, 0), until: at(thursday, 16, 0)},
		{name: "Thursday 16:30 issued", now: at(thursday, 16, 30)},
		{name: "Thursday 9:00 issued", now: at(thursday, 9, 0)},
		{name: "Friday 16:30 closed until Monday 8:30", now: at(friday, 16, 30), until: at(monday, 8, 30)},
		{name: "Monday 8:29 closed until 8:30", now: at(monday, 8, 29), until: at(monday, 8, 30)},
		{name: "closed date 8:30 refused all day", now: at(christmas, 8, 30), until: local(2026, time.December, 28, 8, 30, 0)},
		{name: "closed date 12:00 refused all day", now: at(christmas, 12, 0), until: local(2026, time.December, 28, 8, 30, 0)},
		{name: "closed date 13:59 refused all day", now: at(christmas, 13, 59), until: local(2026, time.December, 28, 8, 30, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, cfg, tc.now)
			before := f.state()
			evs, err := f.try(f.newIssue(svcA))
			if !wantIssuedOrRefused(t, evs, err, dispenser.RefusedClosed, svcA, tc.until) {
				return
			}
			f.unchanged(before)
			var r *dispenser.Refusal
			if err := f.d.Admits(svcA, dispenser.WalkIn, tc.now); !errors.As(err, &r) || r.Reason != dispenser.RefusedClosed {
				t.Errorf("Admits = %v, want the same refusal", err)
			}
		})
	}
}
