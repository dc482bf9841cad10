package scim_test

import (
	"net/url"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// extAttr reads an attribute of an extension object (its URI holds dots).
func extAttr(r resp, uri, attr string) string {
	m, _ := r.Body[uri].(map[string]any)
	s, _ := m[attr].(string)
	return s
}

func q(filter string) string { return "?filter=" + url.QueryEscape(filter) }

const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`

// TestEntraSequence replays what Microsoft Entra ID sends: test connection with a filter on a
// user that does not exist, lookups by userName, externalId and work email, create with the
// enterprise extension, capitalised ops with several operations in one PATCH, booleans as
// strings, the multi-attribute "value" replace, no-op PATCHes, group create and lookup, member
// add and remove (only the listed members), rename, excludedAttributes=members, delete.
func TestEntraSequence(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, 10, scim.Options{})
		r := e.want(e.do("GET", "/Users"+q(`userName eq "non-existent user"`), ""), 200, "test connection")
		if r.get("totalResults") != float64(0) {
			t.Fatalf("test connection: %s", r.Raw)
		}
		create := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"externalId":"0a21f0f2","userName":"Ann.Lee@contoso.com","active":true,
			"emails":[{"primary":true,"type":"work","value":"ann.lee@contoso.com"}],"meta":{"resourceType":"User"},
			"name":{"formatted":"Ann Lee","familyName":"Lee","givenName":"Ann"},"roles":[],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","employeeNumber":"42","manager":{"value":"boss"}},
			"urn:ietf:params:scim:schemas:extension:contoso:2.0:User":{"badge":"B-7"}}`
		r = e.want(e.do("POST", "/Users", create), 201, "create")
		id := r.str("id")
		ext := r.Body[enterprise]
		if ext == nil || extAttr(r, "urn:ietf:params:scim:schemas:extension:contoso:2.0:User", "badge") != "B-7" {
			t.Fatalf("extensions are kept as sent: %s", r.Raw)
		}
		for _, f := range []string{`userName eq "ann.lee@contoso.com"`, `externalId eq "0a21f0f2"`,
			`emails[type eq "work"].value eq "Ann.Lee@contoso.com"`, `userName eq "ann.lee@contoso.com" and externalId eq "0a21f0f2"`} {
			r = e.want(e.do("GET", "/Users"+q(f), ""), 200, f)
			if r.get("totalResults") != float64(1) || r.str("Resources.0.id") != id {
				t.Fatalf("%s: %s", f, r.Raw)
			}
		}
		if r = e.do("GET", "/Users"+q(`externalId eq "0A21F0F2"`), ""); r.get("totalResults") != float64(0) {
			t.Fatalf("externalId is case-exact: %s", r.Raw)
		}
		update := patchOp + `[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"ann.lee@contoso.com"},
			{"op":"Replace","path":"name.familyName","value":"Lee-Smith"},
			{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Marketing"}]}`
		r = e.want(e.do("PATCH", "/Users/"+id, update), 200, "update")
		if r.str("name.familyName") != "Lee-Smith" || extAttr(r, enterprise, "department") != "Marketing" ||
			extAttr(r, enterprise, "employeeNumber") != "42" {
			t.Fatalf("update: %s", r.Raw)
		}
		if m := e.member("ann.lee@contoso.com"); m.LastName != "Lee-Smith" {
			t.Fatalf("name update through the pipeline: %+v", m)
		}
		version := r.str("meta.version")
		noop := patchOp + `[{"op":"Replace","path":"active","value":"True"},{"op":"Add","path":"name.familyName","value":"Lee-Smith"}]}`
		r = e.want(e.do("PATCH", "/Users/"+id, noop), 200, "no-op PATCH")
		if r.str("meta.version") != version {
			t.Fatalf("a no-op PATCH changes nothing: %s", r.Raw)
		}
		r = e.want(e.do("PATCH", "/Users/"+id, patchOp+`[{"op":"Replace","path":"active","value":"False"}]}`), 200, "disable with a string boolean")
		if r.get("active") != false || e.member("ann.lee@contoso.com").Status != provisioning.StatusSuspended {
			t.Fatalf("disable: %s", r.Raw)
		}
		multi := patchOp + `[{"op":"Replace","value":{"active":"True","displayName":"Ann L.","name.givenName":"Annie"}}]}`
		r = e.want(e.do("PATCH", "/Users/"+id, multi), 200, "multi-attribute replace")
		if r.get("active") != true || r.str("displayName") != "Ann L." || r.str("name.givenName") != "Annie" || r.str("name.familyName") != "Lee-Smith" {
			t.Fatalf("multi-attribute replace: %s", r.Raw)
		}
		if m := e.member("ann.lee@contoso.com"); m.Status != provisioning.StatusActive || m.FirstName != "Annie" {
			t.Fatalf("re-enabled: %+v", m)
		}

		bob := e.want(e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob@contoso.com","active":"True"}`), 201, "create bob").str("id")
		g := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"8aa1","displayName":"Sales","meta":{"resourceType":"Group"}}`), 201, "group create")
		gid := g.str("id")
		r = e.want(e.do("GET", "/Groups"+q(`displayName eq "Sales"`)+"&excludedAttributes=members", ""), 200, "group lookup")
		if r.get("totalResults") != float64(1) || r.get("Resources.0.members") != nil {
			t.Fatalf("group lookup: %s", r.Raw)
		}
		e.want(e.do("PATCH", "/Groups/"+gid, patchOp+`[{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+id+`"},{"value":"`+bob+`"}]}]}`), 204, "add members")
		r = e.want(e.do("GET", "/Groups"+q(`id eq "`+gid+`" and members[value eq "`+bob+`"]`)+"&excludedAttributes=members", ""), 200, "membership check")
		if r.get("totalResults") != float64(1) {
			t.Fatalf("membership check: %s", r.Raw)
		}
		e.want(e.do("PATCH", "/Groups/"+gid, patchOp+`[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"`+bob+`"}]}]}`), 204, "remove listed member")
		r = e.want(e.do("GET", "/Groups/"+gid, ""), 200, "group after removal")
		if list, _ := r.get("members").([]any); len(list) != 1 || r.str("members.0.value") != id {
			t.Fatalf("only the listed member is removed: %s", r.Raw)
		}
		e.want(e.do("PATCH", "/Groups/"+gid, patchOp+`[{"op":"Replace","path":"displayName","value":"Sales EMEA"},{"op":"Add","path":"members","value":[{"value":"`+id+`"}]}]}`), 204, "rename with an existing member")
		r = e.want(e.do("GET", "/Groups/"+gid+"?excludedAttributes=members", ""), 200, "group read")
		if r.str("displayName") != "Sales EMEA" || r.get("members") != nil || r.str("externalId") != "8aa1" {
			t.Fatalf("rename: %s", r.Raw)
		}
		e.want(e.do("PATCH", "/Users/"+id, patchOp+`[{"op":"Replace","path":"active","value":false}]}`), 200, "unassign")
		e.want(e.do("DELETE", "/Users/"+id, ""), 204, "hard delete 30 days later")
		e.want(e.do("DELETE", "/Groups/"+gid, ""), 204, "group delete")
		e.wantError(e.do("DELETE", "/Users/"+id, ""), 404, "", "second delete")
	})
}

// TestEntraManagerAsString: Entra sends the enterprise manager as a bare id string, with a path
// and inside a path-less value, often in the same PATCH as other changes; the whole PATCH must
// apply, the manager stored as {"value": id}.
func TestEntraManagerAsString(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		id := e.want(e.do("POST", "/Users", userBody("ann@acme.com")), 201, "create").str("id")
		const ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
		r := e.want(e.do("PATCH", "/Users/"+id, patchOp+`[
			{"op":"Add","path":"`+ext+`:manager","value":"boss-1"},
			{"op":"Replace","path":"active","value":"False"}]}`), 200, "manager with a path, plus deactivation")
		manager := func(r resp) any {
			m, _ := r.Body[ext].(map[string]any)
			v, _ := m["manager"].(map[string]any)
			return v["value"]
		}
		if manager(r) != "boss-1" || r.get("active") != false {
			t.Fatalf("after the PATCH: %s", r.Raw)
		}
		r = e.want(e.do("PATCH", "/Users/"+id, patchOp+`[{"op":"Replace","value":{"`+ext+`:manager":"boss-2","active":"True"}}]}`), 200, "path-less manager")
		if manager(r) != "boss-2" || r.get("active") != true {
			t.Fatalf("after the path-less PATCH: %s", r.Raw)
		}
	})
}
