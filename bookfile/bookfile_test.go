package bookfile_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/bookfile"
	"torn.cat/torn/dispenser"
)

var madrid = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err)
	}
	return loc
}()

// fakeHash stands in for the office key's HMAC: it refuses a number
// ending in "A", as the real one refuses a wrong check letter.
func fakeHash(n string) (string, error) {
	if strings.HasSuffix(n, "A") {
		return "", errors.New("the check letter does not match the number")
	}
	h := sha256.Sum256([]byte(strings.ToUpper(n)))
	return hex.EncodeToString(h[:]), nil
}

func opts() bookfile.Options {
	return bookfile.Options{Hash: fakeHash, Location: madrid, Services: []dispenser.ServiceID{"oac", "policia"}}
}

func TestReadCSV(t *testing.T) {
	h, _ := fakeHash("99999999R")
	files := map[string]string{
		"comma": "slot,service,document,name\n" +
			"2026-11-24 10:30,oac,12345678Z,M. Puig\n" +
			"2026-11-24 09:00,policia,X1234567L,\n" +
			"2026-11-25T08:30:00+01:00,oac,,\n" +
			"\n",
		"semicolon with BOM, hash column, ids": "\ufeffid;slot;service;document_hash\n" +
			"a1;2026-11-24 10:30;oac;" + strings.ToUpper(h) + "\n" +
			"a2;24/11/2026 09:00;policia;" + h + "\n" +
			"a3;2026-11-25 08:30;oac;" + h + "\n",
	}
	for name, f := range files {
		t.Run(name, func(t *testing.T) {
			if name == "comma" {
				f = strings.Replace(f, "oac,,", "oac,99999999R,", 1)
			}
			books, err := bookfile.Read(strings.NewReader(f), "csv", opts())
			if err != nil {
				t.Fatal(err)
			}
			if len(books) != 2 || books[0].Day != "2026-11-24" || books[1].Day != "2026-11-25" {
				t.Fatalf("books %+v, want the 24th and the 25th", books)
			}
			day := books[0].Appointments
			if len(day) != 2 || day[0].Service != "policia" || !day[0].Slot.Equal(time.Date(2026, 11, 24, 9, 0, 0, 0, madrid)) || day[1].Service != "oac" {
				t.Errorf("the 24th: %+v, want policia at 9:00 then oac", day)
			}
			for _, b := range books {
				if b.Version == "" {
					t.Errorf("book of %s has no version", b.Day)
				}
				for _, a := range b.Appointments {
					if !dispenser.IsDocumentHash(a.DocumentHash) || a.ID == "" {
						t.Errorf("appointment %+v: want an id and a hash", a)
					}
					if a.Slot.Location() != time.UTC {
						t.Errorf("slot %v not in UTC", a.Slot)
					}
				}
			}
			if got := books[1].Appointments[0].DocumentHash; got != h {
				t.Errorf("99999999R hashed to %s, want %s", got, h)
			}
		})
	}
}

// TestReadStableIDs: a file read twice gives the same ids, so that a
// reload does not make checked-in appointments look new.
func TestReadStableIDs(t *testing.T) {
	f := "slot,service,document\n2026-11-24 10:30,oac,12345678Z\n2026-11-24 10:30,policia,12345678Z\n"
	a, err := bookfile.Read(strings.NewReader(f), "csv", opts())
	if err != nil {
		t.Fatal(err)
	}
	b, err := bookfile.Read(strings.NewReader(f+"2026-11-24 11:00,oac,99999999R\n"), "csv", opts())
	if err != nil {
		t.Fatal(err)
	}
	if a[0].Appointments[0].ID != b[0].Appointments[0].ID || a[0].Appointments[1].ID != b[0].Appointments[1].ID {
		t.Errorf("ids changed between reads: %+v / %+v", a[0].Appointments, b[0].Appointments)
	}
	if a[0].Version == b[0].Version {
		t.Error("two different files have the same version")
	}
}

// TestReadBadRows: every bad row is reported with its line and column,
// nothing is returned, and no document number appears in the error.
func TestReadBadRows(t *testing.T) {
	f := "slot,service,document,document_hash,name\n" + // 1
		"2026-11-24 10:30,oac,12345678Z,,ok\n" + // 2
		"2026-11-24 25:30,oac,12345670A,,\n" + // 3: bad time, bad letter
		",oac,12345678Z,,\n" + // 4: no slot
		"2026-11-24 10:30,padro,12345678Z,,\n" + // 5: unknown service
		"2026-11-24 11:30,oac,,,\n" + // 6: no document
		"2026-11-24 11:30,oac,,12345678Z,\n" + // 7: a number in the hash column
		"2026-11-24 11:30,oac,Y7654321G,abcd,\n" + // 8: both
		"2026-11-24 10:30,oac,12345678Z,,again\n" + // 9: same as row 2
		"2026-11-24 12:00,oac,\"unclosed\n" // 10: broken quoting
	_, err := bookfile.Read(strings.NewReader(f), "csv", opts())
	var be *bookfile.Error
	if !errors.As(err, &be) {
		t.Fatalf("%v, want a *bookfile.Error", err)
	}
	want := []string{
		`row 3: slot: "2026-11-24 25:30": want`,
		"row 3: document: the check letter does not match the number",
		"row 4: slot: empty",
		`row 5: service: unknown service "padro"`,
		"row 6: document: empty",
		"row 7: document_hash: not 64 hex digits",
		"row 8: document: give document or document_hash, not both",
		"row 9: id: the same appointment as row 2",
		"row 10: ",
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not say %q:\n%s", w, msg)
		}
	}
	for _, n := range []string{"12345678Z", "12345670A", "Y7654321G"} {
		if strings.Contains(msg, n) {
			t.Errorf("error carries document number %s:\n%s", n, msg)
		}
	}
}

func TestReadCSVHeader(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"", "row 1: the file is empty"},
		{"slot,service\n", "row 1: document: missing column"},
		{"slot,document,room\n", "row 1: room: unknown column"},
		{"slot,slot,service,document\n", "row 1: slot: column given twice"},
	} {
		_, err := bookfile.Read(strings.NewReader(tt.file), "csv", opts())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.file, err, tt.want)
		}
	}
	o := opts()
	o.Hash = nil
	_, err := bookfile.Read(strings.NewReader("slot,service,document\n2026-11-24 10:30,oac,12345678Z\n"), "csv", o)
	if err == nil || !strings.Contains(err.Error(), "numbers in clear are not taken here") {
		t.Errorf("clear number without a key: %v", err)
	}
}

func TestReadJSON(t *testing.T) {
	h, _ := fakeHash("X1234567L")
	f := `{"version": "central-17", "appointments": [
		{"id": "c1", "slot": "2026-11-24T10:30:00+01:00", "service": "oac", "document": "12345678Z", "name": "M. Puig"},
		{"id": "c2", "slot": "2026-11-24 09:15", "service": "policia", "document_hash": "` + h + `"}
	]}`
	books, err := bookfile.Read(strings.NewReader(f), "json", opts())
	if err != nil {
		t.Fatal(err)
	}
	if len(books) != 1 || books[0].Version != "central-17" || len(books[0].Appointments) != 2 || books[0].Appointments[0].ID != "c2" || books[0].Appointments[1].Name != "M. Puig" {
		t.Errorf("books %+v", books)
	}
	for _, bad := range []struct{ file, want string }{
		{`{"appointments": [{"slot": "2026-11-24 10:30", "service": "oac", "dni": "12345678Z"}]}`, "unknown field"},
		{`[1, 2]`, "not an appointments JSON document"},
		{`{"appointments": [{"slot": "2026-11-24 10:30", "service": "oac"}]}`, "row 1: document: empty"},
	} {
		_, err := bookfile.Read(strings.NewReader(bad.file), "json", opts())
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v, want %q", bad.file, err, bad.want)
		}
		if err != nil && strings.Contains(err.Error(), "12345678Z") {
			t.Errorf("error carries the number: %v", err)
		}
	}
}

func TestReadLimits(t *testing.T) {
	if _, err := bookfile.Read(strings.NewReader(strings.Repeat("x", bookfile.MaxSize+1)), "csv", opts()); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversize file: %v", err)
	}
	if _, err := bookfile.Read(strings.NewReader("{}"), "xml", opts()); err == nil {
		t.Error("unknown format accepted")
	}
	if got := bookfile.Format("cites.CSV") + bookfile.Format("application/json; charset=utf-8") + bookfile.Format("a.txt"); got != "csvjson" {
		t.Errorf("Format: %q", got)
	}
}
