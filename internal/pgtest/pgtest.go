package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// errNoBinaries: PostgreSQL is not installed here.
var errNoBinaries = errors.New("no PostgreSQL binaries (initdb, pg_ctl)")

var (
	mu      sync.Mutex
	srv     *server
	srvErr  error
	started bool
)

// Start returns the DSN of a new, empty database on the test binary's
// server, which it starts at the first call; the database is dropped when
// t ends. Without PostgreSQL binaries it skips t, or fails it when
// CI=true.
func Start(t testing.TB) string {
	t.Helper()
	s, err := get()
	if errors.Is(err, errNoBinaries) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: %v: the PostgreSQL tests must run in CI (`make postgres` installs Debian's postgresql)", err)
		}
		t.Skipf("pgtest: %v; `make postgres` installs Debian's postgresql", err)
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	dsn, name, err := s.createDB()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.dropDB(name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return dsn
}

// Main runs the tests of m and stops the server, if they started it,
// before exiting with their status:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	mu.Lock()
	s := srv
	mu.Unlock()
	if s != nil {
		if err := s.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// get starts the server at the first call and returns it.
func get() (*server, error) {
	mu.Lock()
	defer mu.Unlock()
	if !started {
		started = true
		srv, srvErr = start()
	}
	return srv, srvErr
}

// A server is a running throw-away cluster.
type server struct {
	bin  string // the directory of initdb, pg_ctl and postgres
	dir  string // everything of the cluster: data, log, socket
	data string
	port int
	n    atomic.Int64 // databases made

	// user runs the binaries when the tests run as root.
	user     *account
	watchdog *exec.Cmd
}

// findBinaries returns the directory of the newest PostgreSQL's binaries:
// POSTGRES_BIN, else Debian's /usr/lib/postgresql/<version>/bin, else
// the one of pg_ctl in PATH.
func findBinaries() (string, error) {
	has := func(dir string) bool {
		for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				return false
			}
		}
		return true
	}
	if dir := os.Getenv("POSTGRES_BIN"); dir != "" {
		if !has(dir) {
			return "", fmt.Errorf("%w in POSTGRES_BIN=%s", errNoBinaries, dir)
		}
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Newest first: 15 before 9.6, by number, not by text.
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, dir := range dirs {
		if has(dir) {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if p, err = filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	return "", fmt.Errorf("%w in /usr/lib/postgresql/*/bin or PATH", errNoBinaries)
}

// command is the binary name of the cluster with args, run as the
// cluster's user in its directory, without the caller's PG* settings.
func (s *server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	s.user.apply(cmd)
	return cmd
}

// run runs the binary name with args and returns its output in the error.
func (s *server) run(name string, args ...string) error {
	out, err := s.command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// logTail is the end of the server's log, for errors.
func (s *server) logTail() string {
	b, err := os.ReadFile(filepath.Join(s.dir, "log"))
	if err != nil {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\nserver log:\n" + string(b)
}

// admin returns a connection to the server's postgres database.
func (s *server) admin(ctx context.Context) (*pgx.Conn, error) {
	return pgx.Connect(ctx, s.dsn("postgres"))
}

func (s *server) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// createDB makes a new database and returns its DSN and name.
func (s *server) createDB() (dsn, name string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name = fmt.Sprintf("test_%d", s.n.Add(1))
	conn, err := s.admin(ctx)
	if err != nil {
		return "", "", fmt.Errorf("create database %s: %w%s", name, err, s.logTail())
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", "", fmt.Errorf("create database %s: %w", name, err)
	}
	return s.dsn(name), name, nil
}

// dropDB drops database name, closing its connections.
func (s *server) dropDB(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := s.admin(ctx)
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// waitReady waits until the server accepts connections.
func (s *server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := s.admin(ctx)
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server on port %d not ready after %v: %w%s", s.port, timeout, err, s.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
