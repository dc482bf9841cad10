package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/rollcall/rollcall/store/sqlstore"
)

// TestBeginGoesWithTheFirstStatement: a transaction's BEGIN and its SET LOCAL settings travel
// with its first statement, and it still is one transaction: the settings apply, a read-only
// one refuses writes, one whose first statement fails rolls back and leaves its connection
// usable, deferred statements run before the next one or with the commit (their failure named
// as theirs), and one that ran nothing commits by sending nothing. It runs only statements that
// change nothing of the server's.
func TestBeginGoesWithTheFirstStatement(t *testing.T) {
	ctx := context.Background()
	pool := serverPool(t, 1) // one connection: every transaction reuses the last one's
	d := &driver{pool: pool}
	scalar := func(c *conn, q string) (string, error) {
		rows, err := c.Query(ctx, q)
		if err != nil {
			return "", err
		}
		defer rows.Close()
		var v string
		for rows.Next() {
			if err := rows.Scan(&v); err != nil {
				return "", err
			}
		}
		return v, rows.Err()
	}
	begin := func(write bool) *conn {
		t.Helper()
		c, err := d.Begin(ctx, write)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Rollback(ctx) })
		return c.(*conn)
	}

	c := begin(true)
	c.Defer("commit mode", "SET LOCAL synchronous_commit = off")
	if v, err := scalar(c, "SHOW synchronous_commit"); err != nil || v != "off" {
		t.Fatalf("a SET LOCAL before the first statement: synchronous_commit %q, %v", v, err)
	}
	if v, err := scalar(c, "SELECT current_setting('transaction_read_only')"); err != nil || v != "off" {
		t.Fatalf("write transaction: transaction_read_only %q, %v", v, err)
	}
	if err := c.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	c = begin(false)
	if _, err := c.Exec(ctx, "CREATE TEMP TABLE lazy_begin_probe (id int)"); pgCode(err) != "25006" {
		t.Fatalf("a write as the first statement of a read-only transaction: %v, want 25006", err)
	}
	if err := c.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	c = begin(true)
	if _, err := scalar(c, "SELECT 1/0"); pgCode(err) != "22012" {
		t.Fatalf("a failing first statement: %v, want 22012", err)
	}
	if err := c.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	c = begin(true)
	if v, err := scalar(c, "SHOW synchronous_commit"); err != nil || v == "off" {
		t.Fatalf("the next transaction on the one connection: synchronous_commit %q, %v", v, err)
	}
	if _, err := c.Exec(ctx, "SELECT 1/0"); pgCode(err) != "22012" {
		t.Fatalf("a failing later statement: %v", err)
	}
	if err := c.Commit(ctx); err == nil {
		t.Fatal("commit of an aborted transaction succeeded")
	}

	// Deferred statements go before the next statement, or with the commit.
	c = begin(true)
	if _, err := c.Exec(ctx, "CREATE TEMP TABLE lazy_begin_rows (id int)"); err != nil {
		t.Fatal(err)
	}
	c.Defer("probe row", "INSERT INTO lazy_begin_rows VALUES ($1)", 1)
	if v, err := scalar(c, "SELECT count(*)::text FROM lazy_begin_rows"); err != nil || v != "1" {
		t.Fatalf("a deferred insert before the next query: %q, %v", v, err)
	}
	if err := c.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	c = begin(true)
	c.Defer("probe row", "INSERT INTO lazy_begin_rows VALUES ($1)", 2)
	if err := c.Commit(ctx); err != nil {
		t.Fatalf("a transaction of deferred statements only: %v", err)
	}
	c = begin(false)
	if v, err := scalar(c, "SELECT string_agg(id::text, ',' ORDER BY id) FROM lazy_begin_rows"); err != nil || v != "1,2" {
		t.Fatalf("rows after two commits: %q, %v", v, err)
	}
	_ = c.Commit(ctx)
	c = begin(true)
	if _, err := c.Exec(ctx, "DROP TABLE lazy_begin_rows"); err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	c = begin(true)
	c.Defer("probe row", "SELECT 1/0")
	var deferred *sqlstore.DeferredError
	if _, err := c.Exec(ctx, "SELECT 1"); !errors.As(err, &deferred) || deferred.What != "probe row" || pgCode(err) != "22012" {
		t.Fatalf("a failing deferred statement: %v, want it named", err)
	}
	_ = c.Rollback(ctx)
	c = begin(true)
	c.Defer("probe row", "SELECT 1/0")
	if err := c.Commit(ctx); !errors.As(err, &deferred) {
		t.Fatalf("a failing deferred statement at commit: %v", err)
	}

	c = begin(true)
	if err := c.Commit(ctx); err != nil {
		t.Fatalf("an empty transaction: %v", err)
	}
	if err := c.Rollback(ctx); err != nil {
		t.Fatalf("rollback after commit: %v", err)
	}
	if s := pool.Stat(); s.AcquiredConns() != 0 {
		t.Fatalf("%d connections still held", s.AcquiredConns())
	}
}
