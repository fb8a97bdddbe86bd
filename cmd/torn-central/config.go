package main

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"torn.cat/torn/internal/tomlconf"
)

// defaultConfig is where the package installs the config file.
const defaultConfig = "/etc/torn/torn-central.toml"

// Config is everything `torn-central serve` reads from its TOML file.
type Config struct {
	// Path is the file the config came from, or "" for the defaults.
	Path string
	// Listen is the HTTP address. Default ":8090".
	Listen string
	// DSN is the store: sqlite:PATH or postgres://…. Default
	// sqlite:/var/lib/torn-central/central.db.
	DSN string
	// Keys is the directory of the office keys. Default
	// /etc/torn-central/keys.
	Keys string
	// RefreshEvery is how often the indicators' rollups are brought up
	// to date. Default 5m.
	RefreshEvery time.Duration
}

// DefaultConfig is the config without a file: what `torn-central serve`
// ran with before it read one.
func DefaultConfig() Config {
	return Config{Listen: defaultListen, DSN: defaultDB, Keys: defaultKeys, RefreshEvery: defaultRefresh}
}

const (
	defaultListen  = ":8090"
	defaultRefresh = 5 * time.Minute
)

type duration struct{ time.Duration }

// Want says what a duration is, for a value that is not one.
func (*duration) Want() string { return `a duration in quotes, such as "5m" or "1h"` }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: want e.g. \"5m\" or \"1h\"", b)
	}
	d.Duration = v
	return nil
}

// fileConfig is the file as written; docs/central.md documents each key
// (TestConfigDocs).
type fileConfig struct {
	Server struct {
		Listen string `toml:"listen"`
	} `toml:"server"`
	Store struct {
		DSN     string `toml:"dsn"`
		KeysDir string `toml:"keys_dir"`
	} `toml:"store"`
	Indicators struct {
		RefreshEvery duration `toml:"refresh_every"`
	} `toml:"indicators"`
}

// LoadConfig reads and checks the config file at path. It reports every
// problem of the file at once, each with its line and key.
func LoadConfig(path string) (Config, error) {
	b, err := tomlconf.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	return ParseConfig(path, b)
}

// ParseConfig parses the config in b, read from path. A key the file
// leaves out has its default; a key it sets must have a good value.
func ParseConfig(path string, b []byte) (Config, error) {
	var fc fileConfig
	f := tomlconf.Decode(path, b, &fc)
	if f.Syntax() {
		return Config{}, f.Err()
	}
	c := DefaultConfig()
	c.Path = path
	if f.Has("server.listen") {
		c.Listen = fc.Server.Listen
		if err := checkListen(c.Listen); err != nil {
			f.Bad("server.listen", "%q: %v", c.Listen, err)
		}
	}
	if f.Has("store.dsn") {
		c.DSN = fc.Store.DSN
		if err := checkDSN(c.DSN); err != nil {
			f.Bad("store.dsn", "%q: %v", redact(c.DSN), err)
		}
	}
	if f.Has("store.keys_dir") {
		c.Keys = fc.Store.KeysDir
		if !filepath.IsAbs(c.Keys) {
			f.Bad("store.keys_dir", "%q: want an absolute path, e.g. \"/etc/torn-central/keys\"", c.Keys)
		}
	}
	if f.Has("indicators.refresh_every") {
		c.RefreshEvery = fc.Indicators.RefreshEvery.Duration
		if c.RefreshEvery < time.Minute || c.RefreshEvery > 24*time.Hour {
			f.Bad("indicators.refresh_every", "%v: want between 1m and 24h", c.RefreshEvery)
		}
	}
	return c, f.Err()
}

// checkListen checks a listen address: host:port or :port, the port a
// number from 1 to 65535.
func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New(`want host:port or :port, e.g. ":8090" or "127.0.0.1:8090"`)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q: want a number from 1 to 65535", port)
	}
	return nil
}

// checkDSN checks a store's DSN as openStore would take it, without
// opening it.
func checkDSN(dsn string) error {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if !filepath.IsAbs(path) || strings.ContainsAny(path, "?#") {
			return fmt.Errorf("want sqlite: and an absolute file name without ? or #, e.g. \"sqlite:/var/lib/torn-central/central.db\"")
		}
		return nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return fmt.Errorf("not a PostgreSQL URL: %s", pgxReason(err))
		}
		return nil
	}
	return fmt.Errorf("want sqlite:PATH or postgres://…")
}

// pgxReason is why pgx refused a DSN, without the DSN it repeats (which
// may hold a password).
func pgxReason(err error) string {
	msg := err.Error()
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		if _, after, ok := strings.Cut(msg, "`: "); ok {
			return after
		}
		return "cannot parse it"
	}
	return msg
}
