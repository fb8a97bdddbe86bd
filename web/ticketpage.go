package web

import (
	"embed"
	"html/template"
	"net/http"
	"time"

	"torn.cat/torn/catalog"
	"torn.cat/torn/dispenser"
)

//go:embed templates/*.html
var templates embed.FS

var ticketTmpl = template.Must(template.ParseFS(templates, "templates/ticket.html"))

// ticketRefresh is how often the citizen's page reloads itself while the
// ticket waits or is called, without JavaScript: old phones follow a meta
// refresh.
const ticketRefresh = 15

type langLink struct{ Code, Name string }

var langLinks = []langLink{{"ca", "Català"}, {"es", "Castellano"}, {"en", "English"}}

type ticketPage struct {
	Lang, Office, Title           string
	Number, Service, ServiceLabel string
	Call                          string
	Lines                         []string
	Issued                        string
	Refresh                       int
	RefreshNote, NotFound         string
	Langs                         []langLink
	// Live: the page listens on its websocket for changes.
	Live bool
}

// ticketPage is the citizen's live ticket, /t/{token}: position, estimate,
// "go to Taula 3 now" when called. It shows no personal data, and it
// refreshes itself while there is something to wait for.
func (s *Server) ticketPage(w http.ResponseWriter, r *http.Request) {
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		WriteTicketPage(w, r, d, now, r.PathValue("token"), false)
	})
}

// WriteTicketPage writes the page of the ticket with tracking token tok as
// dispenser d has it at now, in the language of r's ?lang= or else the
// ticket's: tornd's /t/{token} and central's. A 404 page when d is nil or
// has no such ticket today. With live, the page also listens on a
// websocket at its own path + "/ws" and reloads when told to; without
// JavaScript it still refreshes itself. The caller holds whatever lock
// guards d.
func WriteTicketPage(w http.ResponseWriter, r *http.Request, d *dispenser.Dispenser, now time.Time, tok string, live bool) {
	var page ticketPage
	var t dispenser.Ticket
	found := false
	if d != nil && tok != "" {
		t, found = d.TicketByToken(tok)
	}
	lang := pageLang(r, string(t.Lang))
	page.Lang, page.Langs = lang, langLinks
	page.Title = catalog.T(lang, "page.ticket.title")
	if d != nil {
		page.Office = d.Config().Name
	}
	if found {
		fillTicketPage(&page, d, t, now, lang)
		page.Live = live && page.Refresh > 0
	} else {
		page.NotFound = catalog.T(lang, "page.ticket.not_found")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is the URL
	if !found {
		w.WriteHeader(http.StatusNotFound)
	}
	ticketTmpl.Execute(w, page) // a failure is the client gone: nothing to tell it
}

// fillTicketPage fills page with ticket t of dispenser d at now.
func fillTicketPage(page *ticketPage, d *dispenser.Dispenser, t dispenser.Ticket, now time.Time, lang string) {
	c := d.Config()
	page.Number = t.Number
	page.ServiceLabel = catalog.T(lang, "page.ticket.service")
	if sv := d.Service(t.Service); sv != nil {
		page.Service = sv.Name(dispenser.Lang(lang))
	}
	page.Issued = catalog.T(lang, "page.ticket.issued", t.Issued.In(c.Location).Format("15:04"))
	desk := string(t.Desk)
	if dk := d.Desk(t.Desk); dk != nil {
		desk = dk.Name
	}
	switch t.State {
	case dispenser.Waiting:
		ahead, wait, _ := d.Estimate(t.ID, now)
		low, high := d.Range(wait)
		page.Lines = []string{catalog.Ahead(lang, ahead), catalog.WaitRange(lang, low, high)}
		if !t.Slot.IsZero() {
			page.Lines = append([]string{catalog.T(lang, "ticket.appointment", t.Slot.In(c.Location).Format("15:04"))}, page.Lines...)
		}
		page.Refresh = ticketRefresh
	case dispenser.Called:
		page.Call = catalog.T(lang, "page.ticket.go_now", desk)
		page.Refresh = ticketRefresh
	case dispenser.Serving:
		page.Lines = []string{catalog.T(lang, "page.ticket.being_served", desk)}
	case dispenser.Done:
		page.Lines = []string{catalog.T(lang, "page.ticket.done")}
	case dispenser.NoShow:
		page.Lines = []string{catalog.T(lang, "page.ticket.noshow")}
	case dispenser.Cancelled:
		page.Lines = []string{catalog.T(lang, "page.ticket.cancelled")}
	}
	page.RefreshNote = catalog.T(lang, "page.ticket.refresh")
}

// pageLang is the page's language: ?lang= when it is one of ours, else
// the ticket's, else Catalan.
func pageLang(r *http.Request, ticket string) string {
	for _, l := range catalog.Langs {
		if r.URL.Query().Get("lang") == l {
			return l
		}
	}
	for _, l := range catalog.Langs {
		if ticket == l {
			return l
		}
	}
	return catalog.Default
}
