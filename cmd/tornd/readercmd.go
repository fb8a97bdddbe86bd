package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"torn.cat/torn/idcard"
)

const readerUsage = `usage:
  tornd reader parse [-config FILE] < mrz.txt
      parse MRZ text or typed DNI/NIE numbers, one document per group of
      lines (a blank line between documents), and print each as JSON;
      with -config, also the hash the office key makes of its number
  tornd reader test [-config FILE] [-n COUNT] [-for DURATION]
      open the configured reader and print what it reads, parsed
  tornd key generate FILE
      write a new office key (never overwrites one)
`

// readResult is one document as `tornd reader parse` and `reader test`
// print it: the fields and checks, whether it would be accepted, and why
// not.
type readResult struct {
	Lines      int              `json:"lines"`
	Document   *idcard.Document `json:"document,omitempty"`
	Identifier string           `json:"identifier,omitempty"`
	Hash       string           `json:"hash,omitempty"`
	Accepted   bool             `json:"accepted"`
	Error      string           `json:"error,omitempty"`
}

func parseScan(sc idcard.Scan, h *idcard.Hasher) readResult {
	res := readResult{Lines: len(sc.Lines)}
	if sc.Err != nil {
		res.Error = sc.Err.Error()
		return res
	}
	doc, err := idcard.Parse(strings.Join(sc.Lines, "\n"))
	res.Document = doc
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Identifier = doc.Identifier()
	res.Accepted = res.Identifier != ""
	if h != nil && res.Identifier != "" {
		if res.Hash, err = h.Hash(res.Identifier); err != nil {
			res.Accepted, res.Error = false, err.Error()
		}
	}
	return res
}

// readerCmd runs `tornd reader parse|test` and `tornd key generate`. The
// output holds document numbers and names: it is for the technician's
// screen, never for a log.
func readerCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, readerUsage)
		return 2
	}
	fs := flag.NewFlagSet("tornd reader "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "the office's config `file`, for its key and reader")
	n := fs.Int("n", 0, "stop after `count` documents (test)")
	dur := fs.Duration("for", 0, "stop after this `duration` (test)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	var cfg Config
	var h *idcard.Hasher
	if *path != "" {
		var err error
		if cfg, err = LoadConfig(*path); err != nil {
			fmt.Fprintf(stderr, "tornd reader: bad config:\n%v\n", err)
			return 2
		}
		if cfg.CheckIn.KeyFile != "" {
			d := &Daemon{Config: cfg}
			if err := d.openHasher(); err != nil {
				// The documents can be read without it; only their hashes
				// cannot be shown.
				fmt.Fprintf(stderr, "tornd reader: no hashes: %v\n", err)
			}
			h = d.hasher.Load()
		}
	}
	enc := json.NewEncoder(stdout)
	switch args[0] {
	case "parse":
		scans, err := idcard.SplitScans(io.LimitReader(stdin, 1<<20))
		if err != nil {
			fmt.Fprintf(stderr, "tornd reader parse: %v\n", err)
			return 1
		}
		rejected := 0
		for _, sc := range scans {
			res := parseScan(sc, h)
			if !res.Accepted {
				rejected++
			}
			enc.Encode(res)
		}
		if rejected > 0 {
			fmt.Fprintf(stderr, "tornd reader parse: %d of %d documents rejected\n", rejected, len(scans))
			return 1
		}
		return 0
	case "test":
		if cfg.Reader.Type == "" || cfg.Reader.Type == "none" {
			fmt.Fprintln(stderr, "tornd reader test: no [reader] in the config (give -config FILE)")
			return 2
		}
		log := slog.New(slog.NewTextHandler(stderr, nil))
		d := &Daemon{Config: cfg, Log: log}
		r, err := d.openReader()
		if err != nil {
			fmt.Fprintf(stderr, "tornd reader test: %v (is tornd running and holding it? stop it first)\n", err)
			return 1
		}
		defer r.Close()
		if *dur > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, *dur)
			defer cancel()
		}
		fmt.Fprintf(stderr, "reading from %s (%s); put a document on the reader, Ctrl-C to stop\n", cfg.Reader.Device, cfg.Reader.Type)
		for count := 0; *n == 0 || count < *n; count++ {
			select {
			case <-ctx.Done():
				return 0
			case sc, ok := <-r.Scans():
				if !ok {
					fmt.Fprintf(stderr, "tornd reader test: the reader stopped: %v\n", r.Err())
					return 1
				}
				res := parseScan(sc, h)
				fmt.Fprintf(stderr, "%s: %d lines\n", time.Now().Format("15:04:05"), res.Lines)
				enc.Encode(res)
			}
		}
		return 0
	}
	fmt.Fprint(stderr, readerUsage)
	return 2
}

// keyCmd: `tornd key generate FILE`.
func keyCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || args[0] != "generate" {
		fmt.Fprint(stderr, "usage: tornd key generate FILE\n")
		return 2
	}
	if err := idcard.GenerateKey(args[1]); err != nil {
		fmt.Fprintf(stderr, "tornd key: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote a new office key to %s (keep it secret; central must hash appointments with the same key)\n", args[1])
	return 0
}
