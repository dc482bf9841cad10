package storetest

import (
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/seats"
)

func testOrgCRUD(t *testing.T, h *Harness) {
	now := h.Clock.Now()
	org := provisioning.Org{ID: provisioning.NewID(), Slug: "acme", Name: "Acme", Plan: seats.PlanPro,
		SeatLimit: 20, Settings: provisioning.DefaultSettings(), CreatedAt: now, UpdatedAt: now}
	h.Tx(func(tx provisioning.StoreTx) error { return tx.CreateOrg(h.Ctx, org) })
	err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		dup := org
		dup.ID = provisioning.NewID()
		return tx.CreateOrg(h.Ctx, dup)
	})
	WantCode(t, err, provisioning.CodeConflict)

	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.GetOrgBySlug(h.Ctx, "acme")
		if err != nil {
			return err
		}
		if got.ID != org.ID || got.SeatLimit != 20 || got.Plan != seats.PlanPro || !got.CreatedAt.Equal(now) ||
			got.Settings != org.Settings {
			t.Errorf("read back %+v, want %+v", got, org)
		}
		got.Name, got.SeatLimit, got.Contact.Phone = "Acme Corp", seats.Unlimited, "+1 555"
		got.Settings.AutoAssignSeats = false
		if err := tx.UpdateOrg(h.Ctx, got); err != nil {
			return err
		}
		locked, err := tx.LockOrg(h.Ctx, org.ID)
		if err != nil {
			return err
		}
		if locked.Name != "Acme Corp" || !locked.SeatLimit.IsUnlimited() || locked.Contact.Phone != "+1 555" || locked.Settings.AutoAssignSeats {
			t.Errorf("update not applied: %+v", locked)
		}
		list, err := tx.ListOrgs(h.Ctx)
		if err != nil || len(list) != 1 {
			t.Errorf("ListOrgs = %d orgs, %v", len(list), err)
		}
		return nil
	})
	h.Tx(func(tx provisioning.StoreTx) error { return tx.DeleteOrg(h.Ctx, org.ID) })
	err = h.Store.View(h.Ctx, func(tx provisioning.StoreTx) error { _, err := tx.GetOrg(h.Ctx, org.ID); return err })
	WantCode(t, err, provisioning.CodeNotFound)
	err = h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error { return tx.DeleteOrg(h.Ctx, org.ID) })
	WantCode(t, err, provisioning.CodeNotFound)
}

func testUserEnsureAndIdentity(t *testing.T, h *Harness) {
	now := h.Clock.Now()
	var first provisioning.User
	h.Tx(func(tx provisioning.StoreTx) error {
		u, created, err := tx.EnsureUser(h.Ctx, provisioning.User{ID: provisioning.NewID(), Email: "ann@acme.com",
			FirstName: "Ann", CreatedAt: now, UpdatedAt: now})
		if err != nil || !created {
			t.Fatalf("first EnsureUser created=%v err=%v", created, err)
		}
		first = u
		if locked, err := tx.LockUser(h.Ctx, u.ID); err != nil || locked.Email != "ann@acme.com" {
			t.Fatalf("LockUser: %+v %v", locked, err)
		}
		WantCode(t, errOf(tx.LockUser(h.Ctx, "no-such-user")), provisioning.CodeNotFound)
		again, created, err := tx.EnsureUser(h.Ctx, provisioning.User{ID: provisioning.NewID(), Email: "ann@acme.com",
			CreatedAt: now, UpdatedAt: now})
		if err != nil || created || again.ID != u.ID || again.FirstName != "Ann" {
			t.Fatalf("second EnsureUser = %+v created=%v err=%v", again, created, err)
		}
		if err := tx.LinkIdentity(h.Ctx, provisioning.LinkedIdentity{UserID: u.ID, Issuer: "saml:c1", Subject: "ann", LinkedAt: h.Clock.Now()}); err != nil {
			return err
		}
		if err := tx.LinkIdentity(h.Ctx, provisioning.LinkedIdentity{UserID: u.ID, Issuer: "saml:c1", Subject: "ann", LinkedAt: h.Clock.Now()}); err != nil {
			t.Fatalf("relinking the same identity: %v", err)
		}
		found, err := tx.FindIdentity(h.Ctx, "saml:c1", "ann")
		if err != nil || found.ID != u.ID {
			t.Fatalf("FindIdentity = %+v, %v", found, err)
		}
		u.LastName, u.EmailVerified = "Lee", true
		return tx.UpdateUser(h.Ctx, u)
	})
	err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		other, _, err := tx.EnsureUser(h.Ctx, provisioning.User{ID: provisioning.NewID(), Email: "bob@acme.com", CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return err
		}
		return tx.LinkIdentity(h.Ctx, provisioning.LinkedIdentity{UserID: other.ID, Issuer: "saml:c1", Subject: "ann", LinkedAt: h.Clock.Now()})
	})
	WantCode(t, err, provisioning.CodeConflict)
	err = h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		return tx.LinkIdentity(h.Ctx, provisioning.LinkedIdentity{UserID: first.ID, Issuer: "saml:c1", Subject: "ann-2", LinkedAt: h.Clock.Now()})
	})
	WantCode(t, err, provisioning.CodeConflict) // one subject per issuer and account
	h.Tx(func(tx provisioning.StoreTx) error {
		id, err := tx.FindUserIdentity(h.Ctx, first.ID, "saml:c1")
		if err != nil || id.Subject != "ann" || id.LinkedAt.IsZero() {
			t.Fatalf("FindUserIdentity = %+v, %v", id, err)
		}
		WantCode(t, errOf(tx.FindUserIdentity(h.Ctx, first.ID, "oidc:c2")), provisioning.CodeNotFound)
		return nil
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.GetUser(h.Ctx, first.ID)
		if err != nil || got.LastName != "Lee" || !got.EmailVerified {
			t.Fatalf("GetUser = %+v, %v", got, err)
		}
		_, err = tx.GetUserByEmail(h.Ctx, "bob@acme.com")
		if !provisioning.IsCode(err, provisioning.CodeNotFound) {
			t.Fatalf("bob should have been rolled back, got %v", err)
		}
		return nil
	})
}

func testMembershipCRUD(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	res := h.MustJoin(o.Org.ID, "ann@acme.com", provisioning.EntranceSCIM, "")
	h.Tx(func(tx provisioning.StoreTx) error {
		m, err := tx.GetMembership(h.Ctx, o.Org.ID, res.User.ID)
		if err != nil {
			return err
		}
		if m.ID != res.Membership.ID || m.Role != provisioning.RoleMember || m.Source != provisioning.EntranceSCIM {
			t.Errorf("membership %+v", m)
		}
		m.Groups, m.ExternalID = []string{"eng", "ops"}, "ext-1"
		return tx.UpdateMembership(h.Ctx, m)
	})
	err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		dup := res.Membership
		dup.ID = provisioning.NewID()
		return tx.InsertMembership(h.Ctx, dup)
	})
	WantCode(t, err, provisioning.CodeConflict)
	h.Tx(func(tx provisioning.StoreTx) error {
		m, err := tx.GetMembershipByID(h.Ctx, o.Org.ID, res.Membership.ID)
		if err != nil {
			return err
		}
		if len(m.Groups) != 2 || m.Groups[1] != "ops" || m.ExternalID != "ext-1" {
			t.Errorf("update not kept: %+v", m)
		}
		_, err = tx.GetMembershipByID(h.Ctx, "other-org", res.Membership.ID)
		WantCode(t, err, provisioning.CodeNotFound)
		return tx.TouchMembership(h.Ctx, m.ID, h.Clock.Now())
	})
}

func testTransactionRollsBack(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 5, "owner@acme.com")
	err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		if _, err := h.Service.ProvisionTx(h.Ctx, provisioning.Wrap(tx), provisioning.ProvisionRequest{OrgID: o.Org.ID,
			Entrance: provisioning.EntranceSCIM, Actor: provisioning.System(),
			Identity: provisioning.Identity{Email: "ghost@acme.com"}}); err != nil {
			return err
		}
		return errStop
	})
	if err != errStop {
		t.Fatalf("got %v, want errStop", err)
	}
	err = h.Store.View(h.Ctx, func(tx provisioning.StoreTx) error {
		_, err := tx.GetUserByEmail(h.Ctx, "ghost@acme.com")
		return err
	})
	WantCode(t, err, provisioning.CodeNotFound)
	events, err := h.Service.ListAudit(h.Ctx, provisioning.Operator(), provisioning.AuditQuery{OrgID: o.Org.ID, Action: "member.joined"})
	if err != nil || len(events) != 1 {
		t.Fatalf("only the owner's join should be audited, got %d events, %v", len(events), err)
	}
}

// testBadValuesAreInvalid: text the database itself refuses (a NUL byte in an id from a URL)
// is the caller's input error, never an internal one.
func testBadValuesAreInvalid(t *testing.T, h *Harness) {
	for _, id := range []string{"bad\x00id", "\xff\xfe"} {
		err := h.Store.View(h.Ctx, func(tx provisioning.StoreTx) error {
			_, err := tx.GetOrg(h.Ctx, id)
			return err
		})
		if c := provisioning.ErrorCode(err); c != provisioning.CodeNotFound && c != provisioning.CodeInvalid {
			t.Fatalf("GetOrg(%q): %v, want not_found or invalid", id, err)
		}
	}
}
