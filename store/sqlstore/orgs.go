package sqlstore

import (
	"context"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/seats"
)

const orgColumns = `id, slug, name, plan, seat_limit, default_role, auto_assign_seats,
	reserve_seats_for_invites, invite_expiry_hours, token_rate_limit,
	contact_name, contact_email, contact_phone, contact_notes, created_at, updated_at`

func scanOrg(r Rows, o *provisioning.Org) error {
	var limit int
	err := r.Scan(orgDest(o, &limit)...)
	o.SeatLimit = seats.Limit(limit)
	return err
}

// orgDest are the scan destinations of orgColumns; the seat limit goes to limit.
func orgDest(o *provisioning.Org, limit *int) []any {
	return []any{&o.ID, &o.Slug, &o.Name, &o.Plan, limit, &o.Settings.DefaultRole,
		&o.Settings.AutoAssignSeats, &o.Settings.ReserveSeatsForInvites, &o.Settings.InviteExpiryHours,
		&o.Settings.TokenRateLimitPerMinute, &o.Contact.Name, &o.Contact.Email, &o.Contact.Phone,
		&o.Contact.Notes, timeValue{&o.CreatedAt}, timeValue{&o.UpdatedAt}}
}

// CreateOrg inserts an org; a taken slug is a conflict.
func (t *Tx) CreateOrg(ctx context.Context, o provisioning.Org) error {
	_, err := t.exec(ctx, "org with this slug", `INSERT INTO orgs (`+orgColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
		o.ID, o.Slug, o.Name, string(o.Plan), int(o.SeatLimit), string(o.Settings.DefaultRole),
		o.Settings.AutoAssignSeats, o.Settings.ReserveSeatsForInvites, o.Settings.InviteExpiryHours,
		o.Settings.TokenRateLimitPerMinute, o.Contact.Name, o.Contact.Email, o.Contact.Phone,
		o.Contact.Notes, utc(o.CreatedAt), utc(o.UpdatedAt))
	return err
}

// GetOrg reads an org by id.
func (t *Tx) GetOrg(ctx context.Context, id string) (provisioning.Org, error) {
	return t.getOrg(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = $1`, id)
}

// GetOrgBySlug reads an org by slug.
func (t *Tx) GetOrgBySlug(ctx context.Context, slug string) (provisioning.Org, error) {
	return t.getOrg(ctx, `SELECT `+orgColumns+` FROM orgs WHERE slug = $1`, slug)
}

// LockOrg reads an org and write-locks its row until the transaction ends.
func (t *Tx) LockOrg(ctx context.Context, id string) (provisioning.Org, error) {
	if t.locks[id] == orgShared {
		return provisioning.Org{}, errRestart
	}
	org, err := t.getOrg(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = $1`+t.d.ForUpdate(), id)
	if err == nil {
		t.lockedOrg(id, orgWrite)
	}
	return org, err
}

// LockOrgForJoin reads an org for the provisioning pipeline. An org with a seat limit is locked
// like LockOrg: its seat decisions go one at a time. An org without a limit has no seat decision
// to protect, so it is share-locked, letting arrivals of different people run side by side while
// anything that takes LockOrg (limit changes, owner rules) still waits for them. Two arrivals of
// the same person meet on the membership row (LockMembership), or, when neither finds one, on
// its unique key: the loser starts over with the write lock and finds the winner's membership.
// (Row locks, unlike advisory locks, take no room in the lock table, so one transaction may
// provision any number of people.) The share lock is taken only on a row without a limit (the
// condition is in the statement, so Postgres checks it again on the row it locks, after any
// writer of the row committed), so that joins into a limited org never hold a share lock they
// would have to upgrade: finding no such row, they take the write lock. A transaction that
// later wants the write lock (LockOrg) starts over and takes it here. One statement for an org
// without a limit, two otherwise.
func (t *Tx) LockOrgForJoin(ctx context.Context, orgID string) (provisioning.Org, error) {
	if t.exclusive || t.locks[orgID] == orgWrite {
		return t.LockOrg(ctx, orgID)
	}
	org, err := t.getOrg(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = $1 AND seat_limit < 0`+t.d.ForShare(), orgID)
	if provisioning.IsCode(err, provisioning.CodeNotFound) {
		return t.LockOrg(ctx, orgID) // a limited org, or none: LockOrg says which
	}
	if err != nil {
		return org, err
	}
	t.lockedOrg(orgID, orgShared)
	return org, nil
}

func (t *Tx) getOrg(ctx context.Context, query string, arg string) (provisioning.Org, error) {
	var o provisioning.Org
	err := t.queryOne(ctx, "org", query, []any{arg}, func(r Rows) error { return scanOrg(r, &o) })
	return o, err
}

// ListOrgs lists every org by slug.
func (t *Tx) ListOrgs(ctx context.Context) ([]provisioning.Org, error) {
	var out []provisioning.Org
	err := t.queryRows(ctx, `SELECT `+orgColumns+` FROM orgs ORDER BY slug`, nil, func(r Rows) error {
		var o provisioning.Org
		if err := scanOrg(r, &o); err != nil {
			return err
		}
		out = append(out, o)
		return nil
	})
	return out, err
}

// UpdateOrg writes every mutable field of an org.
func (t *Tx) UpdateOrg(ctx context.Context, o provisioning.Org) error {
	n, err := t.exec(ctx, "org with this slug", `UPDATE orgs SET slug=$2, name=$3, plan=$4, seat_limit=$5,
		default_role=$6, auto_assign_seats=$7, reserve_seats_for_invites=$8, invite_expiry_hours=$9,
		token_rate_limit=$10, contact_name=$11, contact_email=$12, contact_phone=$13, contact_notes=$14,
		updated_at=$15 WHERE id=$1`,
		o.ID, o.Slug, o.Name, string(o.Plan), int(o.SeatLimit), string(o.Settings.DefaultRole),
		o.Settings.AutoAssignSeats, o.Settings.ReserveSeatsForInvites, o.Settings.InviteExpiryHours,
		o.Settings.TokenRateLimitPerMinute, o.Contact.Name, o.Contact.Email, o.Contact.Phone,
		o.Contact.Notes, utc(o.UpdatedAt))
	if err != nil {
		return err
	}
	if err := mustAffect(n, "org"); err != nil || o.SeatLimit.IsUnlimited() {
		return err
	}
	// The counter is not kept while an org has no limit: recount it now that it has one. This
	// statement runs after the row lock above, so it sees every join that held the org before.
	_, err = t.exec(ctx, "org", `UPDATE orgs SET seats_used = `+seatedCount("orgs.id")+` WHERE id = $1`, o.ID)
	return err
}

// DeleteOrg deletes an org and, by cascade, everything it owns. Users and the append-only
// audit log stay.
func (t *Tx) DeleteOrg(ctx context.Context, id string) error {
	n, err := t.exec(ctx, "org", `DELETE FROM orgs WHERE id = $1`, id)
	if err != nil {
		return err
	}
	return mustAffect(n, "org")
}
