package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"torn.cat/torn/bookfile"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/idcard"
	"torn.cat/torn/web"
)

// openHasher loads the office key, when the config names one. With a link
// to central a missing key is not an error: central sends the office's.
func (d *Daemon) openHasher() error {
	path := d.Config.CheckIn.KeyFile
	if path == "" {
		return nil
	}
	key, err := idcard.LoadKey(path)
	if errors.Is(err, os.ErrNotExist) && d.Config.Central.URL != "" {
		if d.Log != nil {
			d.Log.Warn("no office key yet: check-in waits for central to send it", "file", path)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w (make one with `tornd key generate %s`)", err, path)
	}
	h, err := idcard.NewHasher(key)
	if err != nil {
		return err
	}
	d.hasher.Store(h)
	return nil
}

// errNoKey: a document number arrived before the office key.
var errNoKey = fmt.Errorf("%w: check-in is not ready: the office key has not arrived from central", idcard.ErrFormat)

// hash hashes a document number with the office key.
func (d *Daemon) hash(number string) (string, error) {
	h := d.hasher.Load()
	if h == nil {
		return "", errNoKey
	}
	return h.Hash(number)
}

// setKey takes the office key central sent: it replaces the key file
// (written whole, then renamed over the old one) and the hasher.
func (d *Daemon) setKey(hexKey string) error {
	key, err := hex.DecodeString(hexKey)
	if err != nil {
		return fmt.Errorf("office key from central: not hex")
	}
	h, err := idcard.NewHasher(key)
	if err != nil {
		return fmt.Errorf("office key from central: %w", err)
	}
	if path := d.Config.CheckIn.KeyFile; path != "" {
		tmp := path + ".new"
		if err := os.WriteFile(tmp, []byte(hexKey+"\n"), 0o600); err != nil {
			return fmt.Errorf("office key from central: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("office key from central: %w", err)
		}
	}
	d.hasher.Store(h)
	d.Log.Info("office key from central installed", "file", d.Config.CheckIn.KeyFile)
	return nil
}

// bookPoll is how often the appointments file is looked at for a change.
const bookPoll = 10 * time.Second

// watchBook loads the appointments file at start and again whenever its
// size or modification time changes. A file with bad rows is not loaded
// (the books already held stay) and the log says which rows.
func (d *Daemon) watchBook(ctx context.Context) {
	path := d.Config.CheckIn.Book
	var last os.FileInfo
	var missing bool
	for {
		fi, err := os.Stat(path)
		switch {
		case err != nil:
			if !missing {
				d.Log.Warn("appointments file", "err", err)
				missing = true
			}
			last = nil
		case last == nil || fi.Size() != last.Size() || !fi.ModTime().Equal(last.ModTime()):
			missing = false
			if err := d.loadBook(path); err != nil {
				d.Log.Error("appointments file not loaded; the books already held stay", "file", path, "err", err)
			}
			last = fi
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(bookPoll):
		}
	}
}

// loadBook loads the appointments file at path: the books of today and
// later days it holds replace those days' books; past days are skipped.
func (d *Daemon) loadBook(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	opts := bookfile.Options{Hash: d.hash}
	var today dispenser.Date
	d.office.View(func(dp *dispenser.Dispenser, now time.Time) {
		opts.Location = dp.Config().Location
		for _, s := range dp.Config().Services {
			opts.Services = append(opts.Services, s.ID)
		}
		today = dp.DayOf(now)
	})
	books, err := bookfile.Read(f, bookfile.Format(path), opts)
	if err != nil {
		return err
	}
	loaded, skipped := 0, 0
	for _, b := range books {
		if b.Day < today {
			skipped += len(b.Appointments)
			continue
		}
		if _, err := d.office.Do(dispenser.LoadBook{Book: b}); err != nil {
			return fmt.Errorf("book of %s: %w", b.Day, err)
		}
		loaded += len(b.Appointments)
		d.Log.Info("appointments loaded", "file", path, "day", b.Day, "appointments", len(b.Appointments), "version", b.Version)
	}
	if skipped > 0 {
		d.Log.Info("appointments of past days skipped", "file", path, "appointments", skipped)
	}
	if loaded == 0 && skipped == 0 {
		d.Log.Info("appointments file has no appointments", "file", path)
	}
	return nil
}

// openReader opens the configured document reader.
func (d *Daemon) openReader() (idcard.Reader, error) {
	rc := d.Config.Reader
	opts := idcard.Options{Timeout: rc.Timeout, Log: d.Log}
	switch rc.Type {
	case "serial":
		return idcard.OpenSerial(rc.Device, rc.Baud, opts)
	case "evdev":
		return idcard.OpenEvdev(rc.Device, idcard.EvdevOptions{Options: opts, Layout: rc.Layout})
	}
	return nil, fmt.Errorf("reader type %q", rc.Type)
}

// readerRetry is how long the daemon waits to open the reader again after
// it failed or went away (unplugged).
const readerRetry = 5 * time.Second

// runReader checks in every document the reader reads, reopening the
// reader when it goes away, until ctx ends.
func (d *Daemon) runReader(ctx context.Context, ci *web.CheckIns) {
	open := d.OpenReader
	if open == nil {
		open = d.openReader
	}
	var lastErr string
	for {
		r, err := open()
		if err != nil {
			d.reader.set(web.DeviceOffline, err.Error())
			// Said once, not every few seconds while it stays unplugged.
			if err.Error() != lastErr {
				d.Log.Error("document reader", "err", err)
				lastErr = err.Error()
			}
		} else {
			lastErr = ""
			d.reader.set(web.DeviceOK, "")
			d.Log.Info("document reader ready", "type", d.Config.Reader.Type, "device", d.Config.Reader.Device)
			d.readScans(ctx, r, ci)
			r.Close()
			if ctx.Err() != nil {
				return
			}
			d.reader.set(web.DeviceOffline, "stopped; opening it again")
			if err := r.Err(); err != nil && !errors.Is(err, context.Canceled) {
				d.Log.Error("document reader stopped", "err", err)
				d.reader.set(web.DeviceOffline, err.Error())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(readerRetry):
		}
	}
}

func (d *Daemon) readScans(ctx context.Context, r idcard.Reader, ci *web.CheckIns) {
	for {
		select {
		case <-ctx.Done():
			return
		case sc, ok := <-r.Scans():
			if !ok {
				return
			}
			ci.Scan(sc)
		}
	}
}
