package sqlstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// LockMembersByID reads memberships of an org with their users' emails (the copy each
// membership keeps), a batch of ids per statement, and write-locks the memberships (not the
// users) in id order until the transaction ends. Ids of other orgs and unknown ids are left
// out.
func (t *Tx) LockMembersByID(ctx context.Context, orgID string, ids []string) ([]provisioning.Member, error) {
	ids = dedupe(ids)
	slices.Sort(ids) // the order rows are locked in, the same for every caller
	var out []provisioning.Member
	for _, batch := range t.batches(ids) {
		args := []any{orgID, batch}
		if t.d.Dialect() != "postgres" {
			args = args[:1]
			for _, id := range batch {
				args = append(args, id)
			}
		}
		err := t.queryRows(ctx, LockMembersSQL(t.d.Dialect(), len(batch)), args, func(r Rows) error {
			var m provisioning.Member
			if err := scanMembership(r, &m.Membership, &m.Email); err != nil {
				return err
			}
			m.HasSeat = m.Membership.HasSeat()
			out = append(out, m)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LockMembersSQL is the statement LockMembersByID runs for n ids (ids in order): each
// membership is looked up by primary key, whatever the statistics say. The planners would
// otherwise read the org's whole range of an org index (SQLite, and Postgres on tables never
// analyzed) or scan the table (Postgres, when the ids are a few percent of it). On Postgres
// the ids are an array ($2), each looked up by a lateral subquery that locks its row, in the
// array's order; on SQLite (one writer, no row locks) the unary + keeps org_id a filter.
func LockMembersSQL(dialect string, n int) string {
	if dialect == "postgres" {
		return `SELECT l.* FROM unnest($2::text[]) AS v(id) CROSS JOIN LATERAL (SELECT ` + membershipColumns + `, m.email
			FROM memberships m WHERE m.id = v.id AND m.org_id = $1 OFFSET 0 FOR UPDATE) l`
	}
	return `SELECT ` + membershipColumns + `, m.email FROM memberships m WHERE +m.org_id = $1 AND m.id IN (` +
		placeholders(2, n) + `) ORDER BY m.id`
}

// UpdateMembershipRoles writes new roles (and updated_at) of memberships of one org, in two
// statements per 500 changes (per rowsPerStatement on SQLite): the org's seat counter moved
// by the seats the changes give and take (counted from the rows as they are before the
// update), then one UPDATE joined to the changes, which Postgres receives as arrays and SQLite
// as a VALUES list. Each membership is
// listed once; one that is not the org's is a not-found error.
func (t *Tx) UpdateMembershipRoles(ctx context.Context, orgID string, changes []provisioning.RoleChange) error {
	for len(changes) > 0 {
		batch := changes[:min(t.rowsPerStatement(3), len(changes))]
		changes = changes[len(batch):]
		var v string
		args := []any{orgID}
		if t.d.Dialect() == "postgres" {
			ids, roles, at := make([]string, len(batch)), make([]string, len(batch)), make([]time.Time, len(batch))
			for i, c := range batch {
				ids[i], roles[i], at[i] = c.MembershipID, string(c.Role), utc(c.UpdatedAt)
			}
			v = `WITH v AS (SELECT * FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS v(id, role, updated_at)) `
			args = append(args, ids, roles, at)
		} else {
			rows := make([]string, len(batch))
			for i, c := range batch {
				rows[i] = "(" + placeholders(len(args)+1, 3) + ")"
				args = append(args, c.MembershipID, string(c.Role), utc(c.UpdatedAt))
			}
			v = `WITH v(id, role, updated_at) AS (VALUES ` + strings.Join(rows, ",") + `) `
		}
		if t.locks[orgID] != orgShared {
			// Before the update: the delta is read from the memberships as they are now.
			_, err := t.exec(ctx, "org", v+`UPDATE orgs SET seats_used = seats_used + (SELECT COALESCE(SUM(
				CASE WHEN m.status = 'active' AND v.role <> 'viewer' THEN 1 ELSE 0 END -
				CASE WHEN m.status = 'active' AND m.role <> 'viewer' THEN 1 ELSE 0 END), 0)
				FROM memberships m JOIN v ON m.id = v.id WHERE m.org_id = $1) WHERE id = $1 AND seat_limit >= 0`, args...)
			if err != nil {
				return err
			}
		}
		n, err := t.exec(ctx, "membership", v+`UPDATE memberships SET role = v.role, updated_at = v.updated_at
			FROM v WHERE memberships.org_id = $1 AND memberships.id = v.id`, args...)
		if err != nil {
			return err
		}
		if int(n) != len(batch) {
			return provisioning.Errorf(provisioning.CodeNotFound, "member not found")
		}
	}
	return nil
}
