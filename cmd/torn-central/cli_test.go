package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/internal/sdnotify/sdnotifytest"
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

// TestServe: serve reads its config file and a flag overrides the file's
// key (the packaged unit's command); without a file, the flags alone (make
// demo's command). Under systemd it says READY=1 with the address once it
// listens, pings the watchdog while the store answers and says STOPPING=1
// when told to stop, then exits 0.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "torn-central.toml")
	// The file's listen address is the flag's to override: a test must
	// not take a fixed port.
	os.WriteFile(conf, []byte(`[server]
listen = "127.0.0.1:1"
[store]
dsn = "sqlite:`+filepath.Join(dir, "file.db")+`"
keys_dir = "`+filepath.Join(dir, "keys")+`"
[indicators]
refresh_every = "1m"
`), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		db   string // the file the store must be in
		not  string // and a file that must not be
	}{
		{"config and -db", []string{"serve", "-listen", "127.0.0.1:0", "-config", conf, "-db", "sqlite:" + filepath.Join(dir, "flag.db")}, "flag.db", "file.db"},
		{"config", []string{"serve", "-config", conf, "-listen", "127.0.0.1:0"}, "file.db", ""},
		{"flags", []string{"serve", "-db", "sqlite:" + filepath.Join(dir, "flags.db"), "-listen", "127.0.0.1:0", "-keys", filepath.Join(dir, "keys")}, "flags.db", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := sdnotifytest.Listen(t, "")
			t.Setenv("WATCHDOG_USEC", "200000")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stderr bytes.Buffer
			done := make(chan int)
			go func() { done <- cli(ctx, tc.args, strings.NewReader(""), new(bytes.Buffer), &stderr) }()
			var m string
			select {
			case m = <-ch:
			case code := <-done:
				t.Fatalf("exit %d before READY=1:\n%s", code, stderr.String())
			case <-time.After(10 * time.Second):
				t.Fatal("no READY=1 in 10 s")
			}
			addr, ok := strings.CutPrefix(m, "READY=1\nSTATUS=serving on ")
			if !ok || !strings.HasPrefix(addr, "127.0.0.1:") || addr == "127.0.0.1:1" {
				t.Fatalf("first notification %q, want READY=1 and the address the flag gave", m)
			}
			res, err := http.Get("http://" + addr + "/healthz")
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("GET /healthz: %v %v", res, err)
			}
			res.Body.Close()
			for range 2 {
				if m := sdnotifytest.Receive(t, ch); m != "WATCHDOG=1" {
					t.Fatalf("then %q, want WATCHDOG=1", m)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, tc.db)); err != nil {
				t.Errorf("the store is not where it should be: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, tc.not)); tc.not != "" && err == nil {
				t.Errorf("a store in %s, which -db overrides", tc.not)
			}
			cancel()
			for m := sdnotifytest.Receive(t, ch); m != "STOPPING=1"; m = sdnotifytest.Receive(t, ch) {
				if m != "WATCHDOG=1" {
					t.Fatalf("at the stop %q, want STOPPING=1", m)
				}
			}
			if code := <-done; code != 0 {
				t.Errorf("exit %d after the stop:\n%s", code, stderr.String())
			}
		})
	}
}

// TestServeBadConfig: serve refuses a bad config with exit 2 and every
// problem, before it opens the store.
func TestServeBadConfig(t *testing.T) {
	code, _, errs := runCLI(t, "serve", "-config", "testdata/config/values.toml", "-listen", "127.0.0.1:0")
	want, err := os.ReadFile("testdata/config/values.want")
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := "torn-central: bad config:\n" + strings.ReplaceAll(string(want), "values.toml:", "testdata/config/values.toml:")
	if code != 2 || errs != wantErrs {
		t.Errorf("exit %d, stderr\n%s\nwant exit 2 and\n%s", code, errs, wantErrs)
	}
	if code, _, errs := runCLI(t, "serve", "-config", filepath.Join(t.TempDir(), "missing.toml")); code != 2 || !strings.Contains(errs, "missing.toml") {
		t.Errorf("a missing config: exit %d, %q", code, errs)
	}
	if code, _, _ := runCLI(t, "serve", "extra"); code != 2 {
		t.Errorf("serve with an argument: exit %d, want 2", code)
	}
}

// TestCheck: check says ok with the values it read, or prints every
// problem and exits 2; it never opens the store.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "never", "central.db")
	conf := filepath.Join(dir, "c.toml")
	os.WriteFile(conf, []byte("[store]\ndsn = \"sqlite:"+db+"\"\n"), 0o600)
	code, out, errs := runCLI(t, "check", conf)
	if want := conf + ": ok: listen :8090, store sqlite:" + db + ", office keys in /etc/torn-central/keys, indicators refreshed every 5m0s\n"; code != 0 || out != want {
		t.Errorf("check: exit %d, %q %q; want 0, %q", code, out, errs, want)
	}
	if _, err := os.Stat(filepath.Dir(db)); !os.IsNotExist(err) {
		t.Errorf("check made the store's directory: %v", err)
	}
	code, out, _ = runCLI(t, "check", "testdata/config/postgres.toml")
	if code != 2 || out != "" {
		t.Errorf("check of a bad config: exit %d, stdout %q", code, out)
	}
	code, _, errs = runCLI(t, "check", "testdata/config/central-good.toml")
	if code != 0 {
		t.Errorf("check of a good config: exit %d, %q", code, errs)
	}
	code, _, errs = runCLI(t, "check", "testdata/config/types.toml")
	if n := strings.Count(errs, "\n"); code != 2 || n != 8 {
		t.Errorf("check of a bad config: exit %d, %d problems:\n%s", code, n, errs)
	}
	if code, _, _ := runCLI(t, "check", filepath.Join(dir, "missing.toml")); code != 2 {
		t.Errorf("check of a missing file: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "check", conf, conf); code != 2 {
		t.Errorf("check of two files: exit %d, want 2", code)
	}
}

// TestCommandsConfig: the store's and the keys' commands take -config,
// as the unit's serve does, so that they work on the store it serves;
// -db and -keys still override the file's keys.
func TestCommandsConfig(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "torn-central.toml")
	os.WriteFile(conf, []byte("[store]\ndsn = \"sqlite:"+filepath.Join(dir, "file.db")+"\"\nkeys_dir = \""+filepath.Join(dir, "keys")+"\"\n"), 0o600)
	if code, _, errs := runCLI(t, "device", "add", "masnou-1", "-office", "masnou", "-config", conf); code != 0 {
		t.Fatalf("device add -config: %d %q", code, errs)
	}
	if code, out, _ := runCLI(t, "device", "list", "-config", conf); code != 0 || !strings.HasPrefix(out, "masnou-1\tmasnou\t") {
		t.Errorf("device list -config: %d %q", code, out)
	}
	other := "sqlite:" + filepath.Join(dir, "other.db")
	if code, out, _ := runCLI(t, "device", "list", "-config", conf, "-db", other); code != 0 || out != "" {
		t.Errorf("device list -config -db: %d %q, want the other, empty store", code, out)
	}
	if code, out, _ := runCLI(t, "key", "generate", "masnou", "-config", conf); code != 0 || !strings.Contains(out, filepath.Join(dir, "keys", "masnou.key")) {
		t.Errorf("key generate -config: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, "device", "list", "-config", "testdata/config/values.toml"); code != 2 || !strings.HasPrefix(errs, "torn-central: bad config:\ntestdata/config/values.toml:4: server.listen:") {
		t.Errorf("device list with a bad config: %d %q", code, errs)
	}
}
