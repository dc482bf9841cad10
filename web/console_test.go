package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// TestConsoleSignInAndOrgs: without a session a console page offers the sign-in form that comes
// back to it; /console opens the org used last; an org the person is not in does not exist.
func TestConsoleSignInAndOrgs(t *testing.T) {
	e := newEnv(t)
	res, err := http.Get(e.srv.URL + "/console/acme/members?q=bob")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("signed out: %d", res.StatusCode)
	}
	mustContain(t, string(body), `action="/auth/email"`, `name="next" value="/console/acme/members?q=bob"`)

	beta := e.h.CreateOrg("beta", 5, "zed@beta.io")
	alice := e.owner()
	if _, err := e.h.Service.AddMember(e.h.Ctx, provisioning.Operator(), beta.Org.ID, provisioning.AddMemberInput{Email: "alice@acme.com", Role: provisioning.RoleMember}); err != nil {
		t.Fatal(err)
	}
	redirect := func() string {
		res, err := alice.c.Get(e.srv.URL + "/console")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get("Location")
	}
	if got := redirect(); got != "/console/acme" {
		t.Fatalf("first org: %q", got)
	}
	if code, body := alice.get("/console/beta/about"); code != 200 || !strings.Contains(body, `<a href="/console/beta" aria-current="page">beta Inc</a>`) ||
		!strings.Contains(body, `<a href="/console/acme">acme Inc</a>`) {
		t.Fatalf("beta: %d\n%s", code, body)
	}
	if got := redirect(); got != "/console/beta" {
		t.Fatalf("last org: %q", got)
	}
	if code, _ := alice.get("/console/beta"); code != http.StatusSeeOther {
		t.Fatalf("a member's org home: %d", code)
	}
	if code, body := alice.get("/console/nope/members"); code != http.StatusNotFound || !strings.Contains(body, "you are not a member") {
		t.Fatalf("unknown org: %d", code)
	}
	if code, body := e.as(beta.Owner.UserID).get("/console/acme/members"); code != http.StatusNotFound {
		t.Fatalf("another org's owner: %d\n%s", code, body)
	}
	if code, _ := alice.get("/console/acme/nowhere"); code != http.StatusNotFound {
		t.Fatalf("unknown page: %d", code)
	}
	_, home := alice.get("/")
	mustContain(t, home, `<a href="/console/acme">acme Inc</a>`, `<a href="/console/beta">beta Inc</a>`)
}

// TestFormsNeedTheirToken: a form without the session's token, or sent by another site, changes
// nothing.
func TestFormsNeedTheirToken(t *testing.T) {
	e := newEnv(t)
	bob := e.join("bob@acme.com", provisioning.RoleMember)
	alice := e.owner()
	for name, form := range map[string]url.Values{"no token": {"csrf": {"x"}, "role": {"viewer"}}} {
		res := alice.post("/console/acme/members/"+bob.ID+"/role", form)
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", name, res.StatusCode)
		}
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/console/acme/members/"+bob.ID+"/role",
		strings.NewReader(url.Values{"csrf": {alice.token()}, "role": {"viewer"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := alice.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site: %d", res.StatusCode)
	}
	m, _ := e.h.Service.GetMember(e.h.Ctx, provisioning.Operator(), e.org.Org.ID, bob.ID)
	if m.Role != provisioning.RoleMember {
		t.Fatalf("a refused form changed the role to %s", m.Role)
	}
	if code, body := alice.postFollow("/console/acme/members/"+bob.ID+"/role", url.Values{"role": {"viewer"}}); code != 200 ||
		!strings.Contains(body, "bob@acme.com is now viewer.") {
		t.Fatalf("with the token: %d\n%s", code, body)
	}
}

// TestMemberActions: role changes, suspension, reactivation, ownership and removal through the
// console; refusals come back as alerts; an admin sees no owner-only buttons.
func TestMemberActions(t *testing.T) {
	e := newEnv(t)
	bob := e.join("bob@acme.com", provisioning.RoleAdmin)
	carol := e.join("carol@acme.com", provisioning.RoleMember)
	alice := e.owner()
	base := "/console/acme/members/"
	steps := []struct {
		path string
		form url.Values
		want string
	}{
		{carol.ID + "/suspend", nil, "Suspended carol@acme.com"},
		{carol.ID + "/reactivate", nil, "Reactivated carol@acme.com."},
		{carol.ID + "/role", url.Values{"role": {"member"}}, "the member is already member"},
		{carol.ID + "/role", url.Values{"role": {"boss"}}, "unknown role"},
		{e.org.Owner.ID + "/role", url.Values{"role": {"viewer"}}, "at least one owner"},
	}
	for _, s := range steps {
		code, body := alice.postFollow(base+s.path, s.form)
		if code != 200 || !strings.Contains(body, s.want) {
			t.Errorf("%s: %d, want %q\n%s", s.path, code, s.want, body)
		}
	}
	code, body := alice.postFollow(base+carol.ID+"/remove", nil)
	if code != 200 || !strings.Contains(body, "keeps their history") || !strings.Contains(body, `name="confirmed" value="yes"`) {
		t.Fatalf("remove asks first: %d\n%s", code, body)
	}
	if m, _ := e.h.Service.GetMember(e.h.Ctx, provisioning.Operator(), e.org.Org.ID, carol.ID); m.Status != provisioning.StatusActive {
		t.Fatal("the confirmation page removed already")
	}
	if code, body := alice.postFollow(base+carol.ID+"/remove", url.Values{"confirmed": {"yes"}}); code != 200 || !strings.Contains(body, "Removed carol@acme.com") {
		t.Fatalf("remove: %d\n%s", code, body)
	}
	dave := e.join("dave@acme.com", provisioning.RoleMember)
	admin := e.as(bob.UserID)
	_, body = admin.get("/console/acme/members")
	mustNotContain(t, body, "Make owner", "Transfer ownership", `<select name="role"><option value="admin">Admin</option>`,
		"/members/"+e.org.Owner.ID+"/remove")
	mustContain(t, body, "/members/"+dave.ID+"/remove", `<select name="role"><option value="viewer">Viewer</option>`)
	_, body = alice.get("/console/acme/members")
	mustContain(t, body, "Make owner", "Transfer ownership", "/members/"+bob.ID+"/remove")
	if code, body := admin.postFollow(base+e.org.Owner.ID+"/suspend", nil); code != 200 || !strings.Contains(body, `id="alert"`) {
		t.Fatalf("an admin suspending the owner: %d\n%s", code, body)
	}
	if code, body := alice.postFollow(base+bob.ID+"/transfer", url.Values{"confirmed": {"yes"}}); code != 200 || !strings.Contains(body, "bob@acme.com is now an owner") {
		t.Fatalf("transfer: %d\n%s", code, body)
	}
	if code, body := alice.get("/console/acme/members/" + bob.ID); code != 200 || !strings.Contains(body, "ownership transferred") || !strings.Contains(body, "admin → owner") {
		t.Fatalf("detail history: %d\n%s", code, body)
	}
}
