// Package sdnotify tells systemd how a service started with Type=notify
// is doing: READY=1 once it serves, WATCHDOG=1 while it is healthy,
// STOPPING=1 as it stops. The messages are datagrams on the unix socket
// that $NOTIFY_SOCKET names (a path, or an abstract name starting with
// @). Without $NOTIFY_SOCKET (not under systemd) nothing is sent.
package sdnotify

import (
	"context"
	"net"
	"os"
	"strconv"
	"time"
)

// A Notifier sends notifications; the nil Notifier sends nothing.
type Notifier struct {
	addr *net.UnixAddr
}

// FromEnv returns the Notifier of $NOTIFY_SOCKET, nil when it is unset.
func FromEnv() *Notifier {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return nil
	}
	if name[0] == '@' {
		name = "\x00" + name[1:] // Linux's abstract namespace
	}
	return &Notifier{addr: &net.UnixAddr{Name: name, Net: "unixgram"}}
}

// Notify sends state, lines such as "READY=1" or "STATUS=serving".
func (n *Notifier) Notify(state string) error {
	if n == nil {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(state))
	return err
}

// WatchdogInterval is the watchdog's timeout that systemd set
// ($WATCHDOG_USEC, for this process when $WATCHDOG_PID says so), or 0
// when there is none.
func WatchdogInterval() time.Duration {
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0
	}
	us, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || us <= 0 {
		return 0
	}
	return time.Duration(us) * time.Microsecond
}

// Watchdog sends WATCHDOG=1 every half of timeout while healthy returns
// nil, until ctx ends. An unhealthy service stops pinging, and systemd
// restarts it when the timeout runs out; healthy says why to the caller's
// log through report, once per change.
func (n *Notifier) Watchdog(ctx context.Context, timeout time.Duration, healthy func() error, report func(error)) {
	if n == nil || timeout <= 0 {
		return
	}
	t := time.NewTicker(timeout / 2)
	defer t.Stop()
	var last error
	for {
		err := healthy()
		if (err == nil) != (last == nil) && report != nil {
			report(err)
		}
		last = err
		if err == nil {
			n.Notify("WATCHDOG=1")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
