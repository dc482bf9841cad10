package sqlstore

import (
	"context"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

const inviteLinkColumns = `org_id, role, token_hash, hint, created_by, created_at`

func (t *Tx) getInviteLink(ctx context.Context, where string, args ...any) (provisioning.InviteLink, error) {
	var l provisioning.InviteLink
	err := t.queryOne(ctx, "invite link", `SELECT `+inviteLinkColumns+` FROM invite_links WHERE `+where, args,
		func(r Rows) error {
			return r.Scan(&l.OrgID, &l.Role, &l.TokenHash, &l.Hint, &l.CreatedBy, timeValue{&l.CreatedAt})
		})
	return l, err
}

// GetInviteLink reads the invite link of an org for a role.
func (t *Tx) GetInviteLink(ctx context.Context, orgID string, role provisioning.Role) (provisioning.InviteLink, error) {
	return t.getInviteLink(ctx, `org_id = $1 AND role = $2`, orgID, string(role))
}

// GetInviteLinkByHash finds an invite link by the hash of its secret.
func (t *Tx) GetInviteLinkByHash(ctx context.Context, hash []byte) (provisioning.InviteLink, error) {
	return t.getInviteLink(ctx, `token_hash = $1`, hash)
}

// PutInviteLink creates or replaces the link of (org, role).
func (t *Tx) PutInviteLink(ctx context.Context, l provisioning.InviteLink) error {
	_, err := t.exec(ctx, "invite link", `INSERT INTO invite_links (`+inviteLinkColumns+`) VALUES ($1,$2,$3,$4,$5,$6)
		ON CONFLICT (org_id, role) DO UPDATE SET token_hash = $3, hint = $4, created_by = $5, created_at = $6`,
		l.OrgID, string(l.Role), l.TokenHash, l.Hint, l.CreatedBy, utc(l.CreatedAt))
	return err
}

// DeleteInviteLink disables the link of (org, role).
func (t *Tx) DeleteInviteLink(ctx context.Context, orgID string, role provisioning.Role) error {
	n, err := t.exec(ctx, "invite link", `DELETE FROM invite_links WHERE org_id = $1 AND role = $2`, orgID, string(role))
	if err != nil {
		return err
	}
	return mustAffect(n, "invite link")
}

// InsertEmailLogin stores a sign-in link by the hash of its secret.
func (t *Tx) InsertEmailLogin(ctx context.Context, l provisioning.EmailLogin, hash []byte) error {
	_, err := t.exec(ctx, "sign-in link", `INSERT INTO email_logins (id, email, token_hash, created_at, expires_at)
		VALUES ($1,$2,$3,$4,$5)`, l.ID, l.Email, hash, utc(l.CreatedAt), utc(l.ExpiresAt))
	return err
}

// GetEmailLoginByHash finds a sign-in link by the hash of its secret.
func (t *Tx) GetEmailLoginByHash(ctx context.Context, hash []byte) (provisioning.EmailLogin, error) {
	var l provisioning.EmailLogin
	err := t.queryOne(ctx, "sign-in link", `SELECT id, email, created_at, expires_at, used_at
		FROM email_logins WHERE token_hash = $1`, []any{hash}, func(r Rows) error {
		return r.Scan(&l.ID, &l.Email, timeValue{&l.CreatedAt}, timeValue{&l.ExpiresAt}, nullTimeValue{&l.UsedAt})
	})
	return l, err
}

// UseEmailLogin marks a sign-in link used, once.
func (t *Tx) UseEmailLogin(ctx context.Context, id string, at time.Time) (bool, error) {
	n, err := t.exec(ctx, "sign-in link", `UPDATE email_logins SET used_at = $2 WHERE id = $1 AND used_at IS NULL`, id, utc(at))
	return n == 1, err
}

// CountersOnly lets the transaction commit without waiting for the disk: losing its last counter
// hits in a crash is harmless, waiting for a flush on every request is not.
func (t *Tx) CountersOnly(ctx context.Context) error {
	if q := t.d.AsyncCommit(); q != "" {
		return t.execLater(ctx, "commit mode", q)
	}
	return nil
}

// HitRateLimit counts a hit on key in the fixed window containing now (provisioning.FixedWindow).
func (t *Tx) HitRateLimit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	start, _ := provisioning.FixedWindow(utc(now), window)
	var hits int
	err := t.queryOne(ctx, "rate limit", `INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN rate_limits.window_start = $2 THEN rate_limits.hits + 1 ELSE 1 END,
			window_start = $2
		RETURNING hits`, []any{key, start}, func(r Rows) error { return r.Scan(&hits) })
	return hits, err
}
