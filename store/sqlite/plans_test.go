package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/store/sqlite"
	"github.com/rollcall/rollcall/store/sqlstore"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestLargeOrgPlans checks with EXPLAIN QUERY PLAN that on SQLite, too, the reads of a large
// org, analyzed or never analyzed, search the org's index ranges: no scan of a whole table or index (SCAN), and the sorted
// member lists read their index in order (no temporary B-tree for ORDER BY).
func TestLargeOrgPlans(t *testing.T) {
	t.Run("analyzed", func(t *testing.T) { largeOrgPlans(t, false) })
	t.Run("never analyzed", func(t *testing.T) { largeOrgPlans(t, true) })
}

func largeOrgPlans(t *testing.T, stale bool) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "plans.db")
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rebind := strings.NewReplacer("$1", "?1", "$2", "?2", "$3", "?3", "$4", "?4", "$5", "?5", "$6", "?6")
	exec := func(ctx context.Context, q string, args ...any) error {
		_, err := raw.ExecContext(ctx, rebind.Replace(q), args...)
		return err
	}
	h := storetest.NewHarness(t, db)
	o := storetest.SeedLargeOrg(t, h, exec, "sqlite", 2000, stale)
	for _, c := range storetest.LargeOrgCases(o) {
		var stmts []string
		var args [][]any
		if c.Members != nil {
			q, a, err := sqlstore.MemberListSQL(*c.Members, "sqlite")
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
		}
		for i, stmt := range stmts {
			plan := queryPlan(t, raw, rebind.Replace(stmt), sqlstore.SQLiteArgs(args[i]))
			text := strings.Join(plan, "\n")
			for _, line := range plan {
				if strings.HasPrefix(line, "SCAN ") && !strings.HasPrefix(line, "SCAN memberships_search VIRTUAL TABLE") {
					t.Errorf("%s: %s\n%s", c.Name, line, text)
				}
			}
			if strings.HasPrefix(c.Name, "members_by_") && strings.Contains(text, "TEMP B-TREE FOR ORDER BY") {
				t.Errorf("%s: sorts instead of reading its index in order\n%s", c.Name, text)
			}
			if testing.Verbose() {
				t.Logf("%s:\n%s", c.Name, text)
			}
		}
	}
	checkLockMembersPlan(t, raw, o.OrgID)
}

// checkLockMembersPlan: the batch lock of a large group change finds its memberships by primary
// key, for every batch size up to a statement's, not by a walk of the org's index range.
func checkLockMembersPlan(t *testing.T, raw *sql.DB, orgID string) {
	for _, n := range []int{1, 3, 100, 255} {
		args := []any{orgID}
		for i := range n {
			args = append(args, fmt.Sprintf("m%d", i))
		}
		plan := queryPlan(t, raw, strings.ReplaceAll(sqlstore.LockMembersSQL("sqlite", n), "$", "?"), args)
		if text := strings.Join(plan, "\n"); !strings.Contains(text, "SEARCH m USING INDEX sqlite_autoindex_memberships_1 (id=?)") {
			t.Errorf("LockMembersByID with %d ids does not look them up by id:\n%s", n, text)
		}
	}
}

// queryPlan returns the detail lines of EXPLAIN QUERY PLAN for stmt with args.
func queryPlan(t *testing.T, raw *sql.DB, stmt string, args []any) []string {
	t.Helper()
	rows, err := raw.Query("EXPLAIN QUERY PLAN "+stmt, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stmt)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}
