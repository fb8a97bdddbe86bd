package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/printer"
)

// TestPrinterRender: `tornd printer render` turns a ticket's bytes into a
// PNG whose QR code reads back; bytes that are not ESC/POS still give an
// image, and the problems on stderr.
func TestPrinterRender(t *testing.T) {
	dir := t.TempDir()
	cp, err := printer.CodePageFor("epson", "pc858")
	if err != nil {
		t.Fatal(err)
	}
	b, err := printer.Layout{Width: printer.Width58, CodePage: cp, NativeQR: true, Cut: true}.Ticket(printer.Ticket{
		Lang: "ca", Office: "OAC", Number: "A001", Service: "Padró", URL: trackingURL + "tok", Issued: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "ticket.bin")
	os.WriteFile(in, b, 0o600)
	out := filepath.Join(dir, "ticket.png")
	var stdout, stderr bytes.Buffer
	if code := cli(context.Background(), []string{"printer", "render", "-width", "384", "-o", out, in}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w != printer.Width58 {
		t.Errorf("image %d dots wide, want 384", w)
	}

	os.WriteFile(in, []byte("\x1b\x99garbage\x1d(k\xff"), 0o600)
	stderr.Reset()
	if code := cli(context.Background(), []string{"printer", "render", "-o", out, in}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "would not print") {
		t.Errorf("garbage: exit %d, stderr %q", code, stderr.String())
	}
	if code := cli(context.Background(), []string{"printer", "render", filepath.Join(dir, "missing.bin")}, &stdout, &stderr); code != 1 {
		t.Errorf("missing file: exit %d", code)
	}
}

// TestPrinterTestPage: `tornd printer test` on the virtual printer reads
// its status and prints the test page.
func TestPrinterTestPage(t *testing.T) {
	cfg := writeConfig(t, withPrinter("virtual", ""))
	out := filepath.Join(t.TempDir(), "test.png")
	var stdout, stderr bytes.Buffer
	if code := cli(context.Background(), []string{"printer", "test", "-config", cfg, "-o", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"status: ready", "code page pc858 (ESC t 19)", "rendered to"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("no test page image: %v", err)
	}
	if code := cli(context.Background(), []string{"printer", "test", "-config", writeConfig(t, alwaysOpen)}, &stdout, &stderr); code != 2 {
		t.Errorf("a config without a printer: exit %d", code)
	}
}
