package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

const membershipColumns = `m.id, m.org_id, m.user_id, m.role, m.status, m.source, m.external_id,
	m.groups_json, m.joined_at, m.last_active_at, m.updated_at`

func scanMembership(r Rows, m *provisioning.Membership, extra ...any) error {
	var groups string
	if err := r.Scan(append(membershipDest(m, &groups), extra...)...); err != nil {
		return err
	}
	return setGroups(m, groups)
}

// membershipDest are the scan destinations of membershipColumns; groups_json goes to groups.
func membershipDest(m *provisioning.Membership, groups *string) []any {
	return []any{&m.ID, &m.OrgID, &m.UserID, &m.Role, &m.Status, &m.Source, &m.ExternalID,
		groups, timeValue{&m.JoinedAt}, nullTimeValue{&m.LastActiveAt}, timeValue{&m.UpdatedAt}}
}

// setGroups decodes groups_json into m.
func setGroups(m *provisioning.Membership, groups string) error {
	m.Groups = nil
	return json.Unmarshal([]byte(groups), &m.Groups)
}

func groupsJSON(g []string) string {
	if len(g) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(g)
	return string(b)
}

func (t *Tx) getMembership(ctx context.Context, query string, args ...any) (provisioning.Membership, error) {
	var m provisioning.Membership
	err := t.queryOne(ctx, "member", query, args, func(r Rows) error { return scanMembership(r, &m) })
	return m, err
}

// GetMembership reads the membership of a user in an org.
func (t *Tx) GetMembership(ctx context.Context, orgID, userID string) (provisioning.Membership, error) {
	return t.getMembership(ctx, `SELECT `+membershipColumns+` FROM memberships m
		WHERE m.org_id = $1 AND m.user_id = $2`, orgID, userID)
}

// GetMembershipByID reads a membership of an org by its id.
func (t *Tx) GetMembershipByID(ctx context.Context, orgID, id string) (provisioning.Membership, error) {
	return t.getMembership(ctx, `SELECT `+membershipColumns+` FROM memberships m
		WHERE m.org_id = $1 AND m.id = $2`, orgID, id)
}

// LockMembership reads the membership of a user in an org and write-locks its row until the
// transaction ends.
func (t *Tx) LockMembership(ctx context.Context, orgID, userID string) (provisioning.Membership, error) {
	return t.getMembership(ctx, `SELECT `+membershipColumns+` FROM memberships m
		WHERE m.org_id = $1 AND m.user_id = $2`+t.d.ForUpdate(), orgID, userID)
}

// InsertMembership inserts a membership; a second one for the same user and org is a conflict,
// or, under a share-locked org (two arrivals of one person at once), a restart of the
// transaction with the org's write lock, which then finds the other's membership.
func (t *Tx) InsertMembership(ctx context.Context, m provisioning.Membership) error {
	// The user's sort name and email are copied onto the membership (member lists sort and
	// search on them); UpdateUser keeps the copies current.
	n, err := t.exec(ctx, "membership", `INSERT INTO memberships (id, org_id, user_id, role, status,
		source, external_id, groups_json, joined_at, last_active_at, updated_at, sort_name, email)
		SELECT $1,$2,u.id,$4,$5,$6,$7,$8,$9,$10,$11,u.sort_name,u.email FROM users u WHERE u.id = $3`,
		m.ID, m.OrgID, m.UserID, string(m.Role), string(m.Status), string(m.Source), m.ExternalID,
		groupsJSON(m.Groups), utc(m.JoinedAt), nullable(m.LastActiveAt), utc(m.UpdatedAt))
	if t.locks[m.OrgID] == orgShared && provisioning.IsCode(err, provisioning.CodeConflict) {
		return errRestart
	}
	if err == nil {
		err = mustAffect(n, "user")
	}
	if err != nil || !m.HasSeat() {
		return err
	}
	return t.addSeats(ctx, m.OrgID, 1)
}

// addSeats moves the org's seat counter; every membership write that gains or loses a seat
// calls it in the same transaction. Only orgs with a seat limit keep the counter (UpdateOrg
// recounts when a limit is set): joins into an unlimited org must not all queue on its row.
func (t *Tx) addSeats(ctx context.Context, orgID string, delta int) error {
	if t.locks[orgID] == orgShared {
		// Share-locked by LockOrgForJoin: the org has no limit, and cannot get one before
		// this transaction ends.
		return nil
	}
	_, err := t.exec(ctx, "org", `UPDATE orgs SET seats_used = seats_used + $2 WHERE id = $1 AND seat_limit >= 0`, orgID, delta)
	return err
}

// seatDelta is the change of the seat counter when old becomes next.
func seatDelta(oldHasSeat bool, next provisioning.Membership) int {
	switch {
	case oldHasSeat == next.HasSeat():
		return 0
	case next.HasSeat():
		return 1
	}
	return -1
}

// UpdateMembership writes a membership's role, status, source, external id and groups, and
// moves the org's seat counter when the seat changes hands.
func (t *Tx) UpdateMembership(ctx context.Context, m provisioning.Membership) error {
	var oldHasSeat bool
	err := t.queryOne(ctx, "member", `SELECT status = 'active' AND role <> 'viewer' FROM memberships
		WHERE org_id = $1 AND id = $2`, []any{m.OrgID, m.ID}, func(r Rows) error { return r.Scan(&oldHasSeat) })
	if err != nil {
		return err
	}
	if d := seatDelta(oldHasSeat, m); d != 0 {
		if err := t.addSeats(ctx, m.OrgID, d); err != nil {
			return err
		}
	}
	n, err := t.exec(ctx, "membership", `UPDATE memberships SET role=$3, status=$4, source=$5,
		external_id=$6, groups_json=$7, joined_at=$8, updated_at=$9 WHERE org_id=$1 AND id=$2`,
		m.OrgID, m.ID, string(m.Role), string(m.Status), string(m.Source), m.ExternalID,
		groupsJSON(m.Groups), utc(m.JoinedAt), utc(m.UpdatedAt))
	if err != nil {
		return err
	}
	return mustAffect(n, "member")
}

// CountSeatsUsed returns the seats an org uses now, in one query: its seat counter (a count
// of seated memberships for an org without a limit, which keeps none), plus pending invitations
// for seat roles when asked.
func (t *Tx) CountSeatsUsed(ctx context.Context, orgID string, withInvites bool, now time.Time) (int, error) {
	var used int
	err := t.queryOne(ctx, "org", `SELECT CASE WHEN o.seat_limit >= 0 THEN o.seats_used ELSE `+seatedCount("o.id")+` END + CASE WHEN $2 THEN (SELECT COUNT(*) FROM invitations i
		WHERE i.org_id = o.id AND i.state = 'pending' AND i.role <> 'viewer'
		AND (i.expires_at IS NULL OR i.expires_at > $3)) ELSE 0 END FROM orgs o WHERE o.id = $1`,
		[]any{orgID, withInvites, utc(now)}, func(r Rows) error { return r.Scan(&used) })
	return used, err
}

// CountOwners counts an org's active owners.
func (t *Tx) CountOwners(ctx context.Context, orgID string) (int, error) {
	var n int
	err := t.queryOne(ctx, "owner count", `SELECT COUNT(*) FROM memberships
		WHERE org_id = $1 AND status = 'active' AND role = 'owner'`, []any{orgID},
		func(r Rows) error { return r.Scan(&n) })
	return n, err
}

// ListWaitingViewers returns active viewers, earliest joined first.
func (t *Tx) ListWaitingViewers(ctx context.Context, orgID string, limit int) ([]provisioning.Membership, error) {
	q := `SELECT ` + membershipColumns + ` FROM memberships m
		WHERE m.org_id = $1 AND m.status = 'active' AND m.role = 'viewer' ORDER BY m.joined_at, m.id`
	args := []any{orgID}
	if limit > 0 {
		q += ` LIMIT $2`
		args = append(args, limit)
	}
	var out []provisioning.Membership
	err := t.queryRows(ctx, q, args, func(r Rows) error {
		var m provisioning.Membership
		if err := scanMembership(r, &m); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// CountWaitingViewers counts active viewers.
func (t *Tx) CountWaitingViewers(ctx context.Context, orgID string) (int, error) {
	var n int
	err := t.queryOne(ctx, "viewer count", `SELECT COUNT(*) FROM memberships
		WHERE org_id = $1 AND status = 'active' AND role = 'viewer'`, []any{orgID},
		func(r Rows) error { return r.Scan(&n) })
	return n, err
}

// TouchMembership moves last-active forward to at; the write goes with the transaction's next
// statement or its commit (execLater).
func (t *Tx) TouchMembership(ctx context.Context, id string, at time.Time) error {
	return t.execLater(ctx, "membership", `UPDATE memberships SET last_active_at = $2
		WHERE id = $1 AND (last_active_at IS NULL OR last_active_at < $2)`, id, utc(at))
}

// EndSessions ends the sessions a user holds in an org.
func (t *Tx) EndSessions(ctx context.Context, userID, orgID string, at time.Time) error {
	_, err := t.exec(ctx, "session", `UPDATE sessions SET ended_at = $3
		WHERE user_id = $1 AND org_id = $2 AND ended_at IS NULL`, userID, orgID, utc(at))
	return err
}

// SessionEnded reports whether a session has ended.
func (t *Tx) SessionEnded(ctx context.Context, id string) (bool, error) {
	var ended bool
	err := t.queryOne(ctx, "session", `SELECT ended_at IS NOT NULL FROM sessions WHERE id = $1`, []any{id},
		func(r Rows) error { return r.Scan(&ended) })
	return ended, err
}

// seatedCount is a subquery counting the seats the memberships of the org whose id is org hold.
func seatedCount(org string) string {
	return `(SELECT COUNT(*) FROM memberships m WHERE m.org_id = ` + org + ` AND m.status = 'active' AND m.role <> 'viewer')`
}

// RecountSeats returns the org's seat counter and the seats its memberships actually hold; the
// conformance suite checks that they never differ while the org has a seat limit (an org
// without one keeps no counter, and its counter reads as the count).
func (t *Tx) RecountSeats(ctx context.Context, orgID string) (counter, actual int, err error) {
	err = t.queryOne(ctx, "org", `SELECT CASE WHEN o.seat_limit >= 0 THEN o.seats_used ELSE `+seatedCount("o.id")+` END,
		`+seatedCount("o.id")+` FROM orgs o WHERE o.id = $1`,
		[]any{orgID}, func(r Rows) error { return r.Scan(&counter, &actual) })
	return counter, actual, err
}
