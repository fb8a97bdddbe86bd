//go:build unix

package pgtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// An account is the user that runs the binaries when the tests run as
// root; nil runs them as the tests' own user.
type account struct {
	name     string
	uid, gid uint32
}

// rootless returns the account to run PostgreSQL as: nil unless the tests
// run as root, else postgres, else nobody.
func rootless() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		return &account{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and neither user postgres nor nobody exists to run initdb (which refuses root)")
}

// apply makes cmd run as a.
func (a *account) apply(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	if a != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid}
	}
}

// start makes a cluster and starts its server.
func start() (*server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	who, err := rootless()
	if err != nil {
		return nil, err
	}
	// Under /tmp whatever TMPDIR says: the socket's path must stay within
	// the 107 bytes of a unix socket address.
	dir, err := os.MkdirTemp("/tmp", "torn-pg-")
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	s := &server{bin: bin, dir: dir, data: filepath.Join(dir, "data"), user: who}
	if err := s.init(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start PostgreSQL from %s: %w", bin, err)
	}
	// A free port may be taken between asking and binding: try another.
	for attempt := 1; ; attempt++ {
		if err = s.startOnFreePort(); err == nil {
			break
		}
		if attempt == 3 {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("start PostgreSQL from %s: %w", bin, err)
		}
	}
	if err := s.watch(); err != nil {
		s.stop()
		return nil, fmt.Errorf("start PostgreSQL from %s: %w", bin, err)
	}
	return s, nil
}

// init runs initdb with the settings of a throw-away cluster.
func (s *server) init() error {
	if s.user != nil {
		if err := os.Chown(s.dir, int(s.user.uid), int(s.user.gid)); err != nil {
			return fmt.Errorf("give %s to user %s: %w", s.dir, s.user.name, err)
		}
	}
	err := s.run("initdb", "-D", s.data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	if err != nil {
		return err
	}
	conf := fmt.Sprintf(`
# pgtest: a throw-away cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
`, s.dir)
	f, err := os.OpenFile(filepath.Join(s.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	_, err = f.WriteString(conf)
	if err1 := f.Close(); err == nil {
		err = err1
	}
	if err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	return nil
}

// startOnFreePort starts the server on a port free a moment ago.
func (s *server) startOnFreePort() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("find a free port: %w", err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	err = s.run("pg_ctl", "start", "-D", s.data, "-l", filepath.Join(s.dir, "log"),
		"-w", "-t", "60", "-o", "-p "+strconv.Itoa(s.port))
	if err != nil {
		return fmt.Errorf("%w%s", err, s.logTail())
	}
	return s.waitReady(30 * time.Second)
}

// watch starts the watchdog: a shell that stops the server and removes
// its directory once this process has gone, however it ends.
func (s *server) watch() error {
	const script = `while [ -d /proc/$0 ]; do sleep 1; done
"$1" stop -D "$2" -m immediate >/dev/null 2>&1
rm -rf "$3"`
	cmd := exec.Command("/bin/sh", "-c", script, strconv.Itoa(os.Getpid()),
		filepath.Join(s.bin, "pg_ctl"), s.data, s.dir)
	cmd.Dir = s.dir
	s.user.apply(cmd)
	// Its own process group: signals to the tests' group leave it alone.
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the watchdog: %w", err)
	}
	s.watchdog = cmd
	return nil
}

// stop stops the server and removes its directory.
func (s *server) stop() error {
	if s.watchdog != nil {
		syscall.Kill(-s.watchdog.Process.Pid, syscall.SIGKILL)
		s.watchdog.Wait()
	}
	err := s.run("pg_ctl", "stop", "-D", s.data, "-m", "fast", "-w")
	if err1 := os.RemoveAll(s.dir); err == nil && err1 != nil {
		err = err1
	}
	if err != nil {
		return fmt.Errorf("stop PostgreSQL: %w", err)
	}
	return nil
}
