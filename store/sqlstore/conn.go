// Package sqlstore implements provisioning.Store once, in SQL shared by the SQLite and Postgres
// backends. Each backend supplies a Driver: how to open transactions, run statements, rebind
// placeholders and classify errors. Queries are written with $1-style placeholders.
package sqlstore

import (
	"context"
	"time"
)

// Rows is the part of a result set the store reads.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Conn runs statements inside one transaction.
type Conn interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
}

// Deferrer is a Conn that can hold back a statement whose result nobody reads (an audit or
// outbox insert) and send it with the transaction's next statement or its commit, saving its
// round trip. Its error then comes with that statement's or the commit's, as a DeferredError.
type Deferrer interface {
	Defer(what, query string, args ...any)
}

// DeferredError is the failure of a deferred statement, reported by a later one.
type DeferredError struct {
	// What names what the deferred statement wrote, as Tx.exec's what.
	What string
	Err  error
}

func (e *DeferredError) Error() string { return e.What + ": " + e.Err.Error() }
func (e *DeferredError) Unwrap() error { return e.Err }

// TxConn is a Conn that ends.
type TxConn interface {
	Conn
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// PoolStats describes the connection pool for metrics.
type PoolStats struct {
	MaxOpen int
	Open    int
	InUse   int
	Idle    int
}

// Driver is what a backend supplies to the shared store.
type Driver interface {
	// Dialect names the SQL dialect: "postgres" or "sqlite".
	Dialect() string
	// Begin starts a transaction; write transactions take the database's write lock at once.
	Begin(ctx context.Context, write bool) (TxConn, error)
	// IsUniqueViolation reports whether err is a unique-constraint violation.
	IsUniqueViolation(err error) bool
	// IsBadValue reports whether the database refused a value itself (a NUL byte or invalid
	// UTF-8 in text, a number out of range): the caller's input, never a server fault.
	IsBadValue(err error) bool
	// IsRetryable reports whether the transaction failed on a serialization or deadlock error
	// and may be run again.
	IsRetryable(err error) bool
	// IsUnavailable reports whether err says the database cannot be reached or used right now
	// (connection refused or lost, a timeout, a server shutting down, a full disk).
	IsUnavailable(err error) bool
	// ForUpdate is the row-lock clause appended to a SELECT, empty where the writer is single.
	ForUpdate() string
	// ForShare is the shared row-lock clause appended to a SELECT, empty where the writer is single.
	ForShare() string
	// AsyncCommit is a statement making the transaction's commit not wait for the disk, empty
	// where there is no such setting.
	AsyncCommit() string
	// SkipLocked is the clause for claiming queue rows without blocking, empty where not needed.
	SkipLocked() string
	Ping(ctx context.Context) error
	PoolStats() PoolStats
	Close() error
}

// TimeFormat is how SQLite stores times: fixed width UTC, so text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// utc truncates a time to microseconds in UTC, the precision both backends keep.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
