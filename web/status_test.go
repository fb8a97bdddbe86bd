package web

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/uplink"
)

// TestStatusShowsQueueDesksDevicesAndSync: /api/status, open on the LAN
// even with clerk accounts, gives each service's queue (waiting, longest
// wait, next numbers in calling order), the desks, the devices and the
// link to central, and judges the office's health: a reader offline is
// trouble, central away only a warning.
func TestStatusShowsQueueDesksDevicesAndSync(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, madrid) }
	clk := &clock{at(9, 0)}
	s, _, o := metricsServer(t, masnouOffice(), clk)
	s.Clerks = &Clerks{Hashes: map[string]string{"anna": "x"}}
	h := s.Handler()
	devs := []DeviceStatus{{Name: "printer", Kind: "printer", State: DeviceOK},
		{Name: "document reader", Kind: "reader", State: DeviceOK, Detail: "serial /dev/ttyACM0"}}
	s.Devices = func() []DeviceStatus { return devs }
	s.Sync = func() uplink.Status {
		return uplink.Status{Since: at(9, 1), Backlog: 4, LastError: "dial tcp: connection refused"}
	}
	for _, c := range []dispenser.Command{
		dispenser.Issue{Service: "oac", Kind: dispenser.WalkIn},                       // A001 9:00
		dispenser.Issue{Service: "oac", Kind: dispenser.WalkIn},                       // A002
		dispenser.Issue{Service: "oac", Kind: dispenser.Appointment, Slot: at(9, 10)}, // A003, due at 9:05
		dispenser.Issue{Service: "oac", Kind: dispenser.WalkIn},                       // A004
		dispenser.Issue{Service: "oac", Kind: dispenser.WalkIn},                       // A005
		dispenser.CallNext{Desk: "taula1", Clerk: "anna"},                             // A001
	} {
		if _, err := o.Do(c); err != nil {
			t.Fatal(err)
		}
	}
	clk.t = at(9, 7)
	get := func() (int, statusBody, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/status", nil))
		var b statusBody
		if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
			t.Fatalf("/api/status: %v\n%s", err, rec.Body)
		}
		return rec.Code, b, rec.Body.String()
	}
	code, b, raw := get()
	if code != 200 || b.Status != HealthOK || b.Office != "masnou" || len(b.Problems) != 0 {
		t.Fatalf("status %d %s %v\n%s", code, b.Status, b.Problems, raw)
	}
	if len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0], "not connected to central: dial tcp: connection refused (4 events") {
		t.Errorf("warnings %q", b.Warnings)
	}
	sv := b.Services[0]
	// At 9:07 the 9:10 appointment is due: it goes before the walk-ins.
	if sv.ID != "oac" || sv.Waiting != 4 || sv.LongestWaitSeconds != 7*60 || strings.Join(sv.Next, " ") != "A003 A002 A004" || sv.Issued != 5 {
		t.Errorf("service %+v", sv)
	}
	if d := b.Desks[0]; d.ID != "taula1" || d.State != dispenser.DeskOpen || d.Current != "A001" || d.CurrentState != dispenser.Called || d.Clerk != "anna" {
		t.Errorf("desk %+v", d)
	}
	if len(b.Devices) != 2 || b.Central == nil || b.Central.Backlog != 4 || b.Central.Connected {
		t.Errorf("devices %+v central %+v", b.Devices, b.Central)
	}
	for _, secret := range []string{"token", "document_hash", "DocumentHash"} {
		if strings.Contains(raw, secret) {
			t.Errorf("/api/status shows %s:\n%s", secret, raw)
		}
	}

	// A device offline is trouble; /healthz lists the devices.
	devs[1].State, devs[1].Detail = DeviceOffline, "open /dev/ttyACM0: no such file or directory"
	if _, b, _ = get(); b.Status != HealthTrouble || len(b.Problems) != 1 || !strings.Contains(b.Problems[0], "document reader offline: open /dev/ttyACM0") {
		t.Errorf("with the reader unplugged: %s %q", b.Status, b.Problems)
	}
	code, hz := do(t, h, "GET", "/healthz", "")
	if ds, _ := hz["devices"].([]any); code != 200 || hz["status"] != "ok" || len(ds) != 2 || ds[1].(map[string]any)["state"] != "offline" {
		t.Errorf("healthz %d %v", code, hz)
	}

	// The printer out of paper is trouble.
	devs[1].State = DeviceOK
	if _, err := o.Do(dispenser.SetPrinter{Ready: false, Reason: "paper out"}); err != nil {
		t.Fatal(err)
	}
	if _, b, _ = get(); b.Status != HealthTrouble || len(b.Problems) != 1 || !strings.Contains(b.Problems[0], "paper out") {
		t.Errorf("with the paper out: %s %q", b.Status, b.Problems)
	}
}

// TestStatusWhenStopped: after a store failure /api/status answers 503
// with its whole body, saying why.
func TestStatusWhenStopped(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &clock{time.Date(2026, 11, 26, 9, 0, 0, 0, madrid)}
	h, o := newServerOffice(t, st, clk)
	do(t, h, "POST", "/api/tickets", `{"service":"oac"}`)
	st.failCommit, st.failLoad = errors.New("disk on fire"), errors.New("disk on fire")
	if _, err := o.Do(dispenser.Issue{Service: "oac", Kind: dispenser.WalkIn}); err == nil {
		t.Fatal("the office took a ticket with a broken store")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/status", nil))
	var b statusBody
	json.Unmarshal(rec.Body.Bytes(), &b)
	if rec.Code != 503 || b.Status != HealthStopped || len(b.Services) != 1 || b.Services[0].Waiting < 1 ||
		len(b.Problems) == 0 || !strings.Contains(b.Problems[0], "disk on fire") {
		t.Fatalf("/api/status of a stopped office: %d\n%s", rec.Code, rec.Body)
	}
	if code, _ := do(t, h, "GET", "/healthz", ""); code != 503 {
		t.Fatalf("/healthz of a stopped office: %d", code)
	}
	text, _ := getMetrics(t, h)
	if !strings.Contains(text, "torn_office_ok 0\n") {
		t.Errorf("metrics of a stopped office:\n%s", text)
	}
}
