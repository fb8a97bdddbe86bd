package idcard

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// KeySize is the size of an office key: 32 random bytes, stored as 64
// hexadecimal digits.
const KeySize = 32

// hashDomain separates these hashes from any other use of the key.
const hashDomain = "torn document v1\x00"

// A Hasher turns document numbers into the office's keyed hashes
// (HMAC-SHA-256 with the office key): what appointments are booked under,
// what check-in matches, what the store keeps and central receives. The
// same number gives the same hash under the same key however it was
// written ("12.345.678-z", "12345678Z"); without the key, a hash tells
// nothing, not even by trying every DNI number.
type Hasher struct{ key []byte }

// NewHasher returns the Hasher of key, KeySize bytes at least.
func NewHasher(key []byte) (*Hasher, error) {
	if len(key) < KeySize {
		return nil, fmt.Errorf("office key of %d bytes: want %d at least", len(key), KeySize)
	}
	return &Hasher{key: append([]byte(nil), key...)}, nil
}

// Hash returns the keyed hash of a document's identifier, 64 lower-case
// hexadecimal digits. A DNI or NIE is checked (its letter) and written the
// canonical way first; any other number (a passport's) is upper-cased,
// with spaces, dashes, dots and fillers dropped. Errors wrap ErrFormat or
// ErrCheckDigit and quote nothing of the number, so they may be logged and
// shown.
func (h *Hasher) Hash(number string) (string, error) {
	id, err := Normalize(number)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(hashDomain))
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// Normalize returns the form of a document number that is hashed: a DNI
// or NIE in its canonical form ("01234567L", "X1234567L") with its letter
// checked, or any other number of 3 to 20 letters and digits, upper-cased.
// Errors quote nothing of the number.
func Normalize(number string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(number) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ', r == '-', r == '.', r == '<', r == '\t':
		default:
			return "", fmt.Errorf("%w: a document number has letters and digits only", ErrFormat)
		}
	}
	s := b.String()
	if looksNational(s) {
		id, err := ParseNationalID(s)
		if err != nil {
			if errors.Is(err, ErrCheckDigit) {
				return "", fmt.Errorf("%w: the DNI or NIE letter does not match the number", ErrCheckDigit)
			}
			return "", fmt.Errorf("%w: not a valid DNI or NIE number", ErrFormat)
		}
		return id.Number, nil
	}
	if len(s) < 3 || len(s) > 20 {
		return "", fmt.Errorf("%w: a document number has 3 to 20 letters and digits", ErrFormat)
	}
	return s, nil
}

// looksNational reports whether s is shaped like a DNI (up to 8 digits
// and a letter) or a NIE (X, Y or Z, up to 7 digits and a letter), so that
// its letter must be checked rather than the whole taken as a passport
// number.
func looksNational(s string) bool {
	if len(s) < 2 {
		return false
	}
	body, last := s[:len(s)-1], s[len(s)-1]
	if last < 'A' || last > 'Z' {
		return false
	}
	if body[0] == 'X' || body[0] == 'Y' || body[0] == 'Z' {
		body = body[1:]
		if len(body) > 7 {
			return false
		}
	} else if len(body) > 8 {
		return false
	}
	if len(body) < 6 {
		return false
	}
	for i := 0; i < len(body); i++ {
		if body[i] < '0' || body[i] > '9' {
			return false
		}
	}
	return true
}

// LoadKey reads an office key file: 64 hexadecimal digits, a final newline
// allowed. It refuses a file that others than its owner may read.
func LoadKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("office key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("office key %s: mode %v lets others read it: chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("office key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < KeySize {
		return nil, fmt.Errorf("office key %s: want %d hexadecimal digits", path, 2*KeySize)
	}
	return key, nil
}

// GenerateKey writes a new random office key to path, readable by its
// owner only. It never overwrites a key: appointments booked under the old
// one would no longer match.
func GenerateKey(path string) error {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("office key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("office key %s exists: it is never overwritten (appointments booked under it would stop matching); remove it first if you mean it", path)
	}
	if err != nil {
		return fmt.Errorf("office key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("office key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("office key %s: %w", path, err)
	}
	return nil
}
