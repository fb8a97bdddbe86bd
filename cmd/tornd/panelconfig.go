package main

import (
	"regexp"
	"strconv"
	"text/template"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/internal/tomlconf"
)

// PanelConfig is the [panel] section: GPIO buttons, desk keys, LEDs and desk
// number displays. Zero when the dispenser has none.
type PanelConfig struct {
	// Debounce is how long a level must hold to count. Default 20ms.
	Debounce time.Duration
	// LongPress is how long a press must be held to be a long press.
	// Default 1.5s.
	LongPress time.Duration
	// RepeatGuard ignores a second press of the same button or key within
	// this time of the first. Default 1s.
	RepeatGuard time.Duration
	// Blink is the LEDs' blinking period. Default 1s.
	Blink time.Duration
	// StatusLED is the device's status LED pin, or "".
	StatusLED string
	// Buttons are the service buttons, in the file's order.
	Buttons []ButtonConfig
	// Desks are the desks' keys and displays.
	Desks []DeskPanelConfig
}

// Enabled reports whether the config uses any GPIO or desk display.
func (p PanelConfig) Enabled() bool {
	return p.StatusLED != "" || len(p.Buttons) > 0 || len(p.Desks) > 0
}

// Input is how a button or key is wired.
type Input struct {
	// Pin is the GPIO line's name: "GPIO17".
	Pin string
	// Pull is the pin's bias: "up" (default: the button connects the pin
	// to ground), "down" or "none" (an external resistor).
	Pull string
	// ActiveLow is true when pressed reads low: "up" gives true, "down"
	// false; with "none" the config's active key says.
	ActiveLow bool
}

// ButtonConfig is a [[panel.button]]: a service button and its LED.
type ButtonConfig struct {
	Service dispenser.ServiceID
	Input
	// LongPriority issues a priority ticket on a long press.
	LongPriority bool
	// LED is the button's LED pin, or "".
	LED string
	// Line is the line of the file the button is defined on.
	Line int
}

// DeskPanelConfig is a [[panel.desk]]: a desk's keys and number display.
type DeskPanelConfig struct {
	Desk dispenser.DeskID
	// Next, Recall and Done are the keys' pins, each "" when absent; they
	// share the desk's pull and active level.
	Next, Recall, Done Input
	// Display is the desk's number display; Type "" when it has none.
	Display DeskDisplayConfig
	Line    int
}

// DeskDisplayConfig is a [panel.desk.display].
type DeskDisplayConfig struct {
	// Type is "ssd1306" (an I2C OLED) or "serial" (a line per call).
	Type string
	// I2CBus is the I2C bus's name ("" for the first, "1" for
	// /dev/i2c-1); Address the display's address (default 0x3C); Height
	// its rows, 64 (default) or 32.
	I2CBus  string
	Address int
	Height  int
	// Device, Baud and Template are the serial display's port, speed
	// (default 9600) and line, a Go template over .Number, .Desk,
	// .DeskName and .Service. Default "{{.Number}} {{.DeskName}}\r\n".
	Device   string
	Baud     int
	Template string
}

// defaultDisplayTemplate is a serial desk display's default line.
const defaultDisplayTemplate = "{{.Number}} {{.DeskName}}\r\n"

type inputFile struct {
	Pin    string `toml:"pin"`
	Pull   string `toml:"pull"`
	Active string `toml:"active"`
}

type panelFile struct {
	Debounce    duration `toml:"debounce"`
	LongPress   duration `toml:"long_press"`
	RepeatGuard duration `toml:"repeat_guard"`
	Blink       duration `toml:"blink"`
	StatusLED   string   `toml:"status_led"`
	Button      []struct {
		Service   string `toml:"service"`
		Pin       string `toml:"pin"`
		Pull      string `toml:"pull"`
		Active    string `toml:"active"`
		LongPress string `toml:"long_press"`
		LED       string `toml:"led"`
	} `toml:"button"`
	Desk []struct {
		Desk    string `toml:"desk"`
		Next    string `toml:"next"`
		Recall  string `toml:"recall"`
		Done    string `toml:"done"`
		Pull    string `toml:"pull"`
		Active  string `toml:"active"`
		Display *struct {
			Type     string `toml:"type"`
			I2CBus   string `toml:"i2c_bus"`
			Address  int    `toml:"address"`
			Height   int    `toml:"height"`
			Device   string `toml:"device"`
			Baud     int    `toml:"baud"`
			Template string `toml:"template"`
		} `toml:"display"`
	} `toml:"desk"`
}

// pinName is a GPIO line of the Raspberry Pi's 40-pin header, by its
// Broadcom number.
var pinName = regexp.MustCompile(`^GPIO([0-9]|1[0-9]|2[0-7])$`)

// i2cPins are the header's I2C bus 1 lines, taken when an OLED is on it.
var i2cPins = []string{"GPIO2", "GPIO3"}

// parsePanel checks the [panel] section against the office o. Every
// problem is reported with the file's line, each pin used twice with both.
func parsePanel(f *tomlconf.File, pf panelFile, o dispenser.Config) PanelConfig {
	bad := f.Bad
	human := tomlconf.Human
	c := PanelConfig{Debounce: pf.Debounce.Duration, LongPress: pf.LongPress.Duration,
		RepeatGuard: pf.RepeatGuard.Duration, Blink: pf.Blink.Duration, StatusLED: pf.StatusLED}
	if c.Debounce == 0 {
		c.Debounce = 20 * time.Millisecond
	}
	if c.LongPress == 0 {
		c.LongPress = 1500 * time.Millisecond
	}
	if pf.RepeatGuard.Duration == 0 {
		c.RepeatGuard = time.Second
	}
	if c.Blink == 0 {
		c.Blink = time.Second
	}
	between := func(key string, v, lo, hi time.Duration) {
		if v < lo || v > hi {
			bad(key, "%v: want between %v and %v", v, lo, hi)
		}
	}
	between("panel.debounce", c.Debounce, time.Millisecond, 500*time.Millisecond)
	between("panel.long_press", c.LongPress, 300*time.Millisecond, 10*time.Second)
	between("panel.repeat_guard", c.RepeatGuard, 0, 10*time.Second)
	between("panel.blink", c.Blink, 200*time.Millisecond, 5*time.Second)
	if c.LongPress >= 300*time.Millisecond && c.LongPress <= c.Debounce {
		bad("panel.long_press", "%v: want longer than panel.debounce (%v)", c.LongPress, c.Debounce)
	}

	// used maps each pin to the key that took it first.
	used := map[string]string{}
	pin := func(key, name string) {
		if name == "" {
			return
		}
		if !pinName.MatchString(name) {
			bad(key, "%q: want a GPIO line of the 40-pin header by its number, GPIO0 to GPIO27 (GPIO17 is header pin 11)", name)
			return
		}
		if first, ok := used[name]; ok {
			bad(key, "%s is already %s (line %d)", name, human(first), f.Line(first))
			return
		}
		used[name] = key
	}
	input := func(key string, in inputFile) Input {
		v := Input{Pin: in.Pin, Pull: in.Pull}
		if v.Pull == "" {
			v.Pull = "up"
		}
		switch v.Pull {
		case "up":
			v.ActiveLow = true
		case "down":
		case "none":
		default:
			bad(key+".pull", "%q: want up, down or none", in.Pull)
		}
		switch in.Active {
		case "":
			if v.Pull == "none" {
				bad(key+".pull", "none: say active = \"low\" or \"high\" too (what the pin reads while pressed)")
			}
		case "low":
			v.ActiveLow = true
		case "high":
			v.ActiveLow = false
		default:
			bad(key+".active", "%q: want low or high", in.Active)
		}
		if v.Pull == "up" && !v.ActiveLow || v.Pull == "down" && v.ActiveLow {
			bad(key+".active", "%q contradicts pull = %q: the idle pin would read as pressed", in.Active, v.Pull)
		}
		return v
	}

	pin("panel.status_led", c.StatusLED)
	services := map[dispenser.ServiceID]*dispenser.Service{}
	for i := range o.Services {
		services[o.Services[i].ID] = &o.Services[i]
	}
	for i, b := range pf.Button {
		key := "panel.button." + strconv.Itoa(i)
		bc := ButtonConfig{Service: dispenser.ServiceID(b.Service), LED: b.LED, Line: f.Line(key)}
		s := services[bc.Service]
		switch {
		case b.Service == "":
			bad(key, "no service")
		case s == nil:
			bad(key+".service", "%q is not a [[service]] of this office", b.Service)
		}
		if b.Pin == "" {
			bad(key, "no pin")
		}
		pin(key+".pin", b.Pin)
		bc.Input = input(key, inputFile{b.Pin, b.Pull, b.Active})
		switch b.LongPress {
		case "":
		case "priority":
			bc.LongPriority = true
			if s != nil && !s.Priority {
				bad(key+".long_press", "priority, but service %q issues no priority tickets (set priority = true in its [[service]])", b.Service)
			}
		default:
			bad(key+".long_press", "%q: want \"priority\" or nothing", b.LongPress)
		}
		pin(key+".led", b.LED)
		c.Buttons = append(c.Buttons, bc)
	}
	desks := map[dispenser.DeskID]bool{}
	for _, d := range o.Desks {
		desks[d.ID] = true
	}
	seen := map[dispenser.DeskID]string{}
	i2cUsed := false
	for i, d := range pf.Desk {
		key := "panel.desk." + strconv.Itoa(i)
		dc := DeskPanelConfig{Desk: dispenser.DeskID(d.Desk), Line: f.Line(key)}
		switch {
		case d.Desk == "":
			bad(key, "no desk")
		case !desks[dc.Desk]:
			bad(key+".desk", "%q is not a [[desk]] of this office", d.Desk)
		case seen[dc.Desk] != "":
			bad(key+".desk", "%q is already %s (line %d)", d.Desk, human(seen[dc.Desk]), f.Line(seen[dc.Desk]))
		default:
			seen[dc.Desk] = key
		}
		for _, k := range []struct {
			name string
			pin  string
			dst  *Input
		}{{"next", d.Next, &dc.Next}, {"recall", d.Recall, &dc.Recall}, {"done", d.Done, &dc.Done}} {
			if k.pin == "" {
				continue
			}
			pin(key+"."+k.name, k.pin)
			*k.dst = input(key, inputFile{k.pin, d.Pull, d.Active})
		}
		if d.Display != nil {
			dd := d.Display
			dk := key + ".display"
			dc.Display = DeskDisplayConfig{Type: dd.Type, I2CBus: dd.I2CBus, Address: dd.Address, Height: dd.Height,
				Device: dd.Device, Baud: dd.Baud, Template: dd.Template}
			v := &dc.Display
			switch v.Type {
			case "ssd1306":
				if v.Address == 0 {
					v.Address = 0x3C
				}
				if v.Height == 0 {
					v.Height = 64
				}
				if v.Address < 0x03 || v.Address > 0x77 {
					bad(dk+".address", "%#x: want a 7-bit I2C address, usually 0x3C or 0x3D", v.Address)
				}
				if v.Height != 64 && v.Height != 32 {
					bad(dk+".height", "%d: want 64 or 32", v.Height)
				}
				if v.Device != "" || v.Template != "" || v.Baud != 0 {
					bad(dk, "device, baud and template are for type = \"serial\"")
				}
				if v.I2CBus == "" || v.I2CBus == "1" {
					i2cUsed = true
				}
			case "serial":
				if v.Baud == 0 {
					v.Baud = 9600
				}
				if v.Template == "" {
					v.Template = defaultDisplayTemplate
				}
				if v.Device == "" {
					bad(dk, "device is required with type = \"serial\"")
				}
				if v.Baud < 1200 || v.Baud > 921600 {
					bad(dk+".baud", "%d: want a serial speed such as 9600", v.Baud)
				}
				if _, err := template.New("display").Parse(v.Template); err != nil {
					bad(dk+".template", "%v", err)
				}
				if v.I2CBus != "" || v.Address != 0 || v.Height != 0 {
					bad(dk, "i2c_bus, address and height are for type = \"ssd1306\"")
				}
			default:
				bad(dk+".type", "%q: want ssd1306 or serial", v.Type)
			}
		}
		c.Desks = append(c.Desks, dc)
	}
	if i2cUsed {
		// The OLED's bus takes the header's SDA and SCL lines.
		for _, p := range i2cPins {
			if first, ok := used[p]; ok {
				bad(first, "%s is an I2C line (SDA or SCL of bus 1), which the desk display uses", p)
			}
		}
	}
	return c
}
