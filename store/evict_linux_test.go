package store

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// evictFile drops the file's pages from the page cache.
func evictFile(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		b.Fatal(err)
	}
}
