package scim_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestOktaSequence replays, request by request, what Okta sends for a custom SCIM 2.0 app:
// test connection, lookup before create, create (with a password to ignore), full PUT to update a
// name, PUT without active, deactivate and reactivate by PATCH without path, Group Push with
// members, member add/remove, rename, empty PATCH, and delete.
func TestOktaSequence(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, 10, scim.Options{})
		r := e.want(e.do("GET", "/Users?startIndex=1&count=2", ""), 200, "test connection")
		if r.get("totalResults") != float64(0) || r.get("startIndex") != float64(1) {
			t.Fatalf("test connection: %s", r.Raw)
		}
		r = e.want(e.do("GET", "/Users?filter=userName%20eq%20%22Test.User%40okta.local%22&startIndex=1&count=100", ""), 200, "lookup")
		if r.get("totalResults") != float64(0) {
			t.Fatalf("lookup before create: %s", r.Raw)
		}
		create := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Test.User@okta.local",
			"name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
			"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`
		r = e.want(e.do("POST", "/Users", create), 201, "create")
		id := r.str("id")
		if id == "" || r.str("userName") != "Test.User@okta.local" || r.str("locale") != "en-US" || r.get("active") != true ||
			r.get("password") != nil || r.str("externalId") != "00ujl29u0le5T6Aj10h7" || r.str("meta.location") != "Users/"+id ||
			r.str("meta.version") == "" || r.Header.Get("Etag") == "" || r.str("meta.created") == "" {
			t.Fatalf("create answer: %s", r.Raw)
		}
		m := e.member("test.user@okta.local")
		if m.Status != provisioning.StatusActive || m.Role != provisioning.RoleMember || m.Source != provisioning.EntranceSCIM || m.FirstName != "Test" || m.ExternalID != "00ujl29u0le5T6Aj10h7" {
			t.Fatalf("member after create: %+v", m)
		}
		e.wantError(e.do("POST", "/Users", create), 409, "uniqueness", "repeated create")

		r = e.want(e.do("GET", "/Users?filter=userName%20eq%20%22test.user%40OKTA.local%22", ""), 200, "lookup after create")
		if r.get("totalResults") != float64(1) || r.str("Resources.0.id") != id {
			t.Fatalf("userName lookup is case-insensitive: %s", r.Raw)
		}
		put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"` + id + `","userName":"Test.User@okta.local",
			"name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
			"emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
			"active":true,"groups":[],"meta":{"resourceType":"User"}}`
		r = e.want(e.do("PUT", "/Users/"+id, put), 200, "update name by PUT")
		if r.str("name.givenName") != "Another" || r.str("name.middleName") != "Excited" || r.get("locale") != nil {
			t.Fatalf("PUT replaces the document: %s", r.Raw)
		}
		if m := e.member("test.user@okta.local"); m.FirstName != "Another" {
			t.Fatalf("names reach the user through the pipeline: %+v", m)
		}
		noActive := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Test.User@okta.local","name":{"givenName":"Another","familyName":"User"}}`
		r = e.want(e.do("PUT", "/Users/"+id, noActive), 200, "PUT without active")
		if r.get("active") != true || e.member("test.user@okta.local").Status != provisioning.StatusActive {
			t.Fatalf("a PUT without active must not suspend: %s", r.Raw)
		}
		deactivate := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
		r = e.want(e.do("PATCH", "/Users/"+id, deactivate), 200, "deactivate")
		if r.get("active") != false || e.member("test.user@okta.local").Status != provisioning.StatusSuspended {
			t.Fatalf("deactivate suspends: %s", r.Raw)
		}
		if e.h.Usage(e.org.Org.ID).Used != 1 {
			t.Fatalf("the seat is freed: %+v", e.h.Usage(e.org.Org.ID))
		}
		r = e.want(e.do("GET", "/Users?filter=userName%20eq%20%22test.user%40okta.local%22", ""), 200, "suspended user is listed")
		if r.get("Resources.0.active") != false {
			t.Fatalf("soft-deleted users still appear with active false: %s", r.Raw)
		}
		reactivate := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"` + id + `","active":true}}]}`
		r = e.want(e.do("PATCH", "/Users/"+id, reactivate), 200, "reactivate")
		if r.get("active") != true || e.member("test.user@okta.local").Status != provisioning.StatusActive {
			t.Fatalf("reactivate: %s", r.Raw)
		}

		second := e.want(e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"second@okta.local","active":true}`), 201, "create second").str("id")
		g := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]}`), 201, "group push create")
		gid := g.str("id")
		if gid == "" || g.str("displayName") != "Test SCIMv2" || g.str("meta.location") != "Groups/"+gid {
			t.Fatalf("group create: %s", g.Raw)
		}
		r = e.want(e.do("GET", "/Groups?filter=displayName%20eq%20%22test%20scimv2%22", ""), 200, "group lookup")
		if r.get("totalResults") != float64(1) || r.str("Resources.0.id") != gid {
			t.Fatalf("group lookup: %s", r.Raw)
		}
		add := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"` + id + `","display":"test.user@okta.local"},{"value":"` + second + `"}]}]}`
		e.want(e.do("PATCH", "/Groups/"+gid, add), 204, "add members")
		e.want(e.do("PATCH", "/Groups/"+gid, add), 204, "add members again")
		r = e.want(e.do("GET", "/Groups/"+gid, ""), 200, "group read")
		if list, _ := r.get("members").([]any); len(list) != 2 {
			t.Fatalf("members after add: %s", r.Raw)
		}
		remove := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"` + second + `\"]"}]}`
		e.want(e.do("PATCH", "/Groups/"+gid, remove), 204, "remove member")
		r = e.want(e.do("GET", "/Groups/"+gid, ""), 200, "group read")
		if list, _ := r.get("members").([]any); len(list) != 1 || r.str("members.0.value") != id {
			t.Fatalf("members after remove: %s", r.Raw)
		}
		rename := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"` + gid + `","displayName":"Test SCIMv20"}}]}`
		e.want(e.do("PATCH", "/Groups/"+gid, rename), 204, "rename")
		r = e.want(e.do("GET", "/Groups/"+gid+"?excludedAttributes=members", ""), 200, "group read without members")
		if r.str("displayName") != "Test SCIMv20" || r.get("members") != nil {
			t.Fatalf("rename / excludedAttributes: %s", r.Raw)
		}
		e.want(e.do("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`), 204, "empty group PATCH")
		e.want(e.do("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[]}]}`), 204, "empty member add")
		e.want(e.do("DELETE", "/Groups/"+gid, ""), 204, "group delete")
		e.wantError(e.do("GET", "/Groups/"+gid, ""), 404, "", "deleted group")

		e.want(e.do("DELETE", "/Users/"+id, ""), 204, "delete user")
		e.wantError(e.do("GET", "/Users/"+id, ""), 404, "", "deleted user")
		if m := e.member("test.user@okta.local"); m.Status != provisioning.StatusRemoved {
			t.Fatalf("DELETE removes the membership and keeps its data: %+v", m)
		}
		r = e.want(e.do("POST", "/Users", create), 201, "re-push after delete")
		if m := e.member("test.user@okta.local"); m.Status != provisioning.StatusActive || m.ID != e.member("test.user@okta.local").ID {
			t.Fatalf("a re-push resurfaces the membership: %+v", m)
		}
		_ = fmt.Sprint(http.StatusOK)
	})
}

// TestPatchComplexAttributes: replacing a complex attribute sets the sub-attributes sent and
// keeps the others (RFC 7644 3.5.2.3; Okta sends name this way), and removing the last values
// of a multi-valued attribute removes it rather than leaving null.
func TestPatchComplexAttributes(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		id := e.want(e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@acme.com",
			"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@acme.com","type":"work","primary":true}]}`), 201, "create").str("id")
		r := e.want(e.do("PATCH", "/Users/"+id, patchOp+`[{"op":"replace","value":{"name":{"givenName":"Annie"}}}]}`), 200, "path-less replace of name")
		if r.str("name.givenName") != "Annie" || r.str("name.familyName") != "Lee" {
			t.Fatalf("name after replace: %s", r.Raw)
		}
		r = e.want(e.do("PATCH", "/Users/"+id, patchOp+`[{"op":"replace","path":"name","value":{"familyName":"Smith"}}]}`), 200, "replace of name with a path")
		if r.str("name.givenName") != "Annie" || r.str("name.familyName") != "Smith" {
			t.Fatalf("name after replace with a path: %s", r.Raw)
		}
		r = e.want(e.do("PATCH", "/Users/"+id, patchOp+`[{"op":"remove","path":"emails","value":[{"value":"ann@acme.com"}]}]}`), 200, "remove the last email")
		if _, present := r.Body["emails"]; present {
			t.Fatalf("emails after removing the last one: %s", r.Raw)
		}
		if m := e.member("ann@acme.com"); m.LastName != "Smith" || m.FirstName != "Annie" {
			t.Fatalf("the account follows: %+v", m)
		}
	})
}
