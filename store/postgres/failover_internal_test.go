package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestStandbyAnswersAreUnavailable: what a server that is (or just became) a standby answers
// during a failover is "unavailable" (503 and Retry-After), not an internal error; other
// feature-not-supported errors stay what they are.
func TestStandbyAnswersAreUnavailable(t *testing.T) {
	ctx := context.Background()
	pool := serverPool(t, 4)
	d := &driver{pool: pool}
	tx, err := d.Begin(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, "CREATE TABLE written_in_read_only (id int)")
	if pgCode(err) != "25006" || !d.IsUnavailable(err) {
		t.Fatalf("a write in a read-only transaction: %v (code %q), want unavailable 25006", err, pgCode(err))
	}
	recovery := &pgconn.PgError{Code: "0A000", Message: "cannot set transaction read-write mode during recovery"}
	if !d.IsUnavailable(recovery) {
		t.Errorf("%v must be unavailable", recovery)
	}
	if other := (&pgconn.PgError{Code: "0A000", Message: "cached plan must not change result type"}); d.IsUnavailable(other) {
		t.Errorf("%v must not be unavailable", other)
	}
}

// TestConnectTimeoutDefault: each connection attempt is bounded unless the URL says otherwise.
func TestConnectTimeoutDefault(t *testing.T) {
	for url, want := range map[string]time.Duration{
		"postgres://u@127.0.0.1:1,127.0.0.1:2/db?target_session_attrs=read-write":                   DefaultConnectTimeout,
		"postgres://u@127.0.0.1:1,127.0.0.1:2/db?target_session_attrs=read-write&connect_timeout=2": 2 * time.Second,
	} {
		cfg, err := poolConfig(url, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.ConnConfig.ConnectTimeout; got != want {
			t.Errorf("%s: connect timeout %s, want %s", url, got, want)
		}
	}
}
