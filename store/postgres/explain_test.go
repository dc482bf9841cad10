package postgres_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rollcall/rollcall/store/postgres"
	"github.com/rollcall/rollcall/store/sqlstore"
	"github.com/rollcall/rollcall/store/storetest"
)

// explainMembers is the size of the org the plans are checked on: large enough that a scan of
// the org or of the installation costs more than its indexes.
const explainMembers = 20000

var (
	seqScan  = regexp.MustCompile(`Seq Scan on (users|memberships|scim_users|scim_user_emails|scim_group_members)\b`)
	sortNode = regexp.MustCompile(`\bSort  \(cost`)
)

// TestLargeOrgPlans checks with EXPLAIN that the member-list sorts, q search (a rare one on the
// org-scoped trigram index), role filter and the SCIM list filters and deep page (its total from
// the org's count) of a large org read indexes, never a sequential scan of users or
// memberships, and that the sorted lists read their index in order (no sort of the org). It
// checks the custom plan and the generic plan a prepared statement falls back to, on fresh
// statistics and on tables never analyzed (autovacuum off), so the plans do not depend on
// statistics being current.
func TestLargeOrgPlans(t *testing.T) {
	for _, stale := range []bool{false, true} {
		name := "analyzed"
		if stale {
			name = "never_analyzed"
		}
		t.Run(name, func(t *testing.T) { checkLargeOrgPlans(t, stale) })
	}
}

func checkLargeOrgPlans(t *testing.T, stale bool) {
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	db, err := postgres.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(ctx context.Context, q string, args ...any) error {
		_, err := conn.Exec(ctx, q, args...)
		return err
	}
	if stale {
		for _, table := range []string{"users", "memberships", "scim_users", "scim_user_emails", "scim_group_members"} {
			if err := exec(ctx, "ALTER TABLE "+table+" SET (autovacuum_enabled = false)"); err != nil {
				t.Fatal(err)
			}
		}
	}
	h := storetest.NewHarness(t, db)
	o := storetest.SeedLargeOrg(t, h, exec, "postgres", explainMembers, stale)
	if !stale {
		// What autovacuum does after a bulk load: the visibility map lets the deep page's
		// offset walk stay in the index.
		if err := exec(ctx, "VACUUM ANALYZE scim_users"); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range storetest.LargeOrgCases(o) {
		var stmts, settings []string
		var args [][]any
		if c.Members != nil {
			settings = sqlstore.MemberListSettings(*c.Members, "postgres")
			if c.Name == "members_export_page" {
				// Parallel workers made cheap, as the planner sees them on a large org: the
				// store's settings must still keep the page serial.
				settings = append([]string{"SET LOCAL parallel_setup_cost = 0", "SET LOCAL parallel_tuple_cost = 0",
					"SET LOCAL min_parallel_index_scan_size = 0", "SET LOCAL min_parallel_table_scan_size = 0"}, settings...)
			}
			q, a, err := sqlstore.MemberListSQL(*c.Members, "postgres")
			if err != nil {
				t.Fatal(err)
			}
			stmts, args = []string{q}, [][]any{a}
		} else {
			count, page, a, err := sqlstore.DirectoryUserListSQL(*c.Users)
			if err != nil {
				t.Fatal(err)
			}
			stmts = []string{count, page}
			args = [][]any{a, append(append([]any{}, a...), c.Users.Limit, c.Users.Offset)}
			if c.Users.Filter == nil {
				// A deep page from an anchor the store remembered.
				stmts = append(stmts, sqlstore.DirectoryUserAnchoredPageSQL)
				args = append(args, []any{c.Users.OrgID, "s50000", 0, c.Users.Limit + 1})
			}
		}
		for i, stmt := range stmts {
			if c.Users != nil && c.Users.Filter == nil && i > 0 {
				settings, _ = sqlstore.DirectoryPageSettings("postgres")
			}
			for _, generic := range []bool{false, true} {
				if generic && c.Members != nil && c.Members.Search != "" {
					continue // the store plans every search for its pattern (force_custom_plan)
				}
				plan := explain(t, conn, settings, stmt, args[i], generic)
				checkPlan(t, c.Name, stale, i == 1, i == 2, plan)
			}
		}
	}
	checkLockMembersPlan(t, conn, o.OrgID, stale)
}

// checkLockMembersPlan: the batch lock of a large group change finds its memberships by
// primary key, never by a walk of the org.
func checkLockMembersPlan(t *testing.T, conn *pgx.Conn, orgID string, stale bool) {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT id FROM memberships WHERE org_id = $1 ORDER BY md5(id) LIMIT 500`, orgID)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	args := []any{orgID, ids}
	for _, generic := range []bool{false, true} {
		plan := explain(t, conn, nil, sqlstore.LockMembersSQL("postgres", len(ids)), args, generic)
		if !strings.Contains(plan, "memberships_pkey") {
			t.Errorf("LockMembersByID (stale=%v, generic=%v) does not look its %d ids up by key:\n%s", stale, generic, len(ids), plan)
		}
	}
}

// explain returns the plan of stmt: the custom plan for args, or the generic plan of the
// prepared statement.
func explain(t *testing.T, conn *pgx.Conn, settings []string, stmt string, args []any, generic bool) string {
	t.Helper()
	ctx := context.Background()
	if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, "ROLLBACK")
	for _, set := range settings {
		if _, err := conn.Exec(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	mode := "force_custom_plan"
	if generic {
		mode = "force_generic_plan"
	}
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = "+mode); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "PREPARE listing AS "+stmt); err != nil {
		t.Fatalf("prepare: %v\n%s", err, stmt)
	}
	params := make([]string, len(args))
	for i, a := range args {
		params[i] = literal(t, a)
	}
	rows, err := conn.Query(ctx, "EXPLAIN EXECUTE listing("+strings.Join(params, ",")+")")
	if err != nil {
		t.Fatalf("explain: %v\n%s", err, stmt)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "DEALLOCATE listing"); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// literal renders an argument of the store's statements as SQL (EXECUTE takes no parameters).
func literal(t *testing.T, a any) string {
	switch v := a.(type) {
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return "'" + v.Format(time.RFC3339Nano) + "'"
	case []string:
		quoted := make([]string, len(v))
		for i, s := range v {
			quoted[i] = literal(t, s)
		}
		return "ARRAY[" + strings.Join(quoted, ",") + "]::text[]"
	}
	t.Fatalf("no literal for %T", a)
	return ""
}

func checkPlan(t *testing.T, name string, stale, page, anchored bool, plan string) {
	t.Helper()
	if m := seqScan.FindString(plan); m != "" {
		t.Errorf("%s (stale=%v): %s\n%s", name, stale, m, plan)
	}
	switch {
	case strings.HasPrefix(name, "members_by_") && sortNode.MatchString(plan) && !(stale && strings.HasSuffix(name, "_page_2")):
		// Never analyzed, the planner takes a cursor's range for a few rows and sorts them
		// (a bitmap scan of the index, still no scan of the org or the installation).
		t.Errorf("%s (stale=%v): sorts instead of reading its index in order\n%s", name, stale, plan)
	case name == "members_export_page" && strings.Contains(plan, "Gather"):
		t.Errorf("%s (stale=%v): an export page starts parallel workers\n%s", name, stale, plan)
	case name == "members_q_rare" && !stale && !strings.Contains(plan, "memberships_search "):
		t.Errorf("%s: a rare search does not use the org's trigram index\n%s", name, plan)
	case name == "scim_work_email_eq" && !strings.Contains(plan, "scim_user_emails_org_value"):
		t.Errorf("%s (stale=%v): does not use scim_user_emails_org_value\n%s", name, stale, plan)
	case name == "scim_page_start_50000" && !page && !strings.Contains(plan, "scim_user_counts"):
		t.Errorf("%s (stale=%v): totalResults counts the org instead of reading its count\n%s", name, stale, plan)
	case name == "scim_page_start_50000" && page && !strings.Contains(plan, "Index Only Scan using scim_users_org_id"):
		t.Errorf("%s: the offset is not walked in the index alone\n%s", name, plan)
	case name == "scim_page_start_50000" && anchored && !strings.Contains(plan, "Index Scan using scim_users_org_id"):
		t.Errorf("%s (stale=%v): the page from an anchor is not one range of the org's index\n%s", name, stale, plan)
	}
	if testing.Verbose() {
		t.Logf("%s (stale=%v):\n%s", name, stale, plan)
	}
}
