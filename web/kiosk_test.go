package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

func postForm(t *testing.T, h http.Handler, path string, form url.Values) (int, string) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// TestKioskInWords: the kiosk says in words why a service gives no ticket
// (closed until when, cut-off), and with the printer out it says so and
// offers the ticket on screen, which is issued unprinted.
func TestKioskInWords(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &clock{time.Date(2026, 11, 26, 15, 0, 0, 0, madrid)} // Thursday lunch
	h, o := newServerOffice(t, st, clk)
	if _, body := getPage(t, h, "/kiosk"); !strings.Contains(body, "Tancat ara. Obre 26/11 16:00.") || !strings.Contains(body, "disabled") {
		t.Errorf("kiosk at lunch:\n%s", body)
	}
	clk.t = time.Date(2026, 11, 26, 10, 0, 0, 0, madrid)
	code, body := postForm(t, h, "/kiosk/issue", url.Values{"service": {"oac"}, "lang": {"en"}})
	if code != 200 || !strings.Contains(body, "A001") || !strings.Contains(body, "Your ticket is printing.") || !strings.Contains(body, "/qr.png") {
		t.Fatalf("issue at the kiosk: %d\n%s", code, body)
	}
	if _, err := o.Do(dispenser.SetPrinter{Ready: false, Reason: "paper out"}); err != nil {
		t.Fatal(err)
	}
	_, body = getPage(t, h, "/kiosk?lang=ca")
	if !strings.Contains(body, "No podem imprimir (paper out)") || !strings.Contains(body, "Mostra el torn a la pantalla") {
		t.Errorf("kiosk with the paper out:\n%s", body)
	}
	if code, body := postForm(t, h, "/kiosk/issue", url.Values{"service": {"oac"}}); code != 409 || !strings.Contains(body, "No podem imprimir") {
		t.Errorf("issue for paper with the paper out: %d", code)
	}
	code, body = postForm(t, h, "/kiosk/issue", url.Values{"service": {"oac"}, "no_paper": {"1"}})
	if code != 200 || !strings.Contains(body, "A002") || !strings.Contains(body, "Feu una foto del codi") {
		t.Fatalf("on-screen ticket: %d\n%s", code, body)
	}
	if tk := st.tickets; len(tk) != 2 {
		t.Fatalf("%d tickets stored, want 2", len(tk))
	}
	for _, tk := range st.tickets {
		if tk.Number == "A002" && !tk.NoPaper {
			t.Error("the on-screen ticket is marked for paper")
		}
		if code, _ := getPage(t, h, "/t/"+tk.Token+"/qr.png"); code != 200 {
			t.Errorf("QR of %s: %d", tk.Number, code)
		}
	}
	if code, _ := getPage(t, h, "/t/nope/qr.png"); code != 404 {
		t.Errorf("QR of an unknown ticket: %d", code)
	}
}

// TestKioskCutOffCounts: past the cut-off a service's button looks refused
// and says why, but stays pressable: the citizen who presses all the same
// is told why, gets no ticket, and is recorded as turned away.
func TestKioskCutOffCounts(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &clock{time.Date(2026, 11, 26, 18, 44, 0, 0, madrid)} // Thursday afternoon
	h, _ := newServerOffice(t, st, clk)
	if code, body := postForm(t, h, "/kiosk/issue", url.Values{"service": {"oac"}}); code != 200 {
		t.Fatalf("first ticket: %d\n%s", code, body)
	}
	clk.t = clk.t.Add(time.Minute) // one citizen ahead: past 19:00
	_, body := getPage(t, h, "/kiosk?lang=ca")
	if !strings.Contains(body, `class="cutoff"`) || strings.Contains(body, " disabled") || !strings.Contains(body, `class="why"`) {
		t.Fatalf("kiosk past the cut-off:\n%s", body)
	}
	before := len(st.tickets)
	code, body := postForm(t, h, "/kiosk/issue", url.Values{"service": {"oac"}, "lang": {"ca"}})
	if code != http.StatusConflict || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("pressed past the cut-off: %d\n%s", code, body)
	}
	if len(st.tickets) != before {
		t.Error("a ticket was issued past the cut-off")
	}
	if n := len(st.types); n == 0 || st.types[n-1] != dispenser.TicketRefused {
		t.Errorf("events %v: want the refusal recorded last", st.types)
	}
}
