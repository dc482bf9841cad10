package invites_test

import (
	"net/http"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestRemovedMemberResurfaces: a removed member can be invited again, and accepting brings back
// the same membership with its data.
func TestRemovedMemberResurfaces(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		old, err := e.h.Service.Provision(e.h.Ctx, provisioning.ProvisionRequest{OrgID: e.acme.Org.ID, Entrance: provisioning.EntranceSCIM,
			Actor: provisioning.System(), Identity: provisioning.Identity{Email: "gus@x.com", ExternalID: "ext-1", Groups: []string{"eng"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.h.Service.Remove(e.h.Ctx, provisioning.Operator(), e.acme.Org.ID, old.Membership.ID); err != nil {
			t.Fatal(err)
		}
		_, link := e.mustInvite("gus@x.com", provisioning.RoleAdmin)
		gus, _ := e.signIn("gus@x.com")
		r := gus.do("POST", pathOf(link)+"/accept", nil)
		if r.Status != 200 || r.str("membership", "id") != old.Membership.ID || r.str("membership", "role") != "admin" {
			t.Fatalf("accept as removed member: %d %s", r.Status, r.Raw)
		}
		m, _ := e.member("gus@x.com")
		if m.Status != provisioning.StatusActive || m.ExternalID != "ext-1" || len(m.Groups) != 1 {
			t.Fatalf("resurfaced membership lost its data: %+v", m)
		}
	})
}

// TestNoReservation: with reserve_seats_for_invites off, invitations hold no seat and an invitee
// who accepts when no seat is free joins as viewer.
func TestNoReservation(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		settings := provisioning.DefaultSettings()
		settings.ReserveSeatsForInvites = false
		if _, err := e.h.Service.UpdateSettings(e.h.Ctx, provisioning.Operator(), e.acme.Org.ID, settings.AsChange()); err != nil {
			t.Fatal(err)
		}
		limit := 2
		if _, err := e.h.Service.UpdateOrg(e.h.Ctx, provisioning.Operator(), e.acme.Org.ID, provisioning.OrgUpdate{SeatLimit: &limit}); err != nil {
			t.Fatal(err)
		}
		_, first := e.mustInvite("first@x.com", provisioning.RoleMember)
		_, second := e.mustInvite("second@x.com", provisioning.RoleMember)
		if u := e.h.Usage(e.acme.Org.ID); u.Used != 1 {
			t.Fatalf("invitations hold seats with reservation off: %d used", u.Used)
		}
		b1, _ := e.signIn("first@x.com")
		if r := b1.do("POST", pathOf(first)+"/accept", nil); r.str("membership", "role") != "member" {
			t.Fatalf("first accept: %s", r.Raw)
		}
		b2, _ := e.signIn("second@x.com")
		r := b2.do("POST", pathOf(second)+"/accept", nil)
		if r.Status != 200 || r.str("membership", "role") != "viewer" || r.str("seatWithheld") == "" {
			t.Fatalf("accept with no free seat: %d %s", r.Status, r.Raw)
		}
	})
}

// TestOnlyOwnersInviteAdmins: admins invite members and viewers, and may not invite, resend or
// revoke admin invitations; members may not invite at all.
func TestOnlyOwnersInviteAdmins(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		admin := e.token(e.h.MustJoin(e.acme.Org.ID, "admin@acme.com", provisioning.EntranceManual, provisioning.RoleAdmin).Membership)
		member := e.token(e.h.MustJoin(e.acme.Org.ID, "member@acme.com", provisioning.EntranceManual, provisioning.RoleMember).Membership)
		invite := func(tok, addr string, role provisioning.Role) response {
			return e.api(tok, "POST", "/orgs/acme/invitations", map[string]any{"email": addr, "role": role})
		}
		if r := invite(admin, "a@x.com", provisioning.RoleAdmin); r.Status != http.StatusForbidden {
			t.Fatalf("admin invites admin: %d %s", r.Status, r.Raw)
		}
		if r := invite(admin, "m@x.com", provisioning.RoleMember); r.Status != http.StatusCreated || r.str("invitation", "inviterLabel") != "admin@acme.com" {
			t.Fatalf("admin invites member: %d %s", r.Status, r.Raw)
		}
		if r := invite(member, "n@x.com", provisioning.RoleViewer); r.Status != http.StatusForbidden {
			t.Fatalf("member invites: %d %s", r.Status, r.Raw)
		}
		if r := e.api(member, "GET", "/orgs/acme/invitations", nil); r.Status != http.StatusForbidden {
			t.Fatalf("member lists invitations: %d", r.Status)
		}
		id, _ := e.mustInvite("boss@x.com", provisioning.RoleAdmin)
		for _, action := range []string{"resend", "revoke"} {
			if r := e.api(admin, "POST", "/orgs/acme/invitations/"+id+"/"+action, nil); r.Status != http.StatusForbidden {
				t.Fatalf("admin %ss an admin invitation: %d %s", action, r.Status, r.Raw)
			}
		}
		if r := e.api(e.op, "POST", "/orgs/acme/invitations/"+id+"/revoke", nil); r.Status != 200 {
			t.Fatalf("operator revokes: %d %s", r.Status, r.Raw)
		}
		if r := e.api(e.op, "POST", "/orgs/acme/invitations", map[string]any{"email": "op@x.com", "role": "admin"}); r.Status != http.StatusCreated || r.str("invitation", "inviterLabel") != "An administrator" {
			t.Fatalf("operator invites: %d %s", r.Status, r.Raw)
		}
	})
}

// TestJoiningAnotherWayWhileInvited: an invitee who comes in by invite link while a seat is held
// for their own invitation settles it: the held seat is theirs, the invitation is accepted, and
// they get the invited role when it is higher. Someone the directory added (no proven email)
// accepts later and is raised to the invited role; accepting never lowers a role.
func TestJoiningAnotherWayWhileInvited(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b, envOptions{limit: 2})
			id, _ := e.mustInvite("bob@x.com", provisioning.RoleMember) // 2 of 2 seats: owner and bob's invitation
			link := e.api(e.owner, "POST", "/orgs/acme/invite-links/member/regenerate", nil).str("link", "url")
			bob, _ := e.signIn("bob@x.com")
			if r := bob.do("POST", pathOf(link), nil); r.Status != 200 || r.str("membership", "role") != "member" {
				t.Fatalf("link join while invited: %d %s", r.Status, r.Raw)
			}
			if got := e.api(e.owner, "GET", "/orgs/acme/invitations/"+id, nil); got.str("invitation", "state") != "accepted" {
				t.Fatalf("the invitation after the link join: %s", got.Raw)
			}
			if u := e.h.Usage(e.acme.Org.ID); u.Used != 2 {
				t.Fatalf("seats after the link join: %+v (the held seat must not count twice)", u)
			}

			three, four := 3, 4
			if _, err := e.h.Service.UpdateOrg(e.h.Ctx, provisioning.Operator(), e.acme.Org.ID, provisioning.OrgUpdate{SeatLimit: &three}); err != nil {
				t.Fatal(err)
			}
			id, _ = e.mustInvite("carol@x.com", provisioning.RoleAdmin)
			if _, err := e.h.Service.UpdateOrg(e.h.Ctx, provisioning.Operator(), e.acme.Org.ID, provisioning.OrgUpdate{SeatLimit: &four}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.h.Service.Provision(e.h.Ctx, provisioning.ProvisionRequest{OrgID: e.acme.Org.ID, Entrance: provisioning.EntranceSCIM,
				Actor: provisioning.System(), Identity: provisioning.Identity{Email: "carol@x.com"}}); err != nil {
				t.Fatal(err)
			}
			carol, _ := e.signIn("carol@x.com")
			if r := carol.do("POST", "/invitations/"+id+"/accept", nil); r.Status != 200 || r.str("membership", "role") != "admin" {
				t.Fatalf("accept after the directory added carol: %d %s", r.Status, r.Raw)
			}

			id, _ = e.mustInvite("ann@x.com", provisioning.RoleViewer)
			if _, err := e.h.Service.Provision(e.h.Ctx, provisioning.ProvisionRequest{OrgID: e.acme.Org.ID, Entrance: provisioning.EntranceManual,
				Actor: e.h.MemberActor(e.acme.Owner.Membership), Role: provisioning.RoleMember, Identity: provisioning.Identity{Email: "ann@x.com"}}); err != nil {
				t.Fatal(err)
			}
			ann, _ := e.signIn("ann@x.com")
			if r := ann.do("POST", "/invitations/"+id+"/accept", nil); r.Status != 200 || r.str("membership", "role") != "member" {
				t.Fatalf("accepting a viewer invitation as a member: %d %s", r.Status, r.Raw)
			}
		})
	}
}
