package main

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/internal/tomlconf"
	"torn.cat/torn/internal/tomlconf/tomlconftest"
)

// TestExampleConfigsAreValid: every file in configs/ is a config tornd
// accepts.
func TestExampleConfigsAreValid(t *testing.T) {
	files, err := filepath.Glob("../../configs/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example configs: %v", err)
	}
	for _, f := range files {
		if filepath.Base(f) == "torn-central.toml" {
			continue // central's
		}
		if _, err := LoadConfig(f); err != nil {
			t.Errorf("%s:\n%v", f, err)
		}
	}
}

func TestMasnouConfig(t *testing.T) {
	c, err := LoadConfig("../../configs/masnou.toml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := dispenser.New(c.Office, dispenser.Snapshot{})
	if err != nil {
		t.Fatal(err)
	}
	loc := c.Office.Location
	thu := time.Date(2026, 11, 26, 16, 30, 0, 0, loc)
	if err := d.Admits("tramits", dispenser.WalkIn, thu); err != nil {
		t.Errorf("quick errands on Thursday 16:30: %v", err)
	}
	if err := d.Admits("tramits", dispenser.WalkIn, thu.Add(24*time.Hour)); err == nil {
		t.Error("quick errands open on Friday 16:30")
	}
	// The office's holidays close the services with hours of their own.
	pol := d.Service("policia")
	if _, open := pol.Hours.SessionAt(time.Date(2026, 12, 25, 10, 0, 0, 0, loc), loc); open {
		t.Error("Policia Local open on Christmas Day")
	}
	if _, open := pol.Hours.SessionAt(time.Date(2026, 11, 27, 10, 0, 0, 0, loc), loc); !open {
		t.Error("Policia Local closed on a Friday at 10:00")
	}
	if c.Office.Rules.DueBefore != 5*time.Minute || c.Office.Rules.MaxCalls != 3 || c.Retention.Days != 90 {
		t.Errorf("rules %+v, retention %+v", c.Office.Rules, c.Retention)
	}
	// Check-in: the office's rules, and the police's own.
	want := dispenser.CheckInRules{Early: 30 * time.Minute, Grace: 10 * time.Minute, Late: dispenser.OfferWalkIn, NoAppointment: dispenser.OfferWalkIn}
	if got := d.Service("oac").CheckIn; got != want {
		t.Errorf("OAC check-in rules %+v, want %+v", got, want)
	}
	want.Grace, want.Late = 5*time.Minute, dispenser.OfferDesk
	if got := pol.CheckIn; got != want {
		t.Errorf("police check-in rules %+v, want %+v", got, want)
	}
	if c.CheckIn.KeyFile != "/var/lib/torn/office.key" || c.CheckIn.Book != "/var/lib/torn/appointments.csv" {
		t.Errorf("checkin %+v", c.CheckIn)
	}
	if r := c.Reader; r.Type != "serial" || r.Device != "/dev/ttyACM0" || r.Baud != 9600 || r.Layout != "es" || r.Timeout != 1500*time.Millisecond {
		t.Errorf("reader %+v", r)
	}
}

var update = flag.Bool("update", false, "rewrite the .want files of testdata/config")

// TestBrokenConfigs: each broken config in testdata/config is refused with
// exactly the problems in its .want file: every one at once, each naming
// the file, the line and the key. go test -update rewrites the .want files
// (read the diff before committing it).
func TestBrokenConfigs(t *testing.T) {
	tomlconftest.Broken(t, "testdata/config", 6, *update, func(name string, b []byte) error {
		_, err := ParseConfig(name, b)
		return err
	}, nil)
}

func TestConfigTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(p, []byte("# "+strings.Repeat("x", tomlconf.MaxSize)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("a 1 MiB config: %v", err)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.toml")); err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Fatalf("a missing config: %v", err)
	}
}

// TestPanelConfig: a panel with buttons, LEDs, desk keys and both kinds of
// desk display is read as written, with the defaults filled in.
func TestPanelConfig(t *testing.T) {
	c, err := LoadConfig("testdata/config/panel-good.toml")
	if err != nil {
		t.Fatal(err)
	}
	p := c.Panel
	if !p.Enabled() || p.Debounce != 25*time.Millisecond || p.LongPress != 1500*time.Millisecond || p.RepeatGuard != time.Second || p.Blink != time.Second || p.StatusLED != "GPIO5" {
		t.Errorf("panel %+v", p)
	}
	want := []ButtonConfig{
		{Service: "oac", Input: Input{Pin: "GPIO17", Pull: "up", ActiveLow: true}, LongPriority: true, LED: "GPIO27", Line: 30},
		{Service: "padro", Input: Input{Pin: "GPIO22", Pull: "down"}, LED: "GPIO23", Line: 36},
	}
	if !slices.Equal(p.Buttons, want) {
		t.Errorf("buttons\n got %+v\nwant %+v", p.Buttons, want)
	}
	d1, d2 := p.Desks[0], p.Desks[1]
	if d1.Desk != "taula1" || d1.Next.Pin != "GPIO24" || d1.Recall.Pin != "GPIO25" || d1.Done.Pin != "GPIO16" || !d1.Next.ActiveLow ||
		d1.Display != (DeskDisplayConfig{Type: "ssd1306", Address: 0x3C, Height: 64}) {
		t.Errorf("desk 1 %+v", d1)
	}
	if d2.Desk != "taula2" || d2.Next != (Input{Pin: "GPIO26", Pull: "none"}) || d2.Recall.Pin != "" ||
		d2.Display != (DeskDisplayConfig{Type: "serial", Device: "/dev/ttyUSB1", Baud: 9600, Template: "{{.Number}}\r\n"}) {
		t.Errorf("desk 2 %+v", d2)
	}
	if c, err := ParseConfig("none.toml", []byte(alwaysOpen)); err != nil || c.Panel.Enabled() {
		t.Errorf("a config without [panel]: %v, enabled %v", err, c.Panel.Enabled())
	}
}
