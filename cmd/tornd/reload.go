package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"

	"torn.cat/torn/internal/sdnotify"
	"torn.cat/torn/web"
)

// webRoutes are the LAN server's settings and the routes made of them.
type webRoutes struct {
	srv     *web.Server
	handler http.Handler
}

// ServeHTTP serves a request with the routes of the config running.
func (d *Daemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.web.Load().handler.ServeHTTP(w, r)
}

// running is the config running, as the last reload left it.
func (d *Daemon) running() Config {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	return d.applied
}

// restartKeys are the parts of the config a running tornd cannot take
// over: the address it listens on, the store, the devices' connections,
// the link to central. Each is named by its key; field points into a
// config at the part.
var restartKeys = []struct {
	key   string
	field func(c *Config) any
}{
	{"server.listen", func(c *Config) any { return &c.Listen }},
	{"store.path", func(c *Config) any { return &c.DB }},
	{"printer.transport", func(c *Config) any { return &c.Printer.Transport }},
	{"printer.device", func(c *Config) any { return &c.Printer.Device }},
	{"printer.baud", func(c *Config) any { return &c.Printer.Baud }},
	{"printer.flow_control", func(c *Config) any { return &c.Printer.FlowControl }},
	{"printer.status_interval", func(c *Config) any { return &c.Printer.StatusInterval }},
	{"display.voice", func(c *Config) any { return &c.Voice }},
	{"checkin", func(c *Config) any { return &c.CheckIn }},
	{"reader", func(c *Config) any { return &c.Reader }},
	{"central", func(c *Config) any { return &c.Central }},
	{"panel", func(c *Config) any { return &c.Panel }},
}

// Reload runs the daemon on cfg from now on, as far as a running tornd
// can: the office (services, hours, desks, rules, names), the clerks, the
// tickets' look (layout, logo, footer, tracking URL), the chime, the
// kiosk's screen and the retention. It returns the keys that changed but
// wait for a restart (restartKeys). When the office cannot take cfg
// (a service dropped with citizens waiting for it) nothing changes and
// the error says why.
func (d *Daemon) Reload(cfg Config) (restart []string, err error) {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	if d.web.Load() == nil {
		return nil, errors.New("tornd is still starting: send the signal again once it serves")
	}
	old := d.applied
	for _, k := range restartKeys {
		if !reflect.DeepEqual(k.field(&old), k.field(&cfg)) {
			restart = append(restart, k.key)
			// It keeps running as it was.
			reflect.ValueOf(k.field(&cfg)).Elem().Set(reflect.ValueOf(k.field(&old)).Elem())
		}
	}
	// What can fail first, so that a refusal changes nothing.
	var look *ticketLook
	if d.printer != nil {
		pc := cfg.Printer
		if look, err = newLook(pc, cfg.TrackingURL); err != nil {
			return nil, err
		}
	}
	if !reflect.DeepEqual(old.Office, cfg.Office) {
		if err := d.office.Reconfigure(cfg.Office); err != nil {
			return nil, fmt.Errorf("office: %w", err)
		}
	}
	if look != nil {
		d.printer.look.Store(look)
	}
	cur := d.web.Load().srv
	ws := *cur
	ws.TrackingURL, ws.Chime, ws.KioskScreen = cfg.TrackingURL, cfg.Chime, cfg.KioskScreen
	switch {
	case len(cfg.Clerks) == 0:
		if ws.Clerks != nil {
			d.Log.Warn("no [[clerk]] accounts in the config: the desk actions are open to anyone on the LAN")
		}
		ws.Clerks = nil
	case ws.Clerks == nil:
		ws.Clerks = &web.Clerks{Hashes: cfg.Clerks}
	default:
		ws.Clerks.SetHashes(cfg.Clerks) // the others' sessions stay
	}
	d.web.Store(&webRoutes{&ws, ws.Handler()})
	d.applied = cfg
	return restart, nil
}

// reloadOn reloads the config, read by load from file, on each signal on
// hup until ctx ends. A file with problems, or a config the office
// refuses, leaves the running one as it is; the log says why, a problem
// a line, and what changed but waits for a restart.
func (d *Daemon) reloadOn(ctx context.Context, hup <-chan os.Signal, file string, load func() (Config, error)) {
	notify := sdnotify.FromEnv()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		notify.Notify("RELOADING=1")
		cfg, err := load()
		if err != nil {
			problems := unjoin(err)
			d.Log.Error("reload refused: the config has problems; the running one stays", "file", file, "problems", len(problems))
			for _, p := range problems {
				d.Log.Error("config problem", "problem", p.Error())
			}
		} else if restart, err := d.Reload(cfg); err != nil {
			d.Log.Error("reload refused; the running config stays", "file", file, "err", err)
		} else {
			d.Log.Info("config reloaded", "file", file)
			if len(restart) > 0 {
				d.Log.Warn("changed, but taken only when tornd restarts (systemctl restart tornd)", "keys", strings.Join(restart, " "))
			}
		}
		notify.Notify("READY=1")
	}
}
