package postgres_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestConformanceThroughPgBouncer runs the whole store suite, its races included, on stores
// whose pool goes through PgBouncer in transaction pooling mode (migrations run directly):
// nothing may rely on session state or on prepared statements surviving a transaction.
func TestConformanceThroughPgBouncer(t *testing.T) {
	b := storetest.StartPgBouncer(t)
	storetest.Run(t, func(t testing.TB) provisioning.Store { return b.Open(t) })
}

// TestConcurrentJoinsThroughPgBouncer has many goroutines join people to one org and read them
// back through PgBouncer; every join lands once and the seat counter agrees.
func TestConcurrentJoinsThroughPgBouncer(t *testing.T) {
	b := storetest.StartPgBouncer(t)
	h := storetest.NewHarness(t, b.Open(t))
	o := h.CreateOrg("bouncer", -1, "owner@bouncer.example")
	const workers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				r, err := h.Join(o.Org.ID, fmt.Sprintf("w%d-%d@bouncer.example", w, i), provisioning.EntranceInvite, provisioning.RoleMember)
				if err == nil {
					_, err = h.Service.GetMember(h.Ctx, h.MemberActor(o.Owner.Membership), o.Org.ID, r.Membership.ID)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if u := h.Usage(o.Org.ID); u.Used != workers*each+1 {
		t.Fatalf("%d seats used, want %d", u.Used, workers*each+1)
	}
	h.CheckSeatCounter(o.Org.ID)
}
