package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
)

// parallel runs fn n times at once and returns the errors.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func testRaceJoins(t *testing.T, h *Harness) {
	for round := range 5 {
		o := h.CreateOrg(fmt.Sprintf("race%d", round), 10, fmt.Sprintf("owner%d@acme.com", round))
		errs := parallel(50, func(i int) error {
			_, err := h.Join(o.Org.ID, fmt.Sprintf("u%d@acme.com", i), provisioning.EntranceSCIM, "")
			return err
		})
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: join failed: %v", round, err)
			}
		}
		r := h.Usage(o.Org.ID)
		if r.Used != 10 || r.WaitingViewers != 41 {
			t.Fatalf("round %d: %d seated (limit 10, owner included), %d viewers; want 10 and 41", round, r.Used, r.WaitingViewers)
		}
	}
}

func testRaceOwners(t *testing.T, h *Harness) {
	for round := range 10 {
		o := h.CreateOrg(fmt.Sprintf("own%d", round), -1, "a@acme.com")
		b := h.MustJoin(o.Org.ID, "b@acme.com", provisioning.EntranceManual, provisioning.RoleOwner).Membership
		a := o.Owner.Membership
		pairs := [][2]provisioning.Membership{{a, b}, {b, a}}
		parallel(2, func(i int) error {
			_, err := h.Service.ChangeRole(h.Ctx, h.MemberActor(pairs[i][0]), o.Org.ID, pairs[i][1].ID, provisioning.RoleAdmin)
			return err
		})
		var owners int
		h.Tx(func(tx provisioning.StoreTx) error {
			var err error
			owners, err = tx.CountOwners(h.Ctx, o.Org.ID)
			return err
		})
		if owners != 1 {
			t.Fatalf("round %d: %d owners after mutual demotion, want exactly 1", round, owners)
		}
	}
}

func testRaceRemovalRoleChange(t *testing.T, h *Harness) {
	for round := range 10 {
		o := h.CreateOrg(fmt.Sprintf("rm%d", round), 3, "owner@acme.com")
		ann := h.MustJoin(o.Org.ID, "ann@acme.com", provisioning.EntranceManual, provisioning.RoleViewer).Membership
		owner := h.MemberActor(o.Owner.Membership)
		errs := parallel(2, func(i int) error {
			if i == 0 {
				_, err := h.Service.Remove(h.Ctx, owner, o.Org.ID, ann.ID)
				return err
			}
			_, err := h.Service.ChangeRole(h.Ctx, owner, o.Org.ID, ann.ID, provisioning.RoleMember)
			return err
		})
		if errs[0] != nil {
			t.Fatalf("removal failed: %v", errs[0])
		}
		got, err := h.Service.GetMember(h.Ctx, provisioning.Operator(), o.Org.ID, ann.ID)
		if err != nil || got.Status != provisioning.StatusRemoved || got.HasSeat {
			t.Fatalf("round %d: after the race %+v %v", round, got, err)
		}
		if r := h.Usage(o.Org.ID); r.Used != 1 {
			t.Fatalf("round %d: a removed member holds a seat: %+v", round, r)
		}
		if errs[1] != nil {
			WantCode(t, errs[1], provisioning.CodeNotFound)
		}
	}
}

func testRaceSameUser(t *testing.T, h *Harness) {
	var orgs []string
	for i := range 8 {
		orgs = append(orgs, h.CreateOrg(fmt.Sprintf("multi%d", i), -1, "owner@acme.com").Org.ID)
	}
	errs := parallel(16, func(i int) error {
		_, err := h.Join(orgs[i%8], "same@acme.com", provisioning.EntranceSCIM, "")
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var ids = map[string]bool{}
	for _, org := range orgs {
		ids[findMember(t, h, org, "same@acme.com").UserID] = true
	}
	if len(ids) != 1 {
		t.Fatalf("one email became %d users", len(ids))
	}
}

// testRaceUnlimitedJoinsMeetALimit joins people into an org without a seat limit (which keeps
// no seat counter and lets joins run side by side) while the operator sets a limit: the limit
// change waits for the joins it overlaps, its recount includes them, and every join after it
// is decided under the limit.
func testRaceUnlimitedJoinsMeetALimit(t *testing.T, h *Harness) {
	for round := range 5 {
		o := h.CreateOrg(fmt.Sprintf("unl%d", round), -1, fmt.Sprintf("owner%d@acme.com", round))
		const joiners, limit = 40, 20
		errs := parallel(joiners+1, func(i int) error {
			if i == joiners {
				n := limit
				_, err := h.Service.UpdateOrg(h.Ctx, provisioning.Operator(), o.Org.ID, provisioning.OrgUpdate{SeatLimit: &n, Force: true})
				return err
			}
			_, err := h.Join(o.Org.ID, fmt.Sprintf("u%d@acme.com", i), provisioning.EntranceSCIM, "")
			return err
		})
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		h.CheckSeatCounter(o.Org.ID)
		r := h.Usage(o.Org.ID)
		if r.Used+r.WaitingViewers != joiners+1 {
			t.Fatalf("round %d: %d seated + %d viewers, want %d members", round, r.Used, r.WaitingViewers, joiners+1)
		}
		// Seats taken before the limit stay; a viewer means the join found the seats full.
		if r.WaitingViewers > 0 && r.Used < limit {
			t.Fatalf("round %d: %d joined as viewers while only %d of %d seats were used", round, r.WaitingViewers, r.Used, limit)
		}
		if late := h.MustJoin(o.Org.ID, fmt.Sprintf("late%d@acme.com", round), provisioning.EntranceSCIM, ""); late.Membership.HasSeat() != (r.Used < limit) {
			t.Fatalf("round %d: a join after the limit with %d of %d seats used got a seat: %v", round, r.Used, limit, late.Membership.HasSeat())
		}
		h.CheckSeatCounter(o.Org.ID)
	}
}

// testRaceSamePersonArrivesTwice provisions one person many times at once into an org without
// a seat limit (the share-locked path), a new person and one with an account already: every
// arrival succeeds and exactly one membership and one join event exist for each.
func testRaceSamePersonArrivesTwice(t *testing.T, h *Harness) {
	o := h.CreateOrg("twice", -1, "owner@acme.com")
	// A person new to the installation, then one who already has an account (a member of
	// another org): both find no membership and insert one, and all but one must start over.
	h.MustJoin(h.CreateOrg("elsewhere", -1, "owner@elsewhere.com").Org.ID, "known@acme.com", provisioning.EntranceManual, "")
	h.VerifyDomain(o.Org.ID, "acme.com") // an identity provider signs in existing accounts only at verified domains
	for i, email := range []string{"Same@Acme.com", "Known@Acme.com"} {
		errs := parallel(20, func(int) error {
			_, err := h.Join(o.Org.ID, email, provisioning.EntranceOIDC, "")
			return err
		})
		for _, err := range errs {
			if err != nil {
				t.Fatalf("%s: arrival failed: %v", email, err)
			}
		}
		h.Tx(func(tx provisioning.StoreTx) error {
			events, err := tx.ListAudit(h.Ctx, provisioning.AuditQuery{OrgID: o.Org.ID, Action: "member.joined", Limit: 100})
			if err != nil {
				return err
			}
			if len(events) != 2+i { // the owner and each person once
				t.Fatalf("%s: %d member.joined events, want %d", email, len(events), 2+i)
			}
			return nil
		})
		if r := h.Usage(o.Org.ID); r.Used != 2+i {
			t.Fatalf("%s: %d seated, want %d", email, r.Used, 2+i)
		}
	}
}

// testRaceJoinThenWriteLock runs transactions that provision into an org without a seat limit
// (share lock) and then need the org's write lock (a directory suspending the person it just
// created): they must all succeed, not deadlock upgrading their locks.
func testRaceJoinThenWriteLock(t *testing.T, h *Harness) {
	o := h.CreateOrg("upgrade", -1, "owner@acme.com")
	errs := parallel(12, func(i int) error {
		return h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
			_, err := h.Service.ProvisionTx(h.Ctx, provisioning.Wrap(tx), provisioning.ProvisionRequest{OrgID: o.Org.ID,
				Entrance: provisioning.EntranceSCIM, Actor: provisioning.System(),
				Identity: provisioning.Identity{Email: fmt.Sprintf("p%d@acme.com", i)}})
			if err != nil {
				return err
			}
			_, err = tx.LockOrg(h.Ctx, o.Org.ID)
			return err
		})
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("join then write lock: %v", err)
		}
	}
	if r := h.Usage(o.Org.ID); r.Used != 13 {
		t.Fatalf("%d seated, want 13", r.Used)
	}

	// A transaction that holds the write lock first keeps it through the pipeline: it runs once.
	attempts := 0
	err := h.Store.Update(h.Ctx, func(tx provisioning.StoreTx) error {
		attempts++
		if _, err := tx.LockOrg(h.Ctx, o.Org.ID); err != nil {
			return err
		}
		if _, err := h.Service.ProvisionTx(h.Ctx, provisioning.Wrap(tx), provisioning.ProvisionRequest{OrgID: o.Org.ID,
			Entrance: provisioning.EntranceSCIM, Actor: provisioning.System(),
			Identity: provisioning.Identity{Email: "locked-first@acme.com"}}); err != nil {
			return err
		}
		_, err := tx.LockOrg(h.Ctx, o.Org.ID)
		return err
	})
	if err != nil || attempts != 1 {
		t.Fatalf("write lock, pipeline, write lock: %d attempts, %v; want one", attempts, err)
	}
}
