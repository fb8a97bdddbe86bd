package dispenser

import (
	"errors"
	"fmt"
	"time"
	"unicode"
)

// A Lang is a language code of the citizen-facing texts: "ca", "es", "en".
type Lang string

// The languages Torn speaks, Catalan first.
const (
	Catalan Lang = "ca"
	Spanish Lang = "es"
	English Lang = "en"
)

// Langs lists the supported languages in the order they are offered.
var Langs = []Lang{Catalan, Spanish, English}

// ServiceID names a service in the config ("oac", "padro").
type ServiceID string

// DeskID names a desk in the config ("taula3").
type DeskID string

// A Service is one kind of errand with its own queue.
type Service struct {
	ID ServiceID
	// Prefix is the letter (or letters) in front of the ticket number.
	// Unique in the office.
	Prefix string
	// Names holds the service's name per language; Catalan is required.
	Names map[Lang]string
	// AppointmentOnly refuses walk-in and priority tickets.
	AppointmentOnly bool
	// Priority allows priority tickets (pregnancy, reduced mobility...).
	Priority bool
	// ServiceTime is the expected time at the desk before any has been
	// measured today. Default 5 minutes.
	ServiceTime time.Duration
	// Hours are the opening hours. A service with no ranges is never open.
	Hours Hours
	// CheckIn are the service's check-in rules; zero fields take the
	// office's Rules.CheckIn.
	CheckIn CheckInRules
}

// Name returns the service's name in lang, or in Catalan when it has none.
func (s *Service) Name(lang Lang) string {
	if n := s.Names[lang]; n != "" {
		return n
	}
	return s.Names[Catalan]
}

// A Desk is a place where a clerk calls tickets.
type Desk struct {
	ID DeskID
	// Name is what the display shows: "Taula 3".
	Name string
	// Profile lists the services the desk serves, most preferred first.
	Profile []ServiceID
}

// Rules are the office's tunable queue rules. Zero fields take the defaults.
type Rules struct {
	// DueBefore is how long before its slot a checked-in appointment is
	// called ahead of walk-ins. Default 5 minutes.
	DueBefore time.Duration
	// ProfileStep is how much later a walk-in of the n-th service of a
	// desk's profile counts as queued, per step down the profile.
	// Default 10 minutes; negative means 0 (pure arrival order).
	ProfileStep time.Duration
	// MaxOvertake is the ageing bound: a walk-in is never passed at a desk
	// by a walk-in queued more than this after it. Default 20 minutes.
	MaxOvertake time.Duration
	// MaxCalls is how many times a ticket is called before a further
	// recall marks it a no-show. Default 3.
	MaxCalls int
	// TransferToTail puts a transferred ticket at the end of the new
	// service's queue instead of its head. Default false (head).
	TransferToTail bool
	// NoCutOff keeps issuing walk-in tickets until closing even when the
	// estimate says they will not be served. Default false.
	NoCutOff bool
	// LearnFrom is how many recent completions per service the learned
	// service time averages. Default 20.
	LearnFrom int
	// CheckIn are the office's check-in rules, for the services that set
	// none of their own. Defaults: see CheckInRules.
	CheckIn CheckInRules
}

// Config describes one office.
type Config struct {
	// Office is the office's id, as central knows it.
	Office string
	// Name is the office's name, shown on the ticket and the display.
	Name string
	// Location is the office's time zone; the business day and the opening
	// hours follow it. Default Europe/Madrid.
	Location *time.Location
	Services []Service
	Desks    []Desk
	Rules    Rules
}

func (r *Rules) fill() {
	if r.DueBefore == 0 {
		r.DueBefore = 5 * time.Minute
	}
	if r.ProfileStep == 0 {
		r.ProfileStep = 10 * time.Minute
	}
	if r.ProfileStep < 0 {
		r.ProfileStep = 0
	}
	if r.MaxOvertake == 0 {
		r.MaxOvertake = 20 * time.Minute
	}
	if r.MaxCalls == 0 {
		r.MaxCalls = 3
	}
	if r.LearnFrom == 0 {
		r.LearnFrom = 20
	}
	r.CheckIn.fill(CheckInRules{Early: 30 * time.Minute, Grace: 10 * time.Minute, Late: OfferWalkIn, NoAppointment: OfferWalkIn})
}

// A ConfigError is one problem of a Config. Field says where, as a
// dotted path of the Config's field names with 0-based indices
// ("Services.2.Prefix", "Desks.0.Profile.1", "Rules.MaxCalls"), so that a
// config file's reader can name its own key; the message says what, and
// names the service or desk.
type ConfigError struct {
	Field string
	Msg   string
}

func (e *ConfigError) Error() string { return e.Msg }

// fill sets defaults and checks the config; it returns every problem
// found, each a *ConfigError.
func (c *Config) fill() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if c.Location == nil {
		loc, err := time.LoadLocation("Europe/Madrid")
		if err != nil {
			bad("Location", "time zone Europe/Madrid: %v", err)
			loc = time.UTC
		}
		c.Location = loc
	}
	c.Rules.fill()
	if c.Rules.MaxCalls < 1 {
		bad("Rules.MaxCalls", "rules: max calls %d: want at least 1", c.Rules.MaxCalls)
	}
	if c.Rules.LearnFrom < 1 {
		bad("Rules.LearnFrom", "rules: learn from %d completions: want at least 1", c.Rules.LearnFrom)
		c.Rules.LearnFrom = 20
	}
	if c.Rules.DueBefore < 0 {
		bad("Rules.DueBefore", "rules: durations must not be negative")
	}
	if c.Rules.MaxOvertake < 0 {
		bad("Rules.MaxOvertake", "rules: durations must not be negative")
	}
	c.Rules.CheckIn.check("Rules.CheckIn", "rules: check-in", bad)
	if len(c.Services) == 0 {
		bad("Services", "no services")
	}
	ids := map[ServiceID]bool{}
	prefixes := map[string]ServiceID{}
	for i := range c.Services {
		s := &c.Services[i]
		field := fmt.Sprintf("Services.%d", i)
		if s.ID == "" {
			bad(field+".ID", "service %d: no id", i+1)
			continue
		}
		if ids[s.ID] {
			bad(field+".ID", "service %q: defined twice", s.ID)
		}
		ids[s.ID] = true
		if s.Prefix == "" || len(s.Prefix) > 3 || !allUpper(s.Prefix) {
			bad(field+".Prefix", "service %q: prefix %q: want 1 to 3 capital letters", s.ID, s.Prefix)
		} else if other, dup := prefixes[s.Prefix]; dup {
			bad(field+".Prefix", "service %q: prefix %q is already used by service %q", s.ID, s.Prefix, other)
		}
		prefixes[s.Prefix] = s.ID
		if s.Names[Catalan] == "" {
			bad(field+".Names", "service %q: no Catalan name", s.ID)
		}
		if s.ServiceTime == 0 {
			s.ServiceTime = 5 * time.Minute
		}
		if s.ServiceTime < 0 {
			bad(field+".ServiceTime", "service %q: negative service time", s.ID)
		}
		if err := s.Hours.Validate(); err != nil {
			bad(field+".Hours", "service %q: hours: %v", s.ID, err)
		}
		// The service's own rules; what it takes from the office's
		// was checked there.
		s.CheckIn.check(field+".CheckIn", fmt.Sprintf("service %q: check-in", s.ID), bad)
		s.CheckIn.fill(c.Rules.CheckIn)
	}
	desks := map[DeskID]bool{}
	for i := range c.Desks {
		d := &c.Desks[i]
		field := fmt.Sprintf("Desks.%d", i)
		if d.ID == "" {
			bad(field+".ID", "desk %d: no id", i+1)
			continue
		}
		if desks[d.ID] {
			bad(field+".ID", "desk %q: defined twice", d.ID)
		}
		desks[d.ID] = true
		if d.Name == "" {
			d.Name = string(d.ID)
		}
		if len(d.Profile) == 0 {
			bad(field+".Profile", "desk %q: serves no service", d.ID)
		}
		seen := map[ServiceID]bool{}
		for j, sid := range d.Profile {
			if !ids[sid] {
				bad(fmt.Sprintf("%s.Profile.%d", field, j), "desk %q: unknown service %q", d.ID, sid)
			}
			if seen[sid] {
				bad(fmt.Sprintf("%s.Profile.%d", field, j), "desk %q: service %q listed twice", d.ID, sid)
			}
			seen[sid] = true
		}
	}
	for i, s := range c.Services {
		served := false
		for _, d := range c.Desks {
			for _, sid := range d.Profile {
				served = served || sid == s.ID
			}
		}
		if s.ID != "" && !served {
			bad(fmt.Sprintf("Services.%d", i), "service %q: no desk serves it", s.ID)
		}
	}
	return errors.Join(errs...)
}

func allUpper(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' || !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// clone returns a deep copy of c, so that the dispenser never shares the
// caller's slices and maps.
func (c Config) clone() Config {
	c.Services = append([]Service(nil), c.Services...)
	for i := range c.Services {
		s := &c.Services[i]
		names := make(map[Lang]string, len(s.Names))
		for k, v := range s.Names {
			names[k] = v
		}
		s.Names = names
		for wd := range s.Hours.Weekly {
			s.Hours.Weekly[wd] = append([]Range(nil), s.Hours.Weekly[wd]...)
		}
		s.Hours.Closed = append([]Date(nil), s.Hours.Closed...)
	}
	c.Desks = append([]Desk(nil), c.Desks...)
	for i := range c.Desks {
		c.Desks[i].Profile = append([]ServiceID(nil), c.Desks[i].Profile...)
	}
	return c
}
