package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Options tune Open.
type Options struct {
	// NoSync turns fsync off: for tests and benchmark set-up only. Default false.
	NoSync bool
	// Timeout is how long Open waits for another process's lock on the file. Default 1s.
	Timeout time.Duration
}

// A Store is an open database file. Its methods are safe for concurrent
// use; bbolt runs one writing transaction at a time.
type Store struct {
	db   *bbolt.DB
	path string
	// last is the events bucket's sequence as of the last commit.
	last atomic.Uint64
}

// Open opens the database at path, creating it (mode 0600) if there is no
// file. It locks the file against other processes, waiting up to
// opts.Timeout, and checks that it is a whole Torn database of a schema
// version this code knows. Errors name the file and wrap ErrLocked or
// ErrCorrupt when that is the problem.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	s, err := open(path, opts)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

func open(path string, opts Options) (*Store, error) {
	if err := precheck(path, opts.Timeout); err != nil {
		return nil, err
	}
	db, err := openBolt(path, &bbolt.Options{Timeout: opts.Timeout, NoSync: opts.NoSync})
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path}
	var last uint64
	var fresh, old bool
	err = s.view(func(tx *bbolt.Tx) error {
		var err error
		last, fresh, old, err = checkSchema(tx)
		return err
	})
	switch {
	case err == nil && fresh:
		err = s.update(initSchema)
	case err == nil && old:
		err = s.update(migrate)
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	s.last.Store(last)
	return s, nil
}

// precheck opens an existing file read-only and checks that it is a whole
// bbolt file before it is opened for writing: bbolt checks the checksums of
// its meta pages, and here the pages they count must be inside the file.
// Opening for writing reads the free-page list, which in a file cut short (an
// interrupted copy, a full disk) lies past the end.
func precheck(path string, timeout time.Duration) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	case fi.Size() == 0:
		return nil // bbolt writes a new database into an empty file
	}
	db, err := openBolt(path, &bbolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return err
	}
	defer db.Close()
	return guarded(func() error {
		return db.View(func(tx *bbolt.Tx) error {
			if need := tx.Size(); need > fi.Size() {
				return corrupt("truncated: the file has %d bytes, its pages need %d", fi.Size(), need)
			}
			return nil
		})
	})
}

// openBolt is bbolt.Open with bbolt's errors turned into the store's.
func openBolt(path string, o *bbolt.Options) (*bbolt.DB, error) {
	// Keep the file: if bbolt panics half-way through Open it leaves it
	// open and locked, and mapped in memory (a leak this cannot undo: the
	// mapping is bbolt's, and a process that cannot open its store exits).
	var f *os.File
	o.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		var err error
		f, err = os.OpenFile(name, flag, perm)
		return f, err
	}
	var db *bbolt.DB
	err := guarded(func() error {
		var err error
		db, err = bbolt.Open(path, 0o600, o)
		return err
	})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, ErrCorrupt):
		if f != nil {
			unlock(f)
			_ = f.Close()
		}
		return nil, err
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w (waited %v)", ErrLocked, o.Timeout)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	case strings.HasPrefix(err.Error(), "file size too small"):
		// bbolt's error, without a sentinel, for a file shorter than its
		// two meta pages.
		return nil, fmt.Errorf("%w: truncated: %w", ErrCorrupt, err)
	}
	return nil, err
}

// Close closes the file and releases its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

// Path is the file's path as given to Open.
func (s *Store) Path() string { return s.path }

// LastSeq is the highest sequence number ever handed out (0 for a new store).
func (s *Store) LastSeq() uint64 { return s.last.Load() }
