package sqlstore

import (
	"context"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

const tokenColumns = `id, org_id, membership_id, user_id, name, hint, hash, created_at, last_used_at,
	revoked_at, rate_limit_per_minute, usage_limit, daily_limit`

func scanToken(r Rows, t *provisioning.APIToken) error {
	var u usageScan
	err := r.Scan(append([]any{&t.ID, &t.OrgID, &t.MembershipID, &t.UserID, &t.Name, &t.Hint, &t.Hash,
		timeValue{&t.CreatedAt}, nullTimeValue{&t.LastUsedAt}, nullTimeValue{&t.RevokedAt},
		&t.Limits.RateLimitPerMinute, &t.Limits.UsageLimit, &t.Limits.DailyLimit}, u.dest()...)...)
	if err != nil {
		return err
	}
	t.Usage, err = u.usage()
	t.TotalCalls = t.Usage.Total
	return err
}

func (t *Tx) getToken(ctx context.Context, query string, args ...any) (provisioning.APIToken, error) {
	var tok provisioning.APIToken
	err := t.queryOne(ctx, "token", query, args, func(r Rows) error { return scanToken(r, &tok) })
	return tok, err
}

// CreateToken stores a new token (its hash only).
func (t *Tx) CreateToken(ctx context.Context, tok provisioning.APIToken) error {
	_, err := t.exec(ctx, "token", `INSERT INTO api_tokens (`+tokenColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`, tok.ID, tok.OrgID, tok.MembershipID, tok.UserID,
		tok.Name, tok.Hint, tok.Hash, utc(tok.CreatedAt), nullable(tok.LastUsedAt), nullable(tok.RevokedAt),
		tok.Limits.RateLimitPerMinute, tok.Limits.UsageLimit, tok.Limits.DailyLimit)
	return err
}

// GetTokenByHash finds a token by the hash of its secret.
func (t *Tx) GetTokenByHash(ctx context.Context, hash []byte) (provisioning.APIToken, error) {
	return t.getToken(ctx, `SELECT `+tokenColumns+`, `+usageColumns+` FROM api_tokens WHERE hash = $1`, hash)
}

// GetToken reads an org's token by id.
func (t *Tx) GetToken(ctx context.Context, orgID, id string) (provisioning.APIToken, error) {
	return t.getToken(ctx, `SELECT `+tokenColumns+`, `+usageColumns+` FROM api_tokens WHERE org_id = $1 AND id = $2`, orgID, id)
}

// ListTokens lists an org's tokens, or one member's, newest first.
func (t *Tx) ListTokens(ctx context.Context, orgID, membershipID string) ([]provisioning.APIToken, error) {
	q := `SELECT ` + tokenColumns + `, ` + usageColumns + ` FROM api_tokens WHERE org_id = $1`
	args := []any{orgID}
	if membershipID != "" {
		q += ` AND membership_id = $2`
		args = append(args, membershipID)
	}
	var out []provisioning.APIToken
	err := t.queryRows(ctx, q+` ORDER BY created_at DESC, id DESC`, args, func(r Rows) error {
		var tok provisioning.APIToken
		if err := scanToken(r, &tok); err != nil {
			return err
		}
		out = append(out, tok)
		return nil
	})
	return out, err
}

// RevokeToken revokes a token; revoking it again keeps the first time.
func (t *Tx) RevokeToken(ctx context.Context, orgID, id string, at time.Time) error {
	n, err := t.exec(ctx, "token", `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3)
		WHERE org_id = $1 AND id = $2`, orgID, id, utc(at))
	if err != nil {
		return err
	}
	return mustAffect(n, "token")
}

// RevokeMembershipTokens revokes every live token of a membership.
func (t *Tx) RevokeMembershipTokens(ctx context.Context, membershipID string, at time.Time) error {
	_, err := t.exec(ctx, "token", `UPDATE api_tokens SET revoked_at = $2
		WHERE membership_id = $1 AND revoked_at IS NULL`, membershipID, utc(at))
	return err
}

// TouchToken records the token's last use.
func (t *Tx) TouchToken(ctx context.Context, id string, at time.Time) error {
	_, err := t.exec(ctx, "token", `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, utc(at))
	return err
}
