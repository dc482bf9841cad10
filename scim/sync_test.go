package scim_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestUnrelatedChangesKeepTheMember: a PATCH of an attribute the core does not hold
// (displayName) leaves the member, its audit trail and its email rows as they were, yet still
// brings back the role the org's mappings give when someone changed it by hand; a change of
// the emails is what the emails filter then finds.
func TestUnrelatedChangesKeepTheMember(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		owner := e.h.MemberActor(e.org.Owner.Membership)
		if _, err := e.svc.CreateMapping(e.h.Ctx, owner, e.org.Org.ID, scim.MappingInput{Group: "Admins", Role: provisioning.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		ann := e.want(e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@acme.com",
			"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"type":"work","value":"ann@acme.com","primary":true}],"active":true}`), 201, "ann").str("id")
		e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Admins","members":[{"value":"`+ann+`"}]}`), 201, "admins")
		before := e.member("ann@acme.com")
		if before.Role != provisioning.RoleAdmin {
			t.Fatalf("mapped role: %+v", before)
		}
		audit := func() int {
			events, err := e.h.Service.ListAudit(e.h.Ctx, provisioning.Operator(), provisioning.AuditQuery{OrgID: e.org.Org.ID, TargetID: before.ID})
			if err != nil {
				t.Fatal(err)
			}
			return len(events)
		}
		entries := audit()
		rename := func(displayName string) {
			t.Helper()
			e.want(e.do("PATCH", "/Users/"+ann, patchOp+`[{"op":"replace","path":"displayName","value":"`+displayName+`"}]}`), 200, "displayName")
		}
		rename("Ann L.")
		if after := e.member("ann@acme.com"); after.Role != provisioning.RoleAdmin || after.UpdatedAt != before.UpdatedAt || audit() != entries {
			t.Fatalf("a displayName change touched the member: %+v, %d audit entries (was %d)", after, audit(), entries)
		}
		workEmail := func(value string) float64 {
			f := url.QueryEscape(`emails[type eq "work"].value eq "` + value + `"`)
			return e.do("GET", "/Users?filter="+f, "").get("totalResults").(float64)
		}
		if workEmail("ann@acme.com") != 1 {
			t.Fatal("a displayName change lost the email rows")
		}

		if _, err := e.h.Service.ChangeRole(e.h.Ctx, owner, e.org.Org.ID, before.ID, provisioning.RoleMember); err != nil {
			t.Fatal(err)
		}
		rename("Ann Lee")
		if after := e.member("ann@acme.com"); after.Role != provisioning.RoleAdmin {
			t.Fatalf("the next change did not bring back the mapped role: %+v", after)
		}

		e.want(e.do("PATCH", "/Users/"+ann, patchOp+`[{"op":"replace","path":"emails","value":[{"type":"work","value":"ann.lee@acme.com","primary":true}]}]}`), 200, "emails")
		if workEmail("ann@acme.com") != 0 || workEmail("ann.lee@acme.com") != 1 {
			t.Fatal("the emails filter does not follow an emails change")
		}
	})
}

// TestDisplayNameChangeTakesNoOrgLock: a change the core does not hold answers while another
// transaction holds the org's lock (a seat-limited org: every join locks it), where the
// pipeline would wait for it.
func TestDisplayNameChangeTakesNoOrgLock(t *testing.T) {
	for _, b := range storetest.Backends() {
		if b.Name != "postgres" {
			continue // SQLite has one writer: every write waits for the other
		}
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b, 5, scim.Options{})
			ann := e.want(e.do("POST", "/Users", userBody("ann@acme.com")), 201, "ann").str("id")
			held, release, ended := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				ended <- e.h.Store.Update(e.h.Ctx, func(tx provisioning.StoreTx) error {
					_, err := tx.LockOrgForJoin(e.h.Ctx, e.org.Org.ID)
					close(held)
					<-release
					return err
				})
			}()
			<-held
			answered := make(chan resp, 1)
			go func() {
				answered <- e.do("PATCH", "/Users/"+ann, patchOp+`[{"op":"replace","path":"displayName","value":"Ann"}]}`)
			}()
			select {
			case r := <-answered:
				e.want(r, 200, "displayName while the org is locked")
			case <-time.After(10 * time.Second):
				t.Error("a displayName change waited for the org lock")
			}
			close(release)
			if err := <-ended; err != nil {
				t.Fatal(err)
			}
		})
	}
}
