package web_test

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
	"github.com/rollcall/rollcall/sso/ssotest"
	"github.com/rollcall/rollcall/store/storetest"
	"github.com/rollcall/rollcall/web"
)

// newSSOEnv is the console with the SSO service mounted at /sso, as the server wires them.
func newSSOEnv(t *testing.T) *env {
	t.Helper()
	h := storetest.NewHarness(t, storetest.OpenSQLite(t))
	e := &env{t: t, h: h, inv: invites.NewService(h.Service, invites.Options{})}
	e.org = h.CreateOrg("acme", 5, "alice@acme.com")
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	dom, err := domains.New(h.Service, domains.Options{})
	if err != nil {
		t.Fatal(err)
	}
	single, err := sso.New(h.Service, sso.Options{BaseURL: e.srv.URL, Realms: dom, AllowPrivateFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle(sso.MountPath+"/", http.StripPrefix(sso.MountPath, single.Handler()))
	mux.Handle("/", web.Handler(web.Options{Service: h.Service, Invites: e.inv, SSO: single}))
	return e
}

// upload posts a multipart form with the person's token and one file.
func (p *person) upload(path string, fields map[string]string, file string, content []byte) (int, string) {
	p.e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if file != "" {
		fw, _ := w.CreateFormFile(file, "metadata.xml")
		_, _ = fw.Write(content)
	}
	_ = w.Close()
	req, _ := http.NewRequest("POST", p.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := p.c.Do(req)
	if err != nil {
		p.e.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusSeeOther {
		return p.get(res.Header.Get("Location"))
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var (
	connectionPath = regexp.MustCompile(`^/console/acme/sso/([^/]+)$`)
	formAction     = regexp.MustCompile(`action="([^"]+)"`)
	hiddenField    = regexp.MustCompile(`name="(SAMLResponse|RelayState)" value="([^"]*)"`)
)

// create makes a connection from a setup and returns its page's path.
func (p *person) create(preset, name string) string {
	p.e.t.Helper()
	res := p.post("/console/acme/sso/new", url.Values{"idp": {preset}, "name": {name}})
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || loc == nil || !connectionPath.MatchString(loc.Path) {
		p.e.t.Fatalf("create %s: %d %s", preset, res.StatusCode, res.Header.Get("Location"))
	}
	return loc.Path
}

// TestSSOSetupPages walks the SAML setup as an owner: choose Okta, create (turned off, Okta's
// attribute names filled in), see the values to enter at the IdP, upload the IdP's metadata
// (bad and oversized files refused with a message, nothing saved), set group rules, run a test
// sign-in against a real IdP (refused: it names the attributes otherwise than Okta), fix the
// mapping, test again and read the result, turn the connection on and off, delete it.
func TestSSOSetupPages(t *testing.T) {
	e := newSSOEnv(t)
	alice := e.owner()
	bob := e.as(e.join("bob@acme.com", provisioning.RoleAdmin).UserID)
	mia := e.as(e.join("mia@acme.com", provisioning.RoleMember).UserID)
	if code, body := mia.get("/console/acme/sso"); code != http.StatusForbidden || !strings.Contains(body, "only owners and admins") {
		t.Fatalf("a member opened the SSO pages: %d", code)
	}
	code, body := alice.get("/console/acme/sso")
	mustContain(t, body, `id="no-connections"`, `href="/console/acme/sso/new?idp=okta-saml"`, "Microsoft Entra ID (SAML)", "Google Workspace (SAML)")
	if code, body = alice.get("/console/acme/sso/new?idp=okta-saml"); code != 200 || !strings.Contains(body, `name="idp" value="okta-saml"`) {
		t.Fatalf("new Okta connection page: %d %s", code, body)
	}

	page := alice.create("okta-saml", "Okta")
	id := connectionPath.FindStringSubmatch(page)[1]
	_, body = alice.get(page)
	mustContain(t, body, "Created Okta, turned off for now", "waiting for the IdP", "Single sign-on URL", "Audience URI (SP Entity ID)",
		e.srv.URL+"/sso/saml/"+id+"/acs", `data-copy="acs-url"`, `name="map_first" value="firstName"`, `id="test-waiting"`)

	idp := ssotest.StartSAMLIdP(t, e.h.Clock.Now)
	for _, bad := range []struct {
		content []byte
		status  int
		want    string
	}{{[]byte("<html>not metadata</html>"), http.StatusBadRequest, "not a SAML EntityDescriptor"},
		{bytes.Repeat([]byte("x"), 1<<20+100<<10), http.StatusRequestEntityTooLarge, "at most 1 MB"}} {
		code, body := alice.upload(page+"/idp", map[string]string{"csrf": alice.token()}, "metadata_file", bad.content)
		if code != bad.status || !strings.Contains(body, bad.want) {
			t.Fatalf("bad metadata file: %d, want %d with %q:\n%s", code, bad.status, bad.want, body)
		}
	}
	if code, _ := alice.upload(page+"/idp", nil, "metadata_file", idp.Metadata()); code != http.StatusForbidden {
		t.Fatalf("an upload without the form token: %d", code)
	}
	if _, body := alice.get(page); strings.Contains(body, `id="certificates"`) {
		t.Fatal("a refused upload saved metadata")
	}
	code, body = alice.upload(page+"/idp", map[string]string{"csrf": alice.token()}, "metadata_file", idp.Metadata())
	mustContain(t, body, "Saved the identity provider", `id="certificates"`, "Test IdP", ">valid<", "it is not refreshed", `id="test-form"`, `id="enable-form"`)

	rules := url.Values{"was_rules": {""}, "rules": {"admins = admin\nno rule here"}}
	if code, body := alice.postFollow(page+"/settings", rules); code != http.StatusBadRequest || !strings.Contains(body, "line 2") || !strings.Contains(body, "no rule here") {
		t.Fatalf("a bad group rule: %d\n%s", code, body)
	}
	rules.Set("rules", "admins = admin")
	rules.Del("csrf")
	if code, body := bob.postFollow(page+"/settings", rules); code != http.StatusForbidden || !strings.Contains(body, "only owners can change a connection with a group rule granting admin") {
		t.Fatalf("an admin set an admin rule: %d %s", code, body)
	}
	rules.Del("csrf")
	if _, body := alice.postFollow(page+"/settings", rules); !strings.Contains(body, "sign-in settings") || !strings.Contains(body, "admins = admin</textarea>") {
		t.Fatalf("rules not saved:\n%s", body)
	}

	// Okta's attribute names do not match what this IdP sends: the test says so.
	_, body = alice.get(testSignIn(t, alice, idp, id))
	mustContain(t, body, "A real sign-in would be refused", "sent no email address", `<code>mail</code>`)
	mapping := url.Values{"was_map_email": {"email"}, "map_email": {"mail"}, "was_map_first": {"firstName"}, "map_first": {"givenName"},
		"was_map_last": {"lastName"}, "map_last": {"sn"}, "was_map_groups": {"groups"}, "map_groups": {"eduPersonAffiliation"}}
	if _, body := alice.postFollow(page+"/settings", mapping); !strings.Contains(body, `name="map_email" value="mail"`) {
		t.Fatalf("mapping not saved:\n%s", body)
	}
	result := testSignIn(t, alice, idp, id)
	before := e.counts()
	_, body = alice.get(result)
	mustContain(t, body, "The sign-in works", "A new account for ivy@acme.com would join acme Inc as admin, with a seat", `<code>pid-ivy</code>`,
		"ivy@acme.com", ">not vouched<", "is not a verified domain", "Nothing was saved", `id="attributes"`)
	if after := e.counts(); after != before || after[1] != 3 {
		t.Fatalf("a test sign-in wrote rows: %v → %v", before, after)
	}
	if code, body := bob.get(result); code != http.StatusNotFound || !strings.Contains(body, "only for the admin who ran the test") {
		t.Fatalf("another admin saw the test: %d", code)
	}

	if _, body := alice.postFollow(page+"/enable", nil); !strings.Contains(body, "Turned Okta on") || !strings.Contains(body, `id="sign-in-url"`) {
		t.Fatalf("turn on:\n%s", body)
	}
	if _, body := alice.postFollow(page+"/disable", nil); !strings.Contains(body, "Turned Okta off") {
		t.Fatalf("turn off:\n%s", body)
	}
	if code, body := alice.postFollow(page+"/delete", nil); code != 200 || !strings.Contains(body, `name="confirmed" value="yes"`) {
		t.Fatalf("delete asks first: %d", code)
	}
	if _, body := alice.postFollow(page+"/delete", url.Values{"confirmed": {"yes"}}); !strings.Contains(body, "Deleted Okta") || !strings.Contains(body, `id="no-connections"`) {
		t.Fatalf("delete:\n%s", body)
	}
}

// counts are the users and memberships in the store.
func (e *env) counts() [2]int {
	var users, members int
	e.h.Tx(func(tx provisioning.StoreTx) error {
		list, err := tx.ListMembers(e.h.Ctx, provisioning.MemberQuery{OrgID: e.org.Org.ID})
		members = len(list)
		if err == nil {
			for _, email := range []string{"alice@acme.com", "bob@acme.com", "mia@acme.com", "ivy@acme.com"} {
				if _, err := tx.GetUserByEmail(e.h.Ctx, email); err == nil {
					users++
				}
			}
		}
		return err
	})
	return [2]int{users, members}
}

// testSignIn presses "Test sign-in" as p with ivy signed in at the IdP, follows the IdP's
// answer back to Rollcall and returns the result page's address.
func testSignIn(t *testing.T, p *person, idp *ssotest.SAMLIdP, id string) string {
	t.Helper()
	idp.SetUser("ivy", "ivy@acme.com", "Ivy", "Lee", "admins")
	idp.Register(id, p.e.srv.URL+"/sso/saml/"+id+"/metadata")
	res := p.post("/console/acme/sso/"+id+"/test", nil)
	res.Body.Close()
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), idp.URL) {
		t.Fatalf("test sign-in did not go to the IdP: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	follow := &http.Client{Jar: p.c.Jar, CheckRedirect: p.c.CheckRedirect}
	idp.LogIn(follow, "ivy")
	answer, err := follow.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(answer.Body)
	answer.Body.Close()
	action, fields := formAction.FindStringSubmatch(string(raw)), hiddenField.FindAllStringSubmatch(string(raw), -1)
	if action == nil || len(fields) != 2 {
		t.Fatalf("the IdP answered no response form: %s", raw)
	}
	form := url.Values{}
	for _, f := range fields {
		form.Set(f[1], html.UnescapeString(f[2]))
	}
	back, err := follow.PostForm(html.UnescapeString(action[1]), form)
	if err != nil {
		t.Fatal(err)
	}
	back.Body.Close()
	loc := back.Header.Get("Location")
	if back.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/acme/sso/"+id+"/test?test=") {
		t.Fatalf("the IdP's answer did not lead to the result: %d %s", back.StatusCode, loc)
	}
	return loc
}

// TestSSOOIDCForms: the OIDC setup saves issuer, client ID and secret (checked against the
// issuer's discovery document); the secret is never shown again, and a bad issuer is refused
// on the page with the values kept.
func TestSSOOIDCForms(t *testing.T) {
	e := newSSOEnv(t)
	alice := e.owner()
	page := alice.create("entra-oidc", "Entra")
	_, body := alice.get(page)
	mustContain(t, body, "Redirect URI (Web)", "/callback", "login.microsoftonline.com/&lt;tenant-id&gt;/v2.0", `name="map_email" value="email"`)

	bad := url.Values{"was_issuer": {""}, "issuer": {"not a url"}, "was_client_id": {""}, "client_id": {"app-1"}, "client_secret": {"hunter2-secret"}}
	code, body := alice.postFollow(page+"/idp", bad)
	if code != http.StatusBadRequest || !strings.Contains(body, "not an absolute https URL") || !strings.Contains(body, `value="app-1"`) || strings.Contains(body, "hunter2-secret") {
		t.Fatalf("a bad issuer: %d\n%s", code, body)
	}
	issuer := ssotest.DiscoveryStub(t, nil)
	good := url.Values{"was_issuer": {""}, "issuer": {issuer}, "was_client_id": {""}, "client_id": {"app-1"}, "client_secret": {"hunter2-secret"}}
	_, body = alice.postFollow(page+"/idp", good)
	mustContain(t, body, "Saved the identity provider", "A client secret is saved", `id="test-form"`)
	mustNotContain(t, body, "hunter2-secret")
	if _, body := alice.postFollow(page+"/idp", url.Values{"was_issuer": {issuer}, "issuer": {issuer}, "was_client_id": {"app-1"}, "client_id": {"app-1"}}); !strings.Contains(body, "Nothing changed") {
		t.Fatalf("an unchanged form: %s", body)
	}
}

// TestSSOMetadataURLAndBadInput: metadata given by URL is fetched when saved and its refresh
// shown; an unreachable URL, an empty name, an unknown setup or connection and a test id that
// is not the person's are answered with a message, never a 500.
func TestSSOMetadataURLAndBadInput(t *testing.T) {
	e := newSSOEnv(t)
	alice := e.owner()
	if code, body := alice.postFollow("/console/acme/sso/new", url.Values{"idp": {"saml"}, "name": {" "}}); code != http.StatusBadRequest || !strings.Contains(body, "name must be 1 to 100 characters") {
		t.Fatalf("an empty name: %d", code)
	}
	if code, body := alice.postFollow("/console/acme/sso/new", url.Values{"idp": {"ping"}, "name": {"x"}}); code != 200 || !strings.Contains(body, "Choose your identity provider first") {
		t.Fatalf("an unknown setup: %d", code)
	}
	page := alice.create("entra-saml", "Entra")
	idp := ssotest.StartSAMLIdP(t, e.h.Clock.Now)
	code, body := alice.postFollow(page+"/idp", url.Values{"was_metadata_url": {""}, "metadata_url": {idp.URL + "/nothing-here"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "could not fetch") || !strings.Contains(body, `value="`+idp.URL+`/nothing-here"`) {
		t.Fatalf("an unreachable metadata URL: %d\n%s", code, body)
	}
	_, body = alice.postFollow(page+"/idp", url.Values{"was_metadata_url": {""}, "metadata_url": {idp.URL + "/metadata"}})
	mustContain(t, body, "Saved the identity provider", `id="refresh"`, "again every 12 hours", "Last fetched ", "; next ",
		"Reply URL (Assertion Consumer Service URL)", `value="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"`)
	for _, path := range []string{"/console/acme/sso/no-such-connection", page + "/test?test=no-such-test"} {
		if code, body := alice.get(path); code != http.StatusNotFound || !strings.Contains(body, `id="message"`) {
			t.Fatalf("%s: %d", path, code)
		}
	}
}
