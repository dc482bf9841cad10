package storetest

import (
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

func newDomain(h *Harness, orgID, name string) provisioning.Domain {
	now := h.Clock.Now()
	return provisioning.Domain{ID: provisioning.NewID(), OrgID: orgID, Name: name, State: provisioning.DomainUnverified,
		Token: "tok-" + name, JoinRole: provisioning.RoleMember, CreatedAt: now, UpdatedAt: now}
}

func testDomains(t *testing.T, h *Harness) {
	a := h.CreateOrg("acme", 5, "owner@acme.com").Org.ID
	b := h.CreateOrg("rival", 5, "owner@rival.com").Org.ID
	da, db, other := newDomain(h, a, "acme.com"), newDomain(h, b, "acme.com"), newDomain(h, a, "acme.org")
	h.Tx(func(tx provisioning.StoreTx) error {
		for _, d := range []provisioning.Domain{da, db, other} {
			if err := tx.InsertDomain(h.Ctx, d); err != nil {
				t.Fatalf("insert %s: %v", d.Name, err)
			}
		}
		return nil
	})
	_ = h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		dup := newDomain(h, a, "acme.com")
		WantCode(t, tx.InsertDomain(h.Ctx, dup), provisioning.CodeConflict)
		return errStop
	})

	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.GetDomain(h.Ctx, a, "acme.com")
		if err != nil || got.ID != da.ID || got.Token != da.Token || got.JoinRole != provisioning.RoleMember || got.VerifiedAt != nil {
			t.Fatalf("get: %+v %v", got, err)
		}
		_, err = tx.FindVerifiedDomain(h.Ctx, "acme.com")
		WantCode(t, err, provisioning.CodeNotFound)
		list, err := tx.ListDomains(h.Ctx, a)
		if err != nil || len(list) != 2 || list[0].Name != "acme.com" || list[1].Name != "acme.org" {
			t.Fatalf("list: %+v %v", list, err)
		}
		n, err := tx.CountDomains(h.Ctx, a)
		if err != nil || n != 2 {
			t.Fatalf("count: %d %v", n, err)
		}
		return nil
	})

	at := h.Clock.Now().Add(time.Minute)
	verify := func(d provisioning.Domain) provisioning.Domain {
		d.State, d.VerifiedAt, d.CheckedAt, d.UpdatedAt, d.AutoJoin = provisioning.DomainVerified, &at, &at, at, true
		return d
	}
	h.Tx(func(tx provisioning.StoreTx) error { return tx.UpdateDomain(h.Ctx, verify(da)) })
	_ = h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		WantCode(t, tx.UpdateDomain(h.Ctx, verify(db)), provisioning.CodeConflict)
		return errStop
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		got, err := tx.FindVerifiedDomain(h.Ctx, "acme.com")
		if err != nil || got.OrgID != a || !got.AutoJoin || got.VerifiedAt == nil || !got.VerifiedAt.Equal(at) {
			t.Fatalf("find verified: %+v %v", got, err)
		}
		lost := got
		lost.State, lost.Reason = provisioning.DomainLost, "record gone"
		return tx.UpdateDomain(h.Ctx, lost)
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		if err := tx.UpdateDomain(h.Ctx, verify(db)); err != nil {
			t.Fatalf("a lost claim frees the domain for another org: %v", err)
		}
		states, err := tx.ListDomainsByState(h.Ctx, provisioning.DomainVerified, provisioning.DomainLost)
		if err != nil || len(states) != 2 {
			t.Fatalf("by state: %+v %v", states, err)
		}
		got, err := tx.GetDomainByID(h.Ctx, da.ID)
		if err != nil || got.State != provisioning.DomainLost || got.Reason != "record gone" {
			t.Fatalf("by id: %+v %v", got, err)
		}
		if err := tx.DeleteDomain(h.Ctx, a, da.ID); err != nil {
			return err
		}
		WantCode(t, tx.DeleteDomain(h.Ctx, a, da.ID), provisioning.CodeNotFound)
		WantCode(t, tx.DeleteDomain(h.Ctx, a, db.ID), provisioning.CodeNotFound)
		return tx.DeleteOrg(h.Ctx, b)
	})
	h.Tx(func(tx provisioning.StoreTx) error {
		_, err := tx.GetDomainByID(h.Ctx, db.ID)
		WantCode(t, err, provisioning.CodeNotFound)
		return nil
	})
}
