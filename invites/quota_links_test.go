package invites_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/seats"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestQuota: business plans have a daily limit resetting at midnight UTC, trials a lifetime
// total, enterprise none; links and resends are shown in the remaining quota.
func TestQuota(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b, envOptions{quotas: map[seats.Plan]invites.Quota{seats.PlanBusiness: {Daily: 3}, seats.PlanTrial: {Lifetime: 2}}})
			e.h.Clock.AdvanceTo(9, 0)
			midnight := e.h.Clock.Now().Truncate(24 * time.Hour).Add(24 * time.Hour).Format(time.RFC3339)
			q := e.api(e.owner, "GET", "/orgs/acme/invitations/quota", nil)
			if q.str("quota", "period") != "daily" || q.str("quota", "remaining") != "3" || q.str("quota", "resetsAt") != midnight {
				t.Fatalf("quota: %s", q.Raw)
			}
			e.mustInvite("a@x.com", provisioning.RoleMember)
			e.mustInvite("b@x.com", provisioning.RoleViewer)
			r := e.api(e.owner, "POST", "/orgs/acme/invitations/bulk", map[string]any{"emails": []string{"c@x.com", "d@x.com"}})
			refused, _ := r.Body["refused"].([]any)
			if len(refused) != 1 || refused[0].(map[string]any)["code"] != "invite_quota_exceeded" || r.str("quota", "remaining") != "0" {
				t.Fatalf("bulk past the quota: %s", r.Raw)
			}
			if r := e.invite("e@x.com", provisioning.RoleMember); r.Status != http.StatusTooManyRequests || r.code() != "invite_quota_exceeded" {
				t.Fatalf("invite past the quota: %d %s", r.Status, r.Raw)
			}
			// Only emails sent count: an invitation whose link the admin copies costs nothing.
			if r := e.api(e.owner, "POST", "/orgs/acme/invitations", map[string]any{"email": "copied@x.com", "sendEmail": false}); r.Status != http.StatusCreated || r.str("quota", "remaining") != "0" {
				t.Fatalf("an invitation without email past the quota: %d %s", r.Status, r.Raw)
			}
			// Invite links are not limited by the quota.
			link := e.api(e.owner, "POST", "/orgs/acme/invite-links/member/regenerate", nil).str("link", "url")
			joiner, _ := e.signIn("joiner@x.com")
			if r := joiner.do("POST", pathOf(link), nil); r.Status != 200 {
				t.Fatalf("join by link past the quota: %d %s", r.Status, r.Raw)
			}
			e.h.Clock.Advance(15 * time.Hour) // midnight UTC
			if r := e.invite("e@x.com", provisioning.RoleMember); r.Status != http.StatusCreated || r.str("quota", "remaining") != "2" {
				t.Fatalf("invite after midnight UTC: %d %s", r.Status, r.Raw)
			}

			limit := 5
			trial, err := e.h.Service.CreateOrg(e.h.Ctx, provisioning.Operator(), provisioning.CreateOrgInput{Slug: "tri", Name: "Tri", Plan: "trial", SeatLimit: &limit, OwnerEmail: "o@tri.com"})
			if err != nil {
				t.Fatal(err)
			}
			tok := e.token(trial.Owner.Membership)
			for i, want := range []int{201, 201, 429} {
				r := e.api(tok, "POST", "/orgs/tri/invitations", map[string]any{"email": []string{"1@t.com", "2@t.com", "3@t.com"}[i]})
				if r.Status != want {
					t.Fatalf("trial invitation %d: %d %s", i, r.Status, r.Raw)
				}
			}
			e.h.Clock.Advance(30 * 24 * time.Hour)
			if r := e.api(tok, "GET", "/orgs/tri/invitations/quota", nil); r.str("quota", "period") != "lifetime" || r.str("quota", "remaining") != "0" {
				t.Fatalf("trial quota does not reset: %s", r.Raw)
			}
			ent, err := e.h.Service.CreateOrg(e.h.Ctx, provisioning.Operator(), provisioning.CreateOrgInput{Slug: "ent", Name: "Ent", Plan: "enterprise", OwnerEmail: "o@ent.com"})
			if err != nil {
				t.Fatal(err)
			}
			if r := e.api(e.token(ent.Owner.Membership), "GET", "/orgs/ent/invitations/quota", nil); r.str("quota", "period") != "none" || r.str("quota", "remaining") != "-1" {
				t.Fatalf("enterprise quota: %s", r.Raw)
			}
		})
	}
}

// TestInviteLinks: per-role links, owners-only admin link, regeneration and disabling kill the
// old link at once, joins follow the automatic-join seat rules.
func TestInviteLinks(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b, envOptions{limit: 2})
			admin := e.h.MustJoin(e.acme.Org.ID, "admin@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin).Membership
			adminTok := e.token(admin)
			if r := e.api(adminTok, "GET", "/orgs/acme/invite-links", nil); r.Status != 200 || len(r.Body["links"].([]any)) != 2 {
				t.Fatalf("links: %d %s", r.Status, r.Raw)
			}
			if r := e.api(adminTok, "POST", "/orgs/acme/invite-links/admin/regenerate", nil); r.Status != http.StatusForbidden {
				t.Fatalf("admin regenerates the admin link: %d %s", r.Status, r.Raw)
			}
			if r := e.api(e.owner, "POST", "/orgs/acme/invite-links/viewer/regenerate", nil); r.Status != http.StatusBadRequest {
				t.Fatalf("viewer link: %d", r.Status)
			}
			first := e.api(adminTok, "POST", "/orgs/acme/invite-links/member/regenerate", nil).str("link", "url")
			shown := e.api(adminTok, "GET", "/orgs/acme/invite-links/member", nil)
			if shown.str("link", "enabled") != "true" || shown.str("link", "url") != "" || shown.str("link", "hint") != "…"+first[len(first)-4:] {
				t.Fatalf("show link: %s", shown.Raw)
			}
			anon := e.browser()
			if r := anon.do("GET", pathOf(first), nil); r.Status != 200 || r.str("org", "name") != "acme Inc" {
				t.Fatalf("join page: %d %s", r.Status, r.Raw)
			}
			if r := anon.do("POST", pathOf(first), nil); r.Status != http.StatusUnauthorized {
				t.Fatalf("join signed out: %d", r.Status)
			}
			// The org is full (owner and admin): link joins come in as viewers, never over the limit.
			ann, _ := e.signIn("ann@x.com")
			r := ann.do("POST", pathOf(first), nil)
			if r.Status != 200 || r.str("membership", "role") != "viewer" || r.str("membership", "source") != "invite_link" || r.str("seatWithheld") == "" {
				t.Fatalf("join full org: %d %s", r.Status, r.Raw)
			}
			if again := ann.do("POST", pathOf(first), nil); again.Status != 200 || again.str("outcome") != "unchanged" {
				t.Fatalf("join again: %d %s", again.Status, again.Raw)
			}
			second := e.api(adminTok, "POST", "/orgs/acme/invite-links/member/regenerate", nil).str("link", "url")
			ben, _ := e.signIn("ben@x.com")
			if r := ben.do("POST", pathOf(first), nil); r.Status != http.StatusNotFound {
				t.Fatalf("old link after regenerate: %d %s", r.Status, r.Raw)
			}
			if r := ben.do("POST", pathOf(second), nil); r.Status != 200 {
				t.Fatalf("new link: %d %s", r.Status, r.Raw)
			}
			adminLink := e.api(e.owner, "POST", "/orgs/acme/invite-links/admin/regenerate", nil).str("link", "url")
			limit := 10
			if _, err := e.h.Service.UpdateOrg(e.h.Ctx, provisioning.Operator(), e.acme.Org.ID, provisioning.OrgUpdate{SeatLimit: &limit}); err != nil {
				t.Fatal(err)
			}
			cy, _ := e.signIn("cy@x.com")
			if r := cy.do("POST", pathOf(adminLink), nil); r.Status != 200 || r.str("membership", "role") != "admin" {
				t.Fatalf("join by admin link: %d %s", r.Status, r.Raw)
			}
			if r := e.api(e.owner, "DELETE", "/orgs/acme/invite-links/member", nil); r.Status != http.StatusNoContent {
				t.Fatalf("disable: %d %s", r.Status, r.Raw)
			}
			dee, _ := e.signIn("dee@x.com")
			if r := dee.do("POST", pathOf(second), nil); r.Status != http.StatusNotFound {
				t.Fatalf("disabled link: %d %s", r.Status, r.Raw)
			}
			if r := e.api(e.owner, "GET", "/orgs/acme/invite-links/member", nil); r.str("link", "enabled") != "false" {
				t.Fatalf("disabled link shows: %s", r.Raw)
			}
			member := e.h.MustJoin(e.acme.Org.ID, "m@acme.com", provisioning.EntranceManual, provisioning.RoleMember).Membership
			if r := e.api(e.token(member), "GET", "/orgs/acme/invite-links", nil); r.Status != http.StatusForbidden {
				t.Fatalf("a member sees links: %d", r.Status)
			}
		})
	}
}
