package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"torn.cat/torn/bookfile"
	"torn.cat/torn/idcard"
	"torn.cat/torn/internal/journal"
	"torn.cat/torn/internal/version"
)

const defaultConfig = "/etc/torn/tornd.toml"

const usage = `usage:
  tornd [run] [-config FILE] [-db FILE] [-listen ADDR] [-simulate]
                                                         run the office
  tornd check [FILE]                                     check a config file
  tornd printer render|test ...                          render ESC/POS to PNG, print a test page
  tornd clerk hash < password                            the hash of a clerk's password
  tornd reader parse|test ...                            parse MRZ text, test the document reader
  tornd key generate FILE                                make an office key for check-in
  tornd buttons test [-config FILE] [-for DURATION]      test the panel's buttons, LEDs and desk displays
  tornd status [-addr ADDR] [-config FILE]               a running tornd's queue, devices and sync (exit 1 on trouble)
  tornd version                                          print the version
`

// cli runs tornd with args and returns the exit code: 0 on success, 1 when
// running failed, 2 for bad usage or a bad config.
func cli(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runCmd(ctx, args, stderr)
	case "check":
		return checkCmd(args, stdout, stderr)
	case "printer":
		return printerCmd(args, os.Stdin, stdout, stderr)
	case "clerk":
		return clerkCmd(args, os.Stdin, stdout, stderr)
	case "reader":
		return readerCmd(ctx, args, os.Stdin, stdout, stderr)
	case "key":
		return keyCmd(args, stdout, stderr)
	case "buttons":
		return buttonsCmd(ctx, args, stdout, stderr)
	case "status":
		return statusCmd(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "tornd", version.String())
		return 0
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "tornd: unknown command %q\n%s", cmd, usage)
	return 2
}

func runCmd(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("tornd run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", defaultConfig, "the office's config `file`")
	db := fs.String("db", "", "the store's `file` (overrides store.path)")
	listen := fs.String("listen", "", "the HTTP `address` (overrides server.listen)")
	debugLog := fs.Bool("debug", false, "log debug lines")
	simulate := fs.Bool("simulate", false, "simulate citizens and clerks (for the demo)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// SIGHUP rereads the config; caught from the start, so that one
	// sent while tornd boots does not kill it.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	level := slog.LevelInfo
	if *debugLog {
		level = slog.LevelDebug
	}
	// Under systemd each line carries its priority for the journal.
	log := slog.New(journal.NewHandler(stderr, &slog.HandlerOptions{Level: level}, journal.Attached()))
	// The flags win over the file, on a reload too.
	load := func() (Config, error) {
		cfg, err := LoadConfig(*path)
		if *db != "" {
			cfg.DB = *db
		}
		if *listen != "" {
			cfg.Listen = *listen
		}
		return cfg, err
	}
	cfg, err := load()
	if err != nil {
		fmt.Fprintf(stderr, "tornd: bad config:\n%v\n", err)
		return 2
	}
	d := &Daemon{Config: cfg, Log: log}
	if err := d.Open(); err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	defer d.Close()
	if *simulate {
		log.Info("simulating citizens and clerks")
		go Simulation{Log: log}.Run(ctx, d.Office())
	}
	go d.reloadOn(ctx, hup, *path, load)
	if err := d.Run(ctx); err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

func checkCmd(args []string, stdout, stderr io.Writer) int {
	path := defaultConfig
	if len(args) > 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if len(args) == 1 {
		path = args[0]
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	// Files, not hardware: the office key and the appointments.
	if cfg.CheckIn.KeyFile != "" {
		d := &Daemon{Config: cfg}
		if err := d.openHasher(); err != nil {
			fmt.Fprintf(stderr, "%s: checkin.key_file: %v\n", path, err)
			return 2
		}
		if cfg.CheckIn.Book != "" {
			n, err := checkBook(cfg, d.hasher.Load())
			if err != nil {
				fmt.Fprintf(stderr, "%s: checkin.book %s: %v\n", path, cfg.CheckIn.Book, err)
				return 2
			}
			fmt.Fprintf(stdout, "%s: %d appointments\n", cfg.CheckIn.Book, n)
		}
	}
	fmt.Fprintf(stdout, "%s: ok: office %s, %d services, %d desks\n", path, cfg.Office.Office, len(cfg.Office.Services), len(cfg.Office.Desks))
	return 0
}

// checkBook reads the appointments file as the daemon would and counts
// its appointments.
func checkBook(cfg Config, h *idcard.Hasher) (int, error) {
	f, err := os.Open(cfg.CheckIn.Book)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	opts := bookfile.Options{Hash: h.Hash, Location: cfg.Office.Location}
	for _, s := range cfg.Office.Services {
		opts.Services = append(opts.Services, s.ID)
	}
	books, err := bookfile.Read(f, bookfile.Format(cfg.CheckIn.Book), opts)
	n := 0
	for _, b := range books {
		n += len(b.Appointments)
	}
	return n, err
}
