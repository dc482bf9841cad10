// Package sqlite is the embedded store: a SQLite file (modernc.org/sqlite, no cgo) in WAL mode
// with foreign keys on, a busy timeout, one writer connection and a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/rollcall/rollcall/store/sqlstore"
)

// Options tune the embedded store.
type Options struct {
	Logger *slog.Logger
	// Synchronous is SQLite's synchronous pragma: "full" (the default) makes every acknowledged
	// write survive a power loss; "normal" is faster and in WAL mode may lose the last
	// transactions on power loss (never on a crash of the process), never corrupting the file.
	Synchronous string
}

// Open opens (creating if needed) the SQLite database at path with the default options.
func Open(ctx context.Context, path string, logger *slog.Logger) (*sqlstore.DB, error) {
	return OpenWith(ctx, path, Options{Logger: logger})
}

// OpenWith opens (creating if needed) the SQLite database at path and returns a
// migrated-on-demand store. The directory is created when missing.
func OpenWith(ctx context.Context, path string, o Options) (*sqlstore.DB, error) {
	sync, err := synchronousPragma(o.Synchronous)
	if err != nil {
		return nil, err
	}
	logger := o.Logger
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory %s: %w", dir, err)
		}
	}
	writer, err := openPool(path, 1, "immediate", sync)
	if err != nil {
		return nil, err
	}
	readers, err := openPool(path, max(4, runtime.GOMAXPROCS(0)), "deferred", sync)
	if err != nil {
		writer.Close()
		return nil, err
	}
	d := &driver{writer: writer, readers: readers}
	if err := d.Ping(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	m, err := sqlstore.NewMigrator(writer, "sqlite", logger)
	if err != nil {
		d.Close()
		return nil, err
	}
	return sqlstore.New(d, m), nil
}

// openPool opens a pool of conns connections whose transactions begin with txlock: the writer
// takes the write lock at BEGIN (immediate), readers never ask for it (deferred).
func openPool(path string, conns int, txlock, sync string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(" + sync + ")"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", txlock)
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return db, nil
}

// synchronousPragma checks a Synchronous option and returns the pragma's value.
func synchronousPragma(s string) (string, error) {
	switch strings.ToLower(s) {
	case "", "full":
		return "FULL", nil
	case "normal":
		return "NORMAL", nil
	}
	return "", fmt.Errorf("sqlite synchronous must be full or normal, not %q", s)
}

type driver struct {
	writer  *sql.DB
	readers *sql.DB
}

func (d *driver) Dialect() string     { return "sqlite" }
func (d *driver) ForUpdate() string   { return "" }
func (d *driver) ForShare() string    { return "" }
func (d *driver) AsyncCommit() string { return "" }
func (d *driver) SkipLocked() string  { return "" }

func (d *driver) Begin(ctx context.Context, write bool) (sqlstore.TxConn, error) {
	pool := d.readers
	if write {
		pool = d.writer
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &conn{tx: tx}, nil
}

func (d *driver) IsUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// IsBadValue is false: SQLite stores any bytes in text and any integer it can hold.
func (d *driver) IsBadValue(error) bool { return false }

func (d *driver) IsRetryable(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	code := e.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// IsUnavailable matches a database file that cannot be opened, read or written (I/O error, a
// full disk, a file gone or read-only).
func (d *driver) IsUnavailable(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

func (d *driver) Ping(ctx context.Context) error {
	if err := d.writer.PingContext(ctx); err != nil {
		return err
	}
	return d.readers.PingContext(ctx)
}

func (d *driver) PoolStats() sqlstore.PoolStats {
	w, r := d.writer.Stats(), d.readers.Stats()
	return sqlstore.PoolStats{
		MaxOpen: w.MaxOpenConnections + r.MaxOpenConnections,
		Open:    w.OpenConnections + r.OpenConnections,
		InUse:   w.InUse + r.InUse,
		Idle:    w.Idle + r.Idle,
	}
}

func (d *driver) Close() error {
	return errors.Join(d.readers.Close(), d.writer.Close())
}

type conn struct{ tx *sql.Tx }

func (c *conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := c.tx.ExecContext(ctx, rebind(query), sqlstore.SQLiteArgs(args)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c *conn) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.tx.QueryContext(ctx, rebind(query), sqlstore.SQLiteArgs(args)...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (c *conn) Commit(context.Context) error   { return c.tx.Commit() }
func (c *conn) Rollback(context.Context) error { return c.tx.Rollback() }

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

// rebind turns $1-style placeholders into SQLite's numbered ?1 form.
func rebind(q string) string {
	if !strings.Contains(q, "$") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q))
	for i := 0; i < len(q); i++ {
		if q[i] == '$' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9' {
			b.WriteByte('?')
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
