package display

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestSpoken(t *testing.T) {
	for in, want := range map[string]string{"A023": "A, 0 2 3", "PL1000": "P L, 1 0 0 0"} {
		if got := Spoken(in); got != want {
			t.Errorf("Spoken(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChimeIsAWAV(t *testing.T) {
	b := Chime()
	if !bytes.HasPrefix(b, []byte("RIFF")) || string(b[8:16]) != "WAVEfmt " || string(b[36:40]) != "data" {
		t.Fatalf("not a WAV header: % x", b[:44])
	}
	if n := binary.LittleEndian.Uint32(b[40:44]); int(n) != len(b)-44 || n < 22050 {
		t.Fatalf("data size %d for %d bytes", n, len(b))
	}
}

// TestVoiceMakesAndKeepsWAVs runs the real espeak-ng (make test installs
// it) in Catalan and Spanish; a text already spoken is not made again.
func TestVoiceMakesAndKeepsWAVs(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("espeak-ng missing: make test installs it (make voice)")
		}
		t.Skip("espeak-ng missing; `make voice` installs it")
	}
	v := &Voice{Dir: t.TempDir()}
	for _, lang := range []string{"ca", "es"} {
		p, err := v.File(context.Background(), lang, "Torn "+Spoken("A023")+", Taula 3")
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte("RIFF")) || len(b) < 20000 {
			t.Fatalf("%s: %d bytes, %v", lang, len(b), err)
		}
	}
	// Kept: with espeak-ng gone, the same text still plays.
	v.Bin = filepath.Join(t.TempDir(), "no-espeak")
	if _, err := v.File(context.Background(), "ca", "Torn "+Spoken("A023")+", Taula 3"); err != nil {
		t.Fatalf("a spoken text was made again: %v", err)
	}
	if _, err := v.File(context.Background(), "ca", "another text"); err == nil {
		t.Fatal("a missing espeak-ng made a WAV")
	}
	if _, err := v.File(context.Background(), "fr", "bonjour"); err == nil {
		t.Fatal("a language without a voice was spoken")
	}
}
