//go:build unix

package store

import (
	"os"
	"syscall"
	"testing"
)

// assertUnlocked fails the test if some open file still holds the lock
// bbolt takes on path.
func assertUnlocked(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Errorf("%s is still locked after the failed open: %v", path, err)
	}
}
