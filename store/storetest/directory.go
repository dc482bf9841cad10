package storetest

import (
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// seedDirectoryUser provisions email through the pipeline and stores its directory user.
func seedDirectoryUser(t *testing.T, h *Harness, tx provisioning.StoreTx, orgID, email, externalID string, emails ...provisioning.DirectoryEmail) provisioning.DirectoryUser {
	t.Helper()
	res, err := h.Service.ProvisionTx(h.Ctx, provisioning.Wrap(tx), provisioning.ProvisionRequest{OrgID: orgID, Entrance: provisioning.EntranceSCIM,
		Actor: provisioning.Actor{Kind: provisioning.ActorDirectory, OrgID: orgID}, Identity: provisioning.Identity{Email: email}})
	if err != nil {
		t.Fatal(err)
	}
	now := h.Clock.Now()
	u := provisioning.DirectoryUser{ID: provisioning.NewID(), OrgID: orgID, UserID: res.User.ID, MembershipID: res.Membership.ID,
		UserName: email, UserNameKey: email, ExternalID: externalID, GivenName: "Ann", Active: true, Emails: emails,
		Attributes: []byte(`{}`), Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertDirectoryUser(h.Ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

func cmp(attr, op string, v any) *provisioning.DirectoryFilter {
	return &provisioning.DirectoryFilter{Op: "cmp", Attr: attr, Cmp: op, Value: v}
}

func testDirectory(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", -1, "owner@acme.com")
	other := h.CreateOrg("other", -1, "owner@other.com")
	org := o.Org.ID
	var ann, bob, eve provisioning.DirectoryUser
	h.Tx(func(tx provisioning.StoreTx) error {
		ann = seedDirectoryUser(t, h, tx, org, "ann@acme.com", "ext-1", provisioning.DirectoryEmail{Type: "work", Value: "Ann@Acme.com", Primary: true})
		h.Clock.Advance(time.Second)
		bob = seedDirectoryUser(t, h, tx, org, "bob@acme.com", "EXT-2", provisioning.DirectoryEmail{Type: "home", Value: "bob@home.net"})
		eve = seedDirectoryUser(t, h, tx, other.Org.ID, "eve@other.com", "ext-1")
		return nil
	})
	dup := ann
	dup.ID = provisioning.NewID()
	WantCode(t, h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error { return tx.InsertDirectoryUser(h.Ctx, dup) }), provisioning.CodeConflict)
	cases := []struct {
		name string
		f    *provisioning.DirectoryFilter
		want []string
	}{
		{"all", nil, []string{ann.ID, bob.ID}},
		{"userName ci", cmp("username", "eq", "ANN@acme.com"), []string{ann.ID}},
		{"externalId exact", cmp("externalid", "eq", "ext-2"), nil},
		{"externalId", cmp("externalid", "eq", "EXT-2"), []string{bob.ID}},
		{"sw", cmp("username", "sw", "b"), []string{bob.ID}},
		{"co escapes %", cmp("username", "co", "%"), nil},
		{"ew", cmp("username", "ew", "@ACME.COM"), []string{ann.ID, bob.ID}},
		{"ne", cmp("username", "ne", "ann@acme.com"), []string{bob.ID}},
		{"pr", cmp("externalid", "pr", nil), []string{ann.ID, bob.ID}},
		{"given ci", cmp("name.givenname", "eq", "ANN"), []string{ann.ID, bob.ID}},
		{"active", cmp("active", "eq", true), []string{ann.ID, bob.ID}},
		{"lastModified gt", cmp("meta.lastmodified", "gt", ann.UpdatedAt.Format(time.RFC3339Nano)), []string{bob.ID}},
		{"not", &provisioning.DirectoryFilter{Op: "not", Left: cmp("username", "eq", "ann@acme.com")}, []string{bob.ID}},
		{"or", &provisioning.DirectoryFilter{Op: "or", Left: cmp("username", "eq", "ann@acme.com"), Right: cmp("externalid", "eq", "EXT-2")}, []string{ann.ID, bob.ID}},
		{"work email", &provisioning.DirectoryFilter{Op: "each", Each: "emails", Left: &provisioning.DirectoryFilter{Op: "and",
			Left: cmp("type", "eq", "WORK"), Right: cmp("value", "eq", "ann@acme.com")}}, []string{ann.ID}},
	}
	h.Tx(func(tx provisioning.StoreTx) error {
		for _, c := range cases {
			list, total, err := tx.ListDirectoryUsers(h.Ctx, provisioning.DirectoryQuery{OrgID: org, Filter: c.f, Limit: 10})
			if err != nil || total != len(c.want) || len(list) != len(c.want) {
				t.Fatalf("%s: %d/%d %v", c.name, len(list), total, err)
			}
			for i := range list {
				if list[i].ID != c.want[i] {
					t.Fatalf("%s: got %s at %d", c.name, list[i].ID, i)
				}
			}
		}
		_, _, err := tx.ListDirectoryUsers(h.Ctx, provisioning.DirectoryQuery{OrgID: org, Filter: cmp("nickname", "eq", "x")})
		WantCode(t, err, provisioning.CodeInvalid)
		page, total, err := tx.ListDirectoryUsers(h.Ctx, provisioning.DirectoryQuery{OrgID: org, Offset: 1, Limit: 1})
		if err != nil || total != 2 || len(page) != 1 || page[0].ID != bob.ID {
			t.Fatalf("paging: %v %d %v", page, total, err)
		}
		_, err = tx.GetDirectoryUser(h.Ctx, org, eve.ID)
		WantCode(t, err, provisioning.CodeNotFound)

		now := h.Clock.Now()
		g := provisioning.DirectoryGroup{ID: provisioning.NewID(), OrgID: org, DisplayName: "Sales", Attributes: []byte(`{}`), Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertDirectoryGroup(h.Ctx, g); err != nil {
			return err
		}
		added, err := tx.AddDirectoryGroupMembers(h.Ctx, org, g.ID, []string{ann.ID, ann.ID, bob.ID, eve.ID, "nope"})
		if err != nil || len(added) != 2 {
			t.Fatalf("add members (other org's and unknown ids skipped): %v %v", added, err)
		}
		if again, _ := tx.AddDirectoryGroupMembers(h.Ctx, org, g.ID, []string{ann.ID}); len(again) != 0 {
			t.Fatalf("adding an existing member changes nothing: %v", again)
		}
		groups, total, err := tx.ListDirectoryGroups(h.Ctx, provisioning.DirectoryQuery{OrgID: org, Limit: 5,
			Filter: &provisioning.DirectoryFilter{Op: "each", Each: "members", Left: cmp("value", "eq", bob.ID)}})
		if err != nil || total != 1 || groups[0].ID != g.ID {
			t.Fatalf("members filter: %v %v", groups, err)
		}
		removed, err := tx.RemoveDirectoryGroupMembers(h.Ctx, org, g.ID, []string{bob.ID, eve.ID})
		if err != nil || len(removed) != 1 || removed[0] != bob.ID {
			t.Fatalf("remove: %v %v", removed, err)
		}
		if mine, _ := tx.ListUserDirectoryGroups(h.Ctx, org, ann.ID); len(mine) != 1 {
			t.Fatalf("user groups: %v", mine)
		}
		if err := tx.DeleteDirectoryUser(h.Ctx, org, ann.ID); err != nil {
			return err
		}
		if ms, _ := tx.ListDirectoryGroupMembers(h.Ctx, org, g.ID); len(ms) != 0 {
			t.Fatalf("deleting a user leaves its groups: %v", ms)
		}
		WantCode(t, tx.DeleteDirectoryGroup(h.Ctx, other.Org.ID, g.ID), provisioning.CodeNotFound)

		m := provisioning.GroupRoleMapping{ID: provisioning.NewID(), OrgID: org, Group: "Sales", Role: provisioning.RoleAdmin, CreatedAt: now}
		if err := tx.PutGroupRoleMapping(h.Ctx, m); err != nil {
			return err
		}

		window := now.Truncate(time.Minute)
		for _, c := range []struct{ want, took, count int }{{2, 2, 2}, {3, 3, 5}, {4, 1, 6}, {1, 0, 6}} {
			if took, count, err := tx.TakeDirectoryRate(h.Ctx, org, window, c.want, 6); err != nil || took != c.took || count != c.count {
				t.Fatalf("take %d of 6: took %d, count %d, %v; want %d, %d", c.want, took, count, err, c.took, c.count)
			}
		}
		if took, count, err := tx.TakeDirectoryRate(h.Ctx, org, window.Add(time.Minute), 3, 6); err != nil || took != 3 || count != 3 {
			t.Fatalf("a new window restarts: %d %d %v", took, count, err)
		}
		return nil
	})
	m := provisioning.GroupRoleMapping{ID: provisioning.NewID(), OrgID: org, Group: "SALES", Role: provisioning.RoleMember, CreatedAt: h.Clock.Now()}
	WantCode(t, h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error { return tx.PutGroupRoleMapping(h.Ctx, m) }), provisioning.CodeConflict)
}

// testDirectoryEmailRows: a user's update keeps its email rows, which only
// ReplaceDirectoryEmails rewrites; the emails filter reads those rows.
func testDirectoryEmailRows(t *testing.T, h *Harness) {
	org := h.CreateOrg("acme", -1, "owner@acme.com").Org.ID
	var ann provisioning.DirectoryUser
	h.Tx(func(tx provisioning.StoreTx) error {
		ann = seedDirectoryUser(t, h, tx, org, "ann@acme.com", "", provisioning.DirectoryEmail{Type: "work", Value: "ann@acme.com", Primary: true})
		return nil
	})
	workEmail := func(value string) *provisioning.DirectoryFilter {
		return &provisioning.DirectoryFilter{Op: "each", Each: "emails", Left: &provisioning.DirectoryFilter{Op: "and",
			Left: cmp("type", "eq", "work"), Right: cmp("value", "eq", value)}}
	}
	found := func(value string) bool {
		var total int
		h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			_, total, err = tx.ListDirectoryUsers(h.Ctx, provisioning.DirectoryQuery{OrgID: org, Filter: workEmail(value), Limit: 1})
			return err
		})
		return total == 1
	}
	next := ann
	next.DisplayName, next.Version = "Ann A.", 2
	next.Emails = []provisioning.DirectoryEmail{{Type: "work", Value: "ann.a@acme.com"}, {Type: "home", Value: "ann@home.net"}}
	h.Tx(func(tx provisioning.StoreTx) error { return tx.UpdateDirectoryUser(h.Ctx, next) })
	if !found("ann@acme.com") || found("ann.a@acme.com") {
		t.Fatal("UpdateDirectoryUser rewrote the email rows")
	}
	h.Tx(func(tx provisioning.StoreTx) error { return tx.ReplaceDirectoryEmails(h.Ctx, next) })
	if found("ann@acme.com") || !found("ann.a@acme.com") {
		t.Fatal("ReplaceDirectoryEmails did not replace the email rows")
	}
	next.Emails = nil
	h.Tx(func(tx provisioning.StoreTx) error { return tx.ReplaceDirectoryEmails(h.Ctx, next) })
	if found("ann.a@acme.com") {
		t.Fatal("replacing with no emails left a row")
	}
}
