package web

import (
	"bytes"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/skip2/go-qrcode"

	"torn.cat/torn/catalog"
	"torn.cat/torn/dispenser"
)

var kioskTmpl = template.Must(template.ParseFS(templates, "templates/kiosk.html"))

// Screen is a touch screen's width in pixels and in millimetres.
type Screen struct {
	WidthPx int
	WidthMM float64
}

// MinButtonMM is the smallest height of a kiosk button, for any finger.
const MinButtonMM = 20

// ButtonPx is how many CSS pixels make a button MinButtonMM tall, with a
// margin, on this screen (the page's pixels are the screen's: the kiosk's
// browser runs at zoom 1).
func (s Screen) ButtonPx() int {
	if s.WidthPx == 0 || s.WidthMM == 0 {
		s = Screen{WidthPx: 1080, WidthMM: 136} // a 10.1" portrait panel
	}
	return int(math.Ceil((MinButtonMM + 2) * float64(s.WidthPx) / s.WidthMM))
}

// KeyPx is the height of the check-in keypad's keys: MinButtonMM and a
// hair, so that the keypad and the buttons fit a portrait screen.
func (s Screen) KeyPx() int {
	if s.WidthPx == 0 || s.WidthMM == 0 {
		s = Screen{WidthPx: 1080, WidthMM: 136}
	}
	return int(math.Ceil((MinButtonMM + 0.5) * float64(s.WidthPx) / s.WidthMM))
}

// kioskBack is how long the kiosk shows a ticket before going back to the
// service buttons.
const kioskBack = 20

type kioskService struct {
	ID       dispenser.ServiceID
	Name     string
	Priority bool
	// Disabled: the service issues no ticket now; Why says why, in
	// words, unless the kiosk's alert does.
	Disabled bool
	Why      string
	// CutOff: the queue is too long for a ticket before closing. The
	// button looks refused but stays pressable, so that a citizen who
	// asks all the same is told why and counted as turned away (the
	// dispenser records ticket.refused), which the managers report.
	CutOff bool
}

type kioskTicket struct {
	Title, Number, Service, Ahead, Wait, Note, Scan, Appointment string
	QR                                                           template.URL
}

type kioskPage struct {
	Lang, Office, Title, Choose, PriorityLabel, Back, ShowOnScreen, Alert string
	Services                                                              []kioskService
	OnScreen, OfferOnScreen                                               bool
	Ticket                                                                *kioskTicket
	Refresh                                                               int
	ButtonPx, KeyPx                                                       int
	Langs                                                                 []langLink
	// HaveAppointment labels the button to the check-in screen, when the
	// dispenser checks appointments in; CheckIn is that screen.
	HaveAppointment string
	CheckIn         *checkInPage
}

// refusalWords says a refusal in the citizen's language.
func refusalWords(lang string, err error, loc *time.Location) string {
	var ref *dispenser.Refusal
	if !errors.As(err, &ref) {
		return err.Error()
	}
	switch ref.Reason {
	case dispenser.RefusedClosed:
		if ref.Until.IsZero() {
			return catalog.T(lang, "kiosk.refused.closed.nodate")
		}
		return catalog.T(lang, "kiosk.refused.closed", ref.Until.In(loc).Format("02/01 15:04"))
	case dispenser.RefusedCutOff:
		return catalog.T(lang, "kiosk.refused.cutoff", ref.Until.In(loc).Format("15:04"))
	case dispenser.RefusedOutOfService:
		return catalog.T(lang, "kiosk.refused.out_of_service", ref.Detail)
	}
	return catalog.T(lang, "kiosk.refused."+string(ref.Reason))
}

// kiosk is the dispenser's touch screen: one big button per service, a
// priority button where the service has one, the reason in words where a
// service issues no ticket now. It works without JavaScript: the buttons
// are forms.
func (s *Server) kiosk(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r, "")
	p := s.kioskPage(lang, r.URL.Query().Get("screen") == "1")
	s.renderKiosk(w, p)
}

func (s *Server) kioskPage(lang string, onScreen bool) kioskPage {
	p := kioskPage{Lang: lang, Langs: langLinks, OnScreen: onScreen, ButtonPx: s.KioskScreen.ButtonPx(), KeyPx: s.KioskScreen.KeyPx(),
		Title: catalog.T(lang, "kiosk.title"), Choose: catalog.T(lang, "kiosk.choose"),
		PriorityLabel: catalog.T(lang, "kiosk.priority"), Back: catalog.T(lang, "kiosk.back"),
		ShowOnScreen: catalog.T(lang, "kiosk.show_on_screen")}
	if s.CheckIns != nil {
		p.HaveAppointment = catalog.T(lang, "kiosk.checkin.button")
	}
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		c := d.Config()
		p.Office = c.Name
		for _, sv := range c.Services {
			if sv.AppointmentOnly {
				continue // check-in comes with the ID reader
			}
			ks := kioskService{ID: sv.ID, Name: sv.Name(dispenser.Lang(lang)), Priority: sv.Priority}
			if err := d.Admits(sv.ID, dispenser.WalkIn, now); err != nil {
				var ref *dispenser.Refusal
				if errors.As(err, &ref) && ref.Reason == dispenser.RefusedOutOfService {
					p.Alert = refusalWords(lang, err, c.Location)
					p.OfferOnScreen = !onScreen
					ks.Disabled = !onScreen
				} else {
					ks.Why = refusalWords(lang, err, c.Location)
					ks.CutOff = errors.As(err, &ref) && ref.Reason == dispenser.RefusedCutOff
					ks.Disabled = !ks.CutOff
				}
			}
			p.Services = append(p.Services, ks)
		}
		if onScreen {
			p.Alert = ""
		}
	})
	return p
}

func (s *Server) renderKiosk(w http.ResponseWriter, p kioskPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := kioskTmpl.Execute(w, p); err != nil {
		s.Log.Error("render the kiosk", "err", err)
	}
}

// kioskIssue issues the ticket a kiosk button asked for and shows it with
// its QR code while it prints.
func (s *Server) kioskIssue(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "bad_form", "the form could not be read", nil)
		return
	}
	lang := pageLang(r, r.PostForm.Get("lang"))
	kind := dispenser.WalkIn
	if r.PostForm.Get("kind") == "priority" {
		kind = dispenser.Priority
	}
	noPaper := r.PostForm.Get("no_paper") == "1"
	evs, err := s.Office.Do(dispenser.Issue{Service: dispenser.ServiceID(r.PostForm.Get("service")),
		Kind: kind, Lang: dispenser.Lang(lang), NoPaper: noPaper})
	if err != nil {
		var ref *dispenser.Refusal
		if !errors.As(err, &ref) {
			s.failErr(w, r, err)
			return
		}
		p := s.kioskPage(lang, noPaper)
		s.Office.View(func(d *dispenser.Dispenser, _ time.Time) {
			p.Alert = refusalWords(lang, err, d.Config().Location)
		})
		w.WriteHeader(http.StatusConflict)
		s.renderKiosk(w, p)
		return
	}
	t := *evs[len(evs)-1].Ticket
	p := s.kioskPage(lang, noPaper)
	p.Refresh = kioskBack
	kt := s.kioskTicketOf(lang, t)
	p.Ticket = kt
	s.renderKiosk(w, p)
}

// kioskTicketOf is ticket t as the kiosk shows it in lang: its number,
// place and wait, the appointment time if it has one, and its QR code.
func (s *Server) kioskTicketOf(lang string, t dispenser.Ticket) *kioskTicket {
	var low, high time.Duration
	s.Office.View(func(d *dispenser.Dispenser, _ time.Time) { low, high = d.Range(t.Estimate) })
	kt := &kioskTicket{Title: catalog.T(lang, "kiosk.your_ticket"), Number: t.Number,
		Ahead: catalog.Ahead(lang, t.Ahead), Wait: catalog.WaitRange(lang, low, high), Scan: catalog.T(lang, "kiosk.scan"),
		QR: template.URL("/t/" + url.PathEscape(t.Token) + "/qr.png"), Note: catalog.T(lang, "kiosk.printing")}
	if t.NoPaper {
		kt.Note = catalog.T(lang, "kiosk.on_screen")
	}
	s.Office.View(func(d *dispenser.Dispenser, _ time.Time) {
		if sv := d.Service(t.Service); sv != nil {
			kt.Service = sv.Name(dispenser.Lang(lang))
		}
		switch {
		case !t.Slot.IsZero():
			kt.Appointment = catalog.T(lang, "ticket.appointment", t.Slot.In(d.Config().Location).Format("15:04"))
		case t.Appointment != "":
			kt.Appointment = catalog.T(lang, "kiosk.checkin.late_walkin")
		}
	})
	return kt
}

// qrPx is about how wide the kiosk shows a ticket's QR code, in pixels.
const qrPx = 720

// ticketQR is the QR code of a ticket's tracking URL, as PNG.
func (s *Server) ticketQR(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	var ok bool
	s.Office.View(func(d *dispenser.Dispenser, _ time.Time) { _, ok = d.TicketByToken(tok) })
	if !ok || tok == "" {
		s.fail(w, r, http.StatusNotFound, "unknown_ticket", "no such ticket today", nil)
		return
	}
	q, err := qrcode.New(s.TrackingURL+tok, qrcode.Medium)
	var png []byte
	if err == nil {
		// A whole number of pixels per module, shown at its own size: a
		// scaled code has modules of uneven width, which phones forgive
		// but not every reader.
		n := len(q.Bitmap())
		png, err = q.PNG(max(qrPx/n, 1) * n)
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "internal", "make the QR code", err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "qr.png", time.Time{}, bytes.NewReader(png))
}
