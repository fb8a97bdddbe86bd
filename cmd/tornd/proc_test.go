package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// alwaysOpen is an office open around the clock, with the cut-off off, so
// that tests against a real tornd on the real clock work at any hour.
const alwaysOpen = `
[office]
id = "test"
name = "Test office"

[rules]
cut_off = false

[hours]
mon = ["00:00-24:00"]
tue = ["00:00-24:00"]
wed = ["00:00-24:00"]
thu = ["00:00-24:00"]
fri = ["00:00-24:00"]
sat = ["00:00-24:00"]
sun = ["00:00-24:00"]

[[service]]
id = "oac"
prefix = "A"
name = { ca = "Atenció ciutadana" }
priority = true

[[service]]
id = "padro"
prefix = "P"
name = { ca = "Padró" }

[[service]]
id = "cita"
prefix = "C"
name = { ca = "Cita prèvia" }
appointment_only = true

[[desk]]
id = "taula1"
name = "Taula 1"
services = ["oac", "padro"]

[[desk]]
id = "taula2"
name = "Taula 2"
services = ["padro", "oac", "cita"]
`

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// tornBinary builds tornd once per test run.
func tornBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tornd-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "tornd")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func writeConfig(t *testing.T, body string) string { return writeConfigB(t, body) }

func writeConfigB(t testing.TB, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tornd.toml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// proc is a tornd process.
type proc struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
}

var addrRE = regexp.MustCompile(`msg=serving addr=(\S+)`)

// startTornd starts tornd (the binary bin, if given) and waits until it
// serves.
func startTornd(t testing.TB, cfg, db string, bin ...string) *proc {
	t.Helper()
	if len(bin) == 0 {
		bin = append(bin, tornBinary(t))
	}
	return startTorndOn(t, bin[0], cfg, db, "127.0.0.1:0")
}

// startTorndOn starts the tornd binary bin listening on listen.
func startTorndOn(t testing.TB, bin, cfg, db, listen string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, "run", "-config", cfg, "-db", db, "-listen", listen)
	r, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			if m := addrRE.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	select {
	case a, ok := <-addr:
		if !ok {
			<-p.done
			t.Fatalf("tornd exited before serving: %v\n%s", p.cmd.ProcessState, p.log())
		}
		p.base = "http://" + a
	case <-time.After(20 * time.Second):
		t.Fatalf("tornd did not start serving in 20 s:\n%s", p.log())
	}
	return p
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

var client = &http.Client{Timeout: 10 * time.Second}

// call sends a JSON request and decodes the JSON answer into out (when not
// nil); it returns the status.
func call(base, method, path, body string, out any) (int, error) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s %s answer %q: %w", method, path, b, err)
		}
	}
	return resp.StatusCode, nil
}

type apiTicket struct {
	ID          string `json:"id"`
	Number      string `json:"number"`
	Day         string `json:"day"`
	Service     string `json:"service"`
	State       string `json:"state"`
	Token       string `json:"token"`
	Desk        string `json:"desk"`
	Ahead       *int   `json:"ahead"`
	WaitSeconds *int   `json:"wait_seconds"`
}

type apiError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

func listTickets(t *testing.T, base string) (day string, ts []apiTicket) {
	t.Helper()
	var body struct {
		Day     string      `json:"day"`
		Tickets []apiTicket `json:"tickets"`
	}
	if st, err := call(base, "GET", "/api/tickets", "", &body); err != nil || st != 200 {
		t.Fatalf("GET /api/tickets: %d %v", st, err)
	}
	return body.Day, body.Tickets
}
