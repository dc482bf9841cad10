package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// RecordDirectoryRequests numbers each org's requests with one counter upsert and writes them
// into the org's ring, slot seq % DirectoryRequestsKept, in place of the request kept there:
// two statements per org, whatever the number of requests.
// A slot is only ever moved forward, so a late writer never brings back an older request.
func (t *Tx) RecordDirectoryRequests(ctx context.Context, requests []provisioning.DirectoryRequest) error {
	var orgs []string
	byOrg := map[string][]provisioning.DirectoryRequest{}
	for _, r := range requests {
		if _, ok := byOrg[r.OrgID]; !ok {
			orgs = append(orgs, r.OrgID)
		}
		byOrg[r.OrgID] = append(byOrg[r.OrgID], r)
	}
	for _, org := range orgs {
		list := byOrg[org]
		var last int64
		err := t.queryOne(ctx, "scim request count", `INSERT INTO scim_request_counts (org_id, requests) VALUES ($1, $2)
			ON CONFLICT (org_id) DO UPDATE SET requests = scim_request_counts.requests + excluded.requests
			RETURNING requests`, []any{org, len(list)}, func(r Rows) error { return r.Scan(&last) })
		if err != nil {
			return err
		}
		if err := t.writeRing(ctx, org, list, last); err != nil {
			return err
		}
	}
	return nil
}

// writeRing writes the org's requests numbered up to last, the last DirectoryRequestsKept of
// them only, in one statement (sent with the commit): their slots are distinct.
func (t *Tx) writeRing(ctx context.Context, org string, list []provisioning.DirectoryRequest, last int64) error {
	first := last - int64(len(list)) + 1
	var values strings.Builder
	var args []any
	for i, r := range list {
		seq := first + int64(i)
		if seq <= last-provisioning.DirectoryRequestsKept {
			continue
		}
		if len(args) > 0 {
			values.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&values, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
			n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10)
		args = append(args, org, seq%provisioning.DirectoryRequestsKept, seq, utc(r.At), r.Method, r.Path, r.Status,
			r.SCIMType, r.TokenID, r.Duration.Milliseconds())
	}
	return t.execLater(ctx, "scim request", `INSERT INTO scim_requests
		(org_id, slot, seq, at, method, path, status, scim_type, token_id, duration_ms)
		VALUES `+values.String()+`
		ON CONFLICT (org_id, slot) DO UPDATE SET seq = excluded.seq, at = excluded.at,
			method = excluded.method, path = excluded.path, status = excluded.status,
			scim_type = excluded.scim_type, token_id = excluded.token_id, duration_ms = excluded.duration_ms
		WHERE scim_requests.seq < excluded.seq`, args...)
}

// ListDirectoryRequests lists the org's ring, newest first.
func (t *Tx) ListDirectoryRequests(ctx context.Context, orgID string) ([]provisioning.DirectoryRequest, error) {
	var out []provisioning.DirectoryRequest
	err := t.queryRows(ctx, `SELECT org_id, seq, at, method, path, status, scim_type, token_id, duration_ms
		FROM scim_requests WHERE org_id = $1 ORDER BY seq DESC`, []any{orgID}, func(r Rows) error {
		var q provisioning.DirectoryRequest
		var ms int64
		if err := r.Scan(&q.OrgID, &q.Seq, timeValue{&q.At}, &q.Method, &q.Path, &q.Status, &q.SCIMType, &q.TokenID, &ms); err != nil {
			return err
		}
		q.Duration = time.Duration(ms) * time.Millisecond
		out = append(out, q)
		return nil
	})
	return out, err
}
