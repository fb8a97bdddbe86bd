package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/internal/version"
)

// DeviceStatus is one device's state, as the daemon that drives it last
// saw it: /healthz, /api/status and /metrics show it.
type DeviceStatus struct {
	// Name says which device: "printer", "document reader", "panel",
	// "desk display taula1", "central".
	Name string `json:"name"`
	// Kind is the kind of device: printer, reader, panel, display,
	// central.
	Kind string `json:"kind"`
	// State is DeviceOK, DeviceOffline, DeviceError or DeviceOff.
	State string `json:"state"`
	// Detail says what is wrong, or what the device is ("serial
	// /dev/ttyUSB0"); never a document number or a name.
	Detail string `json:"detail,omitempty"`
	// Since is when State last changed, when known.
	Since time.Time `json:"since,omitzero"`
}

// The states of a device.
const (
	// DeviceOK: working.
	DeviceOK = "ok"
	// DeviceOffline: configured but not there (unplugged, not answering,
	// not connected).
	DeviceOffline = "offline"
	// DeviceError: there but failing (paper out, cover open, a bus error).
	DeviceError = "error"
	// DeviceOff: not configured; nothing is wrong.
	DeviceOff = "off"
)

// deviceStates are the states a device can be in, in the order /metrics
// lists them.
var deviceStates = []string{DeviceOK, DeviceOffline, DeviceError, DeviceOff}

// devices returns the devices' states, or none when the server has no
// Devices.
func (s *Server) devices() []DeviceStatus {
	if s.Devices == nil {
		return nil
	}
	return s.Devices()
}

// Health is the office's health as /api/status and `tornd status` judge
// it.
const (
	// HealthOK: the office serves citizens as configured. Warnings (the
	// link to central down) may remain: the office works offline.
	HealthOK = "ok"
	// HealthTrouble: a problem keeps the office from serving as
	// configured: the printer cannot print, a device is offline or failing.
	HealthTrouble = "trouble"
	// HealthStopped: the office stopped after a store failure; nothing
	// can be recorded until tornd restarts.
	HealthStopped = "stopped"
)

// statusBody is GET /api/status: the office's state for a technician.
type statusBody struct {
	// Status is HealthOK, HealthTrouble or HealthStopped; Problems say
	// why it is not ok, Warnings what is wrong without stopping the
	// office from serving.
	Status   string   `json:"status"`
	Problems []string `json:"problems,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Office   string   `json:"office"`
	Name     string   `json:"name"`
	Version  string   `json:"version"`
	// Day and Time are the business day and the office's time now.
	Day      dispenser.Date          `json:"day"`
	Time     time.Time               `json:"time"`
	Services []serviceStatus         `json:"services"`
	Desks    []deskStatus            `json:"desks"`
	Printer  dispenser.PrinterStatus `json:"printer"`
	Devices  []DeviceStatus          `json:"devices"`
	// Central is the link to central, absent for an office offline by
	// design.
	Central *syncHealth `json:"central,omitempty"`
}

// serviceStatus is one service's queue in /api/status.
type serviceStatus struct {
	ID     dispenser.ServiceID `json:"id"`
	Name   string              `json:"name"`
	Prefix string              `json:"prefix"`
	// Issuing says whether a walk-in ticket would be issued now; Refused
	// says why not.
	Issuing bool   `json:"issuing"`
	Refused string `json:"refused,omitempty"`
	Waiting int    `json:"waiting"`
	// LongestWaitSeconds is how long the longest-waiting ticket has
	// waited since it was issued.
	LongestWaitSeconds int `json:"longest_wait_seconds"`
	// Next are the numbers of the next tickets in calling order, at most
	// nextShown.
	Next []string `json:"next"`
	// Issued and Done count today's tickets issued for the service and
	// done in it.
	Issued int `json:"issued"`
	Done   int `json:"done"`
}

// nextShown is how many of a service's next numbers /api/status lists.
const nextShown = 3

// deskStatus is one desk in /api/status.
type deskStatus struct {
	ID    dispenser.DeskID    `json:"id"`
	Name  string              `json:"name"`
	State dispenser.DeskState `json:"state"`
	Since time.Time           `json:"since,omitzero"`
	Clerk string              `json:"clerk,omitempty"`
	// Current is the number called or served at the desk, in State.
	Current      string              `json:"current,omitempty"`
	CurrentState dispenser.State     `json:"current_state,omitempty"`
	Service      dispenser.ServiceID `json:"service,omitempty"`
}

// getStatus serves GET /api/status. Like /healthz and /api/queue it is open
// on the LAN: it holds no personal data (no names, no document hashes, no
// tracking tokens). It answers 503, with the whole body, when the office
// has stopped.
func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	b := statusBody{Version: version.String(), Devices: s.devices()}
	if b.Devices == nil {
		b.Devices = []DeviceStatus{}
	}
	if s.Sync != nil {
		b.Central = s.syncHealth()
	}
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		c := d.Config()
		b.Office, b.Name, b.Day, b.Time = c.Office, c.Name, d.Day(), now.In(c.Location)
		b.Printer = d.Printer()
		if !b.Printer.Since.IsZero() {
			b.Printer.Since = b.Printer.Since.In(c.Location)
		}
		fig := figuresOf(d, now)
		for _, sv := range viewServices(d, now) {
			f := fig.services[sv.ID]
			st := serviceStatus{ID: sv.ID, Name: d.Service(sv.ID).Name(dispenser.Catalan), Prefix: sv.Prefix,
				Issuing: sv.Issuing, Refused: sv.Refused, Waiting: f.waiting,
				LongestWaitSeconds: int(f.longest / time.Second), Next: nextNumbers(d, f.queue, now), Done: f.states[dispenser.Done]}
			for _, n := range f.issued {
				st.Issued += n
			}
			b.Services = append(b.Services, st)
		}
		for _, ds := range d.Desks() {
			v := deskStatus{ID: ds.ID, Name: d.Desk(ds.ID).Name, State: ds.State, Clerk: ds.Clerk}
			if !ds.Since.IsZero() {
				v.Since = ds.Since.In(c.Location)
			}
			if t, ok := d.Ticket(ds.Current); ok {
				v.Current, v.CurrentState, v.Service = t.Number, t.State, t.Service
			}
			b.Desks = append(b.Desks, v)
		}
	})
	code := http.StatusOK
	b.Status, b.Problems, b.Warnings = s.judge(b.Printer, b.Devices, b.Central)
	if b.Status == HealthStopped {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, b)
}

// judge says how healthy the office is, and why.
func (s *Server) judge(p dispenser.PrinterStatus, devs []DeviceStatus, central *syncHealth) (status string, problems, warnings []string) {
	if err := s.Office.Err(); err != nil {
		problems = append(problems, "office stopped: "+err.Error())
	}
	if !p.Ready {
		problems = append(problems, "printer cannot print ("+p.Reason+"): the dispenser is out of service")
	}
	for _, d := range devs {
		if d.Kind == "printer" || d.Kind == "central" {
			continue // the printer is said above, central below
		}
		if d.State == DeviceOffline || d.State == DeviceError {
			msg := d.Name + " " + d.State
			if d.Detail != "" {
				msg += ": " + d.Detail
			}
			problems = append(problems, msg)
		}
	}
	if central != nil && !central.Connected {
		msg := "not connected to central"
		if central.Error != "" {
			msg += ": " + central.Error
		}
		warnings = append(warnings, fmt.Sprintf("%s (%d events waiting to be sent)", msg, central.Backlog))
	}
	switch {
	case s.Office.Err() != nil:
		return HealthStopped, problems, warnings
	case len(problems) > 0:
		return HealthTrouble, problems, warnings
	}
	return HealthOK, problems, warnings
}

// syncHealth returns the link to central; s.Sync must be set.
func (s *Server) syncHealth() *syncHealth {
	st := s.Sync()
	return &syncHealth{Connected: st.Connected, Since: st.Since, Acked: st.Acked, Backlog: st.Backlog,
		Error: st.LastError, ClockOffsetSeconds: st.ClockOffset.Seconds()}
}

// nextNumbers returns the numbers of the first nextShown tickets of queue
// (one service's waiting tickets) in calling order.
func nextNumbers(d *dispenser.Dispenser, queue []dispenser.Ticket, now time.Time) []string {
	type placed struct {
		ahead  int
		number string
	}
	ps := make([]placed, 0, len(queue))
	for _, t := range queue {
		ahead, _, _ := d.Estimate(t.ID, now)
		ps = append(ps, placed{ahead, t.Number})
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].ahead < ps[j].ahead })
	out := []string{}
	for i := 0; i < len(ps) && i < nextShown; i++ {
		out = append(out, ps[i].number)
	}
	return out
}

// figures are today's numbers of an office, for /metrics and /api/status.
type figures struct {
	services map[dispenser.ServiceID]*serviceFigures
}

// serviceFigures are one service's numbers today.
//
// A ticket counts as issued, and its wait as waited, in the service it was
// issued for (its number's prefix), even after a transfer; its state, and
// a service time, count in the service it is in now.
type serviceFigures struct {
	issued map[dispenser.Kind]int
	states map[dispenser.State]int
	// waiting and queue are the tickets waiting now; longest is the
	// longest time one of them has waited since its issue.
	waiting int
	queue   []dispenser.Ticket
	longest time.Duration
	// waits are the waits (issue to first call) of the tickets called at
	// least once, by kind; served the service times (start, or call, to
	// the end) of the tickets done.
	waits  map[dispenser.Kind][]time.Duration
	served []time.Duration
}

// figuresOf works out today's figures of d at now.
func figuresOf(d *dispenser.Dispenser, now time.Time) figures {
	f := figures{services: map[dispenser.ServiceID]*serviceFigures{}}
	byPrefix := map[string]dispenser.ServiceID{}
	for _, sv := range d.Config().Services {
		f.services[sv.ID] = &serviceFigures{issued: map[dispenser.Kind]int{}, states: map[dispenser.State]int{},
			waits: map[dispenser.Kind][]time.Duration{}}
		byPrefix[sv.Prefix] = sv.ID
	}
	of := func(id dispenser.ServiceID) *serviceFigures {
		sf := f.services[id]
		if sf == nil { // a ticket of a service no longer configured
			sf = &serviceFigures{issued: map[dispenser.Kind]int{}, states: map[dispenser.State]int{},
				waits: map[dispenser.Kind][]time.Duration{}}
			f.services[id] = sf
		}
		return sf
	}
	for _, t := range d.Tickets() {
		origin := t.Service
		if t.Transfers > 0 {
			if id, ok := byPrefix[strings.TrimRight(t.Number, "0123456789")]; ok {
				origin = id
			}
		}
		o, cur := of(origin), of(t.Service)
		o.issued[t.Kind]++
		cur.states[t.State]++
		if !t.FirstCalled.IsZero() {
			o.waits[t.Kind] = append(o.waits[t.Kind], max(0, t.FirstCalled.Sub(t.Issued)))
		}
		if t.State == dispenser.Waiting {
			cur.waiting++
			cur.queue = append(cur.queue, t)
			cur.longest = max(cur.longest, now.Sub(t.Issued))
		}
		if t.State == dispenser.Done {
			from := t.Started
			if from.IsZero() {
				from = t.Called
			}
			if !from.IsZero() && !t.Ended.Before(from) {
				cur.served = append(cur.served, t.Ended.Sub(from))
			}
		}
	}
	return f
}

// kinds are the kinds of ticket, in the order /metrics lists them. Every
// service can have each: an appointment-only service takes a late
// arrival's appointment as a walk-in ticket.
var kinds = []dispenser.Kind{dispenser.WalkIn, dispenser.Priority, dispenser.Appointment}

// order returns the services of f: the configured ones in config order,
// then any other (a ticket of a service since removed) by id.
func (f figures) order(d *dispenser.Dispenser) []dispenser.ServiceID {
	var ids, extra []dispenser.ServiceID
	known := map[dispenser.ServiceID]bool{}
	for _, sv := range d.Config().Services {
		ids, known[sv.ID] = append(ids, sv.ID), true
	}
	for id := range f.services {
		if !known[id] {
			extra = append(extra, id)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	return append(ids, extra...)
}
