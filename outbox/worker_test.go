package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rollcall/rollcall/outbox"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// slowSends records deliveries; each send takes 50s of the test clock, and during the second
// one another worker polls the outbox (as a second instance would).
type slowSends struct {
	mu     sync.Mutex
	clock  *storetest.Clock
	sent   map[string]int
	calls  int
	during func()
}

func (d *slowSends) Kind() string { return "test" }

func (d *slowSends) Deliver(_ context.Context, it provisioning.OutboxItem) ([]byte, error) {
	d.mu.Lock()
	d.sent[it.ID]++
	d.calls++
	var during func()
	if d.calls == 2 {
		during = d.during
	}
	d.mu.Unlock()
	d.clock.Advance(50 * time.Second)
	if during != nil {
		during()
	}
	return nil, nil
}

// TestLeaseOutlastedBySlowSends: a worker whose batch of sends outlasts its claim's lease (each
// send shorter than the lease) does not send the messages another worker claimed meanwhile:
// each message goes out once.
func TestLeaseOutlastedBySlowSends(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			h := storetest.NewHarness(t, b.Open(t))
			h.Tx(func(tx provisioning.StoreTx) error {
				for i := range 3 {
					if err := tx.EnqueueOutbox(h.Ctx, provisioning.OutboxMessage{ID: fmt.Sprintf("m%d", i), Kind: "test",
						Topic: "t", Payload: []byte(`{}`), CreatedAt: h.Clock.Now()}); err != nil {
						return err
					}
				}
				return nil
			})
			opts := outbox.Options{Lease: time.Minute, Batch: 3, Concurrency: 1}
			d := &slowSends{clock: h.Clock, sent: map[string]int{}}
			other := outbox.NewWorker(h.Service, d, opts)
			d.during = func() { // 100s after the claim: its one-minute lease is over
				if _, err := other.DeliverDue(h.Ctx); err != nil {
					t.Error(err)
				}
			}
			if _, err := outbox.NewWorker(h.Service, d, opts).DeliverDue(h.Ctx); err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if n := d.sent[fmt.Sprintf("m%d", i)]; n != 1 {
					t.Errorf("m%d sent %d times, want once (all: %v)", i, n, d.sent)
				}
			}
		})
	}
}
