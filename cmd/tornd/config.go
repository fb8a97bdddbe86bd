package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"golang.org/x/crypto/bcrypt"

	"torn.cat/torn/bookfile"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/printer"
	"torn.cat/torn/store"
	"torn.cat/torn/web"
)

// Config is everything tornd reads from its TOML file.
type Config struct {
	// Path is the file the config came from.
	Path string
	// Office is the queue's config.
	Office dispenser.Config
	// Listen is the LAN address of the HTTP server. Default ":8080".
	Listen string
	// DB is the store's file. Default /var/lib/torn/torn.db.
	DB string
	// Retention is how long the store keeps detail and personal data.
	Retention store.Retention
	// TrackingURL is the start of the URL of a ticket's live page; the
	// ticket's token is appended. Default "http://" + Listen + "/t/".
	TrackingURL string
	// Printer is the ticket printer.
	Printer PrinterConfig
	// Chime and Voice sound each call on the display. Default true.
	Chime, Voice bool
	// KioskScreen is the kiosk's touch screen. Default a 10.1" portrait
	// panel, 1080 px and 136 mm wide.
	KioskScreen web.Screen
	// Clerks maps each clerk's name to the bcrypt hash of the password.
	Clerks map[string]string
	// CheckIn is the [checkin] section: the office key and the
	// appointments file.
	CheckIn CheckInConfig
	// Reader is the [reader] section: the ID-document reader.
	Reader ReaderConfig
	// Central is the [central] section: the link to torn-central.
	Central CentralConfig
	// Panel is the [panel] section: GPIO buttons, desk keys, LEDs and
	// desk number displays.
	Panel PanelConfig
}

// CentralConfig is the [central] section.
type CentralConfig struct {
	// URL is central's sync endpoint, wss://host/sync; "" keeps the
	// office offline (no sync).
	URL string
	// Device is this device's id at central.
	Device string
	// TokenFile holds the device's token (torn-central device add prints
	// it); readable by tornd's user only.
	TokenFile string
	// CAFile is a PEM file of the CA central's certificate is signed by,
	// when not a public one; "" uses the system's roots.
	CAFile string
	// MaxBackoff caps the waits between reconnections. Default 1m.
	MaxBackoff time.Duration
	// AckWait is how long an acknowledgement may take before the
	// connection is taken for broken. Default 15s.
	AckWait time.Duration
}

// CheckInConfig is the [checkin] section.
type CheckInConfig struct {
	// KeyFile holds the office key that document numbers are hashed with
	// (make one with `tornd key generate FILE`). Without it the dispenser
	// checks no appointment in.
	KeyFile string
	// Book is a CSV or JSON file of appointments, read at start and again
	// whenever it changes; or "".
	Book string
}

// ReaderConfig is the [reader] section.
type ReaderConfig struct {
	// Type is "none" (default), "serial" or "evdev" (a keyboard-wedge
	// scanner, grabbed so that its keys do not reach the kiosk).
	Type string
	// Device is the serial port or the input device
	// (/dev/input/by-id/...-event-kbd).
	Device string
	// Baud is the serial speed. Default 9600.
	Baud int
	// Layout is the keyboard layout a wedge scanner types in: "us"
	// (default) or "es".
	Layout string
	// Timeout is how long a document may take between its lines before
	// the read is given up as partial. Default 1.5s.
	Timeout time.Duration
}

// PrinterConfig is the [printer] section.
type PrinterConfig struct {
	// Transport is "none" (default: no printer), "virtual" (renders to
	// images, for the demo and tests), "serial", "usb", "tcp" or "file".
	Transport string
	// Device is the serial or USB device, the TCP address (port 9100 by
	// default) or the file.
	Device string
	// Baud and FlowControl set a serial line. Default 115200, "none";
	// "rtscts" waits for the printer's CTS.
	Baud        int
	FlowControl string
	// Model and CodePage choose the ESC t table. Default "epson", "pc858".
	Model, CodePage string
	// Width is the printable width in dots: 384 (58 mm), 512 or 576
	// (80 mm, the default).
	Width int
	// NativeQR uses the printer's own QR command. Default true.
	NativeQR bool
	// Logo is a PNG printed at the top, or "".
	Logo string
	// Cut cuts the paper after each ticket. Default true.
	Cut bool
	// Footer is printed at the bottom, per language.
	Footer map[string]string
	// StatusInterval is how often the printer's status is read. Default 2s.
	StatusInterval time.Duration
}

// maxConfigSize bounds the config file.
const maxConfigSize = 1 << 20

type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: want e.g. \"5m\" or \"90s\"", b)
	}
	d.Duration = v
	return nil
}

// checkInFile are the check-in keys of [rules] and of each [[service]].
type checkInFile struct {
	Early         duration `toml:"checkin_early"`
	Grace         duration `toml:"checkin_grace"`
	Late          string   `toml:"late_arrival"`
	NoAppointment string   `toml:"no_appointment"`
}

func (f checkInFile) rules() dispenser.CheckInRules {
	return dispenser.CheckInRules{Early: f.Early.Duration, Grace: f.Grace.Duration,
		Late: dispenser.Offer(f.Late), NoAppointment: dispenser.Offer(f.NoAppointment)}
}

type hoursFile struct {
	Mon, Tue, Wed, Thu, Fri, Sat, Sun []string
	Closed                            []string
}

type fileConfig struct {
	Office struct {
		ID       string `toml:"id"`
		Name     string `toml:"name"`
		TimeZone string `toml:"time_zone"`
	} `toml:"office"`
	Server struct {
		Listen string `toml:"listen"`
	} `toml:"server"`
	Kiosk struct {
		WidthPx int     `toml:"screen_width_px"`
		WidthMM float64 `toml:"screen_width_mm"`
	} `toml:"kiosk"`
	Display struct {
		Chime *bool `toml:"chime"`
		Voice *bool `toml:"voice"`
	} `toml:"display"`
	Tracking struct {
		URL string `toml:"url"`
	} `toml:"tracking"`
	Printer struct {
		Transport      string            `toml:"transport"`
		Device         string            `toml:"device"`
		Baud           int               `toml:"baud"`
		FlowControl    string            `toml:"flow_control"`
		Model          string            `toml:"model"`
		CodePage       string            `toml:"code_page"`
		Width          int               `toml:"width"`
		NativeQR       *bool             `toml:"native_qr"`
		Logo           string            `toml:"logo"`
		Cut            *bool             `toml:"cut"`
		Footer         map[string]string `toml:"footer"`
		StatusInterval duration          `toml:"status_interval"`
	} `toml:"printer"`
	Store struct {
		Path         string `toml:"path"`
		Retention    int    `toml:"retention_days"`
		PersonalDays int    `toml:"personal_days"`
	} `toml:"store"`
	Rules struct {
		DueBefore   duration `toml:"due_before"`
		ProfileStep duration `toml:"profile_step"`
		MaxOvertake duration `toml:"max_overtake"`
		MaxCalls    int      `toml:"max_calls"`
		Transfer    string   `toml:"transfer"`
		CutOff      *bool    `toml:"cut_off"`
		checkInFile
	} `toml:"rules"`
	Hours   hoursFile `toml:"hours"`
	Service []struct {
		ID              string            `toml:"id"`
		Prefix          string            `toml:"prefix"`
		Name            map[string]string `toml:"name"`
		AppointmentOnly bool              `toml:"appointment_only"`
		Priority        bool              `toml:"priority"`
		ServiceTime     duration          `toml:"service_time"`
		Hours           *hoursFile        `toml:"hours"`
		checkInFile
	} `toml:"service"`
	Clerk []struct {
		Name         string `toml:"name"`
		PasswordHash string `toml:"password_hash"`
	} `toml:"clerk"`
	CheckIn struct {
		KeyFile string `toml:"key_file"`
		Book    string `toml:"book"`
	} `toml:"checkin"`
	Central struct {
		URL        string   `toml:"url"`
		Device     string   `toml:"device"`
		TokenFile  string   `toml:"token_file"`
		CAFile     string   `toml:"ca_file"`
		MaxBackoff duration `toml:"max_backoff"`
		AckWait    duration `toml:"ack_wait"`
	} `toml:"central"`
	Reader struct {
		Type    string   `toml:"type"`
		Device  string   `toml:"device"`
		Baud    int      `toml:"baud"`
		Layout  string   `toml:"layout"`
		Timeout duration `toml:"timeout"`
	} `toml:"reader"`
	Panel panelFile `toml:"panel"`
	Desk  []struct {
		ID       string   `toml:"id"`
		Name     string   `toml:"name"`
		Services []string `toml:"services"`
	} `toml:"desk"`
}

// LoadConfig reads and checks the config file at path. It reports every
// problem it finds, each prefixed with the file (and the line where the
// TOML decoder knows it).
func LoadConfig(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return Config{}, fmt.Errorf("read config %s: %w", path, err)
	}
	if len(b) > maxConfigSize {
		return Config{}, fmt.Errorf("config %s: larger than %d bytes", path, maxConfigSize)
	}
	return ParseConfig(path, b)
}

// ParseConfig parses the config in b, read from path.
func ParseConfig(path string, b []byte) (Config, error) {
	var fc fileConfig
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return Config{}, tomlError(path, err)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
	}
	c := Config{Path: path, Listen: fc.Server.Listen, DB: fc.Store.Path}
	if c.Listen == "" {
		c.Listen = ":8080"
	}
	if c.DB == "" {
		c.DB = "/var/lib/torn/torn.db"
	}
	c.TrackingURL = fc.Tracking.URL
	if c.TrackingURL == "" {
		c.TrackingURL = "http://" + c.Listen + "/t/"
	}
	c.Printer, errs = parsePrinter(path, fc, errs)
	c.KioskScreen = web.Screen{WidthPx: fc.Kiosk.WidthPx, WidthMM: fc.Kiosk.WidthMM}
	if (c.KioskScreen.WidthPx == 0) != (c.KioskScreen.WidthMM == 0) || c.KioskScreen.WidthPx < 0 || c.KioskScreen.WidthMM < 0 {
		bad("kiosk: give both screen_width_px and screen_width_mm, positive")
	}
	for i, k := range fc.Clerk {
		if k.Name == "" {
			bad("clerk %d: no name", i+1)
			continue
		}
		if _, dup := c.Clerks[k.Name]; dup {
			bad("clerk %q: defined twice", k.Name)
		}
		if _, err := bcrypt.Cost([]byte(k.PasswordHash)); err != nil {
			bad("clerk %q: password_hash is not a bcrypt hash (make one with `tornd clerk hash`)", k.Name)
		}
		if c.Clerks == nil {
			c.Clerks = map[string]string{}
		}
		c.Clerks[k.Name] = k.PasswordHash
	}
	c.Chime, c.Voice = fc.Display.Chime == nil || *fc.Display.Chime, fc.Display.Voice == nil || *fc.Display.Voice
	c.CheckIn = CheckInConfig{KeyFile: fc.CheckIn.KeyFile, Book: fc.CheckIn.Book}
	if c.CheckIn.Book != "" && bookfile.Format(c.CheckIn.Book) == "" {
		bad("checkin.book %q: want a .csv or .json file", c.CheckIn.Book)
	}
	if c.CheckIn.Book != "" && c.CheckIn.KeyFile == "" {
		bad("checkin.book needs checkin.key_file: appointments are matched by the office key's hash")
	}
	cc := fc.Central
	c.Central = CentralConfig{URL: cc.URL, Device: cc.Device, TokenFile: cc.TokenFile, CAFile: cc.CAFile,
		MaxBackoff: cc.MaxBackoff.Duration, AckWait: cc.AckWait.Duration}
	if c.Central.AckWait == 0 {
		c.Central.AckWait = 15 * time.Second
	}
	if c.Central.AckWait < 100*time.Millisecond || c.Central.AckWait > 10*time.Minute {
		bad("central.ack_wait %v: want between 100ms and 10m", c.Central.AckWait)
	}
	if c.Central.MaxBackoff == 0 {
		c.Central.MaxBackoff = time.Minute
	}
	if c.Central.MaxBackoff < time.Second || c.Central.MaxBackoff > time.Hour {
		bad("central.max_backoff %v: want between 1s and 1h", c.Central.MaxBackoff)
	}
	if c.Central.URL != "" {
		if u, err := url.Parse(c.Central.URL); err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || u.Host == "" {
			bad("central.url %q: want wss://host/sync", c.Central.URL)
		}
		if c.Central.Device == "" {
			bad("central.device is required with central.url")
		}
		if c.Central.TokenFile == "" {
			bad("central.token_file is required with central.url")
		}
	}
	rd := fc.Reader
	c.Reader = ReaderConfig{Type: rd.Type, Device: rd.Device, Baud: rd.Baud, Layout: rd.Layout, Timeout: rd.Timeout.Duration}
	if c.Reader.Type == "" {
		c.Reader.Type = "none"
	}
	if c.Reader.Baud == 0 {
		c.Reader.Baud = 9600
	}
	if c.Reader.Layout == "" {
		c.Reader.Layout = "us"
	}
	if c.Reader.Timeout == 0 {
		c.Reader.Timeout = 1500 * time.Millisecond
	}
	switch c.Reader.Type {
	case "none":
	case "serial", "evdev":
		if c.Reader.Device == "" {
			bad("reader.device is required with type %q", c.Reader.Type)
		}
		if c.CheckIn.KeyFile == "" {
			bad("reader: a document reader needs checkin.key_file to check appointments in")
		}
	default:
		bad("reader.type %q: want none, serial or evdev", c.Reader.Type)
	}
	if c.Reader.Layout != "us" && c.Reader.Layout != "es" {
		bad("reader.layout %q: want us or es", c.Reader.Layout)
	}
	if c.Reader.Baud < 1200 || c.Reader.Baud > 921600 {
		bad("reader.baud %d: want a serial speed such as 9600 or 115200", c.Reader.Baud)
	}
	if c.Reader.Timeout < 100*time.Millisecond || c.Reader.Timeout > 10*time.Second {
		bad("reader.timeout %v: want between 100ms and 10s", c.Reader.Timeout)
	}
	c.Retention = store.Retention{Days: fc.Store.Retention, PersonalDays: fc.Store.PersonalDays}
	if c.Retention.Days < 0 || c.Retention.PersonalDays < 0 {
		bad("store: retention days must not be negative")
	}
	o := &c.Office
	o.Office, o.Name = fc.Office.ID, fc.Office.Name
	if o.Office == "" {
		bad("office.id is required")
	}
	if o.Name == "" {
		o.Name = o.Office
	}
	tz := fc.Office.TimeZone
	if tz == "" {
		tz = "Europe/Madrid"
	}
	if loc, err := time.LoadLocation(tz); err != nil {
		bad("office.time_zone %q: unknown time zone", tz)
	} else {
		o.Location = loc
	}
	r := fc.Rules
	o.Rules = dispenser.Rules{
		DueBefore: r.DueBefore.Duration, ProfileStep: r.ProfileStep.Duration,
		MaxOvertake: r.MaxOvertake.Duration, MaxCalls: r.MaxCalls,
		CheckIn: r.checkInFile.rules(),
	}
	switch r.Transfer {
	case "", "head":
	case "tail":
		o.Rules.TransferToTail = true
	default:
		bad("rules.transfer %q: want \"head\" or \"tail\"", r.Transfer)
	}
	if r.CutOff != nil && !*r.CutOff {
		o.Rules.NoCutOff = true
	}
	officeHours, err := parseHours(fc.Hours)
	if err != nil {
		bad("hours: %v", err)
	}
	for i, s := range fc.Service {
		sv := dispenser.Service{
			ID: dispenser.ServiceID(s.ID), Prefix: s.Prefix, AppointmentOnly: s.AppointmentOnly,
			Priority: s.Priority, ServiceTime: s.ServiceTime.Duration, Hours: officeHours,
			Names: map[dispenser.Lang]string{}, CheckIn: s.checkInFile.rules(),
		}
		for lang, name := range s.Name {
			l := dispenser.Lang(lang)
			if l != dispenser.Catalan && l != dispenser.Spanish && l != dispenser.English {
				bad("service %d (%s): name.%s: want ca, es or en", i+1, s.ID, lang)
			}
			sv.Names[l] = name
		}
		if s.Hours != nil {
			if sv.Hours, err = parseHours(*s.Hours); err != nil {
				bad("service %d (%s): hours: %v", i+1, s.ID, err)
			}
			// The office's holidays close every service.
			sv.Hours.Closed = append(sv.Hours.Closed, officeHours.Closed...)
		}
		o.Services = append(o.Services, sv)
	}
	for _, d := range fc.Desk {
		dk := dispenser.Desk{ID: dispenser.DeskID(d.ID), Name: d.Name}
		for _, s := range d.Services {
			dk.Profile = append(dk.Profile, dispenser.ServiceID(s))
		}
		o.Desks = append(o.Desks, dk)
	}
	if len(errs) == 0 {
		// The dispenser checks the office and fills its defaults.
		d, err := dispenser.New(c.Office, dispenser.Snapshot{})
		if err != nil {
			for _, e := range unjoin(err) {
				bad("%v", strings.TrimPrefix(e.Error(), "office config: "))
			}
		} else {
			c.Office = *d.Config()
		}
	}
	var perrs []error
	c.Panel, perrs = parsePanel(path, fc.Panel, keyLines(b), c.Office)
	errs = append(errs, perrs...)
	return c, errors.Join(errs...)
}

// unjoin splits a joined error (behind any wrapping) into its parts.
func unjoin(err error) []error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			return j.Unwrap()
		}
	}
	return []error{err}
}

func parseHours(h hoursFile) (dispenser.Hours, error) {
	var out dispenser.Hours
	var errs []error
	for wd, rs := range [7][]string{h.Sun, h.Mon, h.Tue, h.Wed, h.Thu, h.Fri, h.Sat} {
		for _, s := range rs {
			r, err := dispenser.ParseRange(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", strings.ToLower(time.Weekday(wd).String()[:3]), err))
				continue
			}
			out.Weekly[wd] = append(out.Weekly[wd], r)
		}
	}
	for _, d := range h.Closed {
		out.Closed = append(out.Closed, dispenser.Date(d))
	}
	if err := out.Validate(); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// tomlError turns the TOML decoder's errors into lines naming the file,
// the line and the key.
func tomlError(path string, err error) error {
	var sm *toml.StrictMissingError
	if errors.As(err, &sm) {
		var errs []error
		for _, e := range sm.Errors {
			row, col := e.Position()
			errs = append(errs, fmt.Errorf("%s:%d:%d: unknown key %s", path, row, col, strings.Join(e.Key(), ".")))
		}
		return errors.Join(errs...)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		key := ""
		if k := de.Key(); len(k) > 0 {
			key = " " + strings.Join(k, ".")
		}
		return fmt.Errorf("%s:%d:%d:%s %s", path, row, col, key, de.Error())
	}
	return fmt.Errorf("%s: %w", path, err)
}

// parsePrinter checks the [printer] section; problems are appended to errs,
// each naming the key.
func parsePrinter(path string, fc fileConfig, errs []error) (PrinterConfig, []error) {
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
	}
	p := fc.Printer
	c := PrinterConfig{
		Transport: p.Transport, Device: p.Device, Baud: p.Baud, FlowControl: p.FlowControl,
		Model: p.Model, CodePage: p.CodePage, Width: p.Width, NativeQR: true, Logo: p.Logo, Cut: true,
		Footer: p.Footer, StatusInterval: p.StatusInterval.Duration,
	}
	if p.NativeQR != nil {
		c.NativeQR = *p.NativeQR
	}
	if p.Cut != nil {
		c.Cut = *p.Cut
	}
	if c.Transport == "" {
		c.Transport = "none"
	}
	if c.Baud == 0 {
		c.Baud = 115200
	}
	if c.FlowControl == "" {
		c.FlowControl = "none"
	}
	if c.Model == "" {
		c.Model = "epson"
	}
	if c.CodePage == "" {
		c.CodePage = "pc858"
	}
	if c.Width == 0 {
		c.Width = printer.Width80
	}
	if c.StatusInterval == 0 {
		c.StatusInterval = 2 * time.Second
	}
	switch c.Transport {
	case "none", "virtual":
	case "serial", "usb", "tcp", "file":
		if c.Device == "" {
			bad("printer.device is required with transport %q", c.Transport)
		}
	default:
		bad("printer.transport %q: want none, virtual, serial, usb, tcp or file", c.Transport)
	}
	switch c.FlowControl {
	case "none", "rtscts":
	case "xonxoff":
		bad("printer.flow_control %q: not supported (XON/XOFF bytes cannot be told from status answers and raster data); use \"rtscts\" or \"none\"", c.FlowControl)
	default:
		bad("printer.flow_control %q: want none or rtscts", c.FlowControl)
	}
	if c.Baud < 1200 || c.Baud > 921600 {
		bad("printer.baud %d: want a serial speed such as 9600, 19200 or 115200", c.Baud)
	}
	if c.Width != printer.Width58 && c.Width != 512 && c.Width != printer.Width80 {
		bad("printer.width %d: want 384 (58 mm), 512 or 576 (80 mm)", c.Width)
	}
	if _, err := printer.CodePageFor(c.Model, c.CodePage); err != nil {
		bad("printer.model/code_page: %v", err)
	}
	if c.Logo != "" {
		if _, err := printer.LoadLogo(c.Logo); err != nil {
			bad("printer.logo: %v", err)
		}
	}
	for lang := range c.Footer {
		if lang != "ca" && lang != "es" && lang != "en" {
			bad("printer.footer.%s: want ca, es or en", lang)
		}
	}
	if c.StatusInterval < 100*time.Millisecond {
		bad("printer.status_interval %v: want at least 100ms", c.StatusInterval)
	}
	return c, errs
}
