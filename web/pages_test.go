package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
)

// TestInvitePage: one address and many, with and without email; refusals say why, and a seat
// refusal says what to do; admins cannot pick the admin role; an exhausted quota disables the
// forms with the reason.
func TestInvitePage(t *testing.T) {
	e := newEnv(t)
	adm := e.join("adm@acme.com", provisioning.RoleAdmin)
	alice := e.owner()
	_, body := alice.get("/console/acme/invite")
	mustContain(t, body, "invitations left today", `<option value="admin">Admin (seat)</option>`, `name="send_email" checked`)
	code, body := alice.postFollow("/console/acme/invite", url.Values{"mode": {"one"}, "email": {"bob@acme.com"}, "role": {"admin"}, "send_email": {"on"}})
	if code != 200 || !strings.Contains(body, "Invitation emailed") || !strings.Contains(body, "Invited 1 person.") {
		t.Fatalf("invite one: %d\n%s", code, body)
	}
	code, body = alice.postFollow("/console/acme/invite", url.Values{"mode": {"many"}, "role": {"member"},
		"emails": {"carol@acme.com\nnot-an-email\ndave@acme.com\neve@acme.com"}})
	if code != 200 {
		t.Fatalf("invite many: %d\n%s", code, body)
	}
	links := regexp.MustCompile(`class="invite-link">([^<]+)<`).FindAllStringSubmatch(body, -1)
	mustContain(t, body, "Invited 2 people.", "is not a valid email address", "No seat is free", "cancel pending invitations", `data-copy="invite-link-1"`)
	if len(links) != 2 || !strings.Contains(links[0][1], "/invitations/inv_") {
		t.Fatalf("links to share: %v", links)
	}
	if code, body := alice.postFollow("/console/acme/invite", url.Values{"mode": {"one"}, "email": {"alice@acme.com"}}); code != http.StatusConflict || !strings.Contains(body, "already") {
		t.Fatalf("inviting a member: %d\n%s", code, body)
	}
	_, body = alice.get("/console/acme/members?status=pending")
	mustContain(t, body, "bob@acme.com", "carol@acme.com", "Resend invitation", "Revoke invitation")

	admin := e.as(adm.UserID)
	_, body = admin.get("/console/acme/invite")
	mustNotContain(t, body, `<option value="admin">`)
	_, body = admin.get("/console/acme/members?status=pending")
	// bob's admin invitation is the owners' to manage; carol's and dave's are the admin's too.
	if n := strings.Count(body, "Revoke invitation"); n != 2 {
		t.Errorf("an admin sees %d revoke buttons, want 2", n)
	}
	if code, body := admin.postFollow("/console/acme/invite", url.Values{"mode": {"one"}, "email": {"x@acme.com"}, "role": {"admin"}}); code != http.StatusForbidden || !strings.Contains(body, "only owners") {
		t.Fatalf("an admin inviting an admin: %d\n%s", code, body)
	}

	trial := "trial"
	if _, err := e.h.Service.UpdateOrg(e.h.Ctx, provisioning.Operator(), e.org.Org.ID, provisioning.OrgUpdate{Plan: &trial}); err != nil {
		t.Fatal(err)
	}
	small := newEnvWithQuota(t, invites.Quota{Lifetime: 1})
	owner := small.owner()
	if code, body := owner.postFollow("/console/acme/invite", url.Values{"mode": {"one"}, "email": {"one@acme.com"}, "send_email": {"on"}}); code != 200 {
		t.Fatalf("first invitation: %d\n%s", code, body)
	}
	_, body = owner.get("/console/acme/invite")
	mustContain(t, body, "0 of 1 invitations left in total", `id="quota-reason"`, "<fieldset disabled>")
	if code, body := owner.postFollow("/console/acme/invite", url.Values{"mode": {"one"}, "email": {"two@acme.com"}, "send_email": {"on"}}); code != http.StatusTooManyRequests || !strings.Contains(body, "used up") {
		t.Fatalf("past the quota: %d\n%s", code, body)
	}
}

// TestTokensPage: a member creates a token (shown once), sees it listed, revokes it; an admin
// sees members' tokens; a viewer is told why there are none.
func TestTokensPage(t *testing.T) {
	e := newEnv(t)
	bob := e.join("bob@acme.com", provisioning.RoleMember)
	member := e.as(bob.UserID)
	code, body := member.postFollow("/console/acme/tokens", url.Values{"name": {"laptop"}, "daily": {"1000"}})
	secret := regexp.MustCompile(`id="token-secret">(mwt_[^<]+)<`).FindStringSubmatch(body)
	if code != http.StatusCreated || secret == nil || !strings.Contains(body, "shown only once") {
		t.Fatalf("create: %d\n%s", code, body)
	}
	actor, err := e.h.Service.Authenticate(e.h.Ctx, secret[1])
	if err != nil || actor.ID != bob.ID {
		t.Fatalf("the new token does not authenticate bob: %v %+v", err, actor)
	}
	_, body = member.get("/console/acme/tokens")
	mustContain(t, body, `data-token="laptop"`, "1000 a day", "the org&#39;s default rate")
	mustNotContain(t, body, secret[1], "Members' tokens")
	if code, body := member.postFollow("/console/acme/tokens", url.Values{"name": {"x"}, "rate": {"fast"}}); code != 400 || !strings.Contains(body, "whole number") {
		t.Fatalf("bad limit: %d\n%s", code, body)
	}
	_, body = e.owner().get("/console/acme/tokens")
	mustContain(t, body, "Members' tokens", "bob@acme.com", `data-token="laptop"`)
	id := regexp.MustCompile(`/tokens/([^/]+)/revoke`).FindStringSubmatch(body)[1]
	if code, body := member.postFollow("/console/acme/tokens/"+id+"/revoke", nil); code != 200 || !strings.Contains(body, "Revoked the token") || !strings.Contains(body, `badge revoked`) {
		t.Fatalf("revoke: %d\n%s", code, body)
	}
	if _, err := e.h.Service.Authenticate(e.h.Ctx, secret[1]); err == nil {
		t.Fatal("a revoked token still authenticates")
	}
	viewer := e.as(e.join("vic@acme.com", provisioning.RoleViewer).UserID)
	if code, body := viewer.get("/console/acme/tokens"); code != 200 || !strings.Contains(body, `id="viewer-tokens"`) {
		t.Fatalf("viewer: %d\n%s", code, body)
	}
}

// TestAuditPage: events filtered by actor email and action, with the change shown readably.
func TestAuditPage(t *testing.T) {
	e := newEnv(t)
	bob := e.join("bob@acme.com", provisioning.RoleMember)
	alice := e.owner()
	alice.postFollow("/console/acme/members/"+bob.ID+"/role", url.Values{"role": {"viewer"}})
	_, body := alice.get("/console/acme/audit?actor=ALICE@acme.com&action=member.role_changed")
	mustContain(t, body, "member.role_changed", "role: member → viewer", "hasSeat: true → false", "Before and after")
	mustNotContain(t, body, "org.created")
	_, body = alice.get("/console/acme/audit?actor=nobody@acme.com")
	mustContain(t, body, `id="no-events"`)
	if code, body := alice.get("/console/acme/audit?since=yesterday"); code != 400 || !strings.Contains(body, "2026-01-31") {
		t.Fatalf("bad date: %d\n%s", code, body)
	}
	if code, _ := e.as(bob.UserID).get("/console/acme/audit"); code != http.StatusForbidden {
		t.Fatalf("a viewer's audit: %d", code)
	}
}

// TestSettingsPage: saving one setting changes only that one, even when another changed
// meanwhile; the contact shows to every member.
func TestSettingsPage(t *testing.T) {
	e := newEnv(t)
	alice := e.owner()
	_, page := alice.get("/console/acme/settings")
	form := url.Values{}
	for _, m := range regexp.MustCompile(`name="(was_[a-z_]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	form.Set("default_role", "member")
	form.Set("invite_expiry", "168")
	form.Set("token_rate", "120")
	form.Set("reserve_seats", "on")
	// auto_assign unticked: the one change of this form.
	off := false
	if _, err := e.h.Service.UpdateSettings(e.h.Ctx, provisioning.Operator(), e.org.Org.ID, provisioning.SettingsChange{ReserveSeatsForInvites: &off}); err != nil {
		t.Fatal(err)
	}
	if code, body := alice.postFollow("/console/acme/settings", form); code != 200 || !strings.Contains(body, "Settings saved.") {
		t.Fatalf("save: %d\n%s", code, body)
	}
	s, _ := e.h.Service.GetSettings(e.h.Ctx, provisioning.Operator(), e.org.Org.ID)
	if s.AutoAssignSeats || s.ReserveSeatsForInvites || s.InviteExpiryHours != 168 || s.TokenRateLimitPerMinute != 120 {
		t.Fatalf("settings after saving one: %+v", s)
	}
	form.Set("was_auto_assign", "false")
	form.Set("token_rate", "0")
	if code, body := alice.postFollow("/console/acme/settings", form); code != 200 || !strings.Contains(body, "tokenRateLimitPerMinute must be between") {
		t.Fatalf("bad rate: %d\n%s", code, body)
	}
	contact := url.Values{"was_contact_name": {""}, "contact_name": {"IT desk"}, "was_contact_email": {""}, "contact_email": {"it@acme.com"},
		"was_contact_phone": {""}, "contact_phone": {""}, "was_contact_notes": {""}, "contact_notes": {"Ask us\r\nanything"}}
	if code, body := alice.postFollow("/console/acme/settings/contact", contact); code != 200 || !strings.Contains(body, "Contact saved") {
		t.Fatalf("contact: %d\n%s", code, body)
	}
	viewer := e.as(e.join("vic@acme.com", provisioning.RoleViewer).UserID)
	_, body := viewer.get("/console/acme/about")
	mustContain(t, body, "IT desk", "mailto:it@acme.com", "Ask us\nanything")
	mustNotContain(t, body, "Change the contact", ">Members</a>")
	if code, _ := viewer.get("/console/acme/settings"); code != http.StatusForbidden {
		t.Fatalf("a viewer's settings: %d", code)
	}
}

// TestMemberDetail: the profile, the identities linked at this org's connections only, the
// history and the member's tokens; the page carries the console script and a strict policy.
func TestMemberDetail(t *testing.T) {
	e := newEnv(t)
	beta := e.h.CreateOrg("beta", 5, "zed@beta.io")
	sam := e.h.MustJoin(e.org.Org.ID, "sam@acme.com", provisioning.EntranceSAML, provisioning.RoleMember).Membership
	e.h.Tx(func(tx provisioning.StoreTx) error {
		now := e.h.Service.Now()
		for _, c := range []provisioning.SSOConnection{{ID: "test", OrgID: e.org.Org.ID, Protocol: "saml", Name: "Okta", Enabled: true, Config: []byte(`{}`), CreatedAt: now, UpdatedAt: now},
			{ID: "other", OrgID: beta.Org.ID, Protocol: "saml", Name: "Beta IdP", Enabled: true, Config: []byte(`{}`), CreatedAt: now, UpdatedAt: now}} {
			if err := tx.InsertSSOConnection(e.h.Ctx, c); err != nil {
				return err
			}
		}
		return tx.LinkIdentity(e.h.Ctx, provisioning.LinkedIdentity{UserID: sam.UserID, Issuer: "saml:other", Subject: "secret-subject", LinkedAt: now})
	})
	if _, err := e.h.Service.CreateToken(e.h.Ctx, provisioning.UserActor(provisioning.User{ID: sam.UserID}), e.org.Org.ID, "ci", provisioning.TokenLimits{}); err != nil {
		t.Fatal(err)
	}
	alice := e.owner()
	alice.postFollow("/console/acme/members/"+sam.ID+"/role", url.Values{"role": {"viewer"}})
	res, err := alice.c.Get(e.srv.URL + "/console/acme/members/" + sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("policy %q", csp)
	}
	code, body := alice.get("/console/acme/members/" + sam.ID)
	if code != 200 {
		t.Fatalf("detail: %d\n%s", code, body)
	}
	mustContain(t, body, "sam@acme.com", "Okta", "SAML", "<code>sam@acme.com</code>", "Came in through</dt><dd>saml",
		"member → viewer", "seat → no seat", `data-token="ci"`, `<script src="/assets/console.js?v=`)
	mustNotContain(t, body, "Beta IdP", "secret-subject")
	if code, _ := alice.get("/console/acme/members/nope"); code != http.StatusNotFound {
		t.Errorf("unknown member: %d", code)
	}
}
