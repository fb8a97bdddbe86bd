package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

func getPage(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

// TestTicketPage follows a ticket on the citizen's page through its life,
// in the three languages: position and wait while waiting, "go to Taula 1
// now" when called, a last word when done; it refreshes itself (meta
// refresh, no JavaScript) only while there is something to wait for, and
// every text comes from the catalogue.
func TestTicketPage(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	h := newServer(t, st, &clock{time.Date(2026, 11, 26, 10, 0, 0, 0, madrid)})
	_, first := do(t, h, "POST", "/api/tickets", `{"service":"oac"}`)
	_, mine := do(t, h, "POST", "/api/tickets", `{"service":"oac","lang":"es"}`)
	path := "/t/" + mine["token"].(string)
	// What the API told the citizen: the estimate and its range, in seconds.
	if mine["wait_seconds"] != 1800.0 || mine["wait_low_seconds"] != 1170.0 || mine["wait_high_seconds"] != 2850.0 {
		t.Errorf("issued: wait %v s, range %v–%v s; want 1800, 1170–2850", mine["wait_seconds"], mine["wait_low_seconds"], mine["wait_high_seconds"])
	}

	check := func(stage string, want []string, refresh bool) {
		t.Helper()
		for _, lang := range []string{"", "?lang=ca", "?lang=en"} {
			code, body := getPage(t, h, path+lang)
			if code != 200 {
				t.Fatalf("%s %s: status %d", stage, lang, code)
			}
			if strings.Contains(body, ">!") || strings.Contains(body, "!page.") || strings.Contains(body, "!ticket.") {
				t.Errorf("%s %s: a catalogue key is missing:\n%s", stage, lang, body)
			}
			if got := strings.Contains(body, `http-equiv="refresh"`); got != refresh {
				t.Errorf("%s %s: meta refresh %v, want %v", stage, lang, got, refresh)
			}
			if strings.Contains(body, "<script") {
				t.Errorf("%s %s: the page needs JavaScript", stage, lang)
			}
			if lang == "" { // the ticket's own language, Spanish
				for _, w := range want {
					if !strings.Contains(body, w) {
						t.Errorf("%s: page lacks %q:\n%s", stage, w, body)
					}
				}
			}
		}
	}
	// A 30-minute estimate before any call today: −30 % to +50 % of 35 min.
	check("waiting", []string{"A002", "1 persona delante", "Espera aproximada: 20-48 min", `lang="es"`}, true)
	do(t, h, "POST", "/api/desks/taula1/next", "")
	check("first one called", []string{"Es usted el siguiente"}, true)
	do(t, h, "POST", "/api/desks/taula1/next", "")
	check("called", []string{"Vaya a Taula 1 ahora"}, true)
	do(t, h, "POST", "/api/desks/taula1/start", "")
	check("served", []string{"Le atienden en Taula 1"}, false)
	do(t, h, "POST", "/api/desks/taula1/done", "")
	check("done", []string{"Ya le han atendido"}, false)
	if code, body := getPage(t, h, path+"?lang=ca"); code != 200 || !strings.Contains(body, "Ja us han atès") {
		t.Errorf("?lang=ca: %d\n%s", code, body)
	}
	if first["token"] == mine["token"] {
		t.Fatal("two tickets share a token")
	}
}

func TestTicketPageNotFound(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	h := newServer(t, st, &clock{time.Date(2026, 11, 26, 10, 0, 0, 0, madrid)})
	for path, want := range map[string]string{
		"/t/nope":         "No hem trobat aquest torn",
		"/t/nope?lang=en": "We could not find this ticket",
		"/t/nope?lang=fr": "No hem trobat aquest torn",
	} {
		code, body := getPage(t, h, path)
		if code != 404 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want 404 saying %q:\n%s", path, code, want, body)
		}
	}
}
