package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgEngine is PostgreSQL through pgx, on a pool of connections. (pgx's
// own pool, pgxpool, and its database/sql driver, which uses it, need a
// module go.mod does not hold: github.com/jackc/puddle/v2.)
type pgEngine struct {
	pool    *pgPool
	rebound sync.Map // query with ? → with $n
}

func (e *pgEngine) write(ctx context.Context, fn func(q querier) error) error {
	return e.tx(ctx, pgx.TxOptions{}, fn)
}

func (e *pgEngine) read(ctx context.Context, fn func(q querier) error) error {
	return e.tx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func (e *pgEngine) view(ctx context.Context, fn func(q querier) error) error {
	c, err := e.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer e.pool.release(c)
	return fn(pgQuerier{c, e})
}

func (e *pgEngine) tx(ctx context.Context, opts pgx.TxOptions, fn func(q querier) error) error {
	c, err := e.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer e.pool.release(c)
	tx, err := c.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(pgQuerier{tx, e}); err != nil {
		tx.Rollback(ctx)
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (e *pgEngine) close() error {
	e.pool.close()
	return nil
}

// bind returns query with $n placeholders.
func (e *pgEngine) bind(query string) string {
	if r, ok := e.rebound.Load(query); ok {
		return r.(string)
	}
	r := rebind(query)
	e.rebound.Store(query, r)
	return r
}

// pgQuerier is a pgx connection or transaction as a querier.
type pgQuerier struct {
	q interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}
	e *pgEngine
}

func (p pgQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := p.q.Exec(ctx, p.e.bind(query), args...)
	return tag.RowsAffected(), err
}

func (p pgQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	return p.q.Query(ctx, p.e.bind(query), args...)
}

func (p pgQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return p.q.QueryRow(ctx, p.e.bind(query), args...)
}

// pgPool holds up to max connections to one database, reusing the idle
// ones. A connection that broke, or is left in a transaction, is closed
// instead of reused; one idle for longer than idlePing is pinged before
// it is reused, so that a server's restart costs no failed call.
type pgPool struct {
	cfg  *pgx.ConnConfig
	slot chan struct{} // a token per connection in use
	max  int           // idle connections kept

	mu     sync.Mutex
	idle   []idleConn
	closed bool
}

type idleConn struct {
	c     *pgx.Conn
	since time.Time
}

const idlePing = time.Second

var errPoolClosed = errors.New("the store is closed")

func newPGPool(cfg *pgx.ConnConfig, open, idle int) *pgPool {
	return &pgPool{cfg: cfg, slot: make(chan struct{}, open), max: idle}
}

// acquire returns a connection, waiting for one to be free if max are in
// use.
func (p *pgPool) acquire(ctx context.Context) (*pgx.Conn, error) {
	select {
	case p.slot <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			<-p.slot
			return nil, errPoolClosed
		}
		if len(p.idle) == 0 {
			p.mu.Unlock()
			break
		}
		ic := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		p.mu.Unlock()
		if time.Since(ic.since) > idlePing && ic.c.Ping(ctx) != nil {
			closeConn(ic.c)
			continue
		}
		if !ic.c.IsClosed() {
			return ic.c, nil
		}
	}
	c, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		<-p.slot
		return nil, fmt.Errorf("connect: %w", err)
	}
	return c, nil
}

// release gives c back.
func (p *pgPool) release(c *pgx.Conn) {
	defer func() { <-p.slot }()
	p.mu.Lock()
	if !p.closed && !c.IsClosed() && c.PgConn().TxStatus() == 'I' && len(p.idle) < p.max {
		p.idle = append(p.idle, idleConn{c, time.Now()})
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	closeConn(c)
}

// close closes the idle connections, and those in use as they come back.
func (p *pgPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, ic := range idle {
		closeConn(ic.c)
	}
}

func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.Close(ctx)
}
