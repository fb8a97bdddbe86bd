package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestExampleConfigsAreValid: every file in configs/ is a config tornd
// accepts.
func TestExampleConfigsAreValid(t *testing.T) {
	files, err := filepath.Glob("../../configs/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example configs: %v", err)
	}
	for _, f := range files {
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
	if c.CheckIn.KeyFile != "/etc/torn/office.key" || c.CheckIn.Book != "/var/lib/torn/appointments.csv" {
		t.Errorf("checkin %+v", c.CheckIn)
	}
	if r := c.Reader; r.Type != "serial" || r.Device != "/dev/ttyACM0" || r.Baud != 9600 || r.Layout != "es" || r.Timeout != 1500*time.Millisecond {
		t.Errorf("reader %+v", r)
	}
}

// TestConfigErrors: each broken config is refused with every problem named,
// with the file, and with the line where the decoder knows it.
func TestConfigErrors(t *testing.T) {
	base := alwaysOpen
	for _, c := range []struct {
		name string
		edit func(string) string
		want []string
	}{
		{"unknown keys, each with its line", func(s string) string {
			return strings.Replace(s, "[rules]\n", "[rules]\ncolour = \"red\"\nspeed = 3\n", 1)
		}, []string{"test.toml:7:1: unknown key rules.colour", "test.toml:8:1: unknown key rules.speed"}},
		{"TOML syntax", func(s string) string { return s + "\n[[desk]\n" }, []string{"test.toml:"}},
		{"wrong type", func(s string) string { return strings.Replace(s, `cut_off = false`, `cut_off = "no"`, 1) }, []string{"test.toml:", "cut_off"}},
		{"bad duration", func(s string) string {
			return strings.Replace(s, "[rules]\n", "[rules]\ndue_before = \"five minutes\"\n", 1)
		}, []string{`duration "five minutes"`}},
		{"bad range and unknown zone", func(s string) string {
			s = strings.Replace(s, `mon = ["00:00-24:00"]`, `mon = ["14:00-08:30"]`, 1)
			return strings.Replace(s, `name = "Test office"`, "name = \"x\"\ntime_zone = \"Europe/Badalona\"", 1)
		}, []string{`mon: opening range "14:00-08:30": ends before it starts`, `unknown time zone`}},
		{"bad transfer and language", func(s string) string {
			s = strings.Replace(s, "[rules]\n", "[rules]\ntransfer = \"middle\"\n", 1)
			return strings.Replace(s, `name = { ca = "Padró" }`, `name = { ca = "Padró", fr = "Registre" }`, 1)
		}, []string{`rules.transfer "middle"`, `name.fr: want ca, es or en`}},
		{"office problems, all at once", func(s string) string {
			s = strings.Replace(s, `prefix = "P"`, `prefix = "A"`, 1)
			s = strings.Replace(s, `services = ["oac", "padro"]`, `services = ["oac", "padro", "casaments"]`, 1)
			return strings.Replace(s, `name = { ca = "Cita prèvia" }`, `name = { es = "Cita previa" }`, 1)
		}, []string{`prefix "A" is already used by service "oac"`, `desk "taula1": unknown service "casaments"`, `service "cita": no Catalan name`}},
		{"printer: unknown transport, model without the page, missing logo", func(s string) string {
			return s + "\n[printer]\ntransport = \"bluetooth\"\nmodel = \"zj5870\"\nlogo = \"/nonexistent/logo.png\"\nwidth = 600\n"
		}, []string{`printer.transport "bluetooth"`, `printer.model/code_page: printer model zj5870 has no code page pc858`, `printer.logo:`, `/nonexistent/logo.png`, `printer.width 600`}},
		{"printer: serial without device, unknown model, flow control", func(s string) string {
			return s + "\n[printer]\ntransport = \"serial\"\nmodel = \"star\"\nflow_control = \"xonxoff\"\n"
		}, []string{`printer.device is required with transport "serial"`, `printer.model/code_page:`, `star`, `printer.flow_control "xonxoff"`}},
		{"clerks: a password in clear, a clerk twice, no name", func(s string) string {
			h := "$2a$10$Nh9X/JCYjzVayFJNinwz6eKm7GCAbCPB9SS3DOZSQY3Ei3CIqk8Zi"
			return s + "\n[[clerk]]\nname = \"anna\"\npassword_hash = \"secret123\"\n[[clerk]]\nname = \"joan\"\npassword_hash = \"" + h + "\"\n[[clerk]]\nname = \"joan\"\npassword_hash = \"" + h + "\"\n[[clerk]]\npassword_hash = \"" + h + "\"\n"
		}, []string{`clerk "anna": password_hash is not a bcrypt hash`, `clerk "joan": defined twice`, `clerk 4: no name`}},
		{"check-in rules", func(s string) string {
			s = strings.Replace(s, "[rules]\n", "[rules]\nlate_arrival = \"home\"\n", 1)
			return strings.Replace(s, `prefix = "P"`, "prefix = \"P\"\nno_appointment = \"pray\"", 1)
		}, []string{`rules: check-in: late arrivals get "home"`, `service "padro": check-in: no appointment gets "pray"`}},
		{"check-in and reader", func(s string) string {
			return s + "\n[checkin]\nbook = \"cites.xlsx\"\n[reader]\ntype = \"bluetooth\"\nlayout = \"fr\"\nbaud = 7\ntimeout = \"1m\"\n"
		}, []string{`checkin.book "cites.xlsx": want a .csv or .json file`, `checkin.book needs checkin.key_file`, `reader.type "bluetooth"`, `reader.layout "fr"`, `reader.baud 7`, `reader.timeout 1m0s`}},
		{"reader without a device or a key", func(s string) string {
			return s + "\n[reader]\ntype = \"evdev\"\n"
		}, []string{`reader.device is required with type "evdev"`, `a document reader needs checkin.key_file`}},
		{"no office id", func(s string) string { return strings.Replace(s, `id = "test"`, ``, 1) }, []string{"office.id is required"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseConfig("test.toml", []byte(c.edit(base)))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "test.toml") {
					t.Errorf("error line does not name the file: %q", line)
				}
			}
		})
	}
}

func TestConfigTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(p, []byte("# "+strings.Repeat("x", maxConfigSize)), 0o600); err != nil {
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
	c, err := LoadConfig("testdata/panel/good.toml")
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

// TestPanelConfigErrors: every problem of a broken [panel], all at once,
// each with the file's line and the key; a pin used twice names both.
func TestPanelConfigErrors(t *testing.T) {
	for _, name := range []string{"conflicts", "values"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile("testdata/panel/" + name + ".toml")
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile("testdata/panel/" + name + ".want")
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseConfig(name+".toml", b)
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != strings.TrimSpace(string(want)) {
				t.Errorf("errors:\n%s\n\nwant:\n%s", got, want)
			}
		})
	}
}
