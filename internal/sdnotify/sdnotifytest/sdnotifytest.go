// Package sdnotifytest is a fake systemd for the notify protocol's tests.
package sdnotifytest

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

// Listen is a fake systemd: a datagram socket that NOTIFY_SOCKET names
// for the rest of the test. Its messages arrive on the channel.
func Listen(t testing.TB, name string) <-chan string {
	t.Helper()
	addr := name
	if addr == "" {
		addr = filepath.Join(t.TempDir(), "notify")
	}
	sock := addr
	if addr[0] == '@' {
		sock = "\x00" + addr[1:]
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	t.Setenv("NOTIFY_SOCKET", addr)
	out := make(chan string, 100)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			out <- string(buf[:n])
		}
	}()
	return out
}

// Receive returns the next notification, failing t after 5 s without.
func Receive(t testing.TB, ch <-chan string) string {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no notification in 5 s")
		return ""
	}
}
