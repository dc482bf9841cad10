package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// TestDirectoryPage: the owner copies the base URL, creates a token (its secret shown once),
// sees the IdP's requests appear in the recent activity with errors marked and the users
// pushed counted, revokes the token (the next request is refused, and listed), and manages
// group rules. Bad input is a message on the page; a member cannot open it.
func TestDirectoryPage(t *testing.T) {
	e := newSetupEnv(t)
	alice := e.owner()
	code, body := alice.get("/console/acme/scim")
	if code != http.StatusOK {
		t.Fatalf("directory: %d\n%s", code, body)
	}
	mustContain(t, body, `<code id="scim-base-url">https://rollcall.example.com/scim/v2</code>`, `data-copy="scim-base-url"`,
		`id="no-scim-tokens"`, `id="no-mappings"`, `id="no-activity"`, "0 users (0 active), 0 groups; 0 requests answered")

	res := alice.post("/console/acme/scim/tokens", form("name", strings.Repeat("x", 101)))
	if page := readBody(t, res); res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "longer than 100 characters") {
		t.Fatalf("a long name: %d\n%s", res.StatusCode, page)
	}
	res = alice.post("/console/acme/scim/tokens", form("name", "Okta"))
	page := readBody(t, res)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create token: %d\n%s", res.StatusCode, page)
	}
	secret := submatch(t, `<code id="scim-token-secret">(scim_[^<]+)</code>`, page)
	mustContain(t, page, `data-copy="scim-token-secret"`, "it is shown only once", `<td data-label="Created by">alice@acme.com</td>`)
	if _, again := alice.get("/console/acme/scim"); strings.Contains(again, secret) {
		t.Fatal("the secret shows again")
	}

	user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@acme.com","active":true}`
	if s := e.scimRequest(secret, "POST", "/Users", user); s != http.StatusCreated {
		t.Fatalf("push ann: %d", s)
	}
	if s := e.scimRequest(secret, "POST", "/Users", user); s != http.StatusConflict {
		t.Fatalf("push ann again: %d", s)
	}
	_, page = alice.get("/console/acme/scim")
	mustContain(t, page, `id="scim-activity"`, "<code>POST /Users</code>", `<tr class="failed">`, `<span class="badge failed">409</span> <span class="sub">uniqueness</span>`,
		`<td data-label="Token">Okta</td>`, "1 user (1 active), 0 groups; 2 requests answered")
	mustNotContain(t, page, secret, "ann@acme.com")

	id := submatch(t, `action="/console/acme/scim/tokens/([^/"]+)/revoke"`, page)
	_, page = alice.postFollow("/console/acme/scim/tokens/"+id+"/revoke", nil)
	mustContain(t, page, "Revoked the token", `<span class="badge revoked">revoked</span>`)
	if s := e.scimRequest(secret, "GET", "/Users", ""); s != http.StatusUnauthorized {
		t.Fatalf("the revoked token: %d", s)
	}
	_, page = alice.get("/console/acme/scim")
	mustContain(t, page, `<code>GET /Users</code></td>
<td data-label="Status" class="num"><span class="badge failed">401</span>`)

	// Group rules: add (the owner may map to admin), refuse bad input with the values kept, delete.
	_, page = alice.postFollow("/console/acme/scim/mappings", form("group", "Rollcall Admins", "role", "admin"))
	mustContain(t, page, "Members of Rollcall Admins become admin", `<tr data-group="Rollcall Admins">`)
	res = alice.post("/console/acme/scim/mappings", form("group", "Rollcall Admins", "role", "member"))
	if page := readBody(t, res); res.StatusCode != http.StatusConflict || !strings.Contains(page, `value="Rollcall Admins"`) {
		t.Fatalf("the same group again: %d\n%s", res.StatusCode, page)
	}
	res = alice.post("/console/acme/scim/mappings", form("group", " ", "role", "member"))
	if page := readBody(t, res); res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "group must be 1-256 characters") {
		t.Fatalf("an empty group: %d\n%s", res.StatusCode, page)
	}
	res = alice.post("/console/acme/scim/mappings", form("group", "Sales", "role", "owner"))
	if page := readBody(t, res); res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "cannot make people owners") {
		t.Fatalf("an owner rule: %d\n%s", res.StatusCode, page)
	}

	// An admin sees no admin choice, cannot delete an admin rule, and is refused one.
	grace := e.join("grace@acme.com", provisioning.RoleAdmin)
	admin := e.as(grace.UserID)
	_, page = admin.get("/console/acme/scim")
	mustNotContain(t, page, `<option value="admin"`, "/delete\"><input")
	mustContain(t, page, "Only owners map groups to admin", "one an admin creates cannot change owners and admins")
	_, page = admin.postFollow("/console/acme/scim/mappings", form("group", "Sales", "role", "admin"))
	mustContain(t, page, "only owners can map a group to admin")

	mapping := submatch(t, `action="/console/acme/scim/mappings/([^/"]+)/delete"`, func() string { _, b := alice.get("/console/acme/scim"); return b }())
	_, page = alice.postFollow("/console/acme/scim/mappings/"+mapping+"/delete", nil)
	mustContain(t, page, "Deleted the rule.", `id="no-mappings"`)

	bob := e.join("bob@acme.com", provisioning.RoleMember)
	if code, _ := e.as(bob.UserID).get("/console/acme/scim"); code != http.StatusForbidden {
		t.Fatalf("a member opened the directory: %d", code)
	}
}
