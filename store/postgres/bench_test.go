package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/storetest"
)

// BenchmarkLargeOrg seeds an org of storetest.BenchMembers() members (100,000) next to one of
// half as many, and measures the member-list sorts and searches and the SCIM list filters and
// deep page of issue 16. Reported, not asserted.
func BenchmarkLargeOrg(b *testing.B) {
	ctx := context.Background()
	url := storetest.PostgresURL(b)
	db, err := postgres.Open(ctx, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(ctx context.Context, q string, args ...any) error {
		_, err := conn.Exec(ctx, q, args...)
		return err
	}
	h := storetest.NewHarness(b, db)
	o := storetest.SeedLargeOrg(b, h, exec, "postgres", storetest.BenchMembers(), false)
	if err := exec(ctx, "VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}
	storetest.BenchLargeOrg(b, h, o)
}
