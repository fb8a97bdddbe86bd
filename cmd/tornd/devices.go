package main

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/web"
)

// deviceState is a device's state as the goroutine that drives it last saw
// it, for /healthz, /api/status, /metrics and `tornd status`. The zero
// value is a device not seen yet.
type deviceState struct {
	mu     sync.Mutex
	state  string // web.DeviceOK, ...; "" until set
	detail string
	since  time.Time
}

// set records state and detail; since moves (wall clock) only when the
// state changes.
func (s *deviceState) set(state, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != state {
		s.since = time.Now()
	}
	s.state, s.detail = state, detail
}

func (s *deviceState) get() (state, detail string, since time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.detail, s.since
}

// panelDevices are the states of the panel and of its desk displays.
type panelDevices struct {
	panel    deviceState
	mu       sync.Mutex
	displays map[dispenser.DeskID]*deviceState
}

// display returns desk id's display state, made on first use.
func (p *panelDevices) display(id dispenser.DeskID) *deviceState {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.displays == nil {
		p.displays = map[dispenser.DeskID]*deviceState{}
	}
	s := p.displays[id]
	if s == nil {
		s = &deviceState{}
		p.displays[id] = s
	}
	return s
}

// devices returns the states of the daemon's devices, in a fixed order:
// the printer, the document reader, the panel and its desk displays, the
// link to central. A device the config does not have is listed as off.
func (d *Daemon) devices() []web.DeviceStatus {
	out := []web.DeviceStatus{d.printerDevice(), d.readerDevice()}
	out = append(out, d.panelDevices()...)
	return append(out, d.centralDevice())
}

func (d *Daemon) printerDevice() web.DeviceStatus {
	pc := d.Config.Printer
	dv := web.DeviceStatus{Name: "printer", Kind: "printer", State: web.DeviceOff, Detail: "no printer configured"}
	if d.printer == nil {
		return dv
	}
	var p dispenser.PrinterStatus
	d.office.View(func(dp *dispenser.Dispenser, _ time.Time) { p = dp.Printer() })
	dv.Detail, dv.Since = pc.Transport, p.Since
	if pc.Device != "" {
		dv.Detail += " " + pc.Device
	}
	switch {
	case p.Ready:
		dv.State = web.DeviceOK
	case p.Reason == "offline":
		dv.State, dv.Detail = web.DeviceOffline, dv.Detail+": offline"
	default:
		dv.State, dv.Detail = web.DeviceError, dv.Detail+": "+p.Reason
	}
	return dv
}

func (d *Daemon) readerDevice() web.DeviceStatus {
	rc := d.Config.Reader
	dv := web.DeviceStatus{Name: "document reader", Kind: "reader", State: web.DeviceOff}
	switch {
	case rc.Type == "none" && d.OpenReader == nil:
		dv.Detail = "no document reader configured"
		return dv
	case d.Config.CheckIn.KeyFile == "":
		dv.Detail = "no checkin.key_file: check-in is off"
		return dv
	}
	what := rc.Type
	if rc.Device != "" {
		what += " " + rc.Device
	}
	state, detail, since := d.reader.get()
	dv.State, dv.Detail, dv.Since = state, what, since
	switch {
	case state == "":
		dv.State, dv.Detail = web.DeviceOffline, what+": not opened yet"
	case detail != "":
		dv.Detail = what + ": " + detail
	}
	return dv
}

func (d *Daemon) panelDevices() []web.DeviceStatus {
	pc := d.Config.Panel
	if d.panel == nil {
		return []web.DeviceStatus{{Name: "panel", Kind: "panel", State: web.DeviceOff, Detail: "no [panel] configured"}}
	}
	r := d.panel
	state, detail, since := r.devs.panel.get()
	if state == "" {
		state = web.DeviceOK
	}
	if detail == "" {
		leds := len(r.leds)
		if pc.StatusLED != "" {
			leds++
		}
		detail = fmt.Sprintf("%d buttons, %d desk keys, %d LEDs", len(r.buttons), len(r.keys), leds)
	}
	out := []web.DeviceStatus{{Name: "panel", Kind: "panel", State: state, Detail: detail, Since: since}}
	for _, dc := range pc.Desks {
		if dc.Display.Type == "" {
			continue
		}
		state, detail, since := r.devs.display(dc.Desk).get()
		dv := web.DeviceStatus{Name: "desk display " + string(dc.Desk), Kind: "display", State: state,
			Detail: dc.Display.Type, Since: since}
		if state == "" {
			dv.State = web.DeviceOK
		}
		if detail != "" {
			dv.Detail += ": " + detail
		}
		out = append(out, dv)
	}
	return out
}

func (d *Daemon) centralDevice() web.DeviceStatus {
	dv := web.DeviceStatus{Name: "central", Kind: "central", State: web.DeviceOff, Detail: "offline by design: no [central] url"}
	if d.uplink == nil {
		return dv
	}
	host := d.Config.Central.URL
	if u, err := url.Parse(host); err == nil {
		host = u.Host
	}
	st := d.uplink.Status()
	dv.Since = st.Since
	if st.Connected {
		dv.State, dv.Detail = web.DeviceOK, "connected to "+host
	} else {
		dv.State, dv.Detail = web.DeviceOffline, "not connected to "+host
	}
	if st.LastError != "" {
		dv.Detail += ": " + strings.TrimSpace(st.LastError)
	}
	return dv
}
