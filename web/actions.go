package web

import (
	"errors"
	"net/http"
	"time"

	"torn.cat/torn/dispenser"
)

type issueRequest struct {
	Service dispenser.ServiceID `json:"service"`
	// Kind is "walkin" (default), "priority" or "appointment".
	Kind dispenser.Kind `json:"kind"`
	Lang dispenser.Lang `json:"lang"`
	// Slot is an appointment's time (RFC 3339).
	Slot time.Time `json:"slot"`
	// NoPaper: the caller shows the ticket on its screen instead of
	// printing it, so it is issued even while the printer is out.
	NoPaper bool `json:"no_paper"`
}

func (s *Server) issue(w http.ResponseWriter, r *http.Request) {
	var req issueRequest
	if !s.decode(w, r, &req) {
		return
	}
	if req.Service == "" {
		s.fail(w, r, http.StatusBadRequest, "invalid", `"service" is required`, nil)
		return
	}
	if req.Lang != "" && !knownLang(req.Lang) {
		s.fail(w, r, http.StatusBadRequest, "invalid", `"lang" must be "ca", "es" or "en"`, nil)
		return
	}
	evs, err := s.Office.Do(dispenser.Issue{Service: req.Service, Kind: req.Kind, Lang: req.Lang, Slot: req.Slot, NoPaper: req.NoPaper})
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	t := *evs[len(evs)-1].Ticket
	var v ticketJSON
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		v = viewTicket(d, t, now, true)
		// What the citizen is told is what was decided at issue.
		ahead := t.Ahead
		v.Ahead = &ahead
		v.setWait(d, t.Estimate)
	})
	writeJSON(w, http.StatusCreated, v)
}

func knownLang(l dispenser.Lang) bool {
	for _, k := range dispenser.Langs {
		if k == l {
			return true
		}
	}
	return false
}

// reprint prints a ticket again: the explicit action after a failed print.
func (s *Server) reprint(w http.ResponseWriter, r *http.Request) {
	if s.Reprint == nil {
		s.fail(w, r, http.StatusNotFound, "no_printer", "this dispenser has no printer", nil)
		return
	}
	if err := s.Reprint(dispenser.TicketID(r.PathValue("id"))); err != nil {
		var ref *dispenser.Refusal
		if errors.As(err, &ref) || errors.Is(err, dispenser.ErrUnknownTicket) {
			s.failErr(w, r, err)
			return
		}
		s.fail(w, r, http.StatusServiceUnavailable, "print_failed", "the ticket could not be printed: "+err.Error(), err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "sent to the printer"})
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if !s.decode(w, r, &req) {
		return
	}
	s.run(w, r, dispenser.Cancel{Ticket: dispenser.TicketID(r.PathValue("id")), Reason: req.Reason})
}

type deskRequest struct {
	Clerk string              `json:"clerk"`
	To    dispenser.ServiceID `json:"to"`
}

// deskAction runs one of a desk's actions: next, recall, start, done,
// noshow, transfer, open, pause, close.
func (s *Server) deskAction(w http.ResponseWriter, r *http.Request) {
	var req deskRequest
	if !s.decode(w, r, &req) {
		return
	}
	if s.Clerks != nil {
		clerk, ok := s.Clerks.Clerk(r)
		if !ok {
			s.fail(w, r, http.StatusUnauthorized, "login_required", "log in as a clerk first", nil)
			return
		}
		req.Clerk = clerk // the session says who the clerk is
	}
	desk := dispenser.DeskID(r.PathValue("desk"))
	var cmd dispenser.Command
	switch a := r.PathValue("action"); a {
	case "next":
		cmd = dispenser.CallNext{Desk: desk, Clerk: req.Clerk}
	case "recall":
		cmd = dispenser.Recall{Desk: desk}
	case "start":
		cmd = dispenser.Start{Desk: desk}
	case "done":
		cmd = dispenser.Finish{Desk: desk}
	case "noshow":
		cmd = dispenser.MarkNoShow{Desk: desk}
	case "transfer":
		if req.To == "" {
			s.fail(w, r, http.StatusBadRequest, "invalid", `transfer needs "to": the service to send the ticket to`, nil)
			return
		}
		cmd = dispenser.Transfer{Desk: desk, To: req.To}
	case "open":
		cmd = dispenser.SetDesk{Desk: desk, State: dispenser.DeskOpen, Clerk: req.Clerk}
	case "pause":
		cmd = dispenser.SetDesk{Desk: desk, State: dispenser.DeskPaused, Clerk: req.Clerk}
	case "close":
		cmd = dispenser.SetDesk{Desk: desk, State: dispenser.DeskClosed}
	default:
		s.fail(w, r, http.StatusNotFound, "unknown_action",
			"unknown desk action "+a+": want next, recall, start, done, noshow, transfer, open, pause or close", nil)
		return
	}
	s.run(w, r, cmd)
}

// run runs cmd and answers with the desk (for desk commands) and the
// tickets the command changed.
func (s *Server) run(w http.ResponseWriter, r *http.Request, cmd dispenser.Command) {
	evs, err := s.Office.Do(cmd)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	type eventJSON struct {
		Seq    uint64              `json:"seq"`
		Type   dispenser.EventType `json:"type"`
		Ticket *ticketJSON         `json:"ticket,omitempty"`
	}
	var body struct {
		Events []eventJSON `json:"events"`
		Desks  []deskJSON  `json:"desks"`
	}
	body.Events = []eventJSON{}
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		for _, e := range evs {
			ej := eventJSON{Seq: e.Seq, Type: e.Type}
			if e.Ticket != nil {
				tv := viewTicket(d, *e.Ticket, now, false)
				ej.Ticket = &tv
			}
			body.Events = append(body.Events, ej)
		}
		body.Desks = viewDesks(d, now)
	})
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) listDesks(w http.ResponseWriter, r *http.Request) {
	var desks []deskJSON
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) { desks = viewDesks(d, now) })
	writeJSON(w, http.StatusOK, desks)
}
