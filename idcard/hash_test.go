package idcard_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/idcard"
)

func testHasher(t *testing.T, fill byte) *idcard.Hasher {
	t.Helper()
	key := make([]byte, idcard.KeySize)
	for i := range key {
		key[i] = fill
	}
	h, err := idcard.NewHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestHashSamePersonSameHash: however a number is written, the same
// person gets the same hash; another key gives another one.
func TestHashSamePersonSameHash(t *testing.T) {
	h := testHasher(t, 7)
	groups := [][]string{
		{"12345678Z", "12.345.678-z", " 12345678 z ", "12345678-Z"},
		{"01234567L", "1234567L", "1.234.567-l"},
		{"X1234567L", "x-1234567-l", "X 1234567 L"},
		{"AB1234567", "ab 123 4567", "AB1234567<"},
	}
	seen := map[string]string{}
	for _, g := range groups {
		want, err := h.Hash(g[0])
		if err != nil {
			t.Fatalf("%s: %v", g[0], err)
		}
		if !dispenser.IsDocumentHash(want) {
			t.Fatalf("hash %q is not what the dispenser takes", want)
		}
		if other, dup := seen[want]; dup {
			t.Errorf("%s and %s hash the same", g[0], other)
		}
		seen[want] = g[0]
		for _, n := range g[1:] {
			if got, err := h.Hash(n); err != nil || got != want {
				t.Errorf("%q: %s, %v; want the hash of %s", n, got, err, g[0])
			}
		}
	}
	a, _ := h.Hash("12345678Z")
	b, _ := testHasher(t, 8).Hash("12345678Z")
	if a == b {
		t.Error("two keys give the same hash")
	}
}

// TestHashRefusesBadNumbers: a wrong DNI letter is refused, not hashed,
// and no error quotes the number.
func TestHashRefusesBadNumbers(t *testing.T) {
	h := testHasher(t, 7)
	for _, tt := range []struct {
		n    string
		want error
	}{
		{"12345678A", idcard.ErrCheckDigit},
		{"X1234567A", idcard.ErrCheckDigit},
		{"", idcard.ErrFormat},
		{"AB", idcard.ErrFormat},
		{"123456789012345678901", idcard.ErrFormat},
		{"1234/5678Z", idcard.ErrFormat},
		{"12345678Ñ", idcard.ErrFormat},
	} {
		got, err := h.Hash(tt.n)
		if !errors.Is(err, tt.want) || got != "" {
			t.Errorf("%q: %q, %v; want %v", tt.n, got, err, tt.want)
			continue
		}
		if tt.n != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.n)) {
			t.Errorf("%q: error %q quotes it", tt.n, err)
		}
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "office.key")
	if err := idcard.GenerateKey(path); err != nil {
		t.Fatal(err)
	}
	key, err := idcard.LoadKey(path)
	if err != nil || len(key) != idcard.KeySize {
		t.Fatalf("load: %d bytes, %v", len(key), err)
	}
	if err := idcard.GenerateKey(path); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("second generate: %v, want refused", err)
	}
	if again, _ := idcard.LoadKey(path); string(again) != string(key) {
		t.Error("the key changed")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := idcard.LoadKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key: %v, want refused", err)
	}
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("abcd\n"), 0o600)
	if _, err := idcard.LoadKey(short); err == nil {
		t.Error("short key accepted")
	}
	if _, err := idcard.NewHasher(make([]byte, 8)); err == nil {
		t.Error("8-byte key accepted")
	}
}
