package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"torn.cat/torn/catalog"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/idcard"
)

// keypadKeys are the keys of the kiosk's on-screen keypad: what DNI, NIE
// and passport numbers are made of.
var keypadKeys = []string{
	"1", "2", "3", "4", "5", "6",
	"7", "8", "9", "0", "X", "Y",
	"Z", "A", "B", "C", "D", "E",
	"F", "G", "H", "J", "K", "L",
	"M", "N", "P", "Q", "R", "S",
	"T", "V", "W", "I", "O", "U",
}

// checkInPage is the kiosk's "I have an appointment" screen.
type checkInPage struct {
	Prompt, Label, Submit, Delete, Reader string
	Keys                                  []string
}

// checkInWords says what became of a check-in, in the citizen's language.
func checkInWords(lang string, err error, loc *time.Location) string {
	var ref *dispenser.Refusal
	switch {
	case errors.Is(err, ErrUnreadable):
		return catalog.T(lang, "kiosk.checkin.unreadable")
	case errors.Is(err, idcard.ErrCheckDigit):
		return catalog.T(lang, "kiosk.checkin.bad_letter")
	case errors.Is(err, idcard.ErrFormat):
		return catalog.T(lang, "kiosk.checkin.bad_number")
	case !errors.As(err, &ref):
		return refusalWords(lang, err, loc)
	}
	offer := ""
	if ref.Offer == dispenser.OfferDesk {
		offer = " " + catalog.T(lang, "kiosk.checkin.offer.desk")
	} else if ref.Offer == dispenser.OfferWalkIn {
		offer = " " + catalog.T(lang, "kiosk.checkin.offer.walkin")
	}
	switch ref.Reason {
	case dispenser.RefusedNoAppointment:
		return catalog.T(lang, "kiosk.checkin.no_appointment") + offer
	case dispenser.RefusedNotToday:
		return catalog.T(lang, "kiosk.checkin.not_today", ref.Slot.In(loc).Format("02/01/2006"), ref.Slot.In(loc).Format("15:04")) + offer
	case dispenser.RefusedTooEarly:
		return catalog.T(lang, "kiosk.checkin.too_early", ref.Slot.In(loc).Format("15:04"), ref.Until.In(loc).Format("15:04"))
	case dispenser.RefusedLate:
		return catalog.T(lang, "kiosk.checkin.late", ref.Slot.In(loc).Format("15:04"))
	case dispenser.RefusedCheckedIn:
		return catalog.T(lang, "kiosk.checkin.checked_in", ref.Detail)
	}
	return refusalWords(lang, err, loc)
}

// kioskCheckIn shows the "I have an appointment" screen: a field and a
// keypad for the number, and the reader's invitation when there is one.
func (s *Server) kioskCheckIn(w http.ResponseWriter, r *http.Request) {
	if s.CheckIns == nil {
		s.fail(w, r, http.StatusNotFound, "no_checkin", "this dispenser does not check appointments in", nil)
		return
	}
	lang := pageLang(r, "")
	s.renderKiosk(w, s.checkInPage(lang, ""))
}

func (s *Server) checkInPage(lang, alert string) kioskPage {
	p := s.kioskPage(lang, false)
	p.Alert = alert
	p.CheckIn = &checkInPage{
		Prompt: catalog.T(lang, "kiosk.checkin.prompt"), Label: catalog.T(lang, "kiosk.checkin.label"),
		Submit: catalog.T(lang, "kiosk.checkin.submit"), Delete: catalog.T(lang, "kiosk.checkin.delete"),
		Keys: keypadKeys,
	}
	if s.Reader {
		p.CheckIn.Reader = catalog.T(lang, "kiosk.checkin.reader")
	}
	return p
}

// kioskCheckInPost checks in the number typed on the kiosk and shows the
// ticket, or why not.
func (s *Server) kioskCheckInPost(w http.ResponseWriter, r *http.Request) {
	if s.CheckIns == nil {
		s.fail(w, r, http.StatusNotFound, "no_checkin", "this dispenser does not check appointments in", nil)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "bad_form", "the form could not be read", nil)
		return
	}
	lang := pageLang(r, r.PostForm.Get("lang"))
	t, err := s.CheckIns.Number(r.PostForm.Get("number"), dispenser.Lang(lang), false, "kiosk")
	s.showCheckIn(w, lang, t, err, true)
}

// showCheckIn renders a check-in's ticket, or its refusal: on the keypad
// screen when the number was typed wrong, on the service buttons when a
// walk-in ticket is what the citizen can have instead.
func (s *Server) showCheckIn(w http.ResponseWriter, lang string, t dispenser.Ticket, err error, typed bool) {
	var loc *time.Location
	s.Office.View(func(d *dispenser.Dispenser, _ time.Time) { loc = d.Config().Location })
	if err != nil {
		words := checkInWords(lang, err, loc)
		var ref *dispenser.Refusal
		var p kioskPage
		switch {
		case errors.As(err, &ref) && (ref.Offer == dispenser.OfferWalkIn || ref.Reason == dispenser.RefusedCheckedIn || ref.Reason == dispenser.RefusedOutOfService):
			p = s.kioskPage(lang, false)
			p.Alert = words
		case typed || errors.Is(err, ErrUnreadable):
			p = s.checkInPage(lang, words)
		default:
			p = s.kioskPage(lang, false)
			p.Alert = words
		}
		p.Refresh = kioskBack
		w.WriteHeader(http.StatusConflict)
		s.renderKiosk(w, p)
		return
	}
	p := s.kioskPage(lang, false)
	p.Refresh = kioskBack
	p.Ticket = s.kioskTicketOf(lang, t)
	s.renderKiosk(w, p)
}

// kioskScan shows what became of scan n of the reader: the kiosk goes
// there when /kiosk/events announces it.
func (s *Server) kioskScan(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r, "")
	n, err := strconv.Atoi(r.PathValue("n"))
	var res ScanResult
	ok := err == nil && s.CheckIns != nil
	if ok {
		res, ok = s.CheckIns.Result(n)
	}
	if !ok {
		http.Redirect(w, r, "/kiosk?lang="+url.QueryEscape(lang), http.StatusSeeOther)
		return
	}
	s.showCheckIn(w, lang, res.Ticket, res.Err, false)
}

// kioskEvents streams the numbers of new reader scans to a kiosk page
// (server-sent events), which then shows /kiosk/scan/{n}. The page's
// language becomes the language of the tickets that scans issue.
func (s *Server) kioskEvents(w http.ResponseWriter, r *http.Request) {
	if s.CheckIns == nil {
		s.fail(w, r, http.StatusNotFound, "no_checkin", "this dispenser does not check appointments in", nil)
		return
	}
	ch, cancel := s.CheckIns.subscribe(dispenser.Lang(pageLang(r, "")))
	defer cancel()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	write := func(msg string) bool {
		// The server's write timeout is for requests, not for a stream.
		_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := fmt.Fprint(w, msg); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write("retry: 2000\n\n") {
		return
	}
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case n := <-ch:
			if !write(fmt.Sprintf("data: %d\n\n", n)) {
				return
			}
		case <-keepAlive.C:
			if !write(": keep-alive\n\n") {
				return
			}
		}
	}
}
