package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"torn.cat/torn/central"
	"torn.cat/torn/central/sqlstore"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/internal/faultproxy"
	"torn.cat/torn/internal/pgtest"
	"torn.cat/torn/store"
)

var syncSeed = flag.Uint64("sync.seed", 20261124, "the fault proxy's and the busy day's seed in TestSyncSurvivesFaults")

var (
	centralOnce sync.Once
	centralBin  string
	centralErr  error
)

// centralBinary builds torn-central once per test run.
func centralBinary(t testing.TB) string {
	t.Helper()
	centralOnce.Do(func() {
		dir, err := os.MkdirTemp("", "torn-central-bin")
		if err != nil {
			centralErr = err
			return
		}
		centralBin = filepath.Join(dir, "torn-central")
		out, err := exec.Command("go", "build", "-o", centralBin, "../torn-central").CombinedOutput()
		if err != nil {
			centralErr = fmt.Errorf("go build torn-central: %v\n%s", err, out)
		}
	})
	if centralErr != nil {
		t.Fatal(centralErr)
	}
	return centralBin
}

// freeAddr returns a loopback address no one listens on, for a process
// that must come back on the same port after a kill.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// centralProc is a torn-central process.
type centralProc struct {
	cmd  *exec.Cmd
	done chan struct{}
	mu   sync.Mutex
	log  bytes.Buffer
}

var centralAddrRE = regexp.MustCompile(`msg=serving addr=(\S+)`)

// startCentral runs torn-central serve on addr with store dsn.
func startCentral(t testing.TB, dsn, addr string) *centralProc {
	t.Helper()
	p := &centralProc{done: make(chan struct{})}
	p.cmd = exec.Command(centralBinary(t), "serve", "-db", dsn, "-listen", addr, "-keys", t.TempDir())
	r, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	up := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(r)
		once := sync.Once{}
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if centralAddrRE.MatchString(sc.Text()) {
				once.Do(func() { close(up) })
			}
		}
	}()
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	select {
	case <-up:
	case <-p.done:
		t.Fatalf("torn-central exited at start:\n%s", p.logs())
	case <-time.After(20 * time.Second):
		t.Fatalf("torn-central did not serve in 20 s:\n%s", p.logs())
	}
	return p
}

func (p *centralProc) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

func (p *centralProc) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// addDevice registers device dev of office with torn-central's command and
// returns its token.
func addDevice(t testing.TB, dsn, dev, office string) string {
	t.Helper()
	out, err := exec.Command(centralBinary(t), "device", "add", dev, "-office", office, "-db", dsn).CombinedOutput()
	if err != nil {
		t.Fatalf("device add: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// syncHealth is the central part of tornd's /healthz.
func syncHealth(base string) (connected bool, backlog uint64, err error) {
	var h struct {
		Central *struct {
			Connected bool   `json:"connected"`
			Backlog   uint64 `json:"backlog"`
		} `json:"central"`
	}
	if st, err := call(base, "GET", "/healthz", "", &h); err != nil || st != 200 {
		return false, 0, fmt.Errorf("healthz: %d %v", st, err)
	}
	if h.Central == nil {
		return false, 0, fmt.Errorf("healthz has no central")
	}
	return h.Central.Connected, h.Central.Backlog, nil
}

// busyDay drives tornd's API like a busy office: tickets, calls, done,
// now and then a no-show or a transfer, from seed. It returns after n
// actions that tornd answered; actions that fail because tornd is down are
// retried later.
func busyDay(t *testing.T, base func() string, seed uint64, n int, hook func(i int)) {
	rng := rand.New(rand.NewPCG(seed, 1))
	services := []string{"oac", "padro", "cita"}
	desks := []string{"taula1", "taula2"}
	for i := 0; i < n; {
		var path, body string
		switch r := rng.IntN(10); {
		case r < 5:
			s := services[rng.IntN(2)]
			path, body = "/api/tickets", fmt.Sprintf(`{"service":%q,"lang":"ca"}`, s)
		case r < 8:
			path = "/api/desks/" + desks[rng.IntN(2)] + "/next"
			body = `{"clerk":"anna"}`
		case r < 9:
			path = "/api/desks/" + desks[rng.IntN(2)] + "/done"
		default:
			path = "/api/desks/" + desks[rng.IntN(2)] + "/transfer"
			body = `{"to":"padro"}`
		}
		if _, err := call(base(), "POST", path, body, nil); err != nil {
			time.Sleep(20 * time.Millisecond) // tornd is down: a restart comes
			continue
		}
		i++
		if hook != nil {
			hook(i)
		}
		time.Sleep(time.Duration(rng.IntN(8)) * time.Millisecond)
	}
}

// TestSyncSurvivesFaults runs a busy office day between a real tornd and a
// real torn-central through a proxy that drops, delays, duplicates and
// cuts messages and connections at random (seeded), killing tornd twice
// and central once with SIGKILL on the way. At the end central's copy of
// the office's events is the device's log exactly — nothing twice, nothing
// missing — and central's mirror holds the device's queue. On SQLite and on
// PostgreSQL.
func TestSyncSurvivesFaults(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var dsn string
			if engine == "sqlite" {
				dsn = "sqlite:" + filepath.Join(t.TempDir(), "central.db")
			} else {
				dsn = pgtest.Start(t)
			}
			syncSurvivesFaults(t, dsn, *syncSeed)
		})
	}
}

func syncSurvivesFaults(t *testing.T, dsn string, seed uint64) {
	tok := addDevice(t, dsn, "dev1", "test")
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "central.token")
	os.WriteFile(tokFile, []byte(tok+"\n"), 0o600)

	centralAddr := freeAddr(t)
	c := startCentral(t, dsn, centralAddr)
	proxy := faultproxy.Start("ws://"+centralAddr, faultproxy.Faults{Drop: 0.1, Duplicate: 0.1, Delay: 0.2, Cut: 0.05}, seed)
	defer proxy.Close()

	cfg := writeConfig(t, alwaysOpen+fmt.Sprintf("\n[central]\nurl = %q\ndevice = \"dev1\"\ntoken_file = %q\nmax_backoff = \"1s\"\nack_wait = \"500ms\"\n", proxy.URL("/sync"), tokFile))
	db := filepath.Join(dir, "torn.db")
	addr := freeAddr(t)
	var mu sync.Mutex
	dev := startTorndOn(t, tornBinary(t), cfg, db, addr)
	base := func() string { mu.Lock(); defer mu.Unlock(); return dev.base }

	const actions = 1500
	busyDay(t, base, seed, actions, func(i int) {
		switch i {
		case actions / 4, 3 * actions / 4: // the Pi loses power
			mu.Lock()
			dev.cmd.Process.Kill()
			<-dev.done
			dev = startTorndOn(t, tornBinary(t), cfg, db, addr)
			mu.Unlock()
		case actions / 2: // central crashes
			c.kill()
			c = startCentral(t, dsn, centralAddr)
		}
	})
	t.Logf("proxy: %d messages, %d dropped, %d duplicated, %d delayed, %d cuts",
		proxy.Counts.Messages.Load(), proxy.Counts.Dropped.Load(), proxy.Counts.Duplicated.Load(), proxy.Counts.Delayed.Load(), proxy.Counts.Cut.Load())

	// The network heals: everything must arrive.
	proxy.SetFaults(faultproxy.Faults{})
	proxy.CutAll()
	deadline := time.Now().Add(60 * time.Second)
	for {
		connected, backlog, err := syncHealth(base())
		if err == nil && connected && backlog == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the device did not catch up in 60 s: connected %v, backlog %d, %v\ntornd:\n%s\ncentral:\n%s", connected, backlog, err, tail(dev.log()), tail(c.logs()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	dev.cmd.Process.Signal(os.Interrupt)
	<-dev.done
	mu.Unlock()
	c.kill()

	// The device's log and central's copy.
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	devEvents, err := st.Outbox(0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	devSnap, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	cs := openCentralStore(t, dsn)
	ctx := context.Background()
	centralEvents, err := cs.Events(ctx, "dev1", 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if len(devEvents) < actions {
		t.Fatalf("the device logged only %d events for %d actions", len(devEvents), actions)
	}
	if len(centralEvents) != len(devEvents) {
		t.Errorf("central has %d events, the device %d", len(centralEvents), len(devEvents))
	}
	for i := 0; i < min(len(centralEvents), len(devEvents)); i++ {
		a, b := jsonOf(t, devEvents[i]), jsonOf(t, centralEvents[i])
		if a != b {
			t.Errorf("event %d differs:\ndevice  %s\ncentral %s", i+1, a, b)
			break
		}
	}
	if acked, _ := cs.Acked(ctx, "dev1"); acked != devEvents[len(devEvents)-1].Seq {
		t.Errorf("central's cursor %d, the device's last seq %d", acked, devEvents[len(devEvents)-1].Seq)
	}
	// Central's mirror is the device's queue.
	snap, err := cs.Snapshot(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Day != devSnap.Day {
		t.Errorf("mirror's day %s, device's %s", snap.Day, devSnap.Day)
	}
	if a, b := ticketsJSON(t, devSnap.Tickets), ticketsJSON(t, snap.Tickets); a != b {
		t.Errorf("mirror's tickets differ from the device's:\ndevice  %s\ncentral %s", a, b)
	}
	if a, b := desksJSON(t, devSnap.Desks), desksJSON(t, snap.Desks); a != b {
		t.Errorf("mirror's desks differ from the device's:\ndevice  %s\ncentral %s", a, b)
	}
	t.Logf("%d events, %d tickets today, all in central", len(devEvents), len(devSnap.Tickets))
	if os.Getenv("SYNC_DEBUG") != "" {
		t.Logf("central:\n%s", c.logs())
	}
}

func openCentralStore(t *testing.T, dsn string) central.Store {
	t.Helper()
	var cs central.Store
	var err error
	if strings.HasPrefix(dsn, "sqlite:") {
		cs, err = sqlstore.OpenSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	} else {
		cs, err = sqlstore.OpenPostgres(context.Background(), dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func ticketsJSON(t *testing.T, ts []dispenser.Ticket) string {
	ts = append([]dispenser.Ticket(nil), ts...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
	return jsonOf(t, ts)
}

func desksJSON(t *testing.T, ds []dispenser.DeskStatus) string {
	ds = append([]dispenser.DeskStatus(nil), ds...)
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	return jsonOf(t, ds)
}

// tail is the end of a log, for a failure message.
func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// TestTwoCentralsOnePostgres: two torn-central instances share one
// PostgreSQL; the device is connected to one and the citizen's phone to
// the other. When the ticket is called at the office, the phone's page on
// the second instance says so (its websocket hears it through LISTEN/
// NOTIFY), and a clerk's command queued on the second reaches the device
// on the first.
func TestTwoCentralsOnePostgres(t *testing.T) {
	dsn := pgtest.Start(t)
	tok := addDevice(t, dsn, "dev1", "test")
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "central.token")
	os.WriteFile(tokFile, []byte(tok+"\n"), 0o600)
	addrA, addrB := freeAddr(t), freeAddr(t)
	startCentral(t, dsn, addrA)
	startCentral(t, dsn, addrB)
	key := addAPIKey(t, dsn)

	cfg := writeConfig(t, alwaysOpen+fmt.Sprintf("\n[central]\nurl = \"ws://%s/sync\"\ndevice = \"dev1\"\ntoken_file = %q\n", addrA, tokFile))
	dev := startTornd(t, cfg, filepath.Join(dir, "torn.db"))
	var tk apiTicket
	if st, err := call(dev.base, "POST", "/api/tickets", `{"service":"oac","lang":"en"}`, &tk); err != nil || st != 201 {
		t.Fatalf("issue: %d %v", st, err)
	}
	page := "http://" + addrB + "/t/" + tk.Token
	waitFor(t, "instance B to show the ticket", func() bool { return strings.Contains(getText(t, page), tk.Number) })

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addrB+"/t/"+tk.Token+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if st, err := call(dev.base, "POST", "/api/desks/taula1/next", `{"clerk":"anna"}`, nil); err != nil || st != 200 {
		t.Fatalf("call: %d %v", st, err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, b, err := ws.ReadMessage(); err != nil || string(b) != "changed" {
		t.Fatalf("the phone's websocket on instance B: %q %v", b, err)
	}
	if body := getText(t, page); !strings.Contains(body, "Go to Taula 1 now") {
		t.Errorf("instance B's page after the call:\n%s", body)
	}

	// A clerk's command on instance B reaches the device connected to A.
	req, _ := http.NewRequest("POST", "http://"+addrB+"/api/offices/test/desks/taula1/done", strings.NewReader(`{"clerk":"anna"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("command on B: %v %v", resp, err)
	}
	resp.Body.Close()
	waitFor(t, "the device to apply the command", func() bool {
		var got apiTicket
		call(dev.base, "GET", "/api/tickets/"+tk.ID, "", &got)
		return got.State == "done"
	})
}

// addAPIKey makes an API key of every office with torn-central's command.
func addAPIKey(t testing.TB, dsn string) string {
	t.Helper()
	out, err := exec.Command(centralBinary(t), "apikey", "add", "test", "-db", dsn).CombinedOutput()
	if err != nil {
		t.Fatalf("apikey add: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 15 s for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
