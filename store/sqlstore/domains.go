package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

const domainColumns = `id, org_id, name, state, token, auto_join, join_role, reason,
	created_at, updated_at, verified_at, checked_at`

func scanDomain(r Rows, d *provisioning.Domain) error {
	return r.Scan(&d.ID, &d.OrgID, &d.Name, &d.State, &d.Token, &d.AutoJoin, &d.JoinRole, &d.Reason,
		timeValue{&d.CreatedAt}, timeValue{&d.UpdatedAt}, nullTimeValue{&d.VerifiedAt}, nullTimeValue{&d.CheckedAt})
}

func (t *Tx) getDomain(ctx context.Context, query string, args ...any) (provisioning.Domain, error) {
	var d provisioning.Domain
	err := t.queryOne(ctx, "domain", query, args, func(r Rows) error { return scanDomain(r, &d) })
	return d, err
}

func (t *Tx) listDomains(ctx context.Context, query string, args ...any) ([]provisioning.Domain, error) {
	var out []provisioning.Domain
	err := t.queryRows(ctx, query, args, func(r Rows) error {
		var d provisioning.Domain
		if err := scanDomain(r, &d); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// InsertDomain adds a domain to an org; a name already in the org is a conflict.
func (t *Tx) InsertDomain(ctx context.Context, d provisioning.Domain) error {
	_, err := t.exec(ctx, "domain", `INSERT INTO domains (`+domainColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, d.ID, d.OrgID, d.Name, string(d.State), d.Token,
		d.AutoJoin, string(d.JoinRole), d.Reason, utc(d.CreatedAt), utc(d.UpdatedAt),
		nullable(d.VerifiedAt), nullable(d.CheckedAt))
	return err
}

// GetDomain reads an org's domain by name.
func (t *Tx) GetDomain(ctx context.Context, orgID, name string) (provisioning.Domain, error) {
	return t.getDomain(ctx, `SELECT `+domainColumns+` FROM domains WHERE org_id = $1 AND name = $2`, orgID, name)
}

// GetDomainByID reads a domain by id.
func (t *Tx) GetDomainByID(ctx context.Context, id string) (provisioning.Domain, error) {
	return t.getDomain(ctx, `SELECT `+domainColumns+` FROM domains WHERE id = $1`, id)
}

// ListDomains lists an org's domains by name.
func (t *Tx) ListDomains(ctx context.Context, orgID string) ([]provisioning.Domain, error) {
	return t.listDomains(ctx, `SELECT `+domainColumns+` FROM domains WHERE org_id = $1 ORDER BY name`, orgID)
}

// ListDomainsByState lists every org's domains in the given states, least recently checked first.
func (t *Tx) ListDomainsByState(ctx context.Context, states ...provisioning.DomainState) ([]provisioning.Domain, error) {
	if len(states) == 0 {
		return nil, nil
	}
	marks := make([]string, len(states))
	args := make([]any, len(states))
	for i, s := range states {
		marks[i] = fmt.Sprintf("$%d", i+1)
		args[i] = string(s)
	}
	return t.listDomains(ctx, `SELECT `+domainColumns+` FROM domains WHERE state IN (`+strings.Join(marks, ",")+`)
		ORDER BY checked_at IS NOT NULL, checked_at, id`, args...)
}

// FindVerifiedDomain returns the verified claim on name, whichever org holds it.
func (t *Tx) FindVerifiedDomain(ctx context.Context, name string) (provisioning.Domain, error) {
	return t.getDomain(ctx, `SELECT `+domainColumns+` FROM domains WHERE name = $1 AND state = 'verified'`, name)
}

// UpdateDomain writes a domain's state, settings and check results. A second verified claim on
// one name violates domains_one_verified and comes back as a conflict.
func (t *Tx) UpdateDomain(ctx context.Context, d provisioning.Domain) error {
	n, err := t.exec(ctx, "verified claim on this domain", `UPDATE domains SET state=$2, auto_join=$3,
		join_role=$4, reason=$5, updated_at=$6, verified_at=$7, checked_at=$8 WHERE id=$1`,
		d.ID, string(d.State), d.AutoJoin, string(d.JoinRole), d.Reason, utc(d.UpdatedAt),
		nullable(d.VerifiedAt), nullable(d.CheckedAt))
	if err != nil {
		return err
	}
	return mustAffect(n, "domain")
}

// DeleteDomain removes an org's domain.
func (t *Tx) DeleteDomain(ctx context.Context, orgID, id string) error {
	n, err := t.exec(ctx, "domain", `DELETE FROM domains WHERE org_id = $1 AND id = $2`, orgID, id)
	if err != nil {
		return err
	}
	return mustAffect(n, "domain")
}

// CountDomains counts an org's domains.
func (t *Tx) CountDomains(ctx context.Context, orgID string) (int, error) {
	var n int
	err := t.queryOne(ctx, "domain count", `SELECT COUNT(*) FROM domains WHERE org_id = $1`, []any{orgID},
		func(r Rows) error { return r.Scan(&n) })
	return n, err
}
