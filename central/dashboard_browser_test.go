package central_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/internal/browser"
	"torn.cat/torn/sim"
	"torn.cat/torn/syncproto"
)

// simRecorder keeps the events of simulated days as the office's device
// would send them, and the office's config.
type simRecorder struct {
	evs []dispenser.Event
	cfg dispenser.Config
}

func (r *simRecorder) Issued(d *dispenser.Dispenser, _ dispenser.Ticket, _ time.Time) {
	if r.cfg.Office == "" {
		r.cfg = *d.Config()
	}
}

func (r *simRecorder) Event(e dispenser.Event) {
	e.Seq = uint64(len(r.evs) + 1)
	r.evs = append(r.evs, e)
}

// simulated runs three open days of scenario file from a week ago as
// office's device, and returns that device ready to go on today, with
// every service open all day so that tickets can be issued at any hour
// the test runs, and the simulated days' results.
func simulated(t *testing.T, file, office, name string) (*device, []sim.Result) {
	t.Helper()
	sc, err := sim.LoadScenario("../sim/testdata/scenarios/" + file)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Madrid")
	sc.Start = time.Now().In(loc).AddDate(0, 0, -7).Format(time.DateOnly)
	var r simRecorder
	res, err := sim.RunDays(sc, 7, 3, &r)
	if err != nil {
		t.Fatal(err)
	}
	cfg := r.cfg
	cfg.Office, cfg.Name = office, name
	cfg.Rules.NoCutOff = true
	cfg.Services = slices.Clone(cfg.Services)
	for i := range cfg.Services {
		for wd := range cfg.Services[i].Hours.Weekly {
			cfg.Services[i].Hours.Weekly[wd] = []dispenser.Range{{From: 0, To: 24 * 60}}
		}
		cfg.Services[i].Hours.Closed = nil
	}
	dv := newDevice(t, cfg)
	dv.evs = r.evs
	return dv, res
}

// TestDashboardInBrowser runs the managers' pages in a real Chromium on a
// central with three simulated days of two offices and today's queue of
// one: the dashboard shows today's live figures and the period's charts
// with a bar per hour and series, switches to Spanish and English, its
// CSV links give CSV; the report, printed, leaves the navigation out and
// starts each section on a new page.
func TestDashboardInBrowser(t *testing.T) {
	tc := newCentral(t)
	small, smallDays := simulated(t, "small.toml", "oac1", "OAC Vilanova")
	masnou, masnouDays := simulated(t, "elmasnou.toml", "masnou", "El Masnou")

	// Today in oac1: four citizens came, a desk opened and called the first.
	now := time.Now().In(small.cfg.Location)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	at := func(ago time.Duration) time.Time {
		if t := now.Add(-ago); t.After(midnight) {
			return t
		}
		return now
	}
	hours, days := map[int]bool{}, map[dispenser.Date]bool{dispenser.Date(now.Format(time.DateOnly)): true}
	for i, ago := range []time.Duration{25 * time.Minute, 18 * time.Minute, 9 * time.Minute, 3 * time.Minute} {
		hours[at(ago).Hour()] = true
		small.do(dispenser.Issue{Service: "oac", ID: dispenser.TicketID(fmt.Sprintf("today-%d", i)), Token: fmt.Sprintf("today-token-%d-0123456789abcdef", i)}, at(ago))
	}
	small.do(dispenser.SetDesk{Desk: "taula1", State: dispenser.DeskOpen, Clerk: "marta"}, at(2*time.Minute))
	small.do(dispenser.CallNext{Desk: "taula1", Clerk: "marta"}, at(time.Minute))
	small.send(tc.store, "dev1")
	masnou.send(tc.store, "masnou-1")
	// oac1's device is online.
	hello := &syncproto.Hello{Type: syncproto.TypeHello, Proto: syncproto.Version, Device: "dev1", Token: "secret-token",
		Office: "oac1", Acked: uint64(len(small.evs)), First: 1, Config: syncproto.NewOfficeConfig(small.cfg)}
	ws := tc.dial(t, hello)
	if _, ok := readMsg(t, ws).(*syncproto.Welcome); !ok {
		t.Fatal("no welcome")
	}

	// What the charts must show: a group per hour and per day with tickets.
	for _, r := range append(smallDays, masnouDays...) {
		for _, tk := range r.Tickets {
			hours[tk.Issued.In(now.Location()).Hour()] = true
			days[r.Day] = true
		}
	}

	ctx := browser.Start(t, 1280, 900)
	step := func(actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser.Within(t, ctx, 20*time.Second), actions...); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(browser.Within(t, ctx, 10*time.Second), chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(browser.Within(t, ctx, 10*time.Second), chromedp.Evaluate[int](`document.querySelectorAll(`+fmt.Sprintf("%q", sel)+`).length`))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}
	text := func(sel string) string {
		t.Helper()
		return strings.TrimSpace(eval(`(document.querySelector(` + fmt.Sprintf("%q", sel) + `) || {textContent: "(none)"}).textContent`))
	}
	// The manager's browser sends the key, as it would after the Basic
	// auth prompt, and asks for Catalan.
	step(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": "Bearer key-all", "Accept-Language": "ca-ES,ca;q=0.9,es;q=0.8"}})
		return err
	}))

	step(chromedp.Navigate(tc.url+"/dashboard"), chromedp.WaitVisible(chromedp.CSS("#today-live table")))
	if got := text("h1"); got != "Quadre de comandament" {
		t.Errorf("h1 %q", got)
	}
	for sel, want := range map[string]string{
		`tr[data-office="oac1"] td.waiting`:   "3",
		`tr[data-office="oac1"] td.desks`:     "1",
		`tr[data-office="oac1"] .on`:          "en línia",
		`tr[data-office="masnou"] .off`:       "fora de línia",
		`tr[data-office="masnou"] td.waiting`: "0",
	} {
		if got := text(sel); got != want {
			t.Errorf("today, %s: %q, want %q", sel, got, want)
		}
	}
	if got := text(`tr[data-office="oac1"] td.longest`); !strings.HasPrefix(got, "18 min") && !strings.HasPrefix(got, "17 min") && now.Sub(midnight) > time.Hour {
		t.Errorf("today's longest wait in oac1 is %q, want about 18 min", got)
	}
	if got := count("svg.chart"); got != 3 {
		t.Fatalf("%d charts, want 3", got)
	}
	hourRows := count("#table-hour + .scroll tbody tr")
	if got := count("svg#chart-hour rect.bar, #charts figure:nth-child(1) svg rect.bar"); got != 2*hourRows || hourRows < len(hours) {
		t.Errorf("the hour chart has %d bars; want 2 (mean, p90) for each of the %d hours of the table, at least the %d hours with tickets", got, hourRows, len(hours))
	}
	if got := count("#charts figure:nth-child(2) svg circle.point"); got != 2*len(days) {
		t.Errorf("the day chart has %d points, want 2 for each of %d days", got, len(days))
	}
	if got, rows := count("#charts figure:nth-child(3) svg rect.bar"), count("#table-service + .scroll tbody tr"); got != 2*rows || rows < 4 {
		t.Errorf("the service chart has %d bars for %d services", got, rows)
	}
	if got := text("#charts figure:nth-child(1) svg title"); got != "Espera per hora d'arribada" {
		t.Errorf("the hour chart's title is %q", got)
	}
	if got := text(`dd[data-figure="issued"]`); got == "0" || got == "(none)" {
		t.Errorf("tickets issued: %q", got)
	}
	browser.Screenshot(t, ctx, "dashboard")

	// The CSV link answers CSV, with the browser's credentials.
	csv, err := chromedp.Run(browser.Within(t, ctx, 10*time.Second), chromedp.Evaluate[string](
		`fetch(document.querySelector("#table-service a.csv").href).then(async r => r.headers.get("Content-Type") + "\n" + await r.text())`,
		chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(csv, "text/csv") || !strings.Contains(csv, "\nkey,issued,served,") || !strings.Contains(csv, "\noac,") {
		t.Errorf("the CSV link gives %v\n%s", err, csv)
	}

	// The languages.
	step(chromedp.Click(chromedp.CSS(`nav a[lang="es"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="es"] h1`)))
	if h1, today := text("h1"), text("#today h2"); h1 != "Cuadro de mando" || today != "Hoy" {
		t.Errorf("in Spanish: %q, %q", h1, today)
	}
	if got := text(`tr[data-office="oac1"] .on`); got != "en línea" {
		t.Errorf("in Spanish oac1 is %q", got)
	}
	step(chromedp.Click(chromedp.CSS(`nav a[lang="en"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] h1`)))
	if h1, today, chart := text("h1"), text("#today h2"), text("#charts figure:nth-child(1) figcaption"); h1 != "Dashboard" || today != "Today" || chart != "Wait by hour of arrival" {
		t.Errorf("in English: %q, %q, %q", h1, today, chart)
	}

	// The report, printed.
	step(chromedp.Click(chromedp.CSS(`nav a.report`)), chromedp.WaitVisible(chromedp.CSS(`body.report h1`)))
	if got := text("h1"); got != "Period report" {
		t.Errorf("report h1 %q", got)
	}
	step(chromedp.Navigate(tc.url+"/report?lang=ca"), chromedp.WaitVisible(chromedp.CSS(`body.report h1`)))
	if got := eval(`getComputedStyle(document.querySelector("nav")).display`); got == "none" {
		t.Errorf("on screen the report's navigation is hidden")
	}
	step(chromedp.EmulateViewport(1123, 794), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	if got := eval(`getComputedStyle(document.querySelector("nav")).display`); got != "none" {
		t.Errorf("printed, the report's navigation shows (display %s)", got)
	}
	if got := eval(`[...document.querySelectorAll("section.sheet")].map(s => getComputedStyle(s).breakBefore).join(" ")`); got != "auto page page page page page page page page" {
		t.Errorf("printed, the sections break %q; want the summary first, then each on a new page", got)
	}
	if got := text("dd.offices"); got != "Totes les oficines" {
		t.Errorf("report offices %q", got)
	}
	if got := count("section.sheet svg.chart"); got != 3 {
		t.Errorf("the report has %d charts", got)
	}
	browser.Screenshot(t, ctx, "report")
}
