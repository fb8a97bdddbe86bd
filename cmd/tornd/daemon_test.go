package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"torn.cat/torn/idcard"
	"torn.cat/torn/internal/sdnotify/sdnotifytest"
)

// startDaemon runs a Daemon in-process on port 0 with a temporary store and
// the always-open office; it stops at the end of the test.
func startDaemon(t *testing.T, db string) (*Daemon, string) {
	t.Helper()
	return startDaemonWith(t, db, alwaysOpen)
}

// startDaemonWith is startDaemon with the config text conf.
func startDaemonWith(t *testing.T, db, conf string) (*Daemon, string) {
	t.Helper()
	d := startDaemonFull(t, db, conf, nil, nil)
	return d, "http://" + d.Addr().String()
}

// startDaemonFull runs a Daemon of conf with the store db, a fake document
// reader and fake panel hardware when given; it stops at the end of the
// test.
func startDaemonFull(t *testing.T, db, conf string, openReader func() (idcard.Reader, error), hw panelHW) *Daemon {
	t.Helper()
	cfg, err := ParseConfig("test.toml", []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB, cfg.Listen = db, "127.0.0.1:0"
	d := &Daemon{Config: cfg, Log: slog.New(slog.NewTextHandler(testWriter{t}, nil)), OpenReader: openReader}
	if hw != nil {
		d.OpenPanel = func() (panelHW, error) { return hw, nil }
	}
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

// TestAPIDayAtTheDesk walks one ticket through issue, call, recall, start,
// transfer, call at another desk and done.
func TestAPIDayAtTheDesk(t *testing.T) {
	_, base := startDaemon(t, filepath.Join(t.TempDir(), "torn.db"))
	post := func(path, body string, want int) {
		t.Helper()
		var e apiError
		st, err := call(base, "POST", path, body, &e)
		if err != nil || st != want {
			t.Fatalf("POST %s %s: status %d (%v), want %d: %+v", path, body, st, err, want, e)
		}
	}
	var a1 apiTicket
	if st, err := call(base, "POST", "/api/tickets", `{"service":"oac","lang":"es"}`, &a1); err != nil || st != 201 {
		t.Fatalf("issue: %d %v", st, err)
	}
	if a1.Number != "A001" || a1.State != "waiting" || len(a1.Token) < 22 || a1.Ahead == nil || *a1.Ahead != 0 {
		t.Fatalf("issued %+v", a1)
	}
	var p1 apiTicket
	call(base, "POST", "/api/tickets", `{"service":"padro"}`, &p1)
	post("/api/desks/taula1/next", `{"clerk":"anna"}`, 200) // A001: oac first at taula1
	post("/api/desks/taula1/recall", "", 200)
	post("/api/desks/taula1/start", "", 200)
	post("/api/desks/taula1/transfer", `{"to":"padro"}`, 200)
	post("/api/desks/taula2/next", "", 200) // A001 went to the head of padro
	var got apiTicket
	if st, _ := call(base, "GET", "/api/tickets/"+a1.ID, "", &got); st != 200 || got.State != "called" || got.Desk != "taula2" || got.Service != "padro" {
		t.Fatalf("after transfer and call: %d %+v", st, got)
	}
	post("/api/desks/taula2/done", "", 200)
	post("/api/desks/taula2/next", "", 200) // P001
	post("/api/desks/taula2/noshow", "", 200)
	post("/api/desks/taula2/pause", "", 200)
	post("/api/desks/taula2/close", "", 200)
	_, ts := listTickets(t, base)
	states := map[string]string{}
	for _, tk := range ts {
		states[tk.Number] = tk.State
	}
	if states["A001"] != "done" || states["P001"] != "noshow" {
		t.Fatalf("states %v", states)
	}
}

// TestAPIBadInputChangesNothing sends malformed and impossible requests:
// each gets a 4xx with a message, and the store gets no event.
func TestAPIBadInputChangesNothing(t *testing.T) {
	d, base := startDaemon(t, filepath.Join(t.TempDir(), "torn.db"))
	var tk apiTicket
	call(base, "POST", "/api/tickets", `{"service":"oac"}`, &tk)
	seq := d.store.LastSeq()
	for _, c := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"malformed JSON", "POST", "/api/tickets", `{"service":`, 400, "bad_json"},
		{"not an object", "POST", "/api/tickets", `["oac"]`, 400, "bad_json"},
		{"unknown field", "POST", "/api/tickets", `{"service":"oac","colour":"red"}`, 400, "bad_json"},
		{"two values", "POST", "/api/tickets", `{"service":"oac"}{"service":"oac"}`, 400, "bad_json"},
		{"oversize body", "POST", "/api/tickets", `{"service":"` + strings.Repeat("x", 20000) + `"}`, 413, "too_large"},
		{"no service", "POST", "/api/tickets", `{}`, 400, "invalid"},
		{"unknown service", "POST", "/api/tickets", `{"service":"casaments"}`, 404, "unknown_service"},
		{"unknown kind", "POST", "/api/tickets", `{"service":"oac","kind":"vip"}`, 400, "invalid"},
		{"unknown language", "POST", "/api/tickets", `{"service":"oac","lang":"fr"}`, 400, "invalid"},
		{"appointment without slot", "POST", "/api/tickets", `{"service":"oac","kind":"appointment"}`, 400, "invalid"},
		{"walk-in at appointment-only service", "POST", "/api/tickets", `{"service":"cita"}`, 409, "appointment_only"},
		{"priority where there is none", "POST", "/api/tickets", `{"service":"padro","kind":"priority"}`, 409, "no_priority"},
		{"appointment on another day", "POST", "/api/tickets", `{"service":"oac","kind":"appointment","slot":"2000-01-01T10:00:00Z"}`, 400, "invalid"},
		{"bad slot time", "POST", "/api/tickets", `{"service":"oac","kind":"appointment","slot":"at ten"}`, 400, "bad_json"},
		{"unknown desk", "POST", "/api/desks/taula9/next", "", 404, "unknown_desk"},
		{"unknown action", "POST", "/api/desks/taula1/dance", "", 404, "unknown_action"},
		{"done with nobody at the desk", "POST", "/api/desks/taula1/done", "", 409, "wrong_state"},
		{"recall with nobody at the desk", "POST", "/api/desks/taula1/recall", "", 409, "wrong_state"},
		{"nobody waiting for the desk", "POST", "/api/desks/taula2/next", `{"clerk":"x"}`, 200, ""}, // takes A001
		{"nobody waiting now", "POST", "/api/desks/taula1/next", "", 409, "nobody_waiting"},
		{"close with a ticket called", "POST", "/api/desks/taula2/close", "", 409, "wrong_state"},
		{"transfer without target", "POST", "/api/desks/taula2/transfer", `{}`, 400, "invalid"},
		{"transfer to unknown service", "POST", "/api/desks/taula2/transfer", `{"to":"nope"}`, 404, "unknown_service"},
		{"transfer to the same service", "POST", "/api/desks/taula2/transfer", `{"to":"oac"}`, 400, "invalid"},
		{"cancel a called ticket", "POST", "/api/tickets/" + tk.ID + "/cancel", "", 409, "wrong_state"},
		{"cancel an unknown ticket", "POST", "/api/tickets/nope/cancel", "", 404, "unknown_ticket"},
		{"unknown ticket", "GET", "/api/tickets/nope", "", 404, "unknown_ticket"},
		{"unknown path", "GET", "/api/nothing", "", 404, "not_found"},
		{"wrong method", "DELETE", "/api/tickets", "", 405, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := seq
			var e apiError
			st, _ := call(base, c.method, c.path, c.body, &e)
			if c.status == 405 {
				st, _ = call(base, c.method, c.path, c.body, nil)
			}
			if st != c.status || e.Code != c.code {
				t.Fatalf("%s %s: status %d code %q (%s), want %d %q", c.method, c.path, st, e.Code, e.Error, c.status, c.code)
			}
			if st >= 400 && e.Code != "" && e.Error == "" {
				t.Fatalf("no message with %d %s", st, e.Code)
			}
			seq = d.store.LastSeq()
			if st >= 400 && seq != before {
				t.Fatalf("a refused request recorded events %d..%d", before+1, seq)
			}
		})
	}
}

// TestShutdownKeepsCommittedTickets stops the daemon while clients issue
// tickets: every ticket whose call returned is in the store afterwards.
func TestShutdownKeepsCommittedTickets(t *testing.T) {
	db := filepath.Join(t.TempDir(), "torn.db")
	cfg := writeConfig(t, alwaysOpen)
	p := startTornd(t, cfg, db)
	var ids []string
	stop := time.After(300 * time.Millisecond)
	for loop := true; loop; {
		select {
		case <-stop:
			loop = false
		default:
			var tk apiTicket
			if st, err := call(p.base, "POST", "/api/tickets", `{"service":"oac"}`, &tk); err == nil && st == 201 {
				ids = append(ids, tk.ID)
			}
		}
	}
	go func() {
		for i := 0; i < 50; i++ {
			call(p.base, "POST", "/api/tickets", `{"service":"oac"}`, nil)
		}
	}()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Fatal("tornd did not stop within 15 s of SIGTERM")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM\n%s", code, p.log())
	}
	p2 := startTornd(t, cfg, db)
	_, ts := listTickets(t, p2.base)
	have := map[string]bool{}
	for _, tk := range ts {
		have[tk.ID] = true
	}
	for _, id := range ids {
		if !have[id] {
			t.Fatalf("ticket %s lost in a graceful shutdown", id)
		}
	}
	t.Logf("%d tickets issued before the shutdown, all there", len(ids))
}

// TestRefusesBadDatabase: tornd refuses to start on a file that is not a
// Torn database, naming the file.
func TestRefusesBadDatabase(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig("test.toml", []byte(alwaysOpen))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB, cfg.Listen = garbage, "127.0.0.1:0"
	d := &Daemon{Config: cfg, Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))}
	err = d.Open()
	if err == nil {
		d.Close()
		t.Fatal("tornd opened a file of garbage as its database")
	}
	if !strings.Contains(err.Error(), garbage) {
		t.Fatalf("error does not name the file: %v", err)
	}
	t.Logf("refused: %v", err)

	// The real binary says the same and exits 1.
	out, err := exec.Command(tornBinary(t), "run", "-config", writeConfig(t, alwaysOpen), "-db", garbage, "-listen", "127.0.0.1:0").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), garbage) {
		t.Fatalf("tornd on a garbage database: %v\n%s", err, out)
	}
}

// TestRefusesBadConfig: a config with mistakes is refused with exit code 2
// and every mistake named.
func TestRefusesBadConfig(t *testing.T) {
	bad := strings.Replace(alwaysOpen, `prefix = "P"`, `prefix = "A"`, 1) + "\n[[desk]]\nid = \"t9\"\nservices = [\"nope\"]\ncolour = \"red\"\n"
	out, err := exec.Command(tornBinary(t), "check", writeConfig(t, bad)).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), ": desk[3].colour: unknown key") {
		t.Fatalf("tornd check on a bad config: %v\n%s", err, out)
	}
	bad = strings.Replace(bad, "colour = \"red\"\n", "", 1)
	out, _ = exec.Command(tornBinary(t), "check", writeConfig(t, bad)).CombinedOutput()
	for _, want := range []string{`prefix "A" is already used by service "oac"`, `desk "t9": unknown service "nope"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("tornd check does not say %q:\n%s", want, out)
		}
	}
}

// TestSimulationMovesTheQueue: the demo's simulated citizens and clerks
// issue, call and finish tickets through the office.
func TestSimulationMovesTheQueue(t *testing.T) {
	d, base := startDaemon(t, filepath.Join(t.TempDir(), "torn.db"))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	Simulation{Arrival: 20 * time.Millisecond, Service: 30 * time.Millisecond, Step: 10 * time.Millisecond}.Run(ctx, d.Office())
	_, ts := listTickets(t, base)
	states := map[string]int{}
	for _, tk := range ts {
		states[tk.State]++
	}
	if len(ts) < 10 || states["done"] == 0 {
		t.Fatalf("after 1.5 s of simulation: %d tickets, states %v", len(ts), states)
	}
	t.Logf("%d tickets: %v", len(ts), states)
}

// TestSystemdNotify: under systemd, tornd says READY=1 once it serves,
// with the address, and pings the watchdog at half its timeout.
func TestSystemdNotify(t *testing.T) {
	ch := sdnotifytest.Listen(t, "")
	t.Setenv("WATCHDOG_USEC", "200000")
	d, _ := startDaemon(t, filepath.Join(t.TempDir(), "torn.db"))
	if m := sdnotifytest.Receive(t, ch); m != "READY=1\nSTATUS=serving on "+d.Addr().String() {
		t.Fatalf("first notification %q, want READY=1", m)
	}
	for range 2 {
		if m := sdnotifytest.Receive(t, ch); m != "WATCHDOG=1" {
			t.Fatalf("then %q, want WATCHDOG=1", m)
		}
	}
}
