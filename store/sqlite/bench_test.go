package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/store/sqlite"
	"github.com/rollcall/rollcall/store/storetest"
)

// BenchmarkLargeOrg is the SQLite side of store/postgres's BenchmarkLargeOrg: the same org,
// the same reads. Reported, not asserted.
func BenchmarkLargeOrg(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "large.db")
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	exec := func(ctx context.Context, q string, args ...any) error {
		_, err := raw.ExecContext(ctx, strings.NewReplacer("$1", "?1", "$2", "?2", "$3", "?3").Replace(q), args...)
		return err
	}
	h := storetest.NewHarness(b, db)
	o := storetest.SeedLargeOrg(b, h, exec, "sqlite", storetest.BenchMembers(), false)
	storetest.BenchLargeOrg(b, h, o)
}
