package web

import (
	"net/http"
	"sort"
	"time"

	"torn.cat/torn/dispenser"
)

// ticketJSON is a ticket as the API shows it. The tracking token appears
// only where the ticket is issued or asked for by id; the document hash
// never.
type ticketJSON struct {
	ID      dispenser.TicketID  `json:"id"`
	Number  string              `json:"number"`
	Day     dispenser.Date      `json:"day"`
	Service dispenser.ServiceID `json:"service"`
	Kind    dispenser.Kind      `json:"kind"`
	State   dispenser.State     `json:"state"`
	Lang    dispenser.Lang      `json:"lang,omitempty"`
	Token   string              `json:"token,omitempty"`
	Issued  time.Time           `json:"issued"`
	Slot    time.Time           `json:"slot,omitzero"`
	// Ahead and WaitSeconds are the current position and estimate of a
	// waiting ticket.
	Ahead       *int `json:"ahead,omitempty"`
	WaitSeconds *int `json:"wait_seconds,omitempty"`
	// WaitLowSeconds and WaitHighSeconds are the range the wait should
	// fall in, 8 times out of 10.
	WaitLowSeconds  *int      `json:"wait_low_seconds,omitempty"`
	WaitHighSeconds *int      `json:"wait_high_seconds,omitempty"`
	Desk            string    `json:"desk,omitempty"`
	DeskName        string    `json:"desk_name,omitempty"`
	Calls           int       `json:"calls,omitempty"`
	Called          time.Time `json:"called,omitzero"`
	Started         time.Time `json:"started,omitzero"`
	Ended           time.Time `json:"ended,omitzero"`
	Transfers       int       `json:"transfers,omitempty"`
	Reason          string    `json:"reason,omitempty"`
}

func viewTicket(d *dispenser.Dispenser, t dispenser.Ticket, now time.Time, withToken bool) ticketJSON {
	// Times in the office's zone, however the store gave them back.
	loc := d.Config().Location
	in := func(tm time.Time) time.Time {
		if tm.IsZero() {
			return tm
		}
		return tm.In(loc)
	}
	v := ticketJSON{
		ID: t.ID, Number: t.Number, Day: t.Day, Service: t.Service, Kind: t.Kind, State: t.State,
		Lang: t.Lang, Issued: in(t.Issued), Slot: in(t.Slot), Desk: string(t.Desk), Calls: t.Calls,
		Called: in(t.Called), Started: in(t.Started), Ended: in(t.Ended), Transfers: t.Transfers, Reason: t.Reason,
	}
	if withToken {
		v.Token = t.Token
	}
	if dk := d.Desk(t.Desk); dk != nil {
		v.DeskName = dk.Name
	}
	if ahead, wait, ok := d.Estimate(t.ID, now); ok {
		v.Ahead = &ahead
		v.setWait(d, wait)
	}
	return v
}

// setWait sets v's wait and its range.
func (v *ticketJSON) setWait(d *dispenser.Dispenser, wait time.Duration) {
	low, high := d.Range(wait)
	secs := func(d time.Duration) *int { n := int(d / time.Second); return &n }
	v.WaitSeconds, v.WaitLowSeconds, v.WaitHighSeconds = secs(wait), secs(low), secs(high)
}

type serviceJSON struct {
	ID              dispenser.ServiceID       `json:"id"`
	Prefix          string                    `json:"prefix"`
	Names           map[dispenser.Lang]string `json:"names"`
	AppointmentOnly bool                      `json:"appointment_only,omitempty"`
	Priority        bool                      `json:"priority,omitempty"`
	// Issuing is true when a walk-in ticket would be issued now; otherwise
	// Refused says why ("closed", "cutoff", "appointment_only") and Until
	// gives the next opening or the closing time.
	Issuing bool       `json:"issuing"`
	Refused string     `json:"refused,omitempty"`
	Until   *time.Time `json:"until,omitempty"`
	Waiting int        `json:"waiting"`
}

type deskJSON struct {
	ID       dispenser.DeskID      `json:"id"`
	Name     string                `json:"name"`
	Services []dispenser.ServiceID `json:"services"`
	State    dispenser.DeskState   `json:"state"`
	Clerk    string                `json:"clerk,omitempty"`
	Current  *ticketJSON           `json:"current,omitempty"`
}

func viewDesks(d *dispenser.Dispenser, now time.Time) []deskJSON {
	var out []deskJSON
	for _, ds := range d.Desks() {
		dk := d.Desk(ds.ID)
		v := deskJSON{ID: ds.ID, Name: dk.Name, Services: dk.Profile, State: ds.State, Clerk: ds.Clerk}
		if t, ok := d.Ticket(ds.Current); ok {
			tv := viewTicket(d, t, now, false)
			v.Current = &tv
		}
		out = append(out, v)
	}
	return out
}

func viewServices(d *dispenser.Dispenser, now time.Time) []serviceJSON {
	waiting := map[dispenser.ServiceID]int{}
	for _, t := range d.Tickets() {
		if t.State == dispenser.Waiting {
			waiting[t.Service]++
		}
	}
	var out []serviceJSON
	for _, s := range d.Config().Services {
		v := serviceJSON{ID: s.ID, Prefix: s.Prefix, Names: s.Names, AppointmentOnly: s.AppointmentOnly,
			Priority: s.Priority, Issuing: true, Waiting: waiting[s.ID]}
		if err := d.Admits(s.ID, dispenser.WalkIn, now); err != nil {
			v.Issuing = false
			if ref, ok := err.(*dispenser.Refusal); ok {
				v.Refused = string(ref.Reason)
				if !ref.Until.IsZero() {
					v.Until = &ref.Until
				}
			}
		}
		out = append(out, v)
	}
	return out
}

// syncHealth is the link to central as /healthz shows it.
type syncHealth struct {
	Connected          bool      `json:"connected"`
	Since              time.Time `json:"since,omitzero"`
	Acked              uint64    `json:"acked"`
	Backlog            uint64    `json:"backlog"`
	Error              string    `json:"error,omitempty"`
	ClockOffsetSeconds float64   `json:"clock_offset_seconds"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.Office.Err(); err != nil {
		s.fail(w, r, http.StatusServiceUnavailable, "stopped", err.Error(), err)
		return
	}
	var body struct {
		Status  string                  `json:"status"`
		Office  string                  `json:"office"`
		Day     dispenser.Date          `json:"day"`
		Time    time.Time               `json:"time"`
		Printer dispenser.PrinterStatus `json:"printer"`
		Central *syncHealth             `json:"central,omitempty"`
		Devices []DeviceStatus          `json:"devices,omitempty"`
	}
	body.Devices = s.devices()
	if s.Sync != nil {
		st := s.Sync()
		body.Central = &syncHealth{Connected: st.Connected, Since: st.Since, Acked: st.Acked, Backlog: st.Backlog,
			Error: st.LastError, ClockOffsetSeconds: st.ClockOffset.Seconds()}
	}
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		body.Status, body.Office, body.Day, body.Time = "ok", d.Config().Office, d.Day(), now.In(d.Config().Location)
		body.Printer = d.Printer()
		if !body.Printer.Since.IsZero() {
			body.Printer.Since = body.Printer.Since.In(d.Config().Location)
		}
	})
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) getOffice(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID       string         `json:"id"`
		Name     string         `json:"name"`
		TimeZone string         `json:"time_zone"`
		Day      dispenser.Date `json:"day"`
		Services []serviceJSON  `json:"services"`
		Desks    []deskJSON     `json:"desks"`
	}
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		c := d.Config()
		body.ID, body.Name, body.TimeZone, body.Day = c.Office, c.Name, c.Location.String(), d.Day()
		body.Services, body.Desks = viewServices(d, now), viewDesks(d, now)
	})
	writeJSON(w, http.StatusOK, body)
}

// getQueue returns the waiting tickets of each service in calling order
// (by position, then number), with the desks.
func (s *Server) getQueue(w http.ResponseWriter, r *http.Request) {
	type queue struct {
		Service dispenser.ServiceID `json:"service"`
		Waiting []ticketJSON        `json:"waiting"`
	}
	var body struct {
		Day      dispenser.Date `json:"day"`
		Time     time.Time      `json:"time"`
		Services []queue        `json:"services"`
		Desks    []deskJSON     `json:"desks"`
	}
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		body.Day, body.Time = d.Day(), now.In(d.Config().Location)
		by := map[dispenser.ServiceID][]ticketJSON{}
		for _, t := range d.Tickets() {
			if t.State == dispenser.Waiting {
				by[t.Service] = append(by[t.Service], viewTicket(d, t, now, false))
			}
		}
		for _, sv := range d.Config().Services {
			q := by[sv.ID]
			sort.SliceStable(q, func(i, j int) bool { return *q[i].Ahead < *q[j].Ahead })
			body.Services = append(body.Services, queue{Service: sv.ID, Waiting: append([]ticketJSON{}, q...)})
		}
		body.Desks = viewDesks(d, now)
	})
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Day     dispenser.Date `json:"day"`
		Tickets []ticketJSON   `json:"tickets"`
	}
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		body.Day = d.Day()
		body.Tickets = []ticketJSON{}
		for _, t := range d.Tickets() {
			body.Tickets = append(body.Tickets, viewTicket(d, t, now, false))
		}
	})
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	id := dispenser.TicketID(r.PathValue("id"))
	var v ticketJSON
	var ok bool
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		var t dispenser.Ticket
		if t, ok = d.Ticket(id); ok {
			v = viewTicket(d, t, now, true)
		}
	})
	if !ok {
		s.fail(w, r, http.StatusNotFound, "unknown_ticket", "no ticket "+string(id)+" today", nil)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
