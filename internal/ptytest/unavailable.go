package ptytest

import (
	"os"
	"testing"
)

// Unavailable ends a test that needs a pseudo-terminal where the fakes have
// none (they are written for Linux): it fails in CI (CI=true), where a
// missing part must be loud, and skips on a developer's laptop. pkg names
// the fakes package in the message.
func Unavailable(t testing.TB, pkg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: pseudo-terminals are faked on Linux only, and CI must run the serial tests", pkg)
	}
	t.Skipf("%s: pseudo-terminals are faked on Linux only", pkg)
}
