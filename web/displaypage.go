package web

import (
	"html/template"
	"net/http"
	"time"

	"torn.cat/torn/catalog"
	"torn.cat/torn/dispenser"
)

var displayTmpl = template.Must(template.ParseFS(templates, "templates/display.html"))

type displayPage struct {
	Lang, Office, RecentTitle, WaitingTitle, Reconnecting string
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
		WaitingTitle: catalog.T(lang, "display.waiting"), Reconnecting: catalog.T(lang, "display.reconnecting")}
	s.Office.View(func(d *dispenser.Dispenser, _ time.Time) { p.Office = d.Config().Name })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := displayTmpl.Execute(w, p); err != nil {
		s.Log.Error("render the display page", "err", err)
	}
}
