package postgres

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// serverPool opens a pool of at most maxConns connections on the test server itself (storetest
// imports this package, so internal tests cannot use its fresh databases): they run only
// statements that change nothing of the server's. It skips without a server unless one is
// required, and closes after the test's own cleanups.
func serverPool(t *testing.T, maxConns int) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv("ROLLCALL_TEST_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = int32(maxConns)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := pool.Ping(context.Background()); err != nil {
		if os.Getenv("ROLLCALL_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("postgres is required (ROLLCALL_TEST_REQUIRE_POSTGRES=1) but unreachable: %v", err)
		}
		t.Skipf("postgres unreachable: %v", err)
	}
	return pool
}
