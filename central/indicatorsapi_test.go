package central_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/central"
	"torn.cat/torn/central/sqlstore"
	"torn.cat/torn/dispenser"
)

// TestIndicatorsAPI: GET /api/indicators gives a period's indicators as
// JSON or CSV to a key of every office, and to an office's key for that
// office only; a missing key, a bad period, an unknown office or parameter
// are each a clear error.
func TestIndicatorsAPI(t *testing.T) {
	tc := newCentral(t)
	ctx := context.Background()
	key := sha256.Sum256([]byte("key-oac1"))
	if err := tc.store.AddAPIKey(ctx, central.APIKey{Name: "oac1", Office: "oac1", Hash: key[:], Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	cfg, d := office(t)
	nine := time.Date(2026, 11, 23, 9, 0, 0, 0, cfg.Location)
	var evs []dispenser.Event
	do := func(cmd dispenser.Command, at time.Time) {
		t.Helper()
		es, err := d.Handle(cmd, at)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		for _, e := range es {
			e.Seq = uint64(len(evs) + 1)
			evs = append(evs, e)
		}
	}
	do(dispenser.Issue{Service: "oac", ID: "t1", Token: "token-1-0123456789abcdef"}, nine)
	do(dispenser.Issue{Service: "oac", ID: "t2", Token: "token-2-0123456789abcdef"}, nine)
	do(dispenser.CallNext{Desk: "taula3", Clerk: "anna"}, nine.Add(4*time.Minute))
	do(dispenser.Finish{Desk: "taula3"}, nine.Add(10*time.Minute))
	do(dispenser.CallNext{Desk: "taula3", Clerk: "anna"}, nine.Add(12*time.Minute))
	if _, err := tc.store.Ingest(ctx, "dev1", "oac1", evs); err != nil {
		t.Fatal(err)
	}
	base := tc.url + "/api/indicators?from=2026-11-23&to=2026-11-23"
	for _, c := range []struct {
		url, key string
		code     int
		says     string
	}{
		{base, "", http.StatusUnauthorized, "an API key is required"},
		{base + "&office=oac1", "wrong", http.StatusUnauthorized, "unknown or revoked API key"},
		{base, "key-oac1", http.StatusForbidden, `the key \"oac1\" is for office oac1`},
		{tc.url + "/api/indicators?from=2026-11-30&to=2026-11-23", "key-all", http.StatusBadRequest, "the period ends (2026-11-23) before it starts (2026-11-30)"},
		{tc.url + "/api/indicators?to=2026-11-23", "key-all", http.StatusBadRequest, "from and to are required"},
		{base + "&by=colour", "key-all", http.StatusBadRequest, `by \"colour\"`},
		{base + "&target=soon", "key-all", http.StatusBadRequest, `target \"soon\": want a duration`},
		{base + "&colour=red", "key-all", http.StatusBadRequest, `unknown parameter \"colour\"`},
		{base + "&office=atlantis", "key-all", http.StatusNotFound, `office \"atlantis\"`},
		{base + "&format=pdf", "key-all", http.StatusBadRequest, `format \"pdf\"`},
	} {
		code, body := request(t, "GET", c.url, c.key, "", "")
		if code != c.code || !strings.Contains(body, c.says) {
			t.Errorf("GET %s (key %q): %d %s; want %d saying %s", c.url, c.key, code, body, c.code, c.says)
		}
	}

	code, body := request(t, "GET", base+"&office=oac1&by=service&target.oac=3m", "key-oac1", "", "")
	if code != http.StatusOK {
		t.Fatalf("office key: %d %s", code, body)
	}
	var res struct {
		By   string `json:"by"`
		Rows []struct {
			Key               string  `json:"key"`
			Issued            int     `json:"issued"`
			Served            int     `json:"served"`
			Called            int     `json:"called"`
			WaitMean          float64 `json:"wait_mean_s"`
			WaitMedian        float64 `json:"wait_median_s"`
			WithinTargetShare float64 `json:"within_target_share"`
			ServiceMean       float64 `json:"service_mean_s"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	// Waits of 4 and 12 minutes; a 3-minute target met by neither, a
	// 6-minute service. The median comes from whole seconds, within half
	// a second (the middle of 479 s–480 s).
	if res.By != "service" || len(res.Rows) != 1 {
		t.Fatalf("%s", body)
	}
	if r := res.Rows[0]; r.Key != "oac" || r.Issued != 2 || r.Served != 1 || r.Called != 2 || r.WaitMean != 480 ||
		r.WaitMedian != 479.5 || r.WithinTargetShare != 0 || r.ServiceMean != 360 {
		t.Errorf("row %+v", r)
	}

	code, body = request(t, "GET", base+"&format=csv&target=5m", "key-all", "", "")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if code != http.StatusOK || len(lines) != 2 || !strings.HasPrefix(lines[0], "key,issued,served,no_shows,") ||
		!strings.HasPrefix(lines[1], ",2,1,0,0,0,0,0,2,480,479.5,") || !strings.Contains(lines[1], ",1,0.5,360,") ||
		!strings.HasSuffix(lines[1], ",0,480,360,0.75,330,330") {
		t.Errorf("CSV: %d\n%s", code, body)
	}
}

// TestIndicatorsRefreshedInBackground: central brings the rollups of the
// days a device sent up to date by itself, every RefreshEvery, without a
// report asking.
func TestIndicatorsRefreshedInBackground(t *testing.T) {
	st, err := sqlstore.OpenSQLite(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs := &syncBuffer{}
	srv := &central.Server{Store: st, Log: slog.New(slog.NewTextHandler(logs, nil)), RefreshEvery: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.Run(ctx) }()
	defer func() { cancel(); <-done }()

	cfg, d := office(t)
	nine := time.Date(2026, 11, 23, 9, 0, 0, 0, cfg.Location)
	evs, err := d.Handle(dispenser.Issue{Service: "oac", ID: "t1", Token: "token-1-0123456789abcdef"}, nine)
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	if _, err := st.Ingest(ctx, "dev1", "oac1", evs); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), `msg="indicators brought up to date" office_days=1`); {
		if time.Now().After(deadline) {
			t.Fatalf("no refresh in 10 s; the log:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n, err := st.RefreshIndicators(ctx); n != 0 || err != nil {
		t.Errorf("after the background refresh: %d days left, %v", n, err)
	}
}
