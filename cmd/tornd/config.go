package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/store"
)

// Config is everything tornd reads from its TOML file.
type Config struct {
	// Path is the file the config came from.
	Path string
	// Office is the queue's config.
	Office dispenser.Config
	// Listen is the LAN address of the HTTP server. Default ":8080".
	Listen string
	// DB is the store's file. Default /var/lib/torn/torn.db.
	DB string
	// Retention is how long the store keeps detail and personal data.
	Retention store.Retention
}

// maxConfigSize bounds the config file.
const maxConfigSize = 1 << 20

type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: want e.g. \"5m\" or \"90s\"", b)
	}
	d.Duration = v
	return nil
}

type hoursFile struct {
	Mon, Tue, Wed, Thu, Fri, Sat, Sun []string
	Closed                            []string
}

type fileConfig struct {
	Office struct {
		ID       string `toml:"id"`
		Name     string `toml:"name"`
		TimeZone string `toml:"time_zone"`
	} `toml:"office"`
	Server struct {
		Listen string `toml:"listen"`
	} `toml:"server"`
	Store struct {
		Path         string `toml:"path"`
		Retention    int    `toml:"retention_days"`
		PersonalDays int    `toml:"personal_days"`
	} `toml:"store"`
	Rules struct {
		DueBefore   duration `toml:"due_before"`
		ProfileStep duration `toml:"profile_step"`
		MaxOvertake duration `toml:"max_overtake"`
		MaxCalls    int      `toml:"max_calls"`
		Transfer    string   `toml:"transfer"`
		CutOff      *bool    `toml:"cut_off"`
	} `toml:"rules"`
	Hours   hoursFile `toml:"hours"`
	Service []struct {
		ID              string            `toml:"id"`
		Prefix          string            `toml:"prefix"`
		Name            map[string]string `toml:"name"`
		AppointmentOnly bool              `toml:"appointment_only"`
		Priority        bool              `toml:"priority"`
		ServiceTime     duration          `toml:"service_time"`
		Hours           *hoursFile        `toml:"hours"`
	} `toml:"service"`
	Desk []struct {
		ID       string   `toml:"id"`
		Name     string   `toml:"name"`
		Services []string `toml:"services"`
	} `toml:"desk"`
}

// LoadConfig reads and checks the config file at path. It reports every
// problem it finds, each prefixed with the file (and the line where the
// TOML decoder knows it).
func LoadConfig(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return Config{}, fmt.Errorf("read config %s: %w", path, err)
	}
	if len(b) > maxConfigSize {
		return Config{}, fmt.Errorf("config %s: larger than %d bytes", path, maxConfigSize)
	}
	return ParseConfig(path, b)
}

// ParseConfig parses the config in b, read from path.
func ParseConfig(path string, b []byte) (Config, error) {
	var fc fileConfig
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return Config{}, tomlError(path, err)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
	}
	c := Config{Path: path, Listen: fc.Server.Listen, DB: fc.Store.Path}
	if c.Listen == "" {
		c.Listen = ":8080"
	}
	if c.DB == "" {
		c.DB = "/var/lib/torn/torn.db"
	}
	c.Retention = store.Retention{Days: fc.Store.Retention, PersonalDays: fc.Store.PersonalDays}
	if c.Retention.Days < 0 || c.Retention.PersonalDays < 0 {
		bad("store: retention days must not be negative")
	}
	o := &c.Office
	o.Office, o.Name = fc.Office.ID, fc.Office.Name
	if o.Office == "" {
		bad("office.id is required")
	}
	if o.Name == "" {
		o.Name = o.Office
	}
	tz := fc.Office.TimeZone
	if tz == "" {
		tz = "Europe/Madrid"
	}
	if loc, err := time.LoadLocation(tz); err != nil {
		bad("office.time_zone %q: unknown time zone", tz)
	} else {
		o.Location = loc
	}
	r := fc.Rules
	o.Rules = dispenser.Rules{
		DueBefore: r.DueBefore.Duration, ProfileStep: r.ProfileStep.Duration,
		MaxOvertake: r.MaxOvertake.Duration, MaxCalls: r.MaxCalls,
	}
	switch r.Transfer {
	case "", "head":
	case "tail":
		o.Rules.TransferToTail = true
	default:
		bad("rules.transfer %q: want \"head\" or \"tail\"", r.Transfer)
	}
	if r.CutOff != nil && !*r.CutOff {
		o.Rules.NoCutOff = true
	}
	officeHours, err := parseHours(fc.Hours)
	if err != nil {
		bad("hours: %v", err)
	}
	for i, s := range fc.Service {
		sv := dispenser.Service{
			ID: dispenser.ServiceID(s.ID), Prefix: s.Prefix, AppointmentOnly: s.AppointmentOnly,
			Priority: s.Priority, ServiceTime: s.ServiceTime.Duration, Hours: officeHours,
			Names: map[dispenser.Lang]string{},
		}
		for lang, name := range s.Name {
			l := dispenser.Lang(lang)
			if l != dispenser.Catalan && l != dispenser.Spanish && l != dispenser.English {
				bad("service %d (%s): name.%s: want ca, es or en", i+1, s.ID, lang)
			}
			sv.Names[l] = name
		}
		if s.Hours != nil {
			if sv.Hours, err = parseHours(*s.Hours); err != nil {
				bad("service %d (%s): hours: %v", i+1, s.ID, err)
			}
			// The office's holidays close every service.
			sv.Hours.Closed = append(sv.Hours.Closed, officeHours.Closed...)
		}
		o.Services = append(o.Services, sv)
	}
	for _, d := range fc.Desk {
		dk := dispenser.Desk{ID: dispenser.DeskID(d.ID), Name: d.Name}
		for _, s := range d.Services {
			dk.Profile = append(dk.Profile, dispenser.ServiceID(s))
		}
		o.Desks = append(o.Desks, dk)
	}
	if len(errs) == 0 {
		// The dispenser checks the office and fills its defaults.
		d, err := dispenser.New(c.Office, dispenser.Snapshot{})
		if err != nil {
			for _, e := range unjoin(err) {
				bad("%v", strings.TrimPrefix(e.Error(), "office config: "))
			}
		} else {
			c.Office = *d.Config()
		}
	}
	return c, errors.Join(errs...)
}

// unjoin splits a joined error (behind any wrapping) into its parts.
func unjoin(err error) []error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			return j.Unwrap()
		}
	}
	return []error{err}
}

func parseHours(h hoursFile) (dispenser.Hours, error) {
	var out dispenser.Hours
	var errs []error
	for wd, rs := range [7][]string{h.Sun, h.Mon, h.Tue, h.Wed, h.Thu, h.Fri, h.Sat} {
		for _, s := range rs {
			r, err := dispenser.ParseRange(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", strings.ToLower(time.Weekday(wd).String()[:3]), err))
				continue
			}
			out.Weekly[wd] = append(out.Weekly[wd], r)
		}
	}
	for _, d := range h.Closed {
		out.Closed = append(out.Closed, dispenser.Date(d))
	}
	if err := out.Validate(); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// tomlError turns the TOML decoder's errors into lines naming the file,
// the line and the key.
func tomlError(path string, err error) error {
	var sm *toml.StrictMissingError
	if errors.As(err, &sm) {
		var errs []error
		for _, e := range sm.Errors {
			row, col := e.Position()
			errs = append(errs, fmt.Errorf("%s:%d:%d: unknown key %s", path, row, col, strings.Join(e.Key(), ".")))
		}
		return errors.Join(errs...)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		key := ""
		if k := de.Key(); len(k) > 0 {
			key = " " + strings.Join(k, ".")
		}
		return fmt.Errorf("%s:%d:%d:%s %s", path, row, col, key, de.Error())
	}
	return fmt.Errorf("%s: %w", path, err)
}
