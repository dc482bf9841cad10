// Package postgres is the production store on PostgreSQL through a pgx connection pool. Writes
// that decide seats or owners lock the org row (SELECT … FOR UPDATE), so any number of
// instances sharing one database keep the invariants.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jackc/puddle/v2"

	"github.com/rollcall/rollcall/store/sqlstore"
)

// DefaultConnectTimeout bounds each connection attempt, per host, when the database URL sets no
// connect_timeout: a host that is down without refusing (a crashed machine) would otherwise hold
// every new connection, and the next host of a multi-host URL, until TCP gives up.
const DefaultConnectTimeout = 5 * time.Second

// Options tune the Postgres store.
type Options struct {
	Logger *slog.Logger
	// MaxConns caps the connection pool; 0 means DefaultMaxConns. A pool_max_conns parameter in
	// the URL wins over both.
	MaxConns int
	// MigrateURL, when set, is where migrations run instead of url: a direct connection to
	// Postgres when url goes through PgBouncer in transaction pooling mode, whose pooled server
	// connections cannot keep the session advisory lock that serializes migrations.
	MigrateURL string
}

// DefaultMaxConns sizes the pool from the machine: four connections per CPU the process may
// use, at least four. A request holds a connection only for its short transactions, so this
// keeps the CPUs busy while Postgres waits on the disk without queueing inside Postgres.
func DefaultMaxConns() int { return max(4, 4*runtime.GOMAXPROCS(0)) }

// Open connects to the database at url with the default options and returns a store.
func Open(ctx context.Context, url string, logger *slog.Logger) (*sqlstore.DB, error) {
	return OpenWith(ctx, url, Options{Logger: logger})
}

// OpenWith connects to the database at url and returns a store.
func OpenWith(ctx context.Context, url string, o Options) (*sqlstore.DB, error) {
	pool, err := openPool(ctx, url, o.MaxConns)
	if err != nil {
		return nil, err
	}
	migrations := pool
	if o.MigrateURL != "" {
		if migrations, err = openPool(ctx, o.MigrateURL, 2); err != nil {
			pool.Close()
			return nil, fmt.Errorf("migrate url: %w", err)
		}
	}
	return onPools(pool, migrations, o.Logger)
}

func openPool(ctx context.Context, url string, maxConns int) (*pgxpool.Pool, error) {
	cfg, err := poolConfig(url, maxConns)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return pool, nil
}

// onPools builds the store on pool and its migrator on migrations (which may be the same pool),
// closing both on failure and with the store.
func onPools(pool, migrations *pgxpool.Pool, logger *slog.Logger) (*sqlstore.DB, error) {
	d := &driver{pool: pool}
	if migrations != pool {
		d.extra = migrations
	}
	m, err := sqlstore.NewMigrator(stdlib.OpenDBFromPool(migrations), "postgres", logger)
	if err != nil {
		d.Close()
		return nil, err
	}
	return sqlstore.New(d, m), nil
}

// poolConfig parses url and applies the pool size, the connect timeout (DefaultConnectTimeout)
// and the query exec mode, each unless the URL sets it (pool_max_conns, connect_timeout,
// default_query_exec_mode).
//
// The exec mode is pgx's QueryExecModeExec rather than its default, which prepares a named
// server-side statement per query on each connection. Postgres plans a named statement for its
// parameters five times and may then switch to one generic plan for good; on a hot path whose
// best index depends on the values (the uniqueness pre-check of a 100k-user org) a long-lived
// connection then keeps a plan chosen once, from the statistics of that moment, and never
// recovers until restarted. Exec runs every query as an unnamed statement: parameters stay bound
// (no SQL text interpolation), Postgres plans each execution for its actual values, and no
// session holds a prepared statement, which is also what PgBouncer's transaction pooling needs.
// (CacheDescribe would save the describe round trip, but measured slower here.)
func poolConfig(url string, maxConns int) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	if !strings.Contains(url, "default_query_exec_mode") {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	if !strings.Contains(url, "pool_max_conns") {
		if maxConns <= 0 {
			maxConns = DefaultMaxConns()
		}
		cfg.MaxConns = int32(maxConns)
	}
	return cfg, nil
}

type driver struct {
	pool *pgxpool.Pool
	// extra is the migrations' own pool, when they run elsewhere.
	extra *pgxpool.Pool
}

func (d *driver) Dialect() string     { return "postgres" }
func (d *driver) ForUpdate() string   { return " FOR UPDATE" }
func (d *driver) ForShare() string    { return " FOR SHARE" }
func (d *driver) AsyncCommit() string { return "SET LOCAL synchronous_commit = off" }
func (d *driver) SkipLocked() string  { return " FOR UPDATE SKIP LOCKED" }

// Begin takes a connection from the pool; the BEGIN itself waits for the first statement (conn).
func (d *driver) Begin(ctx context.Context, write bool) (sqlstore.TxConn, error) {
	pc, err := d.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	begin := "begin read only"
	if write {
		begin = "begin read write"
	}
	return &conn{pc: pc, pending: []pendingStatement{{query: begin}}}, nil
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsUniqueViolation matches SQLSTATE 23505.
func (d *driver) IsUniqueViolation(err error) bool { return pgCode(err) == "23505" }

// IsBadValue matches the data exceptions (SQLSTATE class 22), such as 22021 for a NUL byte in text.
func (d *driver) IsBadValue(err error) bool { return strings.HasPrefix(pgCode(err), "22") }

// IsRetryable matches serialization failure (40001) and deadlock (40P01).
func (d *driver) IsRetryable(err error) bool {
	c := pgCode(err)
	return c == "40001" || c == "40P01"
}

// IsUnavailable matches failures to reach or keep the server: connection errors and timeouts,
// a dropped connection, the connection-exception class (08), a server shutting down or not
// accepting connections (57P01-57P03), too many connections (53300), and a server that is (or
// has just become) a standby during a failover: a write in a read-only transaction (25006) or a
// read-write transaction refused during recovery (0A000).
func (d *driver) IsUnavailable(err error) bool {
	var connect *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "0A000" && strings.Contains(pgErr.Message, "during recovery") {
		return true
	}
	switch c := pgCode(err); {
	case errors.As(err, &connect), pgconn.Timeout(err), errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, puddle.ErrClosedPool):
		return true
	case strings.HasPrefix(c, "08"), c == "57P01", c == "57P02", c == "57P03", c == "53300", c == "25006":
		return true
	}
	return strings.Contains(err.Error(), "conn closed")
}

func (d *driver) Ping(ctx context.Context) error { return d.pool.Ping(ctx) }

func (d *driver) PoolStats() sqlstore.PoolStats {
	s := d.pool.Stat()
	return sqlstore.PoolStats{
		MaxOpen: int(s.MaxConns()),
		Open:    int(s.TotalConns()),
		InUse:   int(s.AcquiredConns()),
		Idle:    int(s.IdleConns()),
	}
}

func (d *driver) Close() error {
	d.pool.Close()
	if d.extra != nil {
		d.extra.Close()
	}
	return nil
}

// conn is one transaction on a connection of the pool. Statements without a result to read
// wait to be sent with the next statement that has one, in one pgx batch (one Sync, so one
// round trip; the explicit BEGIN makes the batch and what follows one transaction): the BEGIN
// itself and what the store defers (Defer: SET LOCAL settings, audit and outbox rows), which
// the commit takes along when nothing follows them. A transaction that runs no statement
// sends nothing.
type conn struct {
	pc *pgxpool.Conn
	// pending are the statements not sent yet, in order.
	pending []pendingStatement
	// wrote says a statement other than BEGIN was sent or deferred; begun that the BEGIN was
	// sent.
	wrote, begun bool
}

type pendingStatement struct {
	what, query string
	args        []any
}

// Defer implements sqlstore.Deferrer.
func (c *conn) Defer(what, query string, args ...any) {
	c.pending = append(c.pending, pendingStatement{what: what, query: query, args: args})
	c.wrote = true
}

// send sends the pending statements with query in one batch and returns the results
// positioned at query's. A pending statement's failure comes back as a sqlstore.DeferredError.
func (c *conn) send(ctx context.Context, query string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	for _, p := range c.pending {
		b.Queue(p.query, p.args...)
	}
	b.Queue(query, args...)
	pending := c.pending
	c.pending, c.begun = nil, true
	br := c.pc.SendBatch(ctx, b)
	for _, p := range pending {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			if p.what == "" {
				return nil, err
			}
			return nil, &sqlstore.DeferredError{What: p.what, Err: err}
		}
	}
	return br, nil
}

func (c *conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	c.wrote = true
	if len(c.pending) == 0 {
		tag, err := c.pc.Exec(ctx, query, args...)
		return tag.RowsAffected(), err
	}
	br, err := c.send(ctx, query, args)
	if err != nil {
		return 0, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (c *conn) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	c.wrote = true
	if len(c.pending) == 0 {
		return c.pc.Query(ctx, query, args...)
	}
	br, err := c.send(ctx, query, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return &firstRows{Rows: rows, br: br}, nil
}

// Commit ends the transaction, sending what is still pending with the COMMIT; one that never
// ran a statement only gives its connection back.
func (c *conn) Commit(ctx context.Context) error {
	if c.pc == nil {
		return pgx.ErrTxClosed
	}
	defer c.release()
	if !c.wrote {
		return nil
	}
	var tag pgconn.CommandTag
	var err error
	if len(c.pending) == 0 {
		tag, err = c.pc.Exec(ctx, "commit")
	} else {
		var br pgx.BatchResults
		if br, err = c.send(ctx, "commit", nil); err != nil {
			return err
		}
		tag, err = br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil && tag.String() == "ROLLBACK" {
		err = pgx.ErrTxCommitRollback
	}
	return err
}

// Rollback ends the transaction without its changes; after Commit it does nothing.
func (c *conn) Rollback(ctx context.Context) error {
	if c.pc == nil {
		return nil
	}
	defer c.release()
	c.pending = nil
	if !c.begun {
		return nil
	}
	_, err := c.pc.Exec(ctx, "rollback")
	return err
}

// release gives the connection back; the pool closes one left inside a transaction.
func (c *conn) release() {
	c.pc.Release()
	c.pc = nil
}

// firstRows are the rows of a transaction's first statement, which end its batch when they end.
type firstRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

func (r *firstRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *firstRows) Close() {
	if r.br != nil {
		r.Rows.Close()
		r.err = r.br.Close()
		r.br = nil
	}
}

func (r *firstRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}
