package main

import (
	"encoding/csv"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rollcall/rollcall/invites/smtptest"
)

// TestConsoleInTheBrowser drives the console in a real headless Chromium against the real
// server and a real SMTP server: the owner signs in by email link, invites one person and two
// in bulk, the invitee accepts in a second browser, and the owner changes a role, searches and
// filters, exports the CSV, removes a member, and creates and revokes a token. A member cannot
// open the members page; an admin sees no owner-only actions. With ROLLCALL_SCREENSHOTS set it
// also saves the screenshots of docs/screenshots.
func TestConsoleInTheBrowser(t *testing.T) {
	requireBrowser(t)
	smtp := smtptest.Start(t)
	s := startServe(t, map[string]string{"ROLLCALL_SMTP_HOST": "127.0.0.1", "ROLLCALL_SMTP_PORT": strconv.Itoa(smtp.Port),
		"ROLLCALL_SMTP_TLS": "none"}, "--data-dir", t.TempDir())
	defer func() { s.cancel(); <-s.code }()
	if code, out, errOut := cli(t, s, s.key, "org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner", "alice@acme.com", "--plan", "pro", "--seats", "10"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}
	for _, m := range [][]string{{"erin@acme.com", "member", "Erin", "Lake"}, {"frank@acme.com", "viewer", "Frank", "Moss"}, {"grace@acme.com", "admin", "Grace", "Hopper"}} {
		if code, out, errOut := cli(t, s, s.key, "member", "add", "acme", m[0], "--role", m[1], "--first", m[2], "--last", m[3]); code != 0 {
			t.Fatalf("member add: %s %s", out, errOut)
		}
	}

	alice := newTab(t)
	alice.run(chromedp.Navigate(s.url+"/"), waitText("h1", "Sign in"))
	alice.shot("sign-in")
	signInBrowser(alice, s, smtp, "alice@acme.com", 1)
	alice.run(waitText("h1", "Your organizations"), click(`a[href="/console/acme"]`),
		waitText("#setup", "0 of 3 done"), click(`nav.tabs a[href="/console/acme/members"]`),
		waitText("h1", "Members"), waitText("#seat-usage", "3 / 10"))

	// Invite one person by email, then two in bulk without email: their links show to copy.
	alice.run(chromedp.Navigate(s.url+"/console/acme/invite"), waitText("h1", "Invite people"),
		typeIn(`#invite-one input[name=email]`, "bob@acme.com"),
		click(`#invite-one button[type=submit]`), waitText("#notice", "Invited 1 person."),
		typeIn(`#invite-many textarea`, "carol@example.com\ndave@example.com"),
		click(`#invite-many input[name=send_email]`),
		click(`#invite-many button[type=submit]`), waitText("#notice", "Invited 2 people."))
	if links := js[int](alice, `document.querySelectorAll("#invited .invite-link").length`); links != 2 || !alice.bodyHas("Copy link") {
		t.Fatalf("bulk invitation without email shows %d links to copy", links)
	}
	alice.shot("invite")

	// Bob accepts in a second browser: signing in by email link lands on his invitation.
	bob := newTab(t)
	if link := waitMail(t, smtp, "bob@acme.com", 1); !strings.Contains(link, "/invitations/") {
		t.Fatalf("invitation mail: %q", link)
	}
	bob.run(chromedp.Navigate(s.url + "/"))
	signInBrowser(bob, s, smtp, "bob@acme.com", 2)
	bob.run(waitText("h1", "Join Acme Inc"), click(`form[action$="/accept"] button`),
		waitText("main", "You are now a member of Acme Inc as member"))

	// A member cannot open the members page.
	bob.run(chromedp.Navigate(s.url+"/console/acme/members"), waitText("#message", "only owners and admins"))
	if bob.bodyHas("Audit log") {
		t.Error("a member's tabs offer the audit log")
	}

	// The owner makes Bob an admin from the row's actions.
	row := `tr[data-email="bob@acme.com"]`
	alice.run(chromedp.Navigate(s.url+"/console/acme/members?q=bob"), waitJS(`document.querySelectorAll("#members tbody tr").length === 1`),
		click(row+` summary`), pick(row+` form.inline select[name=role]`, "admin"),
		click(row+` form.inline button`), waitText("#notice", "bob@acme.com is now admin."))

	// The admin sees the members but none of the owner's actions.
	bob.run(chromedp.Navigate(s.url+"/console/acme/members"), waitText("h1", "Members"))
	ownerActions := js[int](bob, `document.querySelectorAll('form[action$="/transfer"], form[action$="/role"] input[value=owner], option[value=admin]:not([selected])').length`)
	aliceActions := js[int](bob, `document.querySelectorAll('tr[data-email="alice@acme.com"] details, tr[data-email="grace@acme.com"] details').length`)
	erinActions := js[int](bob, `document.querySelectorAll('tr[data-email="erin@acme.com"] details').length`)
	if ownerActions != 1 || aliceActions != 0 || erinActions != 1 {
		// The one admin option left is the role filter's.
		t.Fatalf("an admin sees owner-only actions: %d owner actions, %d on owners and admins, %d on a member", ownerActions, aliceActions, erinActions)
	}

	// Search as you type, then filter by status: the table follows without a reload.
	alice.run(chromedp.Navigate(s.url+"/console/acme/members"), waitText("h1", "Members"),
		typeIn(`#member-filters input[name=q]`, "carol"),
		waitJS(`(() => { const r = document.querySelectorAll("#members tbody tr"); return r.length === 1 && r[0].dataset.email === "carol@example.com"; })()`),
		fill(`#member-filters input[name=q]`, ""), pick(`#member-filters select[name=status]`, "pending"),
		waitJS(`(() => { const r = [...document.querySelectorAll("#members tbody tr")]; return r.length === 2 && r.every(x => x.classList.contains("pending")); })()`))
	if where := get(alice, chromedp.Location()); !strings.Contains(where, "status=pending") {
		t.Errorf("the address does not follow the filters: %s", where)
	}

	// The CSV is exactly the filtered list.
	const fetchCSV = `fetch(document.getElementById("csv").href).then(r => r.text())`
	text := js[string](alice, fetchCSV)
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][1] != "carol@example.com" || rows[2][1] != "dave@example.com" || rows[1][7] != "pending" {
		t.Fatalf("CSV of pending invitations: %v %q", err, text)
	}
	alice.run(pick(`#member-filters select[name=status]`, ""), pick(`#member-filters select[name=seat]`, "without"),
		waitJS(`document.querySelectorAll("#members tbody tr").length === 1`))
	text = js[string](alice, fetchCSV)
	if got := lines(text); len(got) != 2 || !strings.Contains(got[1], "frank@acme.com") {
		t.Fatalf("CSV without seat: %q", text)
	}

	alice.run(chromedp.Navigate(s.url+"/console/acme/members"), waitText("h1", "Members"))
	alice.shot("members")
	bobPage := get(alice, chromedp.AttributeValue(chromedp.CSS(row+` a`), "href")).Value
	alice.run(chromedp.Navigate(s.url+bobPage), waitText("#history", "member → admin"))
	alice.shot("member-detail")

	// Remove Bob, confirming in the dialog.
	alice.run(chromedp.Navigate(s.url+"/console/acme/members?q=bob"), waitJS(`document.querySelectorAll("#members tbody tr").length === 1`),
		click(row+` summary`), click(row+` form[action$="/remove"] button`),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-ok`)), waitText("dialog", "history and audit trail are kept"),
		click(`#confirm-ok`), waitText("#notice", "Removed bob@acme.com"))

	// My token: created and shown once, it works; revoked, it stops.
	alice.run(chromedp.Navigate(s.url+"/console/acme/tokens"), waitText("h1", "API tokens"),
		typeIn(`#create-token input[name=name]`, "laptop"),
		click(`#create-token button[type=submit]`), waitText("#new-token", "laptop"),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="token-secret"]`)))
	secret := get(alice, chromedp.Text(chromedp.CSS(`#token-secret`)))
	if status := apiMe(t, s, secret); status != http.StatusOK {
		t.Fatalf("the new token: %d", status)
	}
	alice.shot("tokens")
	alice.run(click(`tr[data-token="laptop"] form button`), chromedp.WaitVisible(chromedp.CSS(`#confirm-ok`)),
		click(`#confirm-ok`), waitText("#notice", "Revoked the token"))
	if status := apiMe(t, s, secret); status != http.StatusUnauthorized {
		t.Fatalf("the revoked token: %d", status)
	}

	alice.run(chromedp.Navigate(s.url+"/console/acme/audit"), waitText("#audit", "member.removed"))
	alice.shot("audit")
	alice.run(chromedp.Navigate(s.url+"/console/acme/settings"), waitText("h1", "Settings"))
	alice.shot("settings")
	if os.Getenv("ROLLCALL_SCREENSHOTS") != "" {
		alice.run(chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.url+"/console/acme/members"), waitText("h1", "Members"))
		alice.shot("members-phone")
	}
}

// signInBrowser signs in by email link in b: asks for the link on the page open in b, opens the
// n-th mail to email, and confirms.
func signInBrowser(b *tab, s *started, smtp *smtptest.Server, email string, n int) {
	b.t.Helper()
	b.run(typeIn(`form[action="/auth/email"] input[name=email]`, email),
		click(`form[action="/auth/email"] button`), waitText("h1", "Check your email"))
	link := waitMail(b.t, smtp, email, n)
	if !strings.HasPrefix(link, s.url+"/auth/email/verify?token=") {
		b.t.Fatalf("sign-in mail link: %q", link)
	}
	b.run(chromedp.Navigate(link), click(`form[action="/auth/email/verify"] button`))
}

// apiMe calls GET /api/v1/me with a bearer token and returns the status.
func apiMe(t *testing.T, s *started, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
