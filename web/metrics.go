package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"torn.cat/torn/dispenser"
)

// metrics serves a few gauges in the Prometheus text format: the printer's
// state, today's tickets by service and state, the desks by state. (The
// full set comes with the operations issue.)
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	s.Office.View(func(d *dispenser.Dispenser, now time.Time) {
		p := d.Printer()
		ready := 0
		if p.Ready {
			ready = 1
		}
		fmt.Fprintf(&b, "# HELP torn_printer_ready Whether the ticket printer can print (0 takes the dispenser out of service).\n")
		fmt.Fprintf(&b, "# TYPE torn_printer_ready gauge\ntorn_printer_ready %d\n", ready)
		if !p.Ready {
			fmt.Fprintf(&b, "# HELP torn_printer_problem The printer's problem, as a label.\n# TYPE torn_printer_problem gauge\n")
			fmt.Fprintf(&b, "torn_printer_problem{reason=%q} 1\n", p.Reason)
		}
		counts := map[[2]string]int{}
		for _, t := range d.Tickets() {
			counts[[2]string{string(t.Service), string(t.State)}]++
		}
		keys := make([][2]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
		fmt.Fprintf(&b, "# HELP torn_tickets Today's tickets by service and state.\n# TYPE torn_tickets gauge\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "torn_tickets{service=%q,state=%q} %d\n", k[0], k[1], counts[k])
		}
		fmt.Fprintf(&b, "# HELP torn_desk_open Whether each desk is open (1), paused (0.5) or closed (0).\n# TYPE torn_desk_open gauge\n")
		for _, ds := range d.Desks() {
			v := map[dispenser.DeskState]string{dispenser.DeskOpen: "1", dispenser.DeskPaused: "0.5"}[ds.State]
			if v == "" {
				v = "0"
			}
			fmt.Fprintf(&b, "torn_desk_open{desk=%q} %s\n", ds.ID, v)
		}
	})
	if s.Sync != nil {
		st := s.Sync()
		connected := 0
		if st.Connected {
			connected = 1
		}
		fmt.Fprintf(&b, "# HELP torn_sync_connected Whether the device is connected to central.\n# TYPE torn_sync_connected gauge\ntorn_sync_connected %d\n", connected)
		fmt.Fprintf(&b, "# HELP torn_sync_backlog Events central does not have yet (the outbox).\n# TYPE torn_sync_backlog gauge\ntorn_sync_backlog %d\n", st.Backlog)
		fmt.Fprintf(&b, "# HELP torn_sync_clock_offset_seconds Central's clock minus the device's, at the last connection.\n# TYPE torn_sync_clock_offset_seconds gauge\ntorn_sync_clock_offset_seconds %g\n", st.ClockOffset.Seconds())
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write([]byte(b.String()))
}
