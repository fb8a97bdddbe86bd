package web

import (
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/internal/version"
)

// GET /metrics is the Prometheus text exposition format, version 0.0.4,
// written by hand: Prometheus's client library would add megabytes and a
// dozen dependencies to a binary that runs on a Raspberry Pi, for a page of
// gauges computed on each scrape from the dispenser's state.
//
// Today's counts ("tickets issued today") are gauges, not counters: they
// are the day's figures, which drop to zero at the day's rollover, and
// they are computed again from the day's tickets at every scrape (a
// restart does not reset them). A counter's resets would be read by
// rate() as restarts; as gauges, a dashboard shows the day's value
// directly. The waits are a histogram of today's first calls, for the
// same reason restarted each day.

// waitBuckets are the upper bounds, in seconds, of torn_wait_seconds.
var waitBuckets = []float64{60, 300, 600, 900, 1200, 1800, 2700, 3600}

// serviceBuckets are the upper bounds, in seconds, of torn_service_seconds.
var serviceBuckets = []float64{60, 180, 300, 600, 900, 1200, 1800, 3600}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	var e exposition
	e.gauge("torn_up", "Whether tornd is up and serving (always 1: a tornd that is down does not answer).").add(1)
	e.gauge("torn_build_info", "The running tornd's version, as a label.").add(1, "version", version.String())
	ok := 1.0
	if s.Office.Err() != nil {
		ok = 0
	}
	e.gauge("torn_office_ok", "Whether the office records changes (0 after a store failure, until tornd restarts).").add(ok)
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		fig := figuresOf(d, now)
		ids := fig.order(d)
		issued := e.gauge("torn_tickets_issued", "Today's tickets issued, by the service they were issued for and their kind (a gauge: it restarts every day).")
		tickets := e.gauge("torn_tickets", "Today's tickets by the service they are in now and their state.")
		waiting := e.gauge("torn_waiting", "Tickets waiting now, by service.")
		longest := e.gauge("torn_longest_wait_seconds", "How long the longest-waiting ticket of each service has waited since its issue (0 when nobody waits).")
		waits := e.histogram("torn_wait_seconds", "Today's waits from issue (or check-in) to first call, by the service the ticket was issued for and its kind.")
		served := e.histogram("torn_service_seconds", "Today's service times (start, or call, to done) by service.")
		for _, id := range ids {
			f := fig.services[id]
			for _, k := range kinds {
				issued.add(float64(f.issued[k]), "service", string(id), "kind", string(k))
			}
			for _, st := range ticketStates(f.states) {
				tickets.add(float64(f.states[st]), "service", string(id), "state", string(st))
			}
			waiting.add(float64(f.waiting), "service", string(id))
			longest.add(math.Floor(f.longest.Seconds()), "service", string(id))
			for _, k := range kinds {
				waits.observe(waitBuckets, f.waits[k], "service", string(id), "kind", string(k))
			}
			served.observe(serviceBuckets, f.served, "service", string(id))
		}

		desks := e.gauge("torn_desks", "Desks by state.")
		open := e.gauge("torn_desk_open", "Whether each desk is open (1), paused (0.5) or closed (0).")
		count := map[dispenser.DeskState]int{}
		for _, ds := range d.Desks() {
			count[ds.State]++
			v := map[dispenser.DeskState]float64{dispenser.DeskOpen: 1, dispenser.DeskPaused: 0.5}[ds.State]
			open.add(v, "desk", string(ds.ID))
		}
		for _, st := range []dispenser.DeskState{dispenser.DeskOpen, dispenser.DeskPaused, dispenser.DeskClosed} {
			desks.add(float64(count[st]), "state", string(st))
		}

		p := d.Printer()
		ready, paperOut := 0.0, 0.0
		if p.Ready {
			ready = 1
		}
		if !p.Ready && p.Reason == "paper out" {
			paperOut = 1
		}
		e.gauge("torn_printer_ready", "Whether the ticket printer can print (0 takes the dispenser out of service).").add(ready)
		e.gauge("torn_printer_paper_out", "Whether the ticket printer is out of paper.").add(paperOut)
		problem := e.gauge("torn_printer_problem", "Why the printer cannot print, as a label; no sample while it can.")
		if !p.Ready {
			problem.add(1, "reason", p.Reason)
		}
	})
	if devs := s.devices(); len(devs) > 0 {
		g := e.gauge("torn_device_state", "Each device's state: 1 for the state it is in, 0 for the others.")
		for _, dv := range devs {
			for _, st := range deviceStates {
				v := 0.0
				if dv.State == st {
					v = 1
				}
				g.add(v, "device", dv.Name, "kind", dv.Kind, "state", st)
			}
		}
	}
	if s.LastSeq != nil {
		e.gauge("torn_store_last_seq", "The store's last event sequence number.").add(float64(s.LastSeq()))
	}
	if s.Sync != nil {
		st := s.Sync()
		connected, failing := 0.0, 0.0
		if st.Connected {
			connected = 1
		}
		if st.LastError != "" {
			failing = 1
		}
		e.gauge("torn_sync_connected", "Whether the device is connected to central.").add(connected)
		e.gauge("torn_sync_backlog", "Events central does not have yet: the outbox's length.").add(float64(st.Backlog))
		e.gauge("torn_sync_acked_seq", "The last event sequence number central acknowledged.").add(float64(st.Acked))
		e.gauge("torn_sync_error", "Whether the link to central has an error (the last connection failed, or the current one is in trouble).").add(failing)
		e.gauge("torn_sync_clock_offset_seconds", "Central's clock minus the device's, at the last connection.").add(st.ClockOffset.Seconds())
		if !st.Since.IsZero() {
			var now time.Time
			s.Office.View(func(_ *dispenser.Dispenser, t time.Time) { now = t })
			e.gauge("torn_sync_since_seconds", "Seconds since the link to central last connected or disconnected.").add(math.Floor(max(0, now.Sub(st.Since).Seconds())))
		}
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(e.bytes())
}

// ticketStates are the states torn_tickets lists: every state, in the
// ticket's life-cycle order, and any other the tickets have.
func ticketStates(have map[dispenser.State]int) []dispenser.State {
	out := []dispenser.State{dispenser.Waiting, dispenser.Called, dispenser.Serving, dispenser.Done, dispenser.NoShow, dispenser.Cancelled}
	var extra []dispenser.State
	for st := range have {
		if !containsState(out, st) {
			extra = append(extra, st)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	return append(out, extra...)
}

func containsState(ss []dispenser.State, s dispenser.State) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// exposition collects metric families and writes them in the text
// format, families sorted by name, each family's samples in the order they
// were added.
type exposition struct {
	families []*family
}

// A family is one metric family: its HELP, TYPE and samples.
type family struct {
	name, help, typ string
	lines           []string
}

func (e *exposition) family(name, help, typ string) *family {
	f := &family{name: name, help: help, typ: typ}
	e.families = append(e.families, f)
	return f
}

func (e *exposition) gauge(name, help string) *family { return e.family(name, help, "gauge") }

func (e *exposition) histogram(name, help string) *family {
	return e.family(name, help, "histogram")
}

// add adds a sample of f with labels, given as name, value pairs.
func (f *family) add(v float64, labels ...string) { f.sample(f.name, v, labels...) }

func (f *family) sample(name string, v float64, labels ...string) {
	var b strings.Builder
	b.WriteString(name)
	if len(labels) > 0 {
		b.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(labels[i])
			b.WriteString(`="`)
			b.WriteString(escapeLabel(labels[i+1]))
			b.WriteByte('"')
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(formatValue(v))
	f.lines = append(f.lines, b.String())
}

// observe adds the histogram of durations ds to f: the cumulative buckets
// of bounds (seconds) and +Inf, the sum in seconds and the count.
func (f *family) observe(bounds []float64, ds []time.Duration, labels ...string) {
	var sum float64
	for _, d := range ds {
		sum += d.Seconds()
	}
	for _, le := range bounds {
		n := 0
		for _, d := range ds {
			if d.Seconds() <= le {
				n++
			}
		}
		f.sample(f.name+"_bucket", float64(n), append(labels[:len(labels):len(labels)], "le", formatValue(le))...)
	}
	f.sample(f.name+"_bucket", float64(len(ds)), append(labels[:len(labels):len(labels)], "le", "+Inf")...)
	f.sample(f.name+"_sum", sum, labels...)
	f.sample(f.name+"_count", float64(len(ds)), labels...)
}

func (e *exposition) bytes() []byte {
	fs := append([]*family(nil), e.families...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].name < fs[j].name })
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("# HELP " + f.name + " " + escapeHelp(f.help) + "\n")
		b.WriteString("# TYPE " + f.name + " " + f.typ + "\n")
		for _, l := range f.lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}

// escapeLabel escapes a label value as the text format wants: a backslash,
// a double quote and a line feed are escaped; every other character,
// control characters and non-ASCII included, stands as UTF-8 (which is not
// what Go's %q does). Invalid UTF-8 becomes U+FFFD: the format is UTF-8.
func escapeLabel(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeHelp escapes a HELP text: a backslash and a line feed.
func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

// formatValue writes a sample value or bound as the format wants: +Inf,
// -Inf, NaN, or a plain decimal.
func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
