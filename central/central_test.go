package central_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"torn.cat/torn/central"
	"torn.cat/torn/central/sqlstore"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/syncproto"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testCentral is a running central on SQLite with one device, "dev1" of
// office "oac1", token "secret-token", and an API key "key-all".
type testCentral struct {
	url   string
	store central.Store
	logs  *syncBuffer
	srv   *central.Server
}

func newCentral(t *testing.T) *testCentral {
	t.Helper()
	st, err := sqlstore.OpenSQLite(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	sum := sha256.Sum256([]byte("secret-token"))
	if err := st.AddDevice(ctx, central.Device{ID: "dev1", Office: "oac1", TokenHash: sum[:], Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	key := sha256.Sum256([]byte("key-all"))
	if err := st.AddAPIKey(ctx, central.APIKey{Name: "all", Hash: key[:], Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	tc := &testCentral{store: st, logs: &syncBuffer{}}
	tc.srv = &central.Server{Store: st, Log: slog.New(slog.NewTextHandler(io.MultiWriter(tc.logs, testLog{t}), nil))}
	hs := httptest.NewServer(tc.srv.Handler())
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); tc.srv.Run(rctx) }()
	t.Cleanup(func() { hs.Close(); cancel(); <-done })
	tc.url = hs.URL
	return tc
}

type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

// office is a small office's config and a dispenser deciding for it.
func office(t *testing.T) (dispenser.Config, *dispenser.Dispenser) {
	t.Helper()
	var h dispenser.Hours
	for wd := range h.Weekly {
		h.Weekly[wd] = []dispenser.Range{{From: 0, To: 24 * 60}}
	}
	madrid, _ := time.LoadLocation("Europe/Madrid")
	cfg := dispenser.Config{
		Office: "oac1", Name: "OAC u", Location: madrid,
		Services: []dispenser.Service{{ID: "oac", Prefix: "A", Names: map[dispenser.Lang]string{"ca": "Atenció"}, Hours: h}},
		Desks:    []dispenser.Desk{{ID: "taula3", Name: "Taula 3", Profile: []dispenser.ServiceID{"oac"}}},
		Rules:    dispenser.Rules{NoCutOff: true},
	}
	d, err := dispenser.New(cfg, dispenser.Snapshot{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, d
}

// dial opens a device websocket and says hello (unless hello is nil).
func (tc *testCentral) dial(t *testing.T, hello *syncproto.Hello) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(tc.url, "http")+syncproto.Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if hello != nil {
		if err := ws.WriteJSON(hello); err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

func goodHello(cfg dispenser.Config) *syncproto.Hello {
	return &syncproto.Hello{Type: syncproto.TypeHello, Proto: syncproto.Version, Device: "dev1", Token: "secret-token",
		Office: "oac1", Config: syncproto.NewOfficeConfig(cfg)}
}

// readMsg reads the next message, failing on a close.
func readMsg(t *testing.T, ws *websocket.Conn) any {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	m, err := syncproto.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// closeCode reads until the connection closes and returns the code.
func closeCode(t *testing.T, ws *websocket.Conn) (int, string) {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if ce, ok := err.(*websocket.CloseError); ok {
			return ce.Code, ce.Text
		}
		if err != nil {
			t.Fatalf("connection ended without a close frame: %v", err)
		}
	}
}

// TestSyncRefusesBadInput: each bad connection is closed with its code
// and a log line, and nothing is stored.
func TestSyncRefusesBadInput(t *testing.T) {
	tc := newCentral(t)
	cfg, d := office(t)
	evs, err := d.Handle(dispenser.Issue{Service: "oac", ID: "t1", Token: "tok-1-0123456789abcdef"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	ctx := context.Background()
	sum := sha256.Sum256([]byte("other-token"))
	tc.store.AddDevice(ctx, central.Device{ID: "gone", Office: "oac1", TokenHash: sum[:], Created: time.Now()})
	tc.store.RevokeDevice(ctx, "gone")

	cases := []struct {
		name  string
		hello func() *syncproto.Hello
		raw   []byte
		code  int
	}{
		{"wrong token", func() *syncproto.Hello { h := goodHello(cfg); h.Token = "guess"; return h }, nil, syncproto.CloseBadToken},
		{"unknown device", func() *syncproto.Hello { h := goodHello(cfg); h.Device = "nobody"; return h }, nil, syncproto.CloseBadToken},
		{"revoked device", func() *syncproto.Hello { h := goodHello(cfg); h.Device, h.Token = "gone", "other-token"; return h }, nil, syncproto.CloseRevoked},
		{"unknown protocol version", func() *syncproto.Hello { h := goodHello(cfg); h.Proto = 99; return h }, nil, syncproto.CloseBadVersion},
		{"another office", func() *syncproto.Hello { h := goodHello(cfg); h.Office = "oac2"; return h }, nil, syncproto.CloseWrongOffice},
		{"another office's config", func() *syncproto.Hello {
			h := goodHello(cfg)
			h.Config.Office = "oac2"
			return h
		}, nil, syncproto.CloseWrongOffice},
		{"malformed", nil, []byte(`{"type": "hello", "proto": "one"`), syncproto.CloseMalformed},
		{"events before hello", nil, mustJSON(t, syncproto.Events{Type: syncproto.TypeEvents, Events: evs}), syncproto.CloseMalformed},
		{"oversize", nil, bytes.Repeat([]byte("x"), syncproto.MaxMessage+10), syncproto.CloseTooBig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := strings.Count(tc.logs.String(), "connection refused")
			ws := tc.dial(t, nil)
			msg := c.raw
			if c.hello != nil {
				msg = mustJSON(t, c.hello())
			}
			ws.WriteMessage(websocket.TextMessage, msg)
			// A device that is refused would go on; nothing it sends counts.
			ws.WriteJSON(syncproto.Events{Type: syncproto.TypeEvents, Events: evs})
			if code, reason := closeCode(t, ws); code != c.code {
				t.Errorf("closed with %d %q, want %d", code, reason, c.code)
			}
			// gorilla closes an oversize read itself, before central logs.
			deadline := time.Now().Add(2 * time.Second)
			for strings.Count(tc.logs.String(), "connection refused") == before && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if after := strings.Count(tc.logs.String(), "connection refused"); after != before+1 {
				t.Errorf("%d log lines about the refusal, want 1", after-before)
			}
		})
	}
	for _, dev := range []string{"dev1", "gone", "nobody"} {
		if got, _ := tc.store.Events(ctx, dev, 0, 10); len(got) != 0 {
			t.Errorf("device %s: %d events stored from refused connections", dev, len(got))
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSyncIngestAckAndTracking: a device's events are stored and
// acknowledged, a batch sent twice stores nothing twice, and the tracking
// page shows the ticket from central's mirror, live.
func TestSyncIngestAckAndTracking(t *testing.T) {
	tc := newCentral(t)
	cfg, d := office(t)
	now := time.Now()
	var log []dispenser.Event
	do := func(cmd dispenser.Command) {
		t.Helper()
		evs, err := d.Handle(cmd, now)
		if err != nil {
			t.Fatal(err)
		}
		for i := range evs {
			evs[i].Seq = uint64(len(log) + 1)
			log = append(log, evs[i])
		}
		now = now.Add(time.Minute)
	}
	do(dispenser.Issue{Service: "oac", ID: "t1", Token: "tok1-0123456789abcdef0123"})
	do(dispenser.Issue{Service: "oac", ID: "t2", Token: "tok2-0123456789abcdef0123"})

	ws := tc.dial(t, goodHello(cfg))
	w, ok := readMsg(t, ws).(*syncproto.Welcome)
	if !ok || w.Acked != 0 || w.Proto != syncproto.Version {
		t.Fatalf("welcome %+v", w)
	}
	ws.WriteJSON(syncproto.Events{Type: syncproto.TypeEvents, Events: log})
	if a, ok := readMsg(t, ws).(*syncproto.Ack); !ok || a.Seq != uint64(len(log)) {
		t.Fatalf("ack %+v, want %d", a, len(log))
	}
	// The phone of t2: one ahead.
	page := get(t, tc.url+"/t/tok2-0123456789abcdef0123?lang=en")
	if !strings.Contains(page, "A002") || !strings.Contains(page, "1 person ahead") || !strings.Contains(page, "/ws") {
		t.Errorf("tracking page:\n%s", page)
	}
	if code := getCode(t, tc.url+"/t/nope"); code != http.StatusNotFound {
		t.Errorf("unknown token: %d", code)
	}
	// Live: the page's websocket hears that t2 moved up when t1 is called.
	pw, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(tc.url, "http")+"/t/tok2-0123456789abcdef0123/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	sent := len(log)
	do(dispenser.CallNext{Desk: "taula3"})
	ws.WriteJSON(syncproto.Events{Type: syncproto.TypeEvents, Events: log[sent:]})
	if a, ok := readMsg(t, ws).(*syncproto.Ack); !ok || a.Seq != uint64(len(log)) {
		t.Fatalf("ack %+v, want %d", a, len(log))
	}
	pw.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, b, err := pw.ReadMessage(); err != nil || string(b) != "changed" {
		t.Errorf("the tracking page's websocket: %q %v", b, err)
	}
	if page := get(t, tc.url+"/t/tok2-0123456789abcdef0123?lang=en"); !strings.Contains(page, "You are next") {
		t.Errorf("tracking page after the call:\n%s", page)
	}
	// A reconnect resending everything stores nothing twice.
	ws.Close()
	ws = tc.dial(t, goodHello(cfg))
	if w, ok := readMsg(t, ws).(*syncproto.Welcome); !ok || w.Acked != uint64(len(log)) {
		t.Fatalf("welcome after reconnect %+v", w)
	}
	ws.WriteJSON(syncproto.Events{Type: syncproto.TypeEvents, Events: log})
	if a, ok := readMsg(t, ws).(*syncproto.Ack); !ok || a.Seq != uint64(len(log)) {
		t.Fatalf("ack %+v", a)
	}
	stored, err := tc.store.Events(context.Background(), "dev1", 0, 100)
	if err != nil || len(stored) != len(log) {
		t.Fatalf("%d events stored (%v), want %d", len(stored), err, len(log))
	}
	for i := range stored {
		if stored[i].Seq != log[i].Seq || stored[i].Type != log[i].Type {
			t.Errorf("event %d: %d %s, want %d %s", i, stored[i].Seq, stored[i].Type, log[i].Seq, log[i].Type)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func getCode(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func request(t *testing.T, method, url, key, contentType, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAppointmentIntake: appointments come in with an API key, a file
// with bad rows is refused whole with the rows named, and a good one is
// sent to the office's device as a versioned book, until it answers.
func TestAppointmentIntake(t *testing.T) {
	tc := newCentral(t)
	cfg, _ := office(t)
	ws := tc.dial(t, goodHello(cfg))
	readMsg(t, ws) // welcome
	day := time.Now().In(cfg.Location).AddDate(0, 0, 1).Format(time.DateOnly)
	hash := strings.Repeat("ab", 32)
	url := tc.url + "/api/offices/oac1/appointments"
	good := "slot,service,document_hash,name\n" + day + " 10:00,oac," + hash + ",Anna\n" + day + " 10:30,oac," + hash + ",\n"

	if code, _ := request(t, "PUT", url, "", "text/csv", good); code != http.StatusUnauthorized {
		t.Errorf("no key: %d", code)
	}
	if code, _ := request(t, "PUT", url, "wrong", "text/csv", good); code != http.StatusUnauthorized {
		t.Errorf("wrong key: %d", code)
	}
	if code, body := request(t, "PUT", tc.url+"/api/offices/nowhere/appointments", "key-all", "text/csv", good); code != http.StatusNotFound || !strings.Contains(body, "unknown_office") {
		t.Errorf("unknown office: %d %s", code, body)
	}
	bad := "slot,service,document_hash\n" + day + " 10:00,oac," + hash + "\n" + day + " 10:00,padro," + hash + "\n,oac,xyz\n"
	code, body := request(t, "PUT", url, "key-all", "text/csv", bad)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `"row": 3`) || !strings.Contains(body, `unknown service \"padro\"`) || !strings.Contains(body, `"row": 4`) {
		t.Errorf("bad rows: %d %s", code, body)
	}
	if books, _ := tc.store.Books(context.Background(), "oac1", ""); len(books) != 0 {
		t.Errorf("a refused file left %d books", len(books))
	}
	code, body = request(t, "PUT", url, "key-all", "text/csv", good)
	if code != http.StatusOK || !strings.Contains(body, `"appointments": 2`) {
		t.Fatalf("good file: %d %s", code, body)
	}
	b, ok := readMsg(t, ws).(*syncproto.Book)
	if !ok || string(b.Book.Day) != day || len(b.Book.Appointments) != 2 || b.Book.Version == "" || b.ID == "" {
		t.Fatalf("the device got %+v, want the book of %s", b, day)
	}
	ws.WriteJSON(syncproto.Applied{Type: syncproto.TypeApplied, ID: b.ID})
	// Answered: not sent again on the next connection.
	time.Sleep(100 * time.Millisecond)
	ws.Close()
	ws = tc.dial(t, goodHello(cfg))
	readMsg(t, ws) // welcome
	ws.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, b, err := ws.ReadMessage(); err == nil {
		t.Errorf("an answered book was sent again: %s", b)
	}
	_, list := request(t, "GET", url, "key-all", "", "")
	if !strings.Contains(list, "Anna") || strings.Contains(list, hash) {
		t.Errorf("the list shows hashes or lacks the name:\n%s", list)
	}
	// A clerk's command, relayed.
	code, body = request(t, "POST", tc.url+"/api/offices/oac1/desks/taula3/next", "key-all", "application/json", `{"clerk": "anna"}`)
	if code != http.StatusAccepted {
		t.Fatalf("command: %d %s", code, body)
	}
	ws2 := tc.dial(t, goodHello(cfg))
	readMsg(t, ws2)
	if c, ok := readMsg(t, ws2).(*syncproto.Command); !ok || c.Command.Kind != "next" || c.Command.Desk != "taula3" {
		t.Errorf("the device got %+v, want the command", c)
	}
	_ = fmt.Sprint
}

// TestCloseEndsDevices: Close ends every device's connection with 1001
// and returns once none uses the store.
func TestCloseEndsDevices(t *testing.T) {
	tc := newCentral(t)
	cfg, _ := office(t)
	ws := tc.dial(t, goodHello(cfg))
	readMsg(t, ws) // welcome
	done := make(chan struct{})
	go func() { tc.srv.Close(); close(done) }()
	if code, _ := closeCode(t, ws); code != syncproto.CloseGoingAway {
		t.Errorf("closed with %d, want 1001", code)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	ws2 := tc.dial(t, goodHello(cfg))
	if code, _ := closeCode(t, ws2); code != syncproto.CloseGoingAway {
		t.Errorf("a device connecting after Close: %d, want 1001", code)
	}
}
