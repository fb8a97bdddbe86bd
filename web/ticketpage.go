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
}

// ticketPage is the citizen's live ticket, /t/{token}: position, estimate,
// "go to Taula 3 now" when called. It shows no personal data, and it
// refreshes itself while there is something to wait for.
func (s *Server) ticketPage(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	var page ticketPage
	var found bool
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		c := d.Config()
		page.Office = c.Name
		t, ok := d.TicketByToken(tok)
		found = ok && tok != ""
		lang := pageLang(r, string(t.Lang))
		page.Lang, page.Langs = lang, langLinks
		page.Title = catalog.T(lang, "page.ticket.title")
		if !found {
			page.NotFound = catalog.T(lang, "page.ticket.not_found")
			return
		}
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
			page.Lines = []string{catalog.Ahead(lang, ahead), catalog.Wait(lang, wait)}
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
	})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is the URL
	if !found {
		w.WriteHeader(http.StatusNotFound)
	}
	if err := ticketTmpl.Execute(w, page); err != nil {
		s.Log.Error("render the ticket page", "err", err)
	}
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
