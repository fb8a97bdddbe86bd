package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"torn.cat/torn/printer"
)

const printerUsage = `usage:
  tornd printer render [-o FILE.png] [-width DOTS] [FILE]   render ESC/POS bytes (FILE or standard input) to PNG
  tornd printer test [-config FILE] [-lang ca|es|en]       print a test page on the configured printer
`

// maxRenderInput bounds what `tornd printer render` reads.
const maxRenderInput = 64 << 20

func printerCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, printerUsage)
		return 2
	}
	switch args[0] {
	case "render":
		return renderCmd(args[1:], stdin, stdout, stderr)
	case "test":
		return printerTestCmd(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "tornd printer: unknown command %q\n%s", args[0], printerUsage)
	return 2
}

// renderCmd renders any ESC/POS byte stream with the virtual printer. What
// a real printer would not print as written is reported on stderr; the
// image is written all the same.
func renderCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tornd printer render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the PNG to `file` (default standard output)")
	width := fs.Int("width", printer.Width80, "paper width in `dots`: 384 (58 mm), 512, 576 (80 mm)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	in := stdin
	name := "standard input"
	if fs.NArg() > 1 {
		fmt.Fprint(stderr, printerUsage)
		return 2
	}
	if fs.NArg() == 1 {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "tornd printer render: %v\n", err)
			return 1
		}
		defer f.Close()
		in, name = f, fs.Arg(0)
	}
	stream, err := io.ReadAll(io.LimitReader(in, maxRenderInput+1))
	if err != nil {
		fmt.Fprintf(stderr, "tornd printer render: read %s: %v\n", name, err)
		return 1
	}
	if len(stream) > maxRenderInput {
		fmt.Fprintf(stderr, "tornd printer render: %s is over %d MiB\n", name, maxRenderInput>>20)
		return 1
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "tornd printer render: %v\n", err)
			return 1
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	rerr := printer.RenderPNG(stream, bw, *width)
	if err := bw.Flush(); err != nil {
		fmt.Fprintf(stderr, "tornd printer render: write: %v\n", err)
		return 1
	}
	if _, ok := rerr.(*printer.RenderError); ok {
		fmt.Fprintf(stderr, "tornd printer render: a real printer would not print %s as written:\n%v\n", name, rerr)
		return 0
	}
	if rerr != nil {
		fmt.Fprintf(stderr, "tornd printer render: %v\n", rerr)
		return 1
	}
	return 0
}

// printerTestCmd prints the test page on the printer of the config: every
// Catalan character, both QR modes, and the status it read.
func printerTestCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tornd printer test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", defaultConfig, "the office's config `file`")
	lang := fs.String("lang", "ca", "language of the page: ca, es or en")
	out := fs.String("o", "", "with the virtual printer: write the page as PNG to `file`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := LoadConfig(*path)
	if err != nil {
		fmt.Fprintf(stderr, "tornd: bad config:\n%v\n", err)
		return 2
	}
	pc := cfg.Printer
	if pc.Transport == "none" {
		fmt.Fprintf(stderr, "tornd printer test: %s has no printer ([printer] transport)\n", *path)
		return 2
	}
	d := &Daemon{Config: cfg}
	if pc.Transport == "virtual" {
		d.virtual = &printer.Virtual{Width: pc.Width, Status: printer.Status{Online: true}}
	}
	conn, err := d.openPaper()
	if err != nil {
		fmt.Fprintf(stderr, "tornd printer test: open the printer: %v\n", err)
		return 1
	}
	defer conn.out.Close()
	var st *printer.Status
	if conn.query != nil {
		s, err := printer.QueryStatus(conn.query, time.Second)
		if err != nil {
			fmt.Fprintf(stdout, "status: no answer (%v)\n", err)
		} else {
			st = &s
			fmt.Fprintf(stdout, "status: %s (%+v)\n", s, s)
		}
	} else {
		fmt.Fprintln(stdout, "status: one-way transport, not read")
	}
	layout, err := layoutFor(pc)
	if err != nil {
		fmt.Fprintf(stderr, "tornd printer test: %v\n", err)
		return 2
	}
	page, err := layout.TestPage(st, *lang, time.Now().In(cfg.Office.Location))
	if err != nil {
		fmt.Fprintf(stderr, "tornd printer test: lay out the page: %v\n", err)
		return 1
	}
	if _, err := conn.out.Write(page); err != nil {
		fmt.Fprintf(stderr, "tornd printer test: print: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "test page sent: %d bytes, code page %s (ESC t %d)\n", len(page), layout.CodePage.Name, layout.CodePage.Number)
	if d.virtual != nil && *out != "" {
		pngs, err := d.virtual.PNGs()
		if err != nil && len(pngs) == 0 {
			fmt.Fprintf(stderr, "tornd printer test: render: %v\n", err)
			return 1
		}
		if err := os.WriteFile(*out, pngs[len(pngs)-1], 0o644); err != nil {
			fmt.Fprintf(stderr, "tornd printer test: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "rendered to %s\n", *out)
	}
	return 0
}
