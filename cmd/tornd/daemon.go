package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"torn.cat/torn/display"
	"torn.cat/torn/idcard"
	"torn.cat/torn/internal/sdnotify"
	"torn.cat/torn/office"
	"torn.cat/torn/printer"
	"torn.cat/torn/store"
	"torn.cat/torn/uplink"
	"torn.cat/torn/web"
)

// Daemon is a running tornd: the store, the office and the LAN server.
type Daemon struct {
	Config Config
	// Log receives every log line. Default slog.Default().
	Log *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// OpenReader opens the document reader; default the configured one.
	// Tests put a fake in.
	OpenReader func() (idcard.Reader, error)
	// OpenPanel gives the panel its GPIO lines and I2C buses; default the
	// host's. Tests put fakes in.
	OpenPanel func() (panelHW, error)

	store  *store.Store
	office *office.Office
	ln     net.Listener
	// printer prints the tickets, when there is one; virtual is the
	// virtual printer's paper when the transport is "virtual".
	printer *ticketPrinter
	virtual *printer.Virtual
	display *display.Hub
	// hasher hashes document numbers with the office key, when there is
	// one; central may send a new key at any time.
	hasher atomic.Pointer[idcard.Hasher]
	// uplink is the link to central, when the config has one.
	uplink *uplink.Client
	// panel runs the buttons, LEDs and desk displays, when there are any.
	panel *panelRunner
	// reader is the document reader's state, kept by runReader.
	reader deviceState

	// web is the LAN server's settings and routes; a reload swaps them.
	web atomic.Pointer[webRoutes]
	// reloadMu serialises reloads; applied is the config running, as
	// the last reload left it.
	reloadMu sync.Mutex
	applied  Config
}

// Open opens the store, rebuilds the office and listens; it does not serve
// yet. It fails, naming the file and the problem, when the store cannot be
// used.
func (d *Daemon) Open() error {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	start := time.Now()
	if err := d.openHasher(); err != nil {
		return err
	}
	st, err := store.Open(d.Config.DB, store.Options{})
	if err != nil {
		return err
	}
	o, err := office.Open(d.Config.Office, st, office.Options{Log: d.Log, Now: d.Now})
	if err != nil {
		st.Close()
		return fmt.Errorf("open office from %s: %w", d.Config.DB, err)
	}
	ln, err := net.Listen("tcp", d.Config.Listen)
	if err != nil {
		st.Close()
		return fmt.Errorf("listen on %s: %w", d.Config.Listen, err)
	}
	d.store, d.office, d.ln = st, o, ln
	if err := d.openUplink(); err != nil {
		d.Close()
		return err
	}
	d.display = display.New(o, d.Log)
	if pc := d.Config.Printer; pc.Transport != "none" {
		if pc.Transport == "virtual" {
			d.virtual = &printer.Virtual{Width: pc.Width, Status: printer.Status{Online: true}}
		}
		tp, err := newTicketPrinter(o, pc, d.Config.TrackingURL, d.openPaper, d.Log)
		if err != nil {
			d.Close()
			return err
		}
		d.printer = tp
	}
	if d.Config.Panel.Enabled() {
		open := d.OpenPanel
		if open == nil {
			open = openHost
		}
		hw, err := open()
		if err == nil {
			d.panel, err = newPanelRunner(d.Config.Panel, hw, o, d.Log)
		}
		if err != nil {
			d.Close()
			return err
		}
	}
	d.Log.Info("ready", "office", d.Config.Office.Office, "db", d.Config.DB,
		"last_seq", st.LastSeq(), "boot", time.Since(start).Round(time.Microsecond))
	return nil
}

// Addr is the address the server listens on, once Open returned.
func (d *Daemon) Addr() net.Addr { return d.ln.Addr() }

// Office is the running office, once Open returned.
func (d *Daemon) Office() *office.Office { return d.office }

// Run serves until ctx ends, then stops taking requests, lets the ones in
// flight finish (their changes are committed or refused, never half-made)
// and returns. Call Close afterwards.
func (d *Daemon) Run(ctx context.Context) error {
	bg, cancel := context.WithCancel(ctx)
	defer cancel()
	ws := &web.Server{Office: d.office, Log: d.Log, Display: d.display, TrackingURL: d.Config.TrackingURL, Chime: d.Config.Chime,
		KioskScreen: d.Config.KioskScreen}
	ws.Devices, ws.LastSeq = d.devices, d.store.LastSeq
	if len(d.Config.Clerks) > 0 {
		ws.Clerks = &web.Clerks{Hashes: d.Config.Clerks}
	} else {
		d.Log.Warn("no [[clerk]] accounts in the config: the desk actions are open to anyone on the LAN")
	}
	if d.Config.Voice {
		v := &display.Voice{Dir: filepath.Join(filepath.Dir(d.Config.DB), "voice")}
		if err := v.Available(); err != nil {
			d.Log.Warn("spoken calls off: espeak-ng not found (apt install espeak-ng)", "err", err)
		} else {
			ws.Voice = v
		}
	}
	var workers sync.WaitGroup
	defer func() { cancel(); workers.Wait() }() // nothing runs on once Run returned
	workers.Go(func() { d.office.Tick(bg, 15*time.Second) })
	workers.Go(func() { d.purge(bg) })
	workers.Go(func() { d.display.Run(bg) })
	// The printer outlives the HTTP server: tickets committed by requests
	// that Shutdown lets finish are printed too.
	pctx, stopPrinter := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPrinter()
	if d.printer != nil {
		ws.Reprint = d.printer.Reprint
		workers.Go(func() { d.printer.Run(pctx) })
	}
	if d.virtual != nil {
		ws.Paper = d.virtual
	}
	if d.uplink != nil {
		ws.Sync = d.uplink.Status
		workers.Go(func() { d.uplink.Run(bg) })
	}
	if d.panel != nil {
		if d.uplink != nil {
			d.panel.central = d.uplink.Status
		}
		workers.Go(func() { d.panel.Run(bg) })
	}
	if d.Config.CheckIn.KeyFile != "" {
		ws.CheckIns = &web.CheckIns{Office: d.office, Hash: d.hash, Log: d.Log}
		if d.Config.CheckIn.Book != "" {
			workers.Go(func() { d.watchBook(bg) })
		}
		if d.Config.Reader.Type != "none" || d.OpenReader != nil {
			ws.Reader = true
			workers.Go(func() { d.runReader(bg, ws.CheckIns) })
		}
	} else if d.Config.Reader.Type != "none" {
		d.Log.Warn("a document reader is configured but no checkin.key_file: check-in is off")
	}
	d.reloadMu.Lock()
	d.applied = d.Config
	d.web.Store(&webRoutes{ws, ws.Handler()})
	d.reloadMu.Unlock()
	srv := &http.Server{
		Handler:           d,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(d.Log.Handler(), slog.LevelWarn),
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(d.ln) }()
	d.Log.Info("serving", "addr", d.ln.Addr().String())
	// Under systemd (Type=notify): ready now, and alive while the office
	// records changes; a broken store stops the pings, and systemd
	// restarts tornd when WatchdogSec runs out.
	notify := sdnotify.FromEnv()
	if err := notify.Notify("READY=1\nSTATUS=serving on " + d.ln.Addr().String()); err != nil {
		d.Log.Warn("systemd notify", "err", err)
	}
	workers.Go(func() {
		notify.Watchdog(bg, sdnotify.WatchdogInterval(), d.office.Err, func(err error) {
			if err != nil {
				d.Log.Error("watchdog: not alive, systemd will restart tornd", "err", err)
			} else {
				d.Log.Info("watchdog: alive again")
			}
		})
	})
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	notify.Notify("STOPPING=1")
	d.Log.Info("shutting down")
	// Requests take milliseconds; what is still open after the grace is a
	// connection that never sent one (browsers open spare sockets, which
	// Shutdown would wait 5 s for).
	sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer scancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	stopPrinter()
	if err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// shutdownGrace is how long a stop waits for requests in flight.
const shutdownGrace = time.Second

// purgeDelay is how long after boot the first retention purge waits: a Pi
// has no real-time clock, and its time may be far off until NTP sets it. A
// purge on a clock in the future would delete events central has not had.
const purgeDelay = 15 * time.Minute

// purge applies the retention a while after boot and then every day.
func (d *Daemon) purge(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(purgeDelay):
	}
	for {
		res, err := d.store.Purge(time.Now(), d.running().Retention)
		if err != nil {
			d.Log.Error("retention purge", "err", err)
		} else if res.EventsDeleted > 0 || res.Scrubbed > 0 {
			d.Log.Info("retention purge", "events_deleted", res.EventsDeleted, "scrubbed", res.Scrubbed)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
		}
	}
}

// Close closes the listener and the store.
func (d *Daemon) Close() error {
	var errs []error
	if d.ln != nil {
		if err := d.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if d.panel != nil {
		errs = append(errs, d.panel.Close())
	}
	if d.store != nil {
		errs = append(errs, d.store.Close())
	}
	return errors.Join(errs...)
}

// openPaper connects to the configured printer.
func (d *Daemon) openPaper() (paper, error) {
	pc := d.Config.Printer
	switch pc.Transport {
	case "virtual":
		return paper{out: d.virtual, query: d.virtual}, nil
	case "serial":
		s, err := printer.OpenSerial(pc.Device, printer.SerialOptions{BaudRate: pc.Baud, FlowControl: pc.FlowControl})
		return paper{out: s, query: s}, err
	case "usb":
		u, err := printer.OpenUSB(pc.Device, printer.USBOptions{})
		return paper{out: u, query: u}, err
	case "tcp":
		t, err := printer.DialTCP(pc.Device, printer.TCPOptions{})
		return paper{out: t, query: t}, err
	case "file":
		f, err := printer.OpenFile(pc.Device)
		return paper{out: f}, err
	}
	return paper{}, fmt.Errorf("printer transport %q", pc.Transport)
}
