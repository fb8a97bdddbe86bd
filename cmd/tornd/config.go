package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"torn.cat/torn/bookfile"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/internal/tomlconf"
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

type duration struct{ time.Duration }

// Want says what a duration is, for a value that is not one.
func (*duration) Want() string { return `a duration in quotes, such as "5m" or "90s"` }

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
// problem it finds at once, each naming the file, the line and the key.
func LoadConfig(path string) (Config, error) {
	b, err := tomlconf.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	return ParseConfig(path, b)
}

// ParseConfig parses the config in b, read from path.
func ParseConfig(path string, b []byte) (Config, error) {
	var fc fileConfig
	f := tomlconf.Decode(path, b, &fc)
	if f.Syntax() {
		return Config{}, f.Err()
	}
	c := Config{Path: path, Listen: fc.Server.Listen, DB: fc.Store.Path}
	if c.Listen == "" {
		c.Listen = ":8080"
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		f.Bad("server.listen", "%q: want host:port or :port, e.g. \":8080\"", c.Listen)
	}
	if c.DB == "" {
		c.DB = "/var/lib/torn/torn.db"
	}
	c.TrackingURL = fc.Tracking.URL
	if c.TrackingURL == "" {
		c.TrackingURL = "http://" + c.Listen + "/t/"
	} else if u, err := url.Parse(c.TrackingURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.Bad("tracking.url", "%q: want http:// or https://host/…", c.TrackingURL)
	}
	c.Printer = parsePrinter(f, fc)
	c.KioskScreen = web.Screen{WidthPx: fc.Kiosk.WidthPx, WidthMM: fc.Kiosk.WidthMM}
	if (c.KioskScreen.WidthPx == 0) != (c.KioskScreen.WidthMM == 0) {
		f.Bad("kiosk", "give both screen_width_px and screen_width_mm")
	}
	if c.KioskScreen.WidthPx < 0 || c.KioskScreen.WidthPx > 10000 {
		f.Bad("kiosk.screen_width_px", "%d: want the screen's width in pixels, e.g. 1080", c.KioskScreen.WidthPx)
	}
	if c.KioskScreen.WidthMM < 0 || c.KioskScreen.WidthMM > 2000 {
		f.Bad("kiosk.screen_width_mm", "%v: want the screen's width in millimetres, e.g. 136", c.KioskScreen.WidthMM)
	}
	c.Clerks = parseClerks(f, fc)
	c.Chime, c.Voice = fc.Display.Chime == nil || *fc.Display.Chime, fc.Display.Voice == nil || *fc.Display.Voice
	c.CheckIn = CheckInConfig{KeyFile: fc.CheckIn.KeyFile, Book: fc.CheckIn.Book}
	if c.CheckIn.Book != "" && bookfile.Format(c.CheckIn.Book) == "" {
		f.Bad("checkin.book", "%q: want a .csv or .json file", c.CheckIn.Book)
	}
	if c.CheckIn.Book != "" && c.CheckIn.KeyFile == "" {
		f.Bad("checkin.book", "needs checkin.key_file: appointments are matched by the office key's hash")
	}
	c.Central = parseCentral(f, fc)
	c.Reader = parseReader(f, fc, c.CheckIn)
	c.Retention = store.Retention{Days: fc.Store.Retention, PersonalDays: fc.Store.PersonalDays}
	if c.Retention.Days < 0 {
		f.Bad("store.retention_days", "%d: must not be negative", c.Retention.Days)
	}
	if c.Retention.PersonalDays < 0 {
		f.Bad("store.personal_days", "%d: must not be negative", c.Retention.PersonalDays)
	}
	c.Office = parseOffice(f, fc)
	c.Panel = parsePanel(f, fc.Panel, c.Office)
	return c, f.Err()
}

// parseClerks checks the [[clerk]] accounts.
func parseClerks(f *tomlconf.File, fc fileConfig) map[string]string {
	var clerks map[string]string
	first := map[string]int{}
	for i, k := range fc.Clerk {
		key := tomlconf.Join("clerk", i)
		if k.Name == "" {
			f.Bad(key+".name", "required")
			continue
		}
		if j, dup := first[k.Name]; dup {
			f.Bad(key+".name", "%q is already clerk[%d] (line %d)", k.Name, j+1, f.Line(tomlconf.Join("clerk", j, "name")))
			continue
		}
		first[k.Name] = i
		if _, err := bcrypt.Cost([]byte(k.PasswordHash)); err != nil {
			f.Bad(key+".password_hash", "not a bcrypt hash (make one with `tornd clerk hash`)")
		}
		if clerks == nil {
			clerks = map[string]string{}
		}
		clerks[k.Name] = k.PasswordHash
	}
	return clerks
}

// parseCentral checks the [central] section.
func parseCentral(f *tomlconf.File, fc fileConfig) CentralConfig {
	cc := fc.Central
	c := CentralConfig{URL: cc.URL, Device: cc.Device, TokenFile: cc.TokenFile, CAFile: cc.CAFile,
		MaxBackoff: cc.MaxBackoff.Duration, AckWait: cc.AckWait.Duration}
	if c.AckWait == 0 {
		c.AckWait = 15 * time.Second
	}
	if c.AckWait < 100*time.Millisecond || c.AckWait > 10*time.Minute {
		f.Bad("central.ack_wait", "%v: want between 100ms and 10m", c.AckWait)
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = time.Minute
	}
	if c.MaxBackoff < time.Second || c.MaxBackoff > time.Hour {
		f.Bad("central.max_backoff", "%v: want between 1s and 1h", c.MaxBackoff)
	}
	if c.URL == "" {
		for _, k := range []string{"device", "token_file", "ca_file"} {
			if f.Has("central." + k) {
				f.Bad("central."+k, "set, but without central.url the office runs offline")
			}
		}
		return c
	}
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || u.Host == "" {
		f.Bad("central.url", "%q: want wss://host/sync", c.URL)
	}
	if c.Device == "" {
		f.Bad("central.device", "required with central.url")
	}
	if c.TokenFile == "" {
		f.Bad("central.token_file", "required with central.url")
	}
	return c
}

// parseReader checks the [reader] section.
func parseReader(f *tomlconf.File, fc fileConfig, ci CheckInConfig) ReaderConfig {
	rd := fc.Reader
	c := ReaderConfig{Type: rd.Type, Device: rd.Device, Baud: rd.Baud, Layout: rd.Layout, Timeout: rd.Timeout.Duration}
	if c.Type == "" {
		c.Type = "none"
	}
	if c.Baud == 0 {
		c.Baud = 9600
	}
	if c.Layout == "" {
		c.Layout = "us"
	}
	if c.Timeout == 0 {
		c.Timeout = 1500 * time.Millisecond
	}
	switch c.Type {
	case "none":
	case "serial", "evdev":
		if c.Device == "" {
			f.Bad("reader.device", "required with type = %q", c.Type)
		}
		if ci.KeyFile == "" {
			f.Bad("reader.type", "a document reader needs checkin.key_file to check appointments in")
		}
	default:
		f.Bad("reader.type", "%q: want none, serial or evdev", c.Type)
	}
	if c.Layout != "us" && c.Layout != "es" {
		f.Bad("reader.layout", "%q: want us or es", c.Layout)
	}
	if c.Baud < 1200 || c.Baud > 921600 {
		f.Bad("reader.baud", "%d: want a serial speed such as 9600 or 115200", c.Baud)
	}
	if c.Timeout < 100*time.Millisecond || c.Timeout > 10*time.Second {
		f.Bad("reader.timeout", "%v: want between 100ms and 10s", c.Timeout)
	}
	return c
}

// parseOffice checks the queue's sections: [office], [rules], [hours],
// [[service]] and [[desk]]. The dispenser checks the office as a whole
// (prefixes, profiles, a service no desk serves); its problems are put
// back on the file's keys.
func parseOffice(f *tomlconf.File, fc fileConfig) dispenser.Config {
	var o dispenser.Config
	o.Office, o.Name = fc.Office.ID, fc.Office.Name
	if o.Office == "" {
		f.Bad("office.id", "required")
	}
	if o.Name == "" {
		o.Name = o.Office
	}
	tz := fc.Office.TimeZone
	if tz == "" {
		tz = "Europe/Madrid"
	}
	if loc, err := time.LoadLocation(tz); err != nil {
		f.Bad("office.time_zone", "%q: unknown time zone (want e.g. \"Europe/Madrid\")", tz)
	} else {
		o.Location = loc
	}
	r := fc.Rules
	o.Rules = dispenser.Rules{
		DueBefore: r.DueBefore.Duration, ProfileStep: r.ProfileStep.Duration,
		MaxOvertake: r.MaxOvertake.Duration, MaxCalls: r.MaxCalls,
		CheckIn: r.checkInFile.rules(),
	}
	if r.ProfileStep.Duration < 0 {
		f.Bad("rules.profile_step", "%v: must not be negative", r.ProfileStep.Duration)
	}
	switch r.Transfer {
	case "", "head":
	case "tail":
		o.Rules.TransferToTail = true
	default:
		f.Bad("rules.transfer", "%q: want \"head\" or \"tail\"", r.Transfer)
	}
	if r.CutOff != nil && !*r.CutOff {
		o.Rules.NoCutOff = true
	}
	officeHours := parseHours(f, "hours", fc.Hours)
	for i, s := range fc.Service {
		key := tomlconf.Join("service", i)
		sv := dispenser.Service{
			ID: dispenser.ServiceID(s.ID), Prefix: s.Prefix, AppointmentOnly: s.AppointmentOnly,
			Priority: s.Priority, ServiceTime: s.ServiceTime.Duration, Hours: officeHours,
			Names: map[dispenser.Lang]string{}, CheckIn: s.checkInFile.rules(),
		}
		for lang, name := range s.Name {
			l := dispenser.Lang(lang)
			if l != dispenser.Catalan && l != dispenser.Spanish && l != dispenser.English {
				f.Bad(key+".name."+lang, "want ca, es or en")
			}
			sv.Names[l] = name
		}
		if s.Hours != nil {
			sv.Hours = parseHours(f, key+".hours", *s.Hours)
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
	// The dispenser checks the office and fills its defaults.
	d, err := dispenser.New(o, dispenser.Snapshot{})
	if err == nil {
		return *d.Config()
	}
	for _, e := range unjoin(err) {
		var ce *dispenser.ConfigError
		if errors.As(e, &ce) {
			f.Bad(officeKey(ce.Field, fc), "%s", ce.Msg)
		} else {
			f.Bad("", "%v", e)
		}
	}
	return o
}

// officeKey turns a dispenser.ConfigError's field into the file's key.
func officeKey(field string, fc fileConfig) string {
	parts := strings.Split(field, ".")
	names := map[string]string{
		"ID": "id", "Prefix": "prefix", "Names": "name", "ServiceTime": "service_time",
		"Profile": "services", "MaxCalls": "max_calls", "DueBefore": "due_before",
		"MaxOvertake": "max_overtake", "Late": "late_arrival", "NoAppointment": "no_appointment",
		"Services": "service", "Desks": "desk", "Rules": "rules",
	}
	var out []string
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		switch {
		case p == "Location":
			return "office.time_zone"
		case p == "CheckIn": // the check-in keys sit in their table
		case p == "Hours":
			// A service's own hours, or the office's it took.
			if n, err := strconv.Atoi(parts[1]); err == nil && n < len(fc.Service) && fc.Service[n].Hours != nil {
				out = append(out, "hours")
			} else {
				out = []string{"hours"}
			}
		case names[p] != "":
			out = append(out, names[p])
		default:
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
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

// parseHours checks an [hours] table (the office's, or a service's at
// key): each range, ranges out of order or overlapping, and the closed
// dates. What is wrong is left out of the hours returned, so that the
// dispenser does not report it again.
func parseHours(f *tomlconf.File, key string, h hoursFile) dispenser.Hours {
	var out dispenser.Hours
	for wd, rs := range [7][]string{h.Sun, h.Mon, h.Tue, h.Wed, h.Thu, h.Fri, h.Sat} {
		day := strings.ToLower(time.Weekday(wd).String()[:3])
		for i, s := range rs {
			k := tomlconf.Join(key, day, i)
			r, err := dispenser.ParseRange(s)
			if err != nil {
				f.Bad(k, "%v", err)
				continue
			}
			if n := len(out.Weekly[wd]); n > 0 {
				prev := out.Weekly[wd][n-1]
				if r.From < prev.From {
					f.Bad(k, "%s comes before %s: list a day's ranges in order", s, prev)
					continue
				}
				if r.From < prev.To {
					f.Bad(k, "%s overlaps %s", s, prev)
					continue
				}
			}
			out.Weekly[wd] = append(out.Weekly[wd], r)
		}
	}
	for i, d := range h.Closed {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			f.Bad(tomlconf.Join(key, "closed", i), "%q: want a date, YYYY-MM-DD", d)
			continue
		}
		out.Closed = append(out.Closed, dispenser.Date(d))
	}
	return out
}

// parsePrinter checks the [printer] section.
func parsePrinter(f *tomlconf.File, fc fileConfig) PrinterConfig {
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
			f.Bad("printer.device", "required with transport = %q", c.Transport)
		}
	default:
		f.Bad("printer.transport", "%q: want none, virtual, serial, usb, tcp or file", c.Transport)
	}
	switch c.FlowControl {
	case "none", "rtscts":
	case "xonxoff":
		f.Bad("printer.flow_control", "%q: not supported (XON/XOFF bytes cannot be told from status answers and raster data); use \"rtscts\" or \"none\"", c.FlowControl)
	default:
		f.Bad("printer.flow_control", "%q: want none or rtscts", c.FlowControl)
	}
	if c.Baud < 1200 || c.Baud > 921600 {
		f.Bad("printer.baud", "%d: want a serial speed such as 9600, 19200 or 115200", c.Baud)
	}
	if c.Width != printer.Width58 && c.Width != 512 && c.Width != printer.Width80 {
		f.Bad("printer.width", "%d: want 384 (58 mm), 512 or 576 (80 mm)", c.Width)
	}
	if _, err := printer.CodePageFor(c.Model, c.CodePage); err != nil {
		key := "printer.code_page"
		if !f.Has(key) {
			key = "printer.model"
		}
		f.Bad(key, "%v", err)
	}
	if c.Logo != "" {
		if _, err := printer.LoadLogo(c.Logo); err != nil {
			f.Bad("printer.logo", "%v", err)
		}
	}
	for lang := range c.Footer {
		if lang != "ca" && lang != "es" && lang != "en" {
			f.Bad("printer.footer."+lang, "want ca, es or en")
		}
	}
	if c.StatusInterval < 100*time.Millisecond {
		f.Bad("printer.status_interval", "%v: want at least 100ms", c.StatusInterval)
	}
	return c
}
