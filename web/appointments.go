package web

import (
	"errors"
	"net/http"
	"time"

	"torn.cat/torn/bookfile"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/idcard"
)

type checkInRequest struct {
	// Document is a DNI, NIE or passport number in clear, hashed at once;
	// DocumentHash is the hash already made with the office key. One of
	// the two.
	Document     string         `json:"document"`
	DocumentHash string         `json:"document_hash"`
	Lang         dispenser.Lang `json:"lang"`
	NoPaper      bool           `json:"no_paper"`
}

type checkInRefusal struct {
	errorBody
	// Slot is the appointment's time; Offer what the citizen can have
	// instead ("walkin", "desk").
	Slot  *time.Time `json:"slot,omitempty"`
	Offer string     `json:"offer,omitempty"`
}

// apiCheckIn checks in an appointment by document: POST /api/checkin.
func (s *Server) apiCheckIn(w http.ResponseWriter, r *http.Request) {
	if s.CheckIns == nil {
		s.fail(w, r, http.StatusNotFound, "no_checkin", "this dispenser has no office key: it checks no appointment in", nil)
		return
	}
	var req checkInRequest
	if !s.decode(w, r, &req) {
		return
	}
	if req.Lang == "" {
		req.Lang = dispenser.Catalan
	}
	var t dispenser.Ticket
	var err error
	switch {
	case (req.Document == "") == (req.DocumentHash == ""):
		s.fail(w, r, http.StatusBadRequest, "invalid", `give "document" or "document_hash"`, nil)
		return
	case req.Document != "":
		t, err = s.CheckIns.Number(req.Document, req.Lang, req.NoPaper, "api")
	default:
		t, err = s.CheckIns.hashed(req.DocumentHash, req.Lang, req.NoPaper, "api")
	}
	var ref *dispenser.Refusal
	switch {
	case err == nil:
	case errors.Is(err, idcard.ErrFormat), errors.Is(err, idcard.ErrCheckDigit):
		// The message quotes nothing of the number.
		s.fail(w, r, http.StatusBadRequest, "invalid_document", err.Error(), nil)
		return
	case errors.As(err, &ref):
		b := checkInRefusal{errorBody: errorBody{Error: ref.Error(), Code: string(ref.Reason)}, Offer: string(ref.Offer)}
		if !ref.Until.IsZero() {
			b.Until = &ref.Until
		}
		if !ref.Slot.IsZero() {
			b.Slot = &ref.Slot
		}
		writeJSON(w, http.StatusConflict, b)
		return
	default:
		s.failErr(w, r, err)
		return
	}
	var v ticketJSON
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) { v = viewTicket(d, t, now, true) })
	writeJSON(w, http.StatusCreated, v)
}

type appointmentJSON struct {
	ID      dispenser.AppointmentID `json:"id"`
	Slot    time.Time               `json:"slot"`
	Service dispenser.ServiceID     `json:"service"`
	Name    string                  `json:"name,omitempty"`
	// Ticket is the number of the ticket it was checked in with, today.
	Ticket string `json:"ticket,omitempty"`
}

type bookJSON struct {
	Day          dispenser.Date    `json:"day"`
	Version      string            `json:"version,omitempty"`
	Appointments []appointmentJSON `json:"appointments"`
}

// clerkOnly answers 401 and reports false when clerks are configured and
// the request has no clerk's session: the books hold names.
func (s *Server) clerkOnly(w http.ResponseWriter, r *http.Request) bool {
	if s.Clerks == nil {
		return true
	}
	if _, ok := s.Clerks.Clerk(r); !ok {
		s.fail(w, r, http.StatusUnauthorized, "login_required", "log in as a clerk first", nil)
		return false
	}
	return true
}

// listAppointments lists the books held, without the document hashes.
func (s *Server) listAppointments(w http.ResponseWriter, r *http.Request) {
	if !s.clerkOnly(w, r) {
		return
	}
	out := []bookJSON{}
	s.Office.View(func(d *dispenser.Dispenser, _ time.Time) {
		loc := d.Config().Location
		for _, b := range d.Books() {
			bj := bookJSON{Day: b.Day, Version: b.Version, Appointments: []appointmentJSON{}}
			for _, a := range b.Appointments {
				aj := appointmentJSON{ID: a.ID, Slot: a.Slot.In(loc), Service: a.Service, Name: a.Name}
				if t, ok := d.CheckedIn(a.ID); ok && b.Day == d.Day() {
					aj.Ticket = t.Number
				}
				bj.Appointments = append(bj.Appointments, aj)
			}
			out = append(out, bj)
		}
	})
	writeJSON(w, http.StatusOK, out)
}

type bookSummary struct {
	Day          dispenser.Date `json:"day"`
	Version      string         `json:"version,omitempty"`
	Appointments int            `json:"appointments"`
}

type badRowsBody struct {
	errorBody
	Rows []bookfile.RowError `json:"rows"`
}

// putAppointments loads a CSV or JSON file of appointments (see bookfile):
// each day in it replaces that day's book; other days are left alone.
func (s *Server) putAppointments(w http.ResponseWriter, r *http.Request) {
	if !s.clerkOnly(w, r) {
		return
	}
	format := bookfile.Format(r.Header.Get("Content-Type"))
	if format == "" {
		s.fail(w, r, http.StatusUnsupportedMediaType, "bad_media_type", "send text/csv or application/json", nil)
		return
	}
	opts := bookfile.Options{}
	if s.CheckIns != nil {
		opts.Hash = s.CheckIns.Hash
	}
	var today dispenser.Date
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		opts.Location = d.Config().Location
		for _, sv := range d.Config().Services {
			opts.Services = append(opts.Services, sv.ID)
		}
		today = d.DayOf(now)
	})
	books, err := bookfile.Read(http.MaxBytesReader(w, r.Body, bookfile.MaxSize), format, opts)
	var be *bookfile.Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &be):
		s.Log.Info("appointments refused", "rows", len(be.Rows))
		writeJSON(w, http.StatusUnprocessableEntity, badRowsBody{errorBody{Error: be.Error(), Code: "bad_rows"}, be.Rows})
		return
	case errors.As(err, &mbe):
		s.fail(w, r, http.StatusRequestEntityTooLarge, "too_large", "the file is larger than the limit", nil)
		return
	case err != nil:
		s.fail(w, r, http.StatusBadRequest, "bad_file", err.Error(), nil)
		return
	}
	for _, b := range books {
		if b.Day < today {
			s.fail(w, r, http.StatusUnprocessableEntity, "past_day", "the file has appointments on "+string(b.Day)+", a day that has passed; nothing loaded", nil)
			return
		}
	}
	out := []bookSummary{}
	for _, b := range books {
		if _, err := s.Office.Do(dispenser.LoadBook{Book: b}); err != nil {
			s.failErr(w, r, err)
			return
		}
		out = append(out, bookSummary{Day: b.Day, Version: b.Version, Appointments: len(b.Appointments)})
		s.Log.Info("appointments loaded", "day", b.Day, "appointments", len(b.Appointments), "version", b.Version)
	}
	writeJSON(w, http.StatusOK, out)
}

// deleteAppointments empties a day's book.
func (s *Server) deleteAppointments(w http.ResponseWriter, r *http.Request) {
	if !s.clerkOnly(w, r) {
		return
	}
	day := dispenser.Date(r.PathValue("day"))
	if _, err := s.Office.Do(dispenser.LoadBook{Book: dispenser.Book{Day: day}}); err != nil {
		s.failErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, bookSummary{Day: day})
}
