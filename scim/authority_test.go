package scim_test

import (
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestDirectoryActsWithItsCreatorsRights: a directory token acts with at most the rights of the
// member who created it, now. An admin's token cannot suspend, remove or re-role owners and
// admins, nor make anyone admin through a mapped group; an owner's token can; a token whose
// creator no longer administers the org stops working.
func TestDirectoryActsWithItsCreatorsRights(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: -1})
		org := e.org.Org.ID
		owner := e.h.MemberActor(e.org.Owner.Membership)
		e.h.MustJoin(org, "owner2@acme.com", provisioning.EntranceManual, provisioning.RoleOwner)
		admin := e.h.MustJoin(org, "admin@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin).Membership
		e.h.MustJoin(org, "admin2@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin)
		if _, err := e.svc.CreateMapping(e.h.Ctx, owner, org, scim.MappingInput{Group: "Rollcall Admins", Role: provisioning.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		adminToken, err := e.svc.CreateToken(e.h.Ctx, e.h.MemberActor(admin), org, "admin's okta")
		if err != nil {
			t.Fatal(err)
		}
		as := func(method, path, body string) resp { return e.doAs(adminToken.Secret, method, path, body) }

		for _, email := range []string{"owner2@acme.com", "admin2@acme.com"} {
			id := e.want(as("POST", "/Users", userBody(email)), 201, "link "+email).str("id")
			// Changes that leave the account's email alone still go through.
			e.want(as("PATCH", "/Users/"+id, patchOp+`[{"op":"add","path":"emails","value":[{"value":"other@elsewhere.com","type":"home"}]}]}`), 200, "add a secondary email to "+email)
			e.wantError(as("PATCH", "/Users/"+id, patchOp+`[{"op":"replace","path":"active","value":false}]}`), 403, "", "suspend "+email)
			e.wantError(as("DELETE", "/Users/"+id, ""), 403, "", "remove "+email)
			if m := e.member(email); m.Status != provisioning.StatusActive || !m.Role.IsAdmin() {
				t.Fatalf("%s after the admin's directory tried: %+v", email, m)
			}
		}
		friend := e.want(as("POST", "/Users", userBody("friend@acme.com")), 201, "create friend").str("id")
		e.want(as("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Rollcall Admins","members":[{"value":"`+friend+`"}]}`), 201, "group")
		if m := e.member("friend@acme.com"); m.Role != provisioning.RoleMember {
			t.Fatalf("an admin's directory made friend %s", m.Role)
		}

		// The same through an owner's token works.
		admin2 := e.want(e.do("GET", `/Users?filter=userName%20eq%20%22admin2@acme.com%22`, ""), 200, "find admin2").str("Resources.0.id")
		e.want(e.do("DELETE", "/Users/"+admin2, ""), 204, "owner's directory removes admin2")

		if _, err := e.h.Service.ChangeRole(e.h.Ctx, owner, org, admin.ID, provisioning.RoleMember); err != nil {
			t.Fatal(err)
		}
		e.wantError(as("GET", "/Users", ""), 401, "", "token of a demoted admin")
	})
}
