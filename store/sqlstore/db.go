package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// DB is a provisioning.Store on top of a Driver.
type DB struct {
	driver   Driver
	migrator *Migrator
	anchors  *pageAnchors // where deep pages of unfiltered SCIM user lists start
}

var _ provisioning.Store = (*DB)(nil)

// New wraps a driver and its migrator into a store.
func New(d Driver, m *Migrator) *DB { return &DB{driver: d, migrator: m, anchors: newPageAnchors()} }

// errRestart asks the transaction runner to roll back and run the transaction again, taking
// write locks on orgs from the start (Tx.exclusive).
var errRestart = errors.New("transaction must start over with write locks")

// maxAttempts bounds the retries of a transaction that hit a serialization failure or deadlock.
const maxAttempts = 8

// Update runs fn in one read-write transaction, retrying serialization failures here so that
// no caller has to.
func (db *DB) Update(ctx context.Context, fn func(provisioning.StoreTx) error) error {
	return db.run(ctx, true, fn)
}

// View runs fn in a read-only transaction.
func (db *DB) View(ctx context.Context, fn func(provisioning.StoreTx) error) error {
	return db.run(ctx, false, fn)
}

func (db *DB) run(ctx context.Context, write bool, fn func(provisioning.StoreTx) error) error {
	var err error
	exclusive := false
	for attempt := range maxAttempts {
		err = db.once(ctx, write, exclusive, fn)
		if errors.Is(err, errRestart) {
			exclusive = true
			continue
		}
		if err == nil || !db.driver.IsRetryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 3 * time.Millisecond):
		}
	}
	return provisioning.Internal(fmt.Errorf("transaction kept failing: %w", err))
}

func (db *DB) once(ctx context.Context, write, exclusive bool, fn func(provisioning.StoreTx) error) (err error) {
	conn, err := db.driver.Begin(ctx, write)
	if err != nil {
		if db.driver.IsRetryable(err) {
			return err
		}
		if db.driver.IsUnavailable(err) || ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return provisioning.Unavailable(fmt.Errorf("begin: %w", err))
		}
		return provisioning.Internal(fmt.Errorf("begin: %w", err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = conn.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
		if err != nil {
			_ = conn.Rollback(context.WithoutCancel(ctx))
		}
	}()
	tx := &Tx{c: conn, d: db.driver, exclusive: exclusive, anchors: db.anchors}
	if err = fn(tx); err != nil {
		return err
	}
	if err = conn.Commit(ctx); err != nil {
		if d := (*DeferredError)(nil); errors.As(err, &d) {
			// A statement deferred to the commit failed: classified as if it had run alone.
			return tx.wrap(d.What, d)
		}
		if db.driver.IsRetryable(err) {
			return err
		}
		if db.driver.IsUnavailable(err) {
			return provisioning.Unavailable(fmt.Errorf("commit: %w", err))
		}
		return provisioning.Internal(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// Dialect names the SQL dialect of the backend.
func (db *DB) Dialect() string { return db.driver.Dialect() }

// PoolStats reports connection pool usage.
func (db *DB) PoolStats() PoolStats { return db.driver.PoolStats() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.driver.Ping(ctx) }

// Migrate applies the embedded migrations; a database newer than this binary is refused.
func (db *DB) Migrate(ctx context.Context) error { return db.migrator.Up(ctx) }

// Ready reports whether the database answers and its schema is at this binary's version.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.driver.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	return db.migrator.Check(ctx)
}

// SchemaVersion returns the applied and the latest known migration versions.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	return db.migrator.Versions(ctx)
}

// Close releases the pool.
func (db *DB) Close() error { return db.driver.Close() }

// ErrDatabaseNewer is returned when the database was migrated by a newer Rollcall.
var ErrDatabaseNewer = errors.New("database schema is newer than this binary")
