package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// seedMembers fills an org with named members: the owner plus the given people.
func seedMembers(h *Harness, orgID string, people []struct{ email, first, last string }) {
	for _, p := range people {
		_, err := h.Service.Provision(h.Ctx, provisioning.ProvisionRequest{OrgID: orgID,
			Entrance: provisioning.EntranceSCIM, Actor: provisioning.System(),
			Identity: provisioning.Identity{Email: p.email, FirstName: p.first, LastName: p.last}})
		if err != nil {
			h.T.Fatalf("seed %s: %v", p.email, err)
		}
		h.Clock.Advance(time.Minute)
	}
}

func emails(ms []provisioning.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Email
	}
	return out
}

func testMemberListFilters(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 3, "owner@acme.com")
	h.Clock.Advance(time.Minute)
	seedMembers(h, o.Org.ID, []struct{ email, first, last string }{
		{"zoe@acme.com", "Zoë", "Adams"}, {"bob@acme.com", "Bob", "Brown"},
		{"carl@acme.com", "Carl", "Zed_Percent%"}, {"dora@other.io", "Dora", "Day"},
	})
	op := provisioning.Operator()
	list := func(q provisioning.MemberQuery) []string {
		t.Helper()
		q.OrgID = o.Org.ID
		ms, err := h.Service.ListMembers(h.Ctx, op, q)
		if err != nil {
			t.Fatalf("list %+v: %v", q, err)
		}
		return emails(ms)
	}
	check := func(name string, got []string, want ...string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("by name", list(provisioning.MemberQuery{Sort: provisioning.SortByName}),
		"bob@acme.com", "carl@acme.com", "dora@other.io", "owner@acme.com", "zoe@acme.com")
	check("by email desc", list(provisioning.MemberQuery{Sort: provisioning.SortByEmail, Desc: true}),
		"zoe@acme.com", "owner@acme.com", "dora@other.io", "carl@acme.com", "bob@acme.com")
	check("by joined", list(provisioning.MemberQuery{Sort: provisioning.SortByJoined}),
		"owner@acme.com", "zoe@acme.com", "bob@acme.com", "carl@acme.com", "dora@other.io")
	check("search email, any case", list(provisioning.MemberQuery{Search: "OTHER.IO"}), "dora@other.io")
	check("search name with unicode", list(provisioning.MemberQuery{Search: "zoë"}), "zoe@acme.com")
	check("search treats _ literally", list(provisioning.MemberQuery{Search: "b_b"}))
	check("search literal percent", list(provisioning.MemberQuery{Search: "zed_percent%"}), "carl@acme.com")
	// Seat limit 3: owner, zoe and bob hold seats; carl and dora joined as viewers.
	check("with seat", list(provisioning.MemberQuery{Seat: provisioning.SeatWith, Sort: provisioning.SortByJoined}),
		"owner@acme.com", "zoe@acme.com", "bob@acme.com")
	check("without seat", list(provisioning.MemberQuery{Seat: provisioning.SeatWithout, Sort: provisioning.SortByJoined}),
		"carl@acme.com", "dora@other.io")
	check("role viewer", list(provisioning.MemberQuery{Role: provisioning.RoleViewer, Sort: provisioning.SortByEmail}),
		"carl@acme.com", "dora@other.io")

	bob := findMember(t, h, o.Org.ID, "bob@acme.com")
	if _, err := h.Service.Suspend(h.Ctx, op, o.Org.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	check("suspended", list(provisioning.MemberQuery{Status: provisioning.StatusSuspended}), "bob@acme.com")
	check("suspended holds no seat", list(provisioning.MemberQuery{Seat: provisioning.SeatWith, Sort: provisioning.SortByJoined}),
		"owner@acme.com", "zoe@acme.com")

	h.Tx(func(tx provisioning.StoreTx) error {
		zoe := findMember(t, h, o.Org.ID, "zoe@acme.com")
		if err := tx.TouchMembership(h.Ctx, zoe.ID, h.Clock.Now().Add(time.Hour)); err != nil {
			return err
		}
		return tx.TouchMembership(h.Ctx, zoe.ID, h.Clock.Now())
	})
	check("last active after", list(provisioning.MemberQuery{LastActiveAfter: h.Clock.Now().Add(30 * time.Minute)}), "zoe@acme.com")
	check("last active before", list(provisioning.MemberQuery{LastActiveBefore: h.Clock.Now().Add(30 * time.Minute)}))
	check("last active desc puts never-active last", list(provisioning.MemberQuery{Sort: provisioning.SortByLastActive, Desc: true, Limit: 1}), "zoe@acme.com")
}

func findMember(t testing.TB, h *Harness, orgID, email string) provisioning.Member {
	t.Helper()
	ms, err := h.Service.ListMembers(h.Ctx, provisioning.Operator(), provisioning.MemberQuery{OrgID: orgID, Search: email, Status: ""})
	if err == nil && len(ms) == 0 {
		ms, err = h.Service.ListMembers(h.Ctx, provisioning.Operator(), provisioning.MemberQuery{OrgID: orgID, Search: email, Status: provisioning.StatusRemoved})
	}
	for _, m := range ms {
		if m.Email == email {
			return m
		}
	}
	t.Fatalf("member %s not found (%v)", email, err)
	return provisioning.Member{}
}

func testMemberListCursor(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", -1, "owner@acme.com")
	for i := range 23 {
		// Pairs share a name so the id breaks ties.
		h.MustJoin(o.Org.ID, fmt.Sprintf("user%02d@acme.com", i), provisioning.EntranceSCIM, "")
	}
	for _, sort := range []provisioning.SortKey{provisioning.SortByName, provisioning.SortByEmail, provisioning.SortByJoined, provisioning.SortByLastActive} {
		for _, desc := range []bool{false, true} {
			q := provisioning.MemberQuery{OrgID: o.Org.ID, Sort: sort, Desc: desc}
			all, err := h.Service.ListMembers(h.Ctx, provisioning.Operator(), q)
			if err != nil || len(all) != 24 {
				t.Fatalf("full list: %d, %v", len(all), err)
			}
			var paged []provisioning.Member
			q.Limit = 5
			for {
				page, err := h.Service.ListMembers(h.Ctx, provisioning.Operator(), q)
				if err != nil {
					t.Fatalf("page: %v", err)
				}
				paged = append(paged, page...)
				if len(page) < q.Limit {
					break
				}
				last := page[len(page)-1]
				q.After = &provisioning.Cursor{Key: last.SortValue(sort), ID: last.ID}
			}
			if fmt.Sprint(emails(paged)) != fmt.Sprint(emails(all)) {
				t.Errorf("sort %s desc=%v: pages %v != list %v", sort, desc, emails(paged), emails(all))
			}
		}
	}
	_, err := h.Service.ListMembers(h.Ctx, provisioning.Operator(), provisioning.MemberQuery{OrgID: o.Org.ID,
		Sort: provisioning.SortByJoined, After: &provisioning.Cursor{Key: "not-a-time", ID: "x"}})
	WantCode(t, err, provisioning.CodeInvalid)
}

func testSeatCounting(t *testing.T, h *Harness) {
	o := h.CreateOrg("acme", 10, "owner@acme.com")
	h.MustJoin(o.Org.ID, "a@acme.com", provisioning.EntranceSCIM, "")
	h.MustJoin(o.Org.ID, "v@acme.com", provisioning.EntranceSCIM, provisioning.RoleViewer)
	now := h.Clock.Now()
	past := now.Add(-time.Hour)
	h.Tx(func(tx provisioning.StoreTx) error {
		for i, inv := range []struct {
			role    provisioning.Role
			state   string
			expires *time.Time
		}{{provisioning.RoleMember, "pending", nil}, {provisioning.RoleViewer, "pending", nil},
			{provisioning.RoleAdmin, "accepted", nil}, {provisioning.RoleMember, "pending", &past}} {
			if err := tx.InsertInvitation(h.Ctx, testInvitation(h, o.Org.ID, fmt.Sprintf("i%d@x.com", i), inv.role, provisioning.InvitationState(inv.state), inv.expires)); err != nil {
				return err
			}
		}
		without, err := tx.CountSeatsUsed(h.Ctx, o.Org.ID, false, now)
		if err != nil {
			return err
		}
		with, err := tx.CountSeatsUsed(h.Ctx, o.Org.ID, true, now)
		if err != nil {
			return err
		}
		if without != 2 || with != 3 {
			t.Errorf("seats used = %d without invites, %d with; want 2 and 3", without, with)
		}
		owners, err := tx.CountOwners(h.Ctx, o.Org.ID)
		if err != nil || owners != 1 {
			t.Errorf("owners = %d, %v", owners, err)
		}
		return nil
	})
}

// testMemberListFollowsRenames checks that the sort and search keys copied onto memberships
// follow the user: a rename through the pipeline and an email change show in every org the
// user belongs to, and searches of any length find the same members on both stores.
func testMemberListFollowsRenames(t *testing.T, h *Harness) {
	a := h.CreateOrg("acme", -1, "owner@acme.com")
	b := h.CreateOrg("beta", -1, "owner@beta.com")
	for _, org := range []string{a.Org.ID, b.Org.ID} {
		seedMembers(h, org, []struct{ email, first, last string }{
			{"ann@acme.com", "Ann", "Able"}, {"kim@acme.com", "Kim", "Quote\"d"},
		})
	}
	seedMembers(h, a.Org.ID, []struct{ email, first, last string }{{"ann@acme.com", "Zara", "Zulu"}})
	h.Tx(func(tx provisioning.StoreTx) error {
		u, err := tx.GetUserByEmail(h.Ctx, "kim@acme.com")
		if err != nil {
			return err
		}
		u.Email = "kim.new@acme.com"
		return tx.UpdateUser(h.Ctx, u)
	})
	for _, org := range []string{a.Org.ID, b.Org.ID} {
		list := func(q provisioning.MemberQuery) string {
			t.Helper()
			q.OrgID = org
			ms, err := h.Service.ListMembers(h.Ctx, provisioning.Operator(), q)
			if err != nil {
				t.Fatalf("list %+v: %v", q, err)
			}
			return fmt.Sprint(emails(ms))
		}
		for _, c := range []struct {
			q    provisioning.MemberQuery
			want string
		}{
			{provisioning.MemberQuery{Sort: provisioning.SortByName}, "[kim.new@acme.com owner@%s zara]"},
			{provisioning.MemberQuery{Search: "zulu"}, "[ann@acme.com]"},
			{provisioning.MemberQuery{Search: "able"}, "[]"},
			{provisioning.MemberQuery{Search: "zu"}, "[ann@acme.com]"},
			{provisioning.MemberQuery{Search: "KIM.NEW"}, "[kim.new@acme.com]"},
			{provisioning.MemberQuery{Search: "kim@"}, "[]"},
			{provisioning.MemberQuery{Search: `quote"d`}, "[kim.new@acme.com]"},
			{provisioning.MemberQuery{Sort: provisioning.SortByEmail, Desc: true, Role: provisioning.RoleOwner}, "[owner@%s]"},
		} {
			want := strings.ReplaceAll(c.want, "%s", map[string]string{a.Org.ID: "acme.com", b.Org.ID: "beta.com"}[org])
			want = strings.ReplaceAll(want, "zara", "ann@acme.com")
			if got := list(c.q); got != want {
				t.Errorf("%+v: got %s, want %s", c.q, got, want)
			}
		}
	}
}
