package storetest

import (
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// testDirectoryGroupBatches covers what large group changes stand on: a group's member ids
// page by page, the groups of many users in one call, and the core deciding many mapped roles
// in one transaction (seats in the order given, owners and suspended members untouched, an
// admin token never touching admins).
func testDirectoryGroupBatches(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 4, "owner@acme.com")
	org := o.Org.ID
	other := h.CreateOrg("other", -1, "owner@other.com")
	var users []provisioning.DirectoryUser
	var eve provisioning.DirectoryUser
	var g provisioning.DirectoryGroup
	h.Tx(func(tx provisioning.StoreTx) error {
		for _, email := range []string{"a@acme.com", "b@acme.com", "c@acme.com", "d@acme.com", "e@acme.com"} {
			users = append(users, seedDirectoryUser(t, h, tx, org, email, ""))
		}
		eve = seedDirectoryUser(t, h, tx, other.Org.ID, "eve@other.com", "")
		now := h.Clock.Now()
		g = provisioning.DirectoryGroup{ID: provisioning.NewID(), OrgID: org, DisplayName: "Staff", ExternalID: "ext-staff", Attributes: []byte(`{}`), Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertDirectoryGroup(h.Ctx, g); err != nil {
			return err
		}
		_, err := tx.AddDirectoryGroupMembers(h.Ctx, org, g.ID, []string{users[0].ID, users[1].ID, users[2].ID, users[3].ID})
		return err
	})
	// The owner and a, b, c hold the 4 seats; d and e came in as viewers.
	h.Tx(func(tx provisioning.StoreTx) error {
		var all []string
		for after := ""; ; {
			page, err := tx.ListDirectoryGroupMemberIDs(h.Ctx, org, g.ID, after, 3)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			all, after = append(all, page...), page[len(page)-1]
		}
		if len(all) != 4 {
			t.Fatalf("member ids by pages: %v", all)
		}
		if ids, err := tx.ListDirectoryGroupMemberIDs(h.Ctx, other.Org.ID, g.ID, "", 10); err != nil || len(ids) != 0 {
			t.Fatalf("another org's group members: %v %v", ids, err)
		}
		got, err := tx.ListDirectoryUsersGroups(h.Ctx, org, []string{users[0].ID, users[4].ID, eve.ID, "nope", users[0].ID})
		if err != nil || len(got) != 2 {
			t.Fatalf("users' groups: %+v %v", got, err)
		}
		for _, u := range got {
			switch u.UserID {
			case users[0].ID:
				if u.MembershipID != users[0].MembershipID || !u.Active || len(u.Groups) != 1 || u.Groups[0].DisplayName != "Staff" || u.Groups[0].ExternalID != "ext-staff" {
					t.Fatalf("a member's groups: %+v", u)
				}
			case users[4].ID:
				if len(u.Groups) != 0 {
					t.Fatalf("a user in no group: %+v", u)
				}
			default:
				t.Fatalf("unexpected user %+v", u)
			}
		}
		return nil
	})
	admin := provisioning.Actor{Kind: provisioning.ActorDirectory, OrgID: org, Role: provisioning.RoleAdmin}
	ownerToken := admin
	ownerToken.Role = provisioning.RoleOwner
	set := func(actor provisioning.Actor, roles ...provisioning.DirectoryRole) error {
		return h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
			return h.Service.SetRolesByDirectoryTx(h.Ctx, provisioning.Wrap(tx), actor, org, roles)
		})
	}
	role := func(u provisioning.DirectoryUser) provisioning.Role {
		var m provisioning.Membership
		h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			m, err = tx.GetMembershipByID(h.Ctx, org, u.MembershipID)
			return err
		})
		return m.Role
	}
	WantCode(t, set(provisioning.Actor{Kind: provisioning.ActorDirectory, OrgID: other.Org.ID, Role: provisioning.RoleOwner},
		provisioning.DirectoryRole{MembershipID: users[0].MembershipID, Role: provisioning.RoleAdmin}), provisioning.CodeForbidden)
	if err := set(admin, provisioning.DirectoryRole{MembershipID: users[0].MembershipID, Role: provisioning.RoleAdmin}); err != nil || role(users[0]) != provisioning.RoleMember {
		t.Fatalf("an admin's token cannot make admins: %s %v", role(users[0]), err)
	}
	limit := 5
	if _, err := h.Service.UpdateOrg(h.Ctx, provisioning.Operator(), org, provisioning.OrgUpdate{SeatLimit: &limit}); err != nil {
		t.Fatal(err)
	}
	err := set(ownerToken,
		provisioning.DirectoryRole{MembershipID: users[4].MembershipID, Role: provisioning.RoleMember},
		provisioning.DirectoryRole{MembershipID: users[3].MembershipID, Role: provisioning.RoleMember},
		provisioning.DirectoryRole{MembershipID: users[0].MembershipID, Role: provisioning.RoleAdmin},
		provisioning.DirectoryRole{MembershipID: users[1].MembershipID, Role: provisioning.RoleViewer},
		provisioning.DirectoryRole{MembershipID: o.Owner.Membership.ID, Role: provisioning.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []provisioning.Role{provisioning.RoleAdmin, provisioning.RoleViewer, provisioning.RoleMember, provisioning.RoleViewer, provisioning.RoleMember} {
		if got := role(users[i]); got != want {
			t.Fatalf("user %d: %s, want %s (the one free seat goes to e, first in order)", i, got, want)
		}
	}
	if r := role(provisioning.DirectoryUser{MembershipID: o.Owner.Membership.ID}); r != provisioning.RoleOwner {
		t.Fatalf("the owner is never changed by group rules: %s", r)
	}
	if u := h.Usage(org); u.Used != 4 {
		t.Fatalf("seats (b gave one up after d was decided): %+v", u)
	}
	h.CheckSeatCounter(org)
	// b gave up a seat, so d gets it now; an empty role means the org's default role.
	if err := set(ownerToken, provisioning.DirectoryRole{MembershipID: users[3].MembershipID}, provisioning.DirectoryRole{MembershipID: users[0].MembershipID}); err != nil {
		t.Fatal(err)
	}
	if role(users[3]) != provisioning.RoleMember || role(users[0]) != provisioning.RoleMember {
		t.Fatalf("default role: d %s, a %s", role(users[3]), role(users[0]))
	}
	if u := h.Usage(org); u.Used != 5 {
		t.Fatalf("seats: %+v", u)
	}
	h.CheckSeatCounter(org)
}
