// Command torn-load simulates many devices against a running torn-central:
// each connects, says hello and streams a busy office day in batches at a
// steady pace, and the acknowledgements' latency and the events stored per
// second are measured. It registers its devices in central's store itself
// (-db, the same DSN central runs on).
//
//	torn-central serve -db sqlite:/tmp/load.db -listen 127.0.0.1:8090 &
//	torn-load -url ws://127.0.0.1:8090/sync -db sqlite:/tmp/load.db -devices 1000 -for 60s
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"torn.cat/torn/central"
	"torn.cat/torn/central/sqlstore"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/syncproto"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type options struct {
	url, db  string
	devices  int
	every    time.Duration // a batch per device this often
	batch    int           // events per batch
	duration time.Duration
	ramp     time.Duration
	prefix   string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("torn-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.url, "url", "ws://127.0.0.1:8090/sync", "central's sync `URL`")
	fs.StringVar(&o.db, "db", "", "central's store, to register the devices: sqlite:PATH or postgres://…")
	fs.IntVar(&o.devices, "devices", 100, "how many devices")
	fs.DurationVar(&o.every, "every", 10*time.Second, "each device sends a batch this often")
	fs.IntVar(&o.batch, "batch", 5, "events per batch")
	fs.DurationVar(&o.duration, "for", 60*time.Second, "how long to measure, after the ramp")
	fs.DurationVar(&o.ramp, "ramp", 20*time.Second, "how long the devices take to connect")
	fs.StringVar(&o.prefix, "prefix", "load", "the devices' and offices' id prefix (a new one for a fresh run)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.db == "" {
		fmt.Fprintln(stderr, "torn-load: -db is required (to register the devices)")
		return 2
	}
	res, err := load(ctx, o, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "torn-load: %v\n", err)
		return 1
	}
	res.print(stdout, o)
	return 0
}

// day is one busy office morning's events, made by a real dispenser, that
// every device replays under its own office (renumbered, tokens unique).
func day(n int) ([]dispenser.Event, dispenser.Config, error) {
	var h dispenser.Hours
	for wd := range h.Weekly {
		h.Weekly[wd] = []dispenser.Range{{From: 0, To: 24 * 60}}
	}
	cfg := dispenser.Config{
		Office: "load", Name: "Load office", Location: time.UTC,
		Services: []dispenser.Service{{ID: "oac", Prefix: "A", Names: map[dispenser.Lang]string{"ca": "OAC"}, Hours: h}},
		Desks:    []dispenser.Desk{{ID: "d1", Profile: []dispenser.ServiceID{"oac"}}, {ID: "d2", Profile: []dispenser.ServiceID{"oac"}}},
		Rules:    dispenser.Rules{NoCutOff: true},
	}
	d, err := dispenser.New(cfg, dispenser.Snapshot{})
	if err != nil {
		return nil, cfg, err
	}
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	var out []dispenser.Event
	for i := 0; len(out) < n; i++ {
		// A citizen comes in for each one a desk calls (the call closes
		// the desk's previous one as done): the queue stays a few long,
		// as in a busy office that keeps up.
		var cmd dispenser.Command
		if i%2 == 0 {
			cmd = dispenser.Issue{Service: "oac", ID: dispenser.TicketID(fmt.Sprint("t", i)), Token: fmt.Sprintf("tok-%d-0123456789abcdef", i)}
		} else {
			cmd = dispenser.CallNext{Desk: []dispenser.DeskID{"d1", "d2"}[(i/2)%2]}
		}
		evs, err := d.Handle(cmd, now)
		if err != nil && !errors.Is(err, dispenser.ErrNobodyWaiting) {
			return nil, cfg, err
		}
		out = append(out, evs...)
		now = now.Add(20 * time.Second)
	}
	for i := range out {
		out[i].Seq = uint64(i + 1)
	}
	return out[:n], cfg, nil
}

// result gathers the measurements.
type result struct {
	mu        sync.Mutex
	latencies []time.Duration
	connected atomic.Int64
	failed    atomic.Int64
	events    atomic.Int64
	start     time.Time
	elapsed   time.Duration
}

func (r *result) record(d time.Duration) {
	r.mu.Lock()
	r.latencies = append(r.latencies, d)
	r.mu.Unlock()
}

func (r *result) print(w io.Writer, o options) {
	slices.Sort(r.latencies)
	q := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[int(p*float64(len(r.latencies)-1))].Round(100 * time.Microsecond)
	}
	fmt.Fprintf(w, "| devices | connected | failed | batch every | events/batch | acks | events acknowledged/s | ack p50 | ack p99 | ack max |\n")
	fmt.Fprintf(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	fmt.Fprintf(w, "| %d | %d | %d | %v | %d | %d | %.0f | %v | %v | %v |\n", o.devices, r.connected.Load(), r.failed.Load(),
		o.every, o.batch, len(r.latencies), float64(r.events.Load())/r.elapsed.Seconds(), q(0.5), q(0.99), q(1))
}

func load(ctx context.Context, o options, log io.Writer) (*result, error) {
	evs, cfg, err := day(20000)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, o.db)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "registering %d devices…\n", o.devices)
	for i := range o.devices {
		id := fmt.Sprintf("%s-%d", o.prefix, i)
		sum := sha256.Sum256([]byte("token-" + id))
		err := st.AddDevice(ctx, central.Device{ID: id, Office: id, TokenHash: sum[:], Created: time.Now().UTC()})
		if err != nil && !errors.Is(err, central.ErrExists) {
			st.Close()
			return nil, err
		}
	}
	st.Close()

	res := &result{}
	measuring := make(chan struct{})
	var wg sync.WaitGroup
	runCtx, cancel := context.WithTimeout(ctx, o.ramp+o.duration)
	defer cancel()
	fmt.Fprintf(log, "connecting %d devices over %v, then measuring for %v…\n", o.devices, o.ramp, o.duration)
	for i := range o.devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			delay := time.Duration(int64(o.ramp) * int64(i) / int64(o.devices))
			select {
			case <-time.After(delay):
			case <-runCtx.Done():
				return
			}
			device(runCtx, o, fmt.Sprintf("%s-%d", o.prefix, i), cfg, evs, res, measuring)
		}()
	}
	select {
	case <-time.After(o.ramp):
	case <-ctx.Done():
	}
	res.start = time.Now()
	close(measuring)
	wg.Wait()
	res.elapsed = time.Since(res.start)
	return res, nil
}

// device is one simulated device: hello, then a batch every o.every (with
// a random phase), measuring each batch's time to its ack once measuring
// is closed.
func device(ctx context.Context, o options, id string, cfg dispenser.Config, day []dispenser.Event, res *result, measuring <-chan struct{}) {
	dialer := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 4096}
	ws, _, err := dialer.DialContext(ctx, o.url, nil)
	if err != nil {
		res.failed.Add(1)
		return
	}
	defer ws.Close()
	go func() { <-ctx.Done(); ws.Close() }()
	oc := syncproto.NewOfficeConfig(cfg)
	oc.Office = id
	if err := ws.WriteJSON(syncproto.Hello{Type: syncproto.TypeHello, Proto: syncproto.Version, Device: id, Token: "token-" + id, Office: id, Config: oc}); err != nil {
		res.failed.Add(1)
		return
	}
	var w syncproto.Welcome
	if err := ws.ReadJSON(&w); err != nil || w.Type != syncproto.TypeWelcome {
		res.failed.Add(1)
		return
	}
	res.connected.Add(1)
	// resume where central is
	batches, err := encode(id, day, int(w.Acked), o.batch, int((o.ramp+o.duration)/o.every)+2)
	if err != nil {
		res.failed.Add(1)
		return
	}
	sent := map[uint64]time.Time{}
	var mu sync.Mutex
	go func() { // acks
		lastAck := w.Acked
		for {
			var a syncproto.Ack
			if err := ws.ReadJSON(&a); err != nil {
				return
			}
			now := time.Now()
			if a.Seq > lastAck {
				select {
				case <-measuring:
					res.events.Add(int64(a.Seq - lastAck))
				default:
				}
				lastAck = a.Seq
			}
			mu.Lock()
			for seq, at := range sent {
				if seq <= a.Seq {
					select {
					case <-measuring:
						res.record(now.Sub(at))
					default:
					}
					delete(sent, seq)
				}
			}
			mu.Unlock()
		}
	}()
	phase := time.Duration(len(id)*7919%1000) * o.every / 1000
	tick := time.NewTimer(phase)
	defer tick.Stop()
	for _, b := range batches {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		tick.Reset(o.every)
		mu.Lock()
		sent[b.last] = time.Now()
		mu.Unlock()
		ws.SetWriteDeadline(time.Now().Add(syncproto.WriteTimeout))
		if err := ws.WriteMessage(websocket.TextMessage, b.msg); err != nil {
			return
		}
	}
}

// batch is one events message, encoded before the measurement starts so
// that the load generator's own JSON work does not take the CPU central
// is measured on.
type batch struct {
	msg  []byte
	last uint64
}

// encode makes device id's messages: the day's events from seq from on,
// n at a time, at most max messages, the tickets' tokens made unique.
func encode(id string, day []dispenser.Event, from, n, max int) ([]batch, error) {
	var out []batch
	for next := from; next+n <= len(day) && len(out) < max; next += n {
		evs := make([]dispenser.Event, n)
		copy(evs, day[next:next+n])
		for i := range evs {
			if evs[i].Ticket != nil { // tokens unique across offices
				t := *evs[i].Ticket
				t.Token = id + "-" + t.Token
				evs[i].Ticket = &t
			}
		}
		msg, err := json.Marshal(syncproto.Events{Type: syncproto.TypeEvents, Events: evs})
		if err != nil {
			return nil, err
		}
		out = append(out, batch{msg: msg, last: evs[n-1].Seq})
	}
	return out, nil
}

func openStore(ctx context.Context, dsn string) (central.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlstore.OpenSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return sqlstore.OpenPostgres(ctx, dsn)
	}
	return nil, fmt.Errorf("store %q: want sqlite:PATH or postgres://…", dsn)
}
