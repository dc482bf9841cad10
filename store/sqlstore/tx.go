package sqlstore

import (
	"context"
	"fmt"

	"github.com/rollcall/rollcall/provisioning"
)

// Tx implements provisioning.StoreTx over one database transaction: the core's tables and
// every entrance's, each group in its own file, composed here.
type Tx struct {
	c Conn
	d Driver
	// exclusive makes LockOrgForJoin take the write lock: set when an earlier attempt of this
	// transaction needed to upgrade a share lock.
	exclusive bool
	// locks holds how this transaction locked each org. LockOrg on a share-locked org restarts
	// the transaction with exclusive set instead of upgrading (upgraders deadlock each other).
	locks map[string]orgLock
	// lockedToken is the API token whose row GetTokenGrant locked: ConsumeToken need not check
	// that its usage is unchanged, so its write can wait for the commit.
	lockedToken string
	// anchors is the store's memory of where deep SCIM user pages start (directory_pages.go).
	anchors *pageAnchors
}

// orgLock is how a transaction holds an org's row.
type orgLock int

const (
	orgShared orgLock = iota + 1 // LockOrgForJoin on an org without a seat limit
	orgWrite                     // LockOrg
)

// lockedOrg records how the transaction holds an org.
func (t *Tx) lockedOrg(id string, l orgLock) {
	if t.locks == nil {
		t.locks = map[string]orgLock{}
	}
	t.locks[id] = l
}

var _ provisioning.StoreTx = (*Tx)(nil)

// exec runs a statement and returns the rows affected; failures become internal errors except
// unique violations, which become conflicts carrying what.
func (t *Tx) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	n, err := t.c.Exec(ctx, query, args...)
	if err != nil {
		return 0, t.wrap(what, err)
	}
	return n, nil
}

// execLater runs a statement whose result nobody reads: where the connection can (Deferrer), it
// goes with the transaction's next statement or its commit instead of a round trip of its own.
func (t *Tx) execLater(ctx context.Context, what, query string, args ...any) error {
	if d, ok := t.c.(Deferrer); ok {
		d.Defer(what, query, args...)
		return nil
	}
	_, err := t.exec(ctx, what, query, args...)
	return err
}

// queryRows runs a query and hands each row to scan.
func (t *Tx) queryRows(ctx context.Context, query string, args []any, scan func(Rows) error) error {
	rows, err := t.c.Query(ctx, query, args...)
	if err != nil {
		return t.wrap("query", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return t.wrap("scan", err)
		}
	}
	if err := rows.Err(); err != nil {
		return t.wrap("rows", err)
	}
	return nil
}

// queryOne runs a query expected to return one row; none is a not_found error naming what.
func (t *Tx) queryOne(ctx context.Context, what, query string, args []any, scan func(Rows) error) error {
	found := false
	err := t.queryRows(ctx, query, args, func(r Rows) error {
		found = true
		return scan(r)
	})
	if err != nil {
		return err
	}
	if !found {
		return provisioning.Errorf(provisioning.CodeNotFound, "%s not found", what)
	}
	return nil
}

// wrap classifies a database error: retryable errors pass through untouched so the
// transaction runner can retry them; unique violations become conflicts.
func (t *Tx) wrap(what string, err error) error {
	if _, ok := err.(*provisioning.Error); ok {
		return err
	}
	if d, ok := err.(*DeferredError); ok {
		what, err = d.What, d.Err
	}
	if t.d.IsRetryable(err) {
		return err
	}
	if t.d.IsUnavailable(err) {
		return provisioning.Unavailable(fmt.Errorf("%s: %w", what, err))
	}
	if t.d.IsBadValue(err) {
		return &provisioning.Error{Code: provisioning.CodeInvalid, Message: "a value is not valid here (a NUL byte, invalid UTF-8 or a number out of range)", Cause: err}
	}
	if t.d.IsUniqueViolation(err) {
		return &provisioning.Error{Code: provisioning.CodeConflict, Message: what + " already exists", Cause: err}
	}
	return provisioning.Internal(fmt.Errorf("%s: %w", what, err))
}

// mustAffect turns "no row changed" into not_found.
func mustAffect(n int64, what string) error {
	if n == 0 {
		return provisioning.Errorf(provisioning.CodeNotFound, "%s not found", what)
	}
	return nil
}
