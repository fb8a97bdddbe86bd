package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/i2c"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/internal/ptytest"
	"torn.cat/torn/office"
	"torn.cat/torn/panel"
	"torn.cat/torn/printer"
	"torn.cat/torn/store"
	"torn.cat/torn/uplink"
)

// fakeHW hands out gpiotest pins by name, ready for edges.
type fakeHW struct {
	mu   sync.Mutex
	pins map[string]*gpiotest.Pin
}

func (f *fakeHW) Pin(name string) (gpio.PinIO, error) { return f.pin(name), nil }

func (f *fakeHW) pin(name string) *gpiotest.Pin {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pins == nil {
		f.pins = map[string]*gpiotest.Pin{}
	}
	p := f.pins[name]
	if p == nil {
		p = &gpiotest.Pin{N: name, EdgesChan: make(chan gpio.Level)}
		f.pins[name] = p
	}
	return p
}

func (f *fakeHW) OpenI2C(string) (i2c.BusCloser, error) {
	return nil, fmt.Errorf("no I2C bus in this test")
}

// panelOffice is the office of day.toml: oac and padro 9:00-14:00 with
// the cut-off, a button with an LED for each, and a status LED.
const panelOffice = `
[office]
id = "08-121"

[hours]
mon = ["09:00-14:00"]
tue = ["09:00-14:00"]
wed = ["09:00-14:00"]
thu = ["09:00-14:00"]
fri = ["09:00-14:00"]

[[service]]
id = "oac"
prefix = "A"
name = { ca = "Atenció ciutadana" }
priority = true

[[service]]
id = "padro"
prefix = "P"
name = { ca = "Padró" }

[[desk]]
id = "taula1"
name = "Taula 1"
services = ["oac", "padro"]

[panel]
status_led = "GPIO5"

[[panel.button]]
service = "oac"
pin = "GPIO17"
long_press = "priority"
led = "GPIO27"

[[panel.button]]
service = "padro"
pin = "GPIO22"
led = "GPIO23"

[[panel.desk]]
desk = "taula1"
next = "GPIO24"
`

// TestButtonLightsFollowTheDay: through a simulated Thursday the buttons'
// LEDs follow the dispenser: blinking before the opening, on while open,
// blinking for the service that is cut off before closing while the other
// is still on, off while the printer is out (out of service), on again when
// it is back, blinking after closing. The status LED blinks while central
// is away and flashes when the office cannot record.
func TestButtonLightsFollowTheDay(t *testing.T) {
	cfg, err := ParseConfig("day.toml", []byte(panelOffice))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "torn.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	loc := cfg.Office.Location
	var mu sync.Mutex
	now := time.Date(2026, 11, 26, 8, 30, 0, 0, loc)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(hh, mm int) { mu.Lock(); now = time.Date(2026, 11, 26, hh, mm, 0, 0, loc); mu.Unlock() }
	log := slog.New(slog.NewTextHandler(testWriter{t}, nil))
	o, err := office.Open(cfg.Office, st, office.Options{Log: log, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	r, err := newPanelRunner(cfg.Panel, &fakeHW{}, o, log)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	do := func(cmd dispenser.Command) {
		t.Helper()
		if _, err := o.Do(cmd); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	oac, padro := ledName(0, cfg.Panel.Buttons[0]), ledName(1, cfg.Panel.Buttons[1])
	check := func(when string, wantOAC, wantPadro panel.Light) {
		t.Helper()
		r.refresh()
		if got := r.p.Light(oac); got != wantOAC {
			t.Errorf("%s: oac's LED %s, want %s", when, got, wantOAC)
		}
		if got := r.p.Light(padro); got != wantPadro {
			t.Errorf("%s: padro's LED %s, want %s", when, got, wantPadro)
		}
	}
	if got := r.p.Light(statusLED); got != panel.FastBlink {
		t.Errorf("booting: status LED %s, want fast-blink", got)
	}
	check("8:30, closed", panel.Blink, panel.Blink)
	set(9, 0)
	check("9:00, open", panel.On, panel.On)
	do(dispenser.SetDesk{Desk: "taula1", State: dispenser.DeskOpen, Clerk: "anna"})
	set(13, 30)
	for range 6 {
		do(dispenser.Issue{Service: "oac"})
	}
	// Six oac tickets at 5 minutes on the only desk, from 13:32: a seventh
	// would be called at 14:02; padro's tickets go after them too (oac
	// first on the desk's profile).
	set(13, 32)
	check("13:32, the queue past the closing", panel.Blink, panel.Blink)
	for range 5 {
		do(dispenser.CallNext{Desk: "taula1"})
	}
	check("13:32, one oac ticket left", panel.On, panel.On)
	do(dispenser.SetPrinter{Ready: false, Reason: "paper_out"})
	check("printer out of paper", panel.Off, panel.Off)
	do(dispenser.SetPrinter{Ready: true})
	check("printer back", panel.On, panel.On)
	set(14, 0)
	check("14:00, closed", panel.Blink, panel.Blink)

	for _, tc := range []struct {
		name    string
		central *uplink.Status
		want    panel.Light
	}{
		{"no central", nil, panel.On},
		{"central connected", &uplink.Status{Connected: true}, panel.On},
		{"central away", &uplink.Status{}, panel.Blink},
	} {
		r.central = nil
		if tc.central != nil {
			s := *tc.central
			r.central = func() uplink.Status { return s }
		}
		r.refresh()
		if got := r.p.Light(statusLED); got != tc.want {
			t.Errorf("%s: status LED %s, want %s", tc.name, got, tc.want)
		}
	}
	if got := statusLight(errors.New("commit: disk full"), nil); got != panel.Flash {
		t.Errorf("office broken: status LED %s, want flash", got)
	}
}

// TestPanelAtTheDoor runs tornd with fake GPIO pins and a serial desk
// display behind a pseudo-terminal: a press issues a walk-in ticket and a
// long press a priority one, both printed; a button held through a printer
// outage asks once, is refused, and issues nothing, not even when the
// paper is back while it is still held; the desk's "next" key calls the
// priority ticket first, and the display shows each call.
func TestPanelAtTheDoor(t *testing.T) {
	master, slave, err := ptytest.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()
	conf := alwaysOpen + fmt.Sprintf(`
[printer]
transport = "virtual"
status_interval = "100ms"

[[panel.button]]
service = "oac"
pin = "GPIO17"
long_press = "priority"

[[panel.button]]
service = "padro"
pin = "GPIO22"

[[panel.desk]]
desk = "taula1"
next = "GPIO24"
[panel.desk.display]
type = "serial"
device = %q
`, slave.Name())
	cfg, err := ParseConfig("test.toml", []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB, cfg.Listen = filepath.Join(t.TempDir(), "torn.db"), "127.0.0.1:0"
	hw := &fakeHW{}
	d := &Daemon{Config: cfg, Log: slog.New(slog.NewTextHandler(testWriter{t}, nil)),
		OpenPanel: func() (panelHW, error) { return hw, nil }}
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		d.Close()
	}()
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after 5 s", what)
			}
		}
	}
	tickets := func() []dispenser.Ticket {
		var ts []dispenser.Ticket
		d.Office().View(func(d *dispenser.Dispenser, _ time.Time) { ts = d.Tickets() })
		return ts
	}
	ready := func() bool {
		var r bool
		d.Office().View(func(d *dispenser.Dispenser, _ time.Time) { r = d.Printer().Ready })
		return r
	}
	down, up := func(pin string) { hw.pin(pin).EdgesChan <- gpio.Low }, func(pin string) { hw.pin(pin).EdgesChan <- gpio.High }

	eventually("the printer ready", ready)
	down("GPIO17")
	time.Sleep(100 * time.Millisecond)
	up("GPIO17")
	eventually("the press's ticket", func() bool { return len(tickets()) == 1 })
	time.Sleep(1100 * time.Millisecond) // past the repeat guard
	down("GPIO17")
	time.Sleep(1700 * time.Millisecond)
	up("GPIO17")
	eventually("the long press's ticket", func() bool { return len(tickets()) == 2 })
	if ts := tickets(); ts[0].Kind != dispenser.WalkIn || ts[1].Kind != dispenser.Priority {
		t.Errorf("tickets %s %s, %s %s; want a walk-in, then a priority ticket", ts[0].Number, ts[0].Kind, ts[1].Number, ts[1].Kind)
	}
	eventually("two tickets printed", func() bool { p, _ := d.virtual.Pages(); return len(p) == 2 })

	d.virtual.SetStatus(printer.Status{Online: true, PaperOut: true})
	eventually("out of service", func() bool { return !ready() })
	down("GPIO22")
	time.Sleep(2 * time.Second)
	d.virtual.SetStatus(printer.Status{Online: true})
	eventually("back in service", ready)
	time.Sleep(300 * time.Millisecond)
	up("GPIO22")
	time.Sleep(300 * time.Millisecond)
	if n := len(tickets()); n != 2 {
		t.Errorf("%d tickets after padro's button was held through the outage, want still 2", n)
	}

	display := bufio.NewReader(master)
	line := func() string {
		t.Helper()
		master.SetReadDeadline(time.Now().Add(5 * time.Second))
		s, err := display.ReadString('\n')
		if err != nil {
			t.Fatalf("desk display: %v (read %q)", err, s)
		}
		return s
	}
	for _, want := range []string{"A002 Taula 1\r\n", "A001 Taula 1\r\n"} {
		time.Sleep(1100 * time.Millisecond)
		down("GPIO24")
		time.Sleep(50 * time.Millisecond)
		up("GPIO24")
		if got := line(); got != want {
			t.Errorf("desk display %q, want %q", got, want)
		}
	}
}

// TestPanelNeedsGPIO: with a [panel] on a machine without GPIO lines (this
// one, unless it is a Pi), tornd refuses to start and says what to check;
// without a [panel] it starts (every other test).
func TestPanelNeedsGPIO(t *testing.T) {
	if chips, _ := filepath.Glob("/dev/gpiochip*"); len(chips) > 0 {
		// A Raspberry Pi: the host's lines open.
		if _, err := openHost(); err != nil {
			t.Fatalf("GPIO chips %v, but: %v", chips, err)
		}
		return
	}
	cfg, err := ParseConfig("test.toml", []byte(alwaysOpen+"\n[[panel.button]]\nservice = \"oac\"\npin = \"GPIO17\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB, cfg.Listen = filepath.Join(t.TempDir(), "torn.db"), "127.0.0.1:0"
	d := &Daemon{Config: cfg, Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))}
	err = d.Open()
	if err == nil {
		d.Close()
		t.Fatal("tornd started with a [panel] and no GPIO lines")
	}
	if !strings.Contains(err.Error(), "no GPIO lines: /dev/gpiochip0 is missing") || !strings.Contains(err.Error(), "gpio group") {
		t.Errorf("error %q does not say what to check", err)
	}
}
