// Package storetest is the one conformance suite every provisioning.Store passes, plus helpers
// that open real SQLite and Postgres databases for tests anywhere in the module.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/sqlite"
	"github.com/rollcall/rollcall/store/sqlstore"
)

// DefaultPostgresURL is used when ROLLCALL_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// OpenSQLite opens a migrated SQLite store in a temporary file, closed when the test ends.
func OpenSQLite(t testing.TB) *sqlstore.DB {
	t.Helper()
	return openSQLiteAt(t, filepath.Join(t.TempDir(), "rollcall.db"))
}

func openSQLiteAt(t testing.TB, path string) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

// OpenPostgres creates a fresh database with a random name on the test server, migrates it and
// drops it when the test ends. When the server is unreachable the test is skipped with one
// line, unless ROLLCALL_TEST_REQUIRE_POSTGRES=1, which makes it fail.
func OpenPostgres(t testing.TB) *sqlstore.DB {
	t.Helper()
	return openPostgresAt(t, PostgresURL(t))
}

func openPostgresAt(t testing.TB, dbURL string) *sqlstore.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dbURL, nil)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return db
}

// PostgresURL creates a fresh, empty database and returns its URL; it is dropped at cleanup.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("ROLLCALL_TEST_POSTGRES_URL")
	if admin == "" {
		admin = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if os.Getenv("ROLLCALL_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("postgres is required (ROLLCALL_TEST_REQUIRE_POSTGRES=1) but unreachable at %s: %v", redact(admin), err)
		}
		skipOnce.Do(func() { fmt.Fprintf(os.Stderr, "postgres tests skipped: %s unreachable\n", redact(admin)) })
		t.Skipf("postgres unreachable at %s: set ROLLCALL_TEST_POSTGRES_URL or start postgres", redact(admin))
	}
	defer conn.Close(context.Background())
	name := "rollcall_test_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(admin, name) })
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

var skipOnce sync.Once

func dropDatabase(admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid url)"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Backend names a way to open a fresh store.
type Backend struct {
	Name string
	Open func(t testing.TB) *sqlstore.DB
	// OpenWithSQL opens a fresh store as Open does, with a raw connection to the same database
	// for bulk seeding (SeedMembers).
	OpenWithSQL func(t testing.TB) (*sqlstore.DB, Exec)
}

// Backends lists both stores, so a test can run the same cases on each.
func Backends() []Backend {
	return []Backend{{"sqlite", OpenSQLite, OpenSQLiteWithSQL}, {"postgres", OpenPostgres, OpenPostgresWithSQL}}
}

// OpenSQLiteWithSQL opens a migrated SQLite store in a temporary file, with a raw connection to
// the same file that takes $1-style placeholders; both are closed when the test ends.
func OpenSQLiteWithSQL(t testing.TB) (*sqlstore.DB, Exec) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rollcall.db")
	return openSQLiteAt(t, path), SQLiteExec(t, path)
}

// SQLiteExec opens a raw connection to the SQLite file at path, closed when the test ends, and
// returns an Exec that rewrites $n placeholders to SQLite's ?n.
func SQLiteExec(t testing.TB, path string) Exec {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	return func(ctx context.Context, q string, args ...any) error {
		_, err := raw.ExecContext(ctx, sqlitePlaceholders.ReplaceAllString(q, "?$1"), args...)
		return err
	}
}

var sqlitePlaceholders = regexp.MustCompile(`\$([0-9]+)`)

// OpenPostgresWithSQL opens a fresh Postgres store as OpenPostgres does, with a raw pgx
// connection to the same database; both are closed when the test ends.
func OpenPostgresWithSQL(t testing.TB) (*sqlstore.DB, Exec) {
	t.Helper()
	dbURL := PostgresURL(t)
	db := openPostgresAt(t, dbURL)
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("connect postgres: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return db, func(ctx context.Context, q string, args ...any) error {
		_, err := conn.Exec(ctx, q, args...)
		return err
	}
}
