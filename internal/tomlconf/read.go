package tomlconf

import (
	"fmt"
	"io"
	"os"
)

// MaxSize bounds a config file: a technician's file is a few kilobytes,
// and a mistake (a log written over it) must not eat the memory.
const MaxSize = 1 << 20

// ReadFile reads the config file at path, refusing one larger than
// MaxSize.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("config %s: larger than %d bytes", path, MaxSize)
	}
	return b, nil
}

// Syntax says whether the file could not be parsed at all: its one
// problem is then the syntax error, and nothing else is known.
func (f *File) Syntax() bool { return f.fatal }
