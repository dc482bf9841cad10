package storetest

import (
	"fmt"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// directoryTotals returns the totalResults of an unfiltered list (the org's maintained count)
// and the number of directory users a filter that matches everyone counts.
func directoryTotals(t *testing.T, h *Harness, orgID string) (kept, counted int) {
	t.Helper()
	everyone := cmp("username", "pr", nil)
	err := h.Store.View(h.Ctx, func(tx provisioning.StoreTx) error {
		var err error
		if _, kept, err = tx.ListDirectoryUsers(h.Ctx, provisioning.DirectoryQuery{OrgID: orgID}); err != nil {
			return err
		}
		_, counted, err = tx.ListDirectoryUsers(h.Ctx, provisioning.DirectoryQuery{OrgID: orgID, Filter: everyone})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return kept, counted
}

func wantDirectoryTotal(t *testing.T, h *Harness, orgID string, want int) {
	t.Helper()
	if kept, counted := directoryTotals(t, h, orgID); kept != want || counted != want {
		t.Fatalf("directory users: count kept %d, counted %d, want %d", kept, counted, want)
	}
}

// testDirectoryUserCount checks that the total of an unfiltered SCIM user list follows inserts,
// deletes, rolled-back inserts, concurrent creates and org deletion, per org.
func testDirectoryUserCount(t *testing.T, h *Harness) {
	org := h.CreateOrg("counted", -1, "owner@counted.com").Org.ID
	other := h.CreateOrg("counted2", -1, "owner@counted2.com").Org.ID
	wantDirectoryTotal(t, h, org, 0)
	var users []provisioning.DirectoryUser
	h.Tx(func(tx provisioning.StoreTx) error {
		for i := range 3 {
			users = append(users, seedDirectoryUser(t, h, tx, org, fmt.Sprintf("u%d@counted.com", i), ""))
		}
		seedDirectoryUser(t, h, tx, other, "x@counted2.com", "")
		return nil
	})
	wantDirectoryTotal(t, h, org, 3)
	wantDirectoryTotal(t, h, other, 1)
	err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		seedDirectoryUser(t, h, tx, org, "gone@counted.com", "")
		return errStop
	})
	if err != errStop {
		t.Fatalf("rollback: %v", err)
	}
	wantDirectoryTotal(t, h, org, 3)
	h.Tx(func(tx provisioning.StoreTx) error { return tx.DeleteDirectoryUser(h.Ctx, org, users[1].ID) })
	wantDirectoryTotal(t, h, org, 2)

	errs := parallel(12, func(i int) error {
		return h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
			email := fmt.Sprintf("race%d@counted.com", i)
			res, err := h.Service.ProvisionTx(h.Ctx, provisioning.Wrap(tx), provisioning.ProvisionRequest{OrgID: org,
				Entrance: provisioning.EntranceSCIM, Actor: provisioning.Actor{Kind: provisioning.ActorDirectory, OrgID: org},
				Identity: provisioning.Identity{Email: email}})
			if err != nil {
				return err
			}
			now := h.Clock.Now()
			return tx.InsertDirectoryUser(h.Ctx, provisioning.DirectoryUser{ID: provisioning.NewID(), OrgID: org,
				UserID: res.User.ID, MembershipID: res.Membership.ID, UserName: email, UserNameKey: email,
				Active: true, Attributes: []byte(`{}`), Version: 1, CreatedAt: now, UpdatedAt: now})
		})
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	wantDirectoryTotal(t, h, org, 14)

	h.Tx(func(tx provisioning.StoreTx) error { return tx.DeleteOrg(h.Ctx, org) })
	wantDirectoryTotal(t, h, org, 0)
	wantDirectoryTotal(t, h, other, 1)
}
