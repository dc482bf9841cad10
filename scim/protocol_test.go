package scim_test

import (
	"testing"

	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/store/storetest"
)

const searchRequest = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]`

// TestSearch: POST /Users/.search and /Groups/.search filter, page and project like GET, and
// refuse a body that is not a SearchRequest.
func TestSearch(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		ids := map[string]string{}
		for _, email := range []string{"ann@acme.com", "bob@acme.com", "carl@acme.com"} {
			ids[email] = e.want(e.do("POST", "/Users", userBody(email)), 201, "create "+email).str("id")
		}
		gid := e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales",
			"members":[{"value":"`+ids["ann@acme.com"]+`"}]}`), 201, "group").str("id")
		e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops"}`), 201, "group")

		r := e.want(e.do("POST", "/Users/.search", searchRequest+`,"filter":"userName eq \"BOB@acme.com\"","attributes":["userName"]}`), 200, "search by userName")
		if r.get("totalResults") != float64(1) || r.str("Resources.0.id") != ids["bob@acme.com"] ||
			r.get("Resources.0.active") != nil || r.str("Resources.0.meta.location") != "Users/"+ids["bob@acme.com"] {
			t.Fatalf("search by userName: %s", r.Raw)
		}
		r = e.want(e.do("POST", "/Users/.search", searchRequest+`,"filter":"active eq true","startIndex":2,"count":1}`), 200, "search a page")
		if list, _ := r.get("Resources").([]any); r.get("totalResults") != float64(3) || r.get("startIndex") != float64(2) || len(list) != 1 {
			t.Fatalf("the second of three users: %s", r.Raw)
		}
		r = e.want(e.do("POST", "/Groups/.search", searchRequest+`,"filter":"displayName eq \"sales\"","excludedAttributes":["members"]}`), 200, "search groups")
		if r.get("totalResults") != float64(1) || r.str("Resources.0.id") != gid || r.get("Resources.0.members") != nil {
			t.Fatalf("search groups: %s", r.Raw)
		}
		r = e.want(e.do("POST", "/Groups/.search", searchRequest+`,"filter":"members[value eq \"`+ids["ann@acme.com"]+`\"]"}`), 200, "search by member")
		if r.get("totalResults") != float64(1) || r.str("Resources.0.members.0.value") != ids["ann@acme.com"] {
			t.Fatalf("search by member: %s", r.Raw)
		}
		r = e.want(e.do("POST", "/Groups/.search", searchRequest+`}`), 200, "search every group")
		if r.get("totalResults") != float64(2) {
			t.Fatalf("search without a filter: %s", r.Raw)
		}
		for _, c := range []struct{ path, body, scimType string }{
			{"/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, "invalidValue"},
			{"/Users/.search", searchRequest + `,"filter":"userName eq"}`, "invalidFilter"},
			{"/Users/.search", searchRequest + `,"filter":"nickName eq \"x\""}`, "invalidFilter"},
			{"/Groups/.search", searchRequest + `,"filter":"userName eq \"x\""}`, "invalidFilter"},
			{"/Users/.search", `{"schemas":`, ""},
		} {
			e.wantError(e.do("POST", c.path, c.body), 400, c.scimType, "POST "+c.path+" "+c.body)
		}
		e.wantError(e.do("GET", "/Users/.search", ""), 405, "", "GET /Users/.search")
	})
}

// TestLocation: a create answers with the new resource's Location, which is its meta.location:
// relative by default, absolute under Options.BaseURL.
func TestLocation(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		r := e.want(e.do("POST", "/Users", userBody("ann@acme.com")), 201, "create user")
		if loc := r.Header.Get("Location"); loc != "Users/"+r.str("id") || loc != r.str("meta.location") {
			t.Fatalf("Location %q, meta.location %q", loc, r.str("meta.location"))
		}
		r = e.want(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"}`), 201, "create group")
		if loc := r.Header.Get("Location"); loc != "Groups/"+r.str("id") || loc != r.str("meta.location") {
			t.Fatalf("Location %q, meta.location %q", loc, r.str("meta.location"))
		}

		base := newEnv(t, b, -1, scim.Options{BaseURL: "https://rollcall.example.com/scim/v2"})
		r = base.want(base.do("POST", "/Users", userBody("bob@acme.com")), 201, "create with a base URL")
		want := "https://rollcall.example.com/scim/v2/Users/" + r.str("id")
		if r.Header.Get("Location") != want || r.str("meta.location") != want {
			t.Fatalf("Location %q, meta.location %q, want %q", r.Header.Get("Location"), r.str("meta.location"), want)
		}
		r = base.want(base.do("GET", "/Users", ""), 200, "list with a base URL")
		if r.str("Resources.0.meta.location") != want {
			t.Fatalf("listed meta.location: %s", r.Raw)
		}
	})
}

// TestServiceProviderConfig says what the directory supports, and nothing else answers for it.
func TestServiceProviderConfig(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{MaxResults: 50})
		r := e.want(e.do("GET", "/ServiceProviderConfig", ""), 200, "config")
		for path, want := range map[string]any{"patch.supported": true, "filter.supported": true, "filter.maxResults": float64(50),
			"etag.supported": true, "sort.supported": false, "bulk.supported": false, "changePassword.supported": false,
			"authenticationSchemes.0.type": "oauthbearertoken"} {
			if got := r.get(path); got != want {
				t.Errorf("%s = %v, want %v", path, got, want)
			}
		}
		if r = e.do("GET", "/Users?count=500", ""); r.get("itemsPerPage") != float64(50) {
			t.Errorf("pages are capped at the advertised maxResults: %s", r.Raw)
		}
		e.wantError(e.do("POST", "/ServiceProviderConfig", "{}"), 405, "", "POST /ServiceProviderConfig")
	})
}

// TestPatchExtensionObject: a path-less PATCH value may carry an extension's attributes under
// the extension's URI (RFC 7643 3.3); they land in that extension, next to the ones kept.
func TestPatchExtensionObject(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		id := e.want(e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+enterprise+`"],
			"userName":"ann@acme.com","`+enterprise+`":{"department":"Sales","employeeNumber":"42"}}`), 201, "create").str("id")
		r := e.want(e.do("PATCH", "/Users/"+id, patchOp+`[{"op":"replace","value":{"`+enterprise+`":{"department":"Ops","manager":"boss"}}}]}`), 200, "patch")
		m, _ := r.Body[enterprise].(map[string]any)
		manager, _ := m["manager"].(map[string]any)
		if m["department"] != "Ops" || m["employeeNumber"] != "42" || manager["value"] != "boss" ||
			r.Body["urn:ietf:params:scim:schemas:extension:enterprise:2.0"] != nil {
			t.Fatalf("after the PATCH: %s", r.Raw)
		}
	})
}

// TestStringBooleansEverywhere: "True"/"False" strings are accepted for every boolean attribute
// (Entra without its compatibility flag) and stored as booleans.
func TestStringBooleansEverywhere(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		e := newEnv(t, b, -1, scim.Options{})
		r := e.want(e.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@acme.com",
			"active":"False","emails":[{"value":"ann@acme.com","type":"work","primary":"True"}]}`), 201, "create")
		if r.get("active") != false || r.get("emails.0.primary") != true {
			t.Fatalf("create: %s", r.Raw)
		}
		r = e.want(e.do("PATCH", "/Users/"+r.str("id"), patchOp+`[{"op":"Replace","path":"emails[type eq \"work\"].primary","value":"False"}]}`), 200, "patch")
		if r.get("emails.0.primary") != false {
			t.Fatalf("patch: %s", r.Raw)
		}
	})
}
