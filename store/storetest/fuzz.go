package storetest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// FuzzStores opens the stores a fuzz target runs each input against: SQLite always, and
// Postgres when it is reachable (or required, ROLLCALL_TEST_REQUIRE_POSTGRES=1). A fuzz target
// cannot skip half of itself, so an unreachable Postgres is left out rather than skipped.
func FuzzStores(t testing.TB) []Backend {
	t.Helper()
	all := Backends()
	if os.Getenv("ROLLCALL_TEST_REQUIRE_POSTGRES") == "1" || postgresReachable() {
		return all
	}
	return all[:1]
}

func postgresReachable() bool {
	admin := os.Getenv("ROLLCALL_TEST_POSTGRES_URL")
	if admin == "" {
		admin = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return false
	}
	_ = conn.Close(context.Background())
	return true
}
