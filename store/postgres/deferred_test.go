package postgres_test

import (
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestDeferredBadValueIsInvalid: a directory user's email rows go with the commit; a value
// Postgres refuses there (a NUL byte) is still the caller's invalid input, not a server fault,
// and nothing of the transaction is kept.
func TestDeferredBadValueIsInvalid(t *testing.T) {
	h := storetest.NewHarness(t, storetest.OpenPostgres(t))
	org := h.CreateOrg("acme", -1, "owner@acme.com").Org.ID
	err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		res, err := h.Service.ProvisionTx(h.Ctx, provisioning.Wrap(tx), provisioning.ProvisionRequest{OrgID: org,
			Entrance: provisioning.EntranceSCIM, Actor: provisioning.Actor{Kind: provisioning.ActorDirectory, OrgID: org},
			Identity: provisioning.Identity{Email: "ann@acme.com"}})
		if err != nil {
			return err
		}
		now := h.Clock.Now()
		return tx.InsertDirectoryUser(h.Ctx, provisioning.DirectoryUser{ID: provisioning.NewID(), OrgID: org,
			UserID: res.User.ID, MembershipID: res.Membership.ID, UserName: "ann@acme.com", UserNameKey: "ann@acme.com",
			Active: true, Attributes: []byte(`{}`), Version: 1, CreatedAt: now, UpdatedAt: now,
			Emails: []provisioning.DirectoryEmail{{Type: "work", Value: "ann\x00@acme.com"}}})
	})
	storetest.WantCode(t, err, provisioning.CodeInvalid)
	page, err := h.Service.ListMembers(h.Ctx, provisioning.Operator(), provisioning.MemberQuery{OrgID: org})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 {
		t.Fatalf("the refused transaction left members behind: %d members, want the owner alone", len(page))
	}
}
