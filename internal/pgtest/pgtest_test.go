package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

// Two calls get two databases of one server, each empty and writable.
func TestStart(t *testing.T) {
	ctx := context.Background()
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("two calls gave one database: %s", a)
	}
	for _, dsn := range []string{a, b} {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE t (x int); INSERT INTO t VALUES (1)"); err != nil {
			t.Error(err)
		}
		conn.Close(ctx)
	}
}

// A test binary that ends without Main's stop leaves no server nor
// directory behind: the watchdog removes them.
func TestWatchdog(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "1" {
		Start(t)
		fmt.Printf("server %s %d\n", srv.dir, srv.port)
		os.Exit(0)
	}
	Start(t) // skips here, not in the child, without PostgreSQL
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchdog$")
	cmd.Env = append(os.Environ(), "PGTEST_CHILD=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var dir string
	var port int
	if _, err := fmt.Sscanf(string(out), "server %s %d", &dir, &port); err != nil {
		t.Fatalf("child said %q: %v", out, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, statErr := os.Stat(dir)
		conn, dialErr := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if dialErr == nil {
			conn.Close()
		}
		if os.IsNotExist(statErr) && dialErr != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after the child's exit: %s still there (%v) or port %d still open (%v)", dir, statErr, port, dialErr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
