//go:build unix

package store

import (
	"os"
	"syscall"
)

// unlock releases the flock bbolt took on f. Closing f is not enough after
// bbolt panicked half-way through Open: its memory mapping of the file keeps
// the open file, and with it the lock, alive.
func unlock(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
