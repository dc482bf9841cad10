package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the raw SQLite ceiling uses the same driver as the server
)

// execer runs one statement on a raw database connection pool.
type execer func(ctx context.Context, query string, args ...any) error

// rawDB is a database the ceilings are measured on, without Rollcall in between.
type rawDB struct {
	exec  execer
	close func()
	// param renders the n-th placeholder of the dialect.
	param func(n int) string
}

// openRawPostgres opens a pgx pool of conns connections on dbURL.
func openRawPostgres(ctx context.Context, dbURL string, conns int) (*rawDB, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = int32(conns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &rawDB{
		exec: func(ctx context.Context, q string, args ...any) error {
			_, err := pool.Exec(ctx, q, args...)
			return err
		},
		close: pool.Close,
		param: func(n int) string { return fmt.Sprintf("$%d", n) },
	}, nil
}

// openRawSQLite opens a scratch SQLite file in dir with the server's pragmas (WAL, synchronous
// full, one writer).
func openRawSQLite(dir string) (*rawDB, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "ceiling.db")+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &rawDB{
		exec: func(ctx context.Context, q string, args ...any) error {
			_, err := db.ExecContext(ctx, q, args...)
			return err
		},
		close: func() { db.Close() },
		param: func(int) string { return "?" },
	}, nil
}

// ceilings measures, at each concurrency, a single-row INSERT of a user-shaped row (unique
// email) and a primary-key UPDATE spread over 64 rows.
func ceilings(ctx context.Context, db *rawDB, cfg config, backend string) (insert, update map[int]Stats, err error) {
	p := db.param
	for _, q := range []string{
		`CREATE TABLE bench_users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, first_name TEXT NOT NULL,
			last_name TEXT NOT NULL, sort_name TEXT NOT NULL, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)`,
		`CREATE TABLE bench_counters (id INTEGER PRIMARY KEY, calls BIGINT NOT NULL, at TIMESTAMP NOT NULL)`,
	} {
		if err := db.exec(ctx, q); err != nil {
			return nil, nil, fmt.Errorf("%s ceiling setup: %w", backend, err)
		}
	}
	now := time.Now().UTC()
	for i := range 64 {
		if err := db.exec(ctx, "INSERT INTO bench_counters (id, calls, at) VALUES ("+p(1)+", 0, "+p(2)+")", i, now); err != nil {
			return nil, nil, err
		}
	}
	ins := fmt.Sprintf("INSERT INTO bench_users (id, email, first_name, last_name, sort_name, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
		p(1), p(2), p(3), p(4), p(5), p(6), p(7))
	upd := fmt.Sprintf("UPDATE bench_counters SET calls = calls + 1, at = %s WHERE id = %s", p(1), p(2))
	insert, update = map[int]Stats{}, map[int]Stats{}
	run := 0
	for _, conc := range cfg.Concurrency {
		run++
		insert[conc] = closedLoop(ctx, conc, cfg.Duration, func(ctx context.Context, _ int, n int64) error {
			id := fmt.Sprintf("r%d-%d", run, n)
			at := time.Now().UTC()
			return db.exec(ctx, ins, id, id+"@ceiling.example", "First", "Last", "first last "+id, at, at)
		})
		update[conc] = closedLoop(ctx, conc, cfg.Duration, func(ctx context.Context, _ int, n int64) error {
			return db.exec(ctx, upd, time.Now().UTC(), n%64)
		})
		logf("%s ceiling c=%d: insert %.0f/s, update %.0f/s", backend, conc, insert[conc].PerSecond, update[conc].PerSecond)
	}
	return insert, update, nil
}
