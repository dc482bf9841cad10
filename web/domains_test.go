package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// TestDomainsPage: an owner adds a domain and sees the TXT record to publish; Verify now says
// in words what DNS answered (missing, wrong value, a failed lookup, found); a verified domain
// has a next check and says what happens to people there; auto-join changes only what was
// changed; removal asks first. Bad input is a message on the page, never a 500 or a write.
func TestDomainsPage(t *testing.T) {
	e := newSetupEnv(t)
	alice := e.owner()
	code, body := alice.get("/console/acme/domains")
	if code != http.StatusOK {
		t.Fatalf("domains: %d", code)
	}
	mustContain(t, body, `id="no-domains"`, `action="/console/acme/domains"`, "every 6 hours", `<option value="admin">Admin</option>`)

	for name, c := range map[string]struct {
		name string
		code int
		says string
	}{
		"empty":       {"", http.StatusBadRequest, "domain"},
		"public mail": {"gmail.com", http.StatusBadRequest, "public"},
		"not a name":  {"acme com", http.StatusBadRequest, "acme com"},
	} {
		res := alice.post("/console/acme/domains", form("name", c.name))
		page := readBody(t, res)
		if res.StatusCode != c.code || !strings.Contains(page, `id="alert"`) || !strings.Contains(strings.ToLower(page), c.says) {
			t.Errorf("%s: %d\n%s", name, res.StatusCode, page)
		}
		if !strings.Contains(page, `value="`+c.name+`"`) {
			t.Errorf("%s: the form lost its value", name)
		}
	}
	if list, _ := e.dom.List(e.h.Ctx, e.h.MemberActor(e.org.Owner.Membership), e.org.Org.ID); len(list) != 0 {
		t.Fatalf("refused domains were written: %v", list)
	}

	to := location(t, alice.post("/console/acme/domains", form("name", "Acme.com", "auto_join", "on", "role", "member")))
	if to != "/console/acme/domains#domain-acme.com" {
		t.Fatalf("after adding: %s", to)
	}
	_, body = alice.get(to)
	mustContain(t, body, "Added acme.com. Publish its TXT record", `id="domain-acme.com-record-name">_rollcall.acme.com</code>`,
		`data-copy="domain-acme.com-record-value"`, `<span class="badge unverified" id="domain-acme.com-state">unverified</span>`,
		"only when you press Verify now", "Nothing yet: until the record is found")
	value := submatch(t, `id="domain-acme.com-record-value">(rollcall-verification=[0-9a-f]+)</code>`, body)

	verify := func() string {
		t.Helper()
		_, page := alice.postFollow("/console/acme/domains/acme.com/verify", nil)
		return page
	}
	mustContain(t, verify(), `id="alert"`, "Record missing: _rollcall.acme.com does not exist in DNS (NXDOMAIN)")
	e.dns.SetTXT("_rollcall.acme.com", "rollcall-verification=0000")
	mustContain(t, verify(), "Wrong value: the rollcall-verification record at _rollcall.acme.com has a different token")
	e.dns.Fail(true)
	mustContain(t, verify(), "DNS lookup failed: the DNS lookup of _rollcall.acme.com failed", "acme.com stays unverified.")
	e.dns.Fail(false)
	e.dns.SetTXT("_rollcall.acme.com", "v=spf1 -all", value)
	page := verify()
	mustContain(t, page, `id="notice"`, "Record found: acme.com is verified.", `<span class="badge verified" id="domain-acme.com-state">verified</span>`,
		"Anyone who signs in with a verified @acme.com address", "joins as member while a seat is free")
	mustNotContain(t, page, "only when you press Verify now")
	if !strings.Contains(page, "<dt>Next check</dt><dd>by ") {
		t.Fatalf("a verified domain has no next check:\n%s", page)
	}

	// Auto-join: only the field changed is sent; viewer says so.
	_, page = alice.postFollow("/console/acme/domains/acme.com/auto-join", form("was_auto_join", "true", "auto_join", "on", "was_role", "member", "role", "viewer"))
	mustContain(t, page, "Auto-join for acme.com is on: people with a verified address there join as viewer.", "joins as viewer (no seat)")
	_, page = alice.postFollow("/console/acme/domains/acme.com/auto-join", form("was_auto_join", "true", "was_role", "viewer", "role", "viewer"))
	mustContain(t, page, "Auto-join for acme.com is off", "Nobody joins just by having an address here")
	_, page = alice.postFollow("/console/acme/domains/acme.com/auto-join", form("was_auto_join", "false", "was_role", "viewer", "role", "owner"))
	mustContain(t, page, `id="alert"`, "never make someone an owner")

	// An admin may not make auto-join grant admin.
	grace := e.join("grace@acme.com", provisioning.RoleAdmin)
	admin := e.as(grace.UserID)
	_, page = admin.get("/console/acme/domains")
	mustNotContain(t, page, `<option value="admin">`)
	_, page = admin.postFollow("/console/acme/domains/acme.com/auto-join", form("was_auto_join", "false", "was_role", "viewer", "role", "admin"))
	mustContain(t, page, "only owners can make auto-join grant the admin role")

	// Removal: a confirmation page without the script, then the removal.
	code, page = alice.postFollow("/console/acme/domains/acme.com/remove", nil)
	if code != http.StatusOK || !strings.Contains(page, "Remove acme.com?") || !strings.Contains(page, `href="/console/acme/domains">Cancel</a>`) {
		t.Fatalf("remove without confirmation: %d\n%s", code, page)
	}
	_, page = alice.postFollow("/console/acme/domains/acme.com/remove", form("confirmed", "yes"))
	mustContain(t, page, "Removed acme.com. Members who joined through it stay.", `id="no-domains"`)
	_, page = alice.postFollow("/console/acme/domains/nope.example/verify", nil)
	mustContain(t, page, `id="alert"`, "nope.example is not one of this org&#39;s domains")

	// A member cannot open the page.
	bob := e.join("bob@acme.com", provisioning.RoleMember)
	if code, _ := e.as(bob.UserID).get("/console/acme/domains"); code != http.StatusForbidden {
		t.Fatalf("a member opened the domains: %d", code)
	}
}
