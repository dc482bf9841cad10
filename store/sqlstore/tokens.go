package sqlstore

import (
	"context"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

const tokenColumns = `id, org_id, membership_id, user_id, name, hint, hash, created_at, last_used_at,
	revoked_at, rate_limit_per_minute, usage_limit, daily_limit, total_calls`

func scanToken(r Rows, t *provisioning.APIToken) error {
	return r.Scan(&t.ID, &t.OrgID, &t.MembershipID, &t.UserID, &t.Name, &t.Hint, &t.Hash,
		timeValue{&t.CreatedAt}, nullTimeValue{&t.LastUsedAt}, nullTimeValue{&t.RevokedAt},
		&t.Limits.RateLimitPerMinute, &t.Limits.UsageLimit, &t.Limits.DailyLimit, &t.TotalCalls)
}

func (t *Tx) getToken(ctx context.Context, query string, args ...any) (provisioning.APIToken, error) {
	var tok provisioning.APIToken
	err := t.queryOne(ctx, "token", query, args, func(r Rows) error { return scanToken(r, &tok) })
	return tok, err
}

// CreateToken stores a new token (its hash only).
func (t *Tx) CreateToken(ctx context.Context, tok provisioning.APIToken) error {
	_, err := t.exec(ctx, "token", `INSERT INTO api_tokens (`+tokenColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,0)`, tok.ID, tok.OrgID, tok.MembershipID, tok.UserID,
		tok.Name, tok.Hint, tok.Hash, utc(tok.CreatedAt), nullable(tok.LastUsedAt), nullable(tok.RevokedAt),
		tok.Limits.RateLimitPerMinute, tok.Limits.UsageLimit, tok.Limits.DailyLimit)
	return err
}

// GetTokenByHash finds a token by the hash of its secret.
func (t *Tx) GetTokenByHash(ctx context.Context, hash []byte) (provisioning.APIToken, error) {
	return t.getToken(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = $1`, hash)
}

// GetToken reads an org's token by id.
func (t *Tx) GetToken(ctx context.Context, orgID, id string) (provisioning.APIToken, error) {
	return t.getToken(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE org_id = $1 AND id = $2`, orgID, id)
}

// ListTokens lists an org's tokens, or one member's, newest first.
func (t *Tx) ListTokens(ctx context.Context, orgID, membershipID string) ([]provisioning.APIToken, error) {
	q := `SELECT ` + tokenColumns + ` FROM api_tokens WHERE org_id = $1`
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

// ConsumeToken counts one call in fixed minute and UTC-day windows and in the total, in one
// statement, so concurrent calls on any instance are all counted.
func (t *Tx) ConsumeToken(ctx context.Context, id string, now time.Time) (provisioning.TokenCounts, error) {
	minute := utc(now).Truncate(time.Minute)
	day := utc(now).Truncate(24 * time.Hour)
	var c provisioning.TokenCounts
	err := t.queryOne(ctx, "token", `UPDATE api_tokens SET
		minute_calls = CASE WHEN minute_start = $2 THEN minute_calls + 1 ELSE 1 END, minute_start = $2,
		day_calls = CASE WHEN day_start = $3 THEN day_calls + 1 ELSE 1 END, day_start = $3,
		total_calls = total_calls + 1, last_used_at = $4
		WHERE id = $1 RETURNING minute_calls, day_calls, total_calls`,
		[]any{id, minute, day, utc(now)}, func(r Rows) error { return r.Scan(&c.Minute, &c.Day, &c.Total) })
	return c, err
}
