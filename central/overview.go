package central

import (
	"html/template"
	"net/http"
	"time"

	"torn.cat/torn/dispenser"
)

// officeRow is an office as the overview shows it.
type officeRow struct {
	ID        string         `json:"id"`
	Name      string         `json:"name,omitempty"`
	Device    string         `json:"device"`
	Connected bool           `json:"connected"`
	LastSeen  time.Time      `json:"last_seen,omitzero"`
	Day       dispenser.Date `json:"day,omitempty"`
	Acked     uint64         `json:"acked"`
	Waiting   int            `json:"waiting"`
	Longest   time.Duration  `json:"longest_wait_ns"`
	OpenDesks int            `json:"open_desks"`
	Problem   string         `json:"problem,omitempty"`
}

// offices gathers the overview's rows: the store's list of offices, and
// each office's mirror for its queue.
func (s *Server) offices(r *http.Request) ([]officeRow, error) {
	infos, err := s.Store.Offices(r.Context())
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	connected := map[string]bool{}
	for id := range s.conns {
		connected[id] = true
	}
	s.mu.Unlock()
	rows := make([]officeRow, 0, len(infos))
	for _, in := range infos {
		row := officeRow{ID: in.ID, Device: in.Device, Connected: connected[in.Device], LastSeen: in.LastSeen, Day: in.Day, Acked: in.Acked}
		err := s.mirrorOf(in.ID).view(r.Context(), s.Store, func(d *dispenser.Dispenser) {
			now := mirrorNow(d, s.Now())
			row.Name = d.Config().Name
			for _, t := range d.Tickets() {
				if t.State == dispenser.Waiting {
					row.Waiting++
					if w := now.Sub(t.Queued); w > row.Longest {
						row.Longest = w
					}
				}
			}
			for _, ds := range d.Desks() {
				if ds.State == dispenser.DeskOpen {
					row.OpenDesks++
				}
			}
		})
		if err != nil {
			row.Problem = err.Error()
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// listOffices is the overview as JSON, for an API key of every office.
func (s *Server) listOffices(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, "") {
		return
	}
	rows, err := s.offices(r)
	if err != nil {
		s.Log.Error("offices", "err", err)
		fail(w, http.StatusInternalServerError, "internal", "the offices cannot be read")
		return
	}
	writeJSON(w, http.StatusOK, rows)
}

var overviewTmpl = template.Must(template.New("overview").Funcs(template.FuncMap{
	"ago": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return time.Since(t).Round(time.Second).String() + " ago"
	},
	"minutes": func(d time.Duration) int { return int(d / time.Minute) },
}).Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>Torn · offices</title>
<style>
body{font-family:sans-serif;margin:1em;color:#111}
table{border-collapse:collapse}
th,td{padding:.4em .8em;border-bottom:1px solid #ccc;text-align:left}
td.n{text-align:right}
.off{color:#8a1c1c;font-weight:bold}
.on{color:#1b5e20;font-weight:bold}
</style></head>
<body>
<h1>Offices</h1>
<table>
<tr><th>office</th><th>device</th><th>link</th><th>last seen</th><th>day</th><th>events synced</th><th>waiting now</th><th>longest wait</th><th>open desks</th></tr>
{{range .}}<tr>
<td>{{.Name}} <small>({{.ID}})</small></td><td>{{.Device}}</td>
<td>{{if .Connected}}<span class="on">online</span>{{else}}<span class="off">offline</span>{{end}}</td>
<td>{{ago .LastSeen}}</td><td>{{.Day}}</td><td class="n">{{.Acked}}</td>
<td class="n">{{.Waiting}}</td><td class="n">{{minutes .Longest}} min</td><td class="n">{{.OpenDesks}}</td>
</tr>{{if .Problem}}<tr><td colspan="9" class="off">{{.Problem}}</td></tr>{{end}}
{{else}}<tr><td colspan="9">No office has connected yet.</td></tr>{{end}}
</table>
<p><small>Online means connected to this instance of central. The page refreshes every 30 s.</small></p>
</body></html>
`))

// overview is the page of every office for municipal IT.
func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, "") {
		return
	}
	rows, err := s.offices(r)
	if err != nil {
		s.Log.Error("offices", "err", err)
		fail(w, http.StatusInternalServerError, "internal", "the offices cannot be read")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	overviewTmpl.Execute(w, rows)
}
