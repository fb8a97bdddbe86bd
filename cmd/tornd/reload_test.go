package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReloadOnSIGHUP: a running tornd rereads its file on SIGHUP. A good
// change takes effect at once (a new service and its desk, the office's
// name); a printer added waits for a restart, and the log
// says so; a bad file is refused with its problems in the log, and the
// daemon serves on with the config it had.
func TestReloadOnSIGHUP(t *testing.T) {
	path := writeConfig(t, alwaysOpen)
	p := startTornd(t, path, t.TempDir()+"/torn.db")
	var office struct {
		Name     string `json:"name"`
		Services []struct {
			ID string `json:"id"`
		} `json:"services"`
	}
	get := func() {
		t.Helper()
		office.Services = nil
		if code, err := call(p.base, "GET", "/api/office", "", &office); code != 200 || err != nil {
			t.Fatalf("GET /api/office: %d %v", code, err)
		}
	}
	hup := func(body, wantLog string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		before := strings.Count(p.log(), wantLog)
		if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); strings.Count(p.log(), wantLog) == before; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the log after SIGHUP:\n%s", wantLog, p.log())
			}
		}
	}
	if code, _ := call(p.base, "POST", "/api/tickets", `{"service":"oac"}`, nil); code != 201 {
		t.Fatalf("issue: %d", code)
	}

	good := strings.Replace(alwaysOpen, `name = "Test office"`, `name = "OAC del Masnou"`, 1) + `
[[service]]
id = "cens"
prefix = "E"
name = { ca = "Cens electoral" }

[[desk]]
id = "taula9"
services = ["cens"]

[printer]
transport = "virtual"
`
	hup(good, "msg=\"config reloaded\"")
	get()
	if office.Name != "OAC del Masnou" || len(office.Services) != 4 || office.Services[3].ID != "cens" {
		t.Fatalf("after a good reload: %+v", office)
	}
	var tk struct {
		Number string `json:"number"`
	}
	if code, err := call(p.base, "POST", "/api/tickets", `{"service":"cens"}`, &tk); code != 201 || tk.Number != "E001" {
		t.Fatalf("a ticket of the new service: %d %v %+v", code, err, tk)
	}
	if code, _ := call(p.base, "POST", "/api/tickets", `{"service":"oac"}`, &tk); code != 201 || tk.Number != "A002" {
		t.Fatalf("the day's numbers after a reload: %d %+v", code, tk)
	}
	if !strings.Contains(p.log(), `keys=printer.transport`) {
		t.Errorf("the log does not say printer.transport waits for a restart:\n%s", p.log())
	}

	bad := strings.Replace(good, `prefix = "E"`, `prefix = "A"`, 1) + "colour = \"red\"\n"
	hup(bad, "msg=\"reload refused")
	log := p.log()
	for _, want := range []string{`problem="` + path + `:47: service[4].prefix: service \"cens\": prefix \"A\" is already used by service \"oac\""`,
		`problem="` + path + `:56: printer.colour: unknown key"`, "problems=2"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %s:\n%s", want, log)
		}
	}
	get()
	if office.Name != "OAC del Masnou" || len(office.Services) != 4 {
		t.Fatalf("after a bad reload the office changed: %+v", office)
	}
	if code, _ := call(p.base, "POST", "/api/tickets", `{"service":"cens"}`, &tk); code != 201 || tk.Number != "E002" {
		t.Fatalf("serving after a refused reload: %d %+v", code, tk)
	}

	// Dropping a service with a citizen waiting is refused by the office.
	hup(alwaysOpen, "msg=\"reload refused; the running config stays\"")
	if !strings.Contains(p.log(), `service \"cens\" is not in the new config, but 2 tickets of it are waiting`) {
		t.Errorf("the log does not say why:\n%s", p.log())
	}
	get()
	if len(office.Services) != 4 {
		t.Errorf("a refused reload dropped a service: %+v", office)
	}
}

// TestJournalLogs: under systemd (JOURNAL_STREAM set) tornd's lines start
// with their syslog priority and carry no time: the journal stamps them.
func TestJournalLogs(t *testing.T) {
	cmd := exec.Command(tornBinary(t), "run", "-config", writeConfig(t, alwaysOpen), "-db", "/nonexistent/dir/torn.db", "-listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "JOURNAL_STREAM=8:12345")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("tornd on a missing directory: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "<3>level=ERROR msg=\"cannot start\"") || strings.Contains(string(out), "time=") {
		t.Errorf("not a journal line:\n%s", out)
	}
}
