package web

import (
	"html/template"
	"net/http"
	"time"

	"torn.cat/torn/catalog"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/display"
)

var displayTmpl = template.Must(template.ParseFS(templates, "templates/display.html"))

type displayPage struct {
	Lang, Office, RecentTitle, WaitingTitle, Reconnecting string
	Chime, Voice                                          bool
}

// displayPage is the waiting-room TV. Its data comes over the websocket
// at /display/ws (Server.Display).
func (s *Server) displayPage(w http.ResponseWriter, r *http.Request) {
	if s.Display == nil {
		s.fail(w, r, http.StatusNotFound, "no_display", "this tornd serves no display", nil)
		return
	}
	lang := pageLang(r, "")
	p := displayPage{Lang: lang, RecentTitle: catalog.T(lang, "display.recent"),
		WaitingTitle: catalog.T(lang, "display.waiting"), Reconnecting: catalog.T(lang, "display.reconnecting"),
		Chime: s.Chime, Voice: s.Voice != nil}
	s.Office.View(func(d *dispenser.Dispenser, _ time.Time) { p.Office = d.Config().Name })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := displayTmpl.Execute(w, p); err != nil {
		s.Log.Error("render the display page", "err", err)
	}
}

var chimeWAV = display.Chime()

// chime is the sound before a call.
func (s *Server) chime(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "max-age=86400")
	w.Write(chimeWAV)
}

// voice is the spoken call of ticket id at its desk: "Torn A, 0 2 3,
// Taula 3", made with espeak-ng on this machine and kept. Only a ticket
// called today has one; nothing else can be made to speak.
func (s *Server) voice(w http.ResponseWriter, r *http.Request) {
	if s.Voice == nil {
		s.fail(w, r, http.StatusNotFound, "no_voice", "spoken calls are off", nil)
		return
	}
	lang := pageLang(r, "")
	var text string
	s.Office.View(func(d *dispenser.Dispenser, _ time.Time) {
		t, ok := d.Ticket(dispenser.TicketID(r.PathValue("id")))
		if !ok || t.Called.IsZero() || t.Desk == "" {
			return
		}
		desk := string(t.Desk)
		if dk := d.Desk(t.Desk); dk != nil {
			desk = dk.Name
		}
		text = catalog.T(lang, "display.announce", display.Spoken(t.Number), desk)
	})
	if text == "" {
		s.fail(w, r, http.StatusNotFound, "unknown_ticket", "no ticket called with that id today", nil)
		return
	}
	path, err := s.Voice.File(r.Context(), lang, text)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "internal", "the call could not be spoken", err)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	http.ServeFile(w, r, path)
}
