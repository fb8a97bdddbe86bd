//go:build !linux

package store

import "testing"

func evictFile(b *testing.B, _ string) { b.Skip("evicting a file from the page cache needs Linux") }
