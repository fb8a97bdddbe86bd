package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
)

func TestDeskNeedsAClerk(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("anna's secret"), bcrypt.MinCost)
	clk := &clock{time.Date(2026, 11, 26, 10, 0, 0, 0, madrid)}
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o, err := office.Open(masnouOffice(), st, office.Options{Now: clk.now, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	clerks := &Clerks{Hashes: map[string]string{"anna": string(hash)}, Now: clk.now}
	h := (&Server{Office: o, Log: log, Clerks: clerks}).Handler()
	send := func(method, path, body string, cookie *http.Cookie, addr string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.RemoteAddr = addr + ":1234"
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	do(t, h, "POST", "/api/tickets", `{"service":"oac"}`)

	if rec := send("POST", "/api/desks/taula1/next", "", nil, "10.0.0.9"); rec.Code != 401 || !strings.Contains(rec.Body.String(), "login_required") {
		t.Fatalf("desk action without a session: %d %s", rec.Code, rec.Body)
	}
	if rec := send("POST", "/api/login", `{"name":"anna","password":"guess"}`, nil, "10.0.0.9"); rec.Code != 401 || !strings.Contains(rec.Body.String(), "wrong name or password") {
		t.Fatalf("wrong password: %d %s", rec.Code, rec.Body)
	}
	if rec := send("POST", "/api/login", `{"name":"nobody","password":"x"}`, nil, "10.0.0.9"); rec.Code != 401 {
		t.Fatalf("unknown clerk: %d", rec.Code)
	}
	for range MaxFailures - 2 {
		send("POST", "/api/login", `{"name":"anna","password":"guess"}`, nil, "10.0.0.9")
	}
	if rec := send("POST", "/api/login", `{"name":"anna","password":"anna's secret"}`, nil, "10.0.0.9"); rec.Code != 429 {
		t.Fatalf("after %d wrong passwords the right one: %d, want 429", MaxFailures, rec.Code)
	}
	clk.t = clk.t.Add(FailureWindow)
	rec := send("POST", "/api/login", `{"name":"anna","password":"anna's secret"}`, nil, "10.0.0.9")
	if rec.Code != 200 {
		t.Fatalf("login after the lock-out: %d %s", rec.Code, rec.Body)
	}
	cookie := rec.Result().Cookies()[0]
	if cookie.Name != SessionCookie || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v", cookie)
	}
	if rec := send("POST", "/api/desks/taula1/next", `{"clerk":"mallory"}`, cookie, "10.0.0.9"); rec.Code != 200 {
		t.Fatalf("desk action with a session: %d %s", rec.Code, rec.Body)
	}
	o.View(func(d *dispenser.Dispenser, _ time.Time) {
		if ds := d.Desks()[0]; ds.Clerk != "anna" {
			t.Errorf("desk's clerk %q, want the session's, anna", ds.Clerk)
		}
	})
	clk.t = clk.t.Add(SessionLife + time.Minute)
	if rec := send("POST", "/api/desks/taula1/done", "", cookie, "10.0.0.9"); rec.Code != 401 {
		t.Fatalf("expired session: %d", rec.Code)
	}
	rec = send("POST", "/api/login", `{"name":"anna","password":"anna's secret"}`, nil, "10.0.0.9")
	cookie = rec.Result().Cookies()[0]
	send("POST", "/api/logout", "", cookie, "10.0.0.9")
	if rec := send("POST", "/api/desks/taula1/done", "", cookie, "10.0.0.9"); rec.Code != 401 {
		t.Fatalf("after logout: %d", rec.Code)
	}
}

// TestClerksSetHashes: a reload's accounts take over; a removed clerk and
// a clerk with a new password are logged out, the others stay.
func TestClerksSetHashes(t *testing.T) {
	hash := func(pw string) string {
		h, _ := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		return string(h)
	}
	anna, joan, pere := hash("a"), hash("j"), hash("p")
	c := &Clerks{Hashes: map[string]string{"anna": anna, "joan": joan, "pere": pere}}
	session := func(name, pw string) *http.Request {
		tok, _, ok := c.Login("10.0.0.1", name, pw)
		if !ok {
			t.Fatalf("login %s", name)
		}
		r := httptest.NewRequest("GET", "/desk", nil)
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: tok})
		return r
	}
	ra, rj, rp := session("anna", "a"), session("joan", "j"), session("pere", "p")
	c.SetHashes(map[string]string{"anna": anna, "joan": hash("new"), "marta": hash("m")})
	if name, ok := c.Clerk(ra); !ok || name != "anna" {
		t.Error("anna, unchanged, was logged out")
	}
	if _, ok := c.Clerk(rj); ok {
		t.Error("joan's session outlived a new password")
	}
	if _, ok := c.Clerk(rp); ok {
		t.Error("pere's session outlived his account")
	}
	if _, _, ok := c.Login("10.0.0.2", "marta", "m"); !ok {
		t.Error("a new clerk cannot log in")
	}
	if _, _, ok := c.Login("10.0.0.3", "pere", "p"); ok {
		t.Error("a removed clerk can log in")
	}
}
