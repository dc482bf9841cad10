package scim_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

func userBody(email string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + email + `","active":true}`
}

// TestSeatsFromSCIM: pushing more users than seats leaves the extra as viewers; deactivating
// frees a seat that the next push uses; reactivation follows the seat rules.
func TestSeatsFromSCIM(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, 3, scim.Options{}) // the owner holds one of 3 seats
		ids := map[string]string{}
		for i := range 4 {
			email := fmt.Sprintf("p%d@acme.com", i)
			ids[email] = e.want(e.do("POST", "/Users", userBody(email)), 201, "push "+email).str("id")
		}
		for i, want := range []provisioning.Role{provisioning.RoleMember, provisioning.RoleMember, provisioning.RoleViewer, provisioning.RoleViewer} {
			if m := e.member(fmt.Sprintf("p%d@acme.com", i)); m.Role != want {
				t.Fatalf("p%d: role %s, want %s", i, m.Role, want)
			}
		}
		if u := e.h.Usage(e.org.Org.ID); u.Used != 3 || u.WaitingViewers != 2 {
			t.Fatalf("usage %+v", u)
		}
		e.want(e.do("PATCH", "/Users/"+ids["p0@acme.com"], patchOp+`[{"op":"replace","path":"active","value":false}]}`), 200, "deactivate p0")
		if u := e.h.Usage(e.org.Org.ID); u.Used != 2 {
			t.Fatalf("deactivation frees a seat: %+v", u)
		}
		e.want(e.do("POST", "/Users", userBody("p4@acme.com")), 201, "next push")
		if m := e.member("p4@acme.com"); m.Role != provisioning.RoleMember {
			t.Fatalf("the next push takes the freed seat: %+v", m)
		}
		e.want(e.do("PATCH", "/Users/"+ids["p0@acme.com"], patchOp+`[{"op":"replace","path":"active","value":true}]}`), 200, "reactivate p0")
		if m := e.member("p0@acme.com"); m.Status != provisioning.StatusActive || m.Role != provisioning.RoleViewer {
			t.Fatalf("reactivation without a free seat comes back as viewer: %+v", m)
		}
		if u := e.h.Usage(e.org.Org.ID); u.Used != 3 {
			t.Fatalf("never above the limit: %+v", u)
		}
	})
}

// TestGroupRoleMapping: members of a mapped group get its role, the highest mapped role wins,
// leaving falls back to the default role; an existing member pushed by SCIM is linked (201).
func TestGroupRoleMapping(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		owner := e.h.MemberActor(e.org.Owner.Membership)
		for group, role := range map[string]provisioning.Role{"Rollcall Admins": provisioning.RoleAdmin, "Viewers": provisioning.RoleViewer} {
			if _, err := e.svc.CreateMapping(e.h.Ctx, owner, e.org.Org.ID, scim.MappingInput{Group: group, Role: role}); err != nil {
				t.Fatal(err)
			}
		}
		e.h.MustJoin(e.org.Org.ID, "invited@acme.com", provisioning.EntranceInvite, provisioning.RoleMember)
		ann := e.want(e.do("POST", "/Users", userBody("Invited@acme.com")), 201, "link an invited member").str("id")
		if m := e.member("invited@acme.com"); m.Role != provisioning.RoleMember || m.Status != provisioning.StatusActive {
			t.Fatalf("linking keeps the member: %+v", m)
		}
		admins := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"rollcall admins","members":[{"value":"`+ann+`"}]}`), 201, "mapped group").str("id")
		if m := e.member("invited@acme.com"); m.Role != provisioning.RoleAdmin {
			t.Fatalf("mapped group grants admin: %+v", m)
		}
		viewers := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Viewers"}`), 201, "viewers").str("id")
		e.want(e.do("PATCH", "/Groups/"+viewers, patchOp+`[{"op":"add","path":"members","value":[{"value":"`+ann+`"}]}]}`), 204, "join viewers")
		if m := e.member("invited@acme.com"); m.Role != provisioning.RoleAdmin {
			t.Fatalf("the highest mapped role wins: %+v", m)
		}
		e.want(e.do("PATCH", "/Groups/"+admins, patchOp+`[{"op":"remove","path":"members[value eq \"`+ann+`\"]"}]}`), 204, "leave admins")
		if m := e.member("invited@acme.com"); m.Role != provisioning.RoleViewer {
			t.Fatalf("the remaining mapped group decides: %+v", m)
		}
		e.want(e.do("DELETE", "/Groups/"+viewers, ""), 204, "delete viewers")
		if m := e.member("invited@acme.com"); m.Role != provisioning.RoleMember {
			t.Fatalf("leaving every mapped group falls back to the default role: %+v", m)
		}
		admin := e.h.MemberActor(e.h.MustJoin(e.org.Org.ID, "admin@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin).Membership)
		_, err := e.svc.CreateMapping(e.h.Ctx, admin, e.org.Org.ID, scim.MappingInput{Group: "Ops", Role: provisioning.RoleAdmin})
		storetest.WantCode(t, err, provisioning.CodeForbidden)
		_, err = e.svc.CreateMapping(e.h.Ctx, owner, e.org.Org.ID, scim.MappingInput{Group: "Ops", Role: provisioning.RoleOwner})
		storetest.WantCode(t, err, provisioning.CodeInvalid)
	})
}

// TestConcurrentDeactivations: an IdP offboarding many people at once (creates with
// active=false, then PATCHes active=false) gets every request through, on any store.
func TestConcurrentDeactivations(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{RateLimitPerMinute: -1})
		const n = 12
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				r := e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"off`+fmt.Sprint(i)+`@acme.com","active":false}`)
				if r.Status != 201 {
					t.Errorf("create inactive %d: %d %s", i, r.Status, r.Raw)
				}
				ids[i] = r.str("id")
			})
		}
		wg.Wait()
		for i := range n {
			wg.Go(func() {
				if ids[i] == "" {
					return
				}
				for _, active := range []string{"true", "false"} {
					if r := e.do("PATCH", "/Users/"+ids[i], patchOp+`[{"op":"replace","path":"active","value":`+active+`}]}`); r.Status != 200 {
						t.Errorf("active=%s %d: %d %s", active, i, r.Status, r.Raw)
					}
				}
			})
		}
		wg.Wait()
		if u := e.h.Usage(e.org.Org.ID); u.Used != 1 {
			t.Fatalf("after deactivating everyone, %d seats used; want the owner's only", u.Used)
		}
	})
}

// TestCreateInactiveArrivesSuspended: a create with active=false makes a suspended membership in
// one step: one audit event and one webhook (member.joined, suspended), never a seat, not even
// for a moment in the org's counter.
func TestCreateInactiveArrivesSuspended(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, 2, scim.Options{}) // the owner's seat and one more
		e.want(e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"off@acme.com","active":false}`), 201, "inactive user")
		if m := e.member("off@acme.com"); m.Status != provisioning.StatusSuspended || m.Role != provisioning.RoleMember {
			t.Fatalf("membership %+v", m.Membership)
		}
		e.h.CheckSeatCounter(e.org.Org.ID)
		e.h.Tx(func(tx provisioning.StoreTx) error {
			events, err := tx.ListAudit(e.h.Ctx, provisioning.AuditQuery{OrgID: e.org.Org.ID, Limit: 100})
			var actions []string
			for _, ev := range events {
				if ev.TargetType == "member" && ev.ActorKind == provisioning.ActorDirectory {
					actions = append(actions, ev.Action)
				}
			}
			if len(actions) != 1 || actions[0] != "member.joined" {
				t.Fatalf("directory events %v", actions)
			}
			hooks, err2 := tx.ListOutbox(e.h.Ctx, provisioning.OutboxQuery{Kind: provisioning.OutboxWebhook})
			n := 0
			for _, h := range hooks {
				if strings.Contains(string(h.Payload), "off@acme.com") {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d webhooks about the inactive user, want 1", n)
			}
			return errors.Join(err, err2)
		})
		// The org's one seat is still free: an active create takes it.
		if m := e.want(e.do("POST", "/Users", userBody("on@acme.com")), 201, "user"); m.Status != 201 {
			t.Fatal(m.Raw)
		}
		if m := e.member("on@acme.com"); !m.HasSeat {
			t.Fatalf("the free seat went elsewhere: %+v", m.Membership)
		}
	})
}
