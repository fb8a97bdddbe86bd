package panel_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"torn.cat/torn/panel"
	"torn.cat/torn/panel/paneltest"
)

func TestLightString(t *testing.T) {
	for l, want := range map[panel.Light]string{
		panel.Off: "off", panel.On: "on", panel.Blink: "blink",
		panel.FastBlink: "fast-blink", panel.Flash: "flash", 9: "Light(9)",
	} {
		if got := l.String(); got != want {
			t.Errorf("Light(%d).String() = %q, want %q", uint8(l), got, want)
		}
	}
}

// sample is an instant, after the light is set, and whether the LED is
// lit then.
type sample struct {
	at  time.Duration
	lit bool
}

// checkSamples sleeps to each sample's instant after t0 and checks the
// LED's pin.
func checkSamples(t *testing.T, r *rig, led *paneltest.LED, what string, samples []sample) {
	t.Helper()
	for _, s := range samples {
		r.sleepUntil(s.at)
		synctest.Wait()
		if got := led.Lit(); got != s.lit {
			t.Errorf("%s: at %v lit = %t, want %t", what, s.at, got, s.lit)
		}
	}
}

func TestLEDPatterns(t *testing.T) {
	for _, tt := range []struct {
		light   panel.Light
		period  time.Duration
		samples []sample
	}{
		{panel.Off, 0, []sample{{ms, false}, {10 * time.Second, false}}},
		{panel.On, 0, []sample{{ms, true}, {499 * ms, true}, {501 * ms, true}, {10 * time.Second, true}}},
		{panel.Blink, 0, []sample{
			{ms, true}, {499 * ms, true}, {501 * ms, false}, {999 * ms, false},
			{1001 * ms, true}, {1499 * ms, true}, {1501 * ms, false},
			{10*time.Second + ms, true}, {10*time.Second + 501*ms, false},
		}},
		{panel.Blink, 400 * ms, []sample{
			{ms, true}, {199 * ms, true}, {201 * ms, false}, {399 * ms, false}, {401 * ms, true},
		}},
		{panel.FastBlink, 0, []sample{
			{ms, true}, {124 * ms, true}, {126 * ms, false}, {249 * ms, false},
			{251 * ms, true}, {374 * ms, true}, {376 * ms, false}, {5*time.Second + ms, true},
		}},
		{panel.Flash, 0, []sample{
			{ms, true}, {99 * ms, true}, {101 * ms, false}, {1001 * ms, false}, {1999 * ms, false},
			{2001 * ms, true}, {2099 * ms, true}, {2101 * ms, false}, {4050 * ms, true}, {4150 * ms, false},
		}},
	} {
		name := tt.light.String()
		if tt.period != 0 {
			name += "/" + tt.period.String()
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newPanel(t, panel.Options{BlinkPeriod: tt.period})
				led := paneltest.NewLED("GPIO5")
				if err := p.AddLED("call", led); err != nil {
					t.Fatal(err)
				}
				r := start(t, p)
				p.Set("call", tt.light)
				if got := p.Light("call"); got != tt.light {
					t.Errorf("Light = %s, want %s", got, tt.light)
				}
				checkSamples(t, r, led, tt.light.String(), tt.samples)
			})
		})
	}
}

func TestLEDChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPanel(t, panel.Options{})
		a, b := paneltest.NewLED("GPIO5"), paneltest.NewLED("GPIO6")
		if err := p.AddLED("a", a); err != nil {
			t.Fatal(err)
		}
		if err := p.AddLED("b", b); err != nil {
			t.Fatal(err)
		}
		r := start(t, p)

		p.Set("a", panel.Blink)
		checkSamples(t, r, a, "a blinking", []sample{{ms, true}, {300 * ms, true}})
		p.Set("a", panel.Blink) // at 300 ms: the phase is kept
		checkSamples(t, r, a, "a set to blink again", []sample{{499 * ms, true}, {501 * ms, false}})
		p.Set("b", panel.FastBlink) // at 501 ms: b runs its own phase
		checkSamples(t, r, a, "a beside b", []sample{{999 * ms, false}, {1001 * ms, true}})
		checkSamples(t, r, b, "b", []sample{{1002 * ms, true}, {1125 * ms, true}, {1127 * ms, false}, {1250 * ms, false}, {1252 * ms, true}})
		p.Set("a", panel.Flash) // at 1.252 s, in a's lit half: restarts lit
		checkSamples(t, r, a, "a flashing", []sample{{1300 * ms, true}, {1353 * ms, false}, {3253 * ms, true}})
		p.Set("a", panel.On)
		checkSamples(t, r, a, "a on", []sample{{3400 * ms, true}, {6 * time.Second, true}})
		p.Set("a", panel.Off)
		p.Set("b", panel.On)
		checkSamples(t, r, a, "a off", []sample{{6001 * ms, false}, {9 * time.Second, false}})
		checkSamples(t, r, b, "b on", []sample{{9001 * ms, true}})
	})
}

func TestLEDsOffAtStartAndEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPanel(t, panel.Options{})
		on, blinking := paneltest.NewLED("GPIO5"), paneltest.NewLED("GPIO6")
		on.L = gpio.High // as a previous process left it
		if err := p.AddLED("on", on); err != nil {
			t.Fatal(err)
		}
		if err := p.AddLED("blinking", blinking); err != nil {
			t.Fatal(err)
		}
		if on.Lit() || p.Light("on") != panel.Off {
			t.Errorf("after AddLED: lit %t, Light %s; want off", on.Lit(), p.Light("on"))
		}
		p.Set("on", panel.On) // before Run: shown once Run runs
		r := start(t, p)
		p.Set("blinking", panel.Blink)
		synctest.Wait()
		if !on.Lit() || !blinking.Lit() {
			t.Fatalf("running: on lit %t, blinking lit %t; want both lit", on.Lit(), blinking.Lit())
		}
		time.Sleep(200 * ms) // blinking is in its lit half
		r.stop()
		for name, led := range map[string]*paneltest.LED{"on": on, "blinking": blinking} {
			if led.Lit() || p.Light(name) != panel.Off {
				t.Errorf("after Run: %s lit %t, Light %s; want off", name, led.Lit(), p.Light(name))
			}
		}
	})
}

func TestSetUnknownLED(t *testing.T) {
	var log bytes.Buffer
	p := panel.New(panel.Options{Log: slog.New(slog.NewTextHandler(&log, nil))})
	for range 3 {
		p.Set("nope", panel.On)
	}
	p.Set("nada", panel.Blink)
	if got := p.Light("nope"); got != panel.Off {
		t.Errorf("Light of an unknown LED = %s, want off", got)
	}
	if n := strings.Count(log.String(), "led=nope"); n != 1 {
		t.Errorf("logged nope %d times, want once:\n%s", n, log.String())
	}
	if n := strings.Count(log.String(), "led=nada"); n != 1 {
		t.Errorf("logged nada %d times, want once:\n%s", n, log.String())
	}
}

func TestAddLEDErrors(t *testing.T) {
	p := panel.New(panel.Options{})
	if err := p.AddLED("call", &gpiotest.Pin{N: "GPIO5"}); err != nil {
		t.Fatal(err)
	}
	if err := p.AddLED("call", &gpiotest.Pin{N: "GPIO6"}); err == nil || !strings.Contains(err.Error(), `"call"`) {
		t.Errorf("AddLED of a name taken: %v, want an error naming it", err)
	}
	if err := p.AddLED("", &gpiotest.Pin{N: "GPIO7"}); err == nil {
		t.Error("AddLED without a name: no error")
	}
}
