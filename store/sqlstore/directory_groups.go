package sqlstore

import (
	"context"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

const directoryGroupColumns = `g.id, g.org_id, g.display_name, g.external_id, g.attrs_json, g.version, g.created_at, g.updated_at`

// memberBatch bounds the ids per statement: well under SQLite's variable limit, and few
// statements for a 10,000-member change.
const memberBatch = 500

// sqliteParamsPerStatement bounds the parameters of one multi-row statement on SQLite. Its
// driver looks each parameter up by number in a list of the statement's parameter names, one
// linear search per parameter, so binding n parameters costs n²/2 steps: 500 audit rows
// (6,500 parameters) took longer to bind than to write.
const sqliteParamsPerStatement = 256

// rowsPerStatement is how many rows, of cols parameters each, one multi-row statement
// carries: a batch of members on Postgres (which receives arrays, a parameter per column, or
// binds without that search), and what sqliteParamsPerStatement allows on SQLite.
func (t *Tx) rowsPerStatement(cols int) int {
	if t.d.Dialect() == "postgres" {
		return memberBatch
	}
	return max(1, sqliteParamsPerStatement/cols)
}

func scanDirectoryGroup(r Rows, g *provisioning.DirectoryGroup) error {
	var attrs string
	err := r.Scan(&g.ID, &g.OrgID, &g.DisplayName, &g.ExternalID, &attrs, &g.Version,
		timeValue{&g.CreatedAt}, timeValue{&g.UpdatedAt})
	g.Attributes = []byte(attrs)
	return err
}

// InsertDirectoryGroup inserts a directory group.
func (t *Tx) InsertDirectoryGroup(ctx context.Context, g provisioning.DirectoryGroup) error {
	_, err := t.exec(ctx, "group", `INSERT INTO scim_groups (id, org_id, display_name, display_name_key,
		external_id, attrs_json, version, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		g.ID, g.OrgID, g.DisplayName, strings.ToLower(g.DisplayName), g.ExternalID, string(g.Attributes),
		g.Version, utc(g.CreatedAt), utc(g.UpdatedAt))
	return err
}

// UpdateDirectoryGroup rewrites a directory group's attributes.
func (t *Tx) UpdateDirectoryGroup(ctx context.Context, g provisioning.DirectoryGroup) error {
	n, err := t.exec(ctx, "group", `UPDATE scim_groups SET display_name=$3, display_name_key=$4, external_id=$5,
		attrs_json=$6, version=$7, updated_at=$8 WHERE org_id=$1 AND id=$2`,
		g.OrgID, g.ID, g.DisplayName, strings.ToLower(g.DisplayName), g.ExternalID, string(g.Attributes),
		g.Version, utc(g.UpdatedAt))
	if err != nil {
		return err
	}
	return mustAffect(n, "group")
}

// GetDirectoryGroup reads a directory group of the org.
func (t *Tx) GetDirectoryGroup(ctx context.Context, orgID, id string) (provisioning.DirectoryGroup, error) {
	var g provisioning.DirectoryGroup
	err := t.queryOne(ctx, "group", `SELECT `+directoryGroupColumns+` FROM scim_groups g WHERE g.org_id = $1 AND g.id = $2`,
		[]any{orgID, id}, func(r Rows) error { return scanDirectoryGroup(r, &g) })
	return g, err
}

// DeleteDirectoryGroup deletes a group and its member rows.
func (t *Tx) DeleteDirectoryGroup(ctx context.Context, orgID, id string) error {
	if _, err := t.exec(ctx, "group", `DELETE FROM scim_group_members WHERE org_id = $1 AND group_id = $2`, orgID, id); err != nil {
		return err
	}
	n, err := t.exec(ctx, "group", `DELETE FROM scim_groups WHERE org_id = $1 AND id = $2`, orgID, id)
	if err != nil {
		return err
	}
	return mustAffect(n, "group")
}

// ListDirectoryGroups runs the filter in SQL and returns one page and the total.
func (t *Tx) ListDirectoryGroups(ctx context.Context, q provisioning.DirectoryQuery) ([]provisioning.DirectoryGroup, int, error) {
	where, args, err := directoryWhere(groupFilterSchema, "g", q)
	if err != nil {
		return nil, 0, err
	}
	total, err := t.count(ctx, `SELECT COUNT(*) FROM scim_groups g WHERE `+where, args)
	if err != nil || q.Limit <= 0 || q.Offset >= total {
		return nil, total, err
	}
	var out []provisioning.DirectoryGroup
	page := pageQuery("scim_groups", "g", directoryGroupColumns, where, len(args))
	err = t.queryRows(ctx, page, append(args, q.Limit, q.Offset), func(r Rows) error {
		var g provisioning.DirectoryGroup
		if err := scanDirectoryGroup(r, &g); err != nil {
			return err
		}
		out = append(out, g)
		return nil
	})
	return out, total, err
}

// AddDirectoryGroupMembers inserts members in batches; ids that are not users of the org's
// directory are skipped, existing members are kept.
func (t *Tx) AddDirectoryGroupMembers(ctx context.Context, orgID, groupID string, userIDs []string) ([]string, error) {
	var added []string
	for _, batch := range t.batches(dedupe(userIDs)) {
		args := []any{orgID, groupID}
		for _, id := range batch {
			args = append(args, id)
		}
		err := t.queryRows(ctx, `INSERT INTO scim_group_members (group_id, scim_user_id, org_id)
			SELECT $2, u.id, u.org_id FROM scim_users u WHERE u.org_id = $1 AND u.id IN (`+placeholders(3, len(batch))+`)
			ON CONFLICT (group_id, scim_user_id) DO NOTHING RETURNING scim_user_id`, args,
			func(r Rows) error {
				var id string
				if err := r.Scan(&id); err != nil {
					return err
				}
				added = append(added, id)
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return added, nil
}

// RemoveDirectoryGroupMembers deletes the listed members in batches, or every member when
// userIDs is nil, and returns the ids removed.
func (t *Tx) RemoveDirectoryGroupMembers(ctx context.Context, orgID, groupID string, userIDs []string) ([]string, error) {
	var removed []string
	collect := func(r Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		removed = append(removed, id)
		return nil
	}
	if userIDs == nil {
		err := t.queryRows(ctx, `DELETE FROM scim_group_members WHERE org_id = $1 AND group_id = $2
			RETURNING scim_user_id`, []any{orgID, groupID}, collect)
		return removed, err
	}
	for _, batch := range t.batches(dedupe(userIDs)) {
		args := []any{orgID, groupID}
		for _, id := range batch {
			args = append(args, id)
		}
		if err := t.queryRows(ctx, `DELETE FROM scim_group_members WHERE org_id = $1 AND group_id = $2
			AND scim_user_id IN (`+placeholders(3, len(batch))+`) RETURNING scim_user_id`, args, collect); err != nil {
			return nil, err
		}
	}
	return removed, nil
}

// ListDirectoryGroupMembers lists a group's members with their userNames.
func (t *Tx) ListDirectoryGroupMembers(ctx context.Context, orgID, groupID string) ([]provisioning.DirectoryMember, error) {
	var out []provisioning.DirectoryMember
	err := t.queryRows(ctx, `SELECT u.id, u.user_name FROM scim_group_members gm JOIN scim_users u ON u.id = gm.scim_user_id
		WHERE gm.org_id = $1 AND gm.group_id = $2 ORDER BY u.id`, []any{orgID, groupID}, func(r Rows) error {
		var m provisioning.DirectoryMember
		if err := r.Scan(&m.UserID, &m.UserName); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// ListUserDirectoryGroups lists the groups a directory user belongs to.
func (t *Tx) ListUserDirectoryGroups(ctx context.Context, orgID, userID string) ([]provisioning.DirectoryGroup, error) {
	var out []provisioning.DirectoryGroup
	err := t.queryRows(ctx, `SELECT `+directoryGroupColumns+` FROM scim_group_members gm JOIN scim_groups g ON g.id = gm.group_id
		WHERE gm.org_id = $1 AND gm.scim_user_id = $2 ORDER BY g.id`, []any{orgID, userID}, func(r Rows) error {
		var g provisioning.DirectoryGroup
		if err := scanDirectoryGroup(r, &g); err != nil {
			return err
		}
		out = append(out, g)
		return nil
	})
	return out, err
}

// PutGroupRoleMapping stores a group-role mapping; the group is matched case-insensitively.
func (t *Tx) PutGroupRoleMapping(ctx context.Context, m provisioning.GroupRoleMapping) error {
	_, err := t.exec(ctx, "mapping for this group", `INSERT INTO scim_role_mappings (id, org_id, group_key, group_name,
		role, created_at) VALUES ($1,$2,$3,$4,$5,$6)`, m.ID, m.OrgID, strings.ToLower(m.Group), m.Group,
		string(m.Role), utc(m.CreatedAt))
	return err
}

// ListGroupRoleMappings lists an org's group-role mappings.
func (t *Tx) ListGroupRoleMappings(ctx context.Context, orgID string) ([]provisioning.GroupRoleMapping, error) {
	var out []provisioning.GroupRoleMapping
	err := t.queryRows(ctx, `SELECT id, org_id, group_name, role, created_at FROM scim_role_mappings
		WHERE org_id = $1 ORDER BY group_key`, []any{orgID}, func(r Rows) error {
		var m provisioning.GroupRoleMapping
		if err := r.Scan(&m.ID, &m.OrgID, &m.Group, &m.Role, timeValue{&m.CreatedAt}); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// DeleteGroupRoleMapping deletes a mapping of the org.
func (t *Tx) DeleteGroupRoleMapping(ctx context.Context, orgID, id string) error {
	n, err := t.exec(ctx, "mapping", `DELETE FROM scim_role_mappings WHERE org_id = $1 AND id = $2`, orgID, id)
	if err != nil {
		return err
	}
	return mustAffect(n, "mapping")
}

// batches splits ids into the lists of one statement each (rowsPerStatement).
func (t *Tx) batches(ids []string) [][]string {
	per := t.rowsPerStatement(1)
	var out [][]string
	for len(ids) > 0 {
		n := min(per, len(ids))
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return out
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ListDirectoryUsersGroups reads directory users with their groups, a batch of ids per statement.
func (t *Tx) ListDirectoryUsersGroups(ctx context.Context, orgID string, userIDs []string) ([]provisioning.DirectoryUserGroups, error) {
	var out []provisioning.DirectoryUserGroups
	for _, batch := range t.batches(dedupe(userIDs)) {
		args := []any{orgID}
		for _, id := range batch {
			args = append(args, id)
		}
		err := t.queryRows(ctx, `SELECT u.id, u.membership_id, u.active, g.id, g.display_name, g.external_id
			FROM scim_users u LEFT JOIN scim_group_members gm ON gm.scim_user_id = u.id AND gm.org_id = u.org_id
			LEFT JOIN scim_groups g ON g.id = gm.group_id
			WHERE u.org_id = $1 AND u.id IN (`+placeholders(2, len(batch))+`) ORDER BY u.id, g.id`, args,
			func(r Rows) error {
				var u provisioning.DirectoryUserGroups
				var gid, name, ext *string
				if err := r.Scan(&u.UserID, &u.MembershipID, &u.Active, &gid, &name, &ext); err != nil {
					return err
				}
				if n := len(out); n == 0 || out[n-1].UserID != u.UserID {
					out = append(out, u)
				}
				if gid != nil {
					last := &out[len(out)-1]
					last.Groups = append(last.Groups, provisioning.DirectoryGroup{ID: *gid, OrgID: orgID, DisplayName: deref(name), ExternalID: deref(ext)})
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ListDirectoryGroupMemberIDs lists a page of a group's member ids in id order.
func (t *Tx) ListDirectoryGroupMemberIDs(ctx context.Context, orgID, groupID, after string, limit int) ([]string, error) {
	var out []string
	err := t.queryRows(ctx, `SELECT scim_user_id FROM scim_group_members WHERE org_id = $1 AND group_id = $2
		AND scim_user_id > $3 ORDER BY scim_user_id LIMIT $4`, []any{orgID, groupID, after, limit}, func(r Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		out = append(out, id)
		return nil
	})
	return out, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
