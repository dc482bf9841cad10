package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

const ssoConnectionColumns = `id, org_id, protocol, name, enabled, config, secret, created_at, updated_at`

func scanSSOConnection(r Rows, c *provisioning.SSOConnection) error {
	var config string
	if err := r.Scan(&c.ID, &c.OrgID, &c.Protocol, &c.Name, &c.Enabled, &config, &c.Secret,
		timeValue{&c.CreatedAt}, timeValue{&c.UpdatedAt}); err != nil {
		return err
	}
	c.Config = json.RawMessage(config)
	if len(c.Secret) == 0 {
		c.Secret = nil
	}
	return nil
}

func secretValue(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// InsertSSOConnection stores a new connection.
func (t *Tx) InsertSSOConnection(ctx context.Context, c provisioning.SSOConnection) error {
	_, err := t.exec(ctx, "sso connection", `INSERT INTO sso_connections (`+ssoConnectionColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, c.ID, c.OrgID, c.Protocol, c.Name, c.Enabled,
		string(c.Config), secretValue(c.Secret), utc(c.CreatedAt), utc(c.UpdatedAt))
	return err
}

// GetSSOConnection reads a connection by id, in any org.
func (t *Tx) GetSSOConnection(ctx context.Context, id string) (provisioning.SSOConnection, error) {
	var c provisioning.SSOConnection
	err := t.queryOne(ctx, "sso connection", `SELECT `+ssoConnectionColumns+` FROM sso_connections WHERE id = $1`,
		[]any{id}, func(r Rows) error { return scanSSOConnection(r, &c) })
	return c, err
}

// ListSSOConnections lists an org's connections, oldest first.
func (t *Tx) ListSSOConnections(ctx context.Context, orgID string) ([]provisioning.SSOConnection, error) {
	return t.listSSOConnections(ctx, `org_id = $1`, orgID)
}

// ListSSOConnectionsByProtocol lists every org's connections of one protocol, oldest first.
func (t *Tx) ListSSOConnectionsByProtocol(ctx context.Context, protocol string) ([]provisioning.SSOConnection, error) {
	return t.listSSOConnections(ctx, `protocol = $1`, protocol)
}

func (t *Tx) listSSOConnections(ctx context.Context, where string, arg any) ([]provisioning.SSOConnection, error) {
	var out []provisioning.SSOConnection
	err := t.queryRows(ctx, `SELECT `+ssoConnectionColumns+` FROM sso_connections WHERE `+where+`
		ORDER BY created_at, id`, []any{arg}, func(r Rows) error {
		var c provisioning.SSOConnection
		if err := scanSSOConnection(r, &c); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// UpdateSSOConnection writes a connection's name, state, settings and secret.
func (t *Tx) UpdateSSOConnection(ctx context.Context, c provisioning.SSOConnection) error {
	n, err := t.exec(ctx, "sso connection", `UPDATE sso_connections SET name=$3, enabled=$4, config=$5,
		secret=$6, updated_at=$7 WHERE org_id=$1 AND id=$2`, c.OrgID, c.ID, c.Name, c.Enabled,
		string(c.Config), secretValue(c.Secret), utc(c.UpdatedAt))
	if err != nil {
		return err
	}
	return mustAffect(n, "sso connection")
}

// DeleteSSOConnection removes an org's connection with its flows.
func (t *Tx) DeleteSSOConnection(ctx context.Context, orgID, id string) error {
	n, err := t.exec(ctx, "sso connection", `DELETE FROM sso_connections WHERE org_id = $1 AND id = $2`, orgID, id)
	if err != nil {
		return err
	}
	return mustAffect(n, "sso connection")
}

const ssoFlowColumns = `id, connection_id, org_id, request_id, nonce, verifier, browser_hash, redirect_uri,
	app_state, test_by, test_return, test_result, created_at, expires_at, used_at`

func scanSSOFlow(r Rows, f *provisioning.SSOFlow) error {
	var result *string
	if err := r.Scan(&f.ID, &f.ConnectionID, &f.OrgID, &f.RequestID, &f.Nonce, &f.Verifier, &f.BrowserHash,
		&f.RedirectURI, &f.AppState, &f.TestBy, &f.TestReturn, &result, timeValue{&f.CreatedAt}, timeValue{&f.ExpiresAt},
		nullTimeValue{&f.UsedAt}); err != nil {
		return err
	}
	if result != nil {
		f.TestResult = json.RawMessage(*result)
	}
	return nil
}

// InsertSSOFlow stores a sign-in in progress under the hash of its secret.
func (t *Tx) InsertSSOFlow(ctx context.Context, f provisioning.SSOFlow, hash []byte) error {
	_, err := t.exec(ctx, "sso flow", `INSERT INTO sso_flows (id, token_hash, connection_id, org_id,
		request_id, nonce, verifier, browser_hash, redirect_uri, app_state, test_by, test_return, created_at, expires_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`, f.ID, hash, f.ConnectionID, f.OrgID,
		f.RequestID, f.Nonce, f.Verifier, secretValue(f.BrowserHash), f.RedirectURI, f.AppState,
		f.TestBy, f.TestReturn, utc(f.CreatedAt), utc(f.ExpiresAt))
	return err
}

// GetSSOFlow reads a flow by the hash of its secret.
func (t *Tx) GetSSOFlow(ctx context.Context, hash []byte) (provisioning.SSOFlow, error) {
	var f provisioning.SSOFlow
	err := t.queryOne(ctx, "sign-in", `SELECT `+ssoFlowColumns+` FROM sso_flows WHERE token_hash = $1`,
		[]any{hash}, func(r Rows) error { return scanSSOFlow(r, &f) })
	return f, err
}

// ConsumeSSOFlow marks an unused, unexpired flow used and returns it.
func (t *Tx) ConsumeSSOFlow(ctx context.Context, hash []byte, now time.Time) (provisioning.SSOFlow, error) {
	var f provisioning.SSOFlow
	err := t.queryOne(ctx, "sign-in", `UPDATE sso_flows SET used_at = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING `+ssoFlowColumns,
		[]any{hash, utc(now)}, func(r Rows) error { return scanSSOFlow(r, &f) })
	return f, err
}

// FinishSSOTest marks an unused, unexpired test flow used, with its result, kept until keepUntil.
func (t *Tx) FinishSSOTest(ctx context.Context, hash []byte, now time.Time, result json.RawMessage, keepUntil time.Time) (provisioning.SSOFlow, error) {
	var f provisioning.SSOFlow
	err := t.queryOne(ctx, "test sign-in", `UPDATE sso_flows SET used_at = $2, test_result = $3, expires_at = $4
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND test_by <> '' RETURNING `+ssoFlowColumns,
		[]any{hash, utc(now), string(result), utc(keepUntil)}, func(r Rows) error { return scanSSOFlow(r, &f) })
	return f, err
}

// GetSSOFlowByID reads a flow by its id.
func (t *Tx) GetSSOFlowByID(ctx context.Context, id string) (provisioning.SSOFlow, error) {
	var f provisioning.SSOFlow
	err := t.queryOne(ctx, "test sign-in", `SELECT `+ssoFlowColumns+` FROM sso_flows WHERE id = $1`,
		[]any{id}, func(r Rows) error { return scanSSOFlow(r, &f) })
	return f, err
}

// RecordSSOAssertion inserts an assertion id; a replay violates the primary key.
func (t *Tx) RecordSSOAssertion(ctx context.Context, connectionID, assertionID string, expiresAt time.Time) error {
	_, err := t.exec(ctx, "assertion", `INSERT INTO sso_assertions (connection_id, assertion_id, expires_at)
		VALUES ($1,$2,$3)`, connectionID, assertionID, utc(expiresAt))
	return err
}

const ssoCodeColumns = `id, org_id, connection_id, user_id, membership_id, redirect_uri, groups_json,
	created_at, expires_at, used_at`

func scanSSOCode(r Rows, c *provisioning.SSOCode) error {
	var groups *string
	if err := r.Scan(&c.ID, &c.OrgID, &c.ConnectionID, &c.UserID, &c.MembershipID, &c.RedirectURI, &groups,
		timeValue{&c.CreatedAt}, timeValue{&c.ExpiresAt}, nullTimeValue{&c.UsedAt}); err != nil {
		return err
	}
	if groups == nil {
		return nil
	}
	return json.Unmarshal([]byte(*groups), &c.Groups)
}

// InsertSSOCode stores a one-time code under its hash.
func (t *Tx) InsertSSOCode(ctx context.Context, c provisioning.SSOCode, hash []byte) error {
	var groups any
	if c.Groups != nil {
		groups = groupsJSON(c.Groups)
	}
	_, err := t.exec(ctx, "sso code", `INSERT INTO sso_codes (id, code_hash, org_id, connection_id, user_id,
		membership_id, redirect_uri, groups_json, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
		c.ID, hash, c.OrgID, c.ConnectionID, c.UserID, c.MembershipID, c.RedirectURI, groups,
		utc(c.CreatedAt), utc(c.ExpiresAt))
	return err
}

// ConsumeSSOCode marks an unused, unexpired code used and returns it.
func (t *Tx) ConsumeSSOCode(ctx context.Context, hash []byte, now time.Time) (provisioning.SSOCode, error) {
	var c provisioning.SSOCode
	err := t.queryOne(ctx, "code", `UPDATE sso_codes SET used_at = $2
		WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING `+ssoCodeColumns,
		[]any{hash, utc(now)}, func(r Rows) error { return scanSSOCode(r, &c) })
	return c, err
}

// PurgeSSO deletes expired flows, codes and assertion ids.
func (t *Tx) PurgeSSO(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, table := range []string{"sso_flows", "sso_codes", "sso_assertions"} {
		n, err := t.exec(ctx, "purge", `DELETE FROM `+table+` WHERE expires_at <= $1`, utc(now))
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
