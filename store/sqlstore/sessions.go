package sqlstore

import (
	"context"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// CreateSession stores a session by the hash of its secret.
func (t *Tx) CreateSession(ctx context.Context, s provisioning.Session, hash []byte) error {
	var org any
	if s.OrgID != "" {
		org = s.OrgID
	}
	_, err := t.exec(ctx, "session", `INSERT INTO sessions (id, token_hash, user_id, org_id, created_at, expires_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, s.ID, hash, s.UserID, org, utc(s.CreatedAt), utc(s.ExpiresAt))
	return err
}

// GetSessionByHash finds a session by the hash of its secret.
func (t *Tx) GetSessionByHash(ctx context.Context, hash []byte) (provisioning.Session, error) {
	var s provisioning.Session
	var org *string
	err := t.queryOne(ctx, "session", `SELECT id, user_id, org_id, created_at, expires_at, ended_at
		FROM sessions WHERE token_hash = $1`, []any{hash}, func(r Rows) error {
		return r.Scan(&s.ID, &s.UserID, &org, timeValue{&s.CreatedAt}, timeValue{&s.ExpiresAt}, nullTimeValue{&s.EndedAt})
	})
	if org != nil {
		s.OrgID = *org
	}
	return s, err
}

// EndSession ends one session.
func (t *Tx) EndSession(ctx context.Context, id string, at time.Time) error {
	_, err := t.exec(ctx, "session", `UPDATE sessions SET ended_at = COALESCE(ended_at, $2) WHERE id = $1`, id, utc(at))
	return err
}

// EndUserSessions ends every open session of a user.
func (t *Tx) EndUserSessions(ctx context.Context, userID string, at time.Time) error {
	_, err := t.exec(ctx, "session", `UPDATE sessions SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL`, userID, utc(at))
	return err
}

// PurgeSignIns deletes sign-in links, sessions and rate-limit windows that are over since before.
func (t *Tx) PurgeSignIns(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for _, q := range []string{
		`DELETE FROM email_logins WHERE expires_at < $1`,
		`DELETE FROM sessions WHERE expires_at < $1 OR ended_at < $1`,
		`DELETE FROM rate_limits WHERE window_start < $1`,
	} {
		n, err := t.exec(ctx, "purge", q, utc(before))
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
