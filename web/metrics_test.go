package web

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/uplink"
)

// scrape is a /metrics page parsed by parseExposition: the value of each
// series, keyed by seriesKey, and each family's type.
type scrape struct {
	values map[string]float64
	types  map[string]string
}

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// seriesKey names a series: its name and its labels sorted, values as
// they are (unescaped).
func seriesKey(name string, labels ...string) string {
	var ps []string
	for i := 0; i+1 < len(labels); i += 2 {
		ps = append(ps, labels[i]+"="+strconv.Quote(labels[i+1]))
	}
	sort.Strings(ps)
	return name + "{" + strings.Join(ps, ",") + "}"
}

// parseExposition parses text in the Prometheus text format 0.0.4 and
// fails t on anything a strict reader would refuse: a sample before its
// family's TYPE, a HELP or TYPE given twice, a family's samples apart,
// families out of order, a bad name, label or escape, a duplicate series,
// a histogram whose buckets are not cumulative or do not end with +Inf
// equal to _count.
func parseExposition(t *testing.T, text string) scrape {
	t.Helper()
	sc, err := parseText(text)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// badText is what parseText's checks panic with.
type badText struct{ err error }

// parseText is parseExposition's parser: it returns what is wrong.
func parseText(text string) (sc scrape, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(badText)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	fatalf := func(format string, args ...any) { panic(badText{fmt.Errorf(format, args...)}) }
	sc = scrape{values: map[string]float64{}, types: map[string]string{}}
	helped := map[string]bool{}
	var families []string
	done := map[string]bool{} // families whose samples have ended
	current := ""
	type hist struct {
		les    []float64
		counts []float64
		count  *float64
		sum    bool
	}
	hists := map[string]*hist{}
	if !strings.HasSuffix(text, "\n") {
		fatalf("the exposition does not end with a line feed")
	}
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		bad := func(format string, args ...any) {
			fatalf("line %d %q: %s", n+1, line, fmt.Sprintf(format, args...))
		}
		if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			f := strings.SplitN(line[7:], " ", 2)
			if len(f) != 2 || !metricName.MatchString(f[0]) {
				bad("bad HELP or TYPE")
			}
			name := f[0]
			if done[name] || (current != name && current != "" && sc.types[name] != "") {
				bad("family %s comes back", name)
			}
			if current != name {
				if current != "" {
					done[current] = true
				}
				if len(families) > 0 && families[len(families)-1] >= name {
					bad("family %s after %s: not sorted", name, families[len(families)-1])
				}
				families = append(families, name)
				current = name
			}
			if line[2] == 'H' {
				if helped[name] {
					bad("second HELP")
				}
				helped[name] = true
				if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(f[1], `\\`, ""), `\n`, ""), `\`) {
					bad("bad escape in HELP")
				}
				continue
			}
			if sc.types[name] != "" {
				bad("second TYPE")
			}
			switch f[1] {
			case "gauge", "counter", "histogram", "summary", "untyped":
			default:
				bad("unknown type %q", f[1])
			}
			sc.types[name] = f[1]
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		if line == "" {
			bad("empty line")
		}
		// name{labels} value
		i := strings.IndexAny(line, "{ ")
		if i < 0 {
			bad("no value")
		}
		name, rest := line[:i], line[i:]
		if !metricName.MatchString(name) {
			bad("bad metric name")
		}
		var labels []string
		seen := map[string]bool{}
		if rest[0] == '{' {
			rest = rest[1:]
			for rest != "" && rest[0] != '}' {
				eq := strings.Index(rest, `="`)
				if eq < 0 || !labelName.MatchString(rest[:eq]) {
					bad("bad label at %q", rest)
				}
				ln := rest[:eq]
				if seen[ln] {
					bad("label %s twice", ln)
				}
				seen[ln] = true
				rest = rest[eq+2:]
				var v strings.Builder
				closed := false
				for j := 0; j < len(rest); j++ {
					c := rest[j]
					if c == '\\' {
						if j+1 == len(rest) {
							bad("escape at the end")
						}
						switch rest[j+1] {
						case '\\':
							v.WriteByte('\\')
						case '"':
							v.WriteByte('"')
						case 'n':
							v.WriteByte('\n')
						default:
							bad("bad escape \\%c", rest[j+1])
						}
						j++
						continue
					}
					if c == '"' {
						rest, closed = rest[j+1:], true
						break
					}
					if c == '\n' {
						bad("raw line feed in a label value")
					}
					v.WriteByte(c)
				}
				if !closed {
					bad("label value not closed")
				}
				labels = append(labels, ln, v.String())
				if strings.HasPrefix(rest, ",") {
					rest = rest[1:]
				} else if !strings.HasPrefix(rest, "}") {
					bad("want , or } at %q", rest)
				}
			}
			if rest == "" {
				bad("labels not closed")
			}
			rest = rest[1:]
		}
		if !strings.HasPrefix(rest, " ") {
			bad("no space before the value")
		}
		fields := strings.Fields(rest)
		if len(fields) < 1 || len(fields) > 2 {
			bad("want a value and at most a timestamp")
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			bad("bad value: %v", err)
		}
		fam := name
		if current != name {
			for _, suf := range []string{"_bucket", "_sum", "_count"} {
				if b, ok := strings.CutSuffix(name, suf); ok && sc.types[b] == "histogram" {
					fam = b
				}
			}
		}
		if fam != current || sc.types[fam] == "" {
			bad("sample of %s without its TYPE just before", fam)
		}
		key := seriesKey(name, labels...)
		if _, dup := sc.values[key]; dup {
			bad("duplicate series %s", key)
		}
		sc.values[key] = v
		if sc.types[fam] == "histogram" {
			var le string
			var rest []string
			for j := 0; j < len(labels); j += 2 {
				if labels[j] == "le" {
					le = labels[j+1]
				} else {
					rest = append(rest, labels[j], labels[j+1])
				}
			}
			hk := seriesKey(fam, rest...)
			h := hists[hk]
			if h == nil {
				h = &hist{}
				hists[hk] = h
			}
			switch name {
			case fam + "_bucket":
				b, err := strconv.ParseFloat(le, 64)
				if le == "" || err != nil {
					bad("bucket without a good le")
				}
				if h.count != nil || h.sum {
					bad("bucket after _sum or _count")
				}
				if k := len(h.les); k > 0 && (b <= h.les[k-1] || v < h.counts[k-1]) {
					bad("buckets not ascending or not cumulative")
				}
				h.les, h.counts = append(h.les, b), append(h.counts, v)
			case fam + "_sum":
				h.sum = true
			case fam + "_count":
				h.count = &v
			default:
				bad("histogram sample %s", name)
			}
		} else if name != fam {
			bad("sample %s in family %s", name, fam)
		}
	}
	for k, h := range hists {
		if len(h.les) == 0 || !math.IsInf(h.les[len(h.les)-1], 1) {
			fatalf("histogram %s: no +Inf bucket", k)
		}
		if h.count == nil || !h.sum {
			fatalf("histogram %s: no _count or _sum", k)
		}
		if *h.count != h.counts[len(h.counts)-1] {
			fatalf("histogram %s: +Inf bucket %g, _count %g", k, h.counts[len(h.counts)-1], *h.count)
		}
	}
	for name := range sc.types {
		if !helped[name] {
			fatalf("family %s has no HELP", name)
		}
	}
	return sc, nil
}

// get returns a series' value, failing t when it is missing.
func (sc scrape) get(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	v, ok := sc.values[seriesKey(name, labels...)]
	if !ok {
		t.Fatalf("no series %s", seriesKey(name, labels...))
	}
	return v
}

func (sc scrape) want(t *testing.T, want float64, name string, labels ...string) {
	t.Helper()
	if got := sc.get(t, name, labels...); got != want {
		t.Errorf("%s = %g, want %g", seriesKey(name, labels...), got, want)
	}
}

// metricsServer is a server of the masnou office on clk, with sync and
// devices as a test sets them.
func metricsServer(t *testing.T, cfg dispenser.Config, clk *clock) (*Server, http.Handler, *office.Office) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o, err := office.Open(cfg, &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}, office.Options{Now: clk.now, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Office: o, Log: log}
	return s, s.Handler(), o
}

func getMetrics(t *testing.T, h http.Handler) (string, scrape) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("GET /metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	return rec.Body.String(), parseExposition(t, rec.Body.String())
}

// TestMetricsOfADay walks a morning at one desk with a fake clock and
// checks every figure /metrics gives: the waits' histogram, the states,
// the queue, the desks, the printer, the link to central and the devices.
func TestMetricsOfADay(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, madrid) }
	clk := &clock{at(9, 0)}
	s, h, o := metricsServer(t, masnouOffice(), clk)
	s.Sync = func() uplink.Status {
		return uplink.Status{Connected: false, Since: at(9, 35), Acked: 3, LastSeq: 10, Backlog: 7,
			LastError: "dial tcp: connection refused", ClockOffset: 1500 * time.Millisecond}
	}
	s.Devices = func() []DeviceStatus {
		return []DeviceStatus{{Name: "printer", Kind: "printer", State: DeviceError, Detail: "paper out"},
			{Name: "document reader", Kind: "reader", State: DeviceOffline}}
	}
	s.LastSeq = func() uint64 { return 10 }
	step := func(at time.Time, method, path, body string, want int) {
		t.Helper()
		clk.t = at
		if code, b := do(t, h, method, path, body); code != want {
			t.Fatalf("%s %s at %s: %d %v", method, path, at.Format("15:04"), code, b)
		}
	}
	for _, m := range []int{0, 2, 4, 10} { // A001..A004
		step(at(9, m), "POST", "/api/tickets", `{"service":"oac"}`, 201)
	}
	step(at(9, 10), "POST", "/api/desks/taula1/next", "", 200)   // A001 waited 10 min
	step(at(9, 20), "POST", "/api/desks/taula1/done", "", 200)   // served 10 min from the call
	step(at(9, 20), "POST", "/api/desks/taula1/next", "", 200)   // A002 waited 18 min
	step(at(9, 30), "POST", "/api/desks/taula1/noshow", "", 200) // A002 did not come
	step(at(9, 30), "POST", "/api/desks/taula1/next", "", 200)   // A003 waited 26 min
	step(at(9, 31), "POST", "/api/desks/taula1/start", "", 200)
	if _, err := o.Do(dispenser.SetPrinter{Ready: false, Reason: "paper out"}); err != nil {
		t.Fatal(err)
	}
	clk.t = at(9, 40)
	text, sc := getMetrics(t, h)
	t.Log(text)

	oac := []string{"service", "oac", "kind", "walkin"}
	for le, n := range map[string]float64{"60": 0, "300": 0, "600": 1, "900": 1, "1200": 2, "1800": 3, "2700": 3, "3600": 3, "+Inf": 3} {
		sc.want(t, n, "torn_wait_seconds_bucket", append(oac, "le", le)...)
	}
	sc.want(t, 600+18*60+26*60, "torn_wait_seconds_sum", oac...)
	sc.want(t, 3, "torn_wait_seconds_count", oac...)
	sc.want(t, 0, "torn_wait_seconds_count", "service", "oac", "kind", "appointment")
	sc.want(t, 1, "torn_service_seconds_bucket", "service", "oac", "le", "600")
	sc.want(t, 0, "torn_service_seconds_bucket", "service", "oac", "le", "300")
	sc.want(t, 600, "torn_service_seconds_sum", "service", "oac")

	sc.want(t, 4, "torn_tickets_issued", oac...)
	sc.want(t, 0, "torn_tickets_issued", "service", "oac", "kind", "priority")
	for st, n := range map[string]float64{"waiting": 1, "called": 0, "serving": 1, "done": 1, "noshow": 1, "cancelled": 0} {
		sc.want(t, n, "torn_tickets", "service", "oac", "state", st)
	}
	sc.want(t, 1, "torn_waiting", "service", "oac")
	sc.want(t, 30*60, "torn_longest_wait_seconds", "service", "oac") // A004, issued 9:10
	sc.want(t, 1, "torn_desks", "state", "open")
	sc.want(t, 0, "torn_desks", "state", "closed")
	sc.want(t, 1, "torn_desk_open", "desk", "taula1")

	sc.want(t, 0, "torn_printer_ready")
	sc.want(t, 1, "torn_printer_paper_out")
	sc.want(t, 1, "torn_printer_problem", "reason", "paper out")

	sc.want(t, 0, "torn_sync_connected")
	sc.want(t, 7, "torn_sync_backlog")
	sc.want(t, 3, "torn_sync_acked_seq")
	sc.want(t, 1, "torn_sync_error")
	sc.want(t, 1.5, "torn_sync_clock_offset_seconds")
	sc.want(t, 300, "torn_sync_since_seconds")
	sc.want(t, 10, "torn_store_last_seq")

	sc.want(t, 1, "torn_device_state", "device", "document reader", "kind", "reader", "state", "offline")
	sc.want(t, 0, "torn_device_state", "device", "document reader", "kind", "reader", "state", "ok")
	sc.want(t, 1, "torn_device_state", "device", "printer", "kind", "printer", "state", "error")

	sc.want(t, 1, "torn_up")
	sc.want(t, 1, "torn_office_ok")
	for k := range sc.values {
		if strings.HasPrefix(k, "torn_build_info{version=") && sc.values[k] == 1 {
			return
		}
	}
	t.Errorf("no torn_build_info{version=...} 1")
}

// TestMetricsOfflineByDesign: an office without a link to central has no
// sync figures, and no devices when the server has none.
func TestMetricsOfflineByDesign(t *testing.T) {
	_, h, _ := metricsServer(t, masnouOffice(), &clock{time.Date(2026, 11, 26, 9, 0, 0, 0, madrid)})
	text, sc := getMetrics(t, h)
	for _, name := range []string{"torn_sync_", "torn_device_state", "torn_store_last_seq"} {
		if strings.Contains(text, name) {
			t.Errorf("an office offline by design shows %s:\n%s", name, text)
		}
	}
	sc.want(t, 1, "torn_printer_ready")
	sc.want(t, 0, "torn_wait_seconds_count", "service", "oac", "kind", "walkin")
	sc.want(t, 0, "torn_longest_wait_seconds", "service", "oac")
}

// TestMetricsEscapeLabels: label values with a quote, a backslash, a line
// feed, a tab and non-ASCII letters come out in the format's escaping
// (not Go's %q), and read back as they were.
func TestMetricsEscapeLabels(t *testing.T) {
	cfg := masnouOffice()
	odd := `pa"dró\x` + "\n\tÀ€"
	cfg.Services[0].ID = dispenser.ServiceID(odd)
	cfg.Desks[0].Profile = []dispenser.ServiceID{dispenser.ServiceID(odd)}
	clk := &clock{time.Date(2026, 11, 26, 9, 0, 0, 0, madrid)}
	_, h, o := metricsServer(t, cfg, clk)
	if _, err := o.Do(dispenser.Issue{Service: dispenser.ServiceID(odd), Kind: dispenser.WalkIn}); err != nil {
		t.Fatal(err)
	}
	reason := "cover \"open\" \\ λ\nsee manual"
	if _, err := o.Do(dispenser.SetPrinter{Ready: false, Reason: reason}); err != nil {
		t.Fatal(err)
	}
	text, sc := getMetrics(t, h)
	sc.want(t, 1, "torn_waiting", "service", odd)
	sc.want(t, 1, "torn_printer_problem", "reason", reason)
	if want := `torn_waiting{service="pa\"dró\\x\n` + "\tÀ€" + `"} 1` + "\n"; !strings.Contains(text, want) {
		t.Errorf("metrics lack %q:\n%s", want, text)
	}
	for in, want := range map[string]string{
		`a"b`: `a\"b`, `a\b`: `a\\b`, "a\nb": `a\nb`, "a\tb": "a\tb", "Padró": "Padró", "\x01": "\x01",
		"bad \xff utf8": "bad \uFFFD utf8", "": "",
	} {
		if got := escapeLabel(in); got != want {
			t.Errorf("escapeLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseExpositionRefusesBadText: the test's parser is strict, so
// that the tests above mean something.
func TestParseExpositionRefusesBadText(t *testing.T) {
	good := "# HELP a_x A.\n# TYPE a_x gauge\na_x{l=\"v\"} 1\n"
	hist := "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n"
	parseExposition(t, good+hist)
	for name, text := range map[string]string{
		"no TYPE":             "a_x 1\n",
		"TYPE after sample":   "# HELP a_x A.\na_x 1\n# TYPE a_x gauge\n",
		"two TYPEs":           good + "# TYPE a_x gauge\n",
		"duplicate series":    good + "a_x{l=\"v\"} 2\n",
		"bad escape":          "# HELP a_x A.\n# TYPE a_x gauge\na_x{l=\"\\t\"} 1\n",
		"Go quoting":          "# HELP a_x A.\n# TYPE a_x gauge\na_x{l=\"\\u00f3\"} 1\n",
		"not sorted":          hist + good,
		"not cumulative":      "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n",
		"no +Inf":             "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 3\nh_count 1\n",
		"+Inf is not _count":  "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 3\n",
		"bad name":            "# HELP a-x A.\n# TYPE a-x gauge\na-x 1\n",
		"sample of another":   good + "b_x 1\n",
		"no HELP":             "# TYPE a_x gauge\na_x 1\n",
		"label value unended": "# HELP a_x A.\n# TYPE a_x gauge\na_x{l=\"v} 1\n",
	} {
		if _, err := parseText(text); err == nil {
			t.Errorf("%s: the parser takes %q", name, text)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
