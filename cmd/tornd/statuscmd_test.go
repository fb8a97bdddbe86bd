package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/idcard"
	"torn.cat/torn/idcard/idcardtest"
)

// runStatus runs `tornd status args` and returns its exit code and output.
func runStatus(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli(context.Background(), append([]string{"status"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestStatusCommand runs `tornd status` against a running daemon with a
// document reader and a link to a central that is not there: it prints
// the queue, the desks, the devices and the sync state, and exits 0 while
// the office serves (central away is a warning), 1 once the reader is
// unplugged or the paper is out, still printing everything.
func TestStatusCommand(t *testing.T) {
	dir := t.TempDir()
	keyFile, tokFile := filepath.Join(dir, "office.key"), filepath.Join(dir, "token")
	if err := idcard.GenerateKey(keyFile); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokFile, []byte("secret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := alwaysOpen + fmt.Sprintf("\n[checkin]\nkey_file = %q\n\n[reader]\ntype = \"serial\"\ndevice = \"/dev/ttyACM0\"\n"+
		"\n[central]\nurl = \"ws://%s/sync\"\ndevice = \"dev1\"\ntoken_file = %q\nmax_backoff = \"1s\"\n", keyFile, freeAddr(t), tokFile)
	reader := idcardtest.NewReader(t)
	unplugged := make(chan struct{})
	d := startDaemonFull(t, filepath.Join(t.TempDir(), "torn.db"), conf, func() (idcard.Reader, error) {
		select {
		case <-unplugged:
			return nil, errors.New("open /dev/ttyACM0: no such file or directory")
		default:
			return reader, nil
		}
	}, nil)
	base := "http://" + d.Addr().String()
	for _, body := range []string{`{"service":"oac"}`, `{"service":"oac"}`, `{"service":"padro"}`, `{"service":"oac"}`} {
		if st, err := call(base, "POST", "/api/tickets", body, nil); err != nil || st != 201 {
			t.Fatalf("issue %s: %d %v", body, st, err)
		}
	}
	if st, err := call(base, "POST", "/api/desks/taula1/next", `{"clerk":"anna"}`, nil); err != nil || st != 200 {
		t.Fatalf("call: %d %v", st, err)
	}
	waitFor(t, "the reader open and central tried", func() bool {
		st, _, _ := d.reader.get()
		return st == "ok" && d.uplink.Status().LastError != ""
	})

	code, out, errOut := runStatus(t, "-addr", d.Addr().String())
	t.Logf("tornd status:\n%s%s", out, errOut)
	if code != 0 {
		t.Errorf("exit code %d with a healthy office, want 0", code)
	}
	for _, want := range []string{
		"office   test Test office", "health   OK", "warning: not connected to central",
		"A oac (Atenció ciutadana)  2 ", "A002 A003", "P padro (Padró)", "P001",
		"taula1 (Taula 1)", "anna", "A001 called (oac)",
		"printer ", "no printer configured", "document reader  ok", "serial /dev/ttyACM0",
		"panel ", "no [panel] configured", "central ", "not connected to 127.0.0.1:",
		"central  not connected since", "events not yet acknowledged by central",
		"error    ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tornd status does not say %q", want)
		}
	}
	if strings.Contains(out, "secret-token") {
		t.Error("tornd status shows the central token")
	}

	// The reader unplugged: trouble, exit 1, everything still printed.
	close(unplugged)
	reader.GoneErr = errors.New("read /dev/ttyACM0: input/output error")
	close(reader.In)
	waitFor(t, "the reader offline", func() bool { st, _, _ := d.reader.get(); return st == "offline" })
	code, out, _ = runStatus(t, "-addr", d.Addr().String())
	// The reader's own error, or after readerRetry the reopen's.
	gone := regexp.MustCompile(`problem: document reader offline: serial /dev/ttyACM0: (read /dev/ttyACM0: input/output error|open /dev/ttyACM0: no such file)`)
	if code != 1 || !strings.Contains(out, "health   TROUBLE") || !gone.MatchString(out) ||
		!strings.Contains(out, "A oac (Atenció ciutadana)") || !strings.Contains(out, "outbox") {
		t.Errorf("with the reader unplugged: exit %d\n%s", code, out)
	}

	// The paper out: said as a problem too.
	if _, err := d.Office().Do(dispenser.SetPrinter{Ready: false, Reason: "paper out"}); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runStatus(t, "-addr", d.Addr().String())
	if code != 1 || !strings.Contains(out, "problem: printer cannot print (paper out)") {
		t.Errorf("with the paper out: exit %d\n%s", code, out)
	}
}

// TestStatusShowsPanelDevices: the panel is listed with its lines, and a
// desk display that could not be opened as an error, which is trouble.
func TestStatusShowsPanelDevices(t *testing.T) {
	conf := panelOffice + "[panel.desk.display]\ntype = \"ssd1306\"\ni2c_bus = \"1\"\n"
	d := startDaemonFull(t, filepath.Join(t.TempDir(), "torn.db"), conf, nil, &fakeHW{})
	code, out, errOut := runStatus(t, "-addr", d.Addr().String())
	t.Logf("tornd status:\n%s%s", out, errOut)
	for _, want := range []string{`(?m)^panel +ok .*2 buttons, 1 desk keys, 3 LEDs$`,
		`(?m)^desk display taula1 +error .*ssd1306: open I2C bus "1": no I2C bus in this test$`,
		`problem: desk display taula1 error`, `central  none: offline by design`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("tornd status does not say %q", want)
		}
	}
	if code != 1 {
		t.Errorf("exit code %d with a desk display down, want 1", code)
	}
}

// TestStatusCommandWithoutDaemon: nothing listening at the config's
// address (":PORT" is asked on the loopback): exit 1, and a message that
// says so.
func TestStatusCommandWithoutDaemon(t *testing.T) {
	addr := freeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	cfg := writeConfig(t, alwaysOpen+fmt.Sprintf("\n[server]\nlisten = \":%s\"\n", port))
	code, out, errOut := runStatus(t, "-config", cfg)
	if code != 1 || out != "" || !strings.HasPrefix(errOut, "tornd is not running at 127.0.0.1:"+port+": ") ||
		!strings.Contains(errOut, "connection refused") {
		t.Fatalf("tornd status without a daemon: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := runStatus(t, "-config", filepath.Join(t.TempDir(), "none.toml")); code != 2 || !strings.Contains(errOut, "bad config") {
		t.Errorf("tornd status with no config: exit %d, %q", code, errOut)
	}
	if code, _, _ := runStatus(t, "-addr", addr, "extra"); code != 2 {
		t.Errorf("tornd status with an extra argument: exit %d, want 2", code)
	}
}

func TestStatusDialAddr(t *testing.T) {
	for in, want := range map[string]string{
		":8080": "127.0.0.1:8080", "0.0.0.0:8080": "127.0.0.1:8080", "[::]:8080": "127.0.0.1:8080",
		"192.168.1.5:80": "192.168.1.5:80", "http://torn.local:8080/": "torn.local:8080", "[::1]:8080": "[::1]:8080",
	} {
		if got := dialAddr(in); got != want {
			t.Errorf("dialAddr(%q) = %q, want %q", in, got, want)
		}
	}
	if got := shortDuration(62*time.Minute + 5*time.Second); got != "1h02m" {
		t.Errorf("shortDuration = %q", got)
	}
}
