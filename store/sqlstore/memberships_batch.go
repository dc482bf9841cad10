package sqlstore

import (
	"context"

	"github.com/rollcall/rollcall/provisioning"
)

// LockMembersByID reads memberships of an org with their users' emails, 500 ids per
// statement, and write-locks the memberships (not the users) in id order until the
// transaction ends. Ids of other orgs and unknown ids are left out.
func (t *Tx) LockMembersByID(ctx context.Context, orgID string, ids []string) ([]provisioning.Member, error) {
	var out []provisioning.Member
	for _, batch := range batches(dedupe(ids)) {
		args := []any{orgID}
		for _, id := range batch {
			args = append(args, id)
		}
		err := t.queryRows(ctx, `SELECT `+membershipColumns+`, (SELECT u.email FROM users u WHERE u.id = m.user_id)
			FROM memberships m WHERE m.org_id = $1 AND m.id IN (`+placeholders(2, len(batch))+`) ORDER BY m.id`+t.d.ForUpdate(),
			args, func(r Rows) error {
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
