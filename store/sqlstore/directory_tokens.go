package sqlstore

import (
	"context"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

const directoryTokenColumns = `id, org_id, name, hint, hash, created_by, created_at, last_used_at, revoked_at`

func scanDirectoryToken(r Rows, t *provisioning.DirectoryToken) error {
	return r.Scan(&t.ID, &t.OrgID, &t.Name, &t.Hint, &t.Hash, &t.CreatedBy,
		timeValue{&t.CreatedAt}, nullTimeValue{&t.LastUsedAt}, nullTimeValue{&t.RevokedAt})
}

// CreateDirectoryToken stores a directory token (its hash only).
func (t *Tx) CreateDirectoryToken(ctx context.Context, tok provisioning.DirectoryToken) error {
	_, err := t.exec(ctx, "directory token", `INSERT INTO scim_tokens (`+directoryTokenColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, tok.ID, tok.OrgID, tok.Name, tok.Hint, tok.Hash,
		tok.CreatedBy, utc(tok.CreatedAt), nullable(tok.LastUsedAt), nullable(tok.RevokedAt))
	return err
}

// GetDirectoryTokenByHash finds a directory token by the hash of its secret.
func (t *Tx) GetDirectoryTokenByHash(ctx context.Context, hash []byte) (provisioning.DirectoryToken, error) {
	var tok provisioning.DirectoryToken
	err := t.queryOne(ctx, "directory token", `SELECT `+directoryTokenColumns+` FROM scim_tokens WHERE hash = $1`,
		[]any{hash}, func(r Rows) error { return scanDirectoryToken(r, &tok) })
	return tok, err
}

// ListDirectoryTokens lists an org's directory tokens, newest first.
func (t *Tx) ListDirectoryTokens(ctx context.Context, orgID string) ([]provisioning.DirectoryToken, error) {
	var out []provisioning.DirectoryToken
	err := t.queryRows(ctx, `SELECT `+directoryTokenColumns+` FROM scim_tokens WHERE org_id = $1
		ORDER BY created_at DESC, id DESC`, []any{orgID}, func(r Rows) error {
		var tok provisioning.DirectoryToken
		if err := scanDirectoryToken(r, &tok); err != nil {
			return err
		}
		out = append(out, tok)
		return nil
	})
	return out, err
}

// RevokeDirectoryToken revokes a token of the org; revoking it again keeps the first time.
func (t *Tx) RevokeDirectoryToken(ctx context.Context, orgID, id string, at time.Time) error {
	n, err := t.exec(ctx, "directory token", `UPDATE scim_tokens SET revoked_at = COALESCE(revoked_at, $3)
		WHERE org_id = $1 AND id = $2`, orgID, id, utc(at))
	if err != nil {
		return err
	}
	return mustAffect(n, "directory token")
}

// TouchDirectoryTokenBefore records the token's last use if it was not recorded since stale.
func (t *Tx) TouchDirectoryTokenBefore(ctx context.Context, id string, at, stale time.Time) error {
	_, err := t.exec(ctx, "directory token", `UPDATE scim_tokens SET last_used_at = $2
		WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`, id, utc(at), utc(stale))
	return err
}

// TakeDirectoryRate takes want requests from the org's shared count in one upsert that refuses
// (changes nothing) when they do not fit under limit; then it reads what is left and takes that.
// The conflicting row stays locked by the refused upsert, so what it read is still true.
func (t *Tx) TakeDirectoryRate(ctx context.Context, orgID string, window time.Time, want, limit int) (took, count int, err error) {
	for range 4 {
		if want <= 0 {
			return 0, count, nil
		}
		err := t.queryOne(ctx, "rate window", `INSERT INTO scim_rate (org_id, window_start, hits) VALUES ($1, $2, $3)
			ON CONFLICT (org_id) DO UPDATE SET
				hits = CASE WHEN scim_rate.window_start = excluded.window_start THEN scim_rate.hits + excluded.hits ELSE excluded.hits END,
				window_start = excluded.window_start
			WHERE scim_rate.window_start <> excluded.window_start OR scim_rate.hits + excluded.hits <= $4
			RETURNING hits`, []any{orgID, utc(window), want, limit}, func(r Rows) error { return r.Scan(&count) })
		if err == nil {
			return want, count, nil
		}
		if !provisioning.IsCode(err, provisioning.CodeNotFound) {
			return 0, 0, err
		}
		err = t.queryOne(ctx, "rate window", `SELECT hits FROM scim_rate WHERE org_id = $1 AND window_start = $2`,
			[]any{orgID, utc(window)}, func(r Rows) error { return r.Scan(&count) })
		if err != nil && !provisioning.IsCode(err, provisioning.CodeNotFound) {
			return 0, 0, err
		}
		want = min(want, limit-count)
	}
	return 0, count, nil
}
