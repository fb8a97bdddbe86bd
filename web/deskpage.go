package web

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"torn.cat/torn/catalog"
	"torn.cat/torn/dispenser"
)

var deskTmpl = template.Must(template.ParseFS(templates, "templates/desk.html"))

type deskLink struct {
	ID   dispenser.DeskID
	Name string
}

type serviceOption struct {
	ID   dispenser.ServiceID
	Name string
}

type deskPage struct {
	Lang, Office, Clerk, Error, DeskName string
	Desk                                 dispenser.DeskID
	Login                                bool
	Desks                                []deskLink
	Services                             []serviceOption
	ServiceIDs                           []dispenser.ServiceID
	// T holds the page's texts from the catalogue, by the key after
	// "desk.".
	T map[string]string
	// States names the ticket and desk states in the page's language.
	States map[string]string
}

var deskKeys = []string{"title", "login", "name", "password", "choose", "current", "queue", "next", "recall",
	"start", "done", "noshow", "transfer", "open", "pause", "close", "logout", "waiting_for"}

// deskPage is the clerk's page: the login, the choice of desk, then the
// desk's current ticket, every action (buttons and keys) and the queue of
// the desk's services, which it keeps up to date by itself. Every action
// goes through the API and the office's single writer.
func (s *Server) deskPage(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r, "")
	p := deskPage{Lang: lang, T: map[string]string{}, States: map[string]string{}}
	for _, k := range deskKeys {
		p.T[k] = catalog.T(lang, "desk."+k)
	}
	for _, st := range []string{"called", "serving", "open", "paused", "closed"} {
		p.States[st] = catalog.T(lang, "desk.state."+st)
	}
	if s.Clerks != nil {
		clerk, ok := s.Clerks.Clerk(r)
		p.Clerk, p.Login = clerk, !ok
	}
	switch e := r.URL.Query().Get("error"); e {
	case "wrong_password", "too_many":
		p.Error = catalog.T(lang, "desk."+e)
	}
	want := dispenser.DeskID(r.URL.Query().Get("desk"))
	s.Office.View(func(d *dispenser.Dispenser, _ time.Time) {
		c := d.Config()
		p.Office = c.Name
		for _, dk := range c.Desks {
			p.Desks = append(p.Desks, deskLink{dk.ID, dk.Name})
		}
		for _, sv := range c.Services {
			p.Services = append(p.Services, serviceOption{sv.ID, sv.Name(dispenser.Lang(lang))})
		}
		if dk := d.Desk(want); dk != nil && !p.Login {
			p.Desk, p.DeskName, p.ServiceIDs = dk.ID, dk.Name, dk.Profile
		}
	})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if p.Login {
		w.WriteHeader(http.StatusUnauthorized)
	}
	if err := deskTmpl.Execute(w, p); err != nil {
		s.Log.Error("render the desk page", "err", err)
	}
}

// deskLogin is the login form's target: a session cookie and back to the
// desk page, or the page again with the reason.
func (s *Server) deskLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if s.Clerks == nil || r.ParseForm() != nil {
		http.Redirect(w, r, "/desk", http.StatusSeeOther)
		return
	}
	lang := pageLang(r, r.PostForm.Get("lang"))
	name := strings.TrimSpace(r.PostForm.Get("name"))
	token, locked, ok := s.Clerks.Login(clientAddr(r), name, r.PostForm.Get("password"))
	switch {
	case locked:
		http.Redirect(w, r, "/desk?lang="+lang+"&error=too_many", http.StatusSeeOther)
	case !ok:
		s.Log.Warn("clerk login refused", "name", name, "client", clientAddr(r))
		http.Redirect(w, r, "/desk?lang="+lang+"&error=wrong_password", http.StatusSeeOther)
	default:
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, MaxAge: int(SessionLife / time.Second)})
		s.Log.Info("clerk logged in", "name", name)
		http.Redirect(w, r, "/desk?lang="+lang, http.StatusSeeOther)
	}
}
