package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // driver "sqlite"
	"torn.cat/torn/central"
)

var _ central.Store = (*Store)(nil)

// Store is central's store on SQLite or PostgreSQL. Its methods are safe
// for concurrent use.
type Store struct {
	// Logger receives what Listen does not return: the PostgreSQL
	// listener's lost connections. Default slog.Default(). Set it before
	// calling Listen.
	Logger *slog.Logger

	e  engine
	pg bool
	// what names the database in errors (never a password).
	what string
	// listen is the PostgreSQL listener's connection config.
	listen *pgx.ConnConfig
	// hub carries notifications within the process, on SQLite.
	hub hub

	closeOnce sync.Once
	closed    chan struct{}
	// ingests go to the committer (group.go).
	ingests chan ingestReq
	// locs caches the offices' time zones (facts.go).
	locs locations
}

// OpenSQLite opens, creating it if need be, the SQLite database at path
// (":memory:" for one in memory), in WAL mode with foreign keys on and
// full sync, and migrates its schema. Writes go through one connection,
// so concurrent writers wait for each other instead of failing busy;
// reads have a pool of their own.
func OpenSQLite(path string) (*Store, error) {
	s, err := openSQLite(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

func openSQLite(path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, errors.New("want :memory: or a file name without ? or #")
	}
	const pragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	mem := path == ":memory:"
	dsn := path + "?" + pragmas + "&_txlock=immediate"
	if !mem {
		dsn += "&_pragma=journal_mode(WAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// One writer: SQLite takes one at a time anyway, and a writer
	// waiting in the pool never sees SQLITE_BUSY. A database in memory
	// lives in its connection: that one connection must stay open.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	e := &sqliteEngine{db: db, rdb: db}
	if !mem {
		// The writer makes the file WAL before any reader opens it.
		if err := db.Ping(); err != nil {
			db.Close()
			return nil, err
		}
		rdb, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)")
		if err != nil {
			db.Close()
			return nil, err
		}
		n := max(4, runtime.GOMAXPROCS(0))
		rdb.SetMaxOpenConns(n)
		rdb.SetMaxIdleConns(n)
		e.rdb = rdb
	}
	s := &Store{e: e, what: path, closed: make(chan struct{}), ingests: make(chan ingestReq)}
	if err := s.migrate(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	go s.committer() // SQLite has one writer: one committer
	return s, nil
}

// pgCommitters is how many group commits run at once on PostgreSQL.
const pgCommitters = 8

// OpenPostgres connects to the PostgreSQL database dsn (a URL or
// key=value settings, as pgx takes them) and migrates its schema. Several
// Stores, in several processes, may share one database. It keeps up to
// 16 connections, and one more for each Listen.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message leaves the password out; the DSN may hold one.
		return nil, fmt.Errorf("open store on PostgreSQL: %w", err)
	}
	what := fmt.Sprintf("postgres %s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	s, err := openPostgres(ctx, cfg, what)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", what, err)
	}
	return s, nil
}

func openPostgres(ctx context.Context, cfg *pgx.ConnConfig, what string) (*Store, error) {
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "torn-central"
	}
	listen := cfg.Copy()
	listen.RuntimeParams["application_name"] = cfg.RuntimeParams["application_name"] + " listener"
	e := &pgEngine{pool: newPGPool(cfg, 16, 8)}
	s := &Store{e: e, pg: true, what: what, listen: listen, closed: make(chan struct{}), ingests: make(chan ingestReq)}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// PostgreSQL takes writers side by side: a few committers, each
	// locking its group's offices in the same order.
	for range pgCommitters {
		go s.committer()
	}
	return s, nil
}

// Close closes the database and ends the Listen calls.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		if err = s.e.close(); err != nil {
			err = fmt.Errorf("close store %s: %w", s.what, err)
		}
	})
	return err
}

// timeFormat is RFC 3339 in UTC with a fixed six-digit fraction: SQLite's
// times sort as text.
const timeFormat = "2006-01-02T15:04:05.000000Z07:00"

// stored is t as the store keeps it: UTC, to the microsecond.
func stored(t time.Time) time.Time {
	return t.Round(0).UTC().Truncate(time.Microsecond)
}

// tv is t as a query argument: NULL for the zero time.
func (s *Store) tv(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if s.pg {
		return stored(t)
	}
	return stored(t).Format(timeFormat)
}

// scanTime scans a time column (timestamptz, or SQLite's text) into *t,
// in UTC; NULL is the zero time.
type scanTime struct{ t *time.Time }

func (st scanTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*st.t = time.Time{}
	case time.Time:
		*st.t = v.UTC()
	case string:
		return st.parse(v)
	case []byte:
		return st.parse(string(v))
	default:
		return fmt.Errorf("time column holds a %T", src)
	}
	return nil
}

func (st scanTime) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("time column: %w", err)
	}
	*st.t = t.UTC()
	return nil
}

// seqArg is seq as a query argument: columns are signed 64-bit.
func seqArg(seq uint64) (int64, error) {
	if seq > 1<<63-1 {
		return 0, fmt.Errorf("sequence %d beyond 2^63-1", seq)
	}
	return int64(seq), nil
}

// notFound wraps central.ErrNotFound with what was looked for.
func notFound(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), central.ErrNotFound)
}
