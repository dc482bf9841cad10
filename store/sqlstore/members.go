package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rollcall/rollcall/provisioning"
)

// epoch stands in for "never active" so that last-active sorts and cursors compare plain values.
var epoch = time.Unix(0, 0).UTC()

// GetMember reads one member of an org with their user.
func (t *Tx) GetMember(ctx context.Context, orgID, membershipID string) (provisioning.Member, error) {
	var out provisioning.Member
	err := t.queryOne(ctx, "member", `SELECT `+membershipColumns+`, u.email, u.first_name, u.last_name
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.id = $2`,
		[]any{orgID, membershipID}, func(r Rows) error { return scanMember(r, &out) })
	return out, err
}

func scanMember(r Rows, out *provisioning.Member) error {
	var m provisioning.Membership
	var email, first, last string
	if err := scanMembership(r, &m, &email, &first, &last); err != nil {
		return err
	}
	*out = provisioning.Member{Membership: m, Email: email, FirstName: first, LastName: last, HasSeat: m.HasSeat()}
	return nil
}

// ListMembers returns one page of members matching q.
func (t *Tx) ListMembers(ctx context.Context, q provisioning.MemberQuery) ([]provisioning.Member, error) {
	var out []provisioning.Member
	err := t.EachMember(ctx, q, func(m provisioning.Member) error {
		out = append(out, m)
		return nil
	})
	return out, err
}

// serialPageRows is the largest member page Postgres may plan with parallel workers.
const serialPageRows = 500

// EachMember streams members matching q in sort order.
func (t *Tx) EachMember(ctx context.Context, q provisioning.MemberQuery, fn func(provisioning.Member) error) error {
	query, args, err := MemberListSQL(q, t.d.Dialect())
	if err != nil {
		return err
	}
	for _, set := range MemberListSettings(q, t.d.Dialect()) {
		if err := t.execLater(ctx, "member list setting", set); err != nil {
			return err
		}
	}
	return t.queryRows(ctx, query, args, func(r Rows) error {
		var m provisioning.Member
		if err := scanMember(r, &m); err != nil {
			return err
		}
		return fn(m)
	})
}

// sqlBuilder collects WHERE clauses and numbered arguments; org is the placeholder of the
// org id, for subqueries that scope themselves to it.
type sqlBuilder struct {
	where []string
	args  []any
	org   string
}

func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

func (b *sqlBuilder) add(clause string) { b.where = append(b.where, clause) }

func sortExpr(s provisioning.SortKey, b *sqlBuilder) string {
	switch s {
	case provisioning.SortByEmail:
		return "m.email"
	case provisioning.SortByJoined:
		return "m.joined_at"
	case provisioning.SortByLastActive:
		return "COALESCE(m.last_active_at, " + b.arg(epoch) + ")"
	default:
		return "m.sort_name"
	}
}

func cursorValue(s provisioning.SortKey, key string) (any, error) {
	if s != provisioning.SortByJoined && s != provisioning.SortByLastActive {
		return key, nil
	}
	if key == "" {
		return epoch, nil
	}
	ts, err := time.Parse(time.RFC3339Nano, key)
	if err != nil {
		return nil, provisioning.Invalidf("cursor", "cursor is not valid for this sort")
	}
	return ts.UTC(), nil
}

func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// MemberListSettings are the SET LOCAL statements a member list runs before its query
// (exported for the EXPLAIN tests of store/postgres). On Postgres: a search is planned for its
// pattern, as a generic plan cannot know how rare it is and would read the whole org in name
// order to find one person; and a page of thousands (an export's) is read without parallel
// workers, whose start costs several times the page on a small machine (275 ms against 43 ms
// for 5,000 members in name order), the index being read in order either way.
func MemberListSettings(q provisioning.MemberQuery, dialect string) []string {
	if dialect != "postgres" {
		return nil
	}
	var out []string
	if q.Search != "" {
		out = append(out, "SET LOCAL plan_cache_mode = force_custom_plan")
	}
	if q.Limit == 0 || q.Limit > serialPageRows {
		out = append(out, "SET LOCAL max_parallel_workers_per_gather = 0")
	}
	return out
}

// MemberListSQL renders the statement and arguments of a member list (exported for the
// EXPLAIN tests of store/postgres). It reads the membership side: the sort and search keys are
// copies on memberships, so a page of a large org is one ordered index range of that org
// (see migration 00014), and users are joined only for the rows returned.
func MemberListSQL(q provisioning.MemberQuery, dialect string) (string, []any, error) {
	b := &sqlBuilder{}
	b.add("m.org_id = " + b.arg(q.OrgID))
	if q.Status == "" {
		b.add("m.status <> 'removed'")
	} else {
		b.add("m.status = " + b.arg(string(q.Status)))
	}
	if q.Search != "" {
		addSearch(b, q.Search, dialect)
	}
	if q.Role != "" {
		b.add("m.role = " + b.arg(string(q.Role)))
	}
	switch q.Seat {
	case provisioning.SeatWith:
		b.add("(m.status = 'active' AND m.role <> 'viewer')")
	case provisioning.SeatWithout:
		b.add("(m.status <> 'active' OR m.role = 'viewer')")
	}
	if !q.LastActiveBefore.IsZero() {
		b.add("m.last_active_at < " + b.arg(utc(q.LastActiveBefore)))
	}
	if !q.LastActiveAfter.IsZero() {
		b.add("m.last_active_at > " + b.arg(utc(q.LastActiveAfter)))
	}
	key := sortExpr(q.Sort, b)
	dir, cmp := "ASC", ">"
	if q.Desc {
		dir, cmp = "DESC", "<"
	}
	if q.After != nil {
		v, err := cursorValue(q.Sort, q.After.Key)
		if err != nil {
			return "", nil, err
		}
		// A row comparison, which both databases run as the start of an index range.
		b.add(fmt.Sprintf("(%s, m.id) %s (%s, %s)", key, cmp, b.arg(v), b.arg(q.After.ID)))
	}
	query := `SELECT ` + membershipColumns + `, m.email, u.first_name, u.last_name
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE ` + strings.Join(b.where, " AND ") + fmt.Sprintf(" ORDER BY %s %s, m.id %s", key, dir, dir)
	if q.Limit > 0 {
		query += " LIMIT " + b.arg(q.Limit)
	}
	return query, b.args, nil
}

// addSearch matches a substring of the email or sort name, case-insensitively. The sort name
// holds the lower-cased email (provisioning.SortName), so matching the sort name alone matches
// both. On Postgres the org-scoped trigram index memberships_search serves the LIKE itself; on
// SQLite the FTS5 trigram index narrows the rows first (a phrase of three or more characters),
// and the same LIKE decides, so both stores return the same members.
func addSearch(b *sqlBuilder, search, dialect string) {
	p := b.arg(likePattern(search))
	if phrase := strings.ToLower(search); dialect == "sqlite" && utf8.RuneCountInString(phrase) >= 3 {
		b.add("m.rowid IN (SELECT rowid FROM memberships_search WHERE memberships_search MATCH " +
			b.arg(`"`+strings.ReplaceAll(phrase, `"`, `""`)+`"`) + ")")
	}
	b.add("m.sort_name LIKE " + p + ` ESCAPE '\'`)
}

// ListUserOrgs lists a user's memberships that are not removed, with their orgs.
func (t *Tx) ListUserOrgs(ctx context.Context, userID string) ([]provisioning.UserOrg, error) {
	var out []provisioning.UserOrg
	err := t.queryRows(ctx, `SELECT `+membershipColumns+`, o.slug, o.name FROM memberships m
		JOIN orgs o ON o.id = m.org_id WHERE m.user_id = $1 AND m.status <> 'removed' ORDER BY o.name, o.id`,
		[]any{userID}, func(r Rows) error {
			var uo provisioning.UserOrg
			if err := scanMembership(r, &uo.Membership, &uo.Org.Slug, &uo.Org.Name); err != nil {
				return err
			}
			uo.Org.ID, uo.HasSeat = uo.Membership.OrgID, uo.Membership.HasSeat()
			out = append(out, uo)
			return nil
		})
	return out, err
}
