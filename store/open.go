// Package store opens the configured backend: Postgres for a postgres:// URL, otherwise the
// embedded SQLite file in the data directory.
package store

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/sqlite"
	"github.com/rollcall/rollcall/store/sqlstore"
)

// Options choose and configure the backend.
type Options struct {
	// URL is a postgres:// or postgresql:// URL; empty selects SQLite.
	URL string
	// DataDir holds rollcall.db when SQLite is used.
	DataDir string
	// SQLiteSynchronous is full (default) or normal; see sqlite.Options.
	SQLiteSynchronous string
	Logger            *slog.Logger
	// DatabaseMaxConns caps the PostgreSQL pool; 0 sizes it from the machine.
	DatabaseMaxConns int
	// MigrateURL is a direct PostgreSQL URL for migrations when URL goes through PgBouncer.
	MigrateURL string
}

// Open opens the backend the options select.
func Open(ctx context.Context, o Options) (*sqlstore.DB, error) {
	if strings.HasPrefix(o.URL, "postgres://") || strings.HasPrefix(o.URL, "postgresql://") {
		return postgres.OpenWith(ctx, o.URL, postgres.Options{Logger: o.Logger, MaxConns: o.DatabaseMaxConns, MigrateURL: o.MigrateURL})
	}
	path := strings.TrimPrefix(strings.TrimPrefix(o.URL, "sqlite://"), "sqlite:")
	if path == "" {
		path = filepath.Join(o.DataDir, "rollcall.db")
	}
	return sqlite.OpenWith(ctx, path, sqlite.Options{Logger: o.Logger, Synchronous: o.SQLiteSynchronous})
}
