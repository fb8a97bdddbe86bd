package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/idcard"
)

func put(t *testing.T, h http.Handler, path, contentType, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("PUT", path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// TestAppointmentsAPI loads a day's appointments from CSV, lists them
// without their hashes, checks one in by number and by hash, and refuses
// what is wrong: bad rows (all of them, nothing loaded), a past day, a
// wrong letter, a document with no appointment.
func TestAppointmentsAPI(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &clock{time.Date(2026, 11, 26, 9, 50, 0, 0, madrid)} // Thursday
	h := newServer(t, st, clk)
	hasher, _ := idcard.NewHasher([]byte(testKey))
	nieHash, _ := hasher.Hash("X1234567L")

	csv := "slot,service,document,document_hash,name\n" +
		"2026-11-26 10:00,oac,12345678Z,,Pere P.\n" +
		"2026-11-26 10:15,oac,," + nieHash + ",\n" +
		"2026-11-27 09:00,oac,99999999R,,\n"
	code, body := put(t, h, "/api/appointments", "text/csv", csv)
	if code != 200 || !strings.Contains(body, `"day": "2026-11-26"`) || !strings.Contains(body, `"appointments": 2`) || !strings.Contains(body, `"day": "2026-11-27"`) {
		t.Fatalf("PUT: %d %s", code, body)
	}
	_, list := getPage(t, h, "/api/appointments")
	if !strings.Contains(list, "Pere P.") || strings.Contains(list, nieHash) || strings.Contains(list, "document_hash") || strings.Contains(list, "12345678") {
		t.Errorf("the list shows hashes or numbers, or not the name:\n%s", list)
	}

	code, tk := do(t, h, "POST", "/api/checkin", `{"document": "12.345.678-z", "lang": "es"}`)
	if code != 201 || tk["number"] != "A001" || tk["kind"] != "appointment" || tk["token"] == "" || !strings.HasPrefix(tk["slot"].(string), "2026-11-26T10:00:00+01:00") {
		t.Errorf("check-in by number: %d %v", code, tk)
	}
	code, e := do(t, h, "POST", "/api/checkin", `{"document": "12345678Z"}`)
	if code != 409 || e["code"] != "checked_in" || !strings.Contains(e["error"].(string), "A001") {
		t.Errorf("second check-in: %d %v", code, e)
	}
	if _, page := getPage(t, h, "/t/"+tk["token"].(string)); !strings.Contains(page, "Cita a las 10:00") {
		t.Errorf("the phone's page does not say the appointment time:\n%s", page)
	}
	code, tk = do(t, h, "POST", "/api/checkin", `{"document_hash": "`+nieHash+`"}`)
	if code != 201 || tk["number"] != "A002" {
		t.Errorf("check-in by hash: %d %v", code, tk)
	}
	_, list = getPage(t, h, "/api/appointments")
	if !strings.Contains(list, `"ticket": "A001"`) || !strings.Contains(list, `"ticket": "A002"`) {
		t.Errorf("the list does not show who checked in:\n%s", list)
	}
	code, e = do(t, h, "POST", "/api/checkin", `{"document": "12345678A"}`)
	if code != 400 || e["code"] != "invalid_document" || strings.Contains(e["error"].(string), "12345678") {
		t.Errorf("wrong letter: %d %v", code, e)
	}
	code, e = do(t, h, "POST", "/api/checkin", `{"document": "99999999R"}`)
	if code != 409 || e["code"] != "not_today" || e["offer"] != "walkin" || !strings.HasPrefix(e["slot"].(string), "2026-11-27T09:00:00+01:00") {
		t.Errorf("tomorrow's appointment: %d %v", code, e)
	}
	code, e = do(t, h, "POST", "/api/checkin", `{"document": "00000000T"}`)
	if code != 409 || e["code"] != "no_appointment" {
		t.Errorf("no appointment: %d %v", code, e)
	}
	for _, body := range []string{`{}`, `{"document": "1", "document_hash": "2"}`} {
		if code, e := do(t, h, "POST", "/api/checkin", body); code != 400 || e["code"] != "invalid" {
			t.Errorf("%s: %d %v", body, code, e)
		}
	}

	// Bad rows: every one named, nothing loaded.
	bad := "slot,service,document\n2026-11-26 11:00,oac,12345678Z\n2026-11-26 11:00,padro,X1234567A\n,oac,\n"
	code, body = put(t, h, "/api/appointments", "text/csv", bad)
	for _, w := range []string{`"code": "bad_rows"`, `"row": 3`, `"column": "service"`, `"column": "document"`, `"row": 4`, `"column": "slot"`} {
		if !strings.Contains(body, w) {
			t.Errorf("bad rows: %d, answer lacks %s:\n%s", code, w, body)
		}
	}
	if code != 422 || strings.Contains(body, "X1234567") {
		t.Errorf("bad rows: %d %s", code, body)
	}
	if _, list2 := getPage(t, h, "/api/appointments"); list2 != list {
		t.Error("a refused file changed the books")
	}
	if code, body := put(t, h, "/api/appointments", "text/csv", "slot,service,document\n2026-11-25 10:00,oac,12345678Z\n"); code != 422 || !strings.Contains(body, "past_day") {
		t.Errorf("yesterday's file: %d %s", code, body)
	}
	if code, _ := put(t, h, "/api/appointments", "application/xml", "<x/>"); code != 415 {
		t.Errorf("XML: %d, want 415", code)
	}
	if code, _ := do(t, h, "DELETE", "/api/appointments/2026-11-27", ""); code != 200 {
		t.Errorf("DELETE: %d", code)
	}
	if code, e := do(t, h, "POST", "/api/checkin", `{"document": "99999999R"}`); code != 409 || e["code"] != "no_appointment" {
		t.Errorf("after DELETE: %d %v", code, e)
	}
}

// TestKioskCheckInInWords: the kiosk says what became of a typed number
// in the citizen's language, and offers what the rules give.
func TestKioskCheckInInWords(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &clock{time.Date(2026, 11, 26, 9, 0, 0, 0, madrid)}
	h := newServer(t, st, clk)
	put(t, h, "/api/appointments", "text/csv", "slot,service,document\n2026-11-26 10:00,oac,12345678Z\n")
	for _, tt := range []struct {
		lang, number string
		code         int
		want         string
	}{
		{"ca", "12345678Z", 409, "La vostra cita és a les 10:00. Podeu confirmar-la a partir de les 09:30."},
		{"es", "12345678B", 409, "La letra no corresponde al número."},
		{"en", "12", 409, "This number is not valid."},
		{"en", "00000000T", 409, "We find no appointment today for this document. You can take a ticket without an appointment."},
	} {
		code, body := postForm(t, h, "/kiosk/checkin", url.Values{"number": {tt.number}, "lang": {tt.lang}})
		if code != tt.code || !strings.Contains(body, tt.want) {
			t.Errorf("%s %s: %d, want %d and %q:\n%s", tt.lang, tt.number, code, tt.code, tt.want, body)
		}
	}
	clk.t = time.Date(2026, 11, 26, 9, 40, 0, 0, madrid)
	code, body := postForm(t, h, "/kiosk/checkin", url.Values{"number": {"12345678z"}, "lang": {"en"}})
	if code != 200 || !strings.Contains(body, "A001") || !strings.Contains(body, "Appointment at 10:00") {
		t.Errorf("check-in: %d\n%s", code, body)
	}
}

// TestKioskEvents: a kiosk page listening on /kiosk/events hears of each
// reader scan, and /kiosk/scan/{n} shows it.
func TestKioskEvents(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &clock{time.Date(2026, 11, 26, 9, 55, 0, 0, madrid)}
	log := discardLog()
	h, o := newServerOffice(t, st, clk)
	hasher, _ := idcard.NewHasher([]byte(testKey))
	ci := &CheckIns{Office: o, Hash: hasher.Hash, Log: log}
	srv := httptest.NewServer((&Server{Office: o, Log: log, CheckIns: ci}).Handler())
	defer srv.Close()
	put(t, h, "/api/appointments", "text/csv", "slot,service,document\n2026-11-26 10:00,oac,99999999R\n")

	resp, err := http.Get(srv.URL + "/kiosk/events?lang=es")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	buf := make([]byte, 256)
	n, _ := resp.Body.Read(buf) // the retry line: the stream is open and subscribed
	if !strings.Contains(string(buf[:n]), "retry:") {
		t.Fatalf("stream starts with %q", buf[:n])
	}
	res := ci.Scan(idcard.Scan{Lines: []string{"IDESPBAA000589599999999R<<<<<<", "8001014F2501017ESP<<<<<<<<<<<7", "ESPANOLA<ESPANOLA<<CARMEN<<<<<"}})
	if res.Err != nil || res.Ticket.Number != "A001" || res.Ticket.Lang != dispenser.Spanish {
		t.Fatalf("scan: %+v", res)
	}
	n, _ = resp.Body.Read(buf)
	if got := string(buf[:n]); got != "data: 1\n\n" {
		t.Errorf("event %q, want data: 1", got)
	}
	_, page := getPage(t, srv.Config.Handler, "/kiosk/scan/1?lang=es")
	if !strings.Contains(page, "A001") || !strings.Contains(page, "Cita a las 10:00") {
		t.Errorf("scan page:\n%s", page)
	}
	if code, _ := getPage(t, srv.Config.Handler, "/kiosk/scan/99"); code != http.StatusSeeOther {
		t.Errorf("unknown scan: %d, want a redirect to the kiosk", code)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestScanSpanishPassport: a Spanish passport checks in the appointment
// booked with the DNI it carries.
func TestScanSpanishPassport(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &clock{time.Date(2026, 11, 26, 9, 55, 0, 0, madrid)}
	h, o := newServerOffice(t, st, clk)
	hasher, _ := idcard.NewHasher([]byte(testKey))
	ci := &CheckIns{Office: o, Hash: hasher.Hash, Log: discardLog()}
	put(t, h, "/api/appointments", "text/csv", "slot,service,document\n2026-11-26 10:00,oac,99999999R\n")
	res := ci.Scan(idcard.Scan{Lines: []string{"P<ESPESPANOLA<ESPANOLA<<CARMEN<<<<<<<<<<<<<<", "PAA1234560ESP8001014F300101999999999R<<<<<52"}})
	if res.Err != nil || res.Ticket.Kind != dispenser.Appointment {
		t.Errorf("Spanish passport: %+v, want the DNI's appointment checked in", res)
	}
	res = ci.Scan(idcard.Scan{Lines: []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}})
	var ref *dispenser.Refusal
	if !errors.As(res.Err, &ref) || ref.Reason != dispenser.RefusedNoAppointment {
		t.Errorf("a passport with no appointment: %v", res.Err)
	}
}
