package panel

import (
	"context"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// Light is what an LED shows.
type Light uint8

const (
	Off       Light = iota
	On              // lit
	Blink           // lit for the first half of each BlinkPeriod, dark for the second
	FastBlink       // Blink four times faster
	Flash           // lit for FlashOn at the start of every 2 BlinkPeriods
)

var lightNames = [...]string{"off", "on", "blink", "fast-blink", "flash"}

// String returns "off", "on", "blink", "fast-blink" or "flash".
func (l Light) String() string {
	if int(l) < len(lightNames) {
		return lightNames[l]
	}
	return fmt.Sprintf("Light(%d)", uint8(l))
}

// led is one driven pin. light and since are guarded by Panel.mu; level,
// driven and failing belong to whoever drives the pin (AddLED, then Run).
type led struct {
	name  string
	pin   gpio.PinOut
	light Light
	since time.Time // when light was set: a pattern starts lit then

	level   gpio.Level
	failing bool // the last Out failed; logged once until it works again
}

// AddLED drives pin as the LED name, High for lit. It starts Off: AddLED
// sets the pin Low and returns the error of doing so, naming the LED.
// The patterns run while Run runs. AddLED must be called before Run; after,
// it returns ErrRunning.
func (p *Panel) AddLED(name string, pin gpio.PinOut) error {
	if name == "" {
		return fmt.Errorf("panel: add LED: empty name")
	}
	if pin == nil {
		return fmt.Errorf("panel: add LED %q: no pin", name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		return fmt.Errorf("panel: add LED %q: %w", name, ErrRunning)
	}
	if _, ok := p.leds[name]; ok {
		return fmt.Errorf("panel: add LED %q: the name is taken", name)
	}
	if err := pin.Out(gpio.Low); err != nil {
		return fmt.Errorf("panel: add LED %q: set %s low: %w", name, pin, err)
	}
	l := &led{name: name, pin: pin, light: Off, level: gpio.Low}
	p.leds[name] = l
	p.order = append(p.order, l)
	return nil
}

// Set makes the LED name show l. A pattern starts lit when it is set;
// setting the light an LED already shows changes nothing, so its phase
// is kept. An unknown name is logged, once per name, and ignored. Set is
// safe from any goroutine.
func (p *Panel) Set(name string, l Light) {
	p.mu.Lock()
	d, ok := p.leds[name]
	switch {
	case !ok:
		warn := !p.warned[name]
		p.warned[name] = true
		p.mu.Unlock()
		if warn {
			p.log.Warn("panel: set an unknown LED; ignored", "led", name, "light", l.String())
		}
		return
	case d.light == l:
		p.mu.Unlock()
		return
	}
	d.light, d.since = l, time.Now()
	p.mu.Unlock()
	select {
	case p.ledWake <- struct{}{}:
	default:
	}
}

// Light returns what the LED name shows: Off for an unknown name.
func (p *Panel) Light(name string) Light {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d, ok := p.leds[name]; ok {
		return d.light
	}
	return Off
}

// forever stands for "no change to come".
const forever = time.Duration(1<<63 - 1)

// pattern returns the level that light shows at elapsed since it was set,
// and how long that level lasts.
func pattern(light Light, elapsed, period time.Duration) (gpio.Level, time.Duration) {
	var cycle, lit time.Duration
	switch light {
	case On:
		return gpio.High, forever
	case Blink:
		cycle, lit = period, period/2
	case FastBlink:
		cycle, lit = period/4, period/8
	case Flash:
		cycle, lit = 2*period, min(FlashOn, period)
	default:
		return gpio.Low, forever
	}
	if lit <= 0 {
		return gpio.High, forever // a period too short to show
	}
	at := elapsed % cycle
	if at < lit {
		return gpio.High, lit - at
	}
	return gpio.Low, cycle - at
}

// blink drives every LED's pattern until ctx is done, waking at the next
// change of any LED and whenever a light is set.
func (p *Panel) blink(ctx context.Context) {
	type drive struct {
		d     *led
		level gpio.Level
	}
	timer := time.NewTimer(forever)
	defer timer.Stop()
	var todo []drive
	for {
		now := time.Now()
		wait := forever
		todo = todo[:0]
		p.mu.Lock()
		for _, d := range p.order {
			level, lasts := pattern(d.light, now.Sub(d.since), p.o.BlinkPeriod)
			todo = append(todo, drive{d, level})
			wait = min(wait, lasts)
		}
		p.mu.Unlock()
		for _, t := range todo {
			p.out1(t.d, t.level, false)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-p.ledWake:
		case <-timer.C:
		}
	}
}

// out1 sets d's pin to level, if it is not already or force is set,
// logging a failure once until the pin works again. A failed level is
// tried again at the next wake.
func (p *Panel) out1(d *led, level gpio.Level, force bool) {
	if level == d.level && !d.failing && !force {
		return
	}
	if err := d.pin.Out(level); err != nil {
		if !d.failing {
			p.log.Error("panel: drive LED", "led", d.name, "pin", d.pin.String(), "level", level.String(), "err", err)
		}
		d.failing = true
		return
	}
	if d.failing {
		p.log.Info("panel: LED works again", "led", d.name, "pin", d.pin.String())
	}
	d.level, d.failing = level, false
}

// allOff turns every LED Off, when Run ends.
func (p *Panel) allOff() {
	p.mu.Lock()
	leds := p.order
	for _, d := range leds {
		d.light = Off
	}
	p.mu.Unlock()
	for _, d := range leds {
		p.out1(d, gpio.Low, true)
	}
}
