package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

const invitationColumns = `id, org_id, email, role, state, token_hash, inviter_id, inviter_label,
	send_email, created_at, updated_at, expires_at, decided_at, membership_id`

func scanInvitation(r Rows, i *provisioning.Invitation) error {
	var membership *string
	if err := r.Scan(&i.ID, &i.OrgID, &i.Email, &i.Role, &i.State, &i.TokenHash, &i.InviterID,
		&i.InviterLabel, &i.SendEmail, timeValue{&i.CreatedAt}, timeValue{&i.UpdatedAt},
		nullTimeValue{&i.ExpiresAt}, nullTimeValue{&i.DecidedAt}, &membership); err != nil {
		return err
	}
	i.MembershipID = ""
	if membership != nil {
		i.MembershipID = *membership
	}
	return nil
}

func (t *Tx) getInvitation(ctx context.Context, where string, args ...any) (provisioning.Invitation, error) {
	var i provisioning.Invitation
	err := t.queryOne(ctx, "invitation", `SELECT `+invitationColumns+` FROM invitations WHERE `+where, args,
		func(r Rows) error { return scanInvitation(r, &i) })
	return i, err
}

// InsertInvitation adds an invitation; a second pending one per org and email is a conflict.
func (t *Tx) InsertInvitation(ctx context.Context, i provisioning.Invitation) error {
	_, err := t.exec(ctx, "pending invitation for this email", `INSERT INTO invitations (`+invitationColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
		i.ID, i.OrgID, i.Email, string(i.Role), string(i.State), i.TokenHash, i.InviterID, i.InviterLabel,
		i.SendEmail, utc(i.CreatedAt), utc(i.UpdatedAt), nullable(i.ExpiresAt), nullable(i.DecidedAt),
		nullString(i.MembershipID))
	return err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// GetInvitation reads an invitation by id.
func (t *Tx) GetInvitation(ctx context.Context, id string) (provisioning.Invitation, error) {
	return t.getInvitation(ctx, `id = $1`, id)
}

// GetInvitationByHash finds an invitation by the hash of its link secret.
func (t *Tx) GetInvitationByHash(ctx context.Context, hash []byte) (provisioning.Invitation, error) {
	return t.getInvitation(ctx, `token_hash = $1`, hash)
}

// GetPendingInvitation returns the stored-pending invitation of email in org.
func (t *Tx) GetPendingInvitation(ctx context.Context, orgID, email string) (provisioning.Invitation, error) {
	return t.getInvitation(ctx, `org_id = $1 AND email = $2 AND state = 'pending'`, orgID, email)
}

// ListInvitations lists invitations matching q, newest first.
func (t *Tx) ListInvitations(ctx context.Context, q provisioning.InvitationQuery) ([]provisioning.Invitation, error) {
	b := &sqlBuilder{}
	if q.OrgID != "" {
		b.add("org_id = " + b.arg(q.OrgID))
	}
	if q.Email != "" {
		b.add("email = " + b.arg(q.Email))
	}
	switch q.State {
	case "":
	case provisioning.InvitationPending:
		b.add("state = 'pending' AND (expires_at IS NULL OR expires_at > " + b.arg(utc(q.Now)) + ")")
	case provisioning.InvitationExpired:
		b.add("(state = 'expired' OR (state = 'pending' AND expires_at <= " + b.arg(utc(q.Now)) + "))")
	default:
		b.add("state = " + b.arg(string(q.State)))
	}
	if q.Before != "" {
		b.add("id < " + b.arg(q.Before))
	}
	if len(b.where) == 0 {
		b.add("1 = 1")
	}
	query := `SELECT ` + invitationColumns + ` FROM invitations WHERE ` + strings.Join(b.where, " AND ") + ` ORDER BY id DESC`
	if q.Limit > 0 {
		query += " LIMIT " + b.arg(q.Limit)
	}
	var out []provisioning.Invitation
	err := t.queryRows(ctx, query, b.args, func(r Rows) error {
		var i provisioning.Invitation
		if err := scanInvitation(r, &i); err != nil {
			return err
		}
		out = append(out, i)
		return nil
	})
	return out, err
}

// RefreshInvitation rewrites a pending invitation.
func (t *Tx) RefreshInvitation(ctx context.Context, i provisioning.Invitation) error {
	n, err := t.exec(ctx, "invitation", `UPDATE invitations SET role=$2, token_hash=$3, inviter_id=$4,
		inviter_label=$5, send_email=$6, updated_at=$7, expires_at=$8 WHERE id=$1 AND state='pending'`,
		i.ID, string(i.Role), i.TokenHash, i.InviterID, i.InviterLabel, i.SendEmail, utc(i.UpdatedAt),
		nullable(i.ExpiresAt))
	if err != nil {
		return err
	}
	return mustAffect(n, "pending invitation")
}

// DecideInvitation moves a pending invitation to state; only one of racing calls wins.
func (t *Tx) DecideInvitation(ctx context.Context, id string, state provisioning.InvitationState, at time.Time) (bool, error) {
	n, err := t.exec(ctx, "invitation", `UPDATE invitations SET state=$2, decided_at=$3, updated_at=$3
		WHERE id=$1 AND state='pending'`, id, string(state), utc(at))
	return n == 1, err
}

// SetInvitationMembership records the membership an accepted invitation produced.
func (t *Tx) SetInvitationMembership(ctx context.Context, id, membershipID string) error {
	n, err := t.exec(ctx, "invitation", `UPDATE invitations SET membership_id=$2 WHERE id=$1`, id, membershipID)
	if err != nil {
		return err
	}
	return mustAffect(n, "invitation")
}

// AddInviteSends counts n invitations of an org on day.
func (t *Tx) AddInviteSends(ctx context.Context, orgID, day string, n int) error {
	_, err := t.exec(ctx, "invitation count", `INSERT INTO invite_sends (org_id, day, sends) VALUES ($1,$2,$3)
		ON CONFLICT (org_id, day) DO UPDATE SET sends = invite_sends.sends + $3`, orgID, day, n)
	return err
}

// CountInviteSends sums an org's counted invitations on days from sinceDay.
func (t *Tx) CountInviteSends(ctx context.Context, orgID, sinceDay string) (int, error) {
	var n int
	err := t.queryOne(ctx, "invitation count", `SELECT COALESCE(SUM(sends), 0) FROM invite_sends
		WHERE org_id = $1 AND day >= $2`, []any{orgID, sinceDay}, func(r Rows) error { return r.Scan(&n) })
	return n, err
}
