package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/sqlite"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestDialectsHaveOneSchema migrates both backends and compares what the two migration sets
// build: the same tables with the same columns, and the same indexes (by name, uniqueness and
// columns). Types differ by dialect on purpose (TEXT times on SQLite); names must not. The
// one structure built differently on purpose is the member search index (memberships_search*):
// trigram GIN indexes on Postgres, an FTS5 trigram table on SQLite.
func TestDialectsHaveOneSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "schema.db")
	lite, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if err := lite.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	url := storetest.PostgresURL(t)
	pg, err := postgres.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	want, got := withoutSearch(sqliteSchema(t, path)), withoutSearch(postgresSchema(t, url))
	for _, line := range want {
		if !slices.Contains(got, line) {
			t.Errorf("only on SQLite: %s", line)
		}
	}
	for _, line := range got {
		if !slices.Contains(want, line) {
			t.Errorf("only on Postgres: %s", line)
		}
	}
	if len(want) < 50 {
		t.Fatalf("read only %d schema lines from SQLite", len(want))
	}
}

// withoutSearch drops the lines of the member search index, whose shape is per dialect.
func withoutSearch(lines []string) []string {
	return slices.DeleteFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, "memberships_search") || strings.HasPrefix(l, "index memberships_search")
	})
}

// sqliteSchema lists "table.column" and "index name on table(columns) unique?" lines.
func sqliteSchema(t *testing.T, path string) []string {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	for _, q := range []string{
		`SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
		 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`,
		`SELECT 'index ' || il.name || ' on ' || m.name || '(' ||
		   (SELECT group_concat(ii.name, ',') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno) ii) ||
		   ')' || CASE il."unique" WHEN 1 THEN ' unique' ELSE '' END
		 FROM sqlite_master m, pragma_index_list(m.name) il
		 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version' AND il.origin = 'c'`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, lines(t, rows)...)
		rows.Close()
	}
	return out
}

// postgresSchema lists the same lines as sqliteSchema from the catalog.
func postgresSchema(t *testing.T, url string) []string {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var out []string
	for _, q := range []string{
		`SELECT table_name || '.' || column_name FROM information_schema.columns
		 WHERE table_schema = 'public' AND table_name <> 'goose_db_version'`,
		`SELECT 'index ' || i.relname || ' on ' || t.relname || '(' ||
		   (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n)
		    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) ||
		   ')' || CASE WHEN ix.indisunique THEN ' unique' ELSE '' END
		 FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
		 JOIN pg_namespace ns ON ns.oid = t.relnamespace
		 WHERE ns.nspname = 'public' AND t.relname <> 'goose_db_version' AND NOT ix.indisprimary
		   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('u', 'p'))`,
	} {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, lines(t, rows)...)
		rows.Close()
	}
	return out
}

// lines reads one lower-cased string per row.
func lines(t *testing.T, rows interface {
	Next() bool
	Scan(...any) error
}) []string {
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.ToLower(s))
	}
	return out
}
