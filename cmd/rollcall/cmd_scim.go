package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/rollcall/rollcall/provisioning"
)

// scimCommands are the CLI verbs of this file.
func scimCommands() []command {
	return []command{
		{"scim token", "create|list|revoke ORG [NAME|TOKEN_ID]", "manage the org's SCIM directory tokens", cmdSCIMToken},
		{"scim mapping", "create|list|delete ORG [GROUP ROLE|MAPPING_ID]", "map directory groups to roles", cmdSCIMMapping},
	}
}

func cmdSCIMToken(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "scim token")
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, -1, "scim token")
	if !ok {
		return exitUsage
	}
	switch {
	case len(pos) == 3 && pos[0] == "create":
		var out struct {
			Token provisioning.DirectoryToken `json:"token"`
		}
		return c.call(ctx, "scim token create", "POST", orgPath(pos[1], "/scim/tokens"), map[string]string{"name": pos[2]}, &out, func() {
			fmt.Fprintf(e.stdout, "SCIM token %q created (id %s). Paste it into your IdP now, it is not shown again:\n%s\n", out.Token.Name, out.Token.ID, out.Token.Secret)
			fmt.Fprintf(e.stdout, "SCIM base URL: %s/scim/v2\n", c.baseURL())
		})
	case len(pos) == 2 && pos[0] == "list":
		var out struct {
			Tokens []provisioning.DirectoryToken `json:"tokens"`
		}
		return c.call(ctx, "scim token list", "GET", orgPath(pos[1], "/scim/tokens"), nil, &out, func() {
			var rows [][]string
			for _, t := range out.Tokens {
				rows = append(rows, []string{t.ID, t.Name, t.Hint, when(t.LastUsedAt), when(t.RevokedAt)})
			}
			c.table([]string{"ID", "NAME", "ENDS", "LAST USED", "REVOKED"}, rows)
		})
	case len(pos) == 3 && pos[0] == "revoke":
		return c.call(ctx, "scim token revoke", "DELETE", orgPath(pos[1], "/scim/tokens/", url.PathEscape(pos[2])), nil, nil, func() {
			fmt.Fprintf(e.stdout, "SCIM token %s revoked.\n", pos[2])
		})
	}
	fmt.Fprintln(e.stderr, "rollcall scim token: use create ORG NAME, list ORG, or revoke ORG TOKEN_ID")
	return exitUsage
}

func cmdSCIMMapping(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "scim mapping")
	c := clientFlags(e, fs)
	pos, ok := parse(e, fs, args, -1, "scim mapping")
	if !ok {
		return exitUsage
	}
	switch {
	case len(pos) == 4 && pos[0] == "create":
		var out struct {
			Mapping provisioning.GroupRoleMapping `json:"mapping"`
		}
		return c.call(ctx, "scim mapping create", "POST", orgPath(pos[1], "/scim/mappings"), map[string]string{"group": pos[2], "role": pos[3]}, &out, func() {
			fmt.Fprintf(e.stdout, "Members of %q get the %s role (mapping %s).\n", pos[2], pos[3], out.Mapping.ID)
		})
	case len(pos) == 2 && pos[0] == "list":
		var out struct {
			Mappings []provisioning.GroupRoleMapping `json:"mappings"`
		}
		return c.call(ctx, "scim mapping list", "GET", orgPath(pos[1], "/scim/mappings"), nil, &out, func() {
			var rows [][]string
			for _, m := range out.Mappings {
				rows = append(rows, []string{m.ID, m.Group, string(m.Role)})
			}
			c.table([]string{"ID", "GROUP", "ROLE"}, rows)
		})
	case len(pos) == 3 && pos[0] == "delete":
		return c.call(ctx, "scim mapping delete", "DELETE", orgPath(pos[1], "/scim/mappings/", url.PathEscape(pos[2])), nil, nil, func() {
			fmt.Fprintf(e.stdout, "Mapping %s deleted.\n", pos[2])
		})
	}
	fmt.Fprintln(e.stderr, "rollcall scim mapping: use create ORG GROUP ROLE, list ORG, or delete ORG MAPPING_ID")
	return exitUsage
}
