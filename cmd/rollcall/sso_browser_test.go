package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rollcall/rollcall/invites/smtptest"
	"github.com/rollcall/rollcall/sso/ssotest"
)

var connectionPage = regexp.MustCompile(`/console/acme/sso/([^/?#]+)$`)

// TestSSOSetupInTheBrowser drives the single sign-on setup in headless Chromium against the
// real server: the owner creates a SAML connection from the in-process IdP's metadata file
// (uploaded), gives the IdP Rollcall's SP metadata, runs "Test sign-in" against it and reads the
// result (nobody provisioned), turns the connection on; then creates an OIDC connection to the
// in-process OpenID Provider and tests it too. With ROLLCALL_SCREENSHOTS it saves the SSO
// screenshots.
func TestSSOSetupInTheBrowser(t *testing.T) {
	requireBrowser(t)
	smtp := smtptest.Start(t)
	s := startServe(t, map[string]string{"ROLLCALL_SMTP_HOST": "127.0.0.1", "ROLLCALL_SMTP_PORT": strconv.Itoa(smtp.Port),
		"ROLLCALL_SMTP_TLS": "none"}, "--data-dir", t.TempDir(), "--sso-allow-private-fetch")
	defer func() { s.cancel(); <-s.code }()
	if code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner", "alice@acme.com", "--plan", "pro", "--seats", "10"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}
	idp := ssotest.StartSAMLIdP(t, nil)
	idp.SetUser("ivy", "ivy@acme.com", "Ivy", "Lee", "admins", "engineering")
	metadata := filepath.Join(t.TempDir(), "idp-metadata.xml")
	if err := os.WriteFile(metadata, idp.Metadata(), 0o600); err != nil {
		t.Fatal(err)
	}

	alice := newTab(t)
	alice.run(chromedp.Navigate(s.url + "/"))
	signInBrowser(alice, s, smtp, "alice@acme.com", 1)
	alice.run(waitText("h1", "Your organizations"), chromedp.Navigate(s.url+"/console/acme/sso"), waitText("h1", "Single sign-on"),
		click(`a[href="/console/acme/sso/new?idp=saml"]`), waitText("h1", "Connect Other SAML 2.0"),
		fill(`#create-connection input[name=name]`, "Acme IdP"), click(`#create-connection button`),
		waitText("#notice", "Created Acme IdP, turned off"), chromedp.WaitVisible(chromedp.CSS(`button[data-copy="acs-url"]`)))
	samlID := connectionID(alice)
	if acs := get(alice, chromedp.Text(chromedp.CSS(`#acs-url`))); acs != s.url+"/sso/saml/"+samlID+"/acs" {
		t.Fatalf("the ACS URL to paste: %q", acs)
	}

	// Upload the IdP's metadata file; the IdP loads Rollcall's SP metadata, as its admin would.
	alice.run(chromedp.SetUploadFiles(chromedp.CSS(`#idp-form input[type=file]`), []string{metadata}),
		click(`#idp-form button[type=submit]`), waitText("#notice", "Saved the identity provider"),
		waitText("#certificates", "Test IdP"),
		fill(`#settings-form textarea[name=rules]`, "admins = admin\nengineering = member"),
		click(`#settings-form button[type=submit]`), waitText("#notice", "sign-in settings"))
	idp.Register(samlID, s.url+"/sso/saml/"+samlID+"/metadata")
	alice.shot("sso-setup")

	// The admin is signed in at the IdP as a test person; "Test sign-in" comes back with what
	// arrived, and nobody joined.
	alice.run(chromedp.Navigate(idp.URL+"/login"), typeIn(`#idp-login input[name=user]`, "ivy"),
		typeIn(`#idp-login input[name=password]`, ssotest.Password), click(`#idp-login button`), waitText("body", "ivy@acme.com"),
		chromedp.Navigate(s.url+"/console/acme/sso/"+samlID), click(`#test-form button`),
		waitText("#verdict", "The sign-in works"))
	for sel, want := range map[string]string{"#outcome": "A new account for ivy@acme.com would join Acme Inc as admin, with a seat.",
		"#subject": "pid-ivy", "#email": "ivy@acme.com", "#vouched": "not vouched", "#role": "admin, with a seat", "#groups": "admins"} {
		if got := get(alice, chromedp.Text(chromedp.CSS(sel))); !strings.Contains(got, want) {
			t.Errorf("test result %s: %q, want %q", sel, got, want)
		}
	}
	alice.shot("sso-test-result")
	if _, out, _ := cli(t, s, s.key, "member", "list", "acme"); strings.Contains(out, "ivy@acme.com") {
		t.Fatalf("the test sign-in provisioned ivy:\n%s", out)
	}
	alice.run(chromedp.Navigate(s.url+"/console/acme/sso/"+samlID), click(`#enable-form button`),
		waitText("#notice", "Turned Acme IdP on"), waitText("#status", "on"))

	// OIDC: the redirect URI goes to the provider, issuer and client come back; test it.
	op := ssotest.StartOP(t, 0)
	op.SetUser("u1", "olga", "olga@acme.com", "Olga", "Berg", "engineering")
	alice.run(chromedp.Navigate(s.url+"/console/acme/sso/new?idp=oidc"), fill(`#create-connection input[name=name]`, "Acme OIDC"),
		click(`#create-connection button`), waitText("#notice", "Created Acme OIDC"))
	op.Client(get(alice, chromedp.Text(chromedp.CSS(`#redirect-uri`))))
	alice.run(fill(`#idp-form input[name=issuer]`, op.Issuer), fill(`#idp-form input[name=client_id]`, ssotest.ClientID),
		fill(`#idp-form input[name=client_secret]`, ssotest.ClientSecret), click(`#idp-form button[type=submit]`),
		waitText("#secret-state", "A client secret is saved"), click(`#test-form button`),
		chromedp.WaitVisible(chromedp.CSS(`#username`)), typeIn(`#username`, "olga"), typeIn(`#password`, ssotest.Password),
		click(`button[type=submit]`), waitText("#verdict", "The sign-in works"))
	for sel, want := range map[string]string{"#subject": "u1", "#email": "olga@acme.com", "#groups": "engineering", "#role": "member"} {
		if got := get(alice, chromedp.Text(chromedp.CSS(sel))); !strings.Contains(got, want) {
			t.Errorf("OIDC test result %s: %q, want %q", sel, got, want)
		}
	}
	if alice.bodyHas(ssotest.ClientSecret) {
		t.Fatal("a page shows the client secret")
	}
	alice.run(chromedp.Navigate(s.url+"/console/acme/sso"), waitText("#connections", "Acme OIDC"))
	alice.shot("sso")
}

// connectionID is the id of the connection whose page the tab shows.
func connectionID(b *tab) string {
	b.t.Helper()
	m := connectionPage.FindStringSubmatch(get(b, chromedp.Location()))
	if m == nil {
		b.t.Fatalf("not on a connection's page: %s", get(b, chromedp.Location()))
	}
	return m[1]
}
