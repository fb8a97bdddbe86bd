package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/syncproto"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestCommands: the technician's commands on one store: devices added,
// listed and revoked, API keys added and revoked, an office key made, and
// an appointments file imported (bad rows refused whole).
func TestCommands(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "central.db")
	keys := filepath.Join(dir, "keys")

	code, out, errs := runCLI(t, "device", "add", "masnou-1", "-office", "masnou", "-db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || len(lines[1]) < 40 {
		t.Fatalf("device add: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, "device", "add", "masnou-1", "-office", "masnou", "-db", db); code != 1 || !strings.Contains(errs, "exists") {
		t.Errorf("device add twice: %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "device", "add", "x", "-db", db); code != 2 || !strings.Contains(errs, "-office is required") {
		t.Errorf("device add without an office: %d %q", code, errs)
	}
	if code, out, _ := runCLI(t, "device", "list", "-db", db); code != 0 || !strings.Contains(out, "masnou-1\tmasnou\tactive\tlast seen never") {
		t.Errorf("device list: %d %q", code, out)
	}
	if code, _, _ := runCLI(t, "device", "revoke", "masnou-1", "-db", db); code != 0 {
		t.Errorf("device revoke: %d", code)
	}
	if _, out, _ := runCLI(t, "device", "list", "-db", db); !strings.Contains(out, "revoked") {
		t.Errorf("device list after revoke: %q", out)
	}
	if code, _, errs := runCLI(t, "device", "revoke", "nobody", "-db", db); code != 1 || !strings.Contains(errs, "not found") {
		t.Errorf("revoke an unknown device: %d %q", code, errs)
	}

	if code, out, _ := runCLI(t, "apikey", "add", "booking", "-office", "masnou", "-db", db); code != 0 || !strings.Contains(out, "office masnou") {
		t.Errorf("apikey add: %d %q", code, out)
	}
	if code, out, _ := runCLI(t, "apikey", "revoke", "booking", "-db", db); code != 0 || !strings.Contains(out, "1 API key(s)") {
		t.Errorf("apikey revoke: %d %q", code, out)
	}
	if code, _, _ := runCLI(t, "apikey", "revoke", "booking", "-db", db); code != 1 {
		t.Errorf("apikey revoke again: %d, want 1", code)
	}
	if code, _, _ := runCLI(t, "key", "generate", "masnou", "-keys", keys); code != 0 {
		t.Errorf("key generate: %d", code)
	}
	if code, _, errs := runCLI(t, "key", "generate", "masnou", "-keys", keys); code != 1 || !strings.Contains(errs, "never overwritten") {
		t.Errorf("key generate twice: %d %q", code, errs)
	}

	// Import: central learns the office's services from its device's
	// config; before that, the office is unknown.
	day := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	csv := filepath.Join(dir, "cites.csv")
	os.WriteFile(csv, []byte("slot,service,document\n"+day+" 10:00,oac,12345678Z\n"), 0o600)
	if code, _, errs := runCLI(t, "import", "masnou", csv, "-db", db, "-keys", keys); code != 1 || !strings.Contains(errs, "no device of office masnou has connected") {
		t.Errorf("import before the device: %d %q", code, errs)
	}
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var h dispenser.Hours
	oc, _ := json.Marshal(syncproto.NewOfficeConfig(dispenser.Config{Office: "masnou", Location: time.UTC,
		Services: []dispenser.Service{{ID: "oac", Prefix: "A", Names: map[dispenser.Lang]string{"ca": "OAC"}, Hours: h}}}))
	if err := st.PutOfficeConfig(context.Background(), "masnou", oc); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, out, errs := runCLI(t, "import", "masnou", csv, "-db", db, "-keys", keys); code != 0 || !strings.Contains(out, day+": 1 appointments, version c-1") {
		t.Errorf("import: %d %q %q", code, out, errs)
	}
	os.WriteFile(csv, []byte("slot,service,document\n"+day+" 10:00,padro,12345678Z\n,oac,1\n"), 0o600)
	if code, _, errs := runCLI(t, "import", "masnou", csv, "-db", db, "-keys", keys); code != 1 || !strings.Contains(errs, "3 bad rows, nothing imported") || !strings.Contains(errs, "row 3") || strings.Contains(errs, "12345678Z") {
		t.Errorf("import of bad rows: %d %q", code, errs)
	}

	for _, args := range [][]string{{}, {"frobnicate"}, {"device"}, {"device", "add", "-db", db}, {"apikey", "add", "-db", db}, {"import", "masnou", "-db", db}} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
