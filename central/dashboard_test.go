package central_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/central"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/syncproto"
)

// device is what an office's tornd would send central: the events of the
// commands it handled, numbered.
type device struct {
	t   *testing.T
	cfg dispenser.Config
	d   *dispenser.Dispenser
	evs []dispenser.Event
}

func newDevice(t *testing.T, cfg dispenser.Config) *device {
	t.Helper()
	d, err := dispenser.New(cfg, dispenser.Snapshot{})
	if err != nil {
		t.Fatal(err)
	}
	return &device{t: t, cfg: cfg, d: d}
}

func (dv *device) do(cmd dispenser.Command, at time.Time) {
	dv.t.Helper()
	es, err := dv.d.Handle(cmd, at)
	if err != nil {
		dv.t.Fatalf("%T at %s: %v", cmd, at, err)
	}
	for _, e := range es {
		e.Seq = uint64(len(dv.evs) + 1)
		dv.evs = append(dv.evs, e)
	}
}

// send stores the events (all of them again: ingest is idempotent) and the
// office's config, as the device's hello and outbox would.
func (dv *device) send(st central.Store, id string) {
	dv.t.Helper()
	ctx := context.Background()
	b, err := json.Marshal(syncproto.NewOfficeConfig(dv.cfg))
	if err != nil {
		dv.t.Fatal(err)
	}
	if err := st.PutOfficeConfig(ctx, dv.cfg.Office, b); err != nil {
		dv.t.Fatal(err)
	}
	for start := 0; start < len(dv.evs); start += 400 {
		if _, err := st.Ingest(ctx, id, dv.cfg.Office, dv.evs[start:min(start+400, len(dv.evs))]); err != nil {
			dv.t.Fatal(err)
		}
	}
}

// dashboardCentral is a central with two offices: oac1 ("OAC u") had two
// tickets yesterday at 9:00, called after 4 and 12 minutes, the first
// served in 6; today one ticket waits. oac2 ("OAC dos") had one ticket
// yesterday. Keys: key-all, and key-oac1 for oac1 only.
func dashboardCentral(t *testing.T) (tc *testCentral, yesterday time.Time) {
	tc = newCentral(t)
	ctx := context.Background()
	key := sha256.Sum256([]byte("key-oac1"))
	if err := tc.store.AddAPIKey(ctx, central.APIKey{Name: "oac1", Office: "oac1", Hash: key[:], Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	cfg, _ := office(t)
	now := time.Now().In(cfg.Location)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cfg.Location)
	yesterday = midnight.AddDate(0, 0, -1).Add(9 * time.Hour)
	one := newDevice(t, cfg)
	one.do(dispenser.Issue{Service: "oac", ID: "t1", Token: "token-1-0123456789abcdef"}, yesterday)
	one.do(dispenser.Issue{Service: "oac", ID: "t2", Token: "token-2-0123456789abcdef"}, yesterday)
	one.do(dispenser.CallNext{Desk: "taula3", Clerk: "anna"}, yesterday.Add(4*time.Minute))
	one.do(dispenser.Finish{Desk: "taula3"}, yesterday.Add(10*time.Minute))
	one.do(dispenser.CallNext{Desk: "taula3", Clerk: "anna"}, yesterday.Add(12*time.Minute))
	one.do(dispenser.Finish{Desk: "taula3"}, yesterday.Add(15*time.Minute))
	waitingSince := now.Add(-5 * time.Minute)
	if waitingSince.Before(midnight) {
		waitingSince = now
	}
	one.do(dispenser.Issue{Service: "oac", ID: "t3", Token: "token-3-0123456789abcdef"}, waitingSince)
	one.send(tc.store, "dev1")

	cfg.Office, cfg.Name = "oac2", "OAC dos"
	two := newDevice(t, cfg)
	two.do(dispenser.Issue{Service: "oac", ID: "u1", Token: "token-u-0123456789abcdef"}, yesterday.Add(time.Hour))
	two.send(tc.store, "dev2")
	return tc, yesterday
}

// page GETs url with the key (Bearer) and Accept-Language, and returns the
// status, the WWW-Authenticate header and the body.
func page(t *testing.T, url, key, accept string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(b)
}

// figure is the summary's figure named name, as the page shows it.
func figure(body, name string) string {
	m := regexp.MustCompile(`data-figure="` + name + `">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return "(none)"
	}
	return html.UnescapeString(m[1])
}

// TestDashboard: the managers' page shows today's live figures and the
// period's (summary, three charts, tables with their CSV), in Catalan by
// default, Spanish or English by ?lang= or the browser's Accept-Language,
// with no text missing in any of them.
func TestDashboard(t *testing.T) {
	tc, yesterday := dashboardCentral(t)
	code, _, body := page(t, tc.url+"/dashboard", "key-all", "")
	if code != http.StatusOK {
		t.Fatalf("GET /dashboard: %d\n%s", code, body)
	}
	// Period: 3 tickets issued (two yesterday in oac1, one in oac2) and
	// today's; waits of 4 and 12 minutes; one service time of 6, one of 3.
	for name, want := range map[string]string{
		"issued": "4", "served": "2", "wait_mean": "8 min", "wait_median": "8 min", "wait_p90": "11 min 12 s",
		"within_target": "100 %", "service_mean": "4 min 30 s", "no_shows": "0", "appointments": "0 / 0 / 0",
	} {
		if got := figure(body, name); got != want {
			t.Errorf("summary %s: %q, want %q", name, got, want)
		}
	}
	for _, want := range []string{
		`<html lang="ca">`, "Quadre de comandament", "<h2>Avui</h2>", "OAC u", "OAC dos",
		`<tr data-office="oac1">`, `<td class="waiting">1</td>`, "fora de línia",
		"Espera per hora d'arribada", "Espera per servei", "Per servei", "Per taula", "Per persona", "Per dia de la setmana",
		"Atenció (oac)", "Taula 3", "anna", "9 h",
		dashWeekday["ca"][yesterday.Weekday()],
		"Informe per imprimir", `href="/report?`,
	} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("the dashboard does not say %q", want)
		}
	}
	if n := strings.Count(body, `<svg xmlns="http://www.w3.org/2000/svg" class="chart`); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
	// Yesterday 9 h's waits are 4 and 12 minutes: mean 8.
	if !strings.Contains(body, `data-value="8"><title>9 h · mitjana: 8 min</title>`) {
		t.Errorf("the hour chart has no bar of 8 min at 9 h")
	}

	// Each table's CSV link asks the API for the same period and offices.
	m := regexp.MustCompile(`<h3 id="table-service">[^<]*<a class="csv" href="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSV link for the table by service")
	}
	link := html.UnescapeString(m[1])
	if !strings.HasPrefix(link, "/api/indicators?") || !strings.Contains(link, "by=service") || !strings.Contains(link, "format=csv") ||
		!strings.Contains(link, "to="+time.Now().In(yesterday.Location()).Format(time.DateOnly)) {
		t.Errorf("CSV link %s", link)
	}
	code, body = request(t, "GET", tc.url+link, "key-all", "", "")
	if lines := strings.Split(strings.TrimSpace(body), "\n"); code != http.StatusOK || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "key,issued,") || !strings.HasPrefix(lines[1], "oac,4,2,") {
		t.Errorf("CSV: %d\n%s", code, body)
	}

	for _, c := range []struct{ query, accept, lang, says string }{
		{"?lang=es", "", "es", "Cuadro de mando"},
		{"?lang=en", "", "en", "Dashboard"},
		{"", "es-ES,es;q=0.9,en;q=0.8", "es", "<h2>Hoy</h2>"},
		{"", "en-GB,en;q=0.9", "en", "<h2>Today</h2>"},
		{"", "fr-FR,fr;q=0.9", "ca", "<h2>Avui</h2>"},
		{"?lang=en", "ca", "en", "Wait by hour of arrival"},
		{"?lang=es", "", "es", dashWeekday["es"][yesterday.Weekday()]},
		{"?lang=en", "", "en", dashWeekday["en"][yesterday.Weekday()]},
	} {
		for _, path := range []string{"/dashboard", "/report"} {
			code, _, body := page(t, tc.url+path+c.query, "key-all", c.accept)
			if code != http.StatusOK || !strings.Contains(body, `<html lang="`+c.lang+`">`) {
				t.Errorf("%s%s (Accept-Language %q): %d, want 200 in %s", path, c.query, c.accept, code, c.lang)
			}
			if path == "/dashboard" && !strings.Contains(body, c.says) {
				t.Errorf("%s%s (Accept-Language %q) does not say %q", path, c.query, c.accept, c.says)
			}
			if i := strings.Index(body, ">!"); i >= 0 || strings.Contains(body, `"!`) {
				t.Errorf("%s%s: a missing text near %q", path, c.query, body[max(i, 0):min(max(i, 0)+60, len(body))])
			}
		}
	}
	if got := figure(mustPage(t, tc.url+"/dashboard?lang=en", "key-all"), "within_target"); got != "100%" {
		t.Errorf("share within target in English: %q", got)
	}
	// A target of 10 minutes: the 12-minute wait misses it.
	if body := mustPage(t, tc.url+"/dashboard?lang=en&target=10m", "key-all"); figure(body, "within_target") != "50%" ||
		!strings.Contains(body, "10 min") || !strings.Contains(body, "target=10m") {
		t.Errorf("share within a 10-minute target: %q", figure(body, "within_target"))
	}

	// The fragment the page refreshes every 30 s.
	code, _, body = page(t, tc.url+"/dashboard/today?lang=es&office=oac1", "key-all", "")
	if code != http.StatusOK || !strings.Contains(body, "Esperando ahora") || !strings.Contains(body, `<tr data-office="oac1">`) || strings.Contains(body, "oac2") {
		t.Errorf("today's fragment: %d\n%s", code, body)
	}
}

var dashWeekday = map[string][7]string{
	"ca": {"diumenge", "dilluns", "dimarts", "dimecres", "dijous", "divendres", "dissabte"},
	"es": {"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
	"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
}

func mustPage(t *testing.T, url, key string) string {
	t.Helper()
	code, _, body := page(t, url, key, "")
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", url, code, body)
	}
	return body
}

// TestDashboardErrors: a bad period, grouping or office is a page saying
// so in the page's language, with the right status; no key asks the
// browser for one; an office's key sees its office only.
func TestDashboardErrors(t *testing.T) {
	tc, _ := dashboardCentral(t)
	for _, c := range []struct {
		path, key string
		code      int
		says      string
	}{
		{"/dashboard", "", http.StatusUnauthorized, "an API key is required"},
		{"/report", "", http.StatusUnauthorized, "an API key is required"},
		{"/dashboard", "wrong", http.StatusUnauthorized, "unknown or revoked API key"},
		{"/dashboard?from=2026-13-01", "key-all", http.StatusBadRequest, `La data "2026-13-01" no és vàlida`},
		{"/dashboard?to=ahir&lang=es", "key-all", http.StatusBadRequest, `La fecha "ahir" no es válida`},
		{"/report?from=2026-06-30&to=2026-01-01&lang=en", "key-all", http.StatusBadRequest, "The period ends (1 Jan 2026) before it starts (30 Jun 2026)."},
		{"/dashboard?from=2026-06-30&to=2026-01-01", "key-all", http.StatusBadRequest, "El període acaba (01/01/2026) abans de començar (30/06/2026)."},
		{"/dashboard?from=2020-01-01&to=2026-01-01", "key-all", http.StatusBadRequest, "El període té 2193 dies"},
		{"/dashboard?by=week&lang=en", "key-all", http.StatusBadRequest, `The table cannot be by "week"`},
		{"/dashboard?target=soon&lang=en", "key-all", http.StatusBadRequest, `The target wait "soon" is not a duration`},
		{"/dashboard?office=atlantis", "key-all", http.StatusNotFound, `No hi ha cap oficina "atlantis".`},
		{"/report?office=oac1&office=atlantis&lang=es", "key-all", http.StatusNotFound, `No hay ninguna oficina "atlantis".`},
		{"/dashboard?office=oac2", "key-oac1", http.StatusForbidden, `La clau "oac1" és només de l'oficina oac1.`},
		{"/dashboard/today?office=oac2&lang=en", "key-oac1", http.StatusForbidden, `The key "oac1" is for office oac1 only.`},
	} {
		code, challenge, body := page(t, tc.url+c.path, c.key, "")
		if code != c.code || !strings.Contains(html.UnescapeString(body), c.says) {
			t.Errorf("GET %s (key %q): %d, want %d saying %s\n%s", c.path, c.key, code, c.code, c.says, body)
		}
		if c.code == http.StatusUnauthorized && c.key == "" && challenge != `Basic realm="torn-central"` {
			t.Errorf("GET %s without a key: WWW-Authenticate %q, want Basic", c.path, challenge)
		}
		if c.code >= 400 && c.code != http.StatusUnauthorized && !strings.Contains(body, `role="alert"`) {
			t.Errorf("GET %s: the error is not a page", c.path)
		}
	}

	// An office's key: its office only, without asking for it.
	body := mustPage(t, tc.url+"/dashboard", "key-oac1")
	if !strings.Contains(body, `<tr data-office="oac1">`) || strings.Contains(body, "oac2") || strings.Contains(body, "OAC dos") {
		t.Errorf("oac1's key sees other offices")
	}
	if got := figure(body, "issued"); got != "3" {
		t.Errorf("oac1's key: %s tickets issued, want oac1's 3", got)
	}
	if !strings.Contains(body, "office=oac1") {
		t.Errorf("oac1's CSV links do not name its office (the API would refuse them)")
	}
	if body := mustPage(t, tc.url+"/report?office=oac1", "key-oac1"); !strings.Contains(body, "OAC u (oac1)") {
		t.Errorf("oac1's report does not name its office")
	}
	// A key of every office, by HTTP Basic as a browser sends it.
	req, _ := http.NewRequest("GET", tc.url+"/dashboard?office=oac2", nil)
	req.SetBasicAuth("manager", "key-all")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("Basic auth: %d", resp.StatusCode)
	}
}

// TestReport: the printable report has the header a review needs
// (offices, period, generation date), the summary, the three charts and
// the six tables, each section starting a new A4 page when printed, and
// no navigation on paper.
func TestReport(t *testing.T) {
	tc, yesterday := dashboardCentral(t)
	madrid := yesterday.Location()
	body := mustPage(t, tc.url+"/report?from=2026-01-01&to=2026-06-30&office=oac1&office=oac2", "key-all")
	for _, want := range []string{
		"<h1>Informe del període</h1>", `<dd class="offices">OAC u (oac1), OAC dos (oac2)</dd>`,
		`<dd class="period">del 01/01/2026 al 30/06/2026</dd>`, "Generat el " + time.Now().In(madrid).Format("02/01/2006"),
		"@page{size:A4 landscape", "break-before:page", "@media print", "nav,.noprint",
		"Resum del període", "Per servei", "Per taula", "Per persona", "Per dia de la setmana", "Per hora d'arribada", "Per mes",
		"Per oficina", "Sense dades en aquest període", "Cap torn en aquest període.",
	} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("the report does not say %q", want)
		}
	}
	if n := strings.Count(body, `<section class="sheet`); n != 9 {
		t.Errorf("%d sections, want 9: the summary, the charts and 7 tables", n)
	}
	if n := strings.Count(body, "<svg "); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
	// This month's report has the figures, its table by month this month.
	body = mustPage(t, tc.url+"/report?lang=en", "key-all")
	if want := yesterday.Format("January 2006"); !strings.Contains(body, "<th scope=\"row\">"+want+"</th>") {
		t.Errorf("the table by month has no row of %s", want)
	}
	if got := figure(body, "issued"); got != "4" {
		t.Errorf("the report: %s tickets issued, want 4", got)
	}
}
