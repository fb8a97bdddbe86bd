package dispenser_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// newNoPanic is dispenser.New, turning a panic into an error.
func newNoPanic(cfg dispenser.Config) (d *dispenser.Dispenser, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("New panicked: %v", r)
		}
	}()
	return dispenser.New(cfg, dispenser.Snapshot{})
}

func TestConfigDefaults(t *testing.T) {
	cfg := newConfig().build()
	cfg.Location = nil
	cfg.Services[0].ServiceTime = 0
	cfg.Desks[0].Name = ""
	d := mustNew(t, cfg, dispenser.Snapshot{})
	got := d.Config()
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"Location", got.Location.String(), "Europe/Madrid"},
		{"Rules.DueBefore", got.Rules.DueBefore, 5 * time.Minute},
		{"Rules.ProfileStep", got.Rules.ProfileStep, 10 * time.Minute},
		{"Rules.MaxOvertake", got.Rules.MaxOvertake, 20 * time.Minute},
		{"Rules.MaxCalls", got.Rules.MaxCalls, 3},
		{"Rules.TransferToTail", got.Rules.TransferToTail, false},
		{"Rules.NoCutOff", got.Rules.NoCutOff, false},
		{"Rules.LearnFrom", got.Rules.LearnFrom, 20},
		{"Service.ServiceTime", d.Service(svcA).ServiceTime, 5 * time.Minute},
		{"Desk.Name", d.Desk(desk1).Name, "1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		})
	}
	t.Run("negative ProfileStep means 0", func(t *testing.T) {
		d := mustNew(t, newConfig().rules(dispenser.Rules{ProfileStep: -time.Minute}).build(), dispenser.Snapshot{})
		if got := d.Config().Rules.ProfileStep; got != 0 {
			t.Errorf("ProfileStep = %s, want 0", got)
		}
	})
	t.Run("desks start closed", func(t *testing.T) {
		for _, ds := range d.Desks() {
			if ds.State != dispenser.DeskClosed {
				t.Errorf("desk %s is %s, want closed", ds.ID, ds.State)
			}
		}
	})
	t.Run("unknown service and desk", func(t *testing.T) {
		if d.Service("nope") != nil || d.Desk("nope") != nil {
			t.Errorf("found a service or desk that is not in the config")
		}
	})
}

// TestConfigErrorsAllReportedAtOnce: a config with five problems gets one
// error naming all five.
func TestConfigErrorsAllReportedAtOnce(t *testing.T) {
	cfg := newConfig().build()
	cfg.Services[1].Prefix = "A"                                        // duplicate prefix
	cfg.Services = append(cfg.Services, service("cens", "C", allDay())) // no Catalan name, overlapping hours
	delete(cfg.Services[2].Names, dispenser.Catalan)
	cfg.Services[2].Hours.Weekly[time.Thursday] = []dispenser.Range{rng("08:30-14:00"), rng("13:00-19:00")}
	cfg.Services = append(cfg.Services, service("registre", "R", allDay())) // no desk
	cfg.Desks = []dispenser.Desk{desk(desk1, svcA, svcB, "cens", "nope")}   // unknown service
	d, err := newNoPanic(cfg)
	if err == nil || d != nil {
		t.Fatalf("New = %v, %v; want no dispenser and an error", d, err)
	}
	for _, want := range []string{
		`service "padro": prefix "A" is already used by service "oac"`,
		`desk "1": unknown service "nope"`,
		`service "registre": no desk serves it`,
		`service "cens": no Catalan name`,
		`service "cens": hours: Thursday: ranges 08:30-14:00 and 13:00-19:00 overlap`,
	} {
		t.Run(want, func(t *testing.T) {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error does not say %q:\n%v", want, err)
			}
		})
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 5 {
		t.Fatalf("want 5 problems joined, got %v", err)
	}
	// Each names its field, for a config file to name its key.
	var fields []string
	for _, e := range joined.Unwrap() {
		var ce *dispenser.ConfigError
		if !errors.As(e, &ce) {
			t.Fatalf("%v is not a *ConfigError", e)
		}
		fields = append(fields, ce.Field)
	}
	want := []string{"Services.1.Prefix", "Services.2.Names", "Services.2.Hours", "Desks.0.Profile.3", "Services.3"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %q, want %q", fields, want)
	}
}

func TestConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *dispenser.Config)
		want string // part of the error
	}{
		{name: "no services", edit: func(c *dispenser.Config) { c.Services, c.Desks = nil, nil }, want: "no services"},
		{name: "service with no id", edit: func(c *dispenser.Config) { c.Services[1].ID = "" }, want: "service 2: no id"},
		{name: "service defined twice", edit: func(c *dispenser.Config) { c.Services[1].ID = svcA }, want: `service "oac": defined twice`},
		{name: "empty prefix", edit: func(c *dispenser.Config) { c.Services[0].Prefix = "" }, want: "want 1 to 3 capital letters"},
		{name: "lower-case prefix", edit: func(c *dispenser.Config) { c.Services[0].Prefix = "a" }, want: "want 1 to 3 capital letters"},
		{name: "prefix too long", edit: func(c *dispenser.Config) { c.Services[0].Prefix = "ABCD" }, want: "want 1 to 3 capital letters"},
		{name: "prefix not A to Z", edit: func(c *dispenser.Config) { c.Services[0].Prefix = "Ñ" }, want: "want 1 to 3 capital letters"},
		{name: "prefix with a digit", edit: func(c *dispenser.Config) { c.Services[0].Prefix = "A1" }, want: "want 1 to 3 capital letters"},
		{name: "duplicate prefix", edit: func(c *dispenser.Config) { c.Services[1].Prefix = "A" }, want: `prefix "A" is already used`},
		{name: "missing Catalan name", edit: func(c *dispenser.Config) { c.Services[0].Names = map[dispenser.Lang]string{dispenser.Spanish: "OAC"} }, want: "no Catalan name"},
		{name: "negative service time", edit: func(c *dispenser.Config) { c.Services[0].ServiceTime = -time.Minute }, want: "negative service time"},
		{name: "overlapping hours", edit: func(c *dispenser.Config) {
			c.Services[0].Hours.Weekly[time.Monday] = []dispenser.Range{rng("08:30-14:00"), rng("10:00-12:00")}
		}, want: "overlap"},
		{name: "malformed closed date", edit: func(c *dispenser.Config) { c.Services[0].Hours.Closed = []dispenser.Date{"Nadal"} }, want: "closed date"},
		{name: "desk with no id", edit: func(c *dispenser.Config) { c.Desks = append(c.Desks, desk("", svcA)) }, want: "desk 2: no id"},
		{name: "desk defined twice", edit: func(c *dispenser.Config) { c.Desks = append(c.Desks, desk(desk1, svcA)) }, want: `desk "1": defined twice`},
		{name: "desk serving nothing", edit: func(c *dispenser.Config) { c.Desks = append(c.Desks, desk(desk2)) }, want: `desk "2": serves no service`},
		{name: "service twice in a profile", edit: func(c *dispenser.Config) { c.Desks[0].Profile = append(c.Desks[0].Profile, svcA) }, want: `service "oac" listed twice`},
		{name: "unknown service in a profile", edit: func(c *dispenser.Config) { c.Desks[0].Profile = append(c.Desks[0].Profile, "nope") }, want: `unknown service "nope"`},
		{name: "service with no desk", edit: func(c *dispenser.Config) { c.Desks[0].Profile = []dispenser.ServiceID{svcA} }, want: `service "padro": no desk serves it`},
		{name: "no desks", edit: func(c *dispenser.Config) { c.Desks = nil }, want: "no desk serves it"},
		{name: "negative MaxCalls", edit: func(c *dispenser.Config) { c.Rules.MaxCalls = -1 }, want: "max calls"},
		{name: "negative DueBefore", edit: func(c *dispenser.Config) { c.Rules.DueBefore = -time.Minute }, want: "must not be negative"},
		{name: "negative MaxOvertake", edit: func(c *dispenser.Config) { c.Rules.MaxOvertake = -time.Minute }, want: "must not be negative"},
		{name: "negative LearnFrom", edit: func(c *dispenser.Config) { c.Rules.LearnFrom = -1 }, want: "learn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newConfig().build()
			tc.edit(&cfg)
			d, err := newNoPanic(cfg)
			if err == nil {
				t.Fatalf("New accepted the config, want an error about %q", tc.want)
			}
			if d != nil {
				t.Errorf("New returned a dispenser with its error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v\nwant it to say %q", err, tc.want)
			}
		})
	}
}

func TestServiceName(t *testing.T) {
	s := service(svcA, "A", allDay())
	delete(s.Names, dispenser.English)
	for _, tc := range []struct {
		lang dispenser.Lang
		want string
	}{
		{dispenser.Catalan, "Servei A"},
		{dispenser.Spanish, "Servicio A"},
		{dispenser.English, "Servei A"}, // none: Catalan
		{"fr", "Servei A"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			if got := s.Name(tc.lang); got != tc.want {
				t.Errorf("Name(%s) = %q, want %q", tc.lang, got, tc.want)
			}
		})
	}
	if !slices.Equal(dispenser.Langs, []dispenser.Lang{"ca", "es", "en"}) {
		t.Errorf("Langs = %v, want Catalan first, then Spanish and English", dispenser.Langs)
	}
}

// TestNewCopiesTheConfig: New fills the defaults into its own copy; the
// caller's config is neither changed by New nor able to change the
// dispenser afterwards.
func TestNewCopiesTheConfig(t *testing.T) {
	cfg := newConfig().build()
	cfg.Services[0].ServiceTime = 0
	d := mustNew(t, cfg, dispenser.Snapshot{})
	if cfg.Services[0].ServiceTime != 0 {
		t.Errorf("New set the caller's service time to %s", cfg.Services[0].ServiceTime)
	}
	cfg.Services[0].Prefix = "Z"
	cfg.Desks[0].Profile[0] = svcB
	if p := d.Service(svcA).Prefix; p != "A" {
		t.Errorf("after the caller changed its config, the dispenser's prefix is %q, want A", p)
	}
	if p := d.Desk(desk1).Profile; p[0] != svcA {
		t.Errorf("after the caller changed its config, desk 1's profile is %v, want [oac padro]", p)
	}
}
