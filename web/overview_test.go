package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
	"github.com/rollcall/rollcall/sso/ssotest"
)

// TestOverviewChecklist: an admin's org home is the setup checklist; each step turns done as
// the domain is verified, an SSO connection is on and the IdP sends SCIM requests, and says
// what is missing before. A member's org home is still the org's page.
func TestOverviewChecklist(t *testing.T) {
	e := newSetupEnv(t)
	alice := e.owner()
	owner := e.h.MemberActor(e.org.Owner.Membership)
	step := func(page, id string) string {
		t.Helper()
		i := strings.Index(page, `id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no %s on the overview:\n%s", id, page)
		}
		start := strings.LastIndex(page[:i], "<li")
		end := strings.Index(page[i:], "</li>")
		return page[start : i+end]
	}
	code, page := alice.get("/console/acme")
	if code != http.StatusOK {
		t.Fatalf("org home: %d\n%s", code, page)
	}
	mustContain(t, page, "0 of 3 done", `<a href="/console/acme" aria-current="page">Overview</a>`, `id="seat-usage"`)
	mustContain(t, step(page, "check-domain"), "No domain yet", `href="/console/acme/domains"`)
	mustContain(t, step(page, "check-sso"), "No connection yet", `href="/console/acme/sso"`)
	mustContain(t, step(page, "check-scim"), "No directory token yet", `href="/console/acme/scim"`)

	d, err := e.dom.Add(e.h.Ctx, owner, e.org.Org.ID, domainInput("acme.com"))
	if err != nil {
		t.Fatal(err)
	}
	_, page = alice.get("/console/acme")
	mustContain(t, step(page, "check-domain"), "acme.com: waiting for the TXT record")
	e.dns.SetTXT(d.Record.Name, d.Record.Value)
	if _, err := e.dom.Verify(e.h.Ctx, owner, e.org.Org.ID, "acme.com"); err != nil {
		t.Fatal(err)
	}

	off := false
	name := "Okta"
	issuer := ssotest.DiscoveryStub(t, nil)
	client, secret := "rollcall", "s3cret"
	conn, err := e.sso.Create(e.h.Ctx, owner, e.org.Org.ID, sso.ConnectionInput{Protocol: "oidc", Name: &name, Enabled: &off,
		Issuer: &issuer, ClientID: &client, ClientSecret: &secret})
	if err != nil {
		t.Fatal(err)
	}
	_, page = alice.get("/console/acme")
	mustContain(t, step(page, "check-sso"), `class="check warn"`, "Okta (OIDC) set up but turned off")
	on := true
	if _, err := e.sso.Update(e.h.Ctx, owner, e.org.Org.ID, conn.ID, sso.ConnectionInput{Enabled: &on}); err != nil {
		t.Fatal(err)
	}

	tok, err := e.dir.CreateToken(e.h.Ctx, owner, e.org.Org.ID, "Entra")
	if err != nil {
		t.Fatal(err)
	}
	_, page = alice.get("/console/acme")
	mustContain(t, step(page, "check-scim"), "no request has come with it yet")
	if s := e.scimRequest(tok.Secret, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@acme.com"}`); s != http.StatusCreated {
		t.Fatalf("push: %d", s)
	}
	_, page = alice.get("/console/acme")
	mustContain(t, page, "3 of 3 done")
	mustContain(t, step(page, "check-domain"), `class="check done"`, "acme.com verified.")
	mustContain(t, step(page, "check-sso"), `class="check done"`, "Okta (OIDC) on.")
	mustContain(t, step(page, "check-scim"), `class="check done"`, "Last request", "1 user and 0 groups pushed")

	if err := e.dir.RevokeToken(e.h.Ctx, owner, e.org.Org.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, page = alice.get("/console/acme")
	mustContain(t, step(page, "check-scim"), `class="check warn"`, "no directory token is live")

	bob := e.join("bob@acme.com", provisioning.RoleMember)
	res, err := e.as(bob.UserID).c.Get(e.srv.URL + "/console/acme")
	if err != nil {
		t.Fatal(err)
	}
	if got := location(t, res); got != "/console/acme/about" {
		t.Fatalf("a member's org home: %s", got)
	}
}
