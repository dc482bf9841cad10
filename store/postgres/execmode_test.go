package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/sqlstore"
	"github.com/rollcall/rollcall/store/storetest"
)

func openOnPool(t testing.TB, url string, maxConns int) (*sqlstore.DB, *pgxpool.Pool) {
	t.Helper()
	db, pool, err := postgres.OpenOnPool(context.Background(), url, maxConns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, pool
}

// TestNoServerSidePreparedStatements runs the same statements many times (past Postgres's five
// custom plans) on a one-connection pool and counts the session's prepared statements: none by
// default, so no plan can go generic and PgBouncer's transaction pooling is safe. The explicit
// cache_statement mode shows that the probe sees them when they exist.
func TestNoServerSidePreparedStatements(t *testing.T) {
	for _, c := range []struct {
		name, params string
		want         func(n int) bool
	}{
		{"default", "", func(n int) bool { return n == 0 }},
		{"cache_statement", "&default_query_exec_mode=cache_statement", func(n int) bool { return n > 0 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if n := preparedAfterWork(t, storetest.PostgresURL(t)+c.params); !c.want(n) {
				t.Fatalf("the session holds %d prepared statements", n)
			}
		})
	}
}

func preparedAfterWork(t *testing.T, url string) int {
	db, pool := openOnPool(t, url, 1)
	h := storetest.NewHarness(t, db)
	o := h.CreateOrg("plans", -1, "owner@plans.example")
	for i := range 12 {
		h.MustJoin(o.Org.ID, fmt.Sprintf("p%d@plans.example", i), provisioning.EntranceInvite, provisioning.RoleMember)
		if _, err := h.Service.GetMember(h.Ctx, h.MemberActor(o.Owner.Membership), o.Org.ID, o.Owner.ID); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM pg_prepared_statements").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPoolConfig(t *testing.T) {
	base := "postgres://u@127.0.0.1:5432/db?sslmode=disable"
	for _, c := range []struct {
		url      string
		maxConns int
		want     int32
		mode     pgx.QueryExecMode
	}{
		{base, 0, int32(postgres.DefaultMaxConns()), pgx.QueryExecModeExec},
		{base, 7, 7, pgx.QueryExecModeExec},
		{base + "&pool_max_conns=3&default_query_exec_mode=cache_statement", 7, 3, pgx.QueryExecModeCacheStatement},
	} {
		cfg, err := postgres.PoolConfig(c.url, c.maxConns)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MaxConns != c.want || cfg.ConnConfig.DefaultQueryExecMode != c.mode {
			t.Errorf("%s, %d: got %d conns, mode %s; want %d, %s", c.url, c.maxConns, cfg.MaxConns, cfg.ConnConfig.DefaultQueryExecMode, c.want, c.mode)
		}
	}
	if postgres.DefaultMaxConns() < 4 {
		t.Errorf("postgres.DefaultMaxConns() = %d, want at least 4", postgres.DefaultMaxConns())
	}
}

// BenchmarkHotStatement runs one hot statement (a member with their user, by org and id: the
// shape of most reads) under each exec mode, for the record. Compare modes within one run: the
// machine's load moves the absolute numbers.
func BenchmarkHotStatement(b *testing.B) {
	url := storetest.PostgresURL(b)
	db, _ := openOnPool(b, url, 2)
	h := storetest.NewHarness(b, db)
	o := h.CreateOrg("hot", -1, "owner@hot.example")
	const query = `SELECT m.id, m.role, m.status, u.email, u.first_name, u.last_name
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.id = $2`
	for _, mode := range []string{"exec", "cache_statement", "cache_statement&plan_cache_mode=force_custom_plan", "cache_describe", "exec"} {
		b.Run(mode, func(b *testing.B) {
			_, pool := openOnPool(b, url+"&default_query_exec_mode="+mode, 1)
			var id, role, status, email, first, last string
			for b.Loop() {
				err := pool.QueryRow(h.Ctx, query, o.Org.ID, o.Owner.ID).Scan(&id, &role, &status, &email, &first, &last)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
