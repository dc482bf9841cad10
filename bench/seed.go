package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql over pgx for the seed
)

// seedToken is the marker in the template user's names and email that each clone replaces
// with its own number.
const seedToken = "tmplzq"

// cloneOrder lists the tables a SCIM user lives in, parents first; tables found to hold the
// template's rows that are not listed here are cloned after them.
var cloneOrder = []string{"users", "memberships", "scim_users", "scim_user_emails"}

// notCloned are tables with rows about the template that must not be copied per clone.
var notCloned = []string{"audit_events", "outbox", "scim_requests", "scim_request_counts", "goose_db_version", "settings", "orgs"}

// serverDB opens the server's own database (postgres URL or sqlite file) with database/sql.
func serverDB(backend, dsn string) (*sql.DB, error) {
	if backend == "postgres" {
		return sql.Open("pgx", dsn)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "foreign_keys(1)")
	return sql.Open("sqlite", "file:"+dsn+"?"+q.Encode())
}

// seedClones copies the template SCIM user (scimID, created through the API with seedToken in
// its userName, names and email) n times by bulk SQL into every table that holds a row about
// it, so the clones look exactly as if SCIM had created them. Each clone's ids keep the
// template id's first 24 characters and end in the clone's number (still UUIDs), its names
// and email have seedToken replaced by b<number>. It returns the ids of the SCIM users made.
func seedClones(ctx context.Context, db *sql.DB, backend, scimID string, n int) ([]string, error) {
	var userID, membershipID string
	q := "SELECT user_id, membership_id FROM scim_users WHERE id = " + ph(backend, 1)
	if err := db.QueryRowContext(ctx, q, scimID).Scan(&userID, &membershipID); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	ids := []string{userID, membershipID, scimID}
	tables, err := listTables(ctx, db, backend)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if slices.Contains(notCloned, t.name) {
			continue
		}
		where := t.matching(ids)
		if where == "" {
			continue
		}
		var count int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t.name+" WHERE "+where).Scan(&count); err != nil {
			return nil, fmt.Errorf("probe %s: %w", t.name, err)
		}
		if count == 0 {
			continue
		}
		if _, err := db.ExecContext(ctx, cloneSQL(backend, t, ids, where, n)); err != nil {
			return nil, fmt.Errorf("clone into %s: %w", t.name, err)
		}
		logf("seed: %d rows into %s", n*count, t.name)
	}
	for _, s := range []string{
		`UPDATE orgs SET seats_used = (SELECT COUNT(*) FROM memberships m
			WHERE m.org_id = orgs.id AND m.status = 'active' AND m.role <> 'viewer')`,
		analyzeSQL(backend),
		checkpointSQL(backend),
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			logf("seed: %s: %v (ignored)", strings.Fields(s)[0], err)
		}
	}
	out := make([]string, n)
	for i := range n {
		out[i] = cloneID(scimID, i+1)
	}
	return out, nil
}

// analyzeSQL refreshes the statistics after the bulk load and, on Postgres, does what
// autovacuum does shortly after one: VACUUM sets the visibility map, so index-only scans (the
// deep SCIM page's offset walk) stay in the index rather than visiting every heap row.
func analyzeSQL(backend string) string {
	if backend == "sqlite" {
		return "ANALYZE"
	}
	return "VACUUM ANALYZE"
}

// checkpointSQL writes the bulk load out of the database's buffers and log, so that the
// workloads after the seed pay for their own writes, not for evicting the seed's dirty pages.
func checkpointSQL(backend string) string {
	if backend == "sqlite" {
		return "PRAGMA wal_checkpoint(TRUNCATE)"
	}
	return "CHECKPOINT"
}

// cloneID is the id of clone i of the row whose id is id.
func cloneID(id string, i int) string { return fmt.Sprintf("%s%012d", id[:24], i) }

// table is one table of the server's schema: its name and insertable columns.
type table struct {
	name    string
	columns []string
	text    map[string]bool
}

// matching is the condition selecting the rows whose text columns hold one of ids.
func (t table) matching(ids []string) string {
	var or []string
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = "'" + id + "'"
	}
	for _, c := range t.columns {
		if t.text[c] {
			or = append(or, c+" IN ("+strings.Join(quoted, ", ")+")")
		}
	}
	return strings.Join(or, " OR ")
}

// cloneSQL is the INSERT … SELECT that copies the template rows of t n times.
func cloneSQL(backend string, t table, ids []string, where string, n int) string {
	pad, series := "lpad(s.bench_i::text, 12, '0')", fmt.Sprintf("generate_series(1, %d) AS s(bench_i)", n)
	prefix := ""
	if backend == "sqlite" {
		pad, series = "printf('%012d', s.bench_i)", "s"
		prefix = fmt.Sprintf("WITH RECURSIVE s(bench_i) AS (SELECT 1 UNION ALL SELECT bench_i + 1 FROM s WHERE bench_i < %d) ", n)
	}
	exprs := make([]string, len(t.columns))
	for i, c := range t.columns {
		e := c
		if t.text[c] {
			for _, id := range ids {
				e = fmt.Sprintf("replace(%s, '%s', '%s' || %s)", e, id, id[:24], pad)
			}
			e = fmt.Sprintf("replace(%s, '%s', 'b' || s.bench_i)", e, seedToken)
		}
		exprs[i] = e
	}
	return prefix + "INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ") SELECT " +
		strings.Join(exprs, ", ") + " FROM " + t.name + ", " + series + " WHERE " + where
}

// listTables reads the schema's ordinary tables (cloneOrder first) and their columns,
// leaving out generated columns and full-text index tables.
func listTables(ctx context.Context, db *sql.DB, backend string) ([]table, error) {
	var names []string
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`
	if backend == "sqlite" {
		q = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, s)
	}
	rows.Close()
	virtual := virtualTables(ctx, db, backend)
	names = slices.DeleteFunc(names, func(n string) bool {
		return slices.ContainsFunc(virtual, func(v string) bool { return strings.HasPrefix(n, v+"_") })
	})
	slices.SortFunc(names, func(a, b string) int {
		ia, ib := slices.Index(cloneOrder, a), slices.Index(cloneOrder, b)
		if ia < 0 {
			ia = len(cloneOrder)
		}
		if ib < 0 {
			ib = len(cloneOrder)
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	var out []table
	for _, n := range names {
		t, err := columns(ctx, db, backend, n)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func virtualTables(ctx context.Context, db *sql.DB, backend string) []string {
	if backend != "sqlite" {
		return nil
	}
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if rows.Scan(&s) == nil {
			out = append(out, s)
		}
	}
	return out
}

// columns reads one table's insertable columns and which of them hold text.
func columns(ctx context.Context, db *sql.DB, backend, name string) (table, error) {
	q := `SELECT column_name, data_type, is_generated <> 'NEVER' FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`
	if backend == "sqlite" {
		q = `SELECT name, type, hidden <> 0 FROM pragma_table_xinfo(?)`
	}
	rows, err := db.QueryContext(ctx, q, name)
	if err != nil {
		return table{}, err
	}
	defer rows.Close()
	t := table{name: name, text: map[string]bool{}}
	for rows.Next() {
		var col, typ string
		var generated bool
		if err := rows.Scan(&col, &typ, &generated); err != nil {
			return table{}, err
		}
		if generated {
			continue
		}
		t.columns = append(t.columns, `"`+col+`"`)
		typ = strings.ToLower(typ)
		t.text[`"`+col+`"`] = typ == "text" || strings.Contains(typ, "char")
	}
	return t, rows.Err()
}

// ph is the n-th placeholder of the backend's SQL.
func ph(backend string, n int) string {
	if backend == "sqlite" {
		return "?"
	}
	return fmt.Sprintf("$%d", n)
}
