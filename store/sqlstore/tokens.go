package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/seats"
)

const tokenColumns = `id, org_id, membership_id, user_id, name, hint, hash, created_at, last_used_at,
	revoked_at, rate_limit_per_minute, usage_limit, daily_limit`

func scanToken(r Rows, t *provisioning.APIToken) error {
	var u usageScan
	if err := r.Scan(append(tokenDest(t), u.dest()...)...); err != nil {
		return err
	}
	return u.setUsage(t)
}

// tokenDest are the scan destinations of tokenColumns.
func tokenDest(t *provisioning.APIToken) []any {
	return []any{&t.ID, &t.OrgID, &t.MembershipID, &t.UserID, &t.Name, &t.Hint, &t.Hash,
		timeValue{&t.CreatedAt}, nullTimeValue{&t.LastUsedAt}, nullTimeValue{&t.RevokedAt},
		&t.Limits.RateLimitPerMinute, &t.Limits.UsageLimit, &t.Limits.DailyLimit}
}

// setUsage decodes the usage scanned into t.
func (u *usageScan) setUsage(t *provisioning.APIToken) error {
	var err error
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

// grantColumns are a token, its member and the member's org, in the order GetTokenGrant scans.
var grantColumns = prefixed("t.", tokenColumns) + `, ` + prefixed("t.", usageColumns) + `, ` + membershipColumns +
	`, u.email, u.first_name, u.last_name, ` + prefixed("o.", orgColumns)

// GetTokenGrant reads a token by the hash of its secret with its member and org in one query,
// and locks the token's row for the rest of the transaction (SQLite's writer holds the whole
// database). On Postgres the query is the function rollcall_token_grant, whose plan the server
// session keeps (migration 00016): planning the join cost far more than running it.
func (t *Tx) GetTokenGrant(ctx context.Context, hash []byte) (provisioning.TokenGrant, error) {
	q := `SELECT ` + grantColumns + ` FROM api_tokens t
		JOIN memberships m ON m.id = t.membership_id JOIN users u ON u.id = m.user_id
		JOIN orgs o ON o.id = t.org_id WHERE t.hash = $1`
	if t.d.Dialect() == "postgres" {
		// The function's four rows, each spread into its columns under the join's aliases.
		q = `SELECT ` + grantColumns + ` FROM rollcall_token_grant($1) g, LATERAL (SELECT (g.tok).*) t,
			LATERAL (SELECT (g.mem).*) m, LATERAL (SELECT (g.usr).*) u, LATERAL (SELECT (g.org).*) o`
	}
	var g provisioning.TokenGrant
	err := t.queryOne(ctx, "token", q, []any{hash}, func(r Rows) error {
		return scanGrant(r, &g)
	})
	if err == nil {
		t.lockedToken = g.Token.ID
	}
	return g, err
}

func scanGrant(r Rows, g *provisioning.TokenGrant) error {
	var u usageScan
	var m provisioning.Membership
	var email, first, last, groups string
	var seatLimit int
	dest := append(tokenDest(&g.Token), u.dest()...)
	dest = append(dest, membershipDest(&m, &groups)...)
	dest = append(dest, &email, &first, &last)
	if err := r.Scan(append(dest, orgDest(&g.Org, &seatLimit)...)...); err != nil {
		return err
	}
	g.Org.SeatLimit = seats.Limit(seatLimit)
	if err := setGroups(&m, groups); err != nil {
		return err
	}
	g.Member = provisioning.Member{Membership: m, Email: email, FirstName: first, LastName: last, HasSeat: m.HasSeat()}
	return u.setUsage(&g.Token)
}

// prefixed qualifies each of a comma-separated column list with prefix.
func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
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
