package sim

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"torn.cat/torn/dispenser"
)

// A Scenario describes an office and its citizens for a day. See the package
// documentation for the file format; ParseScenario reads one.
type Scenario struct {
	// Name names the scenario in reports.
	Name string `toml:"name"`
	// TimeZone is the office's time zone. Default Europe/Madrid.
	TimeZone string `toml:"timezone"`
	// Hours are the opening ranges, "08:30-14:00", the same on every open
	// day. Required.
	Hours []string `toml:"hours"`
	// Days are the open weekdays, "mon" to "sun". Default Monday to Friday.
	Days []string `toml:"days"`
	// Start is the first day RunDays simulates, "2006-01-02". Default
	// 2026-03-02 (a Monday).
	Start string `toml:"start"`
	// WalkUpSeconds is how long a called citizen takes to reach the desk.
	// Default 30.
	WalkUpSeconds float64 `toml:"walk_up_seconds"`
	// DrainMinutes is how long after the last closing the desks go on
	// calling those still waiting. Default 120.
	DrainMinutes float64 `toml:"drain_minutes"`
	// NoCutOff keeps the dispenser issuing walk-ins until closing
	// (dispenser.Rules.NoCutOff).
	NoCutOff bool `toml:"no_cutoff"`
	// Patience, when set, makes walk-in citizens leave before being called.
	Patience *Patience     `toml:"patience"`
	Services []ServiceSpec `toml:"service"`
	Desks    []DeskSpec    `toml:"desk"`
}

// Patience is how long a walk-in citizen waits before leaving: exponential.
type Patience struct {
	// MeanMinutes is the mean patience. Required, > 0.
	MeanMinutes float64 `toml:"mean_minutes"`
}

// A ServiceSpec is a service and the citizens who come for it.
type ServiceSpec struct {
	ID     string `toml:"id"`
	Prefix string `toml:"prefix"`
	// Name is the Catalan name. Default the id.
	Name            string `toml:"name"`
	AppointmentOnly bool   `toml:"appointment_only"`
	// WalkInsFrom is the start of the first hour of WalkInsPerHour.
	// Default the first opening.
	WalkInsFrom string `toml:"walkins_from"`
	// WalkInsPerHour are the walk-in arrival rates, citizens per hour, of
	// successive hours from WalkInsFrom; zero after the list.
	WalkInsPerHour []float64 `toml:"walkins_per_hour"`
	// ServiceMinutes and ServiceCV are the mean and coefficient of
	// variation of the lognormal service time. ServiceMinutes required.
	ServiceMinutes float64 `toml:"service_minutes"`
	ServiceCV      float64 `toml:"service_cv"`
	// PriorityShare is the share of walk-ins who take a priority ticket.
	PriorityShare float64          `toml:"priority_share"`
	Appointments  *AppointmentSpec `toml:"appointments"`
}

// AppointmentSpec is a service's book of the day and how its citizens keep it.
type AppointmentSpec struct {
	// PerHour books slots evenly through the opening hours; Slots lists
	// them instead ("09:00"). One of the two.
	PerHour float64  `toml:"per_hour"`
	Slots   []string `toml:"slots"`
	// Arrival is slot + normal(PunctualityMeanMinutes, PunctualitySDMinutes).
	PunctualityMeanMinutes float64 `toml:"punctuality_mean_minutes"`
	PunctualitySDMinutes   float64 `toml:"punctuality_sd_minutes"`
	// NoShowShare is the share of bookings nobody comes for.
	NoShowShare float64 `toml:"no_show_share"`
}

// A DeskSpec is a desk and its clerk's day.
type DeskSpec struct {
	ID string `toml:"id"`
	// Profile lists the services served, most preferred first.
	Profile []string `toml:"profile"`
	// Open is when the desk opens. Default the first opening.
	Open string `toml:"open"`
	// Close, when set, closes the desk then (after its current citizen):
	// closing early. Unset, the desk serves until nobody waits.
	Close string `toml:"close"`
	// Breaks pause the desk, "10:30-10:50".
	Breaks []string `toml:"breaks"`
}

// LoadScenario reads and parses the scenario file path.
func LoadScenario(path string) (Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("load scenario: %w", err)
	}
	sc, err := ParseScenario(b)
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario %s: %w", path, err)
	}
	return sc, nil
}

// ParseScenario parses a scenario in TOML, strictly: an unknown key is an
// error that names it, and so is a bad value.
func ParseScenario(b []byte) (Scenario, error) {
	var sc Scenario
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		var sm *toml.StrictMissingError
		if errors.As(err, &sm) {
			var errs []error
			for _, e := range sm.Errors {
				row, _ := e.Position()
				errs = append(errs, fmt.Errorf("line %d: unknown key %q", row, strings.Join(e.Key(), ".")))
			}
			return Scenario{}, errors.Join(errs...)
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			key := strings.Join(de.Key(), ".")
			if key != "" {
				return Scenario{}, fmt.Errorf("line %d: key %q: %w", row, key, err)
			}
			return Scenario{}, fmt.Errorf("line %d: %w", row, err)
		}
		return Scenario{}, err
	}
	if _, err := sc.compile(); err != nil {
		return Scenario{}, err
	}
	return sc, nil
}

// plan is a scenario made ready to run: parsed times, the dispenser config.
type plan struct {
	loc      *time.Location
	ranges   []dispenser.Range
	days     [7]bool
	start    dispenser.Date
	walkUp   time.Duration
	drain    time.Duration
	patience time.Duration // 0: nobody leaves
	cfg      dispenser.Config
	svcs     []svcPlan
	desks    []deskPlan
}

type svcPlan struct {
	id        dispenser.ServiceID
	from      dispenser.TimeOfDay
	rates     []float64
	maxRate   float64
	mu, sigma float64 // of the lognormal, in minutes
	priority  float64
	appt      *AppointmentSpec
	slots     []dispenser.TimeOfDay
}

type deskPlan struct {
	id     dispenser.DeskID
	open   dispenser.TimeOfDay
	close  dispenser.TimeOfDay // -1: none
	breaks []dispenser.Range
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// compile checks sc and returns its plan; errors name the key.
func (sc *Scenario) compile() (*plan, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	p := &plan{}
	if sc.Name == "" {
		bad("name: missing")
	}
	tz := sc.TimeZone
	if tz == "" {
		tz = "Europe/Madrid"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		bad("timezone: %v", err)
		loc = time.UTC
	}
	p.loc = loc
	if len(sc.Hours) == 0 {
		bad("hours: missing")
	}
	for i, h := range sc.Hours {
		r, err := dispenser.ParseRange(h)
		if err != nil {
			bad("hours[%d]: %v", i, err)
			continue
		}
		if len(p.ranges) > 0 && r.From < p.ranges[len(p.ranges)-1].To {
			bad("hours[%d]: %s overlaps or comes before the range before it", i, r)
		}
		p.ranges = append(p.ranges, r)
	}
	days := sc.Days
	if len(days) == 0 {
		days = []string{"mon", "tue", "wed", "thu", "fri"}
	}
	for _, d := range days {
		wd, ok := weekdays[strings.ToLower(d)]
		if !ok {
			bad("days: %q: want mon, tue, wed, thu, fri, sat or sun", d)
		}
		p.days[wd] = true
	}
	p.start = "2026-03-02"
	if sc.Start != "" {
		if _, err := time.Parse(time.DateOnly, sc.Start); err != nil {
			bad("start: %q: want YYYY-MM-DD", sc.Start)
		}
		p.start = dispenser.Date(sc.Start)
	}
	nonNeg := func(key string, v float64) {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			bad("%s: %v: want a number ≥ 0", key, v)
		}
	}
	share := func(key string, v float64) {
		if !(v >= 0 && v <= 1) {
			bad("%s: %v: want a share between 0 and 1", key, v)
		}
	}
	nonNeg("walk_up_seconds", sc.WalkUpSeconds)
	nonNeg("drain_minutes", sc.DrainMinutes)
	p.walkUp = 30 * time.Second
	if sc.WalkUpSeconds > 0 {
		p.walkUp = time.Duration(sc.WalkUpSeconds * float64(time.Second))
	}
	p.drain = 120 * time.Minute
	if sc.DrainMinutes > 0 {
		p.drain = minutes(sc.DrainMinutes)
	}
	if sc.Patience != nil {
		if !(sc.Patience.MeanMinutes > 0) {
			bad("patience.mean_minutes: %v: want a number > 0", sc.Patience.MeanMinutes)
		}
		p.patience = minutes(sc.Patience.MeanMinutes)
	}
	var first dispenser.TimeOfDay
	if len(p.ranges) > 0 {
		first = p.ranges[0].From
	}
	var hours dispenser.Hours
	for wd, open := range p.days {
		if open {
			hours.Weekly[wd] = p.ranges
		}
	}
	p.cfg = dispenser.Config{Office: "sim", Name: sc.Name, Location: loc, Rules: dispenser.Rules{NoCutOff: sc.NoCutOff}}
	if len(sc.Services) == 0 {
		bad("service: none")
	}
	for i, s := range sc.Services {
		key := fmt.Sprintf("service[%d]", i)
		if s.ID != "" {
			key = fmt.Sprintf("service %q", s.ID)
		}
		sp := svcPlan{id: dispenser.ServiceID(s.ID), from: first, rates: s.WalkInsPerHour, priority: s.PriorityShare, appt: s.Appointments}
		if s.WalkInsFrom != "" {
			t, err := dispenser.ParseTimeOfDay(s.WalkInsFrom)
			if err != nil {
				bad("%s: walkins_from: %v", key, err)
			}
			sp.from = t
		}
		for j, r := range s.WalkInsPerHour {
			nonNeg(fmt.Sprintf("%s: walkins_per_hour[%d]", key, j), r)
			sp.maxRate = max(sp.maxRate, r)
		}
		if s.AppointmentOnly && sp.maxRate > 0 {
			bad("%s: walkins_per_hour: an appointment_only service takes no walk-ins", key)
		}
		if !(s.ServiceMinutes > 0) {
			bad("%s: service_minutes: %v: want a number > 0", key, s.ServiceMinutes)
		}
		nonNeg(key+": service_cv", s.ServiceCV)
		share(key+": priority_share", s.PriorityShare)
		sp.sigma = math.Sqrt(math.Log1p(s.ServiceCV * s.ServiceCV))
		sp.mu = math.Log(s.ServiceMinutes) - sp.sigma*sp.sigma/2
		if a := s.Appointments; a != nil {
			switch {
			case a.PerHour > 0 && len(a.Slots) > 0:
				bad("%s: appointments: per_hour and slots: want one of them", key)
			case a.PerHour > 0:
				step := 60 / a.PerHour
				for _, r := range p.ranges {
					for m := float64(r.From); m < float64(r.To); m += step {
						sp.slots = append(sp.slots, dispenser.TimeOfDay(m))
					}
				}
			case len(a.Slots) > 0:
				for j, sl := range a.Slots {
					t, err := dispenser.ParseTimeOfDay(sl)
					if err != nil {
						bad("%s: appointments.slots[%d]: %v", key, j, err)
					}
					sp.slots = append(sp.slots, t)
				}
			default:
				nonNeg(key+": appointments.per_hour", a.PerHour)
				if a.PerHour == 0 {
					bad("%s: appointments: want per_hour > 0 or slots", key)
				}
			}
			nonNeg(key+": appointments.punctuality_sd_minutes", a.PunctualitySDMinutes)
			share(key+": appointments.no_show_share", a.NoShowShare)
		}
		p.svcs = append(p.svcs, sp)
		name := s.Name
		if name == "" {
			name = s.ID
		}
		p.cfg.Services = append(p.cfg.Services, dispenser.Service{
			ID:              sp.id,
			Prefix:          s.Prefix,
			Names:           map[dispenser.Lang]string{dispenser.Catalan: name},
			AppointmentOnly: s.AppointmentOnly,
			Priority:        s.PriorityShare > 0,
			ServiceTime:     minutes(s.ServiceMinutes).Round(time.Second),
			Hours:           hours,
		})
	}
	if len(sc.Desks) == 0 {
		bad("desk: none")
	}
	for i, d := range sc.Desks {
		key := fmt.Sprintf("desk[%d]", i)
		if d.ID != "" {
			key = fmt.Sprintf("desk %q", d.ID)
		}
		dp := deskPlan{id: dispenser.DeskID(d.ID), open: first, close: -1}
		if d.Open != "" {
			t, err := dispenser.ParseTimeOfDay(d.Open)
			if err != nil {
				bad("%s: open: %v", key, err)
			}
			dp.open = t
		}
		if d.Close != "" {
			t, err := dispenser.ParseTimeOfDay(d.Close)
			if err != nil {
				bad("%s: close: %v", key, err)
			} else if t <= dp.open {
				bad("%s: close: %s is not after open %s", key, t, dp.open)
			}
			dp.close = t
		}
		for j, b := range d.Breaks {
			r, err := dispenser.ParseRange(b)
			if err != nil {
				bad("%s: breaks[%d]: %v", key, j, err)
				continue
			}
			dp.breaks = append(dp.breaks, r)
		}
		p.desks = append(p.desks, dp)
		prof := make([]dispenser.ServiceID, len(d.Profile))
		for j, s := range d.Profile {
			prof[j] = dispenser.ServiceID(s)
		}
		p.cfg.Desks = append(p.cfg.Desks, dispenser.Desk{ID: dp.id, Profile: prof})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// The dispenser checks ids, prefixes and profiles; its errors name them.
	if _, err := dispenser.New(p.cfg, dispenser.Snapshot{}); err != nil {
		return nil, err
	}
	return p, nil
}

func minutes(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }
