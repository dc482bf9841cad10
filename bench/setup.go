package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/sqlstore"
)

// tenant is an org made for the benchmark and its SCIM directory token.
type tenant struct {
	Slug, ID, SCIM string
}

// newTenant creates an org with unlimited seats on the enterprise plan (no invitation quota)
// and a SCIM token for it, through the API with the operator key.
func newTenant(ctx context.Context, c *client, slug string) (tenant, error) {
	var org provisioning.OrgWithOwner
	seats := -1
	in := map[string]any{"slug": slug, "name": "Bench " + slug, "plan": "enterprise", "seatLimit": seats, "ownerEmail": "owner@" + slug + ".example"}
	if err := c.call(ctx, "POST", "/api/v1/orgs", operatorKey, in, &org); err != nil {
		return tenant{}, err
	}
	var tok struct {
		Token provisioning.DirectoryToken `json:"token"`
	}
	if err := c.call(ctx, "POST", "/api/v1/orgs/"+slug+"/scim/tokens", operatorKey, map[string]string{"name": "bench"}, &tok); err != nil {
		return tenant{}, err
	}
	return tenant{Slug: slug, ID: org.Org.ID, SCIM: tok.Token.Secret}, nil
}

// scimUser is a SCIM create body with a work email.
func scimUser(userName string) []byte {
	b, _ := json.Marshal(map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName":    userName,
		"externalId":  "ext-" + userName,
		"displayName": "Display " + userName,
		"name":        map[string]string{"givenName": "Given", "familyName": "Family " + userName},
		"emails":      []map[string]any{{"type": "work", "value": userName, "primary": true}},
		"active":      true,
	})
	return b
}

// createSCIMUser pushes one user and returns its SCIM id.
func createSCIMUser(ctx context.Context, c *client, t tenant, userName string) (string, error) {
	b, err := c.do(ctx, "POST", "/scim/v2/Users", t.SCIM, scimUser(userName))
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	return out.ID, json.Unmarshal(b, &out)
}

// memberTokens gives the org's owner n personal API tokens with a limit high enough never to
// refuse a benchmark call. API tokens can only be created by a signed-in member, so the rows
// are written by SQL the way the core writes them (hash of the secret, limits).
func memberTokens(ctx context.Context, db *sql.DB, backend, orgID string, n int) ([]string, error) {
	var mid, uid string
	q := "SELECT id, user_id FROM memberships WHERE org_id = " + ph(backend, 1) + " AND role = 'owner'"
	if err := db.QueryRowContext(ctx, q, orgID).Scan(&mid, &uid); err != nil {
		return nil, fmt.Errorf("owner: %w", err)
	}
	var now any = time.Now().UTC()
	if backend == "sqlite" {
		now = time.Now().UTC().Format(sqlstore.TimeFormat)
	}
	ins := "INSERT INTO api_tokens (id, org_id, membership_id, user_id, name, hint, hash, created_at, rate_limit_per_minute) VALUES (" +
		ph(backend, 1) + ", " + ph(backend, 2) + ", " + ph(backend, 3) + ", " + ph(backend, 4) + ", " + ph(backend, 5) + ", " +
		ph(backend, 6) + ", " + ph(backend, 7) + ", " + ph(backend, 8) + ", 100000000)"
	var out []string
	for i := range n {
		secret, hash := provisioning.NewSecret(provisioning.TokenPrefix)
		if _, err := db.ExecContext(ctx, ins, provisioning.NewID(), orgID, mid, uid, fmt.Sprintf("bench %d", i),
			provisioning.SecretHint(secret), hash, now); err != nil {
			return nil, fmt.Errorf("api token: %w", err)
		}
		out = append(out, secret)
	}
	return out, nil
}

// filterPath is a SCIM list path with filter f.
func filterPath(resource, f string) string {
	return "/scim/v2/" + resource + "?filter=" + url.QueryEscape(f)
}
