package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"torn.cat/torn/bookfile"
	"torn.cat/torn/central"
	"torn.cat/torn/central/sqlstore"
	"torn.cat/torn/idcard"
	"torn.cat/torn/internal/journal"
	"torn.cat/torn/internal/sdnotify"
	"torn.cat/torn/internal/version"
)

const usage = `usage:
  torn-central serve [-config FILE] [-db DSN] [-listen ADDR] [-keys DIR]
                                                            run central
  torn-central check [FILE]                                 check a config file without opening the store
                                                            (default /etc/torn/torn-central.toml)
  torn-central device add ID -office OFFICE [-db DSN]       register a device; prints its token once
  torn-central device revoke ID [-db DSN]                   refuse the device from now on
  torn-central device list [-db DSN]
  torn-central apikey add NAME [-office OFFICE] [-db DSN]   an appointments/overview API key; printed once
  torn-central apikey revoke NAME [-db DSN]                 refuse the keys called NAME from now on
  torn-central key generate OFFICE [-keys DIR]              the office key document numbers are hashed with
  torn-central import OFFICE FILE.csv|FILE.json [-db DSN] [-keys DIR]
                                                            import appointments; bad rows refuse the whole file
  torn-central version

Every command that takes -db or -keys takes -config FILE, the config file
(/etc/torn/torn-central.toml as installed); without it, the defaults. -db,
-listen and -keys override the file's store.dsn, server.listen and
store.keys_dir.

DSN: sqlite:/var/lib/torn-central/central.db (the default), or PostgreSQL:
postgres:///torn?host=/run/postgresql, postgres://user@host/db
`

const (
	defaultDB   = "sqlite:/var/lib/torn-central/central.db"
	defaultKeys = "/etc/torn-central/keys"
)

func cli(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return serveCmd(ctx, args, stderr)
	case "check":
		return checkCmd(args, stdout, stderr)
	case "device":
		return deviceCmd(ctx, args, stdout, stderr)
	case "apikey":
		return apikeyCmd(ctx, args, stdout, stderr)
	case "key":
		return keyCmd(args, stdout, stderr)
	case "import":
		return importCmd(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "torn-central", version.String())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "torn-central: unknown command %q\n%s", cmd, usage)
	return 2
}

// openStore opens the store a DSN names.
func openStore(ctx context.Context, dsn string) (central.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if dir := filepath.Dir(path); path != ":memory:" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store directory: %w", err)
			}
		}
		return sqlstore.OpenSQLite(path)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return sqlstore.OpenPostgres(ctx, dsn)
	}
	return nil, fmt.Errorf("store %q: want sqlite:PATH or postgres://…", dsn)
}

// configFlags adds -config FILE to fs, and those of -db, -listen and
// -keys that names lists. Once fs is parsed, the function it returns
// reads the file (without one, the defaults) and sets what the flags on
// the command line say over it.
func configFlags(fs *flag.FlagSet, names ...string) func() (Config, error) {
	path := fs.String("config", "", "the config `file`, e.g. "+defaultConfig+"; without it, the defaults")
	vals := map[string]*string{}
	for _, name := range names {
		switch name {
		case "db":
			vals[name] = fs.String(name, "", "the store: sqlite:PATH or postgres://… (overrides store.dsn; default "+defaultDB+")")
		case "listen":
			vals[name] = fs.String(name, "", "the HTTP `address` (overrides server.listen; default "+defaultListen+")")
		case "keys":
			vals[name] = fs.String(name, "", "the `directory` of the office keys (overrides store.keys_dir; default "+defaultKeys+")")
		}
	}
	return func() (Config, error) {
		cfg := DefaultConfig()
		if *path != "" {
			var err error
			if cfg, err = LoadConfig(*path); err != nil {
				return Config{}, err
			}
		}
		fs.Visit(func(f *flag.Flag) {
			if vals[f.Name] == nil {
				return // a flag of the subcommand's own
			}
			switch f.Name {
			case "db":
				cfg.DSN = *vals[f.Name]
			case "listen":
				cfg.Listen = *vals[f.Name]
			case "keys":
				cfg.Keys = *vals[f.Name]
			}
		})
		return cfg, nil
	}
}

// storeCmd parses a subcommand's flags (-config, -db, and those fs has),
// wants n arguments besides, opens the store and runs fn with it. Bad
// usage or a bad config exits 2; a store that cannot be opened, 1.
func storeCmd(ctx context.Context, fs *flag.FlagSet, args []string, n int, stderr io.Writer, fn func(st central.Store, cfg Config, pos []string) int) int {
	fs.SetOutput(stderr)
	config := configFlags(fs, "db")
	pos, err := flags(fs, args)
	if err != nil || len(pos) != n {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cfg, err := config()
	if err != nil {
		fmt.Fprintf(stderr, "torn-central: bad config:\n%v\n", err)
		return 2
	}
	st, err := openStore(ctx, cfg.DSN)
	if err != nil {
		fmt.Fprintf(stderr, "torn-central: %v\n", err)
		return 1
	}
	defer st.Close()
	return fn(st, cfg, pos)
}

// flags parses a subcommand's flags, which may come after its arguments
// (`device add ID -office X`): it returns the arguments.
func flags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func serveCmd(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("torn-central serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := configFlags(fs, "db", "listen", "keys")
	if pos, err := flags(fs, args); err != nil || len(pos) != 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cfg, err := config()
	if err != nil {
		fmt.Fprintf(stderr, "torn-central: bad config:\n%v\n", err)
		return 2
	}
	// Under systemd each line carries its priority for the journal.
	log := slog.New(journal.NewHandler(stderr, nil, journal.Attached()))
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// serve runs central with cfg until ctx ends. Under systemd (Type=notify)
// it says READY=1 once it listens, pings the watchdog while the store
// answers, and says STOPPING=1 as it stops.
func serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	st, err := openStore(ctx, cfg.DSN)
	if err != nil {
		return fmt.Errorf("cannot start: %w", err)
	}
	defer st.Close()
	srv := &central.Server{Store: st, Log: log, Keys: cfg.Keys, RefreshEvery: cfg.RefreshEvery}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("cannot start: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	lctx, stopListen := context.WithCancel(ctx)
	defer stopListen()
	go func() {
		if err := srv.Run(lctx); err != nil && !errors.Is(err, context.Canceled) {
			errc <- fmt.Errorf("listen for changes: %w", err)
		}
	}()
	addr := ln.Addr().String()
	log.Info("serving", "addr", addr, "db", redact(cfg.DSN), "config", cfg.Path)
	notify := sdnotify.FromEnv()
	if err := notify.Notify("READY=1\nSTATUS=serving on " + addr); err != nil {
		log.Warn("systemd notify", "err", err)
	}
	// Alive while the store answers a read: a store that hangs or is
	// gone stops the pings, and systemd restarts central when
	// WatchdogSec runs out.
	wd := sdnotify.WatchdogInterval()
	go notify.Watchdog(lctx, wd, func() error {
		rctx, cancel := context.WithTimeout(lctx, wd/4)
		defer cancel()
		_, err := st.Acked(rctx, "")
		return err
	}, func(err error) {
		if err != nil {
			log.Error("watchdog: the store does not answer, systemd will restart torn-central", "err", err)
		} else {
			log.Info("watchdog: the store answers again")
		}
	})
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	notify.Notify("STOPPING=1")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hs.Shutdown(sctx) // hijacked websockets are not waited for:
	srv.Close()       // the devices' connections end before the store closes
	return nil
}

// checkCmd checks a config file without opening the store.
func checkCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	path := defaultConfig
	if len(args) == 1 {
		path = args[0]
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "%s: ok: listen %s, store %s, office keys in %s, indicators refreshed every %v\n",
		path, cfg.Listen, redact(cfg.DSN), cfg.Keys, cfg.RefreshEvery)
	return 0
}

// redact hides a DSN's password for the log.
func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if j := strings.Index(dsn[i+3:], "@"); j >= 0 {
			cred := dsn[i+3 : i+3+j]
			if k := strings.Index(cred, ":"); k >= 0 {
				return dsn[:i+3] + cred[:k] + ":***" + dsn[i+3+j:]
			}
		}
	}
	return dsn
}

// secret returns a new random secret, 256 bits in base64url.
func secret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func deviceCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	sub := args[0]
	fs := flag.NewFlagSet("torn-central device "+sub, flag.ContinueOnError)
	switch sub {
	case "add":
		office := fs.String("office", "", "the device's office id")
		return storeCmd(ctx, fs, args[1:], 1, stderr, func(st central.Store, _ Config, pos []string) int {
			if *office == "" {
				fmt.Fprint(stderr, "torn-central device add: -office is required\n"+usage)
				return 2
			}
			tok := secret()
			sum := sha256.Sum256([]byte(tok))
			err := st.AddDevice(ctx, central.Device{ID: pos[0], Office: *office, TokenHash: sum[:], Created: time.Now().UTC()})
			if err != nil {
				fmt.Fprintf(stderr, "torn-central device add %s: %v\n", pos[0], err)
				return 1
			}
			fmt.Fprintf(stdout, "device %s of office %s added; its token (shown once, put it in the device's [central] token_file):\n%s\n", pos[0], *office, tok)
			return 0
		})
	case "revoke":
		return storeCmd(ctx, fs, args[1:], 1, stderr, func(st central.Store, _ Config, pos []string) int {
			if err := st.RevokeDevice(ctx, pos[0]); err != nil {
				fmt.Fprintf(stderr, "torn-central device revoke %s: %v\n", pos[0], err)
				return 1
			}
			fmt.Fprintf(stdout, "device %s revoked: it is refused from its next connection on\n", pos[0])
			return 0
		})
	case "list":
		return storeCmd(ctx, fs, args[1:], 0, stderr, func(st central.Store, _ Config, _ []string) int {
			ds, err := st.Devices(ctx)
			if err != nil {
				fmt.Fprintf(stderr, "torn-central device list: %v\n", err)
				return 1
			}
			for _, d := range ds {
				state := "active"
				if d.Revoked {
					state = "revoked"
				}
				seen := "never"
				if !d.LastSeen.IsZero() {
					seen = d.LastSeen.Format(time.RFC3339)
				}
				fmt.Fprintf(stdout, "%s\t%s\t%s\tlast seen %s\n", d.ID, d.Office, state, seen)
			}
			return 0
		})
	}
	fmt.Fprint(stderr, usage)
	return 2
}

func apikeyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "revoke" {
		return apikeyRevoke(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("torn-central apikey add", flag.ContinueOnError)
	office := fs.String("office", "", "limit the key to this office")
	return storeCmd(ctx, fs, args[1:], 1, stderr, func(st central.Store, _ Config, pos []string) int {
		key := secret()
		sum := sha256.Sum256([]byte(key))
		if err := st.AddAPIKey(ctx, central.APIKey{Name: pos[0], Hash: sum[:], Office: *office, Created: time.Now().UTC()}); err != nil {
			fmt.Fprintf(stderr, "torn-central apikey add: %v\n", err)
			return 1
		}
		scope := "every office"
		if *office != "" {
			scope = "office " + *office
		}
		fmt.Fprintf(stdout, "API key %q for %s (shown once; send it as Authorization: Bearer KEY):\n%s\n", pos[0], scope, key)
		return 0
	})
}

func apikeyRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("torn-central apikey revoke", flag.ContinueOnError)
	return storeCmd(ctx, fs, args, 1, stderr, func(st central.Store, _ Config, pos []string) int {
		n, err := st.RevokeAPIKeys(ctx, pos[0])
		if err != nil {
			fmt.Fprintf(stderr, "torn-central apikey revoke: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%d API key(s) called %q revoked\n", n, pos[0])
		return 0
	})
}

func keyCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "generate" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("torn-central key generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := configFlags(fs, "keys")
	pos, err := flags(fs, args[1:])
	if err != nil || len(pos) != 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cfg, err := config()
	if err != nil {
		fmt.Fprintf(stderr, "torn-central: bad config:\n%v\n", err)
		return 2
	}
	keys := &cfg.Keys
	if err := os.MkdirAll(*keys, 0o700); err != nil {
		fmt.Fprintf(stderr, "torn-central key: %v\n", err)
		return 1
	}
	path := filepath.Join(*keys, pos[0]+".key")
	if err := idcard.GenerateKey(path); err != nil {
		fmt.Fprintf(stderr, "torn-central key: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "office key of %s written to %s; central sends it to the office's device\n", pos[0], path)
	return 0
}

func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("torn-central import", flag.ContinueOnError)
	keys := fs.String("keys", "", "the `directory` of the office keys (overrides store.keys_dir; default "+defaultKeys+")")
	return storeCmd(ctx, fs, args, 2, stderr, func(st central.Store, cfg Config, pos []string) int {
		if *keys != "" {
			cfg.Keys = *keys
		}
		office, file := pos[0], pos[1]
		format := bookfile.Format(file)
		if format == "" {
			fmt.Fprintf(stderr, "torn-central import: %s: want a .csv or .json file\n", file)
			return 2
		}
		f, err := os.Open(file)
		if err != nil {
			fmt.Fprintf(stderr, "torn-central import: %v\n", err)
			return 1
		}
		defer f.Close()
		srv := &central.Server{Store: st, Keys: cfg.Keys, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		books, err := srv.ReadBooks(ctx, office, f, format)
		var be *bookfile.Error
		switch {
		case errors.As(err, &be):
			fmt.Fprintf(stderr, "torn-central import %s: %d bad rows, nothing imported:\n", file, len(be.Rows))
			for _, r := range be.Rows {
				fmt.Fprintf(stderr, "  %s\n", r.Error())
			}
			return 1
		case errors.Is(err, central.ErrNotFound):
			fmt.Fprintf(stderr, "torn-central import: no device of office %s has connected yet: central does not know its services\n", office)
			return 1
		case err != nil:
			fmt.Fprintf(stderr, "torn-central import: %v\n", err)
			return 1
		}
		stored, err := st.PutBooks(ctx, office, books)
		if err != nil {
			fmt.Fprintf(stderr, "torn-central import: %v\n", err)
			return 1
		}
		st.Notify(ctx, office)
		for _, b := range stored {
			fmt.Fprintf(stdout, "%s: %d appointments, version %s\n", b.Day, len(b.Appointments), b.Version)
		}
		return 0
	})
}
