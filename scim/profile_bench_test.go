package scim_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/sqlstore"
	"github.com/rollcall/rollcall/store/storetest"
)

// BenchmarkSCIMStatementsPostgres counts what the database does per SCIM request: 3,000 POST
// /Users creates (8 clients), then 1,000 GET /Users?filter=userName eq "…", reported as
// statements and transactions (COMMITs) per request from pg_stat_statements. It
// needs a cluster with pg_stat_statements preloaded (ROLLCALL_PROFILE_POSTGRES_URL, the admin
// URL of such a cluster); skipped without it. Set ROLLCALL_PROFILE_VERBOSE=1 for the top
// statements (top-level only: foreign-key checks are not counted). Reported, not asserted. Run with -benchtime=1x.
func BenchmarkSCIMStatementsPostgres(b *testing.B) {
	admin := os.Getenv("ROLLCALL_PROFILE_POSTGRES_URL")
	if admin == "" {
		b.Skip("set ROLLCALL_PROFILE_POSTGRES_URL to a cluster with pg_stat_statements preloaded")
	}
	b.Setenv("ROLLCALL_TEST_POSTGRES_URL", admin)
	const creates, reads, clients = 3000, 1000, 8
	for range b.N {
		var dbURL string
		backend := storetest.Backend{Name: "postgres", Open: func(t testing.TB) *sqlstore.DB {
			dbURL = storetest.PostgresURL(t)
			db, err := postgres.Open(context.Background(), dbURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			return db
		}}
		e := newEnvTB(b, backend, -1, scim.Options{RateLimitPerMinute: 1_000_000_000})
		p := newProfiler(b, admin, dbURL)
		run(b, clients, creates, func(i int) {
			if r := e.do("POST", "/Users", userBody(fmt.Sprintf("prof%05d@acme.com", i))); r.Status != 201 {
				b.Errorf("create %d: %d %s", i, r.Status, r.Raw)
			}
		})
		p.report(b, "create", creates)
		run(b, clients, reads, func(i int) {
			f := url.QueryEscape(fmt.Sprintf(`userName eq "prof%05d@acme.com"`, i%creates))
			if r := e.do("GET", "/Users?filter="+f, ""); r.get("totalResults") != float64(1) {
				b.Errorf("filter: %s", r.Raw)
			}
		})
		p.report(b, "read", reads)
	}
}

// run calls fn(0..n-1) from clients goroutines.
func run(b *testing.B, clients, n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// profiler reads the statement and transaction counters of one database.
type profiler struct {
	conn *pgx.Conn
	db   string
}

func newProfiler(b *testing.B, admin, dbURL string) *profiler {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(ctx) })
	u, _ := url.Parse(dbURL)
	p := &profiler{conn: conn, db: u.Path[1:]}
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		b.Skipf("pg_stat_statements: %v", err)
	}
	p.reset(b)
	return p
}

func (p *profiler) reset(b *testing.B) {
	time.Sleep(1500 * time.Millisecond) // the activity batch of the requests before is written
	if _, err := p.conn.Exec(context.Background(), `SELECT pg_stat_statements_reset()`); err != nil {
		b.Fatal(err)
	}
}

// report prints statements and transactions per request since the last report, then resets.
func (p *profiler) report(b *testing.B, what string, n int) {
	ctx := context.Background()
	time.Sleep(1500 * time.Millisecond)
	var calls, writes, commits, writeTx int64
	err := p.conn.QueryRow(ctx, `SELECT COALESCE(sum(calls), 0),
			COALESCE(sum(calls) FILTER (WHERE query ~* '^\s*(insert|update|delete)'), 0),
			COALESCE(sum(calls) FILTER (WHERE query ~* '^\s*(commit|rollback)'), 0),
			COALESCE(sum(calls) FILTER (WHERE query ~* '^\s*begin read write'), 0)
		FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 AND s.toplevel`, p.db).Scan(&calls, &writes, &commits, &writeTx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(calls)/float64(n), "statements/"+what)
	b.ReportMetric(float64(writes)/float64(n), "writes/"+what)
	b.ReportMetric(float64(commits)/float64(n), "transactions/"+what)
	b.ReportMetric(float64(writeTx)/float64(n), "write-transactions/"+what)
	if os.Getenv("ROLLCALL_PROFILE_VERBOSE") == "1" {
		rows, err := p.conn.Query(ctx, `SELECT calls, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
			FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 AND s.toplevel
			ORDER BY calls DESC LIMIT 30`, p.db)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var c int64
			var q string
			_ = rows.Scan(&c, &q)
			fmt.Printf("%s %7.2f %s\n", what, float64(c)/float64(n), q)
		}
		rows.Close()
	}
	p.reset(b)
}
