package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// A querier runs the store's queries, which are written once, with ?
// placeholders: a transaction or a connection of either engine.
type querier interface {
	// exec runs a statement and returns the number of rows it changed.
	exec(ctx context.Context, query string, args ...any) (int64, error)
	query(ctx context.Context, query string, args ...any) (rows, error)
	// queryRow's Scan returns an error matching sql.ErrNoRows when there
	// is no row.
	queryRow(ctx context.Context, query string, args ...any) row
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Close()
	Err() error
}

type row interface {
	Scan(dest ...any) error
}

// An engine runs functions on its database.
type engine interface {
	// write runs fn in a read-write transaction and commits it if fn
	// returns nil.
	write(ctx context.Context, fn func(q querier) error) error
	// read runs fn in a read-only transaction that sees one state of the
	// database throughout.
	read(ctx context.Context, fn func(q querier) error) error
	// view runs fn's statements each on its own, for single reads.
	view(ctx context.Context, fn func(q querier) error) error
	close() error
}

// sqliteEngine is SQLite through database/sql: writes through a pool of
// one connection, reads through a pool of their own (the same pool for a
// database in memory).
type sqliteEngine struct {
	db, rdb *sql.DB
	// stmts are the writer's statements, prepared once on its one
	// connection: preparing each statement anew cost the group committer
	// a sixth of its time.
	stmts stmtCache
}

func (e *sqliteEngine) write(ctx context.Context, fn func(q querier) error) error {
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	q := txQuerier{tx: tx, stmts: &e.stmts, missed: new([]string)}
	if err := fn(q); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	// The one connection is free again: prepare what this transaction
	// missed, for the next ones. (Preparing on the pool during the
	// transaction would wait for the connection the transaction holds.)
	e.stmts.prepare(ctx, e.db, *q.missed)
	return nil
}

// maxStmts bounds the cache: statements with VALUES lists of every
// length would otherwise pile up.
const maxStmts = 512

// stmtCache holds prepared statements by query.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// get returns query's cached statement, or nil.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// prepare prepares queries on db and caches them, while there is room.
// It does not hold the lock while it prepares: preparing waits for the one
// connection, which a transaction may hold while it looks a statement up.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, queries []string) {
	for _, query := range queries {
		c.mu.Lock()
		skip := c.m[query] != nil || len(c.m) >= maxStmts
		c.mu.Unlock()
		if skip {
			continue
		}
		st, err := db.PrepareContext(ctx, query)
		if err != nil {
			continue // it is prepared in its transaction next time too
		}
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		if c.m[query] != nil { // prepared meanwhile by another writer
			st.Close()
		} else {
			c.m[query] = st
		}
		c.mu.Unlock()
	}
}

// txQuerier runs a write transaction's statements, the cached ones
// prepared already; it notes the others, to be prepared after the commit.
type txQuerier struct {
	tx     *sql.Tx
	stmts  *stmtCache
	missed *[]string
}

// stmt returns query as a statement of the transaction; done releases it.
func (q txQuerier) stmt(ctx context.Context, query string) (*sql.Stmt, func(), error) {
	if st := q.stmts.get(query); st != nil {
		ts := q.tx.StmtContext(ctx, st)
		return ts, func() { ts.Close() }, nil
	}
	*q.missed = append(*q.missed, query)
	ts, err := q.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	return ts, func() { ts.Close() }, nil
}

func (q txQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	st, done, err := q.stmt(ctx, query)
	if err != nil {
		return 0, err
	}
	defer done()
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q txQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	st, done, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	r, err := st.QueryContext(ctx, args...)
	if err != nil {
		done()
		return nil, err
	}
	return closingRows{sqlRows{r}, done}, nil
}

func (q txQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	st, done, err := q.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return closingRow{st.QueryRowContext(ctx, args...), done}
}

// closingRows releases its statement when closed.
type closingRows struct {
	sqlRows
	done func()
}

func (r closingRows) Close() {
	r.sqlRows.Close()
	r.done()
}

// closingRow releases its statement once scanned.
type closingRow struct {
	r    *sql.Row
	done func()
}

func (r closingRow) Scan(dest ...any) error {
	defer r.done()
	return r.r.Scan(dest...)
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (e *sqliteEngine) read(ctx context.Context, fn func(q querier) error) error {
	return sqlTx(ctx, e.rdb, &sql.TxOptions{ReadOnly: true}, fn)
}

func (e *sqliteEngine) view(ctx context.Context, fn func(q querier) error) error {
	return fn(sqlQuerier{e.rdb})
}

func (e *sqliteEngine) close() error {
	e.stmts.mu.Lock()
	for _, st := range e.stmts.m {
		st.Close()
	}
	e.stmts.m = nil
	e.stmts.mu.Unlock()
	err := e.db.Close()
	if e.rdb != e.db {
		if err1 := e.rdb.Close(); err == nil {
			err = err1
		}
	}
	return err
}

func sqlTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(q querier) error) error {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(sqlQuerier{tx}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sqlQuerier is a *sql.DB or *sql.Tx as a querier.
type sqlQuerier struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
}

func (s sqlQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s sqlQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (s sqlQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return s.q.QueryRowContext(ctx, query, args...)
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// rebind replaces each ? of query with $1, $2…: the queries hold no ?
// but placeholders.
func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + len(query)/4)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// values returns "(?, ?, …), (?, …)…": rows rows of cols placeholders.
func values(rows, cols int) string {
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	var b strings.Builder
	b.Grow(rows * (len(row) + 2))
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}
