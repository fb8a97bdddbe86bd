package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

const statusUsage = `usage:
  tornd status [-addr ADDR] [-config FILE] [-timeout DURATION]
      print a running tornd's queue, desks, devices and link to central.
      The address is -addr, else the config's server.listen (":8080" is
      asked at 127.0.0.1:8080).
      Exit code 0: healthy (the link to central may be down: the office
      works offline, and says so); 1: tornd is not running, or has trouble
      (office stopped, printer out of paper, a device offline); 2: bad
      usage or config.
`

// statusTimeout is how long `tornd status` waits for the daemon.
const statusTimeout = 3 * time.Second

// apiStatus is GET /api/status as `tornd status` reads it.
type apiStatus struct {
	Status   string    `json:"status"`
	Problems []string  `json:"problems"`
	Warnings []string  `json:"warnings"`
	Office   string    `json:"office"`
	Name     string    `json:"name"`
	Version  string    `json:"version"`
	Day      string    `json:"day"`
	Time     time.Time `json:"time"`
	Services []struct {
		ID                 string   `json:"id"`
		Name               string   `json:"name"`
		Prefix             string   `json:"prefix"`
		Issuing            bool     `json:"issuing"`
		Refused            string   `json:"refused"`
		Waiting            int      `json:"waiting"`
		LongestWaitSeconds int      `json:"longest_wait_seconds"`
		Next               []string `json:"next"`
		Issued             int      `json:"issued"`
		Done               int      `json:"done"`
	} `json:"services"`
	Desks []struct {
		ID           string    `json:"id"`
		Name         string    `json:"name"`
		State        string    `json:"state"`
		Since        time.Time `json:"since"`
		Clerk        string    `json:"clerk"`
		Current      string    `json:"current"`
		CurrentState string    `json:"current_state"`
		Service      string    `json:"service"`
	} `json:"desks"`
	Printer struct {
		Ready  bool   `json:"ready"`
		Reason string `json:"reason"`
	} `json:"printer"`
	Devices []struct {
		Name   string    `json:"name"`
		Kind   string    `json:"kind"`
		State  string    `json:"state"`
		Detail string    `json:"detail"`
		Since  time.Time `json:"since"`
	} `json:"devices"`
	Central *struct {
		Connected          bool      `json:"connected"`
		Since              time.Time `json:"since"`
		Acked              uint64    `json:"acked"`
		Backlog            uint64    `json:"backlog"`
		Error              string    `json:"error"`
		ClockOffsetSeconds float64   `json:"clock_offset_seconds"`
	} `json:"central"`
}

// statusCmd runs `tornd status`: it asks the running daemon for
// /api/status and prints it for a technician. See statusUsage for the exit
// codes.
func statusCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tornd status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, statusUsage) }
	addr := fs.String("addr", "", "the daemon's HTTP `address` (default: the config's server.listen)")
	path := fs.String("config", defaultConfig, "the office's config `file`, for server.listen")
	timeout := fs.Duration("timeout", statusTimeout, "how long to wait for the daemon")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if *addr == "" {
		cfg, err := LoadConfig(*path)
		if err != nil {
			fmt.Fprintf(stderr, "tornd status: bad config (or give -addr):\n%v\n", err)
			return 2
		}
		*addr = cfg.Listen
	}
	host := dialAddr(*addr)
	st, err := fetchStatus(ctx, host, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "tornd is not running at %s: %v\n", host, err)
		return 1
	}
	printStatus(stdout, st)
	if st.Status != "ok" {
		return 1
	}
	return 0
}

// dialAddr is the address to ask a daemon listening on listen at: a
// listen on every interface (":8080", "0.0.0.0:8080", "[::]:8080") is
// asked on the loopback. A URL's scheme and path are dropped.
func dialAddr(listen string) string {
	listen = strings.TrimPrefix(strings.TrimPrefix(listen, "http://"), "https://")
	listen, _, _ = strings.Cut(listen, "/")
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// fetchStatus gets /api/status from the daemon at host. A 503 (the office
// stopped) still carries the status.
func fetchStatus(ctx context.Context, host string, timeout time.Duration) (*apiStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+host+"/api/status", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // "connection refused", without the URL again
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusServiceUnavailable {
		return nil, fmt.Errorf("GET /api/status: %s (is it a tornd, and as new as this one?)", resp.Status)
	}
	var st apiStatus
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil {
		return nil, fmt.Errorf("GET /api/status: %w", err)
	}
	if st.Status == "" {
		return nil, fmt.Errorf("GET /api/status: no status in the answer (is it a tornd?)")
	}
	return &st, nil
}

// printStatus prints st as tables.
func printStatus(w io.Writer, st *apiStatus) {
	now := st.Time
	office := st.Office
	if st.Name != "" && st.Name != st.Office {
		office += " " + st.Name
	}
	fmt.Fprintf(w, "office   %s\n", office)
	day := ""
	if st.Day != "" && st.Day != now.Format(time.DateOnly) {
		day = " (business day " + st.Day + ")"
	}
	fmt.Fprintf(w, "time     %s%s\n", now.Format("2006-01-02 15:04:05 MST"), day)
	fmt.Fprintf(w, "version  %s\n", st.Version)
	fmt.Fprintf(w, "health   %s\n", strings.ToUpper(st.Status))
	for _, p := range st.Problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	for _, p := range st.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", p)
	}

	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tWAITING\tLONGEST WAIT\tNEXT\tISSUED\tDONE\tISSUING")
	for _, s := range st.Services {
		next := strings.Join(s.Next, " ")
		if next == "" {
			next = "-"
		}
		issuing := "yes"
		if !s.Issuing {
			issuing = "no (" + s.Refused + ")"
		}
		longest := "-"
		if s.Waiting > 0 {
			longest = shortDuration(time.Duration(s.LongestWaitSeconds) * time.Second)
		}
		fmt.Fprintf(tw, "%s %s (%s)\t%d\t%s\t%s\t%d\t%d\t%s\n", s.Prefix, s.ID, s.Name, s.Waiting, longest, next, s.Issued, s.Done, issuing)
	}
	tw.Flush()

	fmt.Fprintln(w)
	fmt.Fprintln(tw, "DESK\tSTATE\tSINCE\tCLERK\tCURRENT")
	for _, d := range st.Desks {
		name := d.ID
		if d.Name != "" && d.Name != d.ID {
			name += " (" + d.Name + ")"
		}
		cur := "-"
		if d.Current != "" {
			cur = d.Current + " " + d.CurrentState + " (" + d.Service + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, d.State, since(d.Since, now), dash(d.Clerk), cur)
	}
	tw.Flush()

	fmt.Fprintln(w)
	fmt.Fprintln(tw, "DEVICE\tSTATE\tSINCE\tDETAIL")
	for _, d := range st.Devices {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, d.State, since(d.Since, now), dash(d.Detail))
	}
	if len(st.Devices) == 0 { // an older or embedded server: the printer as the dispenser knows it
		state := "ok"
		if !st.Printer.Ready {
			state = "not ready: " + st.Printer.Reason
		}
		fmt.Fprintf(tw, "printer\t%s\t-\t-\n", state)
	}
	tw.Flush()

	fmt.Fprintln(w)
	c := st.Central
	if c == nil {
		fmt.Fprintln(w, "central  none: offline by design (no [central] url)")
		return
	}
	link := "not connected"
	if c.Connected {
		link = "connected"
	}
	if !c.Since.IsZero() {
		link += " since " + since(c.Since, now)
	}
	fmt.Fprintf(w, "central  %s\n", link)
	fmt.Fprintf(w, "outbox   %d events not yet acknowledged by central (acked up to seq %d)\n", c.Backlog, c.Acked)
	if c.Error != "" {
		fmt.Fprintf(w, "error    %s\n", c.Error)
	}
	if c.ClockOffsetSeconds != 0 {
		fmt.Fprintf(w, "clock    central is %+.1f s from this device\n", c.ClockOffsetSeconds)
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// since shows t for a reader at now: "09:12:03 (1h02m ago)", with the date
// when it is another day; "-" when t is zero.
func since(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if !now.IsZero() {
		t = t.In(now.Location())
	}
	s := t.Format("15:04:05")
	if y, m, d := t.Date(); now.IsZero() || y != now.Year() || m != now.Month() || d != now.Day() {
		s = t.Format("2006-01-02 15:04")
	}
	if !now.IsZero() && !t.After(now) {
		s += " (" + shortDuration(now.Sub(t)) + " ago)"
	}
	return s
}

// shortDuration writes d for a person: "45s", "12m05s", "2h03m".
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
