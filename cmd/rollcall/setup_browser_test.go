package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rollcall/rollcall/domains/dnstest"
	"github.com/rollcall/rollcall/invites/smtptest"
)

// TestConsoleSetupInTheBrowser drives the setup pages in the shared headless Chromium against
// the real server, a real SMTP server and a real DNS server: the owner adds a domain and
// verifies it once its TXT record is published; creates a SCIM token, sees the IdP's request
// in the recent activity, revokes the token and sees the refused request; makes an invite link,
// replaces it, and the old link is refused while the new one opens. The overview's checklist
// follows. With ROLLCALL_SCREENSHOTS set it saves these pages' screenshots.
func TestConsoleSetupInTheBrowser(t *testing.T) {
	requireBrowser(t)
	smtp := smtptest.Start(t)
	dns := dnstest.Start(t)
	s := startServe(t, map[string]string{"ROLLCALL_SMTP_HOST": "127.0.0.1", "ROLLCALL_SMTP_PORT": strconv.Itoa(smtp.Port),
		"ROLLCALL_SMTP_TLS": "none", "ROLLCALL_DNS_RESOLVER": dns.Addr}, "--data-dir", t.TempDir())
	defer func() { s.cancel(); <-s.code }()
	if code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner", "alice@acme.com", "--plan", "pro", "--seats", "10"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}

	alice := newTab(t)
	alice.run(chromedp.Navigate(s.url + "/"))
	signInBrowser(alice, s, smtp, "alice@acme.com", 1)
	alice.run(waitText("h1", "Your organizations"), click(`a[href="/console/acme"]`),
		waitText("h1", "Acme Inc"), waitText("#setup", "0 of 3 done"))

	// A domain: added, its record missing, then published and found.
	const card = "#domain-acme\\.com"
	alice.run(click(`a[href="/console/acme/domains"]`), waitText("h1", "Domains"),
		typeIn(`#add-domain input[name=name]`, "acme.com"), click(`#add-domain input[name=auto_join]`),
		click(`#add-domain button[type=submit]`), waitText("#notice", "Added acme.com"),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="domain-acme.com-record-value"]`)),
		click(card+` form[action$="/verify"] button`), waitText("#alert", "Record missing"))
	record := get(alice, chromedp.Text(chromedp.CSS(`#domain-acme\.com-record-name`)))
	value := get(alice, chromedp.Text(chromedp.CSS(`#domain-acme\.com-record-value`)))
	dns.SetTXT(record, value)
	alice.run(click(card+` form[action$="/verify"] button`), waitText("#notice", "Record found: acme.com is verified."),
		waitText(`#domain-acme\.com-state`, "verified"), waitText(`#domain-acme\.com-happens`, "joins as member"))
	alice.shot("domains")

	// SCIM: a token shown once; the IdP's first request shows in the activity.
	alice.run(chromedp.Navigate(s.url+"/console/acme/scim"), waitText("h1", "Directory (SCIM)"),
		typeIn(`#create-scim-token input[name=name]`, "Okta"), click(`#create-scim-token button[type=submit]`),
		waitText("#new-scim-token", "Okta"), chromedp.WaitVisible(chromedp.CSS(`button[data-copy="scim-token-secret"]`)))
	secret := get(alice, chromedp.Text(chromedp.CSS(`#scim-token-secret`)))
	base := get(alice, chromedp.Text(chromedp.CSS(`#scim-base-url`)))
	if status := scimGet(t, base+"/Users?startIndex=1&count=2", secret); status != http.StatusOK {
		t.Fatalf("Okta's connection test: %d", status)
	}
	alice.run(chromedp.Navigate(s.url+"/console/acme/scim"), waitText("#scim-activity", "GET /Users"))
	if alice.bodyHas(secret) {
		t.Fatal("the token's secret shows again")
	}
	alice.shot("scim")
	alice.run(chromedp.Navigate(s.url+"/console/acme"), waitText("#setup", "2 of 3 done"))
	alice.shot("overview")

	alice.run(chromedp.Navigate(s.url+"/console/acme/scim"), click(`tr[data-token="Okta"] form button`),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-ok`)), click(`#confirm-ok`), waitText("#notice", "Revoked the token"))
	if status := scimGet(t, base+"/Users", secret); status != http.StatusUnauthorized {
		t.Fatalf("the revoked token: %d", status)
	}
	alice.run(chromedp.Navigate(s.url+"/console/acme/scim"), waitText("#scim-activity tr.failed", "401"))

	// Invite links: make one, replace it; the old link is refused, the new one opens.
	alice.run(chromedp.Navigate(s.url+"/console/acme/invite-links"), waitText("h1", "Invite links"),
		click(`#link-member form[action$="/regenerate"] button`), waitText("#notice", "Made a new member invite link"))
	old := get(alice, chromedp.Text(chromedp.CSS(`#new-link-member`)))
	alice.run(click(`#link-member form[action$="/regenerate"] button`), chromedp.WaitVisible(chromedp.CSS(`#confirm-ok`)),
		click(`#confirm-ok`), waitJS(`(() => { const c = document.querySelector("#new-link-member"); return !!c && c.textContent !== `+strconv.Quote(old)+`; })()`))
	fresh := get(alice, chromedp.Text(chromedp.CSS(`#new-link-member`)))
	alice.shot("invite-links")
	if !strings.HasPrefix(old, s.url+"/join/") || !strings.HasPrefix(fresh, s.url+"/join/") {
		t.Fatalf("links: %q, %q", old, fresh)
	}
	bob := newTab(t)
	bob.run(chromedp.Navigate(old), waitText("main", "this invite link is not valid"))
	bob.run(chromedp.Navigate(fresh), waitText("h1", "Join Acme Inc"))
}

// scimGet sends a SCIM GET with a directory token and returns the status.
func scimGet(t *testing.T, url, token string) int {
	t.Helper()
	status, _, _ := bearerGet(t, url, token)
	return status
}
