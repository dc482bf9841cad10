package scim_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestGroupChangeInBatches: a group PATCH larger than one batch commits batch by batch (other
// requests of the org and of another org are answered between batches and see the group part
// way), mapped roles follow, the seat limit holds with the free seats going in request order,
// and sending the same PATCH again changes nothing. Replace and remove-all run in batches too.
func TestGroupChangeInBatches(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, 30, scim.Options{MemberBatch: 7})
		ids := seedUsers(t, e.h, e.org.Org.ID, 40) // the owner and 29 members hold the 30 seats; 11 viewers
		limit := 35
		if _, err := e.h.Service.UpdateOrg(e.h.Ctx, provisioning.Operator(), e.org.Org.ID, provisioning.OrgUpdate{SeatLimit: &limit}); err != nil {
			t.Fatal(err)
		}
		owner := e.h.MemberActor(e.org.Owner.Membership)
		if _, err := e.svc.CreateMapping(e.h.Ctx, owner, e.org.Org.ID, scim.MappingInput{Group: "Staff", Role: provisioning.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		other := e.h.CreateOrg("other", -1, "owner@other.example")
		otherToken := e.newToken(other, "other")
		gid := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Staff"}`), 201, "group").str("id")

		var seen []int
		creates := 0
		scim.AfterEachBatch(e.svc, func() {
			r := e.want(e.do("GET", "/Groups/"+gid, ""), 200, "read the group between batches")
			list, _ := r.get("members").([]any)
			seen = append(seen, len(list))
			creates++
			e.want(e.doAs(otherToken, "GET", "/Users?count=1", ""), 200, "another org between batches")
			e.want(e.do("POST", "/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"between%d@acme.com","active":false}`, creates)),
				201, "a create in the same org between batches")
		})
		request := slices.Clone(ids)
		slices.Reverse(request)
		wantRoles := func(what string) {
			t.Helper()
			for i := range ids {
				want := provisioning.RoleAdmin
				if i >= 29 && i < 35 {
					want = provisioning.RoleViewer // seats ran out: ids[39]…ids[35] came first in the request
				}
				if m := e.member(fmt.Sprintf("user%05d@big.example", i)); m.Role != want {
					t.Fatalf("%s: user %d is %s, want %s", what, i, m.Role, want)
				}
			}
			if u := e.h.Usage(e.org.Org.ID); u.Used != limit {
				t.Fatalf("%s: usage %+v, want all %d seats used and no more", what, u, limit)
			}
		}
		e.want(e.do("PATCH", "/Groups/"+gid, membersPatch("add", request)), 204, "add 40 in batches of 7")
		if !slices.Equal(seen, []int{7, 14, 21, 28, 35, 40}) {
			t.Fatalf("members seen between batches: %v", seen)
		}
		wantRoles("after the PATCH")
		before := e.want(e.do("GET", "/Groups/"+gid, ""), 200, "group").str("meta.version")

		seen = nil
		e.want(e.do("PATCH", "/Groups/"+gid, membersPatch("add", request)), 204, "the same PATCH again")
		wantRoles("after a retry")
		if after := e.want(e.do("GET", "/Groups/"+gid, ""), 200, "group").str("meta.version"); after != before {
			t.Fatalf("a retry that changes nothing keeps the version: %s → %s", before, after)
		}

		e.want(e.do("PATCH", "/Groups/"+gid, patchOp+`[{"op":"replace","path":"members","value":[{"value":"`+ids[0]+`"},{"value":"`+ids[1]+`"}]}]}`), 204, "replace in batches")
		r := e.want(e.do("GET", "/Groups/"+gid, ""), 200, "group after replace")
		if list, _ := r.get("members").([]any); len(list) != 2 {
			t.Fatalf("members after replace: %v", r.get("members"))
		}
		if m := e.member("user00002@big.example"); m.Role != provisioning.RoleMember {
			t.Fatalf("leaving the mapped group falls back to the default role: %+v", m)
		}
		if m := e.member("user00000@big.example"); m.Role != provisioning.RoleAdmin {
			t.Fatalf("staying keeps the mapped role: %+v", m)
		}
		put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Staff","members":[`
		for i, id := range ids[:10] {
			put += map[bool]string{true: ",", false: ""}[i > 0] + `{"value":"` + id + `"}`
		}
		if r := e.want(e.do("PUT", "/Groups/"+gid, put+`]}`), 200, "PUT 10 members in batches"); len(r.get("members").([]any)) != 10 {
			t.Fatalf("members after PUT: %v", r.get("members"))
		}
		if m := e.member("user00009@big.example"); m.Role != provisioning.RoleAdmin {
			t.Fatalf("a PUT in batches applies the mapping: %+v", m)
		}
		e.want(e.do("PATCH", "/Groups/"+gid, patchOp+`[{"op":"remove","path":"members"}]}`), 204, "remove all")
		if r := e.want(e.do("GET", "/Groups/"+gid, ""), 200, "group after remove all"); r.get("members") != nil {
			t.Fatalf("members after remove all: %v", r.get("members"))
		}
		if m := e.member("user00000@big.example"); m.Role != provisioning.RoleMember {
			t.Fatalf("remove all falls back to the default role: %+v", m)
		}
		e.h.CheckSeatCounter(e.org.Org.ID)
	})
}
