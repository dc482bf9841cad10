package storetest

import (
	"strings"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// testSeatLimitBelowUse: a seat limit below the seats in use is refused, saying how many to
// free, unless the operator forces it; a forced org is over its limit, says so, and gives
// nobody a seat until enough are freed.
func testSeatLimitBelowUse(t *testing.T, h *Harness) {
	o := h.CreateOrg("over", 10, "owner@over.com")
	org := o.Org.ID
	var members []provisioning.Membership
	for _, name := range []string{"a", "b", "c", "d"} {
		members = append(members, h.MustJoin(org, name+"@over.com", provisioning.EntranceSCIM, "").Membership)
	}
	owner := h.MemberActor(o.Owner.Membership)
	three := 3
	for _, actor := range []provisioning.Actor{owner, provisioning.Operator()} {
		_, err := h.Service.UpdateOrg(h.Ctx, actor, org, provisioning.OrgUpdate{SeatLimit: &three})
		if provisioning.ErrorCode(err) != provisioning.CodeSeatLimit || !strings.Contains(provisioning.ErrorMessage(err), "free 2 seats") {
			t.Fatalf("limit below use by %s: %v", actor.Kind, err)
		}
	}
	if _, err := h.Service.UpdateOrg(h.Ctx, owner, org, provisioning.OrgUpdate{SeatLimit: &three, Force: true}); provisioning.ErrorCode(err) != provisioning.CodeForbidden {
		t.Fatalf("an owner forced the limit: %v", err)
	}
	if got := h.Usage(org); got.Used != 5 || got.Limit != 10 {
		t.Fatalf("a refused limit changed something: %+v", got)
	}
	if _, err := h.Service.UpdateOrg(h.Ctx, provisioning.Operator(), org, provisioning.OrgUpdate{SeatLimit: &three, Force: true}); err != nil {
		t.Fatalf("the operator forcing the limit: %v", err)
	}
	r := h.Usage(org)
	if r.OverLimit != 2 || r.Free != 0 || !strings.Contains(r.Display, "5 / 3 (2 over the limit)") {
		t.Fatalf("over-limit report: %+v", r)
	}
	if late := h.MustJoin(org, "late@over.com", provisioning.EntranceSCIM, ""); late.Membership.HasSeat() {
		t.Fatal("a join got a seat while the org is over its limit")
	}
	for _, m := range members[:3] {
		if _, err := h.Service.Remove(h.Ctx, owner, org, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	if r := h.Usage(org); r.OverLimit != 0 || r.Used != 2 {
		t.Fatalf("after freeing seats: %+v", r)
	}
	if next := h.MustJoin(org, "next@over.com", provisioning.EntranceSCIM, ""); !next.Membership.HasSeat() {
		t.Fatal("no seat once the org is back under its limit")
	}
	h.CheckSeatCounter(org)
}
