package main

import (
	"fmt"
	"image"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"torn.cat/torn/printer"
	"torn.cat/torn/printer/printertest"
)

const trackingURL = "https://torn.example.cat/t/"

func withPrinter(transport, device string) string {
	return alwaysOpen + fmt.Sprintf(`
[tracking]
url = %q

[printer]
transport = %q
device = %q
baud = 9600
status_interval = "100ms"
footer = { ca = "Gràcies · Vil·la", es = "Gracias" }
`, trackingURL, transport, device)
}

// TestPaperOutMidDay runs tornd with a printer behind a pseudo-terminal
// (a serial printer at 9600 baud) and behind a loopback TCP 9100 server:
// tickets are printed once each, with a QR code that opens the ticket's
// page; paper out takes the dispenser out of service (tickets refused with
// out_of_service, a kiosk's on-screen ticket still issued and not printed)
// and back when the paper returns, with nothing lost.
func TestPaperOutMidDay(t *testing.T) {
	for _, tc := range []struct {
		name string
		fake func(t *testing.T) (transport, device string, p *printertest.Printer)
	}{
		{"serial pty", func(t *testing.T) (string, string, *printertest.Printer) {
			path, p := printertest.NewPTY(t)
			return "serial", path, p
		}},
		{"tcp 9100", func(t *testing.T) (string, string, *printertest.Printer) {
			addr, p := printertest.NewTCP(t)
			return "tcp", addr, p
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			transport, device, fake := tc.fake(t)
			_, base := startDaemonWith(t, filepath.Join(t.TempDir(), "torn.db"), withPrinter(transport, device))
			waitPrinter(t, base, true)

			issue := func(body string, want int) apiTicket {
				t.Helper()
				var tk apiTicket
				var e apiError
				st, err := call(base, "POST", "/api/tickets", body, &tk)
				if st != want {
					call(base, "POST", "/api/tickets", body, &e)
					t.Fatalf("issue %s: %d %v %+v, want %d", body, st, err, e, want)
				}
				return tk
			}
			var printed []apiTicket
			printed = append(printed, issue(`{"service":"oac"}`, 201), issue(`{"service":"padro","lang":"es"}`, 201))
			waitPrinted(t, fake, len(printed))

			fake.SetStatus(printer.Status{Online: true, PaperOut: true})
			waitPrinter(t, base, false)
			var e apiError
			if st, _ := call(base, "POST", "/api/tickets", `{"service":"oac"}`, &e); st != 409 || e.Code != "out_of_service" || !strings.Contains(e.Error, "paper out") {
				t.Fatalf("issue with the paper out: %d %+v", st, e)
			}
			onScreen := issue(`{"service":"oac","no_paper":true}`, 201)
			if m := getText(t, base+"/metrics"); !strings.Contains(m, "torn_printer_ready 0\n") || !strings.Contains(m, `torn_printer_problem{reason="paper out"} 1`) {
				t.Errorf("metrics with the paper out:\n%s", m)
			}

			fake.SetStatus(printer.Status{Online: true})
			waitPrinter(t, base, true)
			printed = append(printed, issue(`{"service":"oac","lang":"en"}`, 201))
			waitPrinted(t, fake, len(printed))

			// Each printable ticket on paper once, the on-screen one not at all.
			got := printedURLs(t, fake.Bytes())
			for _, tk := range printed {
				if n := got[trackingURL+tk.Token]; n != 1 {
					t.Errorf("ticket %s printed %d times", tk.Number, n)
				}
			}
			if n := got[trackingURL+onScreen.Token]; n != 0 {
				t.Errorf("the on-screen ticket %s was printed %d times", onScreen.Number, n)
			}
			if len(got) != len(printed) {
				t.Errorf("printed %d tickets, want %d: %v", len(got), len(printed), got)
			}
			_, all := listTickets(t, base)
			if len(all) != 4 {
				t.Errorf("%d tickets in the queue, want the 4 issued", len(all))
			}

			// A reprint is the explicit way to print a ticket again.
			if st, err := call(base, "POST", "/api/tickets/"+printed[0].ID+"/reprint", "", nil); st != 200 || err != nil {
				t.Fatalf("reprint: %d %v", st, err)
			}
			waitPrinted(t, fake, len(printed)+1)
			if n := printedURLs(t, fake.Bytes())[trackingURL+printed[0].Token]; n != 2 {
				t.Errorf("after a reprint, ticket %s on paper %d times, want 2", printed[0].Number, n)
			}
			if st, _ := call(base, "POST", "/api/tickets/nope/reprint", "", nil); st != 404 {
				t.Errorf("reprint of an unknown ticket: %d", st)
			}
		})
	}
}

// waitPrinter waits until /healthz says the printer is ready (or not).
func waitPrinter(t *testing.T, base string, ready bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var h struct {
			Printer struct {
				Ready  bool   `json:"ready"`
				Reason string `json:"reason"`
			} `json:"printer"`
		}
		if st, err := call(base, "GET", "/healthz", "", &h); err == nil && st == 200 && h.Printer.Ready == ready {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("printer never became ready=%v: %+v", ready, h.Printer)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitPrinted waits until the fake printer has received n cut tickets.
func waitPrinted(t *testing.T, fake *printertest.Printer, n int) {
	t.Helper()
	cut := []byte{0x1d, 0x56, 0x42}
	deadline := time.Now().Add(15 * time.Second)
	for strings.Count(string(fake.Bytes()), string(cut)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the printer received %d tickets in 15 s, want %d", strings.Count(string(fake.Bytes()), string(cut)), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// printedURLs renders the bytes a printer received with the virtual
// printer and decodes the QR code of every page: URL → times printed.
func printedURLs(t *testing.T, stream []byte) map[string]int {
	t.Helper()
	pages, err := (&printer.Virtual{}).Render(stream)
	if _, ok := err.(*printer.RenderError); err != nil && !ok {
		t.Fatal(err)
	} else if err != nil {
		t.Errorf("the printed bytes are not all printable: %v", err)
	}
	out := map[string]int{}
	for i, pg := range pages {
		if isBlank(pg) {
			continue
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(pg)
		if err != nil {
			t.Fatal(err)
		}
		res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
		if err != nil {
			t.Errorf("page %d: no QR code read: %v", i, err)
			continue
		}
		out[res.GetText()]++
	}
	return out
}

func isBlank(g *image.Gray) bool {
	for _, p := range g.Pix {
		if p < 128 {
			return false
		}
	}
	return true
}

func getText(t *testing.T, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
