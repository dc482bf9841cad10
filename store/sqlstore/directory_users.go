package sqlstore

import (
	"context"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

const directoryUserColumns = `u.id, u.org_id, u.user_id, u.membership_id, u.user_name, u.user_name_key,
	u.external_id, u.display_name, u.given_name, u.family_name, u.active, u.attrs_json, u.version,
	u.created_at, u.updated_at`

func scanDirectoryUser(r Rows, u *provisioning.DirectoryUser) error {
	var attrs string
	err := r.Scan(&u.ID, &u.OrgID, &u.UserID, &u.MembershipID, &u.UserName, &u.UserNameKey,
		&u.ExternalID, &u.DisplayName, &u.GivenName, &u.FamilyName, &u.Active, &attrs, &u.Version,
		timeValue{&u.CreatedAt}, timeValue{&u.UpdatedAt})
	u.Attributes = []byte(attrs)
	return err
}

// InsertDirectoryUser inserts a directory user and its email rows.
func (t *Tx) InsertDirectoryUser(ctx context.Context, u provisioning.DirectoryUser) error {
	_, err := t.exec(ctx, "user with this userName or email", `INSERT INTO scim_users (id, org_id, user_id, membership_id,
		user_name, user_name_key, external_id, display_name, given_name, family_name, active, attrs_json,
		version, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
		u.ID, u.OrgID, u.UserID, u.MembershipID, u.UserName, u.UserNameKey, u.ExternalID, u.DisplayName,
		u.GivenName, u.FamilyName, u.Active, string(u.Attributes), u.Version, utc(u.CreatedAt), utc(u.UpdatedAt))
	if err != nil {
		return err
	}
	return t.writeDirectoryEmails(ctx, u)
}

// UpdateDirectoryUser rewrites a directory user's row; its email rows are kept.
func (t *Tx) UpdateDirectoryUser(ctx context.Context, u provisioning.DirectoryUser) error {
	n, err := t.exec(ctx, "user with this userName", `UPDATE scim_users SET user_id=$3, membership_id=$4,
		user_name=$5, user_name_key=$6, external_id=$7, display_name=$8, given_name=$9, family_name=$10,
		active=$11, attrs_json=$12, version=$13, updated_at=$14 WHERE org_id=$1 AND id=$2`,
		u.OrgID, u.ID, u.UserID, u.MembershipID, u.UserName, u.UserNameKey, u.ExternalID, u.DisplayName,
		u.GivenName, u.FamilyName, u.Active, string(u.Attributes), u.Version, utc(u.UpdatedAt))
	if err != nil {
		return err
	}
	return mustAffect(n, "user")
}

// ReplaceDirectoryEmails replaces a directory user's email rows.
func (t *Tx) ReplaceDirectoryEmails(ctx context.Context, u provisioning.DirectoryUser) error {
	if _, err := t.exec(ctx, "email", `DELETE FROM scim_user_emails WHERE scim_user_id = $1`, u.ID); err != nil {
		return err
	}
	return t.writeDirectoryEmails(ctx, u)
}

func (t *Tx) writeDirectoryEmails(ctx context.Context, u provisioning.DirectoryUser) error {
	per := t.rowsPerStatement(7)
	for start := 0; start < len(u.Emails); start += per {
		var rows []string
		var args []any
		for i := start; i < min(start+per, len(u.Emails)); i++ {
			e := u.Emails[i]
			rows = append(rows, "("+placeholders(len(args)+1, 7)+")")
			args = append(args, u.ID, u.OrgID, i, e.Type, e.Value, strings.ToLower(e.Value), e.Primary)
		}
		// Nothing reads its result and its only key is (scim_user_id, position), so it can wait
		// for the next statement or the commit.
		if err := t.execLater(ctx, "email", `INSERT INTO scim_user_emails (scim_user_id, org_id, position, type, value,
		value_key, is_primary) VALUES `+strings.Join(rows, ","), args...); err != nil {
			return err
		}
	}
	return nil
}

// GetDirectoryUser reads a directory user of the org.
func (t *Tx) GetDirectoryUser(ctx context.Context, orgID, id string) (provisioning.DirectoryUser, error) {
	var u provisioning.DirectoryUser
	err := t.queryOne(ctx, "user", `SELECT `+directoryUserColumns+` FROM scim_users u WHERE u.org_id = $1 AND u.id = $2`,
		[]any{orgID, id}, func(r Rows) error { return scanDirectoryUser(r, &u) })
	return u, err
}

// DeleteDirectoryUser deletes a directory user with its emails and group memberships.
func (t *Tx) DeleteDirectoryUser(ctx context.Context, orgID, id string) error {
	for _, q := range []string{
		`DELETE FROM scim_group_members WHERE org_id = $1 AND scim_user_id = $2`,
		`DELETE FROM scim_user_emails WHERE org_id = $1 AND scim_user_id = $2`,
	} {
		if _, err := t.exec(ctx, "user", q, orgID, id); err != nil {
			return err
		}
	}
	n, err := t.exec(ctx, "user", `DELETE FROM scim_users WHERE org_id = $1 AND id = $2`, orgID, id)
	if err != nil {
		return err
	}
	return mustAffect(n, "user")
}

// ListDirectoryUsers runs the filter in SQL and returns one page and the total. Without a
// filter the total is the org's kept count and a deep page may start from an anchor
// (listAllDirectoryUsers).
func (t *Tx) ListDirectoryUsers(ctx context.Context, q provisioning.DirectoryQuery) ([]provisioning.DirectoryUser, int, error) {
	if q.Filter == nil {
		return t.listAllDirectoryUsers(ctx, q)
	}
	count, page, args, err := DirectoryUserListSQL(q)
	if err != nil {
		return nil, 0, err
	}
	total, err := t.count(ctx, count, args)
	if err != nil || q.Limit <= 0 || q.Offset >= total {
		return nil, total, err
	}
	out, err := t.directoryUserRows(ctx, page, append(args, q.Limit, q.Offset)...)
	return out, total, err
}

// allDirectoryUsersCount reads the org's directory-user count and change count, kept by
// triggers (migrations 00015 and 00018): a list without a filter does not count 100,000 rows
// for its totalResults.
const allDirectoryUsersCount = `SELECT COALESCE(SUM(c.n), 0), COALESCE(SUM(c.changes), 0) FROM scim_user_counts c WHERE c.org_id = $1`

// DirectoryUserAnchoredPageSQL is the page of an unfiltered list from an anchor: the org, the
// anchor's id, its change count and the limit (exported for the EXPLAIN tests of store/postgres).
// The count is compared in the statement that reads the rows, so a stale anchor reads none.
const DirectoryUserAnchoredPageSQL = `SELECT ` + directoryUserColumns + ` FROM scim_users u
	WHERE u.org_id = $1 AND u.id >= $2
	  AND (SELECT COALESCE(SUM(c.changes), 0) FROM scim_user_counts c WHERE c.org_id = $1) = $3
	ORDER BY u.id LIMIT $4`

// DirectoryUserListSQL renders the count and the offset page statements of a SCIM user list and
// the arguments they share; the page takes q.Limit and q.Offset after them (exported for the
// EXPLAIN tests of store/postgres).
func DirectoryUserListSQL(q provisioning.DirectoryQuery) (count, page string, args []any, err error) {
	where, args, err := directoryWhere(userFilterSchema, "u", q)
	if err != nil {
		return "", "", nil, err
	}
	count = `SELECT COUNT(*) FROM scim_users u WHERE ` + where
	if q.Filter == nil {
		count = allDirectoryUsersCount
	}
	return count, pageQuery("scim_users", "u", directoryUserColumns, where, len(args)), args, nil
}

func (t *Tx) count(ctx context.Context, query string, args []any) (int, error) {
	var n int
	err := t.queryOne(ctx, "count", query, args, func(r Rows) error { return r.Scan(&n) })
	return n, err
}
