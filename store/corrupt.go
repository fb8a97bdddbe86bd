package store

import (
	"errors"
	"fmt"
	"runtime/debug"

	"go.etcd.io/bbolt"
)

// Errors that callers test with errors.Is.
var (
	// ErrCorrupt: the file is not a Torn database, or it is damaged. The
	// error says what was found; the file needs restoring or replacing.
	ErrCorrupt = errors.New("corrupted or not a Torn database")
	// ErrLocked: another process (another tornd, most likely) has the file
	// open and Open gave up waiting after Options.Timeout.
	ErrLocked = errors.New("locked by another process")
)

// corrupt returns an error wrapping ErrCorrupt with what was found.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// guarded runs fn, which reads or writes the file through bbolt, and turns a
// panic into an error wrapping ErrCorrupt. bbolt trusts the pages it reads:
// on a damaged page it panics on one of its assertions, indexes out of
// range, or touches memory past the end of a truncated file, which the
// runtime raises as a panic only because guarded sets debug.SetPanicOnFault
// for the duration of fn.
func guarded(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = corrupt("bbolt failed reading it: %v", r)
		}
	}()
	return fn()
}

// view and update are db.View and db.Update, guarded. bbolt rolls the
// transaction back when fn panics, so the store stays usable after an error.
func (s *Store) view(fn func(*bbolt.Tx) error) error {
	return guarded(func() error { return s.db.View(fn) })
}

func (s *Store) update(fn func(*bbolt.Tx) error) error {
	return guarded(func() error { return s.db.Update(fn) })
}
