package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"torn.cat/torn/idcard"
	"torn.cat/torn/idcard/idcardtest"
	"torn.cat/torn/printer/printertest"
)

// The documents of the check-in day: the DNI specimen of REFERENCES.md
// (DNI 99999999R on a card whose support number is BAA000589) and ICAO's
// specimen passport (L898902C3), read by the reader; a DNI typed on the
// kiosk; a NIE sent to the API.
var (
	dniMRZ      = []string{"IDESPBAA000589599999999R<<<<<<", "8001014F2501017ESP<<<<<<<<<<<7", "ESPANOLA<ESPANOLA<<CARMEN<<<<<"}
	passportMRZ = []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
)

// clearForms are what must never be found in the store or the logs: the
// numbers in every form they came in, and the names on the documents.
var clearForms = []string{
	"99999999", "BAA000589", "L898902C3", "ZE184226B", "12345678", "12.345.678", "X1234567", "1234567L", "x-1234567",
	"ESPANOLA", "CARMEN", "ERIKSSON", "ANNA<MARIA",
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// checkInOffice is a running tornd with an office key, an appointments
// file, a fake document reader and a printer; its log goes to logs too.
type checkInOffice struct {
	base, db, book string
	key            []byte
	reader         *idcardtest.Reader
	printer        *printertest.Printer
	logs           *syncBuffer
	stop           func()
}

// startCheckInOffice writes the key and a book of today with the
// documents above, at slot (Madrid time), and starts tornd at debug level.
func startCheckInOffice(t *testing.T, slot time.Time) *checkInOffice {
	t.Helper()
	dir := t.TempDir()
	c := &checkInOffice{db: filepath.Join(dir, "torn.db"), book: filepath.Join(dir, "cites.csv"), logs: &syncBuffer{}}
	keyFile := filepath.Join(dir, "office.key")
	if err := idcard.GenerateKey(keyFile); err != nil {
		t.Fatal(err)
	}
	var err error
	if c.key, err = idcard.LoadKey(keyFile); err != nil {
		t.Fatal(err)
	}
	at := slot.Format("2006-01-02 15:04")
	book := "slot;service;document;name\n" +
		at + ";cita;99999999R;Carme E.\n" +
		at + ";cita;L898902C3;Anna E.\n" +
		at + ";cita;12345678Z;Pere P.\n" +
		at + ";cita;X1234567L;Marta M.\n"
	if err := os.WriteFile(c.book, []byte(book), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, fake := printertest.NewTCP(t)
	c.printer = fake
	conf := withPrinter("tcp", addr) + fmt.Sprintf("\n[checkin]\nkey_file = %q\nbook = %q\n", keyFile, c.book)
	cfg, err := ParseConfig("test.toml", []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB, cfg.Listen = c.db, "127.0.0.1:0"
	c.reader = idcardtest.NewReader(t)
	log := slog.New(slog.NewTextHandler(io.MultiWriter(c.logs, testWriter{t}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	d := &Daemon{Config: cfg, Log: log, OpenReader: func() (idcard.Reader, error) { return c.reader, nil }}
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	c.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			if err := d.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	t.Cleanup(c.stop)
	c.base = "http://" + d.Addr().String()
	waitPrinter(t, c.base, true)
	// The book is loaded when the log says so.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.logs.String(), "appointments loaded") {
		if time.Now().After(deadline) {
			t.Fatal("the appointments file was not loaded")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return c
}

// checkInSlot is a slot whose check-in window is open now, today.
func checkInSlot(t *testing.T) time.Time {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(madrid).Truncate(time.Minute)
	slot := now.Add(5 * time.Minute)
	if slot.Day() != now.Day() {
		slot = now.Add(-5 * time.Minute) // within the 10 minutes' grace
	}
	return slot
}

// waitTickets waits until today has n tickets.
func waitTickets(t *testing.T, base string, n int) []apiTicket {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, ts := listTickets(t, base)
		if len(ts) >= n {
			return ts
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d tickets, want %d", len(ts), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func postForm(t *testing.T, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := client.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestCheckInDayLeavesNoNumberInClear checks appointments in every way a
// citizen can (the reader with a DNI and a passport, the kiosk's keypad,
// the API), with a wrong letter and a bad read among them, then searches
// the bbolt file, the logs and the printed bytes for the document numbers
// and names in clear, and finds none, while the hashes are there.
func TestCheckInDayLeavesNoNumberInClear(t *testing.T) {
	slot := checkInSlot(t)
	c := startCheckInOffice(t, slot)

	// The reader: a DNI, a passport, and a DNI whose birth check digit was
	// misread.
	for _, sc := range []idcard.Scan{
		{Lines: dniMRZ},
		{Lines: passportMRZ},
		{Lines: []string{dniMRZ[0], strings.Replace(dniMRZ[1], "8001014", "8001015", 1), dniMRZ[2]}},
	} {
		c.reader.In <- sc
	}
	waitTickets(t, c.base, 2)

	// The kiosk: a wrong letter first, then the number as people type it.
	st, page := postForm(t, c.base+"/kiosk/checkin", url.Values{"number": {"12345678A"}, "lang": {"ca"}})
	if st != http.StatusConflict || !strings.Contains(page, "La lletra no correspon al número") {
		t.Errorf("wrong letter: %d, want 409 and the kiosk saying so:\n%s", st, page)
	}
	st, page = postForm(t, c.base+"/kiosk/checkin", url.Values{"number": {"12.345.678-z"}, "lang": {"es"}})
	wantAt := "Cita a las " + slot.Format("15:04")
	if st != http.StatusOK || !strings.Contains(page, "C00") || !strings.Contains(page, wantAt) {
		t.Errorf("typed DNI: %d, want the ticket and %q:\n%s", st, wantAt, page)
	}
	// The API, with a NIE.
	var a apiTicket
	if st, err := call(c.base, "POST", "/api/checkin", `{"document": "x-1234567-l", "lang": "en"}`, &a); err != nil || st != http.StatusCreated {
		t.Fatalf("API check-in: %d %v", st, err)
	}
	var e apiError
	if st, _ := call(c.base, "POST", "/api/checkin", `{"document": "x-1234567-l"}`, &e); st != http.StatusConflict || e.Code != "checked_in" {
		t.Errorf("second API check-in: %d %+v, want 409 checked_in", st, e)
	}

	ts := waitTickets(t, c.base, 4)
	for _, tk := range ts {
		if tk.Service != "cita" || !strings.HasPrefix(tk.Number, "C") {
			t.Errorf("ticket %+v, want an appointment ticket of cita", tk)
		}
	}
	waitPrinted(t, c.printer, 4)
	printed := c.printer.Bytes()
	if n := strings.Count(string(printed), "Cita a les "+slot.Format("15:04")) + strings.Count(string(printed), "Cita a las "+slot.Format("15:04")) + strings.Count(string(printed), "Appointment at "+slot.Format("15:04")); n != 4 {
		t.Errorf("%d printed tickets say the appointment time %s, want 4", n, slot.Format("15:04"))
	}
	c.stop()

	db, err := os.ReadFile(c.db)
	if err != nil {
		t.Fatal(err)
	}
	logs := c.logs.String()
	// Controls: the search sees what is stored, so finding nothing means
	// something. The file holds the hashes (as bytes) and the tickets.
	h, _ := idcard.NewHasher(c.key)
	for _, n := range []string{"99999999R", "L898902C3", "12345678Z", "X1234567L"} {
		hx, err := h.Hash(n)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := hex.DecodeString(hx)
		if !bytes.Contains(db, raw) {
			t.Errorf("the hash of a checked-in document is not in the store: the search below proves nothing")
		}
	}
	if !bytes.Contains(db, []byte(ts[0].Token)) || !strings.Contains(logs, "checked in") {
		t.Fatal("the store or the log lacks what the test expects: the search below proves nothing")
	}
	for _, s := range clearForms {
		for _, form := range []string{s, strings.ToLower(s)} {
			if i := bytes.Index(db, []byte(form)); i >= 0 {
				t.Errorf("the store holds %q at byte %d", form, i)
			}
			if strings.Contains(logs, form) {
				t.Errorf("the log holds %q", form)
			}
			if bytes.Contains(printed, []byte(form)) {
				t.Errorf("the printed tickets hold %q", form)
			}
		}
	}
	t.Logf("searched %d bytes of store, %d of log, %d printed", len(db), len(logs), len(printed))
}
