package api_test

import (
	"net/http"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// TestRoleTable checks every cell of SPEC.md's role table that the core API serves, for each
// role, allowed and refused, each against a fresh org.
func TestRoleTable(t *testing.T) {
	e := newEnv(t)
	type call struct {
		method, path string
		body         any
	}
	m := func(f fixture, name string) string { return f.members[name].ID }
	cases := []struct {
		name    string
		allowed []provisioning.Role
		call    func(f fixture) call
	}{
		{"see the member list", roles("owner", "admin"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/members", nil} }},
		{"export the member list", roles("owner", "admin"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/members/export", nil} }},
		{"see the audit log", roles("owner", "admin"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/audit", nil} }},
		{"add as member", roles("owner", "admin"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/members", map[string]string{"email": "new@x.com", "role": "member"}}
		}},
		{"add as viewer", roles("owner", "admin"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/members", map[string]string{"email": "new@x.com", "role": "viewer"}}
		}},
		{"add as admin", roles("owner"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/members", map[string]string{"email": "new@x.com", "role": "admin"}}
		}},
		{"change an admin's role", roles("owner"), func(f fixture) call {
			return call{"PATCH", "/orgs/" + f.slug + "/members/" + m(f, "admin2"), map[string]string{"role": "member"}}
		}},
		{"remove an admin", roles("owner"), func(f fixture) call { return call{"DELETE", "/orgs/" + f.slug + "/members/" + m(f, "admin2"), nil} }},
		{"make someone owner", roles("owner"), func(f fixture) call {
			return call{"PATCH", "/orgs/" + f.slug + "/members/" + m(f, "member2"), map[string]string{"role": "owner"}}
		}},
		{"remove an owner", roles("owner"), func(f fixture) call { return call{"DELETE", "/orgs/" + f.slug + "/members/" + m(f, "owner2"), nil} }},
		{"delete the org", roles("owner"), func(f fixture) call { return call{"DELETE", "/orgs/" + f.slug, nil} }},
		{"change plan", roles("owner"), func(f fixture) call { return call{"PATCH", "/orgs/" + f.slug, map[string]string{"plan": "pro"}} }},
		{"change seat limit", roles("owner"), func(f fixture) call { return call{"PATCH", "/orgs/" + f.slug, map[string]int{"seatLimit": 50}} }},
		{"change a member's role", roles("owner", "admin"), func(f fixture) call {
			return call{"PATCH", "/orgs/" + f.slug + "/members/" + m(f, "member2"), map[string]string{"role": "viewer"}}
		}},
		{"remove a viewer", roles("owner", "admin"), func(f fixture) call { return call{"DELETE", "/orgs/" + f.slug + "/members/" + m(f, "viewer2"), nil} }},
		{"suspend a member", roles("owner", "admin"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/members/" + m(f, "member2") + "/suspend", nil}
		}},
		{"manage settings", roles("owner", "admin"), func(f fixture) call {
			return call{"PUT", "/orgs/" + f.slug + "/settings", provisioning.DefaultSettings()}
		}},
		{"see settings", roles("owner", "admin"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/settings", nil} }},
		{"assign seats to viewers", roles("owner", "admin"), func(f fixture) call { return call{"POST", "/orgs/" + f.slug + "/seats/assign-viewers", nil} }},
		{"create own API token", roles("owner", "admin", "member"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/tokens", map[string]string{"name": "ci"}}
		}},
		{"list own API tokens", roles("owner", "admin", "member"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/tokens", nil} }},
		{"list other members' tokens", roles("owner", "admin"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/tokens?all=true", nil} }},
		{"revoke a member's token", roles("owner", "admin"), func(f fixture) call {
			return call{"DELETE", "/orgs/" + f.slug + "/tokens/" + f.memberToken.ID, nil}
		}},
		{"revoke an owner's token", roles("owner"), func(f fixture) call {
			return call{"DELETE", "/orgs/" + f.slug + "/tokens/" + f.ownerToken.ID, nil}
		}},
		{"manage domains", roles("owner", "admin"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/domains", map[string]string{"name": f.slug + "-corp.com"}}
		}},
		{"list domains", roles("owner", "admin"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/domains", nil} }},
		{"manage the SCIM directory", roles("owner", "admin"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/scim/tokens", map[string]string{"name": "Okta"}}
		}},
		{"list SCIM tokens", roles("owner", "admin"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/scim/tokens", nil} }},
		{"map a group to member", roles("owner", "admin"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/scim/mappings", map[string]string{"group": "Staff", "role": "member"}}
		}},
		{"map a group to admin", roles("owner"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/scim/mappings", map[string]string{"group": "Admins", "role": "admin"}}
		}},
		{"create an SSO connection", roles("owner", "admin"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/sso/connections", map[string]any{"protocol": "oidc", "issuer": e.issuer, "clientId": "x"}}
		}},
		{"create an SSO connection granting admin", roles("owner"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/sso/connections", map[string]any{"protocol": "oidc", "issuer": e.issuer,
				"clientId": "x", "groupRoles": []map[string]string{{"group": "IT", "role": "admin"}}}}
		}},
		{"create an SSO connection with admin as its default role", roles("owner"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/sso/connections", map[string]any{"protocol": "oidc", "issuer": e.issuer, "clientId": "x", "defaultRole": "admin"}}
		}},
		{"list SSO connections", roles("owner", "admin"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/sso/connections", nil} }},
		{"rotate the SAML SP key", nil, func(f fixture) call { return call{"POST", "/sso/sp-certificate/rotate", nil} }},
		{"activate the rotated SAML SP key", nil, func(f fixture) call { return call{"POST", "/sso/sp-certificate/activate", nil} }},
		{"see invitations", roles("owner", "admin"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/invitations", nil} }},
		{"invite as member", roles("owner", "admin"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/invitations", map[string]string{"email": "new@x.com", "role": "member"}}
		}},
		{"invite as admin", roles("owner"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/invitations", map[string]string{"email": "new@x.com", "role": "admin"}}
		}},
		{"see invite links", roles("owner", "admin"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/invite-links", nil} }},
		{"regenerate the member invite link", roles("owner", "admin"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/invite-links/member/regenerate", nil}
		}},
		{"regenerate the admin invite link", roles("owner"), func(f fixture) call {
			return call{"POST", "/orgs/" + f.slug + "/invite-links/admin/regenerate", nil}
		}},
		{"see the org contact", roles("owner", "admin", "member", "viewer"), func(f fixture) call { return call{"GET", "/orgs/" + f.slug + "/contact", nil} }},
		{"change the org contact", roles("owner", "admin"), func(f fixture) call {
			return call{"PUT", "/orgs/" + f.slug + "/contact", provisioning.Contact{Name: "Ops", Email: "ops@x.com"}}
		}},
	}
	for _, c := range cases {
		for _, role := range []provisioning.Role{provisioning.RoleOwner, provisioning.RoleAdmin, provisioning.RoleMember, provisioning.RoleViewer} {
			t.Run(c.name+"/"+string(role), func(t *testing.T) {
				e.t = t
				f := e.fixture(-1)
				cl := c.call(f)
				res := e.do(f.tokens[role], cl.method, cl.path, cl.body)
				if contains(c.allowed, role) {
					if res.Status >= 300 {
						t.Fatalf("%s may %s, got %d %s", role, c.name, res.Status, res.Raw)
					}
					return
				}
				if res.Status != http.StatusForbidden && res.Status != http.StatusNotFound {
					t.Fatalf("%s may not %s, got %d %s", role, c.name, res.Status, res.Raw)
				}
				if res.Status == http.StatusForbidden && (res.errCode() != "forbidden" || res.errMessage() == "") {
					t.Fatalf("refusal should carry code forbidden and a message: %s", res.Raw)
				}
			})
		}
	}
}

func roles(names ...string) []provisioning.Role {
	out := make([]provisioning.Role, len(names))
	for i, n := range names {
		out[i] = provisioning.Role(n)
	}
	return out
}

func contains(rs []provisioning.Role, r provisioning.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
