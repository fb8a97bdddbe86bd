package display

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Voice speaks the calls with espeak-ng, on the Pi, without the internet:
// each text is made into a WAV once and kept in Dir.
type Voice struct {
	// Bin is espeak-ng's path. Default "espeak-ng" on the PATH.
	Bin string
	// Dir keeps the spoken texts. Required.
	Dir string

	mu sync.Mutex // one espeak-ng at a time: a Pi has few cores
}

// espeakVoices maps the office's languages to espeak-ng's voices.
var espeakVoices = map[string]string{"ca": "ca", "es": "es", "en": "en"}

// Available reports whether espeak-ng can be run.
func (v *Voice) Available() error {
	_, err := exec.LookPath(v.bin())
	return err
}

func (v *Voice) bin() string {
	if v.Bin != "" {
		return v.Bin
	}
	return "espeak-ng"
}

// File returns the WAV of text spoken in lang, making it the first time.
func (v *Voice) File(ctx context.Context, lang, text string) (string, error) {
	voice, ok := espeakVoices[lang]
	if !ok {
		return "", fmt.Errorf("voice: no voice for language %q", lang)
	}
	sum := sha256.Sum256([]byte(voice + "\x00" + text))
	path := filepath.Join(v.Dir, hex.EncodeToString(sum[:12])+".wav")
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(v.Dir, 0o755); err != nil {
		return "", fmt.Errorf("voice: %w", err)
	}
	tmp := path + ".tmp"
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, v.bin(), "-v", voice, "-s", "150", "-w", tmp, "--", text).CombinedOutput()
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("voice: espeak-ng -v %s: %v: %s", voice, err, bytes.TrimSpace(out))
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("voice: %w", err)
	}
	return path, nil
}

// Spoken is how a number is said: the letters, then each digit apart, so
// that "A023" is "A, 0 2 3" and no voice reads it as "twenty-three".
func Spoken(number string) string {
	var letters, digits []string
	for _, r := range number {
		if r >= '0' && r <= '9' {
			digits = append(digits, string(r))
		} else {
			letters = append(letters, string(r))
		}
	}
	return strings.Join(letters, " ") + ", " + strings.Join(digits, " ")
}

// Chime returns a two-note chime as a WAV (16-bit mono, 22,050 Hz), made
// here so that there is no sound file to ship.
func Chime() []byte {
	const rate = 22050
	notes := []struct {
		hz  float64
		dur float64
	}{{880, 0.35}, {659.25, 0.6}}
	var pcm []int16
	for _, n := range notes {
		samples := int(n.dur * rate)
		for i := range samples {
			t := float64(i) / rate
			env := math.Exp(-4 * t / n.dur) // a bell's decay
			pcm = append(pcm, int16(12000*env*math.Sin(2*math.Pi*n.hz*t)))
		}
	}
	var b bytes.Buffer
	data := len(pcm) * 2
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+data))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v) // a bytes.Buffer takes every write
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(data))
	binary.Write(&b, binary.LittleEndian, pcm)
	return b.Bytes()
}
