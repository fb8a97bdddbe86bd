// Package pgtest runs a throw-away PostgreSQL server for tests: Debian's
// binaries (/usr/lib/postgresql/<version>/bin, the newest installed, or
// the directory POSTGRES_BIN names), a cluster made by initdb in a
// directory under /tmp, listening on 127.0.0.1 on a free port, with
// fsync off. Each call of Start gets a database of its own on the one
// server of the test binary.
//
// A test that cannot find the binaries fails when CI=true and skips
// elsewhere; `make postgres` installs Debian's postgresql.
//
// initdb and the server refuse to run as root. When the tests run as root
// (containers, CI), pgtest runs them as the user postgres (which Debian's
// package creates), or nobody if there is none, and gives that user the
// cluster's directory.
//
// The server stops when Main's tests end. A watchdog process stops it and
// removes its directory within a second of the test binary's exit, however
// it ends (a panic, a timeout's kill, a test binary without Main).
//
// It needs PostgreSQL 13 or later (DROP DATABASE … WITH (FORCE)), and
// never touches a cluster of the machine's own (Debian's "main").
package pgtest
