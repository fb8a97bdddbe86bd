package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/idcard"
	"torn.cat/torn/office"
)

// memStore is an in-memory office.Store whose Commit and Load can be made
// to fail.
type memStore struct {
	tickets              map[dispenser.TicketID]dispenser.Ticket
	types                []dispenser.EventType // of the events committed
	seq                  uint64
	failCommit, failLoad error
}

func (m *memStore) Load() (dispenser.Snapshot, error) {
	if m.failLoad != nil {
		return dispenser.Snapshot{}, m.failLoad
	}
	var s dispenser.Snapshot
	for _, t := range m.tickets {
		s.Tickets, s.Day = append(s.Tickets, t), t.Day
	}
	return s, nil
}

func (m *memStore) Commit(evs []dispenser.Event) error {
	if m.failCommit != nil {
		return m.failCommit
	}
	for i := range evs {
		m.seq++
		evs[i].Seq = m.seq
		m.types = append(m.types, evs[i].Type)
		if evs[i].Ticket != nil {
			m.tickets[evs[i].Ticket.ID] = *evs[i].Ticket
		}
	}
	return nil
}

var madrid, _ = time.LoadLocation("Europe/Madrid")

// masnouOffice: Mon–Fri 8:30–14:00 and Thu 16:00–19:00, one desk, long
// service times so that the cut-off comes early.
func masnouOffice() dispenser.Config {
	var h dispenser.Hours
	for wd := time.Monday; wd <= time.Friday; wd++ {
		h.Weekly[wd] = []dispenser.Range{{From: 8*60 + 30, To: 14 * 60}}
	}
	h.Weekly[time.Thursday] = append(h.Weekly[time.Thursday], dispenser.Range{From: 16 * 60, To: 19 * 60})
	return dispenser.Config{
		Office:   "masnou",
		Location: madrid,
		Services: []dispenser.Service{
			{ID: "oac", Prefix: "A", Names: map[dispenser.Lang]string{"ca": "OAC"}, ServiceTime: 30 * time.Minute, Hours: h},
		},
		Desks: []dispenser.Desk{{ID: "taula1", Name: "Taula 1", Profile: []dispenser.ServiceID{"oac"}}},
	}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newServer(t *testing.T, st *memStore, clk *clock) http.Handler {
	t.Helper()
	h, _ := newServerOffice(t, st, clk)
	return h
}

func newServerOffice(t *testing.T, st *memStore, clk *clock) (http.Handler, *office.Office) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o, err := office.Open(masnouOffice(), st, office.Options{Now: clk.now, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	h, err := idcard.NewHasher([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	ci := &CheckIns{Office: o, Hash: h.Hash, Log: log}
	return (&Server{Office: o, Log: log, TrackingURL: "https://torn.example.cat/t/", CheckIns: ci}).Handler(), o
}

// testKey is the office key of the tests.
const testKey = "0123456789abcdef0123456789abcdef"

func do(t *testing.T, h http.Handler, method, path, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	var out map[string]any
	if rec.Body.Len() > 0 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %q", method, path, rec.Body)
		}
	}
	return rec.Code, out
}

func TestRefusalsSayWhyAndUntilWhen(t *testing.T) {
	thursday := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, madrid) }
	for _, c := range []struct {
		name  string
		at    time.Time
		code  string
		until time.Time
	}{
		{"closed at lunch, opens at 16:00", thursday(15, 0), "closed", thursday(16, 0)},
		{"closed in the evening, opens Friday 8:30", thursday(19, 30), "closed", time.Date(2026, 11, 27, 8, 30, 0, 0, madrid)},
		{"cut-off before the afternoon closes", thursday(18, 45), "cutoff", thursday(19, 0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
			clk := &clock{c.at}
			h := newServer(t, st, clk)
			if c.code == "cutoff" { // one citizen ahead: 30 minutes, past 19:00
				clk.t = c.at.Add(-time.Minute)
				if st, body := do(t, h, "POST", "/api/tickets", `{"service":"oac"}`); st != 201 {
					t.Fatalf("first ticket: %d %v", st, body)
				}
				clk.t = c.at
			}
			before := len(st.tickets)
			status, body := do(t, h, "POST", "/api/tickets", `{"service":"oac"}`)
			if status != http.StatusConflict || body["code"] != c.code || body["error"] == "" {
				t.Fatalf("got %d %v, want 409 %s", status, body, c.code)
			}
			until, _ := time.Parse(time.RFC3339, body["until"].(string))
			if !until.Equal(c.until) {
				t.Fatalf("until %v, want %v", until, c.until)
			}
			if len(st.tickets) != before { // the day may start; no ticket may
				t.Fatal("a refused ticket was recorded")
			}
			// The office page says the same before anyone presses.
			_, off := do(t, h, "GET", "/api/office", "")
			sv := off["services"].([]any)[0].(map[string]any)
			if sv["issuing"] != false || sv["refused"] != c.code {
				t.Fatalf("office page says %v", sv)
			}
		})
	}
}

func TestStoreFailures(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	h := newServer(t, st, &clock{time.Date(2026, 11, 26, 10, 0, 0, 0, madrid)})
	if code, _ := do(t, h, "POST", "/api/tickets", `{"service":"oac"}`); code != 201 {
		t.Fatalf("issue: %d", code)
	}
	// A commit that fails while the store still loads: 500, nothing changed.
	st.failCommit = errors.New("disk full")
	if code, body := do(t, h, "POST", "/api/tickets", `{"service":"oac"}`); code != 500 || body["code"] != "internal" {
		t.Fatalf("failed commit: %d %v", code, body)
	}
	if code, _ := do(t, h, "GET", "/healthz", ""); code != 200 {
		t.Fatalf("healthz after a failed commit that reloaded: %d", code)
	}
	// A commit that fails and a store that cannot be read: out of service.
	st.failLoad = errors.New("i/o error")
	do(t, h, "POST", "/api/tickets", `{"service":"oac"}`)
	if code, body := do(t, h, "GET", "/healthz", ""); code != 503 || body["code"] != "stopped" {
		t.Fatalf("healthz with a broken store: %d %v", code, body)
	}
	if code, body := do(t, h, "POST", "/api/desks/taula1/next", ""); code != 503 || body["code"] != "stopped" {
		t.Fatalf("desk action with a broken store: %d %v", code, body)
	}
}

func TestQueueInCallingOrder(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &clock{time.Date(2026, 11, 26, 9, 0, 0, 0, madrid)}
	h := newServer(t, st, clk)
	for _, body := range []string{`{"service":"oac"}`, `{"service":"oac","kind":"appointment","slot":"2026-11-26T09:05:00+01:00"}`, `{"service":"oac"}`} {
		if code, b := do(t, h, "POST", "/api/tickets", body); code != 201 {
			t.Fatalf("issue %s: %d %v", body, code, b)
		}
		clk.t = clk.t.Add(time.Minute)
	}
	_, q := do(t, h, "GET", "/api/queue", "")
	var order []string
	for _, tk := range q["services"].([]any)[0].(map[string]any)["waiting"].([]any) {
		m := tk.(map[string]any)
		order = append(order, m["number"].(string))
		if _, has := m["token"]; has {
			t.Fatal("the queue shows tracking tokens")
		}
	}
	// At 9:03 the 9:05 appointment is due (5 minutes before): it goes first.
	if strings.Join(order, " ") != "A002 A001 A003" {
		t.Fatalf("queue order %v, want A002 A001 A003", order)
	}
}

func TestMetricsShowThePrinter(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	h := newServer(t, st, &clock{time.Date(2026, 11, 26, 10, 0, 0, 0, madrid)})
	do(t, h, "POST", "/api/tickets", `{"service":"oac"}`)
	body := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		return rec.Body.String()
	}
	for _, want := range []string{"torn_printer_ready 1\n", `torn_tickets{service="oac",state="waiting"} 1`, `torn_desk_open{desk="taula1"} 0`} {
		if !strings.Contains(body(), want) {
			t.Errorf("metrics lack %q:\n%s", want, body())
		}
	}
	// The printer's state arrives as a command, as the monitor sends it.
	if code, b := do(t, h, "GET", "/healthz", ""); code != 200 || b["printer"].(map[string]any)["ready"] != true {
		t.Fatalf("healthz %d %v", code, b)
	}
}
