package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"torn.cat/torn/idcard"
)

// decodeResults reads the JSON objects tornd reader prints, one per line.
func decodeResults(t *testing.T, out string) []readResult {
	t.Helper()
	var rs []readResult
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r readResult
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("output is not JSON objects: %v\n%s", err, out)
		}
		rs = append(rs, r)
	}
	return rs
}

// TestReaderParse: `tornd reader parse` prints one JSON object per
// document on standard input: the fields, every check, the identifier
// that check-in matches (the DNI number, not the card's support number),
// and the hash when the config has a key; a broken read is printed with
// its failed check and the exit code says so.
func TestReaderParse(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "office.key")
	if err := idcard.GenerateKey(key); err != nil {
		t.Fatal(err)
	}
	conf := writeConfig(t, alwaysOpen+fmt.Sprintf("\n[checkin]\nkey_file = %q\n", key))
	in := strings.Join(dniMRZ, "\n") + "\n\n" +
		strings.Join(passportMRZ, "\r\n") + "\r\n\n" +
		"12.345.678-z\n\n" +
		dniMRZ[0] + "\n" + strings.Replace(dniMRZ[1], "F2501017", "F2501018", 1) + "\n" + dniMRZ[2] + "\n"
	var stdout, stderr bytes.Buffer
	code := readerCmd(context.Background(), []string{"parse", "-config", conf}, strings.NewReader(in), &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "1 of 4 documents rejected") {
		t.Errorf("exit %d, stderr %q; want 1 and the count of rejections", code, stderr.String())
	}
	rs := decodeResults(t, stdout.String())
	if len(rs) != 4 {
		t.Fatalf("%d results, want 4:\n%s", len(rs), stdout.String())
	}
	key32, _ := idcard.LoadKey(key)
	h, _ := idcard.NewHasher(key32)
	for i, want := range []struct {
		format     idcard.Format
		identifier string
	}{{idcard.TD1, "99999999R"}, {idcard.TD3, "L898902C3"}, {idcard.Typed, "12345678Z"}} {
		r := rs[i]
		hash, _ := h.Hash(want.identifier)
		if !r.Accepted || r.Document == nil || r.Document.Format != want.format || r.Identifier != want.identifier || r.Hash != hash || r.Error != "" {
			t.Errorf("document %d: %+v, want a %s with identifier %s and its hash", i+1, r, want.format, want.identifier)
			continue
		}
		for _, c := range r.Document.Checks {
			if !c.OK {
				t.Errorf("document %d: check %+v failed", i+1, c)
			}
		}
	}
	if rs[0].Document.Number != "BAA000589" {
		t.Errorf("the DNI's document number %q, want the support number BAA000589", rs[0].Document.Number)
	}
	bad := rs[3]
	failed := 0
	for _, c := range bad.Document.Checks {
		if !c.OK {
			failed++
			if c.Name != "expiry" && c.Name != "composite" {
				t.Errorf("check %s failed, want only expiry and composite", c.Name)
			}
		}
	}
	if bad.Accepted || failed == 0 || bad.Hash != "" || !strings.Contains(bad.Error, "expiry") {
		t.Errorf("broken read: %+v, want rejected with the expiry check named and no hash", bad)
	}

	// Without a config: no hash; usage errors.
	stdout.Reset()
	if code := readerCmd(context.Background(), []string{"parse"}, strings.NewReader("X1234567L\n"), &stdout, &stderr); code != 0 {
		t.Errorf("typed NIE: exit %d", code)
	}
	if rs := decodeResults(t, stdout.String()); len(rs) != 1 || rs[0].Hash != "" || rs[0].Identifier != "X1234567L" {
		t.Errorf("typed NIE without a key: %+v", rs)
	}
	if code := readerCmd(context.Background(), []string{"frobnicate"}, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Errorf("unknown subcommand: exit %d, want 2", code)
	}
}

func TestKeyGenerate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "office.key")
	var out, errb bytes.Buffer
	if code := keyCmd([]string{"generate", path}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if _, err := idcard.LoadKey(path); err != nil {
		t.Fatal(err)
	}
	if code := keyCmd([]string{"generate", path}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "never overwritten") {
		t.Errorf("second generate: exit %d, %q", code, errb.String())
	}
}

// TestCheckChecksKeyAndBook: tornd check reads the office key and the
// appointments file, and names every bad row.
func TestCheckChecksKeyAndBook(t *testing.T) {
	dir := t.TempDir()
	key, book := filepath.Join(dir, "office.key"), filepath.Join(dir, "cites.csv")
	conf := writeConfig(t, alwaysOpen+fmt.Sprintf("\n[checkin]\nkey_file = %q\nbook = %q\n", key, book))
	var out, errb bytes.Buffer
	if code := checkCmd([]string{conf}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "tornd key generate") {
		t.Errorf("no key: exit %d, %q", code, errb.String())
	}
	if err := idcard.GenerateKey(key); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(book, []byte("slot,service,document\n2026-11-26 10:00,cita,12345678Z\n2026-11-26 10:30,casaments,12345678A\n"), 0o600)
	errb.Reset()
	if code := checkCmd([]string{conf}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `row 3: service: unknown service "casaments"`) || !strings.Contains(errb.String(), "row 3: document:") || strings.Contains(errb.String(), "12345678") {
		t.Errorf("bad book: exit %d, %q", code, errb.String())
	}
	os.WriteFile(book, []byte("slot,service,document\n2026-11-26 10:00,cita,12345678Z\n"), 0o600)
	out.Reset()
	if code := checkCmd([]string{conf}, &out, &errb); code != 0 || !strings.Contains(out.String(), "1 appointments") {
		t.Errorf("good book: exit %d, %q", code, out.String())
	}
}
