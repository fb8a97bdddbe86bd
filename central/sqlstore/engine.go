package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
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
}

func (e *sqliteEngine) write(ctx context.Context, fn func(q querier) error) error {
	return sqlTx(ctx, e.db, nil, fn)
}

func (e *sqliteEngine) read(ctx context.Context, fn func(q querier) error) error {
	return sqlTx(ctx, e.rdb, &sql.TxOptions{ReadOnly: true}, fn)
}

func (e *sqliteEngine) view(ctx context.Context, fn func(q querier) error) error {
	return fn(sqlQuerier{e.rdb})
}

func (e *sqliteEngine) close() error {
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
