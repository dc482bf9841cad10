package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/rollcall/rollcall/migrations"
)

// Migrator applies the embedded migrations of one dialect with goose.
type Migrator struct {
	provider *goose.Provider
}

// NewMigrator builds a goose provider over db for dialect "postgres" or "sqlite".
func NewMigrator(db *sql.DB, dialect string, logger *slog.Logger) (*Migrator, error) {
	sub, err := fs.Sub(migrations.FS, dialect)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	gd := goose.DialectSQLite3
	if dialect == "postgres" {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db, sub, opts...)
	if err != nil {
		return nil, err
	}
	return &Migrator{provider: p}, nil
}

// Versions returns the applied version and the latest version this binary knows.
func (m *Migrator) Versions(ctx context.Context) (current, latest int64, err error) {
	current, err = m.provider.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	sources := m.provider.ListSources()
	if len(sources) > 0 {
		latest = sources[len(sources)-1].Version
	}
	return current, latest, nil
}

// Up applies pending migrations. Re-running is a no-op; a newer database is refused.
func (m *Migrator) Up(ctx context.Context) error {
	current, latest, err := m.Versions(ctx)
	if err != nil {
		return err
	}
	if current > latest {
		return fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade Rollcall", ErrDatabaseNewer, current, latest)
	}
	if _, err := m.provider.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// Check reports an error unless the schema is exactly at the latest version.
func (m *Migrator) Check(ctx context.Context) error {
	current, latest, err := m.Versions(ctx)
	if err != nil {
		return err
	}
	switch {
	case current > latest:
		return fmt.Errorf("%w: database is at version %d, this binary knows up to %d", ErrDatabaseNewer, current, latest)
	case current < latest:
		return fmt.Errorf("database schema is at version %d, needs %d: run rollcall migrate", current, latest)
	}
	return nil
}
