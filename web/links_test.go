package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// TestInviteLinksPage: both links start off; making one shows its URL once; making another
// asks first (a page without the script), and the old link then admits nobody; turning a link
// off asks first too. Admins may not touch the admin link.
func TestInviteLinksPage(t *testing.T) {
	e := newSetupEnv(t)
	alice := e.owner()
	code, body := alice.get("/console/acme/invite-links")
	if code != http.StatusOK {
		t.Fatalf("links: %d", code)
	}
	mustContain(t, body, `id="link-member"`, `id="link-admin"`, "Off: no member link lets anyone join", "Turn on: make a link")

	code, page := alice.postFollow("/console/acme/invite-links/member/regenerate", nil)
	if code != http.StatusOK {
		t.Fatalf("make a link: %d\n%s", code, page)
	}
	first := submatch(t, `<code id="new-link-member">(https://rollcall\.example\.com/join/[^<]+)</code>`, page)
	mustContain(t, page, `data-copy="new-link-member"`, "it is shown only once")
	_, page = alice.get("/console/acme/invite-links")
	mustNotContain(t, page, first)
	mustContain(t, page, "the link ends in <code>…")

	code, page = alice.postFollow("/console/acme/invite-links/member/regenerate", nil)
	if code != http.StatusOK || !strings.Contains(page, "Replace the member invite link?") || strings.Contains(page, "/join/") {
		t.Fatalf("replacing a live link without confirmation: %d\n%s", code, page)
	}
	_, page = alice.postFollow("/console/acme/invite-links/member/regenerate", form("confirmed", "yes"))
	second := submatch(t, `<code id="new-link-member">(https://[^<]+)</code>`, page)
	if second == first {
		t.Fatal("the new link is the old one")
	}
	if _, _, err := e.inv.LinkOrg(e.h.Ctx, strings.TrimPrefix(first, publicURL+"/join/")); !provisioning.IsCode(err, provisioning.CodeNotFound) {
		t.Fatalf("the old link still admits: %v", err)
	}
	if org, role, err := e.inv.LinkOrg(e.h.Ctx, strings.TrimPrefix(second, publicURL+"/join/")); err != nil || org.ID != e.org.Org.ID || role != provisioning.RoleMember {
		t.Fatalf("the new link: %v %v %v", org.Slug, role, err)
	}

	// An admin manages the member link, not the admin one.
	grace := e.join("grace@acme.com", provisioning.RoleAdmin)
	admin := e.as(grace.UserID)
	_, page = admin.get("/console/acme/invite-links")
	mustContain(t, page, "Only owners manage the admin link.")
	mustNotContain(t, page, "/invite-links/admin/regenerate")
	_, page = admin.postFollow("/console/acme/invite-links/admin/regenerate", form("confirmed", "yes"))
	mustContain(t, page, `id="alert"`, "only owners can manage the admin invite link")
	_, page = admin.postFollow("/console/acme/invite-links/owner/disable", nil)
	mustContain(t, page, `id="alert"`, "invite links exist for the member and admin roles")

	// Turning off asks first, then the link admits nobody.
	code, page = alice.postFollow("/console/acme/invite-links/member/disable", nil)
	if code != http.StatusOK || !strings.Contains(page, "Turn off the member invite link?") {
		t.Fatalf("turning off without confirmation: %d\n%s", code, page)
	}
	_, page = alice.postFollow("/console/acme/invite-links/member/disable", form("confirmed", "yes"))
	mustContain(t, page, "Turned off the member invite link", "Off: no member link lets anyone join")
	if _, _, err := e.inv.LinkOrg(e.h.Ctx, strings.TrimPrefix(second, publicURL+"/join/")); err == nil {
		t.Fatal("a link turned off still admits")
	}
	_, page = alice.postFollow("/console/acme/invite-links/member/disable", form("confirmed", "yes"))
	mustContain(t, page, `id="alert"`, "already off")
}
