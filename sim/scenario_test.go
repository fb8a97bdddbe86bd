package sim

import (
	"path/filepath"
	"strings"
	"testing"
)

func scenarioFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/scenarios/*.toml")
	if err != nil || len(files) < 5 {
		t.Fatalf("scenario files: %v, %v", files, err)
	}
	return files
}

func TestLoadScenarios(t *testing.T) {
	for _, f := range scenarioFiles(t) {
		sc, err := LoadScenario(f)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Name == "" || len(sc.Services) == 0 || len(sc.Desks) == 0 {
			t.Errorf("%s: parsed as %+v", f, sc)
		}
	}
}

const goodScenario = `
name = "good"
hours = ["09:00-13:00", "16:00-18:00"]
days = ["mon", "wed"]

[patience]
mean_minutes = 30

[[service]]
id = "oac"
prefix = "A"
walkins_per_hour = [10, 12]
service_minutes = 8
service_cv = 0.5
priority_share = 0.1

[service.appointments]
slots = ["09:00", "09:20"]
punctuality_sd_minutes = 3
no_show_share = 0.2

[[desk]]
id = "t1"
profile = ["oac"]
close = "12:00"
breaks = ["10:00-10:15"]
`

func TestParseScenario(t *testing.T) {
	sc, err := ParseScenario([]byte(goodScenario))
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Services[0]
	if sc.Name != "good" || len(sc.Hours) != 2 || sc.Patience.MeanMinutes != 30 ||
		s.ID != "oac" || len(s.WalkInsPerHour) != 2 || s.ServiceCV != 0.5 ||
		len(s.Appointments.Slots) != 2 || s.Appointments.NoShowShare != 0.2 ||
		sc.Desks[0].Close != "12:00" || sc.Desks[0].Breaks[0] != "10:00-10:15" {
		t.Errorf("parsed %+v", sc)
	}
	p, err := sc.compile()
	if err != nil {
		t.Fatal(err)
	}
	if !p.days[1] || p.days[2] || !p.days[3] {
		t.Errorf("days %v: want Monday and Wednesday", p.days)
	}
	if got := p.cfg.Services[0].Hours.Weekly[1]; len(got) != 2 {
		t.Errorf("Monday's hours %v", got)
	}
}

func TestParseScenarioUnknownKey(t *testing.T) {
	in := strings.Replace(goodScenario, "walkins_per_hour", "walkin_per_hour", 1)
	_, err := ParseScenario([]byte(in))
	if err == nil || !strings.Contains(err.Error(), `"service.walkin_per_hour"`) {
		t.Fatalf("err = %v: want one naming service.walkin_per_hour", err)
	}
	_, err = ParseScenario([]byte("colour = 3\n" + goodScenario))
	if err == nil || !strings.Contains(err.Error(), `"colour"`) || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v: want one naming colour on line 1", err)
	}
}

func TestParseScenarioBadValues(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{`name = "good"`, `name = ""`, "name: missing"},
		{`hours = ["09:00-13:00", "16:00-18:00"]`, `hours = ["13:00-09:00"]`, "hours[0]"},
		{`hours = ["09:00-13:00", "16:00-18:00"]`, `hours = ["16:00-18:00", "09:00-13:00"]`, "hours[1]"},
		{`days = ["mon", "wed"]`, `days = ["dilluns"]`, `days: "dilluns"`},
		{`mean_minutes = 30`, `mean_minutes = 0`, "patience.mean_minutes"},
		{`service_minutes = 8`, `service_minutes = -8`, `service "oac": service_minutes`},
		{`service_cv = 0.5`, `service_cv = -1`, `service "oac": service_cv`},
		{`priority_share = 0.1`, `priority_share = 1.5`, `service "oac": priority_share`},
		{`walkins_per_hour = [10, 12]`, `walkins_per_hour = [10, -1]`, `walkins_per_hour[1]`},
		{`no_show_share = 0.2`, `no_show_share = 2`, "appointments.no_show_share"},
		{`slots = ["09:00", "09:20"]`, `slots = ["9h"]`, "appointments.slots[0]"},
		{`slots = ["09:00", "09:20"]`, `slots = []`, "appointments: want per_hour > 0 or slots"},
		{`close = "12:00"`, `close = "08:00"`, `desk "t1": close`},
		{`breaks = ["10:00-10:15"]`, `breaks = ["10:00"]`, `desk "t1": breaks[0]`},
		{`profile = ["oac"]`, `profile = ["padro"]`, `unknown service "padro"`},
		{`prefix = "A"`, `prefix = "a"`, "prefix"},
		{`service_minutes = 8`, `service_minutes = "8"`, "service_minutes"},
		{`prefix = "A"`, `prefix = "A"` + "\nappointment_only = true", "walkins_per_hour: an appointment_only service takes no walk-ins"},
	} {
		in := strings.Replace(goodScenario, c.from, c.to, 1)
		if in == goodScenario {
			t.Fatalf("%q is not in the good scenario", c.from)
		}
		_, err := ParseScenario([]byte(in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: err = %v, want one containing %q", c.from, c.to, err, c.want)
		}
	}
}
