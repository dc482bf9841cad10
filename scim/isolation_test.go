package scim_test

import (
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestTenantIsolation: org B's token can neither read nor change org A's users and groups, with
// ids copied from A, on every endpoint; a wrong or revoked token gets 401.
func TestTenantIsolation(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		uid := e.want(e.do("POST", "/Users", userBody("a1@acme.com")), 201, "A user").str("id")
		gid := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"A team","members":[{"value":"`+uid+`"}]}`), 201, "A group").str("id")
		orgB := e.h.CreateOrg("other", -1, "owner@other.com")
		tokB := e.newToken(orgB, "B")
		bUser := e.want(e.doAs(tokB, "POST", "/Users", userBody("b1@other.com")), 201, "B user").str("id")
		bGroup := e.want(e.doAs(tokB, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"B team"}`), 201, "B group").str("id")

		for _, c := range []struct{ method, path, body string }{
			{"GET", "/Users/" + uid, ""},
			{"PUT", "/Users/" + uid, userBody("a1@acme.com")},
			{"PATCH", "/Users/" + uid, patchOp + `[{"op":"replace","path":"active","value":false}]}`},
			{"DELETE", "/Users/" + uid, ""},
			{"GET", "/Groups/" + gid, ""},
			{"PUT", "/Groups/" + gid, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"x"}`},
			{"PATCH", "/Groups/" + gid, patchOp + `[{"op":"remove","path":"members"}]}`},
			{"DELETE", "/Groups/" + gid, ""},
		} {
			e.wantError(e.doAs(tokB, c.method, c.path, c.body), 404, "", "B "+c.method+" "+c.path)
		}
		for _, path := range []string{"/Users", "/Users?filter=" + strings.ReplaceAll(`id eq "`+uid+`"`, " ", "%20"),
			"/Groups", "/Groups?filter=" + strings.ReplaceAll(`members[value eq "`+uid+`"]`, " ", "%20")} {
			r := e.want(e.doAs(tokB, "GET", path, ""), 200, "B list "+path)
			for _, res := range r.Body["Resources"].([]any) {
				if id := res.(map[string]any)["id"]; id == uid || id == gid {
					t.Fatalf("B sees A's resource via %s: %s", path, r.Raw)
				}
			}
		}
		e.want(e.doAs(tokB, "PATCH", "/Groups/"+bGroup, patchOp+`[{"op":"add","path":"members","value":[{"value":"`+uid+`"},{"value":"`+bUser+`"}]}]}`), 204, "B adds A's user id")
		r := e.want(e.doAs(tokB, "GET", "/Groups/"+bGroup, ""), 200, "B group")
		if list, _ := r.get("members").([]any); len(list) != 1 || r.str("members.0.value") != bUser {
			t.Fatalf("A's user must not join B's group: %s", r.Raw)
		}
		r = e.want(e.do("GET", "/Groups/"+gid, ""), 200, "A group intact")
		if list, _ := r.get("members").([]any); len(list) != 1 || e.member("a1@acme.com").Status != provisioning.StatusActive {
			t.Fatalf("A's data changed: %s", r.Raw)
		}

		e.wantError(e.doAs("", "GET", "/Users", ""), 401, "", "no token")
		e.wantError(e.doAs("scim_wrong", "GET", "/Users", ""), 401, "", "wrong token")
		e.wantError(e.doAs(e.token[:len(e.token)-1]+"x", "GET", "/ServiceProviderConfig", ""), 401, "", "altered token")
		rotated := e.newToken(e.org, "rotation")
		toks, err := e.svc.ListTokens(e.h.Ctx, e.h.MemberActor(e.org.Owner.Membership), e.org.Org.ID)
		if err != nil || len(toks) != 2 {
			t.Fatalf("two live tokens: %+v %v", toks, err)
		}
		e.want(e.doAs(rotated, "GET", "/Users", ""), 200, "new token")
		for _, tok := range toks {
			if tok.Name == "okta" {
				if err := e.svc.RevokeToken(e.h.Ctx, e.h.MemberActor(e.org.Owner.Membership), e.org.Org.ID, tok.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		e.wantError(e.do("GET", "/Users", ""), 401, "", "revoked token")
		e.want(e.doAs(rotated, "GET", "/Users", ""), 200, "the other token still works")
		err = e.svc.RevokeToken(e.h.Ctx, e.h.MemberActor(orgB.Owner.Membership), orgB.Org.ID, toks[0].ID)
		storetest.WantCode(t, err, provisioning.CodeNotFound)
	})
}
