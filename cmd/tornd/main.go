// Command tornd is the queue daemon of a citizen-service office: it issues
// turns, runs the desks' calls and serves the office's LAN, offline.
//
//	tornd [run] [-config FILE] [-db FILE] [-listen ADDR]
//	tornd check [FILE]
//	tornd printer render [-o FILE.png] [FILE]
//	tornd printer test [-config FILE]
//	tornd version
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the office's time zone even where the system has no zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	os.Exit(cli(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
