package storetest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// Exec runs one statement with $1-style placeholders on the raw database.
type Exec func(ctx context.Context, query string, args ...any) error

// LargeOrg is an org filled by SeedLargeOrg: Members people (every one also a SCIM user with a
// work email, and all of them in one SCIM group), next to a second org of Members/2 others so
// that a query scanning the installation instead of the org shows.
type LargeOrg struct {
	OrgID, GroupID string
	Members        int
}

// Email is the address of the i-th member (1-based) of the large org.
func (o LargeOrg) Email(i int) string { return fmt.Sprintf("user%d@big.example", i) }

// SeedLargeOrg creates the org through the service and bulk-inserts its members with
// SeedMembers (members 1 to n, then n+1 to n+n/2 in the other org), then refreshes the
// statistics unless stale is set.
func SeedLargeOrg(t testing.TB, h *Harness, exec Exec, dialect string, n int, stale bool) LargeOrg {
	t.Helper()
	o := LargeOrg{OrgID: h.CreateOrg("big", -1, "owner@big.example").Org.ID, GroupID: "g-all", Members: n}
	other := h.CreateOrg("other", -1, "owner@other.example").Org.ID
	SeedMembers(t, h, exec, dialect, o.OrgID, 1, n)
	SeedMembers(t, h, exec, dialect, other, n+1, n/2)
	err := exec(h.Ctx, `INSERT INTO scim_groups (id, org_id, display_name, display_name_key, external_id,
		attrs_json, version, created_at, updated_at) VALUES ('g-all', $1, 'Everyone', 'everyone', '', '{}', 1, $2, $2)`,
		o.OrgID, h.Clock.Now())
	if err == nil {
		err = exec(h.Ctx, `INSERT INTO scim_group_members (group_id, scim_user_id, org_id)
			SELECT 'g-all', id, org_id FROM scim_users WHERE org_id = $1`, o.OrgID)
	}
	if err == nil && !stale {
		err = exec(h.Ctx, "ANALYZE")
	}
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return o
}

// SeedMembers bulk-inserts into the existing org orgID the n members numbered first to
// first+n-1 with SQL (generate_series on Postgres, a recursive CTE on SQLite), bypassing the
// service, and returns their SCIM user ids in number order. Member i is user u<i> with email
// user<i>@big.example, membership m<i> (its sort name and email copied from the user, as the
// store writes them) and SCIM user s<i> with one work email. Every 1,000th is an admin, every
// 10th a viewer; every 50th is suspended (its SCIM user inactive). The numbers are the ids, so
// seeds into one database must use disjoint ranges (a collision fails the test). An org with
// a seat limit gets its seat counter recounted; the SCIM user count follows by trigger.
func SeedMembers(t testing.TB, h *Harness, exec Exec, dialect, orgID string, first, n int) []string {
	t.Helper()
	if n <= 0 {
		return nil
	}
	for _, q := range seedStatements(dialect) {
		if err := exec(h.Ctx, q, orgID, first, first+n-1); err != nil {
			t.Fatalf("seed: %v\n%s", err, q)
		}
	}
	if err := exec(h.Ctx, `UPDATE orgs SET seats_used = (SELECT COUNT(*) FROM memberships m
		WHERE m.org_id = orgs.id AND m.status = 'active' AND m.role <> 'viewer')
		WHERE id = $1 AND seat_limit >= 0`, orgID); err != nil {
		t.Fatalf("seed: seat counter: %v", err)
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "s" + strconv.Itoa(first+i)
	}
	return ids
}

// seedStatements insert users, memberships, SCIM users and their work emails numbered $2 to $3
// into org $1.
func seedStatements(dialect string) []string {
	series := "generate_series($2::int, $3::int) AS s(i)"
	ts := "(TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '1 second')"
	if dialect == "sqlite" {
		series = "(WITH RECURSIVE s(i) AS (SELECT $2 UNION ALL SELECT i + 1 FROM s WHERE i < $3) SELECT i FROM s) s"
		ts = "strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2026-01-01', '+' || i || ' seconds')"
	}
	email := "'user' || i || '@big.example'"
	sortName := "'first' || i || ' last' || (i % 997) || ' ' || " + email
	qs := []string{
		`INSERT INTO users (id, email, first_name, last_name, sort_name, email_verified, created_at, updated_at)
		 SELECT 'u' || i, ` + email + `, 'First' || i, 'Last' || (i % 997),
		        {sort}, TRUE, {ts}, {ts} FROM {series}
		 WHERE CAST($1 AS TEXT) <> ''`,
		`INSERT INTO memberships (id, org_id, user_id, role, status, source, external_id, groups_json,
		        joined_at, last_active_at, updated_at, sort_name, email)
		 SELECT 'm' || i, $1, 'u' || i,
		        CASE WHEN i % 1000 = 0 THEN 'admin' WHEN i % 10 = 0 THEN 'viewer' ELSE 'member' END,
		        CASE WHEN i % 50 = 0 THEN 'suspended' ELSE 'active' END, 'scim', 'ext' || i, '[]',
		        {ts}, CASE WHEN i % 2 = 0 THEN {ts} END, {ts}, {sort}, ` + email + ` FROM {series}`,
		`INSERT INTO scim_users (id, org_id, user_id, membership_id, user_name, user_name_key, external_id,
		        display_name, given_name, family_name, active, attrs_json, version, created_at, updated_at)
		 SELECT 's' || i, $1, 'u' || i, 'm' || i, ` + email + `, ` + email + `, 'ext' || i,
		        'First' || i || ' Last' || (i % 997), 'First' || i, 'Last' || (i % 997), i % 50 <> 0,
		        '{"userName":"' || ` + email + ` || '"}', 1, {ts}, {ts}
		 FROM {series}`,
		`INSERT INTO scim_user_emails (scim_user_id, org_id, position, type, value, value_key, is_primary)
		 SELECT 's' || i, $1, 0, 'work', ` + email + `, ` + email + `, TRUE FROM {series}`,
	}
	for i, q := range qs {
		qs[i] = strings.NewReplacer("{series}", series, "{ts}", ts, "{sort}", sortName).Replace(q)
	}
	return qs
}

// LargeOrgCase is one read of a large org, as the benchmarks and the EXPLAIN tests run it.
type LargeOrgCase struct {
	Name    string
	Members *provisioning.MemberQuery
	Users   *provisioning.DirectoryQuery
}

// LargeOrgCases lists the member-list sorts and searches and the SCIM lists of issue 16.
func LargeOrgCases(o LargeOrg) []LargeOrgCase {
	members := func(q provisioning.MemberQuery) *provisioning.MemberQuery {
		q.OrgID, q.Limit = o.OrgID, 50
		return &q
	}
	users := func(f *provisioning.DirectoryFilter, offset int) *provisioning.DirectoryQuery {
		return &provisioning.DirectoryQuery{OrgID: o.OrgID, Filter: f, Offset: offset, Limit: 100}
	}
	eq := func(attr, v string) *provisioning.DirectoryFilter {
		return &provisioning.DirectoryFilter{Op: "cmp", Attr: attr, Cmp: "eq", Value: v}
	}
	work := &provisioning.DirectoryFilter{Op: "each", Each: "emails", Left: eq("type", "work")}
	mid := o.Email(o.Members / 2)
	return []LargeOrgCase{
		{Name: "members_by_name", Members: members(provisioning.MemberQuery{Sort: provisioning.SortByName})},
		{Name: "members_by_email", Members: members(provisioning.MemberQuery{Sort: provisioning.SortByEmail})},
		{Name: "members_by_joined_desc", Members: members(provisioning.MemberQuery{Sort: provisioning.SortByJoined, Desc: true})},
		{Name: "members_by_name_page_2", Members: members(provisioning.MemberQuery{Sort: provisioning.SortByName,
			After: &provisioning.Cursor{Key: "first5 last5 user5@big.example", ID: "m5"}})},
		{Name: "members_q_rare", Members: members(provisioning.MemberQuery{Search: fmt.Sprintf("user%d@", o.Members/3)})},
		{Name: "members_q_common", Members: members(provisioning.MemberQuery{Search: "last99"})},
		{Name: "members_q_short", Members: members(provisioning.MemberQuery{Search: "r77"})},
		{Name: "members_export_page", Members: &provisioning.MemberQuery{OrgID: o.OrgID, Limit: 1000, Sort: provisioning.SortByName,
			After: &provisioning.Cursor{Key: "first5 last5 user5@big.example", ID: "m5"}}},
		{Name: "members_role_admin", Members: members(provisioning.MemberQuery{Role: provisioning.RoleAdmin})},
		{Name: "members_suspended", Members: members(provisioning.MemberQuery{Status: provisioning.StatusSuspended})},
		{Name: "scim_username_eq", Users: users(eq("userName", mid), 0)},
		{Name: "scim_work_email_eq", Users: users(&provisioning.DirectoryFilter{Op: "each", Each: "emails",
			Left: &provisioning.DirectoryFilter{Op: "and", Left: work.Left, Right: eq("value", mid)}}, 0)},
		{Name: "scim_page_start_50000", Users: users(nil, min(50000, o.Members/2))},
	}
}
