package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/host/v3/gpioioctl"
	_ "periph.io/x/host/v3/sysfs" // the I2C buses

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/panel"
	"torn.cat/torn/panel/deskdisplay"
	"torn.cat/torn/uplink"
	"torn.cat/torn/web"
)

// panelHW gives the panel its GPIO lines and I2C buses: the host's through
// periph, or fakes in tests.
type panelHW interface {
	Pin(name string) (gpio.PinIO, error)
	OpenI2C(bus string) (i2c.BusCloser, error)
}

// hostHW is the host's GPIO character devices and I2C buses.
type hostHW struct{}

var hostInit = sync.OnceValue(func() error {
	_, err := driverreg.Init()
	return err
})

// openHost initialises periph's host drivers once; it fails, saying what
// to check, where there are no GPIO lines (not a Raspberry Pi, or
// /dev/gpiochip* not readable by tornd's user).
func openHost() (panelHW, error) {
	if err := hostInit(); err != nil {
		return nil, fmt.Errorf("panel: initialise the GPIO drivers: %w", err)
	}
	if len(gpioioctl.Chips) == 0 {
		return nil, errors.New("panel: no GPIO lines: /dev/gpiochip0 is missing or not readable by this user (is this a Raspberry Pi? is the user in the gpio group?)")
	}
	return hostHW{}, nil
}

func (hostHW) Pin(name string) (gpio.PinIO, error) {
	p := gpioreg.ByName(name)
	if p == nil {
		return nil, fmt.Errorf("GPIO line %s not found (gpioinfo lists the lines)", name)
	}
	return p, nil
}

func (hostHW) OpenI2C(bus string) (i2c.BusCloser, error) { return i2creg.Open(bus) }

// A deskKey is what a desk's key does.
type deskKey struct {
	desk dispenser.DeskID
	key  string // next, recall, done
}

// panelRunner wires the panel to the office: presses become commands
// through the office (the same single writer as the desk page), the
// dispenser's state becomes lights, calls become desk displays.
type panelRunner struct {
	cfg    PanelConfig
	office *office.Office
	log    *slog.Logger
	p      *panel.Panel
	// buttons and keys map input names to what they do.
	buttons map[string]ButtonConfig
	keys    map[string]deskKey
	// leds maps each button's LED name to its service.
	leds     map[string]dispenser.ServiceID
	displays map[dispenser.DeskID]deskdisplay.Display
	shown    map[dispenser.DeskID]string
	// central, when set, reports the link to central for the status LED.
	central func() uplink.Status
	closers []func() error
	// devs are the panel's and the displays' states, for tornd status.
	devs panelDevices
}

// statusLED is the status LED's name in the panel.
const statusLED = "status"

// buttonName and ledName name a button's input and LED in the panel.
func buttonName(i int, b ButtonConfig) string { return fmt.Sprintf("button %d (%s)", i+1, b.Service) }
func ledName(i int, b ButtonConfig) string    { return fmt.Sprintf("led %d (%s)", i+1, b.Service) }

// newPanelRunner opens every pin and display of cfg on hw. It fails,
// naming the pin or display, when one cannot be used.
func newPanelRunner(cfg PanelConfig, hw panelHW, o *office.Office, log *slog.Logger) (*panelRunner, error) {
	r := &panelRunner{cfg: cfg, office: o, log: log,
		p:       panel.New(panel.Options{Debounce: cfg.Debounce, LongPress: cfg.LongPress, RepeatGuard: cfg.RepeatGuard, BlinkPeriod: cfg.Blink, Log: log}),
		buttons: map[string]ButtonConfig{}, keys: map[string]deskKey{}, leds: map[string]dispenser.ServiceID{},
		displays: map[dispenser.DeskID]deskdisplay.Display{}, shown: map[dispenser.DeskID]string{}}
	input := func(name string, in Input, long bool) error {
		pin, err := hw.Pin(in.Pin)
		if err != nil {
			return fmt.Errorf("panel: %s: %w", name, err)
		}
		return r.p.AddInput(name, pin, pullOf(in.Pull), in.ActiveLow, long)
	}
	led := func(name, pinName string) error {
		pin, err := hw.Pin(pinName)
		if err != nil {
			return fmt.Errorf("panel: %s: %w", name, err)
		}
		return r.p.AddLED(name, pin)
	}
	if cfg.StatusLED != "" {
		if err := led(statusLED, cfg.StatusLED); err != nil {
			return nil, err
		}
		r.p.Set(statusLED, panel.FastBlink) // booting
	}
	for i, b := range cfg.Buttons {
		if err := input(buttonName(i, b), b.Input, b.LongPriority); err != nil {
			return nil, err
		}
		r.buttons[buttonName(i, b)] = b
		if b.LED != "" {
			if err := led(ledName(i, b), b.LED); err != nil {
				return nil, err
			}
			r.leds[ledName(i, b)] = b.Service
		}
	}
	for _, dc := range cfg.Desks {
		for _, k := range []struct {
			key string
			in  Input
		}{{"next", dc.Next}, {"recall", dc.Recall}, {"done", dc.Done}} {
			if k.in.Pin == "" {
				continue
			}
			name := fmt.Sprintf("desk %s %s", dc.Desk, k.key)
			if err := input(name, k.in, false); err != nil {
				return nil, err
			}
			r.keys[name] = deskKey{dc.Desk, k.key}
		}
		if dc.Display.Type == "" {
			continue
		}
		d, err := r.openDisplay(hw, dc.Display)
		if err != nil {
			r.devs.display(dc.Desk).set(web.DeviceError, err.Error())
			// The office runs on without it: the desk page and the TV
			// still show the calls.
			log.Error("desk display not available; carrying on without it", "desk", dc.Desk, "type", dc.Display.Type, "err", err)
			continue
		}
		r.displays[dc.Desk] = d
	}
	return r, nil
}

func (r *panelRunner) openDisplay(hw panelHW, c DeskDisplayConfig) (deskdisplay.Display, error) {
	switch c.Type {
	case "ssd1306":
		bus, err := hw.OpenI2C(c.I2CBus)
		if err != nil {
			return nil, fmt.Errorf("open I2C bus %q: %w", c.I2CBus, err)
		}
		r.closers = append(r.closers, bus.Close)
		return deskdisplay.NewSSD1306(bus, uint16(c.Address), 128, c.Height)
	case "serial":
		return deskdisplay.OpenSerial(c.Device, c.Baud, c.Template)
	}
	return nil, fmt.Errorf("unknown display type %q", c.Type)
}

func pullOf(s string) gpio.Pull {
	switch s {
	case "up":
		return gpio.PullUp
	case "down":
		return gpio.PullDown
	}
	return gpio.Float
}

// Close closes the displays and buses.
func (r *panelRunner) Close() error {
	var errs []error
	for _, d := range r.displays {
		errs = append(errs, d.Close())
	}
	for _, c := range r.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// refreshEvery is how often the lights are worked out again without an
// event: a service's cut-off and closing come with the clock.
const refreshEvery = time.Second

// Run handles presses and keeps the lights and displays up to date until
// ctx ends.
func (r *panelRunner) Run(ctx context.Context) {
	sub := r.office.Subscribe()
	defer sub.Cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Go(func() {
		if err := r.p.Run(pctx); err != nil {
			r.log.Error("panel stopped", "err", err)
			r.devs.panel.set(web.DeviceError, "stopped: "+err.Error())
		}
	})
	tick := time.NewTicker(refreshEvery)
	defer tick.Stop()
	r.refresh()
	for {
		select {
		case <-ctx.Done():
			return
		case in := <-r.p.Inputs():
			r.handle(in)
		case _, ok := <-sub.Events():
			if !ok {
				sub = r.office.Subscribe()
			}
			r.refresh()
		case <-tick.C:
			r.refresh()
		}
	}
}

// handle turns a press into its command.
func (r *panelRunner) handle(in panel.Input) {
	var cmd dispenser.Command
	if b, ok := r.buttons[in.Name]; ok {
		kind := dispenser.WalkIn
		if in.Long && b.LongPriority {
			kind = dispenser.Priority
		}
		cmd = dispenser.Issue{Service: b.Service, Kind: kind}
	} else if k, ok := r.keys[in.Name]; ok {
		switch k.key {
		case "next":
			cmd = dispenser.CallNext{Desk: k.desk}
		case "recall":
			cmd = dispenser.Recall{Desk: k.desk}
		case "done":
			cmd = dispenser.Finish{Desk: k.desk}
		}
	}
	if cmd == nil {
		return
	}
	_, err := r.office.Do(cmd)
	var refusal *dispenser.Refusal
	switch {
	case err == nil:
		r.log.Debug("press", "input", in.Name, "long", in.Long)
	case errors.As(err, &refusal), errors.Is(err, dispenser.ErrNobodyWaiting), errors.Is(err, dispenser.ErrWrongState):
		// The lights already say why.
		r.log.Info("press refused", "input", in.Name, "why", err)
	default:
		r.log.Error("press", "input", in.Name, "err", err)
	}
	r.refresh()
}

// refresh sets the lights from the dispenser's state and shows each desk's
// call on its display.
func (r *panelRunner) refresh() {
	lights := map[string]panel.Light{}
	calls := map[dispenser.DeskID]deskdisplay.Call{}
	keys := map[dispenser.DeskID]string{}
	r.office.View(func(d *dispenser.Dispenser, now time.Time) {
		for name, svc := range r.leds {
			lights[name] = buttonLight(d, svc, now)
		}
		for id := range r.displays {
			calls[id], keys[id] = deskCall(d, id)
		}
	})
	for name, l := range lights {
		r.p.Set(name, l)
	}
	if r.cfg.StatusLED != "" {
		var st *uplink.Status
		if r.central != nil {
			s := r.central()
			st = &s
		}
		r.p.Set(statusLED, statusLight(r.office.Err(), st))
	}
	for id, c := range calls {
		if r.shown[id] == keys[id] {
			continue
		}
		if err := r.displays[id].Show(c); err != nil {
			r.log.Warn("desk display", "desk", id, "err", err)
			r.devs.display(id).set(web.DeviceError, err.Error())
			continue
		}
		r.devs.display(id).set(web.DeviceOK, "")
		r.shown[id] = keys[id]
	}
}

// buttonLight is what a service button's LED shows: on while a press
// issues a ticket, blinking while the service is closed or cut off (the
// kiosk says why), off while the dispenser is out of service (no paper).
func buttonLight(d *dispenser.Dispenser, svc dispenser.ServiceID, now time.Time) panel.Light {
	err := d.Admits(svc, dispenser.WalkIn, now)
	var r *dispenser.Refusal
	switch {
	case err == nil:
		return panel.On
	case errors.As(err, &r) && r.Reason == dispenser.RefusedOutOfService:
		return panel.Off
	}
	return panel.Blink
}

// statusLight is the device's status LED: flashing when the office cannot
// record (its store failed), blinking while central is configured and not
// connected, on otherwise. (Fast blinking, booting, is set at start.)
func statusLight(officeErr error, central *uplink.Status) panel.Light {
	switch {
	case officeErr != nil:
		return panel.Flash
	case central != nil && !central.Connected:
		return panel.Blink
	}
	return panel.On
}

// deskCall is what desk id's display shows: the ticket called or being
// served there, or nothing; key changes with every call, recalls
// included.
func deskCall(d *dispenser.Dispenser, id dispenser.DeskID) (deskdisplay.Call, string) {
	dk := d.Desk(id)
	var ds dispenser.DeskStatus
	for _, s := range d.Desks() {
		if s.ID == id {
			ds = s
		}
	}
	t, ok := d.Ticket(ds.Current)
	if dk == nil || !ok {
		return deskdisplay.Call{}, ""
	}
	c := deskdisplay.Call{Number: t.Number, Desk: string(id), DeskName: dk.Name}
	if c.DeskName == "" {
		c.DeskName = string(id)
	}
	if s := d.Service(t.Service); s != nil {
		c.Service = s.Name(dispenser.Catalan)
	}
	return c, strings.Join([]string{t.Number, fmt.Sprint(t.Calls), t.Called.String()}, "|")
}
